"""The discrepancy ledger: every way the released code differs from the paper, and the paper
from itself, computed; golden/discrepancies.yaml pins it and the structure tests recompute it."""

from __future__ import annotations

from dataclasses import asdict

from inception_repro import diff
from inception_repro.networks import errata

# (A, B): the paper against the released Keras model, against the TF-Slim model it was ported
# from (aux head, dropout, 1001 classes), and Inception-v4 against its TF-Slim release.
COMPARISONS = (
    ("paper-inception-resnet-v2", "keras-inception-resnet-v2"),
    ("paper-inception-resnet-v2", "slim-inception-resnet-v2"),
    ("paper-inception-v4", "slim-inception-v4"),
)
LINEAGE = ("keras-inception-resnet-v2", "keras-inception-v3")
_KEYS = ("type", "config", "output_shape", "params", "inputs")


def comparisons() -> list[dict]:
    return [
        {"a": a, "b": b, "discrepancies": diff.compare(a, b)["discrepancies"]}
        for a, b in COMPARISONS
    ]


def errata_entries() -> list[dict]:
    return [{k: _plain(v) for k, v in asdict(e).items()} for e in errata.ERRATA]


def _plain(v):
    return list(v) if isinstance(v, tuple) else v


def stem_lineage(released: dict, v3: dict) -> dict:
    """How far the released network's canonical summary equals Inception-v3's, layer by layer."""
    shared = 0
    for x, y in zip(released["layers"], v3["layers"], strict=False):
        if [x[k] for k in _KEYS] != [y[k] for k in _KEYS]:
            break
        shared += 1
    last = released["layers"][shared - 1]
    return {
        "a": LINEAGE[0],
        "b": LINEAGE[1],
        "identical_layers": shared,
        "last_identical": f"{last['type']} {'x'.join(map(str, last['output_shape']))}",
        "verdict": "identical through the stem: the released stem is Inception-v3's",
    }


def check(pinned: dict, live: dict) -> list[str]:
    """What changed between the pinned ledger and the live one, in words."""
    problems = []
    for p, now in zip(pinned["comparisons"], live["comparisons"], strict=True):
        title = f"{p['a']} vs {p['b']}"
        old = {d["id"]: d for d in p["discrepancies"]}
        new = {d["id"]: d for d in now["discrepancies"]}
        problems += [f"{title}: discrepancy {i} no longer holds" for i in old if i not in new]
        problems += [f"{title}: new discrepancy {i}: {new[i]}" for i in new if i not in old]
        for i in old.keys() & new.keys():
            for k in old[i]:
                if old[i][k] != new[i][k]:
                    problems.append(
                        f"{title}: discrepancy {i} changed: {k} pinned {old[i][k]!r}, "
                        f"now {new[i][k]!r}"
                    )
    for key in ("errata", "stem_lineage"):
        if pinned[key] != live[key]:
            problems.append(f"{key}: pinned {pinned[key]}, now {live[key]}")
    return problems
