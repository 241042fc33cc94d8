"""The command line: ids, JSON fields, clear errors with exit 2 and no traceback."""

import json
import subprocess
import sys

import pytest

from inception_repro import cli

pytestmark = pytest.mark.structure


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_lists_every_id(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    for model_id in ("keras-inception-resnet-v2", "keras-inception-v3", "slim-inception-resnet-v2"):
        assert model_id in out


def test_summary_json_has_the_promised_fields(capsys):
    code, out, _ = run(capsys, "summary", "keras-inception-resnet-v2", "--json")
    s = json.loads(out)
    assert code == 0
    assert s["model"] == "keras-inception-resnet-v2"
    assert s["input_shape"] == [299, 299, 3]
    assert s["params"] == {"total": 55_873_736, "trainable": 55_813_192, "non_trainable": 60_544}
    assert s["stages"][0] == {"name": "stem", "output_shape": [35, 35, 320]}
    assert len(s["layers"]) == 782


def test_summary_no_top(capsys):
    code, out, _ = run(capsys, "summary", "keras-inception-resnet-v2", "--no-top", "--json")
    assert code == 0 and json.loads(out)["params"]["total"] == 54_336_736


def test_summary_table_shows_named_layers_and_totals(capsys):
    code, out, _ = run(capsys, "summary", "keras-inception-resnet-v2")
    assert code == 0
    assert "conv_7b" in out and "block35_10_ac" in out
    assert "total 55,873,736 = trainable 55,813,192 + non-trainable 60,544" in out


def test_unknown_id_exits_2_listing_known_ids(capsys):
    code, _, err = run(capsys, "summary", "inception-v5")
    assert code == 2
    assert "unknown model id 'inception-v5'" in err and "keras-inception-resnet-v2" in err


@pytest.mark.parametrize("model_id", ["keras-inception-resnet-v2", "slim-inception-resnet-v2"])
def test_too_small_input_exits_2_naming_the_minimum(capsys, model_id):
    code, _, err = run(capsys, "summary", model_id, "--input-size", "74", "300")
    assert code == 2
    assert model_id in err and "74x300" in err
    # slim's aux head needs a 5x5 window on the 17x17 map: 107 with the top
    assert "minimum is 75x75" in err or "minimum is 107x107" in err


def test_summary_is_identical_in_a_fresh_process(summary_of):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "inception_repro.cli",
            "summary",
            "keras-inception-resnet-v2",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fresh = json.loads(out)
    assert {k: fresh[k] for k in ("input_shape", "params", "stages", "layers")} == summary_of(
        "keras-inception-resnet-v2"
    )


def test_errors_print_no_traceback():
    p = subprocess.run(
        [sys.executable, "-m", "inception_repro.cli", "summary", "nope"],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and "unknown model id 'nope'" in p.stderr
