"""The `inception-repro` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from inception_repro import files, registry, tf_logs
from inception_repro.errors import UsageError
from inception_repro.evaluate import command as eval_command


def _models(args) -> int:
    width = max(len(i) for i in registry.ENTRIES)
    for e in registry.ENTRIES.values():
        print(f"{e.id:<{width}}  {e.source}\n{'':<{width}}  {e.description}")
    return 0


def _summary(args) -> int:
    from inception_repro import summary

    include_top = not args.no_top
    built = registry.graph(args.model, tuple(args.input_size), include_top)
    s = summary.summarise(built.model, built.stage_ends)
    if args.json:
        print(json.dumps({"model": args.model, "include_top": include_top, **s}, indent=1))
        return 0
    print(summary.text_table(s, title=f"{args.model} (include_top={include_top})"))
    return 0


def _diff(args) -> int:
    from inception_repro import diff

    d = diff.compare(args.a, args.b)
    print(json.dumps(d, indent=1) if args.json else diff.render(d))
    return 0


def _report(args) -> int:
    from inception_repro import report

    path = report.write(args.out)
    print(f"wrote {path}: {report.digest()}")
    return 0


def _compare_weights(args) -> int:
    from inception_repro.evaluate import conversion

    if args.out:
        files.check_output_file(args.out, "--out")
    result = conversion.compare(args.checkpoint, args.keras_weights)
    if args.out:
        files.write_text(args.out, json.dumps(result, indent=2) + "\n")
    print(conversion.render(result))
    return 0 if result["identical"] else 1


class _Parser(argparse.ArgumentParser):
    """An argument error in one line, with where to read more (argparse prints the usage too)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}; see {self.prog} --help\n")


VERBOSE = "show TensorFlow's start-up log lines (oneDNN, CUDA)"


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="inception-repro",
        description="How the released Inception-ResNet-v2 relates to arXiv 1602.07261.",
    )
    p.add_argument("--verbose", action="store_true", help=VERBOSE)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("models", help="list the model ids").set_defaults(func=_models)
    s = sub.add_parser("summary", help="canonical summary of a model")
    s.add_argument("model", help="a model id (see `inception-repro models`)")
    s.add_argument(
        "--input-size",
        nargs=2,
        type=int,
        default=[299, 299],
        metavar=("H", "W"),
        help="input height and width in pixels (default: 299 299)",
    )
    s.add_argument("--no-top", action="store_true", help="without the classifier")
    s.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    s.set_defaults(func=_summary)
    d = sub.add_parser("diff", help="two networks stage by stage, and every discrepancy cited")
    d.add_argument("a", help="a model id, e.g. paper-inception-resnet-v2")
    d.add_argument("b", help="a model id, e.g. keras-inception-resnet-v2")
    d.add_argument("--json", action="store_true", help="one JSON object instead of text")
    d.set_defaults(func=_diff)
    r = sub.add_parser("report", help="write report.md: the paper against the released model")
    r.add_argument(
        "--out", type=Path, default=Path("out"), help="folder for report.md (default: out)"
    )
    r.set_defaults(func=_report)
    eval_command.add_parser(sub)
    c = sub.add_parser(
        "compare-weights",
        help="the Keras Inception-ResNet-v2 .h5 against the TF-Slim checkpoint, weight by weight",
        description="Exit 0 when every weight of the .h5 equals its checkpoint variable (the "
        "background class and the aux head left out), 1 when any differs.",
    )
    c.add_argument(
        "checkpoint", type=Path, metavar="SLIM_CKPT", help="TF-Slim .ckpt, V2 prefix or .tar.gz"
    )
    c.add_argument(
        "keras_weights", type=Path, metavar="KERAS_H5", help="the Keras .h5 weights file"
    )
    c.add_argument("--out", type=Path, metavar="FILE", help="write the comparison JSON here")
    c.set_defaults(func=_compare_weights)
    for command in sub.choices.values():  # before or after the command's name
        command.add_argument(
            "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE
        )
    return p


# compare-weights' arguments, as its usage line names them
POSITIONAL_PATHS = {"checkpoint": "SLIM_CKPT", "keras_weights": "KERAS_H5"}


def _option(dest: str) -> str:
    return POSITIONAL_PATHS.get(dest) or "--" + dest.replace("_", "-")


def given_path(error: OSError, args) -> tuple[str, Path] | None:
    """(the option, the path the user gave) that `error` is about: the path itself, a file
    inside it or a folder above it; None when the error is about no path the user gave."""
    given = {k: v for k, v in vars(args).items() if isinstance(v, Path)}
    for name in (error.filename, error.filename2):
        if name is None or isinstance(name, int):
            continue
        failed = Path(os.fsdecode(name)).absolute()
        for dest, path in given.items():
            path = path.absolute()
            if failed == path or path in failed.parents or failed in path.parents:
                return _option(dest), path
    return None


def _fail(message: str) -> int:
    print(f"inception-repro: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        for name in ("model", "a", "b"):  # an unknown model id fails before TensorFlow starts
            if isinstance(getattr(args, name, None), str):
                registry.entry(getattr(args, name))
        if args.func not in (_models, _diff):  # diff computes from the specs alone
            tf_logs.start(args.verbose)
        return args.func(args)
    except UsageError as e:
        return _fail(str(e))
    except OSError as e:  # about a path the user gave: one line; about any other, a traceback
        if (given := given_path(e, args)) is None:
            raise
        option, path = given
        failed = os.fsdecode(e.filename)
        return _fail(
            f"{option} {path}: {e.strerror or type(e).__name__}: {failed}; check that path and "
            "that you may read and write there"
        )


if __name__ == "__main__":
    sys.exit(main())
