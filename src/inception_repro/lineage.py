"""The released stem's lineage, layer by layer: the released Inception-ResNet-v2's stem against
the paper's Fig 3 and Fig 14 and against Inception-v3's stem, then its mixed_5b against
Inception-v3's first Inception block, mixed0.

The released network and Inception-v3 are read off their installed Keras graphs (canonical
summaries, summary.py); Figs 3 and 14 off the paper specs (networks/paper.py). Each is written
as steps in diff.sig's notation: a conv with its batch norm and activation is one step, a
concatenation is one step holding its branches.
"""

from __future__ import annotations

import re

from inception_repro import diff, ledger
from inception_repro.networks import paper

RELEASED, V3 = ledger.LINEAGE
RELEASED_END, V3_BLOCK = "mixed_5b", "mixed0"  # the layers the stems' steps are read up to
CANDIDATES = ("Fig 3", "Fig 14", "Inception-v3")
AGREES = "agrees"


# ---- steps off a canonical summary ---------------------------------------------------------


def steps(summary: dict, end: str) -> list:
    """The steps from the input to the layer named `end`: a string per conv or pool, a list of
    branches (each a list of steps) per concatenation."""
    layers = summary["layers"]
    last = next(x["index"] for x in layers if x["name"] == end)
    return _trace(layers, last, 0)


def _trace(layers, i, stop) -> list:
    out = []
    while i != stop:
        x = layers[i]
        if x["type"] == "concat":
            fork = _fork(layers, x["inputs"])
            out.append([_trace(layers, j, fork) for j in x["inputs"]])
            i = fork
        elif x["type"] == "activation":  # conv -> batch norm -> activation: one step
            bn = layers[x["inputs"][0]]
            conv = layers[bn["inputs"][0]]
            out.append(_conv(conv["config"], x["config"]["activation"]))
            i = conv["inputs"][0]
        elif x["type"] in ("max_pool", "avg_pool"):
            out.append(_pool(x["type"], x["config"]))
            i = x["inputs"][0]
        else:
            raise ValueError(f"layer {i} ({x['type']}) is no step of an Inception stem")
    return out[::-1]


def _fork(layers, inputs) -> int:
    """The last layer every branch of a concatenation starts from."""
    common = None
    for j in inputs:
        seen, todo = set(), [j]
        while todo:
            k = todo.pop()
            if k not in seen:
                seen.add(k)
                todo += layers[k]["inputs"]
        common = seen if common is None else common & seen
    return max(common)


def _conv(c, activation) -> str:
    k = "x".join(map(str, c["kernel_size"]))
    s = c["strides"][0]
    text = f"{c['filters']} {k}" + (f"/{s}" if s > 1 else "")
    text += " V" if c["padding"] == "valid" else ""
    return text + ("" if activation == "relu" else " linear")


def _pool(kind, c) -> str:
    p, s = c["pool_size"][0], c["strides"][0]
    return f"{kind.split('_')[0]}pool {p}x{p}/{s}" + (" V" if c["padding"] == "valid" else "")


def text(step) -> str:
    if isinstance(step, str):
        return step
    return "[" + " | ".join(" -> ".join(text(s) for s in branch) for branch in step) + "]"


def _loose(step_text: str) -> str:
    """A 1x1 stride 1 conv computes the same with either padding: its V is ignored."""
    return re.sub(r"(\d+ 1x1) V", r"\1", step_text)


# ---- the tables ------------------------------------------------------------------------------


def candidates(v3_summary: dict) -> dict[str, list[str]]:
    """Each candidate's stem as step texts: Figs 3 and 14 from the paper specs, Inception-v3's
    from its Keras graph, through mixed0."""
    return {
        "Fig 3": [diff.sig(n) for n in paper.stem_fig3().nodes],
        "Fig 14": [diff.sig(n) for n in paper.stem_fig14().nodes],
        "Inception-v3": [text(s) for s in steps(v3_summary, V3_BLOCK)],
    }


def stem_rows(released_summary: dict, v3_summary: dict) -> list[list[str]]:
    """Per released step: the step, then per candidate "agrees" or what the candidate has there
    ("-": nothing, its stem has ended)."""
    released = [text(s) for s in steps(released_summary, RELEASED_END)]
    others = candidates(v3_summary)
    rows = []
    for i, mine in enumerate(released):
        row = [str(i + 1), mine]
        for name in CANDIDATES:
            theirs = others[name][i] if i < len(others[name]) else "-"
            row.append(AGREES if _loose(theirs) == _loose(mine) else theirs)
        rows.append(row)
    return rows


def leading_agreement(rows, candidate: str) -> int:
    """How many of the released stem's first steps the candidate has, in order."""
    column = 2 + CANDIDATES.index(candidate)
    n = 0
    while n < len(rows) and rows[n][column] == AGREES:
        n += 1
    return n


def block_rows(released_summary: dict, v3_summary: dict) -> list[list[str]]:
    """mixed_5b against mixed0, branch by branch, with each branch's width; then the outputs."""
    mine = steps(released_summary, RELEASED_END)[-1]
    theirs = steps(v3_summary, V3_BLOCK)[-1]
    rows = []
    for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        ta, tb = " -> ".join(a), " -> ".join(b)
        rows.append([f"branch {i + 1}", ta, tb, AGREES if ta == tb else "differs"])
    out = [_output(released_summary, RELEASED_END), _output(v3_summary, V3_BLOCK)]
    rows.append(["output", *out, AGREES if out[0] == out[1] else "differs"])
    return rows


def _output(summary, name) -> str:
    x = next(x for x in summary["layers"] if x["name"] == name)
    return "x".join(map(str, x["output_shape"]))


def verdict(stem: list[list[str]], block: list[list[str]]) -> str:
    """The lineage in one sentence, from the two tables."""
    n = len(stem) - 1  # the steps before mixed_5b
    v3, fig14, fig3 = (leading_agreement(stem, c) for c in ("Inception-v3", "Fig 14", "Fig 3"))
    seventh = stem[fig14][3] if fig14 < n else "-"
    wider = [r for r in block[:-1] if r[3] != AGREES]
    widths = ", ".join(f"{r[0]}: {r[1]} where mixed0 has {r[2]}" for r in wider)
    head = (
        "The released stem is Inception-v3's"
        if v3 == n
        else f"The released stem follows Inception-v3's for {v3} of its {n} layers only"
    )
    return (
        f"{head}: it has Inception-v3's {v3} layers before the first Inception block, "
        f"Fig 14's first {fig14} (layer {fig14 + 1} is a {stem[fig14][1]} where Fig 14 has "
        f"{seventh}) and Fig 3's first {fig3}; then mixed_5b is Inception-v3's mixed0 with "
        f"wider branches ({widths}): {block[-1][1]} instead of {block[-1][2]}."
    )
