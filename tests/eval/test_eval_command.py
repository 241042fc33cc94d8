"""`inception-repro eval` end to end on CPU, as a user runs it."""

import argparse
import hashlib
import json
import re

import pytest
from support.groups import RELEASED, model_group

from inception_repro.errors import UsageError
from inception_repro.evaluate import command, config, report, run

# irv2_weights is written from the released model with its weights, built in its group
pytestmark = [pytest.mark.eval, model_group(RELEASED)]


def parse(*argv):
    parser = argparse.ArgumentParser(prog="inception-repro")
    command.add_parser(parser.add_subparsers())
    return parser.parse_args(["eval", *argv])


def test_done_when_command_writes_results(
    fake_val, fake_data_dir, irv2_weights, tmp_path, monkeypatch, capsys
):
    """The real network from a .h5, end to end under its own protocol (keras-applications); the
    pipeline's exact metrics are test_eval_pipeline.py's, on a model that knows the answers."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = tmp_path / "r.json"
    args = parse(
        "--allow-cpu", "--model", "keras-inception-resnet-v2", "--weights", str(irv2_weights),
        "--protocol", "keras-applications", "--manual-dir", str(fake_val[0]),
        "--data-dir", str(fake_data_dir), "--limit", "4", "--out", str(out), "--no-progress",
    )  # fmt: skip
    assert args.func(args) == 0
    results = json.loads(out.read_text())
    assert results["n"] == 4
    assert 0 <= results["top1"] <= results["top5"] <= 100
    assert results["weights"]["md5"] == hashlib.md5(irv2_weights.read_bytes()).hexdigest()
    assert results["weights"]["matches_released"] is False
    table = capsys.readouterr().out
    assert "| keras-applications-readme | full: 4 | 80.256 |" in table
    assert "not gated: partial set" in table
    assert "(not the released file, md5 e693bd0210a403b3192acc6073ad2e96)" in table
    assert summary.read_text() in table + "\n"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--limit", "0"], "--limit 0: give a positive number"),
        (["--batch-size", "-1"], "--batch-size -1"),
        (["--protocol", "inception"], "unknown protocol 'inception'"),
        (["--model", "inception-v5"], "unknown model id 'inception-v5'; known ids: keras-"),
        ([], "no GPU is visible to TensorFlow"),
    ],
)
def test_bad_arguments_are_usage_errors(tmp_path, argv, message, monkeypatch):
    monkeypatch.setattr(run, "gpu_names", lambda: [])  # a machine without a GPU
    args = parse("--model", "keras-inception-resnet-v2", "--data-dir", str(tmp_path), *argv)
    with pytest.raises(UsageError, match=message):
        args.func(args)


def test_missing_imagenet_is_a_usage_error(tmp_path, irv2_weights):
    args = parse(
        "--allow-cpu", "--model", "keras-inception-resnet-v2", "--weights", str(irv2_weights),
        "--manual-dir", str(tmp_path / "imagenet"), "--data-dir", str(tmp_path / "tfds"),
    )  # fmt: skip
    with pytest.raises(UsageError, match="ILSVRC2012_img_val.tar"):
        args.func(args)


def test_missing_imagenet_is_reported_before_any_weights_download(tmp_path, monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError("the weights were fetched before the data was checked")

    monkeypatch.setattr("keras.utils.get_file", no_download)
    args = parse(
        "--allow-cpu", "--model", "keras-inception-resnet-v2",
        "--manual-dir", str(tmp_path / "imagenet"), "--data-dir", str(tmp_path / "tfds"),
    )  # fmt: skip
    with pytest.raises(UsageError, match="ILSVRC2012_img_val.tar"):
        args.func(args)


def test_help_lists_protocols_and_defaults():
    parser = argparse.ArgumentParser(prog="inception-repro")
    sub = command.add_parser(parser.add_subparsers())
    text = re.sub(r"-\s+", "-", " ".join(sub.format_help().split()))
    for word in ("--allow-cpu", "--blacklist FILE", "slim, keras-applications, timm", "KERAS_HOME"):
        assert word in text


@pytest.mark.parametrize("gpus", [[], ["NVIDIA H200"]], ids=["no GPU", "a GPU"])
def test_the_evaluation_runs_on_a_gpu_or_with_allow_cpu(gpus, monkeypatch):
    monkeypatch.setattr(run, "gpu_names", lambda: gpus)
    run.require_device(allow_cpu=True)
    if gpus:
        run.require_device(allow_cpu=False)
    else:
        with pytest.raises(UsageError, match="no GPU is visible to TensorFlow"):
            run.require_device(allow_cpu=False)


def test_the_data_dir_defaults_to_tfds_own(monkeypatch, tmp_path):
    """`eval` and the GPU gate (tests/gpu/conftest.py) both default to config.default_data_dir."""
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    assert config.default_data_dir() == tmp_path
    assert parse("--model", "keras-inception-resnet-v2").data_dir == tmp_path
    monkeypatch.delenv("TFDS_DATA_DIR")
    assert config.default_data_dir() == config.Path.home() / "tensorflow_datasets"


def test_reported_numbers_come_from_golden_or_reported(tmp_path, monkeypatch):
    assert {r.id for r in command.reported_numbers(None)} >= {"slim-readme", "timm-results"}
    copy = tmp_path / "accuracy.yaml"
    copy.write_text(report.GOLDEN.read_text())
    assert command.reported_numbers(copy) == command.reported_numbers(None)
    with pytest.raises(UsageError, match="--reported .*nope.yaml: no such file"):
        command.reported_numbers(tmp_path / "nope.yaml")
