"""report.md: the paper against the released Inception-ResNet-v2, computed offline in seconds."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import keras
import tensorflow as tf

from inception_repro import (
    __version__,
    claims,
    diff,
    files,
    ledger,
    lineage,
    paper_claims,
    registry,
    summary,
)
from inception_repro.networks import errata
from inception_repro.spec import Concat, Residual, Stage

PAPER, RELEASED = "paper-inception-resnet-v2", "keras-inception-resnet-v2"
# Parameter counts of the released model published elsewhere, as printed (docs/sources.md, "The
# released Keras model"): keras.io/api/applications's Available models table, in millions to
# the tenth; timm's results/results-imagenet.csv, param_count of inception_resnet_v2.tf_in1k, in
# millions to the hundredth (its PyTorch port counts BN gamma, not the moving statistics).
KERAS_IO, TIMM = "55.9M", "55.84M"


def _cell(value) -> str:
    return "not printed" if value is None else str(value).replace("|", "\\|")


def _table(header, rows) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def gmacs(macs: int) -> str:
    """Billions of multiply-adds, with 3 decimals: no non-zero stage of these networks (the
    smallest, the paper's head, has 2.1 million) prints as 0."""
    return f"{macs / 1e9:.3f}"


def stage_rows(d: dict) -> list[list]:
    """Per stage: output, blocks, parameters and multiply-adds of paper (a) and released (b)."""
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
                a.get("params", 0),
                b.get("params", 0),
                a.get("macs", 0),
                b.get("macs", 0),
            ]
        )
    return rows


def stage_table(d: dict) -> list[str]:
    rows = stage_rows(d)
    total = ["**total**", "", "", "", ""] + [sum(r[i] for r in rows) for i in range(5, 9)]
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
    cells = [r[:5] + [f"{r[5]:,}", f"{r[6]:,}", gmacs(r[7]), gmacs(r[8])] for r in rows]
    last = total[:5] + [f"**{total[5]:,}**", f"**{total[6]:,}**"]
    last += [f"**{gmacs(total[7])}**", f"**{gmacs(total[8])}**"]
    return _table(header, [*cells, last])


def macs_chart(d: dict) -> list[str]:
    """Multiply-adds per stage as a mermaid xychart (GitHub renders it): released as bars,
    the paper as a line."""
    rows = stage_rows(d)
    paper = ", ".join(f"{r[7] / 1e9:.3f}" for r in rows)
    released = ", ".join(f"{r[8] / 1e9:.3f}" for r in rows)
    top = max(max(r[7], r[8]) for r in rows) / 1e9
    return [
        "```mermaid",
        "xychart-beta",
        '  title "Multiply-adds per stage at 299x299, billions"',
        f"  x-axis [{', '.join(r[0] for r in rows)}]",
        f'  y-axis "GMACs" 0 --> {int(top) + 1}',
        f"  bar [{released}]",
        f"  line [{paper}]",
        "```",
        "",
        "Bars: released; line: the paper as drawn.",
    ]


AS_ABOVE = "*(source as above)*"


def discrepancy_table(discrepancies) -> list[str]:
    """A citation the row above already gave is written once."""
    rows, previous = [], (None, None)
    for x in discrepancies:
        cites = [x["a_cite"], x["b_cite"]]
        shown = [AS_ABOVE if c == p else f"*{c}*" for c, p in zip(cites, previous, strict=True)]
        rows.append(
            [f"`{x['id']}`", x["what"], f"{x['a']}<br>{shown[0]}", f"{x['b']}<br>{shown[1]}"]
        )
        previous = tuple(cites)
    return _table(["id", "what differs", "paper (A)", "released (B)"], rows)


def errata_table() -> list[str]:
    rows = [
        [
            f"`{e['id']}`",
            e["figure"],
            e["label"],
            erratum.kind,
            e["printed"],
            e["used"],
            e["reason"],
        ]
        for erratum, e in zip(errata.ERRATA, ledger.errata_entries(), strict=True)
    ]
    header = ["id", "figure", "element, as labelled", "kind of value", "figure says", "used here"]
    return _table([*header, "why"], rows)


LEGEND = (
    "Notation: `3x3/2` = kernel 3x3, stride 2; `V` = valid padding (else same); a hexagon "
    "concatenates its inputs' channels."
)


def mermaid_stems(stems: dict[str, tuple[Stage, str]]) -> list[str]:
    """The stems side by side, the first on the left: one flowchart, a subgraph each, each
    ending in its output shape; an invisible link between the subgraphs keeps them in a row
    (flowchart LR stacks unconnected subgraphs)."""
    ids = itertools.count()
    lines, subgraphs = ["```mermaid", "flowchart LR"], []
    for title, (stage, output) in stems.items():
        top = f"s{next(ids)}"
        subgraphs.append(top)
        lines += [f'  subgraph {top}["{title}"]', "    direction TB"]
        first = f"n{next(ids)}"
        lines.append(f'    {first}(["input 299x299x3"])')
        tails = _chain(stage.nodes, [first], lines, ids)
        end = f"n{next(ids)}"
        lines.append(f'    {end}(["output {output}"])')
        lines += [f"    {t} --> {end}" for t in tails]
        lines.append("  end")
    lines += [f"  {a} ~~~ {b}" for a, b in itertools.pairwise(subgraphs)]
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
    keras_millions, timm_millions = f"{b['keras'] / 1e6:.1f}M", f"{b['pytorch'] / 1e6:.2f}M"
    return [
        f"- keras convention (conv and dense weights and biases, BN beta, BN moving mean and "
        f"variance): **{b['keras']:,}**, the installed Keras's own count "
        f"(`model.count_params()`) = {keras_millions}; keras.io prints {KERAS_IO}: "
        f"{'equal to the tenth' if keras_millions == KERAS_IO else 'DIFFERENT'}.",
        f"- pytorch convention (BN gamma and beta, no running statistics): **{b['pytorch']:,}** "
        f"= {timm_millions}; timm's results CSV lists {TIMM} for its port: "
        f"{'equal to the hundredth' if timm_millions == TIMM else 'DIFFERENT'}.",
        f"- The two differ by {bn:,}, one number per BN channel: Keras keeps a moving mean and "
        "variance (non-trainable) where PyTorch counts a gamma (fixed at 1: the released BN has "
        "no scale).",
        f"- The paper's Inception-ResNet-v2 as drawn (Figs 3, 16, 7, 17, 18, 19, 15; Fig 7 with "
        f"Table 1's k, l, m, n = 256, 256, 384, 384): {d['params']['a']['keras']:,} (keras "
        "convention); the paper prints no parameter count.",
    ]


def _unbroken(model_id: str) -> str:
    """A model id whose hyphens do not break the line (U+2011, non-breaking hyphen)."""
    return model_id.replace("-", "\u2011")


def claims_table() -> list[str]:
    rows = [
        [
            c["claim"],
            c["source"],
            f"{_unbroken(c['a'])} / {_unbroken(c['b'])}",
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


def lineage_line(released: dict, v3: dict) -> str:
    line = ledger.stem_lineage(released, v3)
    return (
        f"- `{line['a']}` and `{line['b']}` have identical canonical summaries for their first "
        f"{line['identical_layers']} layers, through the {line['last_identical']}. The "
        "released stem is Inception-v3's."
    )


def anchor(heading: str) -> str:
    """The link GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return "#" + re.sub(r"[^\w\- ]", "", heading.lstrip("#").strip().lower()).replace(" ", "-")


def _summaries() -> tuple[dict, dict]:
    released, v3 = (registry.graph(m) for m in ledger.LINEAGE)
    return (
        summary.summarise(released.model, released.stage_ends),
        summary.summarise(v3.model, v3.stage_ends),
    )


def lineage_section(released: dict, v3: dict) -> list[str]:
    """The released stem against Fig 3, Fig 14 and Inception-v3's stem, then mixed_5b against
    mixed0, and the verdict in one sentence."""
    stem = lineage.stem_rows(released, v3)
    block = lineage.block_rows(released, v3)
    return [
        lineage.verdict(stem, block),
        "",
        f"Each cell: *{lineage.AGREES}*, or what the candidate has at that layer (`-`: its stem "
        "has ended). The released network and Inception-v3 are read off their installed Keras "
        "graphs, Figs 3 and 14 off the paper specs. A 1x1 stride 1 conv computes the same with "
        "either padding, so its `V` is not compared.",
        "",
        *_table(
            ["#", f"released (`{lineage.RELEASED}`)", *lineage.CANDIDATES],
            [[r[0], f"`{r[1]}`", *(_agrees(c) for c in r[2:])] for r in stem],
        ),
        "",
        f"`mixed_5b` against Inception-v3's first Inception block, `{lineage.V3_BLOCK}`:",
        "",
        *_table(
            ["", "mixed_5b (released)", f"{lineage.V3_BLOCK} (Inception-v3)", ""],
            [[r[0], f"`{r[1]}`", f"`{r[2]}`", r[3]] for r in block],
        ),
    ]


def _agrees(cell: str) -> str:
    return f"*{cell}*" if cell == lineage.AGREES else f"`{cell}`"


def recipe_section(recipe: list) -> list[str]:
    rows = [
        [
            r.what,
            _cell(r.paper) if r.paper is not None else "*not stated*",
            r.released,
            f"**{r.agreement}**",
            r.released_cite,
        ]
        for r in recipe
    ]
    return [
        "The paper's Sec 4 beside TF-Slim's training script (`train_image_classifier.py`, whose "
        "defaults the README's training instructions use) and the Inception arg scope "
        "(`inception_utils.py`), each cited at a commit of tensorflow/models.",
        "",
        *_table(["setting", "paper (Sec 4)", "released code", "", "released code, cited"], rows),
    ]


SHORT = 140


def _short(text: str) -> str:
    return text if len(text) <= SHORT else text[: text.rfind(" ", 0, SHORT)] + " …"


def _verdict_cell(s) -> str:
    if s.verdict == paper_claims.CANNOT:
        return f"**{s.verdict}**: {s.reason}"
    if s.verdict == paper_claims.WAITS:
        return f"**{s.verdict}** (`{s.accuracy_entry}`)"
    return f"**{s.verdict}**"


def statements_section(statements: list, headings: dict[str, str], repo=None) -> list[str]:
    """Counts per verdict, then a table per kind, verdict first, each row linking to the report
    section that shows its evidence (headings: section key -> heading) and to the files it
    names (repo: see _evidence)."""
    counts = paper_claims.counts(statements)
    computed = sum(s.computed for s in statements)
    lines = [
        f"{len(statements)} statements of arXiv 1602.07261 and Google's release post "
        f"(`golden/paper_claims.yaml`); {computed} verdicts are computed by "
        "`src/inception_repro/paper_claims.py` and held to the file by the tests, the others "
        "give their reason. An architecture or training statement is checked against the "
        "authors' released code of that network.",
        "",
        *_table(["verdict", "statements"], [[f"**{v}**", n] for v, n in counts.items()]),
    ]
    for kind in paper_claims.KINDS:
        mine = [s for s in statements if s.kind == kind]
        if not mine:
            continue
        mine.sort(key=lambda s: paper_claims.VERDICTS.index(s.verdict))
        rows = [
            [
                _verdict_cell(s),
                paper_claims.wording(s),
                s.where,
                _short(s.found or "") + (_computed(repo) if s.computed else ""),
                _evidence(s, headings, repo),
            ]
            for s in mine
        ]
        lines += ["", f"### {kind.capitalize()} ({len(mine)})", ""]
        lines += _table(["verdict", "statement", "where", "found", "evidence"], rows)
    return lines


CHECKED_BY = "tests/structure/test_paper_claims.py"


def _computed(repo: str | None) -> str:
    """The mark of a computed verdict, linked to the test that holds it."""
    return " *(computed)*" if repo is None else f" *([computed]({repo}{CHECKED_BY}))*"


# A file of this repository named in a statement's evidence.
FILE = re.compile(r"\b(?:golden|src|tests|docs)/[\w./-]+\.(?:yaml|py|md)\b")
ROOT = Path(__file__).resolve().parents[2]


def _evidence(s, headings, repo: str | None) -> str:
    """The section of the report that shows the evidence, and every file it names, linked
    (repo: the repository root relative to the report's folder; None: files are not linked)."""
    link = f"[{s.section}]({anchor(headings[s.section])}): " if s.section else ""
    if repo is None:
        return link + s.evidence
    return link + FILE.sub(lambda m: f"[{m[0]}]({repo}{m[0]})", s.evidence)


def repo_link(out_dir: Path) -> str | None:
    """The repository root relative to a report written into out_dir, when out_dir is inside
    the repository this package runs from (else the report links no file)."""
    out = out_dir.resolve()
    if not (ROOT / "pyproject.toml").is_file() or not out.is_relative_to(ROOT):
        return None
    return "../" * len(out.relative_to(ROOT).parts)


def render(repo: str | None = None) -> str:
    """The report; repo: the repository root relative to where it is written, for the links to
    the evidence's files (None: no such links)."""
    d = diff.compare(PAPER, RELEASED)
    paper_stem = registry.entry(PAPER).spec().stages[0]
    released_stem = registry.entry(RELEASED).spec().stages[0]
    stem_out = {r["stage"]: r for r in d["stages"]}["stem"]
    statements, recipe = paper_claims.load()
    released, v3 = _summaries()
    headings = {
        "ledger": f"## The ledger: {len(d['discrepancies'])} differences, each cited to the "
        "paper's figures and the released code",
        "errata": "## Where the paper contradicts itself: its own figures and captions",
        "stem lineage": "## The stem's lineage, layer by layer",
        "cost claims": "## Cost claims of the paper (Sec 3.2) and of Google's release post, "
        "at 299x299",
        "training recipe": "## The training recipe: the paper beside the released training code",
    }
    lines = [
        "# Inception-ResNet-v2: the paper against the released code",
        "",
        f"Paper: arXiv 1602.07261 as drawn (`{PAPER}`). Released: `keras.applications."
        f"InceptionResNetV2` (`{RELEASED}`), ported from TF-Slim. Generated by inception-repro "
        f"{__version__} with keras {keras.__version__}, tensorflow {tf.__version__}.",
        "",
        "## Stages at 299x299, computed from both networks",
        "",
        *stage_table(d),
        "",
        *macs_chart(d),
        "",
        headings["ledger"],
        "",
        *discrepancy_table(d["discrepancies"]),
        "",
        headings["errata"],
        "",
        *errata_table(),
        "",
        "## The stems: Fig 3 against the released code",
        "",
        lineage_line(released, v3),
        "",
        LEGEND,
        "",
        *mermaid_stems(
            {
                "paper, Fig 3": (paper_stem, stem_out["a"]["output"]),
                "released: Inception-v3 stem + mixed_5b": (released_stem, stem_out["b"]["output"]),
            }
        ),
        "",
        headings["stem lineage"],
        "",
        *lineage_section(released, v3),
        "",
        "## Parameters, against keras.io and timm",
        "",
        *params_section(d),
        "",
        headings["cost claims"],
        "",
        *claims_table(),
        "",
        headings["training recipe"],
        "",
        *recipe_section(recipe),
        "",
        "## The paper, statement by statement",
        "",
        *statements_section(statements, headings, repo),
        "",
    ]
    return "\n".join(lines)


FILE_NAME = "report.md"


def write(out_dir: Path) -> Path:
    """out_dir/report.md, written all or nothing, once out_dir is known to take it."""
    files.check_output_dir(out_dir, "--out", inside=FILE_NAME)
    return files.write_text(Path(out_dir) / FILE_NAME, render(repo_link(Path(out_dir))))


def digest() -> str:
    """One line: what the report found."""
    d = diff.compare(PAPER, RELEASED)
    verdicts = [c["verdict"] for c in claims.verdicts()]
    counted = ", ".join(f"{verdicts.count(v)} {v}" for v in dict.fromkeys(verdicts))
    return (
        f"{len(d['discrepancies'])} differences between the paper and the released code, "
        f"{len(errata.ERRATA)} errata in the paper, {len(verdicts)} cost claims "
        f"(verdicts: {counted})"
    )
