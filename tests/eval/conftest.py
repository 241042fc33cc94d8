"""Generated inputs for the offline evaluation tests, from the generators in fixtures/: built once
per test session (per xdist worker), in pytest's temporary folders."""

from __future__ import annotations

import numpy as np
import pytest
from support import slim_names

from fixtures import fake_imagenet, legacy_weights, slim_checkpoint

FAKE_IMAGES = 36
BLACKLIST = (2, 3, 5, 8, 13, 21, 34)


@pytest.fixture(scope="session")
def fake_val(tmp_path_factory):
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
def irv2_weights(tmp_path_factory, loaded):
    """A legacy Keras 2 .h5 weights file for keras-inception-resnet-v2, holding numerics'
    deterministic weights (no variable of them all zeros): the model the numerics tests load."""
    path = tmp_path_factory.mktemp("weights") / "W.h5"
    return legacy_weights.write_legacy_h5(loaded("keras-inception-resnet-v2").model, path)


@pytest.fixture(scope="session")
def v4_checkpoint(tmp_path_factory):
    """A synthetic inception_v4.ckpt (V1, as released) with the training step counter."""
    values = slim_checkpoint.variables(slim_names.SHAPES["slim-inception-v4"]())
    values["global_step"] = np.int64(1)
    path = tmp_path_factory.mktemp("slim-v4") / "inception_v4.ckpt"
    return slim_checkpoint.write(path, values), values
