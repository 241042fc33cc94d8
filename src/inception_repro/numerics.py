"""Arithmetic, beside structure: the same weights in two models, and what they compute.

Everything here goes through the canonical order of summary.py (depth first from the outputs),
never through layer names or creation order, so that weights carry over between any two models
whose canonical summaries are equal: the released Keras model and its transcription, Keras 3
and tf-keras, one stem and another.

Deterministic weights
    `deterministic_weights` computes every variable with NumPy alone, from (seed, canonical layer
    index, variable index): `numpy.random.default_rng([seed, layer, variable]).random(shape)`
    (PCG64 doubles in [0, 1)), mapped to a zero-mean uniform of the wanted standard deviation.
    No Keras initializer and no Keras random state is used, so a change of initializer upstream
    cannot move a pinned number. A variable's role comes from the canonical summary (layer type
    and settings), never from Keras's variable names:
    - conv and dense kernels: std sqrt(gain / fan_in), gain 2 before a ReLU (He), else 1;
    - conv and dense biases, BN beta and moving mean: std 0.05;
    - BN gamma: 1 + uniform noise of std 0.05; BN moving variance: uniform in [0.8, 1.2].
    He scaling keeps each conv's output at the scale of its input, BN's statistics are near
    the identity, and the residual branches are scaled down by their block's factor, so
    activations stay O(1) through every stage (tests/structure/test_numerics.py asserts a band).

Fingerprint
    A fixed uint8 image (`fixed_image`: every grey level from 0 to 255 in each channel), scaled
    as the model's users scale it (`preprocess` below), through the model with deterministic
    weights. For the scaled input and each stage's output: shape, mean, std, max |x| and the
    values at 8 fixed positions (evenly spaced flat indices); for the classifier, its 10 largest
    outputs with their indices (softmax probabilities: every classifier here ends in softmax, so
    their order is that of the logits).
"""

from __future__ import annotations

import importlib
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from inception_repro import registry, summary
from inception_repro.errors import UsageError

SEED = 160207261  # arXiv 1602.07261
IMAGE_SEED = 299
SAMPLES = 8  # values recorded per stage, at evenly spaced flat positions
TOP = 10  # classifier outputs recorded, with their indices

# Tolerance of the fingerprint, relative to each stage's scale (the larger of |expected| and the
# stage's std). Measured with tools/numeric_tolerance.py against the golden files (made on
# TensorFlow 2.21 with oneDNN on; docs/numerics.md has the table): the largest deviation of any
# pinned number is 1.4e-5 with oneDNN off and 8.8e-6 on Keras 3's JAX backend (jax 0.10.2, CPU).
# The smallest of the changes it must catch (a residual's scale doubled, in paper-inception-
# resnet-v1) moves its first stage by 6.9e-2. 1e-3 sits 70 times above the one, 70 below the other.
TOLERANCE = 1e-3


# NumPy's Generator streams, which every deterministic weight and the fixed image come from, as
# NumPy 2.4.6 draws them (python -c "import numpy as np; print(np.random.default_rng([160207261,
# 0, 0]).random(4, dtype=np.float32).tolist())", and fixed_image()[0, 0, :2]). NumPy promises no
# Generator stream across versions: if one changes, every fingerprint moves because of NumPy,
# not Keras, and stream_problem says so.
STREAM = [0.5731076002120972, 0.19272840023040771, 0.38950157165527344, 0.38248008489608765]
IMAGE_PIXELS = [[119, 97, 94], [114, 234, 22]]


def stream_problem() -> str | None:
    """None while NumPy draws the pinned values; else one line naming NumPy and its version."""
    drawn = np.random.default_rng([SEED, 0, 0]).random(4, dtype=np.float32).tolist()
    pixels = fixed_image((16, 16))[0, 0, :2].tolist()
    if drawn == STREAM and pixels == IMAGE_PIXELS:
        return None
    return (
        f"NumPy {np.__version__} draws other numbers than the NumPy the fingerprints were made "
        f"with (default_rng([{SEED}, 0, 0]).random(4, float32): {drawn}, pinned {STREAM}; "
        f"fixed_image's first pixels: {pixels}, pinned {IMAGE_PIXELS}): every deterministic "
        "weight moved because of NumPy's Generator stream, not Keras"
    )


class WeightsMismatch(UsageError):
    """Two models whose canonical summaries differ: weights cannot carry over."""


@dataclass(frozen=True)
class Roles:
    """The variables of one layer, in Keras's weight order, and the gain of its kernel."""

    names: tuple[str, ...]
    gain: float = 1.0


def _roles(layer: dict, consumers: list[dict]) -> Roles:
    kind, c = layer["type"], layer["config"]
    if kind in ("conv2d", "dense"):
        relu_follows = c["activation"] == "relu" or any(
            x["type"] == "batch_norm" for x in consumers
        )
        names = ("kernel", "bias") if c["use_bias"] else ("kernel",)
        return Roles(names, 2.0 if relu_follows else 1.0)
    if kind == "batch_norm":
        names = ("gamma",) if c["scale"] else ()
        names += ("beta",) if c["center"] else ()
        return Roles(names + ("moving_mean", "moving_variance"))
    return Roles(())


def _value(seed: int, layer: int, variable: int, role: str, shape, gain: float) -> np.ndarray:
    u = np.random.default_rng([seed, layer, variable]).random(shape, dtype=np.float32)  # [0, 1)
    centred = (2 * u - 1) * np.float32(math.sqrt(3.0))  # zero mean, unit variance
    if role == "kernel":
        fan_in = math.prod(shape[:-1])
        return centred * np.float32(math.sqrt(gain / fan_in))
    if role == "gamma":
        return 1 + np.float32(0.05) * centred
    if role == "moving_variance":
        return np.float32(0.8) + np.float32(0.4) * u
    return np.float32(0.05) * centred  # bias, beta, moving_mean


# model -> its canonical summary (a built model's graph does not change), forgotten with it
_SUMMARIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _summary(model) -> dict:
    if model not in _SUMMARIES:
        _SUMMARIES[model] = summary.summarise(model)
    return _SUMMARIES[model]


def deterministic_weights(model, seed: int = SEED) -> list[list[np.ndarray]]:
    """Every variable of `model`, per layer in canonical order, from (seed, layer, variable)."""
    layers = _summary(model)["layers"]
    consumers = [[] for _ in layers]
    for x in layers:
        for i in x["inputs"]:
            consumers[i].append(x)
    out = []
    for x, layer in zip(layers, summary.canonical_order(model), strict=True):
        roles = _roles(x, consumers[x["index"]])
        shapes = [tuple(w.shape) for w in layer.weights]
        if len(shapes) != len(roles.names):
            raise WeightsMismatch(
                f"{_where(x)} has {len(shapes)} variables; its settings call for "
                f"{len(roles.names)} ({', '.join(roles.names) or 'none'})"
            )
        out.append(
            [
                _value(seed, x["index"], j, role, shape, roles.gain)
                for j, (role, shape) in enumerate(zip(roles.names, shapes, strict=True))
            ]
        )
    return out


def set_deterministic_weights(model, seed: int = SEED) -> None:
    for layer, values in zip(
        summary.canonical_order(model), deterministic_weights(model, seed), strict=True
    ):
        if values:
            layer.set_weights(values)


def _where(layer: dict) -> str:
    name = f" {layer['name']}" if layer["name"] else ""
    return f"layer {layer['index']} ({layer['type']}{name})"


def copy_weights(source, target) -> int:
    """Copy every weight of `source` into `target`, layer by layer in canonical order.

    The two canonical summaries must be equal; otherwise WeightsMismatch names the first layer
    that differs. Returns the number of values copied.
    """
    problem = _first_layer_difference(_summary(source), _summary(target))
    if problem:
        raise WeightsMismatch(f"cannot copy weights: the two models differ at {problem}")
    copied = 0
    for src, dst in zip(
        summary.canonical_order(source), summary.canonical_order(target), strict=True
    ):
        values = src.get_weights()
        if values:
            dst.set_weights(values)
            copied += sum(v.size for v in values)
    return copied


def _first_layer_difference(a: dict, b: dict) -> str | None:
    for x, y in zip(a["layers"], b["layers"], strict=False):
        for key in ("type", "output_shape", "params", "inputs", "name", "config"):
            if x[key] != y[key]:
                return f"{_where(x)}: {key} expected {x[key]}, got {y[key]}"
    n, m = len(a["layers"]), len(b["layers"])
    return None if n == m else f"the layer count: expected {n}, got {m}"


# ---- inputs ---------------------------------------------------------------------------------


def fixed_image(size=(299, 299)) -> np.ndarray:
    """A uint8 [1, H, W, 3] image: each channel holds every grey level 0..255, shuffled with a
    fixed seed, then repeated to fill the image."""
    h, w = size
    rng = np.random.default_rng(IMAGE_SEED)
    levels = np.stack([rng.permutation(256) for _ in range(3)], axis=-1)  # [256, 3]
    reps = -(-h * w // 256)
    flat = np.concatenate([levels] + [levels[rng.permutation(256)] for _ in range(reps - 1)])
    return flat[: h * w].reshape(1, h, w, 3).astype(np.uint8)


def slim_scale(image: np.ndarray) -> np.ndarray:
    """How TF-Slim scales an image (preprocessing/inception_preprocessing.py: convert_image_dtype,
    then (x - 0.5) * 2); the paper and TF-Slim specs have no preprocess_input of their own."""
    x = image.astype(np.float32) * np.float32(1.0 / 255.0)
    return (x - np.float32(0.5)) * np.float32(2.0)


def scaled_input(model_id: str, size=(299, 299)) -> np.ndarray:
    """fixed_image, scaled as the model's users scale it (its registry entry's preprocess)."""
    return preprocess(registry.entry(model_id).preprocess)(fixed_image(size))


def preprocess(path: str | None) -> Callable[[np.ndarray], np.ndarray]:
    """A model's preprocessing: a dotted path to a preprocess_input (looked up on every call,
    so that a change to the installed one is seen), or None for TF-Slim's scaling."""
    if path is None:
        return slim_scale
    module, _, name = path.rpartition(".")

    def call(image):
        return np.asarray(getattr(importlib.import_module(module), name)(image.copy()))

    return call


# ---- outputs per stage ----------------------------------------------------------------------


def stage_layers(built) -> list[tuple[str, str]]:
    """(stage, layer name) for each stage end, and ("head", the output) when it is not one."""
    ends = list(built.stage_ends)
    if _main_layer(built) not in dict(ends).values():
        ends.append(("head", _main_layer(built)))
    return ends


def _main_layer(built) -> str:
    return summary.canonical_order(built.model, built.model.outputs[:1])[-1].name


def main_stage(built) -> str:
    """The stage whose last layer gives the model's (first) output."""
    return next(s for s, name in stage_layers(built) if name == _main_layer(built))


def _functional(model, outputs):
    if type(model).__module__.startswith("tf_keras"):
        import tf_keras

        return tf_keras.Model(model.inputs[0], outputs)
    import keras

    return keras.Model(model.inputs[0], outputs)


def stage_outputs(built, x: np.ndarray, through: str | None = None) -> dict[str, np.ndarray]:
    """Each stage's output for input x (float32, NHWC), inference mode, in stage order; with
    `through`, only the stages up to that one (the network beyond it is not run)."""
    ends = stage_layers(built)
    if through is not None:
        ends = ends[: [s for s, _ in ends].index(through) + 1]
    got = _probe(built, tuple(ends))(x, training=False)
    return {stage: np.asarray(y) for (stage, _), y in zip(ends, got, strict=True)}


# model -> {stage ends: probe}, forgotten with the model
_PROBES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _probe(built, ends: tuple):
    """The model with the layers of `ends` as outputs; made once per model and ends (it shares
    the model's layers, so it computes with their current weights and code)."""
    probes = _PROBES.setdefault(built.model, {})
    if ends not in probes:
        layers = [built.model.get_layer(name).output for _, name in ends]
        probes[ends] = _functional(built.model, layers)
    return probes[ends]


# ---- fingerprint ----------------------------------------------------------------------------


def _g(v) -> float:
    return float(f"{float(v):.7g}")


def _stats(y: np.ndarray) -> dict:
    flat = y.reshape(-1).astype(np.float64)
    positions = np.linspace(0, flat.size - 1, SAMPLES).round().astype(int)
    return {
        "shape": list(y.shape[1:]),
        "mean": _g(flat.mean()),
        "std": _g(flat.std()),
        "max_abs": _g(np.abs(flat).max()),
        "samples": [_g(flat[p]) for p in positions],
    }


def fingerprint(built, x: np.ndarray, through: str | None = None) -> dict:
    """The numbers pinned per model (see the module docstring) for the scaled input x; with
    `through`, those of the input and the stages up to that one, marked as such."""
    return record(x, stage_outputs(built, x, through), main_stage(built), through)


def record(x: np.ndarray, outputs: dict[str, np.ndarray], main: str, through=None) -> dict:
    """The fingerprint of input x and the stage outputs it gave; `main` names the classifier's
    stage (its top outputs are kept when it is a vector); `through` marks outputs that stop at
    that stage."""
    stages = [{"stage": "input", **_stats(x)}]
    stages += [{"stage": s, **_stats(y)} for s, y in outputs.items()]
    out = {"stages": stages} if through is None else {"stages": stages, "through": through}
    if main in outputs and outputs[main].ndim == 2:  # a classifier
        scores = outputs[main][0]
        out["top"] = [[int(i), _g(scores[i])] for i in np.argsort(-scores, kind="stable")[:TOP]]
    return out


def deviations(expected: dict, got: dict):
    """(where, expected, got, deviation) for every pinned number, in stage order; the deviation
    is |got - expected| over the stage's scale (the larger of |expected| and the stage's std);
    inf where a stage or a top class is missing or a shape differs."""
    by_stage = {s["stage"]: s for s in got["stages"]}
    for want in expected["stages"]:
        stage, have = want["stage"], by_stage.get(want["stage"])
        if have is None or have["shape"] != want["shape"]:
            yield f"stage {stage}: shape", want["shape"], have and have["shape"], math.inf
            continue
        pairs = [(k, want[k], have[k]) for k in ("mean", "std", "max_abs")]
        samples = zip(want["samples"], have["samples"], strict=True)
        pairs += [(f"sample {k}", a, b) for k, (a, b) in enumerate(samples)]
        for key, a, b in pairs:
            yield f"stage {stage}: {key}", a, b, abs(b - a) / max(want["std"], abs(a), 1e-12)
    scores = dict(got.get("top", []))
    for i, v in expected.get("top", []):
        b = scores.get(i)
        yield f"head: output {i}", v, b, math.inf if b is None else abs(b - v) / abs(v)


def moved(expected: dict, got: dict) -> list[str]:
    """Every pinned number of `got` further than TOLERANCE from `expected`, one line each, in
    stage order. A `got` made `through` a stage is compared up to that stage."""
    if "through" in got:
        names = [s["stage"] for s in expected["stages"]]
        expected = {"stages": expected["stages"][: names.index(got["through"]) + 1]}
    lines = []
    for where, a, b, deviation in deviations(expected, got):
        if math.isinf(deviation):
            lines.append(f"{where} expected {a}, got {b}")
        elif deviation > TOLERANCE:
            lines.append(
                f"{where} expected {a:.7g}, got {b:.7g} (moved {deviation:.2g} of the stage's "
                f"scale; tolerance {TOLERANCE:g})"
            )
    return lines


def compare(expected: dict, got: dict) -> str | None:
    """None when every number of `got` is within TOLERANCE of `expected`; else the first that
    is not, with its stage (see `moved`)."""
    return next(iter(moved(expected, got)), None)


def first_difference(a: dict[str, np.ndarray], b: dict[str, np.ndarray], atol: float):
    """(stage, max |a - b|) of the first stage whose outputs differ by more than atol times
    that stage's max |a| (or by any amount when atol is 0); None when none does."""
    for stage, x in a.items():
        y = b[stage]
        if x.shape != y.shape:
            return stage, f"shape {x.shape} vs {y.shape}"
        diff = float(np.abs(x.astype(np.float64) - y).max())
        if diff > atol * float(np.abs(x).max()):
            return stage, diff
    return None
