"""The released checkpoints on the 50,000 ImageNet validation images, and the gate.

One evaluation per gated (model, protocol) pair of golden/accuracy.yaml (conftest.py). Needs a
GPU, ILSVRC2012_img_val.tar (or the TFDS split already built from it) and the released weights
of every selected model; each missing one fails the run, by name. See docs/evaluation.md.
"""

from __future__ import annotations

import json

import pytest

from inception_repro import files, paper_claims
from inception_repro.errors import UsageError
from inception_repro.evaluate import checkpoints, conversion, data, report, weights
from inception_repro.evaluate.config import EvalConfig

pytestmark = pytest.mark.gpu


def released_file(model: str):
    """(the released file's path in the Keras cache, where it is downloaded from)."""
    folder = weights.keras_home() / "models"
    if model in checkpoints.RELEASED_CHECKPOINTS:
        r = checkpoints.RELEASED_CHECKPOINTS[model]
        return folder / r.archive, r.origin
    r = weights.RELEASED_H5[model]
    return folder / r.file_name, r.origin


def missing_weights(settings, model: str) -> str | None:
    if settings.weights is not None and settings.model == model:
        return (
            None
            if settings.weights.exists()
            else f"{model}: --weights {settings.weights} not found"
        )
    path, origin = released_file(model)
    if path.is_file():
        return None
    return (
        f"no weights for {model}: {path.name} is not in the Keras cache ({path.parent}; "
        f"KERAS_HOME), so it would be downloaded from {origin}; if this machine cannot reach "
        f"it, put it there or pass --model {model} --weights PATH"
    )


def missing_machine(settings) -> list[str]:
    """What this machine lacks for any evaluation: the GPU and ImageNet."""
    import tensorflow as tf

    problems = []
    if not tf.config.list_physical_devices("GPU"):
        problems.append(
            "no GPU is visible to TensorFlow: run on a machine with an NVIDIA GPU and its driver "
            "(nvidia-smi works), with tensorflow[and-cuda] installed (the gpu extra)"
        )
    if not (settings.data_dir / data.DATASET).is_dir():
        try:
            data.find_val_tar(settings.manual_dir)
        except UsageError as e:
            problems.append(f"no ImageNet (set IMAGENET_MANUAL_DIR or pass --manual-dir): {e}")
    return problems


@pytest.fixture(scope="session")
def ready(settings, selected):
    machine = missing_machine(settings)
    models = dict.fromkeys(t.model for t in selected)
    files = [p for p in (missing_weights(settings, m) for m in models) if p]
    # Uncached weights alone are no reason to stop: get_file may still fetch them.
    if machine:
        pytest.fail("cannot run the ImageNet evaluation:\n- " + "\n- ".join(machine + files), False)
    return settings


@pytest.fixture(scope="session")
def evaluations(ready, tmp_path_factory):
    """target -> results, each evaluated at most once per session."""
    from inception_repro.evaluate.run import evaluate

    done = {}

    def get(target):
        if target not in done:
            cfg = EvalConfig(
                model_id=target.model,
                data_dir=ready.data_dir,
                manual_dir=ready.manual_dir,
                weights=ready.weights if ready.model == target.model else None,
                protocol=target.protocol,
                batch_size=ready.batch_size,
                limit=ready.limit,
                blacklist=ready.blacklist,
            )
            try:
                done[target] = evaluate(cfg)
            except UsageError as e:
                pytest.fail(f"{target.id}: the evaluation could not run: {e}", False)
            _write(done[target], ready, target, tmp_path_factory)
        return done[target]

    return get


def _out(settings, tmp_path_factory, name):
    out = settings.out or tmp_path_factory.mktemp("gpu-eval") / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out.with_name(f"{out.stem}-{name}{out.suffix}")


def _write(results, settings, target, tmp_path_factory):
    out = _out(settings, tmp_path_factory, target.id)
    files.write_text(out, json.dumps(results, indent=2) + "\n")
    reported = report.load_reported()
    table = report.markdown(results, reported) + paper_claims.gpu_summary(results, reported)
    files.write_text(out.with_suffix(".md"), table)
    report.append_job_summary(table)
    print(f"\n{table}\nresults: {out}")


def test_gate(target, evaluations, settings):
    """Measured top-1 and top-5 within the tolerance of every gated reported number; with the
    blacklist, the paper's subset number is measured beside them (reported, never gated)."""
    results = evaluations(target)
    assert results["devices"]["gpus"], "the evaluation ran without a GPU"
    failures = report.gate_failures(results, report.load_reported())
    if settings.blacklist and results["full_validation_set"]:
        blacklisted = len(data.read_blacklist(settings.blacklist))
        assert results["non_blacklisted"]["n"] == data.VAL_IMAGES - blacklisted
    assert not failures, "\n".join(failures)


def test_released_weights(target, evaluations, settings):
    """The gate is about the released files: the .h5 by Keras's md5, a TF-Slim archive by the
    digests golden/checkpoints.yaml pins (measured ones: TF-Slim publishes none)."""
    w = evaluations(target)["weights"]
    if w.get("format") == "TF-Slim checkpoint":
        print(f"\n{target.model}: {w['digested']} sha256 {w['sha256']} md5 {w['md5']}")
        assert w["matches_pinned"] is not False, (
            f"{w['digested']} is not the archive golden/checkpoints.yaml pins (sha256 "
            f"{w['sha256']}, md5 {w['md5']}; {w['pinned_source']})"
        )
    elif settings.weights is not None:
        assert w["matches_released"], (
            f"{settings.weights} is not the released file (md5 {w['md5']}, released "
            f"{w['released_md5']})"
        )


def test_the_validation_set_is_the_official_one(ready, selected, evaluations):
    results = evaluations(selected[0])
    tar = results["dataset"]["tar"]
    assert tar is None or tar["official"], (
        f"the validation split was built from {tar['path']} (md5 {tar['md5']}, "
        f"{tar['images']:,} images), not ILSVRC2012_img_val.tar (md5 {data.VAL_TAR_MD5})"
    )
    assert results["dataset"]["images_in_split"] == data.VAL_IMAGES
    # Wherever the split was built: its records' count, names and content digest.
    problems, digest = data.official_split_problems(ready.data_dir)
    print(f"content digest of the split's records: {digest}")
    assert not problems, f"{ready.data_dir}: " + "; ".join(problems)


def test_keras_file_is_the_slim_checkpoint_converted(ready, tmp_path_factory):
    """compare-weights on the released files: the Keras .h5 against TF-Slim's IRv2 checkpoint,
    the background row and the aux head left out. The comparison is written beside the
    results."""
    result = conversion.compare(None, None)
    out = _out(ready, tmp_path_factory, "compare-weights")
    files.write_text(out, json.dumps(result, indent=2) + "\n")
    print(f"\n{conversion.render(result)}\ncomparison: {out}")
    assert result["identical"], conversion.render(result)
