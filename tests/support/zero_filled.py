"""Models whose every weight is set next (numerics.set_deterministic_weights, copy_weights),
filled with zeros rather than initialised at random: their graph alone
(inception_repro.graph_only), then each variable made holding zeros. Keras's random
initialisation is most of a build, and here it would be thrown away. Measured on the 2-core
machine: an Inception-ResNet-v2 in 1.6-2.3 s instead of 3.3-4.5 s; its outputs with the
deterministic weights set are equal bit for bit (tests/structure/test_graph_only.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from inception_repro import build, registry
from inception_repro.graph_only import graph_only


def zero_filled(make: Callable[[], build.Built]) -> build.Built:
    """The model make() builds, its every variable holding zeros."""
    with graph_only():
        built = make()
    for variable in built.model.variables:
        variable._initialize(np.zeros(variable.shape, variable.dtype))  # as Keras would its own
    return built


def for_weights(model_id: str, input_size, include_top: bool) -> build.Built:
    """A new registry model, to have every weight set next: zero_filled; or, for a Keras 2
    (tf_keras) model, which has no graph-only build, the registry's whole build."""
    if registry.entry(model_id).keras2:
        return registry.build(model_id, input_size, include_top)
    return zero_filled(lambda: registry.fresh(model_id, input_size, include_top))
