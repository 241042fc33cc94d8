"""The paper, statement by statement: every checkable statement of arXiv 1602.07261 (and the
cost claim of Google's release post), with its verdict and its evidence.

golden/paper_claims.yaml holds the statements (`statements`) and the training recipe beside the
released training code (`training_recipe`). A verdict is computed wherever the project can
compute it: FINDINGS maps a statement's id to the function that computes its verdict and what was
found, and the structure tests fail, naming the statement, when the file no longer says what the
function computes. The others are typed, each with its reason. A statement that waits on the
GPU job names its golden/accuracy.yaml entry, and the job's results fill its verdict in
(`from_results`).

How a verdict reads: an architecture or training-recipe statement about a released network is
checked against the authors' released code of that network (TF-Slim, and the Keras model ported
from it): "reproduced here" when the code agrees, "refuted here" when it differs (the ledger,
golden/discrepancies.yaml, cites both sides) or when the paper contradicts itself (the errata).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from inception_repro import calculus, claims, diff, lineage, registry, summary
from inception_repro.errors import SpecError
from inception_repro.networks import errata, paper, slim_v4
from inception_repro.pinned import golden_file
from inception_repro.spec import Conv, Pool, Residual

GOLDEN = golden_file("paper_claims.yaml")

KINDS = (
    "architecture",
    "cost",
    "normalisation",
    "training recipe",
    "accuracy",
    "evaluation protocol",
)
REPRODUCED = "reproduced here"
REFUTED = "refuted here"
RELEASED_ONLY = "holds for the released code only"
WAITS = "waits on the GPU job"
CANNOT = "cannot be checked here"
VERDICTS = (REPRODUCED, REFUTED, RELEASED_ONLY, WAITS, CANNOT)
REASONS = (
    "needs training at ImageNet scale",
    "needs the paper's unreleased models",
    "the test set's labels are not public",
    "the protocol is not published",
)
# Where the report shows a statement's evidence (report.render's headings), or none.
SECTIONS = ("ledger", "errata", "cost claims", "stem lineage", "training recipe")

PAPER_V4 = "paper-inception-v4"
PAPER_V1 = "paper-inception-resnet-v1"
PAPER_V2 = "paper-inception-resnet-v2"
KERAS = "keras-inception-resnet-v2"
SLIM_V2 = "slim-inception-resnet-v2"
SLIM_V4 = "slim-inception-v4"


@dataclass(frozen=True, kw_only=True)
class Statement:
    id: str
    kind: str  # one of KINDS
    where: str  # section, figure or table of the paper (or the release post)
    statement: str  # short: the source's own words, or a paraphrase (quoted)
    quoted: bool  # True: `statement` is the source's exact words ("..." marks words left out);
    # False: a paraphrase, in which only the words inside double quotes are the source's
    verdict: str  # one of VERDICTS
    reason: str | None = None  # one of REASONS: why it cannot be checked here
    accuracy_entry: str | None = None  # the golden/accuracy.yaml entry that decides it
    found: str | None = None  # what the check found (computed statements), or the GPU job
    computed: bool = False  # the verdict comes from findings()[id]
    evidence: str  # the test, golden file or ledger entry
    section: str | None = None  # one of SECTIONS: where the report shows the evidence

    def __post_init__(self):
        problems = []
        if not isinstance(self.quoted, bool):
            problems.append(f"quoted {self.quoted!r} is not true or false")
        elif self.quoted and '"' in self.statement:
            problems.append("a quoted statement holds no double quotes of its own")
        if self.kind not in KINDS:
            problems.append(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.verdict not in VERDICTS:
            problems.append(f"verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}")
        if (self.verdict == CANNOT) != (self.reason is not None):
            problems.append("a reason goes with, and only with, 'cannot be checked here'")
        if self.reason is not None and self.reason not in REASONS:
            problems.append(f"reason {self.reason!r} is not one of {', '.join(REASONS)}")
        if self.verdict == WAITS and not self.accuracy_entry:
            problems.append("'waits on the GPU job' names its golden/accuracy.yaml entry")
        if self.section is not None and self.section not in SECTIONS:
            problems.append(f"section {self.section!r} is not one of {', '.join(SECTIONS)}")
        if problems:
            raise ValueError(f"statement {self.id}: " + "; ".join(problems))


@dataclass(frozen=True)
class RecipeRow:
    """One setting of the training recipe: the paper (Sec 4) beside the released code."""

    id: str
    what: str
    paper: object  # None: the paper does not say
    paper_cite: str
    released: object
    released_cite: str

    @property
    def agreement(self) -> str:
        if self.paper is None:
            return "the paper is silent"
        return "agree" if self.paper == self.released else "differ"


@dataclass(frozen=True)
class Finding:
    verdict: str
    found: str


def load(path=GOLDEN) -> tuple[list[Statement], list[RecipeRow]]:
    """The statements and the training recipe, as golden/paper_claims.yaml holds them."""
    import yaml

    data = yaml.safe_load(Path(path).read_text())
    return (
        [Statement(**s) for s in data["statements"]],
        [RecipeRow(**r) for r in data["training_recipe"]],
    )


HEADER = """\
# Every checkable statement of arXiv 1602.07261 (and the cost claim of Google's release post of
# Inception-ResNet-v2), with its verdict and its evidence; and the training recipe of the paper
# (Sec 4) beside the released training code. src/inception_repro/paper_claims.py reads it and
# computes every verdict marked `computed: true` (tests/structure/test_paper_claims.py holds this
# file to what it computes; `pytest --update-golden` rewrites verdict and found). Vocabularies
# (kind, verdict, reason, section) are checked there.
#
# statements:
#   statement       short; where: its section, figure or table of the paper (or the post)
#   quoted          true: the statement is the source's exact words ("..." marks words left
#                   out; the texts are cited in docs/sources.md); false: a paraphrase, in which
#                   only words in double quotes are the source's (what figures and tables show
#                   is paraphrased)
#   verdict         reproduced here | refuted here | holds for the released code only |
#                   waits on the GPU job (accuracy_entry: the golden/accuracy.yaml entry that
#                   decides it) | cannot be checked here (reason: why)
#   found           what the computation found (or what the GPU job measured)
#   evidence        the test, golden file or ledger entry; section: where the report shows it
# training_recipe: each setting as the paper states it (null: the paper is silent) and as the
#   released TF-Slim code sets it, each with its citation (the code cited at a commit).
"""


def dump(statements: list[Statement], recipe: list[RecipeRow]) -> str:
    import yaml

    def plain(x):
        return {f.name: getattr(x, f.name) for f in fields(x) if getattr(x, f.name) is not None}

    data = {
        "statements": [plain(s) for s in statements],
        "training_recipe": [asdict(r) for r in recipe],
    }
    return HEADER + "\n" + yaml.safe_dump(data, sort_keys=False, width=100, allow_unicode=True)


# ---- the computations ----------------------------------------------------------------------


@functools.cache
def _discrepancies(a: str, b: str) -> dict:
    return {d["id"]: d for d in diff.compare(a, b)["discrepancies"]}


def ledger_facts(a: str, b: str, *facts: str) -> Finding:
    """Refuted when the released network `b` differs from the paper's `a` in any of the facts
    (golden/discrepancies.yaml), beyond the order of a concatenation's branches."""
    found = _discrepancies(a, b)
    differ = [found[f] for f in facts if f in found and found[f]["what"] != diff.BRANCH_ORDER]
    if differ:
        return Finding(REFUTED, "; ".join(f"{b} {d['id']}: {d['b']}" for d in differ))
    order = [f for f in facts if f in found]
    return Finding(REPRODUCED, f"{b} agrees" + (" up to the order of branches" if order else ""))


# arXiv 1602.07261 Table 1: the number of filters k, l, m, n of Reduction-A (Fig 7).
TABLE_1 = {
    PAPER_V4: (192, 224, 256, 384),
    PAPER_V1: (192, 192, 256, 384),
    PAPER_V2: (256, 256, 384, 384),
}


def klmn(model_id: str) -> tuple[int, int, int, int]:
    """k, l, m, n of a network's Reduction-A, read off its spec: the branch of three convs gives
    k, l, m and the branch of one conv n."""
    stage = {s.name: s for s in registry.entry(model_id).spec().stages}["reduction_a"]
    (block,) = stage.nodes
    convs = [[n.filters for n in b if isinstance(n, Conv)] for b in block.branches]
    (k, l, m), (n,) = (next(c for c in convs if len(c) == i) for i in (3, 1))  # noqa: E741
    return k, l, m, n


def table_1(network: str, released: str | None, printed: tuple[int, int] | None) -> Finding:
    """A row of Table 1 against the released code of that network and against the depth the
    paper prints after Reduction-A (printed: the stem's depth and the printed output depth)."""
    k, l, m, n = TABLE_1[network]  # noqa: E741
    notes, ok = [], True
    if released is not None:
        code = klmn(released)
        ok &= code == (k, l, m, n)
        notes.append(f"{released}: {', '.join(map(str, code))}")
    else:
        notes.append("no released code")
    if printed is not None:
        stem, out = printed
        ok &= stem + n + m == out
        notes.append(f"printed depth {out} {'=' if stem + n + m == out else '!='} {stem} + n + m")
    return Finding(REPRODUCED if ok else REFUTED, "; ".join(notes))


def printed_width(erratum: errata.Erratum) -> Finding:
    """A residual up-projection's printed width: the network built with it, or why not."""
    try:
        paper.inception_resnet_v2(as_printed={erratum.id})
    except SpecError as e:
        return Finding(REFUTED, str(e).split(": ", 1)[1].split(" (")[0])
    return Finding(REPRODUCED, f"{PAPER_V2} builds with {erratum.printed}")


def fig3_last_conv() -> Finding:
    """Fig 3's last concatenation: its conv, printed without a stride, beside a stride 2 pool."""
    t = calculus.trace(registry.entry(PAPER_V4).spec())
    side = next(x.shape for x in t.layers if x.name == "stem.4")[0]
    conv, pool = (side - 3) // 1 + 1, (side - 3) // 2 + 1
    verdict = REFUTED if conv != pool else REPRODUCED
    return Finding(
        verdict,
        f"from {side}x{side} a stride 1 valid 3x3 conv gives {conv}x{conv}, "
        f"the stride 2 pool {pool}x{pool}",
    )


def fig3_pool_window() -> Finding:
    """Fig 3's last MaxPool, printed without a window: the window TF-Slim's Inception-v4 gives
    it (Mixed_5a), and whether its stem then reaches the printed 35x35x384."""
    last = slim_v4.stem().nodes[-1]
    (pool,) = next(b for b in last.branches if isinstance(b[0], Pool))
    stem = dict(calculus.trace(registry.entry(SLIM_V4).spec()).stages)["stem"]
    shape = "x".join(map(str, stem))
    verdict = REPRODUCED if shape == "35x35x384" else REFUTED
    return Finding(verdict, f"{SLIM_V4} Mixed_5a: {diff.sig(pool)}; its stem gives {shape}")


def fig5_second_kernel() -> Finding:
    """Fig 5's second 1x7 against TF-Slim's Inception-B (Mixed_6b, Branch_1)."""
    block = slim_v4.block_inception_b("Mixed_6b")
    branch = next(b for b in block.branches if [n.filters for n in b] == [192, 224, 256])
    kernels = " -> ".join(diff.sig(n) for n in branch)
    verdict = REFUTED if branch[2].kernel != (1, 7) else REPRODUCED
    return Finding(verdict, f"{SLIM_V4} Mixed_6b Branch_1: {kernels}")


def _residual_adds(s: dict) -> list[dict]:
    return [x for x in s["layers"] if x["type"] == "scaled_residual_add"]


BN_CHECKED = (KERAS, SLIM_V2, PAPER_V2, PAPER_V1)


def bn_placement(summaries: dict[str, dict]) -> Finding:
    """Sec 3.2: batch norm on top of the traditional layers only, never on a summation, in each
    network's Keras graph: the installed released model, TF-Slim's code (its transcription) and
    the paper's residual networks (whose specs hold it by construction: their batch norm exists
    only inside a Conv)."""
    notes, ok = [], True
    for model_id, s in summaries.items():
        layers = s["layers"]
        bns = [x for x in layers if x["type"] == "batch_norm"]
        under = Counter(layers[x["inputs"][0]]["type"] for x in bns)
        adds = {x["index"] for x in _residual_adds(s)}
        on_sums = [x for x in bns if set(x["inputs"]) & adds]
        ok &= set(under) == {"conv2d"} and not on_sums and bool(adds)
        on = "each on a conv" if set(under) == {"conv2d"} else f"on {dict(under)}"
        notes.append(
            f"{model_id}: {len(bns)} batch norms, {on}; {len(on_sums)} on its {len(adds)} sums"
        )
    return Finding(REPRODUCED if ok else REFUTED, "; ".join(notes))


def up_projection(released: dict) -> Finding:
    """Sec 3.2: the 1x1 conv without activation before each add, as deep as the block input."""
    layers, depths, bad = released["layers"], set(), []
    for add in _residual_adds(released):
        shortcut, up = (layers[i] for i in add["inputs"])
        c = up["config"]
        ok = up["type"] == "conv2d" and c["kernel_size"] == [1, 1] and c["activation"] == "linear"
        if not ok or c["filters"] != shortcut["output_shape"][-1]:
            bad.append(add["index"])
        depths.add(shortcut["output_shape"][-1])
    adds = len(_residual_adds(released))
    if bad:
        return Finding(REFUTED, f"{KERAS}: layers {bad} add something else")
    widths = ", ".join(map(str, sorted(depths)))
    return Finding(
        REPRODUCED,
        f"{KERAS}: all {adds} residual adds take a linear 1x1 conv as "
        f"deep as the block input ({widths})",
    )


def scale_range(released: dict) -> Finding:
    """Sec 3.3: scaling factors "in general" between 0.1 and 0.3, in the released model."""
    scales = Counter(x["config"]["scale"] for x in _residual_adds(released))
    inside = sum(n for s, n in scales.items() if 0.1 <= s <= 0.3)
    total = sum(scales.values())
    listed = ", ".join(f"{s} ({n} block{'s' if n > 1 else ''})" for s, n in scales.items())
    verdict = REPRODUCED if inside > total / 2 else REFUTED
    return Finding(verdict, f"{KERAS}: {listed}; {inside} of {total} in [0.1, 0.3]")


def wide_residual_stages() -> Finding:
    """Sec 3.3's instability over 1000 filters needs training; which stages it concerns does
    not: the residual stages wider than 1000 filters."""
    wide = []
    for m in (PAPER_V1, PAPER_V2, KERAS):
        spec = registry.entry(m).spec()
        depth = dict(calculus.trace(spec).stages)
        for s in spec.stages:
            if isinstance(s.nodes[0], Residual) and depth[s.name][-1] > 1000:
                wide.append(f"{m} {s.name} ({depth[s.name][-1]})")
    return Finding(CANNOT, "residual stages over 1000 filters: " + ", ".join(wide))


@functools.cache
def _costs() -> dict:
    return {c["id"]: c for c in claims.verdicts()}


def cost(*ids: str, released: str | None = None) -> Finding:
    """The cost claims (claims.py): all hold; or the drawn one does not and the released
    one does."""
    c = _costs()
    held = [c[i]["verdict"] == "holds" for i in ids]
    notes = [f"{i} {c[i]['measured_ratio']:.2f}: {c[i]['verdict']}" for i in (*ids, released) if i]
    if all(held):
        return Finding(REPRODUCED, "; ".join(notes))
    if released and c[released]["verdict"] == "holds":
        return Finding(RELEASED_ONLY, "; ".join(notes))
    return Finding(REFUTED, "; ".join(notes))


def recipe(rows: dict[str, RecipeRow], *ids: str) -> Finding:
    """Sec 4 against the released training code's defaults."""
    parts = [f"{rows[i].what}: paper {rows[i].paper}, released {rows[i].released}" for i in ids]
    agree = all(rows[i].agreement == "agree" for i in ids)
    return Finding(REPRODUCED if agree else REFUTED, "; ".join(parts))


def stem_is(candidate: str, stem: list[list[str]]) -> Finding:
    """Whether the released stem (lineage.stem_rows) is the candidate's, layer by layer up to
    mixed_5b."""
    n = len(stem) - 1  # the layers before mixed_5b
    k = lineage.leading_agreement(stem, candidate)
    if k == n:
        return Finding(REPRODUCED, f"{candidate} agrees with all {n} layers before mixed_5b")
    theirs = stem[k][2 + lineage.CANDIDATES.index(candidate)]
    return Finding(
        REFUTED,
        f"{candidate} agrees with the first {k} of the {n} layers before mixed_5b; layer "
        f"{k + 1} is {stem[k][1]}, {candidate} has {theirs}",
    )


def mixed_5b_is_mixed0(block: list[list[str]]) -> Finding:
    """mixed_5b against mixed0 (lineage.block_rows): the same branches and kernels?"""
    branches = block[:-1]
    same = all(_kernels(r[1]) == _kernels(r[2]) for r in branches)
    wider = "; ".join(f"{r[0]} {r[1]} (mixed0: {r[2]})" for r in branches if r[3] != lineage.AGREES)
    return Finding(
        REPRODUCED if same else REFUTED,
        f"{'same' if same else 'other'} branches and kernels; widths differ: {wider}; output "
        f"{block[-1][1]} (mixed0: {block[-1][2]})",
    )


def _kernels(branch: str) -> list[str]:
    return [step.split(" ", 1)[1] for step in branch.split(" -> ")]


def findings(recipe_rows: list[RecipeRow], summary_of: Callable | None = None) -> dict:
    """{statement id: Finding} for every statement whose verdict the project computes.
    summary_of(model id) gives a canonical summary (default: read off the model's graph)."""
    get = summary_of or _summary
    rows = {r.id: r for r in recipe_rows}
    released, v3 = get(KERAS), get(lineage.V3)
    stem, block = lineage.stem_rows(released, v3), lineage.block_rows(released, v3)
    v2, v4, keras, slim2, slim4 = PAPER_V2, PAPER_V4, KERAS, SLIM_V2, SLIM_V4
    return {
        "fig3-stem-of-irv2": ledger_facts(v2, keras, "stem.layout"),
        "fig3-stem-of-v4": ledger_facts(v4, slim4, "stem.layout"),
        "fig3-last-conv-stride": fig3_last_conv(),
        "fig3-pool-window": fig3_pool_window(),
        "fig4-inception-a": ledger_facts(v4, slim4, "blocks_a.branches"),
        "fig5-inception-b": ledger_facts(v4, slim4, "blocks_b.branches"),
        "fig5-second-1x7": fig5_second_kernel(),
        "fig6-inception-c": ledger_facts(v4, slim4, "blocks_c.branches"),
        "fig8-reduction-b-v4": ledger_facts(v4, slim4, "reduction_b.layout"),
        "fig9-repeats-v4": ledger_facts(v4, slim4, *_repeats()),
        "fig9-head": ledger_facts(v4, slim4, "head.layout"),
        "fig15-repeats-irv2": ledger_facts(v2, keras, *_repeats()),
        "fig15-head": ledger_facts(v2, slim2, "head.layout"),
        "fig16-block-a": ledger_facts(v2, keras, "blocks_a.branches"),
        "fig17-block-b": ledger_facts(v2, keras, "blocks_b.branches"),
        "fig17-up-width": printed_width(errata.FIG17_UP_WIDTH),
        "fig18-reduction-b-irv2": ledger_facts(v2, keras, "reduction_b.layout"),
        "fig19-block-c": ledger_facts(v2, keras, "blocks_c.branches"),
        "fig19-up-width": printed_width(errata.FIG19_UP_WIDTH),
        # Fig 9 prints Stem 35x35x384 and Reduction-A 17x17x1024; Fig 15 prints Inception-
        # ResNet-v1's 35x35x256 and 17x17x896, and no shape of Inception-ResNet-v2.
        "table1-inception-v4": table_1(v4, slim4, (384, 1024)),
        "table1-inception-resnet-v1": table_1(PAPER_V1, None, (256, 896)),
        "table1-inception-resnet-v2": table_1(v2, keras, None),
        "sec3.2-up-projection": up_projection(released),
        "sec3.2-bn-placement": bn_placement({m: get(m) for m in BN_CHECKED}),
        "sec3.3-over-1000-filters": wide_residual_stages(),
        "sec3.3-scale-range": scale_range(released),
        "sec3.2-v1-costs-v3": cost("v1-costs-v3"),
        "sec3.2-v2-matches-v4": cost("v2-matches-v4", released="released-v2-matches-v4"),
        "release-post-twice-v3": cost(
            "released-v2-twice-v3-compute", "released-v2-twice-v3-memory"
        ),
        "sec4-momentum": recipe(rows, "momentum"),
        "sec4-rmsprop": recipe(rows, "optimizer", "rmsprop-decay", "rmsprop-epsilon"),
        "sec4-learning-rate": recipe(rows, "learning-rate"),
        "sec4-decay-schedule": recipe(rows, "epochs-per-decay", "decay-factor"),
        "sec4-running-average": recipe(rows, "moving-average"),
        "released-stem-fig14": stem_is("Fig 14", stem),
        "released-stem-v3": stem_is("Inception-v3", stem),
        "released-mixed-5b": mixed_5b_is_mixed0(block),
    }


def _repeats() -> tuple[str, ...]:
    return tuple(f"{s}.repeat" for s in ("blocks_a", "blocks_b", "blocks_c"))


def _summary(model_id: str) -> dict:
    built = registry.graph(model_id)
    return summary.summarise(built.model, built.stage_ends)


def problems(statements: list[Statement], found: dict[str, Finding]) -> list[str]:
    """Where the file no longer says what is computed, naming the statement."""
    out = []
    by_id = {s.id: s for s in statements}
    out += [f"{i}: computed, but no statement has this id" for i in found if i not in by_id]
    for s in statements:
        if s.computed != (s.id in found):
            out.append(
                f"{s.id} ({s.where}): computed is {s.computed}, but the project "
                f"{'computes' if s.id in found else 'does not compute'} it"
            )
        elif s.id in found and (s.verdict, s.found) != (found[s.id].verdict, found[s.id].found):
            f = found[s.id]
            out.append(
                f"{s.id} ({s.where}, {s.statement!r}): the file says {s.verdict!r} "
                f"({s.found}), computed {f.verdict!r} ({f.found})"
            )
    return out


def updated(statements: list[Statement], found: dict[str, Finding]) -> list[Statement]:
    """The statements with every computed verdict and finding as computed now."""
    from dataclasses import replace

    return [
        replace(s, verdict=found[s.id].verdict, found=found[s.id].found) if s.id in found else s
        for s in statements
    ]


def wording(s: Statement) -> str:
    """The statement as the report shows it: in quotation marks only when it is the source's
    own words."""
    return f'"{s.statement}"' if s.quoted else s.statement


def counts(statements: list[Statement]) -> dict[str, int]:
    """How many statements have each verdict, in VERDICTS order."""
    c = Counter(s.verdict for s in statements)
    return {v: c[v] for v in VERDICTS if c[v]}


# ---- what the GPU job decides ----------------------------------------------------------------

# "about": as claims.ROUGHLY, within 25% of the stated number.
ABOUT = claims.ROUGHLY
# Table 2 against a released checkpoint: within the gate's tolerance (golden/accuracy.yaml).
TABLE_2_TOLERANCE_PP = 0.3


def from_results(statements: list[Statement], results: dict, reported: list) -> dict:
    """{statement id: Finding} for the statements waiting on the GPU job that this run's
    results decide: a run of the entry's model and protocol on the whole validation set, with
    the non-blacklisted subset measured. `reported`: evaluate.report.load_reported()."""
    by_id = {r.id: r for r in reported}
    subset, whole = results.get("non_blacklisted"), results["all"]
    out = {}
    for s in statements:
        r = by_id.get(s.accuracy_entry)
        if s.verdict != WAITS or r is None or subset is None:
            continue
        if (r.model, r.protocol) != (results["model"], results["protocol"]["name"]):
            continue
        if not results["full_validation_set"]:
            continue
        out[s.id] = _decide(s.id, r, subset, whole)
    return out


def _decide(statement_id, r, subset, whole) -> Finding:
    if statement_id == "sec5-blacklist-size":
        left_out = whole["n"] - subset["n"]
        ok = abs(left_out / 1700 - 1) <= ABOUT
        return Finding(REPRODUCED if ok else REFUTED, f"the blacklist leaves out {left_out:,}")
    if statement_id == "sec5-subset-optimism":
        d1, d5 = subset["top1"] - whole["top1"], subset["top5"] - whole["top5"]
        ok = abs(d1 / 0.3 - 1) <= ABOUT and abs(d5 / 0.15 - 1) <= ABOUT
        return Finding(
            REPRODUCED if ok else REFUTED,
            f"{r.model}: the subset minus all {whole['n']:,} images: {d1:+.3f} top-1, "
            f"{d5:+.3f} top-5 points",
        )
    ok = all(abs(subset[m] - getattr(r, m)) <= TABLE_2_TOLERANCE_PP for m in ("top1", "top5"))
    return Finding(
        REPRODUCED if ok else REFUTED,
        f"{r.model} ({r.protocol}): "
        f"{subset['top1']:.3f} / {subset['top5']:.3f} on {subset['n']:,} images, "
        f"paper {r.top1} / {r.top5}",
    )


def gpu_summary(results: dict, reported: list) -> str:
    """The statements this run decides, a Markdown line each, for the GPU job's summary; empty
    when it decides none."""
    statements, _ = load()
    decided = from_results(statements, results, reported)
    by_id = {s.id: s for s in statements}
    lines = [
        f"- {by_id[i].where}, {wording(by_id[i])}: **{f.verdict}** ({f.found})"
        for i, f in decided.items()
    ]
    return (
        "\n".join(["", "Statements of the paper this run decides:", "", *lines, ""])
        if lines
        else ""
    )
