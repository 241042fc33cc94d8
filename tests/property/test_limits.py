"""The smallest input, and parameter counts across input sizes (hypothesis)."""

import contextlib
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.grids import GRID, MODELS, SPEC_MODELS, side, sizes
from support.groups import per_model
from support.probes import dynamic, output_shapes, probe

from inception_repro import calculus, cli, registry
from inception_repro.errors import InputSizeError

pytestmark = pytest.mark.property

MINIMUM = 75  # the released Keras code's min_size (keras inception_resnet_v2.py, inception_v3.py)
AUX_MODELS = [m for m in SPEC_MODELS if registry.entry(m).network().aux]
# With TF-Slim's aux head the top needs a 5x5 window (avg_pool 5, stride 3, VALID) on the 17x17
# map: GRID["blocks_b"](n) >= 5 first holds at n = 107.
AUX_MINIMUM = 107


def one_small_axis(draw_small, other, small_first):
    return (draw_small, other) if small_first else (other, draw_small)


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_minimum_is_75_without_the_top_and_with_it_unless_an_aux_head(model_id):
    e = registry.entry(model_id)
    assert e.min_size(include_top=False) == MINIMUM
    assert e.min_size(include_top=True) == (AUX_MINIMUM if model_id in AUX_MODELS else MINIMUM)


def test_the_aux_minimum_follows_from_the_grid():
    assert GRID["blocks_b"](AUX_MINIMUM) == 5 and GRID["blocks_b"](AUX_MINIMUM - 1) == 4


# What Keras 3 raises when a convolution's output would be empty
# (keras/src/ops/operation_utils.py: compute_conv_output_shape, compute_pooling_output_shape).
KERAS_TOO_SMALL = "Computed output size would be zero or negative"


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_keras_itself_fails_at_74(model_id):
    """75 is Keras's real limit, not only ours: at 74 some stage of the Keras model is empty."""
    p = probe(model_id)[2]
    for size in [(74, 299), (299, 74)]:
        try:
            shapes = output_shapes(p, size)
        except ValueError as e:  # Keras refuses outright: also a failure at 74, if it says so
            assert KERAS_TOO_SMALL in str(e), f"{size}: Keras raised something else: {e}"
            continue
        assert any(min(s[1:3]) < 1 for s in shapes if len(s) == 4), size


@pytest.mark.parametrize("model_id", per_model(MODELS))
@given(small=st.integers(1, MINIMUM - 1), other=side, small_first=st.booleans())
def test_below_the_minimum_is_a_clear_error_everywhere(model_id, small, other, small_first):
    size = one_small_axis(small, other, small_first)
    with pytest.raises(InputSizeError, match=f"minimum is {MINIMUM}x{MINIMUM}"):
        registry.build(model_id, size, include_top=False)
    if registry.entry(model_id).network:
        with pytest.raises(InputSizeError, match=f"minimum is {MINIMUM}x{MINIMUM}"):
            calculus.trace(registry.entry(model_id).network(), size, include_top=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["summary", model_id, "--no-top", "--input-size", *map(str, size)])
    assert code == 2
    assert f"minimum is {MINIMUM}x{MINIMUM}" in err.getvalue() and "Traceback" not in err.getvalue()


NO_AUX = [m for m in SPEC_MODELS if m not in AUX_MODELS]


@pytest.mark.parametrize("model_id", per_model(NO_AUX))
@given(size=sizes)
def test_parameters_do_not_depend_on_the_input_size(model_id, size):
    network = registry.entry(model_id).network()
    assert calculus.trace(network, size).params() == calculus.trace(network).params()


@pytest.mark.parametrize("model_id", per_model(AUX_MODELS))
@given(size=st.tuples(st.integers(AUX_MINIMUM, 1024), st.integers(AUX_MINIMUM, 1024)))
def test_aux_head_parameters_grow_with_its_map(model_id, size):
    """Slim's aux conv kernel equals its input map, (m - 5) // 3 + 1 per side for the 17x17 map
    m: 768 filters over 128 channels, 5x5 at 299."""
    network = registry.entry(model_id).network()
    a_h, a_w = ((GRID["blocks_b"](n) - 5) // 3 + 1 for n in size)
    extra = 128 * 768 * (a_h * a_w - 5 * 5)
    assert calculus.trace(network, size).params() - calculus.trace(network).params() == extra


# keras.applications.InceptionV3(include_top=False) has 21,802,784 parameters (the Keras docs'
# 23.9M less the 2048*1000 + 1000 classifier).
V3_NO_TOP = 21_802_784


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_the_size_free_keras_model_has_the_parameters_of_the_299_one(model_id):
    built, _, _ = probe(model_id)
    e = registry.entry(model_id)
    spec = e.spec()
    at_299 = calculus.trace(spec, include_top=dynamic(model_id)).params() if spec else V3_NO_TOP
    assert built.model.count_params() == at_299
