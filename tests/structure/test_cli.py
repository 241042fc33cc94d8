"""The command line: ids, JSON fields, clear errors with exit 2 and no traceback."""

import json
import subprocess
import sys

import keras
import pytest
from support.groups import FRESH_PROCESS, RELEASED, RELEASED_OTHER_SIZES, model_group, per_model
from support.published import RELEASED_PARAMS

from inception_repro import cli, tf_logs

pytestmark = pytest.mark.structure

# xdist: a command that builds the released model in this process runs where that model is built
# anyway (the command line builds it itself, not through the shared summaries)
BUILDS_THE_RELEASED_MODEL = model_group(RELEASED)


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# README's Models table
MODEL_IDS = [
    "keras-inception-resnet-v2",
    "tfkeras-inception-resnet-v2",
    "keras-inception-v3",
    "slim-inception-resnet-v2",
    "slim-inception-v4",
    "paper-inception-v4",
    "paper-inception-resnet-v1",
    "paper-inception-resnet-v2",
]


def test_models_lists_every_id(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines() if line and not line[0].isspace()]
    assert sorted(listed) == sorted(MODEL_IDS)


@BUILDS_THE_RELEASED_MODEL
def test_summary_json_has_the_promised_fields(capsys):
    code, out, _ = run(capsys, "summary", "keras-inception-resnet-v2", "--json")
    s = json.loads(out)
    assert code == 0
    assert s["model"] == "keras-inception-resnet-v2"
    assert s["input_shape"] == [299, 299, 3]
    p = s["params"]
    assert (p["total"], p["trainable"], p["non_trainable"]) == RELEASED_PARAMS[True]
    assert s["stages"][0] == {"name": "stem", "output_shape": [35, 35, 320]}
    assert len(s["layers"]) == 782


@RELEASED_OTHER_SIZES  # without the top: built there for the parity tests
def test_summary_no_top(capsys):
    code, out, _ = run(capsys, "summary", "keras-inception-resnet-v2", "--no-top", "--json")
    assert code == 0 and json.loads(out)["params"]["total"] == RELEASED_PARAMS[False][0]


@BUILDS_THE_RELEASED_MODEL
def test_summary_table_shows_named_layers_and_totals(capsys):
    code, out, _ = run(capsys, "summary", "keras-inception-resnet-v2")
    assert code == 0
    assert "conv_7b" in out and "block35_10_ac" in out
    assert "total 55,873,736 = trainable 55,813,192 + non-trainable 60,544" in out


def test_unknown_id_exits_2_listing_known_ids(capsys):
    code, _, err = run(capsys, "summary", "inception-v5")
    assert code == 2
    assert "unknown model id 'inception-v5'" in err and "keras-inception-resnet-v2" in err


# keras: the installed inception_resnet_v2.py's obtain_input_shape(min_size=75), which Keras
# itself enforces (below). slim, with the top: the aux head's 5x5 average pool on the 17x17 map.
# A side s goes (s-3)//2+1, -2, same, (x-3)//2+1, same, -2, (x-3)//2+1 through the stem and
# (x-3)//2+1 through Mixed_6a: 107 -> 53, 51, 51, 25, 25, 23, 11, 5 (a window fits);
# 106 -> 52, 50, 50, 24, 24, 22, 10, 4 (none does).
MINIMUM = {"keras-inception-resnet-v2": 75, "slim-inception-resnet-v2": 107}


@pytest.mark.parametrize("model_id", per_model(MINIMUM))
def test_too_small_input_exits_2_naming_the_minimum(capsys, model_id):
    code, _, err = run(capsys, "summary", model_id, "--input-size", "74", "300")
    assert code == 2
    assert model_id in err and "74x300" in err
    assert f"minimum is {MINIMUM[model_id]}x{MINIMUM[model_id]}" in err


def test_keras_itself_refuses_below_its_minimum():
    with pytest.raises(ValueError, match="at least 75x75"):
        keras.applications.InceptionResNetV2(weights=None, input_shape=(74, 300, 3))


@FRESH_PROCESS
def test_summary_is_identical_in_a_fresh_process(summary_of):
    """... and the command prints nothing on stderr: no TensorFlow start-up lines. (Inception-v3:
    nearly all its layers carry Keras's counted default names, which differ between the two
    processes.)"""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "inception_repro.cli",
            "summary",
            "keras-inception-v3",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == ""
    fresh = json.loads(done.stdout)
    assert {k: fresh[k] for k in ("input_shape", "params", "stages", "layers")} == summary_of(
        "keras-inception-v3"
    )


def test_errors_print_no_traceback():
    p = subprocess.run(
        [sys.executable, "-m", "inception_repro.cli", "summary", "nope"],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and "unknown model id 'nope'" in p.stderr


def test_diff_and_models_start_no_tensorflow():
    """Both compute from the specs and the registry alone: no TensorFlow start (seconds)."""
    code = (
        "import sys\n"
        "from inception_repro.cli import main\n"
        "assert main(['diff', 'paper-inception-resnet-v2', 'keras-inception-resnet-v2']) == 0\n"
        "assert main(['models']) == 0\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1] == "[]"
    assert "discrepancies" in p.stdout


# As TensorFlow 2.21 prints them on a machine without CUDA, while it loads.
STARTUP = """WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796189189.809852   17556 port.cc:153] oneDNN custom operations are on.
I0000 00:00:1796189189.810421   17556 cudart_stub.cc:31] Could not find cuda drivers on your machine
W0000 00:00:1796189189.900000   17556 some_op.cc:12] a warning
E0000 00:00:1796189190.045442   17556 cuda_platform.cc:52] failed call to cuInit
a line of Python's own
"""


def test_quiet_start_up_drops_info_lines_and_keeps_warnings_and_errors():
    assert tf_logs.kept(STARTUP).splitlines() == [
        "W0000 00:00:1796189189.900000   17556 some_op.cc:12] a warning",
        "E0000 00:00:1796189190.045442   17556 cuda_platform.cc:52] failed call to cuInit",
        "a line of Python's own",
    ]


def test_verbose_is_a_global_option():
    args = cli.parser().parse_args(["--verbose", "summary", "paper-inception-v4"])
    assert args.verbose and args.model == "paper-inception-v4"
    assert not cli.parser().parse_args(["models"]).verbose
