"""golden/discrepancies.yaml: the paper-vs-code ledger, recomputed and held to its pinned form."""

import pytest
from support.golden import ACCEPT, ROOT, dump_yaml, load_yaml

from inception_repro import claims, ledger

pytestmark = pytest.mark.structure

LEDGER = ROOT / "discrepancies.yaml"
CLAIMS = ROOT / "cost_claims.yaml"


@pytest.fixture(scope="module")
def live_ledger(summary_of):
    released, v3 = (summary_of(m) for m in ledger.LINEAGE)
    return {
        "comparisons": ledger.comparisons(),
        "errata": ledger.errata_entries(),
        "stem_lineage": ledger.stem_lineage(released, v3),
    }


def test_ledger_matches_golden(live_ledger, update_golden):
    if update_golden:
        LEDGER.write_text(dump_yaml(live_ledger))
        return
    assert LEDGER.exists(), f"{LEDGER.name} is missing; create it: {ACCEPT}"
    problems = ledger.check(load_yaml(LEDGER), live_ledger)
    assert not problems, f"the ledger changed ({ACCEPT}):\n" + "\n".join(problems)


def _ids(live_ledger, a, b):
    c = next(c for c in live_ledger["comparisons"] if (c["a"], c["b"]) == (a, b))
    return {d["id"]: d for d in c["discrepancies"]}


def test_the_known_paper_vs_keras_differences_are_all_there(live_ledger):
    d = _ids(live_ledger, "paper-inception-resnet-v2", "keras-inception-resnet-v2")
    assert (d["stem.output"]["a"], d["stem.output"]["b"]) == ("35x35x384", "35x35x320")
    assert "80 1x1 V -> 192 3x3 V" in d["stem.layout"]["b"]  # Inception-v3's stem
    assert [d[f"{s}.repeat"]["a"] for s in ("blocks_a", "blocks_b", "blocks_c")] == ["5", "10", "5"]
    assert [d[f"{s}.repeat"]["b"] for s in ("blocks_a", "blocks_b", "blocks_c")] == [
        "10",
        "20",
        "10",
    ]
    widths = [d[f"{s}.output"]["b"] for s in ("blocks_a", "blocks_b", "blocks_c")]
    assert widths == ["35x35x320", "17x17x1088", "8x8x2080"]
    assert [d[f"{s}.output"]["a"] for s in ("blocks_a", "blocks_b", "blocks_c")] == [
        "35x35x384",
        "17x17x1152",
        "8x8x2144",
    ]
    assert d["head.layout"]["b"].startswith("1536 1x1")  # conv_7b, absent from the paper
    assert "dropout" in d["head.layout"]["a"] and "dropout" not in d["head.layout"]["b"]
    assert d["blocks_c.activation"]["b"] == "relu (blocks 1-9), none (block 10)"
    assert d["blocks_c.scale"]["b"] == "0.2 (blocks 1-9), 1.0 (block 10)"
    assert (d["blocks_a.scale"]["a"], d["blocks_a.scale"]["b"]) == ("0.1", "0.17")
    assert "blocks_b.scale" not in d  # 0.1 on both sides
    for x in d.values():
        assert x["a_cite"] and x["b_cite"], x["id"]


def test_the_slim_head_differences_are_there(live_ledger):
    d = _ids(live_ledger, "paper-inception-resnet-v2", "slim-inception-resnet-v2")
    assert (d["head.output"]["a"], d["head.output"]["b"]) == ("1000", "1001")
    assert d["aux_head.present"]["a"] == "absent"
    assert d["aux_head.present"]["a_cite"].startswith("not in arXiv 1602.07261 Fig 15")


def test_every_discrepancy_of_every_ledger_cites_both_sides(live_ledger):
    for c in live_ledger["comparisons"]:
        for x in c["discrepancies"]:
            assert x["a_cite"] and x["b_cite"], (c["a"], c["b"], x["id"])


def test_stem_lineage_is_pinned_as_identical(live_ledger):
    lineage = live_ledger["stem_lineage"]
    assert lineage["identical_layers"] == 18 and lineage["last_identical"] == "max_pool 35x35x192"


def test_errata_are_in_the_ledger(live_ledger):
    assert {e["id"] for e in live_ledger["errata"]} >= {"fig17-up-width", "fig19-up-width"}


def test_cost_claims_match_golden(update_golden):
    live = claims.verdicts()
    if update_golden:
        CLAIMS.write_text(dump_yaml({"claims": live}))
        return
    assert CLAIMS.exists(), f"{CLAIMS.name} is missing; create it: {ACCEPT}"
    assert load_yaml(CLAIMS)["claims"] == live, f"cost claims changed ({ACCEPT})"


def test_cost_claim_verdicts():
    v = {c["id"]: c["verdict"] for c in claims.verdicts()}
    assert v == {
        "v1-costs-v3": "holds",
        "v2-matches-v4": "does not hold",  # 0.76: the paper's own v2 is a quarter cheaper
        "released-v2-matches-v4": "holds",  # 1.07: the released v2 does match
        "released-v2-twice-v3-compute": "holds",  # 2.30
        "released-v2-twice-v3-memory": "holds",  # 2.34
    }
