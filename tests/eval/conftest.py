"""Generated inputs for the offline evaluation tests: built once per test session (per xdist
worker), in pytest's temporary folders."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FAKE_IMAGES = 36
BLACKLIST = (2, 3, 5, 8, 13, 21, 34)


def load_fixture_module(name: str):
    module_name = f"fixtures_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, FIXTURES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[module_name]


@pytest.fixture(scope="session")
def fake_imagenet():
    return load_fixture_module("fake_imagenet")


@pytest.fixture(scope="session")
def legacy_weights():
    return load_fixture_module("legacy_weights")


@pytest.fixture(scope="session")
def assorted_jpegs():
    """{kind: JPEG bytes}: fixtures/assorted_jpegs.py, written by Pillow."""
    return load_fixture_module("assorted_jpegs").assorted()


@pytest.fixture(scope="session")
def fake_val(tmp_path_factory, fake_imagenet):
    """(manual dir holding a fake ILSVRC2012_img_val.tar, the plan of its images)."""
    manual = tmp_path_factory.mktemp("manual")
    return manual, fake_imagenet.write_val_tar(manual, FAKE_IMAGES)


@pytest.fixture(scope="session")
def fake_data_dir(tmp_path_factory, fake_val):
    """A TFDS data dir with the validation split built from the fake tar."""
    from inception_repro.evaluate import data

    data_dir = tmp_path_factory.mktemp("tfds")
    data.prepare(fake_val[0], data_dir)
    return data_dir


@pytest.fixture(scope="session")
def blacklisted():
    """The validation indices the test blacklist file lists."""
    return BLACKLIST


@pytest.fixture(scope="session")
def blacklist_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("devkit") / "ILSVRC2014_clsloc_validation_blacklist.txt"
    path.write_text("".join(f"{i}\n" for i in BLACKLIST))
    return path


@pytest.fixture(scope="session")
def irv2_weights(tmp_path_factory, legacy_weights, loaded):
    """A legacy Keras 2 .h5 weights file for keras-inception-resnet-v2, holding numerics'
    deterministic weights (no variable of them all zeros): the model the numerics tests load."""
    path = tmp_path_factory.mktemp("weights") / "W.h5"
    return legacy_weights.write_legacy_h5(loaded("keras-inception-resnet-v2").model, path)


@pytest.fixture(scope="session")
def slim_checkpoint():
    return load_fixture_module("slim_checkpoint")


@pytest.fixture(scope="session")
def slim_shapes():
    """shapes(model id) -> {checkpoint name: shape} of a TF-Slim model: tests/support/
    slim_names.py's, a reading of TF-Slim's code apart from the transcriptions and from the
    loader's mapping (their totals are the parameter counts of the models:
    test_eval_checkpoints.py). A name the loader pairs with a layer of another shape fails the
    load."""
    from support import slim_names

    return lambda model_id: slim_names.SHAPES[model_id]()


@pytest.fixture(scope="session")
def v4_checkpoint(tmp_path_factory, slim_checkpoint, slim_shapes):
    """A synthetic inception_v4.ckpt (V1, as released) with the training step counter."""
    values = slim_checkpoint.variables(slim_shapes("slim-inception-v4"))
    values["global_step"] = np.int64(1)
    path = tmp_path_factory.mktemp("slim-v4") / "inception_v4.ckpt"
    return slim_checkpoint.write(path, values), values
