"""Two networks side by side: a stage table and the list of discrepancies, each cited.

Facts come from the specs (a Keras model enters through the transcription the structure tests
prove identical to it) and from the calculus at 299x299. A discrepancy is a fact of a stage
that differs: its id is "<stage>.<fact>", and it carries both values with their citations.
Parameters and multiply-adds are in the stage table, not discrepancies: they follow from the rest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from inception_repro import calculus, registry
from inception_repro.errors import UsageError
from inception_repro.spec import (
    Concat,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool,
    Network,
    Pool,
    Residual,
    Stage,
)

SIZE = (299, 299)
BRANCH_ORDER = "branch order only (the channel order of a concatenation)"


# ---- a node in one line ------------------------------------------------------------------


def sig(node, ordered: bool = True) -> str:
    """Short notation, e.g. '192 1x7', '320 3x3/2 V', 'maxpool 3x3/2 V', '[a | b -> c]'."""
    if isinstance(node, Conv):
        k = "map" if node.kernel is None else f"{node.kernel[0]}x{node.kernel[1]}"
        text = f"{node.filters} {k}" + (f"/{node.stride}" if node.stride > 1 else "")
        text += " V" if node.padding == "valid" else ""
        return text + ("" if node.activation else " linear")
    if isinstance(node, Pool):
        return f"{node.kind}pool {node.size}x{node.size}/{node.stride}" + (
            " V" if node.padding == "valid" else ""
        )
    if isinstance(node, (Concat, Residual)):
        branches = [" -> ".join(sig(n, ordered) for n in b) for b in node.branches]
        text = "[" + " | ".join(branches if ordered else sorted(branches)) + "]"
        return f"residual{text} -> up {node.up.filters}" if isinstance(node, Residual) else text
    if isinstance(node, GlobalAvgPool):
        return "global avgpool"
    if isinstance(node, Dropout):
        return f"dropout {node.rate}"
    if isinstance(node, Dense):
        return f"dense {node.units}" + (f" {node.activation}" if node.activation else "")
    if isinstance(node, Flatten):
        return "flatten"
    raise TypeError(node)


def per_block(values) -> str:
    """One value when every block has it, else which blocks have which: '0.2 (blocks 1-9), ...'.

    Repeat counts are a fact of their own, so a value shared by 5 or by 10 blocks reads the same.
    """
    runs: list[list] = []
    for i, v in enumerate(values, 1):
        if runs and runs[-1][0] == v:
            runs[-1][2] = i
        else:
            runs.append([v, i, i])
    if len(runs) == 1:
        return str(runs[0][0])
    return ", ".join(
        f"{v} (block{'s' if a < b else ''} {a}{f'-{b}' if a < b else ''})" for v, a, b in runs
    )


# ---- the facts of a stage ----------------------------------------------------------------


def _is_block_stage(stage: Stage) -> bool:
    return stage.name.startswith("blocks_")


def _branches(node, ordered=True) -> str:
    return sig(node, ordered).split(" -> up ")[0]


def stage_facts(stage: Stage, ordered: bool = True) -> dict[str, tuple[str, str]]:
    """{fact: (value, citation)} for one stage; ordered=False sorts every concat's branches."""
    nodes = stage.nodes
    first = nodes[0]
    cite = stage.cite or first.cite
    if not _is_block_stage(stage):
        return {"layout": (" -> ".join(sig(n, ordered) for n in nodes), cite)}
    facts = {
        "repeat": (str(len(nodes)), cite),
        "branches": (per_block([_branches(n, ordered) for n in nodes]), first.cite),
    }
    residuals = [n for n in nodes if isinstance(n, Residual)]
    if residuals:
        cites = "; ".join(dict.fromkeys(n.cite for n in residuals))
        facts["scale"] = (per_block([n.scale for n in residuals]), cites)
        facts["activation"] = (per_block([n.activation or "none" for n in residuals]), cites)
    return facts


@dataclass(frozen=True)
class Discrepancy:
    id: str
    stage: str
    what: str
    a: str
    a_cite: str
    b: str
    b_cite: str


_WHAT = {
    "output": "output shape at 299x299",
    "repeat": "number of blocks",
    "branches": "branches of each block (widths, kernels, strides, padding)",
    "scale": "residual scale of each block",
    "activation": "activation after each residual add",
    "layout": "layers in order",
}


def _stages(network: Network) -> dict[str, Stage]:
    stages = {s.name: s for s in network.stages}
    head = stages.get("head")
    nodes = (head.nodes if head else ()) + tuple(network.top)
    stages["head"] = Stage("head", nodes, "; ".join(dict.fromkeys(n.cite for n in nodes)))
    if network.aux:
        stages["aux_head"] = Stage("aux_head", network.aux.nodes, network.aux.cite)
    return stages


def _shape(shape) -> str:
    return "x".join(map(str, shape))


def compare(a_id: str, b_id: str) -> dict:
    """The stage table and the discrepancies of two model ids, as plain data."""
    a, b = _spec(a_id), _spec(b_id)
    sa, sb = _stages(a), _stages(b)
    ta, tb = calculus.trace(a, SIZE), calculus.trace(b, SIZE)
    names = list(dict.fromkeys([*sa, *sb]))
    rows, found = [], []
    for name in names:
        rows.append({"stage": name, "a": _row(sa.get(name), ta), "b": _row(sb.get(name), tb)})
        found += _discrepancies(name, sa.get(name), sb.get(name), ta, tb, (a.cite, b.cite))
    return {
        "a": a_id,
        "b": b_id,
        "input_size": list(SIZE),
        "params": {"a": _params(ta), "b": _params(tb)},
        "stages": rows,
        "discrepancies": [asdict(d) for d in found],
    }


def _spec(model_id) -> Network:
    spec = registry.entry(model_id).spec()
    if spec is None:
        raise UsageError(
            f"{model_id} has no spec to compare: diff takes the paper, slim and "
            "keras-inception-resnet-v2 models (see `inception-repro models`)"
        )
    return spec


def _params(trace) -> dict:
    return {"keras": trace.params("keras"), "pytorch": trace.params("pytorch"), "macs": trace.macs}


def _row(stage, trace) -> dict | None:
    if stage is None:
        return None
    layers = [x for x in trace.layers if x.stage == stage.name]
    return {
        "output": _shape(layers[-1].shape),
        "blocks": len(stage.nodes),
        "params": sum(x.trainable + x.non_trainable for x in layers),
        "macs": sum(x.macs for x in layers),
        "facts": {k: v for k, (v, _) in stage_facts(stage).items()},
    }


def _discrepancies(name, a, b, ta, tb, network_cites) -> list[Discrepancy]:
    if a is None or b is None:
        present = a or b
        value = (" -> ".join(sig(n) for n in present.nodes), present.cite)
        absent = ("absent", f"not in {network_cites[0 if a is None else 1]}")
        va, vb = (absent, value) if a is None else (value, absent)
        return [Discrepancy(f"{name}.present", name, "stage present", *va, *vb)]
    fa, fb = stage_facts(a), stage_facts(b)
    fa["output"] = (_shape(_last(ta, name).shape), a.cite or a.nodes[-1].cite)
    fb["output"] = (_shape(_last(tb, name).shape), b.cite or b.nodes[-1].cite)
    out = []
    for fact in ("output", *[f for f in fa if f != "output"], *[f for f in fb if f not in fa]):
        (va, ca), (vb, cb) = fa.get(fact, ("none", "")), fb.get(fact, ("none", ""))
        if va != vb:
            what = _WHAT[fact]
            if fact in ("layout", "branches") and _unordered(a, fact) == _unordered(b, fact):
                what = BRANCH_ORDER
            out.append(Discrepancy(f"{name}.{fact}", name, what, va, ca, vb, cb))
    return out


def _last(trace, stage_name):
    return [x for x in trace.layers if x.stage == stage_name][-1]


def _unordered(stage: Stage, fact: str) -> str:
    return stage_facts(stage, ordered=False)[fact][0]


def render(d: dict) -> str:
    """The comparison as text: the stage table, then the discrepancies."""
    rows = [f"{d['a']} (A) vs {d['b']} (B) at {d['input_size'][0]}x{d['input_size'][1]}", ""]
    rows.append(
        f"{'stage':<12} {'A output':<12} {'B output':<12} {'A n':>4} {'B n':>4} "
        f"{'A params':>12} {'B params':>12} {'A MACs':>15} {'B MACs':>15}"
    )
    for r in d["stages"]:
        a, b = r["a"] or {}, r["b"] or {}
        rows.append(
            f"{r['stage']:<12} {a.get('output', '-'):<12} {b.get('output', '-'):<12} "
            f"{a.get('blocks', '-'):>4} {b.get('blocks', '-'):>4} "
            f"{a.get('params', 0):>12,} {b.get('params', 0):>12,} "
            f"{a.get('macs', 0):>15,} {b.get('macs', 0):>15,}"
        )
    pa, pb = d["params"]["a"], d["params"]["b"]
    rows.append(
        f"{'total':<12} {'':<12} {'':<12} {'':>4} {'':>4} {pa['keras']:>12,} "
        f"{pb['keras']:>12,} {pa['macs']:>15,} {pb['macs']:>15,}"
    )
    if d["discrepancies"]:
        rows += ["", f"{len(d['discrepancies'])} discrepancies:"]
    for x in d["discrepancies"]:
        rows += [
            f"- {x['id']}: {x['what']}",
            f"    A: {x['a']}",
            f"       [{x['a_cite']}]",
            f"    B: {x['b']}",
            f"       [{x['b_cite']}]",
        ]
    return "\n".join(rows)
