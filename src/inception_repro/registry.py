"""Model ids -> Keras models, one way per purpose:

- `graph`: to summarise. The model for what its graph says (layers, settings, shapes, counts),
  no weight initialised; cached, one object per model id, input size and top.
- `for_weights`: to load weights into, or to compute with weights you set (a checkpoint, a
  weights file, numerics' deterministic weights, another model's): a new model each call, every
  variable holding zeros.
- `build`: to compute with Keras's own initial weights (the property tests' models of any input
  size); cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inception_repro import calculus
from inception_repro.errors import InputSizeError, UsageError
from inception_repro.networks import paper, released, slim_v4
from inception_repro.spec import Network

DEFAULT_SIZE = (299, 299)

# Stage ends of the installed Keras models, from their named layers (summary.resolve_stage_ends).
IRV2_STAGES = (
    ("stem", "mixed_5b"),
    ("blocks_a", "block35_10_ac"),
    ("reduction_a", "mixed_6a"),
    ("blocks_b", "block17_20_ac"),
    ("reduction_b", "mixed_7a"),
    ("blocks_c", ("before", "conv_7b")),  # block8_10 has no activation and an unnamed add
)
V3_STAGES = (
    ("stem", ("before", "mixed0")),
    ("blocks_a", "mixed2"),
    ("reduction_a", "mixed3"),
    ("blocks_b", "mixed7"),
    ("reduction_b", "mixed8"),
    ("blocks_c", "mixed10"),
)


@dataclass(frozen=True)
class ModelEntry:
    id: str
    source: str
    description: str
    classes: int
    network: Callable[[], Network] | None = None  # spec-backed models
    keras_app: str | None = None  # a keras.applications name, or a dotted path to one
    stages: tuple = ()
    min_side: int | None = None  # for keras apps without a spec of their own
    # a spec that the structure tests prove builds exactly this installed model
    transcription: Callable[[], Network] | None = None
    # how its users scale an image: a dotted path to the installed preprocess_input, or None
    # for TF-Slim's scaling (numerics.slim_scale)
    preprocess: str | None = None

    @property
    def keras2(self) -> bool:
        """Built by tf_keras, the Keras 2 line (package tf-keras)."""
        return (self.keras_app or "").startswith("tf_keras.")

    def spec(self) -> Network | None:
        """The network as data: its own spec, or its proven transcription."""
        make = self.network or self.transcription
        return make() if make else None

    def min_size(self, include_top: bool = True) -> int:
        spec = self.spec()
        return calculus.min_input_size(spec, include_top) if spec else self.min_side


ENTRIES: dict[str, ModelEntry] = {
    e.id: e
    for e in [
        ModelEntry(
            "keras-inception-resnet-v2",
            "keras.applications.InceptionResNetV2 (keras/src/applications/inception_resnet_v2.py)",
            "the installed released Keras model (weights=None)",
            1000,
            keras_app="InceptionResNetV2",
            stages=IRV2_STAGES,
            transcription=released.slim_body_keras_head,
            preprocess="keras.applications.inception_resnet_v2.preprocess_input",
        ),
        ModelEntry(
            "tfkeras-inception-resnet-v2",
            "tf_keras.applications.InceptionResNetV2 (package tf-keras: the Keras 2 line)",
            "the same released model as built by Keras 2 (weights=None)",
            1000,
            keras_app="tf_keras.applications.InceptionResNetV2",
            stages=IRV2_STAGES,
            transcription=released.slim_body_keras_head,
            preprocess="tf_keras.applications.inception_resnet_v2.preprocess_input",
        ),
        ModelEntry(
            "keras-inception-v3",
            "keras.applications.InceptionV3 (keras/src/applications/inception_v3.py)",
            "the installed Keras Inception-v3 (weights=None): the released stem's lineage",
            1000,
            keras_app="InceptionV3",
            stages=V3_STAGES,
            min_side=75,  # keras inception_v3.py: obtain_input_shape(min_size=75)
            preprocess="keras.applications.inception_v3.preprocess_input",
        ),
        ModelEntry(
            "slim-inception-resnet-v2",
            "TF-Slim research/slim/nets/inception_resnet_v2.py",
            "TF-Slim transcription: aux head on PreAuxLogits, dropout keep 0.8, 1001 classes",
            1001,
            network=released.slim_inception_resnet_v2,
        ),
        ModelEntry(
            "paper-inception-v4",
            "arXiv 1602.07261 Figs 3-9 (errata.py resolves Figs 3 and 5)",
            "the paper's Inception-v4: avg pool, dropout keep 0.8, softmax; no aux head",
            1000,
            network=paper.inception_v4,
        ),
        ModelEntry(
            "paper-inception-resnet-v1",
            "arXiv 1602.07261 Figs 14, 10, 7, 11, 12, 13, 15",
            "the paper's Inception-ResNet-v1, residuals scaled by 0.1",
            1000,
            network=paper.inception_resnet_v1,
        ),
        ModelEntry(
            "paper-inception-resnet-v2",
            "arXiv 1602.07261 Figs 3, 16, 7, 17, 18, 19, 15 (errata.py resolves Figs 17-19)",
            "the paper's Inception-ResNet-v2, residuals scaled by 0.1, widths 1152 and 2144",
            1000,
            network=paper.inception_resnet_v2,
        ),
        ModelEntry(
            "slim-inception-v4",
            "TF-Slim research/slim/nets/inception_v4.py",
            "TF-Slim transcription: aux head on Mixed_6h, dropout keep 0.8, 1001 classes",
            1001,
            network=slim_v4.slim_inception_v4,
        ),
    ]
}


def entry(model_id: str) -> ModelEntry:
    try:
        return ENTRIES[model_id]
    except KeyError:
        known = ", ".join(ENTRIES)
        raise UsageError(f"unknown model id {model_id!r}; known ids: {known}") from None


def check_input_size(model_id: str, input_size, include_top: bool = True) -> tuple[int, int]:
    h, w = (int(v) for v in input_size)
    minimum = entry(model_id).min_size(include_top)
    if min(h, w) < minimum:
        without_top = entry(model_id).min_size(False) if include_top else None
        raise InputSizeError(calculus.too_small(model_id, (h, w), minimum, without_top=without_top))
    return h, w


def _make(model_id, input_size, include_top):
    from inception_repro import build

    e = entry(model_id)
    if e.network:
        return build.build(e.network(), input_size, include_top)
    import importlib

    from inception_repro.summary import resolve_stage_ends

    module, _, name = e.keras_app.rpartition(".")
    app = getattr(importlib.import_module(module or "keras.applications"), name)
    model = app(weights=None, include_top=include_top, input_shape=(*input_size, 3))
    return build.Built(model, resolve_stage_ends(model, e.stages))


_built: dict[tuple, object] = {}  # (model id, input size, include_top) -> build.Built


def _size(model_id: str, input_size, include_top: bool) -> tuple:
    """The input size, checked; (None, None) builds one model for every input size (keras apps:
    only without the top)."""
    size = tuple(input_size)
    return size if None in size else check_input_size(model_id, size, include_top)


def build(model_id: str, input_size=DEFAULT_SIZE, include_top: bool = True):
    """The built model and its stage ends; the same object for the same arguments."""
    key = (model_id, _size(model_id, input_size, include_top), include_top)
    if key not in _built:
        _built[key] = _make(*key)
    return _built[key]


_graphs: dict[tuple, object] = {}  # (model id, input size, include_top) -> build.Built


def graph(model_id: str, input_size=DEFAULT_SIZE, include_top: bool = True):
    """The model for what its graph says (its canonical summary: layers, settings, shapes,
    parameter counts), built without initialising a weight (upstream.graph_only): it cannot
    compute until upstream.fill_with_zeros gives it values (the tests' `loaded` does, to compute
    with the graph they summarise). `build`'s model when this process has it, and for a Keras 2
    (tf_keras) model, which has no such build. The same object for the same arguments."""
    key = (model_id, _size(model_id, input_size, include_top), include_top)
    if key in _built or entry(model_id).keras2:
        return build(*key)
    if key not in _graphs:
        from inception_repro.upstream import graph_only

        with graph_only():
            _graphs[key] = _make(*key)
    return _graphs[key]


def _fresh(model_id: str, input_size, include_top: bool):
    """A new built model and its stage ends, never cached."""
    return _make(model_id, _size(model_id, input_size, include_top), include_top)


def for_weights(model_id: str, input_size=DEFAULT_SIZE, include_top: bool = True):
    """A new built model, never cached, whose every weight is set next (a checkpoint, a weights
    file): its graph with each variable holding zeros (upstream.zero_filled), since Keras's
    random initial values would be thrown away. A Keras 2 (tf_keras) model, which has no such
    build, is built whole."""
    if entry(model_id).keras2:
        return _fresh(model_id, input_size, include_top)
    from inception_repro.upstream import zero_filled

    return zero_filled(lambda: _fresh(model_id, input_size, include_top))
