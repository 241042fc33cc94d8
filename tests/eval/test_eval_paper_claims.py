"""The GPU job's results fill in the verdicts of the paper's statements that wait on it
(golden/paper_claims.yaml), shown on the offline fake ImageNet run."""

import pytest

from fixtures import fake_imagenet
from inception_repro import paper_claims as pc
from inception_repro.evaluate import data, report, run
from inception_repro.evaluate.config import EvalConfig

pytestmark = pytest.mark.eval

DECIDED = {"table2-inception-resnet-v2", "sec5-blacklist-size", "sec5-subset-optimism"}


@pytest.fixture(scope="module")
def results(fake_val, fake_data_dir, blacklist_file):
    """The gate's run of keras-inception-resnet-v2 under slim with the blacklist, on the fake
    tar standing for the whole validation set (its 36 images are the set's size here)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data, "VAL_IMAGES", len(fake_val[1]))
        cfg = EvalConfig(
            "keras-inception-resnet-v2", fake_data_dir, fake_val[0], protocol="slim",
            blacklist=blacklist_file, allow_cpu=True, progress=False, batch_size=8,
        )  # fmt: skip
        return run.evaluate(cfg, build=lambda: fake_imagenet.oracle_model(1000, 0.0))


def _percent(plan, skip=()):
    """(n, top-1 %, top-5 %) counted from the plan: what the oracle model must score."""
    outcomes = [fake_imagenet.outcome(im.encoded, im.label) for im in plan if im.index not in skip]
    n, top1 = len(outcomes), outcomes.count("top1")
    return n, 100 * top1 / n, 100 * (top1 + outcomes.count("top5")) / n


def test_the_results_decide_the_statements_waiting_on_them(results, fake_val, blacklisted):
    assert results["full_validation_set"]
    statements, _ = pc.load()
    assert all(s.verdict == pc.WAITS for s in statements if s.id in DECIDED)
    decided = pc.from_results(statements, results, report.load_reported())
    assert set(decided) == DECIDED  # the v3 and v4 rows wait on runs of their own models
    n, top1, top5 = _percent(fake_val[1])
    m, sub1, sub5 = _percent(fake_val[1], skip=blacklisted)
    assert decided["sec5-blacklist-size"] == pc.Finding(
        pc.REFUTED, f"the blacklist leaves out {len(blacklisted)}"
    )
    optimism = decided["sec5-subset-optimism"]
    assert optimism == pc.Finding(  # here the subset scores lower: refuted
        pc.REFUTED,
        f"keras-inception-resnet-v2: the subset minus all {n} images: {sub1 - top1:+.3f} top-1, "
        f"{sub5 - top5:+.3f} top-5 points",
    )
    assert sub1 < top1
    table2 = decided["table2-inception-resnet-v2"]
    assert table2 == pc.Finding(
        pc.REFUTED,
        f"keras-inception-resnet-v2 (slim): {sub1:.3f} / {sub5:.3f} on {m} images, "
        "paper 80.1 / 95.1",
    )


def test_the_job_summary_shows_them(results):
    text = pc.gpu_summary(results, report.load_reported())
    assert "\nStatements of the paper this run decides:\n" in text
    # A paraphrase (Table 2's row) stands without quotation marks, the paper's words within them.
    assert (
        "- Table 2, Inception-ResNet-v2: 19.9 / 4.9 top-1 / top-5 error: **refuted here**" in text
    )
    assert (
        '- Sec 5, "a subset of the validation set which omitted about 1700 blacklisted entities '
        'due to poor bounding boxes": **refuted here**' in text
    )


def test_a_partial_run_or_one_without_the_subset_decides_nothing(results):
    statements, reported = pc.load()[0], report.load_reported()
    partial = {**results, "full_validation_set": False}
    no_subset = {**results, "non_blacklisted": None}
    other_protocol = {**results, "protocol": {**results["protocol"], "name": "timm"}}
    for r in (partial, no_subset, other_protocol):
        assert pc.from_results(statements, r, reported) == {}
    assert pc.gpu_summary(partial, reported) == ""
