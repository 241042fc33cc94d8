"""The released Inception-ResNet-v2 on the 50,000 ImageNet validation images, and the gate.

Needs a GPU, ILSVRC2012_img_val.tar (or the TFDS split already built from it) and the
released weights; each missing one fails the run, by name. See tests/gpu/conftest.py and
docs/evaluation.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inception_repro.errors import UsageError
from inception_repro.evaluate import data, report, weights
from inception_repro.evaluate.config import EvalConfig

pytestmark = pytest.mark.gpu

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "accuracy.yaml"


def missing(settings) -> list[str]:
    """What this machine lacks for the real evaluation."""
    import tensorflow as tf

    problems = []
    if not tf.config.list_physical_devices("GPU"):
        problems.append(
            "no GPU is visible to TensorFlow: run on a machine with an NVIDIA GPU and its driver "
            "(nvidia-smi works), with tensorflow[and-cuda] installed (the gpu extra)"
        )
    built = (settings.data_dir / data.DATASET).is_dir()
    if not built:
        try:
            data.find_val_tar(settings.manual_dir)
        except UsageError as e:
            problems.append(f"no ImageNet (set IMAGENET_MANUAL_DIR or pass --manual-dir): {e}")
    released = weights.RELEASED.get(settings.model)
    cached = released and (weights.keras_home() / "models" / released.file_name).is_file()
    if settings.weights is None and not cached:
        problems.append(
            "no weights: the released file is not in the Keras cache "
            f"({weights.keras_home() / 'models'}; KERAS_HOME), so it would be downloaded; "
            "if this machine cannot reach storage.googleapis.com, put it there or pass "
            "--weights PATH"
        )
    return problems


@pytest.fixture(scope="session")
def ready(settings):
    problems = missing(settings)
    # Uncached weights alone are no reason to stop: get_file may still fetch them.
    if any(not p.startswith("no weights") for p in problems):
        pytest.fail("cannot run the ImageNet evaluation:\n- " + "\n- ".join(problems), False)
    return settings


@pytest.fixture(scope="session")
def evaluations(ready, tmp_path_factory):
    """protocol -> results, each run at most once per session."""
    from inception_repro.evaluate.run import evaluate

    done = {}

    def get(protocol):
        if protocol not in done:
            cfg = EvalConfig(
                model_id=ready.model,
                data_dir=ready.data_dir,
                manual_dir=ready.manual_dir,
                weights=ready.weights,
                protocol=protocol,
                batch_size=ready.batch_size,
                limit=ready.limit,
                blacklist=ready.blacklist,
            )
            try:
                done[protocol] = evaluate(cfg)
            except UsageError as e:
                pytest.fail(f"the evaluation could not run: {e}", False)
            _write(done[protocol], ready, protocol, tmp_path_factory)
        return done[protocol]

    return get


def _write(results, settings, protocol, tmp_path_factory):
    out = settings.out or tmp_path_factory.mktemp("gpu-eval") / "results.json"
    if len(settings.protocols) > 1:
        out = out.with_name(f"{out.stem}-{protocol}{out.suffix}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    table = report.markdown(results, report.load_reported(GOLDEN))
    out.with_suffix(".md").write_text(table)
    report.append_job_summary(table)
    print(f"\n{table}\nresults: {out}")


def test_protocol_has_a_gated_reported_number(settings):
    reported = report.load_reported(GOLDEN)
    for protocol in settings.protocols:
        gated = [
            r for r in reported if r.gated and (r.model, r.protocol) == (settings.model, protocol)
        ]
        assert gated, f"no gated reported number for {settings.model} under {protocol}"


def test_gate(settings, evaluations):
    """Measured top-1 and top-5 within the tolerance of every gated reported number; with the
    blacklist, the paper's subset number is measured beside them (reported, never gated)."""
    failures = []
    for protocol in settings.protocols:
        results = evaluations(protocol)
        assert results["devices"]["gpus"], "the evaluation ran without a GPU"
        failures += report.gate_failures(results, report.load_reported(GOLDEN))
        if settings.blacklist and results["full_validation_set"]:
            blacklisted = len(data.read_blacklist(settings.blacklist))
            assert results["non_blacklisted"]["n"] == data.VAL_IMAGES - blacklisted
    assert not failures, "\n".join(failures)


def test_released_weights_and_official_tar(settings, evaluations):
    """The gate is about the released file on the real validation set."""
    results = evaluations(settings.protocols[0])
    tar = results["dataset"]["tar"]
    if settings.weights is not None:
        assert results["weights"]["matches_released"], (
            f"{settings.weights} is not the released file (md5 {results['weights']['md5']}, "
            f"released {results['weights']['released_md5']})"
        )
    assert tar is None or tar["official"], (
        f"the validation split was built from {tar['path']} (md5 {tar['md5']}, "
        f"{tar['images']:,} images), not ILSVRC2012_img_val.tar (md5 {data.VAL_TAR_MD5})"
    )
    assert results["dataset"]["images_in_split"] == data.VAL_IMAGES
    # Wherever the split was built: its records' count, names and content digest.
    problems, digest = data.official_split_problems(settings.data_dir)
    print(f"content digest of the split's records: {digest}")
    assert not problems, f"{settings.data_dir}: " + "; ".join(problems)
