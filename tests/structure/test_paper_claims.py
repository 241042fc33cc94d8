"""golden/paper_claims.yaml: every statement of the paper with its verdict, the computed verdicts
recomputed and held to the file (src/inception_repro/paper_claims.py)."""

from dataclasses import replace

import pytest
from support.golden import ACCEPT, text_diff
from support.groups import RELEASED, model_group

from inception_repro import paper_claims as pc
from inception_repro.evaluate import report as eval_report

# xdist: with the released model's tests (its summary and Inception-v3's are read here)
pytestmark = [pytest.mark.structure, model_group(RELEASED)]


@pytest.fixture(scope="module")
def pinned():
    return pc.load()


@pytest.fixture(scope="module")
def computed(pinned, summary_of):
    return pc.findings(pinned[1], summary_of)


def test_every_computed_verdict_is_the_one_the_file_holds(pinned, computed, update_golden):
    statements, recipe = pinned
    if update_golden:
        old = pc.GOLDEN.read_text()
        pc.GOLDEN.write_text(pc.dump(pc.updated(statements, computed), recipe))
        print(text_diff(old, pc.GOLDEN.read_text()))
        return
    problems = pc.problems(statements, computed)
    assert not problems, f"verdicts changed ({ACCEPT}):\n" + "\n".join(problems)


def test_a_changed_verdict_is_named_with_its_statement(pinned, computed):
    statements, _ = pinned
    changed = [
        replace(s, verdict=pc.REPRODUCED) if s.id == "fig17-up-width" else s for s in statements
    ]
    (problem,) = pc.problems(changed, computed)
    assert problem.startswith(
        "fig17-up-width (Fig 17, 'the linear 1x1 conv before the sum, printed with 1154 filters'): "
        "the file says"
    )
    assert "computed 'refuted here'" in problem


def test_the_file_is_written_as_dump_writes_it(pinned):
    """--update-golden rewrites the file with dump: the hand-kept file must read the same."""
    assert pc.dump(*pinned) == pc.GOLDEN.read_text()


def test_the_verdicts_the_issue_names(computed, graph_of):
    """Read from the paper and the released code apart from the computation (the paper notes,
    keras.applications' own layer list): BN only on conv outputs; Table 1 as released; the cost
    verdicts; the stem's lineage."""
    layers = graph_of(pc.KERAS).model.layers
    bns = sum(type(x).__name__ == "BatchNormalization" for x in layers)
    adds = sum(type(x).__name__ == "CustomScaleLayer" for x in layers)
    # keras inception_resnet_v2.py's conv2d_bn calls: stem 5 + mixed_5b 7 + 10 block35 x 6 +
    # mixed_6a 4 + 20 block17 x 4 + mixed_7a 7 + 10 block8 x 4 + conv_7b 1 = 204; 40 blocks
    assert (bns, adds) == (204, 40)
    bn = computed["sec3.2-bn-placement"]
    assert bn.verdict == pc.REPRODUCED
    assert bn.found.startswith(
        f"{pc.KERAS}: {bns} batch norms, each on a conv; 0 on its {adds} sums"
    )
    assert f"{pc.SLIM_V2}: {bns + 2} batch norms" in bn.found  # and the aux head's two convs
    assert computed["table1-inception-resnet-v2"].found == f"{pc.KERAS}: 256, 256, 384, 384"
    assert computed["sec3.2-v2-matches-v4"].verdict == pc.RELEASED_ONLY
    assert computed["fig15-repeats-irv2"].verdict == pc.REFUTED
    assert computed["released-stem-fig14"].verdict == pc.REFUTED
    assert computed["released-stem-v3"].verdict == pc.REPRODUCED


def test_bn_on_a_summation_would_refute_sec_3_2(summary_of):
    """The check can fail: the released graph with one batch norm fed by a residual add."""
    s = summary_of(pc.KERAS)
    layers = [dict(x) for x in s["layers"]]
    add = next(x for x in layers if x["type"] == "scaled_residual_add")
    bn = next(x for x in layers if x["type"] == "batch_norm" and x["index"] > add["index"])
    bn["inputs"] = [add["index"]]
    assert pc.bn_placement({pc.KERAS: s}).verdict == pc.REPRODUCED
    assert pc.bn_placement({pc.KERAS: {**s, "layers": layers}}).verdict == pc.REFUTED


def test_table_1_is_what_the_paper_specs_are_built_with():
    for network, row in pc.TABLE_1.items():
        assert pc.klmn(network) == row, network
    # The released code, read through its transcriptions (networks/released.py, slim_v4.py).
    assert pc.klmn("slim-inception-resnet-v2") == (256, 256, 384, 384)
    assert pc.klmn("slim-inception-v4") == (192, 224, 256, 384)


def test_vocabularies_are_checked(pinned):
    s = pinned[0][0]
    for change, words in [
        ({"kind": "speed"}, "kind 'speed' is not one of architecture"),
        ({"verdict": "plausible"}, "verdict 'plausible' is not one of reproduced here"),
        ({"verdict": pc.CANNOT}, "a reason goes with, and only with"),
        ({"verdict": pc.CANNOT, "reason": "too hard"}, "reason 'too hard' is not one of"),
        ({"verdict": pc.WAITS}, "names its golden/accuracy.yaml entry"),
        ({"section": "appendix"}, "section 'appendix' is not one of"),
        ({"quoted": "yes"}, "quoted 'yes' is not true or false"),
        ({"quoted": True, "statement": 'a "quote" inside'}, "a quoted statement holds no double"),
    ]:
        with pytest.raises(ValueError, match=f"statement {s.id}: .*{words}"):
            replace(s, **change)


def test_every_statement_waiting_on_the_gpu_job_names_an_accuracy_entry(pinned):
    reported = {r.id: r for r in eval_report.load_reported()}
    waiting = [s for s in pinned[0] if s.verdict == pc.WAITS]
    assert waiting
    for s in waiting:
        r = reported[s.accuracy_entry]
        assert not r.gated and r.evaluation_set == eval_report.SUBSET, s.id


# Every figure, table and section of the paper that makes a checkable statement (the project's
# paper notes; arXiv 1602.07261 v2), and the release post.
COVERED = [
    *(f"Fig {i}" for i in range(3, 20)),
    "Fig 20",
    *(f"Fig {i}" for i in range(21, 27)),
    *(f"Table {i}" for i in range(1, 6)),
    "Sec 3.1",
    "Sec 3.2",
    "Sec 3.3",
    "Sec 4",
    "Sec 5",
    "release post",
]


def _places(where: str):
    """ "Figs 21, 22" -> Fig 21, Fig 22; "Table 1, Fig 7" -> Table 1, Fig 7."""
    word = ""
    for part in (p.strip().replace("Figs ", "Fig ") for p in where.split(",")):
        if part[0].isdigit():
            part = f"{word} {part}"
        word = part.split()[0]
        yield part


def test_every_figure_table_and_section_has_its_statements(pinned):
    places = [p for s in pinned[0] for p in _places(s.where)]
    missing = [
        c
        for c in COVERED
        if not any(
            p == c or p.startswith(c + " ") or (c == "release post" and c in p) for p in places
        )
    ]
    assert not missing


def test_counts_are_per_verdict_in_vocabulary_order(pinned):
    counts = pc.counts(pinned[0])
    assert list(counts) == [v for v in pc.VERDICTS if v in counts]
    assert sum(counts.values()) == len(pinned[0])


def test_the_training_recipe_cites_both_sides(pinned):
    recipe = {r.id: r for r in pinned[1]}
    for r in recipe.values():
        assert r.paper_cite.startswith("arXiv 1602.07261"), r.id
        assert "@" in r.released_cite, r.id  # the released code at a commit
    # The paper is silent on the arg scope's settings: a finding of their own.
    silent = {i for i, r in recipe.items() if r.agreement == "the paper is silent"}
    assert {"batch-norm-decay", "batch-norm-epsilon", "weight-decay"} <= silent
    assert recipe["learning-rate"].agreement == "differ"
    assert recipe["rmsprop-epsilon"].agreement == "agree"


def test_only_the_sources_own_words_are_shown_as_a_quote(pinned):
    by_id = {s.id: s for s in pinned[0]}
    quote, paraphrase = by_id["sec4-learning-rate"], by_id["table2-inception-resnet-v2"]
    assert (quote.quoted, paraphrase.quoted) == (True, False)
    assert pc.wording(quote) == '"We used a learning rate of 0.045"'
    assert pc.wording(paraphrase) == paraphrase.statement
    assert not paraphrase.statement.startswith('"')
