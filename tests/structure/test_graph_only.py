"""support.graph_only: the graph without the weights, and nothing left for later."""

import keras
import pytest
from keras.src.backend.common import global_state
from support.graph_only import DEFERRED, graph_only

from inception_repro import summary

pytestmark = pytest.mark.structure


def small(width):
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(width, 3, name="c")(inputs)
    x = keras.layers.BatchNormalization(scale=False, name="c_bn")(x)
    return keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))


def test_the_summary_is_the_built_models_and_no_weight_is_initialised():
    with graph_only():
        graph = small(8)
        assert global_state.get_global_attribute(DEFERRED)  # Keras deferred them here
    assert summary.summarise(graph) == summary.summarise(small(8))
    assert global_state.get_global_attribute(DEFERRED) == []
    assert all(v._value is None for v in graph.weights)  # never initialised, even later
