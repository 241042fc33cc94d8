"""The `inception-repro` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from inception_repro import registry, tf_logs
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

    path = report.write(Path(args.out))
    print(f"wrote {path}: {report.digest()}")
    return 0


def _compare_weights(args) -> int:
    from inception_repro.evaluate import conversion

    result = conversion.compare(args.checkpoint, args.keras_weights)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(conversion.render(result))
    return 0 if result["identical"] else 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="inception-repro",
        description="How the released Inception-ResNet-v2 relates to arXiv 1602.07261.",
    )
    p.add_argument(
        "--verbose", action="store_true", help="show TensorFlow's start-up log lines (oneDNN, CUDA)"
    )
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("models", help="list the model ids").set_defaults(func=_models)
    s = sub.add_parser("summary", help="canonical summary of a model")
    s.add_argument("model", help="a model id (see `inception-repro models`)")
    s.add_argument("--input-size", nargs=2, type=int, default=[299, 299], metavar=("H", "W"))
    s.add_argument("--no-top", action="store_true", help="without the classifier")
    s.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    s.set_defaults(func=_summary)
    d = sub.add_parser("diff", help="two networks stage by stage, and every discrepancy cited")
    d.add_argument("a", help="a model id, e.g. paper-inception-resnet-v2")
    d.add_argument("b", help="a model id, e.g. keras-inception-resnet-v2")
    d.add_argument("--json", action="store_true", help="one JSON object instead of text")
    d.set_defaults(func=_diff)
    r = sub.add_parser("report", help="write report.md: the paper against the released model")
    r.add_argument("--out", default="out", help="folder for report.md (default: out)")
    r.set_defaults(func=_report)
    eval_command.add_parser(sub)
    c = sub.add_parser(
        "compare-weights",
        help="the Keras Inception-ResNet-v2 .h5 against the TF-Slim checkpoint, weight by weight",
        description="Exit 0 when every weight of the .h5 equals its checkpoint variable (the "
        "background class and the aux head left out), 1 when any differs.",
    )
    c.add_argument("checkpoint", type=Path, help="TF-Slim .ckpt, V2 prefix or .tar.gz")
    c.add_argument("keras_weights", type=Path, help="the Keras .h5 weights file")
    c.add_argument("--out", type=Path, metavar="FILE", help="write the comparison JSON here")
    c.set_defaults(func=_compare_weights)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        for name in ("model", "a", "b"):  # an unknown model id fails before TensorFlow starts
            if isinstance(getattr(args, name, None), str):
                registry.entry(getattr(args, name))
        if args.func is not _models:  # every other command builds or evaluates a model
            tf_logs.start(args.verbose)
        return args.func(args)
    except UsageError as e:
        print(f"inception-repro: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
