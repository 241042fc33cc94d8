"""Upstream at arm's length (src/inception_repro/upstream.py): every private name of Keras,
TensorFlow and TFDS is used there and nowhere else; each still works in the installed versions,
or the test names the symbol and the version; and where one has moved, every command still
works the public way, with one warning line."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from support.groups import FRESH_PROCESS

from inception_repro import summary, upstream

pytestmark = pytest.mark.structure

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ["src", "tools", "tests", "fixtures", "conftest.py"]
# the two homes of upstream internals: the package's, and the tests' for pytest and xdist
HOMES = {ROOT / "src/inception_repro/upstream.py", ROOT / "tests/support/pytest_internals.py"}
PRIVATE_MODULES = ("keras.src", "tensorflow.python", "tensorflow_datasets.core", "tf_keras.src")


def _python_files():
    for entry in SCANNED:
        path = ROOT / entry
        yield from [path] if path.is_file() else sorted(path.rglob("*.py"))


def _own_names(tree) -> set[str]:
    """Names bound to this project's modules (their private helpers are not upstream's)."""
    own = {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            ("inception_repro", "support", "fixtures", "drift_report")
        ):
            own.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            own.update(
                (a.asname or a.name).split(".")[0]
                for a in node.names
                if a.name.startswith(("inception_repro", "drift_report", "fake_imagenet"))
            )
    return own


def private_uses(path: Path, root: Path = ROOT) -> list[str]:
    """Each import of an upstream private module, and each access to an attribute named with a
    leading underscore (not a dunder) of an object that is not this project's."""
    tree = ast.parse(path.read_text(), str(path))
    own, found = _own_names(tree), []
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        found += [
            f"{path.relative_to(root)}:{node.lineno}: imports {m}"
            for m in modules
            if m.startswith(PRIVATE_MODULES)
        ]
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in own)
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno}: reads .{node.attr}")
    return found


def test_no_private_upstream_name_outside_its_home():
    found = [use for path in _python_files() if path not in HOMES for use in private_uses(path)]
    assert found == [], "move these into src/inception_repro/upstream.py:\n" + "\n".join(found)


def test_the_scan_sees_a_private_import_and_a_private_attribute(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from keras.src.backend.common import global_state\n"
        "from inception_repro import data\n"
        "v._value\n"
        "data._builder\n"
        "self._own\n"
        "x.__class__\n"
    )
    assert private_uses(sample, tmp_path) == [
        "sample.py:1: imports keras.src.backend.common",
        "sample.py:3: reads ._value",
    ]


def test_every_private_name_works_in_the_installed_keras():
    """Fails the day one has moved, naming the symbol and the installed version."""
    assert upstream.problems() == []


@pytest.fixture
def moved_global_state(monkeypatch):
    """As a Keras release that moves keras.src.backend.common.global_state would have it."""
    monkeypatch.setitem(sys.modules, upstream.GLOBAL_STATE, None)  # its import now fails
    upstream.forget()
    yield
    monkeypatch.undo()
    upstream.forget()


def small():
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(4, 3, name="c")(inputs)
    x = keras.layers.BatchNormalization(scale=False, name="c_bn")(x)
    return keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))


def test_a_moved_name_is_named_with_the_version(moved_global_state):
    (line,) = upstream.problems()
    assert line.startswith(f"keras {keras.__version__}: {upstream.GLOBAL_STATE} cannot be imp")


def test_without_deferred_variables_a_graph_is_a_whole_build_with_one_warning(
    moved_global_state, capsys
):
    with upstream.graph_only():
        graph = small()
    with upstream.graph_only():
        small()
    assert all(upstream.has_value(v) for v in graph.weights)  # built whole
    assert summary.summarise(graph) == summary.summarise(small())
    (warning,) = capsys.readouterr().err.splitlines()  # one line, however many builds
    assert warning.startswith(f"inception-repro: warning: keras {keras.__version__}: ")
    assert upstream.GLOBAL_STATE in warning and "building whole models instead" in warning


def test_without_deferred_variables_a_zero_filled_model_still_holds_zeros(moved_global_state):
    from inception_repro import build

    filled = upstream.zero_filled(lambda: build.Built(small(), ())).model
    assert [float(np.abs(v.numpy()).max()) for v in filled.variables] == [0.0] * 5


@pytest.fixture
def moved_initialize(monkeypatch):
    """As a Keras release whose Variable._initialize no longer works would have it: its probe
    fails (Keras itself still uses its own)."""
    monkeypatch.setattr(upstream, "_initialize_problem", lambda: "is gone")
    upstream.forget()
    yield
    monkeypatch.undo()
    upstream.forget()


def test_without_initialize_a_graph_is_a_whole_build_that_zeros_can_fill(moved_initialize, capsys):
    with upstream.graph_only():
        graph = small()
    assert all(upstream.has_value(v) for v in graph.weights)  # built whole
    upstream.fill_with_zeros(graph)  # assigned, as the variables hold values
    assert [float(np.abs(v.numpy()).max()) for v in graph.variables] == [0.0] * 5
    (warning,) = capsys.readouterr().err.splitlines()
    assert upstream.INITIALIZE in warning and "building whole models" in warning


# A Keras whose global_state lives elsewhere, in a fresh process: Keras itself imports it, and
# this package's import of it by its old name fails, as after a release that moved it.
MOVED = """
import sys
import keras
sys.modules["keras.src.backend.common.global_state"] = None
from inception_repro.cli import main
sys.exit(main(sys.argv[1:]))
"""


@FRESH_PROCESS
def test_the_command_line_summarises_when_a_private_name_moved(summary_of):
    args = ["summary", "paper-inception-resnet-v1", "--input-size", "75", "75", "--no-top"]
    done = subprocess.run(
        [sys.executable, "-c", MOVED, *args, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed.pop("model") == "paper-inception-resnet-v1" and not printed.pop("include_top")
    assert printed == summary_of("paper-inception-resnet-v1", (75, 75), False)
    warnings = [x for x in done.stderr.splitlines() if x.startswith("inception-repro: warning")]
    assert len(warnings) == 1 and upstream.GLOBAL_STATE in warnings[0], done.stderr


def test_the_copied_naming_rule_is_keras_own_on_every_layer_class():
    """The fallback for Keras's to_snake_case, judged by the function itself, on every class
    that keras.layers exports (a layer's automatic name is this stem, then _N)."""
    import importlib

    keras_own = importlib.import_module(upstream.NAMING).to_snake_case
    classes = [n for n in dir(keras.layers) if n[0].isupper()]
    assert len(classes) > 100
    assert {n: upstream.snake_case_copy(n) for n in classes} == {n: keras_own(n) for n in classes}
    assert upstream.auto_name_stem("CustomScaleLayer") == "custom_scale_layer"


def test_without_keras_naming_rule_a_summary_is_the_same_with_one_warning(monkeypatch, capsys):
    summaries = summary.summarise(small())
    monkeypatch.setitem(sys.modules, upstream.NAMING, None)  # as a Keras that moved it
    upstream.forget()
    try:
        assert summary.summarise(small()) == summaries
        (warning,) = capsys.readouterr().err.splitlines()
        assert f"{upstream.NAMING}.to_snake_case cannot be imported" in warning
        assert "using a copy of its rule" in warning
    finally:
        monkeypatch.undo()
        upstream.forget()
