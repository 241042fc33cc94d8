"""Reading, comparing and (only with --update-golden) writing the pinned files under golden/."""

import difflib
import json
import platform
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
import yaml

import inception_repro
from inception_repro import numerics

ROOT = Path(__file__).resolve().parents[2] / "golden"
ACCEPT = "accept the change with: pytest --update-golden -m structure"


# The versions that last wrote golden/, in one file of its own that no test compares: a version
# bump alone changes no compared line, and the diff of an upstream change shows only that change.
PRODUCER = ROOT / "produced_by.yaml"


def write_producer() -> None:
    """Record the installed versions and backend (pytest --update-golden, at the session's end)."""
    versions = {
        "command": "pytest --update-golden -m structure",
        "inception_repro": inception_repro.__version__,
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "tensorflow": tf.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    PRODUCER.write_text(
        "# The versions that last ran `pytest --update-golden`; compared by no test.\n"
        + dump_yaml(versions)
    )


def dump_summary(s: dict) -> str:
    """JSON with one layer per line, so that a change reads as a one-line diff."""
    head = {k: v for k, v in s.items() if k != "layers"}
    layers = ",\n".join("  " + json.dumps(x) for x in s["layers"])
    return json.dumps(head, indent=1)[:-2] + ',\n "layers": [\n' + layers + "\n ]\n}\n"


def text_diff(expected: str, actual: str, limit: int = 40) -> str:
    lines = list(
        difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "live", lineterm="", n=1
        )
    )
    return "\n".join(
        lines[:limit] + ([f"... {len(lines) - limit} more"] if len(lines) > limit else [])
    )


def check_text(path: Path, live: str, update: bool) -> str | None:
    """None when the golden file equals `live`; else the reason."""
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(live)
        return None
    if not path.exists():
        return f"golden file {path.relative_to(ROOT.parent)} is missing; create it: {ACCEPT}"
    golden = path.read_text()
    if golden != live:
        return f"{path.relative_to(ROOT.parent)} differs ({ACCEPT}):\n" + text_diff(golden, live)
    return None


# tf_keras's model is held equal to Keras's by tests/structure/test_tfkeras.py and has no files
PINNED_AS = {"tfkeras-inception-resnet-v2": "keras-inception-resnet-v2"}


def model_file(model_id: str, suffix: str) -> Path:
    """golden/models/<id><suffix>, e.g. ".json" or ".params.yaml": what the golden tests hold
    equal to the live model (for tf_keras's model, Keras's)."""
    return ROOT / "models" / f"{PINNED_AS.get(model_id, model_id)}{suffix}"


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def dump_yaml(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, width=100, allow_unicode=True)


def fingerprint_path(model_id: str) -> Path:
    return ROOT / "fingerprints" / f"{model_id}.yaml"


def write_fingerprint(model_id: str, live: dict) -> None:
    path = fingerprint_path(model_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    # lists of numbers on one line each
    path.write_text(yaml.safe_dump(live, sort_keys=False, width=100, default_flow_style=None))


def fingerprint_problem(model_id: str, live: dict, golden_id: str | None = None) -> str | None:
    """None when `live` matches the pinned fingerprint of golden_id (default: model_id)."""
    path = fingerprint_path(golden_id or model_id)
    name = path.relative_to(ROOT.parent)
    if not path.exists():
        return f"golden file {name} is missing; create it: {ACCEPT}"
    golden = load_yaml(path)
    moved = numerics.compare(golden, live)
    if moved is None:
        return None
    problem = f"{model_id}: numbers differ from {name} at {moved} ({ACCEPT})"
    cause = numerics.stream_problem()  # names NumPy when its stream, not Keras, moved them
    return problem if cause is None else f"{problem}. The cause: {cause}"
