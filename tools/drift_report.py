"""What the installed upstream changed against golden/, and what broke: the canary's issue.

The upstream canary (.github/workflows/canary.yml) runs it when any of its steps fails, and files
its output as an issue titled with the installed versions:

    python tools/drift_report.py --out drift/ --logs logs/ --steps "install=success jax=failure"

It always writes drift/title.txt (one line) and drift/report.md, whatever failed: the install
(then the package cannot even be imported), an import, a private upstream name that moved, a
model that no longer builds, an unreadable golden file, or a test step. The report has:
- what broke, each with its last error line (a failed step's from its log in --logs);
- one line per changed layer setting or moved pinned number, and the commands that accept them;
- the installed versions.
Only the standard library is imported at the top, so that it runs when the install did not.
Exit status 0 when nothing drifted or broke, 1 when something did, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import sys
import tempfile
from pathlib import Path

PACKAGES = ("keras", "tensorflow", "tf-keras", "jax", "numpy", "tensorflow-datasets", "protobuf")
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


def last_error(exc: BaseException) -> str:
    """The exception's type and the last line of its message, e.g. `ImportError: ...`."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[-1]}" if lines else type(exc).__name__


def last_error_line(log: Path) -> str:
    """A failed step's last telling line: its last line that names an error, else its last."""
    lines = [x.strip() for x in log.read_text(errors="replace").splitlines() if x.strip()]
    for line in reversed(lines):
        if "error" in line.lower() or line.startswith(("FAILED", "E ")):
            return line
    return lines[-1] if lines else "(its log is empty)"


def _package():
    """The package's modules, imported here so that an import failure is reported, not raised."""
    importlib.import_module("inception_repro.tf_logs").start()  # TensorFlow, quietly
    names = ("numerics", "pinned", "registry", "summary", "upstream")
    return [importlib.import_module(f"inception_repro.{n}") for n in names]


def golden(*parts: str) -> Path:
    return importlib.import_module("inception_repro.pinned").golden_file(*parts)


class GoldenUnreadable(Exception):
    pass


def _golden_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise GoldenUnreadable(f"{path} cannot be read: {last_error(e)}") from e


def _golden_yaml(path: Path):
    import yaml

    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise GoldenUnreadable(f"{path} cannot be read: {last_error(e)}") from e


def summary_drift(model_id: str, include_top: bool, live: dict) -> list[str]:
    """One line per layer setting, shape, count or connection that differs from golden/."""
    from inception_repro import summary

    name = f"{model_id}{'' if include_top else '.notop'}.json"
    path = golden("models", name)
    if not path.exists():
        return [f"{model_id}: golden/models/{name} is missing"]
    return [
        f"{model_id}{'' if include_top else ' (no top)'}: {line}"
        for line in summary.differences(_golden_json(path), live)
    ]


def number_drift(model_id: str, live: dict) -> list[str]:
    """One line per pinned number that moved beyond numerics.TOLERANCE of its stage's scale."""
    from inception_repro import numerics

    path = golden("fingerprints", f"{model_id}.yaml")
    if not path.exists():
        return [f"{model_id}: golden/fingerprints/{model_id}.yaml is missing"]
    return [f"{model_id}: {line}" for line in numerics.moved(_golden_yaml(path), live)]


def model_drift(model_id: str) -> list[str]:
    from inception_repro import numerics, registry, summary

    built = registry.for_weights(model_id)  # zeros, then numerics' deterministic weights
    notop = registry.graph(model_id, include_top=False)
    lines = summary_drift(model_id, True, summary.summarise(built.model, built.stage_ends))
    lines += summary_drift(model_id, False, summary.summarise(notop.model, notop.stage_ends))
    numerics.set_deterministic_weights(built.model)
    return lines + number_drift(
        model_id, numerics.fingerprint(built, numerics.scaled_input(model_id))
    )


def models() -> list[str]:
    """Every model id but the Keras 2 line's, which is held to the Keras 3 files
    (tests/structure/test_tfkeras.py)."""
    from inception_repro import registry

    return [m for m in registry.ENTRIES if not m.startswith("tfkeras-")]


def drift(model_ids: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(drifted values, what broke): every failure is caught and named, never raised."""
    try:
        _package()
    except Exception as e:  # noqa: BLE001 - the report names whatever stops the import
        return [], [f"`import inception_repro` failed: {last_error(e)}"]
    from inception_repro import numerics, upstream

    broke = [f"a private upstream name moved: {line}" for line in upstream.problems()]
    if problem := numerics.stream_problem():
        broke.append(problem)
    lines = []
    for model_id in model_ids or models():
        try:
            lines += model_drift(model_id)
        except Exception as e:  # noqa: BLE001 - one model's failure must not hide the others
            broke.append(f"{model_id}: {last_error(e)}")
    return lines, broke


def failed_steps(steps: dict[str, str], logs: Path | None) -> list[str]:
    """One line per step the workflow saw fail, with its log's last error line."""
    out = []
    for step, outcome in steps.items():
        if outcome != "failure":
            continue
        log = logs / f"{step}.log" if logs else None
        detail = last_error_line(log) if log and log.is_file() else "(no log)"
        out.append(f"the `{step}` step failed: {detail}")
    return out


def title(found: dict[str, str], lines: list[str], broke: list[str]) -> str:
    named = ", ".join(f"{k} {v}" for k, v in found.items())
    if lines:
        return f"Upstream drift: {named} change what golden/ pins"
    if broke:
        return f"Upstream canary broke with {named}: {broke[0]}"[:250]
    return f"Upstream canary failed with {named}; golden/ still matches"


def report(found: dict[str, str], lines: list[str], broke: list[str]) -> str:
    installed = ", ".join(f"{k} {v}" for k, v in found.items())
    body = [f"Installed: {installed}.", ""]
    if broke:
        body += ["What broke:", "", *[f"- {line}" for line in broke], ""]
    if lines:
        n = len(lines)
        body += [
            f"{n} pinned {'value differs' if n == 1 else 'values differ'} from golden/:",
            "",
            *[f"- {line}" for line in lines],
            "",
            ACCEPT,
        ]
    elif not broke:
        body += [
            "Every canonical summary and pinned number still matches golden/; another step "
            "failed (the run's log says which)."
        ]
    return "\n".join(body).rstrip() + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file beside it, renamed into place (as
    inception_repro.files.write_text does; this must run when the package did not install)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _steps(text: str) -> dict[str, str]:
    pairs = [item.partition("=") for item in text.split()]
    if any(not sep or not step for step, sep, _ in pairs):
        raise argparse.ArgumentTypeError(f"expected STEP=OUTCOME pairs, got {text!r}")
    return {step: outcome for step, _, outcome in pairs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for title.txt, report.md")
    parser.add_argument("--logs", type=Path, help="folder of the steps' logs, STEP.log each")
    parser.add_argument(
        "--steps", type=_steps, default={}, help='outcomes, e.g. "install=success jax=failure"'
    )
    parser.add_argument(
        "--model", action="append", dest="models", help="only this model id (repeatable)"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    broke = failed_steps(args.steps, args.logs)
    if args.steps.get("install") == "failure":
        lines = []  # nothing to compare with: the package did not install
    else:
        lines, more = drift(args.models)
        broke += more
    found = versions()
    write_atomically(args.out / "title.txt", title(found, lines, broke) + "\n")
    write_atomically(args.out / "report.md", report(found, lines, broke))
    print(f"{len(lines)} drifted values, {len(broke)} failures; {args.out / 'report.md'}")
    return 1 if lines or broke else 0


if __name__ == "__main__":
    sys.exit(main())
