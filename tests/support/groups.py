"""The xdist group of a model's tests: under `--dist loadgroup` one worker runs them all, so
that the model is built once per run (conftest.py)."""

import pytest

RELEASED = "keras-inception-resnet-v2"


def model_group(model_id: str) -> pytest.MarkDecorator:
    return pytest.mark.xdist_group(f"model-{model_id}")
