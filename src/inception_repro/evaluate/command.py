"""`inception-repro eval`: top-1 / top-5 on the ImageNet validation set, against reported."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from inception_repro import files
from inception_repro.errors import UsageError
from inception_repro.evaluate import PROTOCOL_NAMES, report
from inception_repro.evaluate.config import EvalConfig, check, default_data_dir

DESCRIPTION = """\
Evaluate a model on the ImageNet (ILSVRC2012) validation set under one of the published
preprocessing protocols, and compare top-1 / top-5 with the numbers reported for it
(golden/accuracy.yaml). The first run builds the TFDS imagenet2012 validation split from
ILSVRC2012_img_val.tar in --manual-dir into --data-dir (offline); later runs reuse it.
Without a GPU it refuses to run unless --allow-cpu is given. See docs/evaluation.md."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "eval",
        help="top-1/top-5 on the ImageNet validation set",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--model", required=True, metavar="ID", help="model id, e.g. keras-inception-resnet-v2"
    )
    p.add_argument(
        "--weights",
        type=Path,
        metavar="PATH",
        help="a legacy Keras .h5 weights file; for slim-* models a TF-Slim checkpoint (.ckpt file, "
        "V2 prefix or the released .tar.gz) (default: the released file, fetched once into "
        "KERAS_HOME/models)",
    )
    p.add_argument(
        "--manual-dir",
        type=Path,
        metavar="DIR",
        help="folder holding ILSVRC2012_img_val.tar (first run only)",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=default_data_dir(),
        help="TFDS data dir (default: $TFDS_DATA_DIR or ~/tensorflow_datasets)",
    )
    p.add_argument(
        "--protocol",
        default="slim",
        help=f"preprocessing protocol, one of {', '.join(PROTOCOL_NAMES)} (default: slim, the "
        "checkpoint's own)",
    )
    p.add_argument(
        "--batch-size", type=int, metavar="N", help="global batch (default: 64 per GPU, 16 on CPU)"
    )
    p.add_argument("--limit", type=int, metavar="N", help="evaluate only validation images 1..N")
    p.add_argument(
        "--blacklist",
        type=Path,
        metavar="FILE",
        help="ILSVRC2014_clsloc_validation_blacklist.txt: also count the non-blacklisted subset",
    )
    p.add_argument("--out", type=Path, metavar="FILE", help="write the results JSON here")
    p.add_argument(
        "--reported",
        type=Path,
        metavar="FILE",
        help="the reported numbers to compare with (default: golden/accuracy.yaml, shipped in the "
        "package)",
    )
    p.add_argument("--allow-cpu", action="store_true", help="run even when no GPU is visible")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def config(args) -> EvalConfig:
    return EvalConfig(
        model_id=args.model,
        data_dir=args.data_dir,
        manual_dir=args.manual_dir,
        weights=args.weights,
        protocol=args.protocol,
        batch_size=args.batch_size,
        limit=args.limit,
        blacklist=args.blacklist,
        allow_cpu=args.allow_cpu,
        progress=not args.no_progress,
    )


def reported_numbers(path: Path | None) -> list:
    """The reported numbers, from --reported or golden/accuracy.yaml; never none at all."""
    if path is not None and not path.is_file():
        problem = "is a folder" if path.is_dir() else "no such file"
        raise UsageError(f"--reported {path}: {problem}; give the path of golden/accuracy.yaml")
    return report.load_reported(path or report.GOLDEN)


def run(args) -> int:
    cfg = config(args)
    check(cfg)
    # Before hours of evaluation, not after: where the results go, and what they are compared with.
    if args.out:
        files.check_output_file(args.out, "--out")
    reported = reported_numbers(args.reported)
    from inception_repro.evaluate.run import evaluate  # starts TensorFlow

    results = evaluate(cfg)
    if args.out:
        files.write_text(args.out, json.dumps(results, indent=2) + "\n")
    table = report.markdown(results, reported)
    print(table)
    report.append_job_summary(table)
    return 0
