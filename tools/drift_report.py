"""What the installed Keras changed against golden/: one line per changed layer or number.

The upstream canary (.github/workflows/canary.yml) runs it after the structure tests fail on the
newest releases, and files its output as an issue titled with those versions:

    python tools/drift_report.py --out drift/

writes drift/title.txt (one line naming the versions) and drift/report.md (every canonical
summary difference, layer by layer, and every pinned number that moved beyond the fingerprint
tolerance, then the commands that accept the change). Exit status 0 when nothing drifted, 1 when
something did, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
from pathlib import Path

import yaml

from inception_repro import tf_logs

tf_logs.start()  # quietly: TensorFlow's start-up lines would only clutter the report's log

from inception_repro import numerics, registry, summary  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
# the Keras 2 line is held to the Keras 3 files (tests/structure/test_tfkeras.py)
MODELS = [m for m in registry.ENTRIES if not m.startswith("tfkeras-")]
PACKAGES = ("keras", "tensorflow", "tf-keras", "jax")
ACCEPT = (
    "Accept it: `tox -e lock` (pins the new versions in requirements/lock.txt), then "
    "`pytest --update-golden -m structure`; review `git diff golden/` and commit both."
)


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def summary_drift(model_id: str, include_top: bool, live: dict) -> list[str]:
    """One line per layer setting, shape, count or connection that differs from golden/."""
    name = f"{model_id}{'' if include_top else '.notop'}.json"
    path = GOLDEN / "models" / name
    if not path.exists():
        return [f"{model_id}: golden/models/{name} is missing"]
    golden = json.loads(path.read_text())
    return [
        f"{model_id}{'' if include_top else ' (no top)'}: {line}"
        for line in summary.differences(golden, live)
    ]


def number_drift(model_id: str, live: dict) -> list[str]:
    """One line per pinned number that moved beyond numerics.TOLERANCE of its stage's scale."""
    path = GOLDEN / "fingerprints" / f"{model_id}.yaml"
    if not path.exists():
        return [f"{model_id}: golden/fingerprints/{model_id}.yaml is missing"]
    golden = yaml.safe_load(path.read_text())
    return [f"{model_id}: {line}" for line in numerics.moved(golden, live)]


def drift() -> list[str]:
    lines = []
    for model_id in MODELS:
        built = registry.build(model_id)  # whole, for its numbers; graph() then returns it
        for include_top in (True, False):
            graph = registry.graph(model_id, include_top=include_top)
            lines += summary_drift(
                model_id, include_top, summary.summarise(graph.model, graph.stage_ends)
            )
        numerics.set_deterministic_weights(built.model)
        lines += number_drift(
            model_id, numerics.fingerprint(built, numerics.scaled_input(model_id))
        )
    return lines


def title(found: dict[str, str], lines: list[str]) -> str:
    named = ", ".join(f"{k} {v}" for k, v in found.items())
    if lines:
        return f"Upstream drift: {named} change what golden/ pins"
    return f"Upstream canary failed with {named}; golden/ still matches"


def report(found: dict[str, str], lines: list[str]) -> str:
    installed = ", ".join(f"{k} {v}" for k, v in found.items())
    if not lines:
        return (
            f"With the newest releases the project allows ({installed}), every canonical summary "
            "and pinned number still matches golden/; another step failed (the run's log says "
            "which).\n"
        )
    body = [
        f"With the newest releases the project allows ({installed}), "
        f"{len(lines)} pinned {'value differs' if len(lines) == 1 else 'values differ'} "
        "from golden/:",
        "",
        *[f"- {line}" for line in lines],
        "",
        ACCEPT,
    ]
    return "\n".join(body) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for title.txt, report.md")
    args = parser.parse_args(argv)
    lines = drift()
    found = versions()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "title.txt").write_text(title(found, lines) + "\n")
    (args.out / "report.md").write_text(report(found, lines))
    print(f"{len(lines)} drifted values; {args.out / 'report.md'}")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
