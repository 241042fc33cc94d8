"""Reported vs measured: the golden accuracy file, the gate, and the Markdown table."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from inception_repro.errors import UsageError
from inception_repro.evaluate.data import VAL_IMAGES
from inception_repro.pinned import golden_file

GOLDEN = golden_file("accuracy.yaml")
FULL = "full"
SUBSET = "non_blacklisted"


@dataclass(frozen=True)
class Reported:
    id: str
    reported_model: str
    source: str
    model: str | None
    protocol: str | None
    evaluation_set: str
    top1: float
    top5: float
    gated: bool
    tolerance_pp: float | None = None
    tolerance_reason: str | None = None
    not_gated_reason: str | None = None
    protocol_note: str | None = None


def load_reported(path=GOLDEN) -> list[Reported]:
    """The file's reported numbers; a UsageError naming the file and the entry when it does not
    hold them as golden/accuracy.yaml does."""
    import yaml

    fix = "give a file laid out as golden/accuracy.yaml"
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        first = " ".join(str(e).split())
        raise UsageError(f"--reported {path} is not readable YAML ({first}): {fix}") from None
    entries = document.get("reported") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UsageError(f"--reported {path} has no list under `reported:`: {fix}")
    return [_entry(path, i, e, fix) for i, e in enumerate(entries, start=1)]


_NUMBERS = ("top1", "top5")


def _entry(path, number, entry, fix) -> Reported:
    where = f"--reported {path}, entry {number}"
    if not isinstance(entry, dict):
        raise UsageError(f"{where} is {entry!r}, not a mapping of fields: {fix}")
    where += f" ({entry.get('id', 'no id')})"
    fields = {f.name: f for f in dataclasses.fields(Reported)}
    required = [n for n, f in fields.items() if f.default is dataclasses.MISSING]
    if missing := [n for n in required if n not in entry]:
        raise UsageError(f"{where} lacks {', '.join(missing)}: {fix}")
    if unknown := sorted(str(k) for k in entry if k not in fields):
        raise UsageError(f"{where} has unknown fields {', '.join(unknown)}: {fix}")
    for name in _NUMBERS:
        if isinstance(entry[name], bool) or not isinstance(entry[name], (int, float)):
            raise UsageError(f"{where}: {name} is {entry[name]!r}, not a number: {fix}")
    if entry["evaluation_set"] not in (FULL, SUBSET):
        raise UsageError(
            f"{where}: evaluation_set is {entry['evaluation_set']!r}, not {FULL} or {SUBSET}: {fix}"
        )
    if not isinstance(entry["gated"], bool):
        raise UsageError(f"{where}: gated is {entry['gated']!r}, not true or false: {fix}")
    tolerance = entry.get("tolerance_pp")
    if entry["gated"] and (isinstance(tolerance, bool) or not isinstance(tolerance, (int, float))):
        raise UsageError(f"{where}: gated but its tolerance_pp is {tolerance!r}: {fix}")
    return Reported(**entry)


def applicable(results: dict, reported: list[Reported]) -> list[Reported]:
    """The reported numbers this run can be compared with: same model and protocol, and the
    subset ones only when the run measured the subset."""
    out = []
    for r in reported:
        if r.model != results["model"] or r.protocol != results["protocol"]["name"]:
            continue
        if r.evaluation_set == SUBSET and results["non_blacklisted"] is None:
            continue
        out.append(r)
    return out


def measured(results: dict, r: Reported) -> dict:
    return results["non_blacklisted"] if r.evaluation_set == SUBSET else results["all"]


def gate_failures(results: dict, reported: list[Reported]) -> list[str]:
    """Why the run fails the gate; empty when every gated number is reproduced."""
    gated = [r for r in applicable(results, reported) if r.gated]
    if not gated:
        return []
    if not results["full_validation_set"]:
        return [
            f"the gate needs all {VAL_IMAGES:,} validation images; {results['n']:,} were evaluated"
        ]
    failures = []
    for r in gated:
        got = measured(results, r)
        for metric in ("top1", "top5"):
            delta = got[metric] - getattr(r, metric)
            if abs(delta) > r.tolerance_pp:
                failures.append(
                    f"{r.id}: {metric} measured {got[metric]:.3f} vs reported "
                    f"{getattr(r, metric)} ({delta:+.3f} pp, tolerance {r.tolerance_pp} pp; "
                    f"{r.source})"
                )
    return failures


def _verdict(results, r, got):
    if not r.gated:
        return "reported, not gated"
    if not results["full_validation_set"]:
        return "not gated: partial set"
    ok = all(abs(got[m] - getattr(r, m)) <= r.tolerance_pp for m in ("top1", "top5"))
    return f"{'pass' if ok else 'FAIL'} (±{r.tolerance_pp} pp)"


def markdown(results: dict, reported: list[Reported]) -> str:
    device = ", ".join(results["devices"]["gpus"]) or f"CPU ({results['devices']['cpu']})"
    lines = [
        f"### ImageNet validation: {results['model']}, protocol {results['protocol']['name']}",
        "",
        f"{results['n']:,} images, {results['images_per_s']:.1f} images/s on {device}; "
        f"{_weights_line(results['weights'])}",
        "",
        "| reported by | images | top-1 reported | top-1 measured | Δ | top-5 reported "
        "| top-5 measured | Δ | gate |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = applicable(results, reported)
    for r in rows:
        got = measured(results, r)
        lines.append(
            f"| {r.id} | {r.evaluation_set}: {got['n']:,} | {r.top1} | {got['top1']:.3f} "
            f"| {got['top1'] - r.top1:+.3f} | {r.top5} | {got['top5']:.3f} "
            f"| {got['top5'] - r.top5:+.3f} | {_verdict(results, r, got)} |"
        )
    if not rows:
        lines.append(
            f"| (no reported number for this model and protocol) | full: {results['n']:,} | "
            f"| {results['top1']:.3f} | | | {results['top5']:.3f} | | |"
        )
    return "\n".join(lines) + "\n"


def _weights_line(weights) -> str:
    if not weights:
        return "weights supplied by the caller"
    if weights.get("format") == "TF-Slim checkpoint":
        line = f"checkpoint {Path(weights['digested']).name} sha256 {weights['sha256']}"
        if not weights["of_archive"]:
            line += " (a checkpoint file: the pinned digests are of the released archive)"
        elif weights["matches_pinned"] is False:
            line += f" (NOT the pinned archive: {weights['pinned_source']})"
        elif weights["matches_pinned"] is None:
            line += " (no digest pinned yet: golden/checkpoints.yaml)"
        return line
    line = f"weights md5 {weights['md5']}"
    if weights["matches_released"] is False:
        line += f" (not the released file, md5 {weights['released_md5']})"
    return line


def append_job_summary(text: str) -> bool:
    """Append to the GitHub Actions job summary when running there."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") != "true" or not path:
        return False
    with open(path, "a", encoding="utf8") as f:
        f.write(text + "\n")
    return True
