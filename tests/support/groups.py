"""The xdist groups (docs/testing.md, "How tests are scheduled"): under `--dist loadgroup` one
worker runs each group's tests, so that the models they compute with are built once per run.

- `model-<id>`: the tests of one model at 299x299. The released model's group also holds the
  models compared with it in arithmetic at 299 (Inception-v3's stem, TF-Slim's trunk, tf_keras's
  model), so those are built there, and only there.
- `released-other-sizes`, `tfkeras-other-sizes`: the parity tests' other sizes (no top, a
  non-square size), which nothing else needs; a Keras 2 model has no graph-only build.
- `slim-checkpoints`: the tests that write synthetic TF-Slim checkpoints and load them.
- `fresh-process`: the tests that start a Python process that imports TensorFlow (5-18 s each).
  As a group they run before the ungrouped tests, and none of them runs last while the other
  worker waits.
"""

import pytest

RELEASED = "keras-inception-resnet-v2"
# models whose numbers are compared with the released model's at 299
COMPARED_WITH_RELEASED = (
    "keras-inception-v3",
    "slim-inception-resnet-v2",
    "tfkeras-inception-resnet-v2",
)
# the fixtures (support.models) that compute with a model
COMPUTING = {"loaded", "outputs_of", "fingerprint_of", "fresh_fingerprint", "transcription_outputs"}


def model_group(model_id: str) -> pytest.MarkDecorator:
    host = RELEASED if model_id in COMPARED_WITH_RELEASED else model_id
    return pytest.mark.xdist_group(f"model-{host}")


def per_model(model_ids) -> list:
    """Values for a test parametrized by `model_id`: each case in its model's group."""
    return [pytest.param(m, marks=model_group(m), id=m) for m in model_ids]


RELEASED_OTHER_SIZES = pytest.mark.xdist_group("released-other-sizes")
TFKERAS_OTHER_SIZES = pytest.mark.xdist_group("tfkeras-other-sizes")
SLIM_CHECKPOINTS = pytest.mark.xdist_group("slim-checkpoints")
FRESH_PROCESS = pytest.mark.xdist_group("fresh-process")  # no model: for its place in the order


def group_of(item) -> str | None:
    """A test's xdist group, if any. A test in two groups is refused: pytest-xdist (3.7 on) would
    run it in a third group joining both names, away from the models either one builds."""
    names = [mark.args[0] for mark in item.iter_markers("xdist_group")]
    if len(names) > 1:
        raise pytest.UsageError(f"{item.nodeid} is in two xdist groups {names}: give it one")
    return names[0] if names else None


def check_declared(item) -> None:
    """Nothing is inferred: a test that computes with a model, or is parametrized by model_id,
    and names no group is refused, with the line to add."""
    if group_of(item) is not None:
        return
    params = getattr(item, "callspec", None)
    if params is not None and "model_id" in params.params:
        raise pytest.UsageError(
            f"{item.nodeid} is parametrized by model_id but in no group: parametrize it with "
            "support.groups.per_model(...) (docs/testing.md)"
        )
    computing = sorted(COMPUTING.intersection(getattr(item, "fixturenames", ())))
    if computing:
        raise pytest.UsageError(
            f"{item.nodeid} computes with a model ({', '.join(computing)}) but names no group: "
            "mark it, or its module, with support.groups.model_group(the model id) "
            "(docs/testing.md)"
        )
