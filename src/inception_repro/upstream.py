"""The one home of upstream internals: every private name of Keras, TensorFlow and TFDS that
inception-repro uses lives here, behind a public way that is slower but gives the same result.

- `keras.src.backend.common.global_state` and its `"uninitialized_variables"` list:
  graph-only builds. Inside `keras.StatelessScope(initialize_variables=False)` Keras defers each
  variable's initialiser to that list, which is emptied so that nothing initialises them later:
  an Inception-ResNet-v2 in 1.0-1.5 s instead of 3.3-4.5 s. Moved: the whole build, the same
  summary.
- `Variable._initialize(value)`: a deferred variable given zeros without drawing its random
  initial value (`fill_with_zeros`, `zero_filled`). Moved: graph-only builds are whole builds
  (a deferred variable could not be given a value later), then the public `Variable.assign`.
- `Variable._value`: whether a variable holds a value. Tests of the graph-only builds only.
- `keras.src.utils.naming.to_snake_case`: the stem of the name Keras gives a layer it was not
  told to name (`Conv2D` -> `conv2d_17`), which canonical summaries leave out (`auto_name_stem`).
  Moved: the same regular expressions, copied here, which a test holds to Keras's own function
  on every class in `keras.layers`.
- The module that defines `keras.applications.InceptionResNetV2`, reached through the function's
  public `__module__` (`defining_module`): its helpers (`conv2d_bn`, `inception_resnet_block`,
  `layers`, `imagenet_utils`, `CustomScaleLayer`), which the drift tests alter as a user
  editing Keras would. Tests only: each drift test fails naming the helper it could not reach.

No TensorFlow or TFDS internal is used: TFDS's offline build needs none since 4.9.8
(pyproject's floor), and summaries read each layer's public `input` and `output`.

Before a private name is first used it is probed on something small (`problems`); if it has moved,
one warning line names the symbol and the installed version, and the public way is used from then
on. tests/structure/test_upstream.py fails, naming the symbol and the version, on the day one has
moved, and fails on a private upstream name used anywhere but here.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.metadata
import re
import sys
from collections.abc import Callable

import keras
import numpy as np

GLOBAL_STATE = "keras.src.backend.common.global_state"
DEFERRED = "uninitialized_variables"  # the key of that module's list (keras variables.py)
INITIALIZE = "keras.Variable._initialize"
NAMING = "keras.src.utils.naming"  # its to_snake_case

_warned: set[str] = set()


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _moved(symbol: str, why: str, fallback: str) -> str:
    """The one warning line for a moved private name, printed once per process."""
    line = (
        f"inception-repro: warning: keras {version('keras')}: {symbol} {why}; {fallback} "
        "(see src/inception_repro/upstream.py)"
    )
    if symbol not in _warned:
        _warned.add(symbol)
        print(line, file=sys.stderr)
    return line


def _global_state_problem():
    """(global_state, None) when Keras defers variables to its list as expected, else
    (None, what is wrong)."""
    try:
        state = importlib.import_module(GLOBAL_STATE)
    except ImportError as e:
        return None, f"cannot be imported ({e})"
    with keras.StatelessScope(initialize_variables=False):
        probe = keras.Variable("zeros", shape=(1,), name="upstream_probe")
    try:
        deferred = state.get_global_attribute(DEFERRED)
    except AttributeError as e:
        return None, f"has no get_global_attribute ({e})"
    if not isinstance(deferred, list) or not any(v is probe for v in deferred):
        return None, f"no longer lists deferred variables under {DEFERRED!r}"
    state.set_global_attribute(DEFERRED, [])
    return state, None


@functools.cache
def _global_state():
    state, problem = _global_state_problem()
    if problem:
        _moved(GLOBAL_STATE, problem, "building whole models instead (slower, the same summaries)")
    return state


@contextlib.contextmanager
def _deferring():
    """Variables made inside are deferred, then dropped from Keras's list, so that nothing
    initialises them later (graph_only, and the probe of Variable._initialize)."""
    with keras.StatelessScope(initialize_variables=False):
        yield
    _global_state().set_global_attribute(DEFERRED, [])


def _initialize_problem() -> str | None:
    with _deferring():
        probe = keras.Variable("ones", shape=(2,), name="upstream_probe")
    if not hasattr(probe, "_initialize"):
        return "is gone"
    try:
        probe._initialize(np.zeros((2,), "float32"))
    except Exception as e:  # noqa: BLE001 - any failure means the private step changed
        return f"fails ({type(e).__name__}: {e})"
    if np.asarray(probe.numpy()).tolist() != [0.0, 0.0]:
        return "no longer sets the value it is given"
    return None


@functools.cache
def _can_initialize() -> bool:
    if _global_state() is None:
        return False
    problem = _initialize_problem()
    if problem:
        _moved(INITIALIZE, problem, "building whole models, then assigning zeros (slower)")
    return problem is None


def problems() -> list[str]:
    """One line per private name that no longer works as this module expects (none today):
    the symbol, the installed Keras and what is wrong. Probes afresh; warns nothing."""
    found = []
    if (naming_problem := _to_snake_case_problem()[1]) is not None:
        found.append(f"keras {version('keras')}: {NAMING}.to_snake_case {naming_problem}")
    _, problem = _global_state_problem()
    if problem:
        found.append(f"keras {version('keras')}: {GLOBAL_STATE} {problem}")
    elif problem := _initialize_problem():
        found.append(f"keras {version('keras')}: {INITIALIZE} {problem}")
    return found


def forget() -> None:
    """Probe again at the next use (tests that make a name fail)."""
    _to_snake_case.cache_clear()
    _global_state.cache_clear()
    _can_initialize.cache_clear()
    _warned.clear()


# ---- layer names ------------------------------------------------------------------------------


def snake_case_copy(class_name: str) -> str:
    """keras.src.utils.naming.to_snake_case as Keras 3.15 writes it, for when it has moved."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _to_snake_case_problem():
    """(Keras's to_snake_case, None) when it is there and names Conv2D as Keras does, else
    (None, what is wrong)."""
    try:
        function = importlib.import_module(NAMING).to_snake_case
    except (ImportError, AttributeError) as e:
        return None, f"cannot be imported ({e})"
    if function("CustomScaleLayer") != "custom_scale_layer":
        return None, "no longer turns CustomScaleLayer into custom_scale_layer"
    return function, None


@functools.cache
def _to_snake_case():
    function, problem = _to_snake_case_problem()
    if problem:
        _moved(f"{NAMING}.to_snake_case", problem, "using a copy of its rule")
    return function or snake_case_copy


def auto_name_stem(class_name: str) -> str:
    """The stem of the name Keras gives an unnamed layer of this class (conv2d for Conv2D):
    Keras's own rule (its to_snake_case), or a copy of it where that has moved."""
    return _to_snake_case()(class_name)


# ---- graph-only and zero-filled builds -----------------------------------------------------


@contextlib.contextmanager
def graph_only():
    """Models built inside hold no value in any variable: what a canonical summary reads
    (layers, settings, shapes, parameter counts), without the cost of Keras's random
    initialisation. Such a model cannot compute until `fill_with_zeros` gives it values. Where
    this Keras cannot defer its variables, or cannot give a deferred one a value later (a moved
    private name, one warning line), the models are built whole: slower, and the same summary."""
    if not _can_initialize():
        yield
        return
    with _deferring():
        yield


def fill_with_zeros(model) -> None:
    """Zeros in every variable of a model built inside `graph_only`: the graph that was read
    made to compute, for weights set next (numerics' deterministic weights, another model's).
    Where graph_only built the model whole, zeros are assigned."""
    deferred_by_graph_only = _can_initialize()
    for variable in model.variables:
        zeros = np.zeros(variable.shape, variable.dtype)
        if deferred_by_graph_only:
            variable._initialize(zeros)
        else:
            variable.assign(zeros)


def zero_filled(make: Callable[[], object]):
    """What make() builds (a build.Built), its every variable holding zeros: for a model whose
    every weight is set next (a checkpoint, a weights file, numerics' deterministic weights),
    where Keras's random initial values would be thrown away. An Inception-ResNet-v2 in 1.6-2.5 s
    instead of 3.3-4.5 s on the 2-core machine. Each variable is made as Keras makes its own, in
    the distribution strategy's scope of the caller, if any."""
    with graph_only():
        built = make()
    fill_with_zeros(built.model)
    return built


def deferred() -> list:
    """The variables whose initialisation Keras still defers (a graph-only build leaves none)."""
    state = _global_state()
    return [] if state is None else list(state.get_global_attribute(DEFERRED) or [])


def has_value(variable) -> bool:
    """Whether a Keras 3 variable holds a value (a graph-only build's hold none)."""
    return variable._value is not None


# ---- the released model's source, for the drift tests --------------------------------------


def defining_module(function):
    """The module that defines an upstream function (keras.applications.InceptionResNetV2 is
    defined in keras/src/applications/inception_resnet_v2.py), reached through the function's
    public `__module__` rather than a private path: the drift tests alter its helpers."""
    return importlib.import_module(function.__module__)
