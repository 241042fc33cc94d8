"""Keras models built for their graph alone: what a canonical summary reads (layers, settings,
shapes, parameter counts), without initialising a single weight.

Inside `keras.StatelessScope(initialize_variables=False)` Keras 3 creates variables with their
shapes and defers their initialisers; the list it keeps of deferred variables is emptied on the
way out, so that no later scope initialises them either. An Inception-ResNet-v2 builds in about
2 s instead of 4.5 s on the 2-core machine: the random initialisation of its 56 million weights
is most of a build. Only for models that never compute.
"""

from __future__ import annotations

import contextlib

import keras
from keras.src.backend.common import global_state

from inception_repro import build, registry

DEFERRED = "uninitialized_variables"  # keras/src/backend/common/variables.py


@contextlib.contextmanager
def graph_only():
    with keras.StatelessScope(initialize_variables=False):
        yield
    global_state.set_global_attribute(DEFERRED, [])


def for_summary(model_id: str, input_size, include_top: bool) -> build.Built:
    """A registry model built for its canonical summary alone: its graph only, new each time; or,
    for a Keras 2 (tf_keras) model, which has no such graph, the registry's whole build (cached,
    so built once per process)."""
    if registry.entry(model_id).keras2:
        return registry.build(model_id, input_size, include_top)
    with graph_only():
        return registry.fresh(model_id, input_size, include_top)
