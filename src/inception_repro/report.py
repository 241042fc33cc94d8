"""report.md: the paper against the released Inception-ResNet-v2, computed offline in seconds."""

from __future__ import annotations

import itertools
from pathlib import Path

import keras
import tensorflow as tf

from inception_repro import __version__, claims, diff, ledger, registry, summary
from inception_repro.spec import Concat, Residual, Stage

PAPER, RELEASED = "paper-inception-resnet-v2", "keras-inception-resnet-v2"
# Published parameter counts of the released model: keras.io's applications table (exact), and
# timm's inception_resnet_v2.tf_in1k model card (55.84M, its PyTorch port counts BN gamma).
KERAS_IO, TIMM = 55_873_736, 55.84e6


def _cell(value) -> str:
    return "not printed" if value is None else str(value).replace("|", "\\|")


def _table(header, rows) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def stage_table(d: dict) -> list[str]:
    rows = []
    for r in d["stages"]:
        a, b = r["a"] or {}, r["b"] or {}
        rows.append(
            [
                r["stage"],
                a.get("output", "-"),
                b.get("output", "-"),
                a.get("blocks", "-"),
                b.get("blocks", "-"),
                f"{a.get('params', 0):,}",
                f"{b.get('params', 0):,}",
                f"{a.get('macs', 0) / 1e9:.2f}",
                f"{b.get('macs', 0) / 1e9:.2f}",
            ]
        )
    header = [
        "stage",
        "paper output",
        "released output",
        "paper blocks",
        "released blocks",
        "paper params",
        "released params",
        "paper GMACs",
        "released GMACs",
    ]
    return _table(header, rows)


def discrepancy_table(discrepancies) -> list[str]:
    rows = [
        [f"`{x['id']}`", x["what"], f"{x['a']}<br>*{x['a_cite']}*", f"{x['b']}<br>*{x['b_cite']}*"]
        for x in discrepancies
    ]
    return _table(["id", "what differs", "paper (A)", "released (B)"], rows)


def errata_table() -> list[str]:
    rows = [
        [f"`{e['id']}`", e["figure"], e["label"], e["printed"], e["used"], e["reason"]]
        for e in ledger.errata_entries()
    ]
    return _table(["id", "figure", "as printed", "printed", "used", "why"], rows)


def mermaid_stems(stems: dict[str, Stage]) -> list[str]:
    """The stems side by side: one flowchart, a subgraph each."""
    ids = itertools.count()
    lines = ["```mermaid", "flowchart LR"]
    for title, stage in stems.items():
        top = f"s{next(ids)}"
        lines += [f'  subgraph {top}["{title}"]', "    direction TB"]
        first = f"n{next(ids)}"
        lines.append(f'    {first}(["input 299x299x3"])')
        _chain(stage.nodes, [first], lines, ids)
        lines.append("  end")
    return lines + ["```"]


def _chain(nodes, tails, lines, ids):
    for node in nodes:
        tails = _node(node, tails, lines, ids)
    return tails


def _node(node, tails, lines, ids):
    if isinstance(node, (Concat, Residual)):
        ends = []
        for branch in node.branches:
            ends += _chain(branch, tails, lines, ids)
        join = f"n{next(ids)}"
        lines.append(f'    {join}{{{{"concat"}}}}')
        lines += [f"    {e} --> {join}" for e in ends]
        return [join]
    me = f"n{next(ids)}"
    lines.append(f'    {me}["{diff.sig(node)}"]')
    lines += [f"    {t} --> {me}" for t in tails]
    return [me]


def params_section(d: dict) -> list[str]:
    b = d["params"]["b"]
    bn = b["keras"] - b["pytorch"]
    return [
        f"- keras convention (conv and dense weights and biases, BN beta, BN moving mean and "
        f"variance): **{b['keras']:,}**; keras.io lists {KERAS_IO:,}: "
        f"{'equal' if b['keras'] == KERAS_IO else 'DIFFERENT'}.",
        f"- pytorch convention (BN gamma and beta, no running statistics): **{b['pytorch']:,}** "
        f"= {b['pytorch'] / 1e6:.2f}M; timm lists {TIMM / 1e6:.2f}M: {_same_millions(b)}.",
        f"- The two differ by {bn:,}, one number per BN channel: Keras keeps a moving mean and "
        "variance (non-trainable) where PyTorch counts a gamma (fixed at 1: the released BN has "
        "no scale).",
        f"- The paper's Inception-ResNet-v2 as drawn: {d['params']['a']['keras']:,} (keras "
        "convention); the paper prints no parameter count.",
    ]


def _same_millions(b) -> str:
    return "equal to the hundredth" if round(b["pytorch"] / 1e6, 2) == TIMM / 1e6 else "DIFFERENT"


def claims_table() -> list[str]:
    rows = [
        [
            c["claim"],
            c["source"],
            f"{c['a']} / {c['b']}",
            c["metric"],
            c["claimed_ratio"],
            f"±{c['tolerance']:.0%}",
            f"{c['measured_ratio']:.2f}",
            f"**{c['verdict']}**",
        ]
        for c in claims.verdicts()
    ]
    return _table(
        ["claim", "source", "ratio of", "metric", "claimed", "tolerance", "measured", "verdict"],
        rows,
    )


def lineage_line() -> str:
    released, v3 = (registry.build(m) for m in ledger.LINEAGE)
    line = ledger.stem_lineage(
        summary.summarise(released.model, released.stage_ends),
        summary.summarise(v3.model, v3.stage_ends),
    )
    return (
        f"- `{line['a']}` and `{line['b']}` have identical canonical summaries for their first "
        f"{line['identical_layers']} layers, through the {line['last_identical']}: "
        f"{line['verdict']}."
    )


def render() -> str:
    d = diff.compare(PAPER, RELEASED)
    paper_stem = registry.entry(PAPER).spec().stages[0]
    released_stem = registry.entry(RELEASED).spec().stages[0]
    lines = [
        "# Inception-ResNet-v2: the paper against the released code",
        "",
        f"Paper: arXiv 1602.07261 as drawn (`{PAPER}`). Released: `keras.applications."
        f"InceptionResNetV2` (`{RELEASED}`), ported from TF-Slim. Generated by inception-repro "
        f"{__version__} with keras {keras.__version__}, tensorflow {tf.__version__}.",
        "",
        "## Stages at 299x299",
        "",
        *stage_table(d),
        "",
        f"## The ledger: {len(d['discrepancies'])} differences, each cited",
        "",
        *discrepancy_table(d["discrepancies"]),
        "",
        "## Where the paper contradicts itself",
        "",
        *errata_table(),
        "",
        "## The stems",
        "",
        lineage_line(),
        "",
        *mermaid_stems(
            {"paper, Fig 3": paper_stem, "released (Inception-v3 stem + mixed_5b)": released_stem}
        ),
        "",
        "## Parameters, reconciled with the published numbers",
        "",
        *params_section(d),
        "",
        "## The paper's cost claims (multiply-adds at 299x299)",
        "",
        *claims_table(),
        "",
    ]
    return "\n".join(lines)


def write(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.md"
    path.write_text(render())
    return path
