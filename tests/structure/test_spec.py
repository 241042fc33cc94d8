"""The vocabulary validates before Keras, and needs no TensorFlow."""

import subprocess
import sys
from dataclasses import replace

import pytest

from inception_repro.errors import SpecError
from inception_repro.networks import released
from inception_repro.spec import Conv, Network, Pool, Stage

pytestmark = pytest.mark.structure


def test_spec_and_calculus_import_no_tensorflow():
    code = (
        "import sys, inception_repro.spec, inception_repro.calculus, "
        "inception_repro.networks.released; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_residual_width_must_match_its_input_depth():
    wrong = replace(released.block17(1), up=replace(released.block17(1).up, filters=1154))
    stages = released.body_stages()
    blocks_b = Stage("blocks_b", (wrong,))
    with pytest.raises(SpecError) as e:
        Network("broken", stages[:3] + (blocks_b,), (), 1000, cite="test")
    message = str(e.value)
    assert "block17_1" in message
    assert "1154 filters" in message and "depth 1088" in message
    assert "Block17/Conv2d_1x1" in message  # the citation of the offending layer


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Pool("mx", 3, 2, cite="Fig 3"), "Fig 3: kind 'mx' is not one of max, avg"),
        (lambda: Pool("max", 3, 2, "VALID"), "Pool: padding 'VALID' is not one of same, valid"),
        (
            lambda: Conv(32, (3, 3), padding="vaild", name="stem_conv"),
            "stem_conv: padding 'vaild' is not one of same, valid",
        ),
    ],
)
def test_a_word_outside_the_vocabulary_fails_validation(make, message):
    with pytest.raises(SpecError, match=message):
        make()
