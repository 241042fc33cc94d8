"""Real forward passes (inference mode, random weights) at sampled small sizes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.grids import MODELS
from support.groups import per_model
from support.probes import output_shapes, probe

pytestmark = pytest.mark.property

# Each example runs the network twice, 0.5-1.5 s a call of an Inception network under -n 2, at
# whatever size (docs/testing.md): a fifteenth of the profile's examples, at least 2. The ci
# profile's 2 per model are 75x75 (hypothesis tries the smallest draw first) and one drawn size;
# thorough's, 20. Keras's shapes at 30 sizes per model are test_shapes.py's.
FEW = max(2, settings.default.max_examples // 15)


@pytest.mark.parametrize("model_id", per_model(MODELS))
@settings(max_examples=FEW)
@given(
    size=st.tuples(st.integers(75, 160), st.integers(75, 160)),
    batch=st.integers(2, 3),
    seed=st.integers(0, 2**16),
)
def test_forward_pass_shape_finiteness_and_batch_independence(model_id, size, batch, seed):
    model = probe(model_id)[0].model
    x = np.random.default_rng(seed).uniform(-1, 1, (batch, *size, 3)).astype("float32")
    y = np.asarray(model(x, training=False))
    expected = output_shapes(model, size, batch)[0]
    assert y.shape == tuple(expected), f"{model_id} at {size}: {y.shape} != {expected}"
    assert np.isfinite(y).all(), f"{model_id} at {size}: non-finite output"
    alone = np.asarray(model(x[-1:], training=False))
    np.testing.assert_allclose(alone[0], y[-1], rtol=1e-5, atol=1e-5 * max(1.0, np.abs(y).max()))
