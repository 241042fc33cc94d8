"""The released weights: pinned fingerprints, the legacy .h5 path, and every bad file."""

import hashlib
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

from inception_repro.evaluate import run, weights
from inception_repro.evaluate.weights import WeightsError

pytestmark = pytest.mark.eval

IRV2 = "keras-inception-resnet-v2"


def test_pinned_md5s_are_the_installed_keras_own():
    irv2 = weights.RELEASED[IRV2]
    assert (irv2.md5, irv2.notop_md5) == (
        "e693bd0210a403b3192acc6073ad2e96",
        "d19885ff4a710c122648d3b5c3b684e4",
    )
    sources = Path(keras.__file__).parent / "src" / "applications"
    for model_id, module in (
        (IRV2, "inception_resnet_v2.py"),
        ("keras-inception-v3", "inception_v3.py"),
    ):
        text = (sources / module).read_text()
        released = weights.RELEASED[model_id]
        for name, md5 in (
            (released.file_name, released.md5),
            (released.notop_file_name, released.notop_md5),
        ):
            assert f'"{md5}"' in text
            assert name.replace("_notop", "") in text.replace('"\n                "', "")
        assert released.origin.startswith(weights.BUCKET + released.folder)


def test_generated_legacy_file_loads_into_the_real_model(irv2_weights):
    """Keras's loader fills every variable of the model the eval builds (registry.for_weights:
    zeros until loaded) with the file's values, which are nowhere all zeros."""
    model = run.registry_model(IRV2, weights.resolve(IRV2, irv2_weights))()
    compared = 0
    with h5py.File(irv2_weights) as f:
        names = [name.decode() for name in f.attrs["layer_names"]]
        for layer, group in zip(model.layers, (f[name] for name in names), strict=True):
            stored = [np.asarray(group[name]) for name in group.attrs["weight_names"]]
            held = layer.trainable_weights + layer.non_trainable_weights
            assert len(held) == len(stored), layer.name
            for w, value in zip(held, stored, strict=True):
                assert np.any(value), f"{layer.name}/{w.name} is all zeros in the file"
                np.testing.assert_array_equal(w.numpy(), value, err_msg=f"{layer.name}/{w.name}")
                compared += 1
    assert compared == len(model.weights)


def test_local_file_md5_is_recorded_and_compared(irv2_weights):
    wf = weights.resolve(IRV2, irv2_weights)
    assert wf.md5 == hashlib.md5(irv2_weights.read_bytes()).hexdigest()
    assert wf.released_md5 == weights.RELEASED[IRV2].md5
    assert wf.matches_released is False
    assert wf.as_dict()["origin"] == "local file"


def test_truncated_file_is_refused(irv2_weights, tmp_path):
    truncated = tmp_path / "W.h5"
    with open(irv2_weights, "rb") as f:
        truncated.write_bytes(f.read(1 << 20))
    with pytest.raises(WeightsError, match="truncated or corrupt"):
        weights.resolve(IRV2, truncated)


def test_file_named_like_the_released_one_must_have_its_md5(tmp_path):
    fake = tmp_path / weights.RELEASED[IRV2].file_name
    fake.write_bytes(b"not the released file")
    with pytest.raises(WeightsError, match="named like a released weights file"):
        weights.resolve(IRV2, fake)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.h5", None, "not found"),
        ("W.keras", b"x", "not a .h5 file"),
        ("text.h5", b"hello", "not a readable HDF5 file"),
    ],
)
def test_bad_local_files_are_refused(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(WeightsError, match=message):
        weights.resolve(IRV2, path)


def test_hdf5_without_keras_weights_is_refused(tmp_path):
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.zeros(3)
    with pytest.raises(WeightsError, match="not a Keras weights file"):
        weights.resolve(IRV2, path)


def test_file_of_another_model_does_not_fit(irv2_weights):
    build = run.registry_model("keras-inception-v3", weights.resolve(IRV2, irv2_weights))
    with pytest.raises(WeightsError, match="does not fit keras-inception-v3.*Layer count"):
        build()


def test_default_is_the_released_file_through_get_file(monkeypatch, tmp_path):
    calls = []

    def get_file(fname, origin, cache_subdir, file_hash):
        calls.append((fname, origin, cache_subdir, file_hash))
        return str(tmp_path / fname)

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    wf = weights.resolve(IRV2)
    released = weights.RELEASED[IRV2]
    assert calls == [(released.file_name, released.origin, "models", released.md5)]
    assert wf.md5 == released.md5 and wf.matches_released


def test_fetch_failure_says_where_to_put_the_file(monkeypatch, tmp_path):
    def get_file(*args, **kwargs):
        raise Exception("URL fetch failure on https://example.invalid: None -- no network")

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(WeightsError) as error:
        weights.resolve(IRV2)
    assert str(tmp_path / "models" / weights.RELEASED[IRV2].file_name) in str(error.value)
    assert "--weights" in str(error.value)


def test_model_without_released_weights_needs_a_file():
    with pytest.raises(WeightsError, match="--weights PATH"):
        weights.resolve("slim-inception-resnet-v2")
