"""The whole pipeline (TFDS build, protocol, model, metrics) with predictions known in advance."""

import pytest

from inception_repro.evaluate import PROTOCOL_NAMES, run
from inception_repro.evaluate.config import EvalConfig

pytestmark = pytest.mark.eval


def expected(fake_imagenet, plan, skip=()):
    outcomes = [fake_imagenet.outcome(im.encoded, im.label) for im in plan if im.index not in skip]
    return {
        "n": len(outcomes),
        "top1_hits": outcomes.count("top1"),
        "top5_hits": outcomes.count("top1") + outcomes.count("top5"),
    }


def evaluate(fake_imagenet, fake_val, data_dir, classes=1000, **options):
    cfg = EvalConfig(
        "keras-inception-resnet-v2", data_dir, fake_val[0], allow_cpu=True, progress=False,
        batch_size=8, **options,
    )  # fmt: skip
    return run.evaluate(cfg, build=lambda: fake_imagenet.oracle_model(classes))


def hits(counts):
    return {k: counts[k] for k in ("n", "top1_hits", "top5_hits")}


@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_exact_metrics_under_every_protocol(fake_imagenet, fake_val, fake_data_dir, protocol):
    results = evaluate(fake_imagenet, fake_val, fake_data_dir, protocol=protocol)
    want = expected(fake_imagenet, fake_val[1])
    assert hits(results["all"]) == want
    assert results["n"] == want["n"]
    assert results["top1"] == pytest.approx(100 * want["top1_hits"] / want["n"])
    assert results["top5"] == pytest.approx(100 * want["top5_hits"] / want["n"])


def test_blacklist_subset_is_counted_separately(
    fake_imagenet, fake_val, fake_data_dir, blacklist_file, blacklisted
):
    results = evaluate(fake_imagenet, fake_val, fake_data_dir, blacklist=blacklist_file)
    plan = fake_val[1]
    assert hits(results["all"]) == expected(fake_imagenet, plan)
    assert hits(results["non_blacklisted"]) == expected(fake_imagenet, plan, skip=blacklisted)
    assert results["non_blacklisted"]["n"] == len(plan) - len(blacklisted)


def test_slim_1001_classes_are_shifted_by_one(fake_imagenet, fake_val, fake_data_dir):
    results = evaluate(fake_imagenet, fake_val, fake_data_dir, classes=1001)
    assert hits(results["all"]) == expected(fake_imagenet, fake_val[1])
    assert results["labels"].startswith("TF-Slim 1001")


def test_limit_takes_the_first_images_by_validation_index(fake_imagenet, fake_val, fake_data_dir):
    results = evaluate(fake_imagenet, fake_val, fake_data_dir, limit=10)
    assert hits(results["all"]) == expected(fake_imagenet, fake_val[1][:10])
    assert results["limit"] == 10
    assert not results["full_validation_set"]


def test_results_record_what_was_run(fake_imagenet, fake_val, fake_data_dir):
    results = evaluate(fake_imagenet, fake_val, fake_data_dir, protocol="timm")
    assert results["protocol"]["name"] == "timm"
    assert "pytorch-image-models" in results["protocol"]["source"]
    assert results["dataset"]["tar"]["images"] == len(fake_val[1])
    assert results["dataset"]["tar"]["official"] is False
    assert results["batch_size"] == 8 and results["replicas"] == 1
    assert results["devices"]["gpus"] == [] and results["devices"]["cpu_cores"] >= 1
    assert set(results["versions"]) >= {"tensorflow", "keras", "tensorflow-datasets", "python"}
    assert results["wall_s"] > 0 and results["images_per_s"] > 0
    assert results["tensor_float_32"] is False
