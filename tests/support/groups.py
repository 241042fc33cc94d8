"""The xdist groups: under `--dist loadgroup` one worker runs each group's tests, so that the
models they need with their weights are built once per run (conftest.py).

A group is named after the model built with weights that its tests share:
- `model-<id>`: the tests of one model at 299x299 (per_model for a test parametrized by model
  id, model_group for a test or module of one model; conftest.py refuses a test that computes
  with a model and names no group);
- the released model's group also holds the tests of the models compared with it in arithmetic
  at 299 (tests/structure/test_parity.py, test_tfkeras.py): Inception-v3's stem, TF-Slim's
  trunk and tf_keras's model are compared with the released model built there, so those models
  are built there too, and only there;
- `released-other-sizes`: the released model and its transcription at the other sizes of the
  parity tests (no top, a non-square size), which nothing else needs;
- `tfkeras-other-sizes`: tf_keras's model at those sizes (tests/structure/test_tfkeras.py): a
  Keras 2 model has no graph-only build, so each size costs a whole build;
- `slim-checkpoints`: the tests that write synthetic TF-Slim checkpoints and load them into
  fresh models (tests/eval/test_eval_checkpoints.py, test_eval_conversion.py); split between
  two workers, each had made the same checkpoints and models.
"""

import pytest

RELEASED = "keras-inception-resnet-v2"
# models whose numbers are compared with the released model's at 299
COMPARED_WITH_RELEASED = (
    "keras-inception-v3",
    "slim-inception-resnet-v2",
    "tfkeras-inception-resnet-v2",
)


def model_group(model_id: str) -> pytest.MarkDecorator:
    host = RELEASED if model_id in COMPARED_WITH_RELEASED else model_id
    return pytest.mark.xdist_group(f"model-{host}")


def per_model(model_ids) -> list:
    """Values for a test parametrized by `model_id`: each case in its model's group."""
    return [pytest.param(m, marks=model_group(m), id=m) for m in model_ids]


RELEASED_OTHER_SIZES = pytest.mark.xdist_group("released-other-sizes")
TFKERAS_OTHER_SIZES = pytest.mark.xdist_group("tfkeras-other-sizes")
SLIM_CHECKPOINTS = pytest.mark.xdist_group("slim-checkpoints")


def group_of(item) -> str | None:
    """A test's xdist group, if any. A test in two groups is refused: pytest-xdist (3.7 on) would
    run it in a third group joining both names, away from the models either one builds."""
    names = [mark.args[0] for mark in item.iter_markers("xdist_group")]
    if len(names) > 1:
        raise pytest.UsageError(f"{item.nodeid} is in two xdist groups {names}: give it one")
    return names[0] if names else None
