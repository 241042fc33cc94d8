"""Alter the installed Keras as a user editing it would, and prove the alteration took hold.

The drift tests replace a helper of the module that defines keras.applications.InceptionResNetV2
(conv2d_bn, inception_resnet_block, its BatchNormalization, preprocess_input, CustomScaleLayer's
call). If a Keras release builds the model without going through that helper, the replacement
changes nothing and the test would fail for the wrong reason, or pass saying nothing. `Altered`
counts the calls, and `reached()` fails naming the helper that was never called.
"""

from __future__ import annotations

import functools

import keras
import pytest


class Altered:
    def __init__(self, monkeypatch, owner, name: str, replacement):
        self.where = f"{getattr(owner, '__name__', type(owner).__name__)}.{name}"
        self.calls = 0

        @functools.wraps(replacement)  # Keras reads a layer's call signature
        def counted(*args, **kwargs):
            self.calls += 1
            return replacement(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)

    def reached(self) -> None:
        if not self.calls:
            pytest.fail(
                f"{self.where} was never called: keras {keras.__version__} builds or runs the "
                "model without it, so this test altered nothing; make it reach the model "
                "another way"
            )
