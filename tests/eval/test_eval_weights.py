"""The released weights: pinned fingerprints, the legacy .h5 path, and every bad file."""

import dataclasses
import hashlib
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
from support.groups import RELEASED, model_group

from fixtures import legacy_weights
from inception_repro.evaluate import run, weights
from inception_repro.evaluate.weights import WeightsError

# irv2_weights is written from the released model with its weights, built in its group
pytestmark = [pytest.mark.eval, model_group(RELEASED)]

IRV2 = "keras-inception-resnet-v2"


def test_pinned_md5s_are_the_installed_keras_own():
    irv2 = weights.RELEASED_H5[IRV2]
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
        released = weights.RELEASED_H5[model_id]
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
    assert wf.released_md5 == weights.RELEASED_H5[IRV2].md5
    assert wf.matches_released is False
    assert wf.as_dict()["origin"] == "local file"


def test_truncated_file_is_refused(irv2_weights, tmp_path):
    truncated = tmp_path / "W.h5"
    with open(irv2_weights, "rb") as f:
        truncated.write_bytes(f.read(1 << 20))
    with pytest.raises(WeightsError, match="truncated or corrupt"):
        weights.resolve(IRV2, truncated)


def test_file_named_like_the_released_one_must_have_its_md5(tmp_path):
    fake = tmp_path / weights.RELEASED_H5[IRV2].file_name
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


@pytest.fixture(scope="module")
def small_h5(tmp_path_factory):
    """A real Keras weights file in the released files' format (a one-layer model's), small
    enough to copy in every test: what stands for the released file here."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    return legacy_weights.write_legacy_h5(model, tmp_path_factory.mktemp("small") / "small.h5")


@pytest.fixture
def released_here(monkeypatch, tmp_path, small_h5):
    """The default path, fetching for real without a network: keras.utils.get_file itself, its
    cache in tmp_path/home, its origin a file:// copy of a real weights file (small_h5), which
    stands for the released file, its md5 computed here from that file's bytes.
    Returns (the origin file, its md5, the cached path get_file writes)."""
    bucket = tmp_path / "bucket"
    released = weights.RELEASED_H5[IRV2]
    origin = bucket / released.folder / released.file_name
    origin.parent.mkdir(parents=True)
    origin.write_bytes(small_h5.read_bytes())
    md5 = hashlib.md5(origin.read_bytes()).hexdigest()
    monkeypatch.setattr(weights, "BUCKET", f"file://{bucket}/")
    monkeypatch.setitem(weights.RELEASED_H5, IRV2, dataclasses.replace(released, md5=md5))
    real_get_file = keras.utils.get_file
    home = tmp_path / "home"
    home.mkdir()  # get_file falls back to /tmp/.keras when its cache folder is not writable

    def get_file(*args, **kwargs):  # Keras reads KERAS_HOME at import: the cache set here
        return real_get_file(*args, cache_dir=str(home), **kwargs)

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    return origin, md5, home / "models" / released.file_name


def _one_byte_changed(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_default_is_the_released_file_through_get_file(released_here):
    origin, md5, cached = released_here
    wf = weights.resolve(IRV2)
    assert Path(wf.path) == cached and cached.read_bytes() == origin.read_bytes()
    assert hashlib.md5(cached.read_bytes()).hexdigest() == wf.md5 == md5 and wf.matches_released


def test_a_cached_file_with_one_byte_changed_is_fetched_again(released_here):
    origin, md5, cached = released_here
    weights.resolve(IRV2)
    _one_byte_changed(cached)
    wf = weights.resolve(IRV2)
    assert hashlib.md5(Path(wf.path).read_bytes()).hexdigest() == md5


def test_a_released_file_with_one_byte_changed_is_refused(released_here):
    origin, md5, cached = released_here
    _one_byte_changed(origin)
    assert hashlib.md5(origin.read_bytes()).hexdigest() != md5
    with pytest.raises(WeightsError, match="could not fetch the released weights"):
        weights.resolve(IRV2)


def test_fetch_failure_says_where_to_put_the_file(monkeypatch, tmp_path):
    def get_file(*args, **kwargs):
        raise Exception("URL fetch failure on https://example.invalid: None -- no network")

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(WeightsError) as error:
        weights.resolve(IRV2)
    assert str(tmp_path / "models" / weights.RELEASED_H5[IRV2].file_name) in str(error.value)
    assert "--weights" in str(error.value)


def test_model_without_released_weights_needs_a_file():
    with pytest.raises(WeightsError, match="--weights PATH"):
        weights.resolve("slim-inception-resnet-v2")
