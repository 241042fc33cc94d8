"""The GPU job (tox -e gpu-eval, tests/gpu) where it cannot run: it fails, saying why."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.groups import FRESH_PROCESS

pytestmark = pytest.mark.eval

ROOT = Path(__file__).resolve().parents[2]


def gpu_job(tmp_path, *args, **environ):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("IMAGENET_", "PYTEST_", "TFDS"))
    }
    env.update(KERAS_HOME=str(tmp_path / "keras"), TFDS_DATA_DIR=str(tmp_path / "tfds"))
    env.update(environ)
    env["CUDA_VISIBLE_DEVICES"] = ""  # as on a machine without a GPU
    command = [sys.executable, "-m", "pytest", "-m", "gpu", "-p", "no:cacheprovider", "tests/gpu"]
    done = subprocess.run(
        [*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    return done.returncode, done.stdout + done.stderr


@FRESH_PROCESS
def test_without_gpu_data_or_weights_it_fails_naming_each_checkpoint(tmp_path):
    code, out = gpu_job(tmp_path, "-k", "gate")
    assert code == 1
    assert "6 errors" in out and "passed" not in out
    for what in (
        "no GPU is visible to TensorFlow",
        "no ImageNet (set IMAGENET_MANUAL_DIR",
        "no weights for keras-inception-resnet-v2: inception_resnet_v2_weights_tf_dim_ordering",
        "no weights for slim-inception-resnet-v2: inception_resnet_v2_2016_08_30.tar.gz",
        "no weights for slim-inception-v4: inception_v4_2016_09_09.tar.gz",
    ):
        assert what in out, what


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--model", "slim-inception-v4", "--protocol", "keras-applications"],
            "matches no gated evaluation; the gated ones (golden/accuracy.yaml): ",
        ),
        (["--weights", "irv2.h5"], "--weights needs --model: the weights file of which model?"),
        (["--limit", "all"], "argument --limit: invalid int value: 'all'"),
    ],
    ids=["a selection of no gated evaluation", "--weights without --model", "--limit not a number"],
)
def test_bad_options_are_usage_errors_before_tensorflow_starts(tmp_path, argv, message):
    """A tensorflow package that fails when imported is first on the path, and nothing imports
    it."""
    broken = tmp_path / "path" / "tensorflow"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('TensorFlow was started')\n")
    code, out = gpu_job(tmp_path, *argv, PYTHONPATH=str(broken.parent))
    assert code == 4, out  # pytest's usage error
    assert message in out, out
    if argv[0] == "--model":
        assert "slim-inception-v4-timm" in out
