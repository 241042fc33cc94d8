"""The whole pipeline (TFDS build, protocol, model, metrics) with predictions known in advance."""

import numpy as np
import pytest

from fixtures import fake_imagenet
from inception_repro.evaluate import PROTOCOL_NAMES, protocols, run
from inception_repro.evaluate.config import EvalConfig

pytestmark = pytest.mark.eval


def test_input_pipeline_batches_the_decoded_images_as_they_are(fake_val, fake_data_dir):
    # The CPU's whole share: decode, and batch each image's bytes padded with zeros. Crop and
    # resize happen beside the model.
    plan = {im.index: im for im in fake_val[1]}
    seen = []
    slim = protocols.get("slim")
    for images, sizes, labels, indices in run.input_pipeline(fake_data_dir, slim, 8):
        assert images.dtype.name == "uint8" and images.shape[0] == len(labels) <= 8
        assert images.shape[1] == 3 * np.prod(sizes.numpy(), axis=1).max()
        batch = zip(images.numpy(), sizes.numpy(), labels, indices, strict=True)
        for row, (h, w), label, index in batch:
            im = plan[int(index)]
            assert (h, w) == (im.height, im.width) and int(label) == im.label
            assert row[: h * w * 3].any() and not row[h * w * 3 :].any()
            seen.append(int(index))
    assert sorted(seen) == sorted(plan)


def expected(plan, skip=()):
    outcomes = [fake_imagenet.outcome(im.encoded, im.label) for im in plan if im.index not in skip]
    return {
        "n": len(outcomes),
        "top1_hits": outcomes.count("top1"),
        "top5_hits": outcomes.count("top1") + outcomes.count("top5"),
    }


def evaluate(fake_val, data_dir, classes=1000, background=0.0, **options):
    cfg = EvalConfig(
        "keras-inception-resnet-v2", data_dir, fake_val[0], allow_cpu=True, progress=False,
        batch_size=8, **options,
    )  # fmt: skip
    return run.evaluate(cfg, build=lambda: fake_imagenet.oracle_model(classes, background))


def hits(counts):
    return {k: counts[k] for k in ("n", "top1_hits", "top5_hits")}


@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_exact_metrics_under_every_protocol(fake_val, fake_data_dir, protocol):
    results = evaluate(fake_val, fake_data_dir, protocol=protocol)
    want = expected(fake_val[1])
    assert hits(results["all"]) == want
    assert results["n"] == want["n"]
    assert results["top1"] == pytest.approx(100 * want["top1_hits"] / want["n"])
    assert results["top5"] == pytest.approx(100 * want["top5_hits"] / want["n"])


def test_blacklist_subset_is_counted_separately(
    fake_val, fake_data_dir, blacklist_file, blacklisted
):
    results = evaluate(fake_val, fake_data_dir, blacklist=blacklist_file)
    plan = fake_val[1]
    assert hits(results["all"]) == expected(plan)
    assert hits(results["non_blacklisted"]) == expected(plan, skip=blacklisted)
    assert results["non_blacklisted"]["n"] == len(plan) - len(blacklisted)


def test_large_images_are_evaluated_in_a_pass_of_their_own(fake_val, fake_data_dir, monkeypatch):
    # Images over LARGE_PIXELS would pad their whole batch to their size: the main pass leaves
    # them out and a second pass, in smaller batches, evaluates them. Here 100,000 pixels
    # makes the fake tar's 375x500, 640x480, 334x333 ... images large.
    monkeypatch.setattr(run, "LARGE_PIXELS", 100_000)
    plan = fake_val[1]
    large = [im for im in plan if im.height * im.width > 100_000]
    assert 0 < len(large) < len(plan)
    main_pass = list(run.input_pipeline(fake_data_dir, protocols.get("slim"), 8))
    assert sum(len(labels) for _, _, labels, _ in main_pass) == len(plan) - len(large)
    results = evaluate(fake_val, fake_data_dir, protocol="keras-applications")
    assert hits(results["all"]) == expected(plan)
    assert results["large_images"] == len(large)


def test_slim_1001_classes_are_shifted_by_one(fake_val, fake_data_dir):
    results = evaluate(fake_val, fake_data_dir, classes=1001)
    assert hits(results["all"]) == expected(fake_val[1])
    assert results["labels"].startswith("TF-Slim 1001")


@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_background_is_ranked_under_slim_only(fake_val, fake_data_dir, protocol):
    """A 1001-class model that scores background above every class: TF-Slim's evaluation
    (slim) ranks it first for every image, the 1000-class ports (timm, keras-applications)
    never see it."""
    results = evaluate(fake_val, fake_data_dir, classes=1001, background=10.0, protocol=protocol)
    if protocol == "slim":
        # top-5 is background, then encoded .. encoded + 3
        top5 = sum(0 <= (im.label - im.encoded) % 1000 <= 3 for im in fake_val[1])
        want = {"n": len(fake_val[1]), "top1_hits": 0, "top5_hits": top5}
        assert results["labels"] == "TF-Slim 1001 classes: label + 1"
    else:
        want = expected(fake_val[1])
        assert results["labels"].endswith("background output dropped: 1000 classes")
    assert hits(results["all"]) == want


def test_limit_takes_the_first_images_by_validation_index(fake_val, fake_data_dir):
    results = evaluate(fake_val, fake_data_dir, limit=10)
    assert hits(results["all"]) == expected(fake_val[1][:10])
    assert results["limit"] == 10
    assert not results["full_validation_set"]


def test_results_record_what_was_run(fake_val, fake_data_dir, monkeypatch):
    monkeypatch.setattr(run, "gpu_names", lambda: [])  # whatever this machine has
    results = evaluate(fake_val, fake_data_dir, protocol="timm")
    assert results["protocol"]["name"] == "timm"
    assert results["protocol"]["decoder"] == "INTEGER_ACCURATE"
    assert "pytorch-image-models" in results["protocol"]["source"]
    assert results["dataset"]["tar"]["images"] == len(fake_val[1])
    assert results["dataset"]["tar"]["official"] is False
    assert results["batch_size"] == 8 and results["replicas"] == 1
    assert results["large_images"] == 0
    assert results["devices"]["gpus"] == [] and results["devices"]["cpu_cores"] >= 1
    assert set(results["versions"]) >= {"tensorflow", "keras", "tensorflow-datasets", "python"}
    assert results["wall_s"] > 0 and results["images_per_s"] > 0
    assert results["tensor_float_32"] is False


@pytest.mark.parametrize("gpus", [[], ["NVIDIA H200", "NVIDIA H200"]], ids=["no GPU", "two GPUs"])
def test_the_device_record_is_what_discovery_found(gpus, monkeypatch):
    monkeypatch.setattr(run, "gpu_names", lambda: list(gpus))
    record = run.devices()
    assert record["gpus"] == gpus and record["cpu_cores"] >= 1 and record["cpu"]
