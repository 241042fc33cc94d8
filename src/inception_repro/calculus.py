"""Shapes, minimum input size, parameters and multiply-adds of a spec: pure Python, no TensorFlow.

Parameter conventions:
- keras: conv kernels and biases, Dense weights and biases, BN beta (trainable; gamma only with
  scale=True) + BN moving mean and variance (non-trainable). Matches model.count_params().
- pytorch: conv and Dense as above; every BN counts gamma and beta (torch's affine BatchNorm2d
  has both even where TF trained without gamma); running statistics excluded. This is how timm
  counts its port of the same weights.
Multiply-adds: conv H_out*W_out*kh*kw*C_in*C_out, Dense C_in*C_out; BN, activations, pooling,
adds and biases are not counted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from inception_repro.errors import InputSizeError
from inception_repro.spec import Network, walk

CONVENTIONS = ("keras", "pytorch")


@dataclass(frozen=True)
class Layer:
    """One Keras layer as the calculus predicts it."""

    name: str
    kind: str
    shape: tuple  # output shape without the batch axis
    trainable: int = 0
    non_trainable: int = 0
    pytorch: int = 0
    macs: int = 0
    stage: str = ""
    cite: str = ""


class _InvalidSize(Exception):
    def __init__(self, layer, size):
        super().__init__(f"{layer}: its input is {size[0]}x{size[1]}, smaller than its window")
        self.layer = layer


def _out(n, k, s, padding):
    if padding == "same":
        return -(-n // s)
    return (n - k) // s + 1


class _ShapeOps:
    """Tracks (H, W, C) through the network and records every Keras layer it would make."""

    def __init__(self):
        self.layers: list[Layer] = []
        self.stage = ""

    def enter_stage(self, name):
        self.stage = name

    def _add(self, node, *args):
        self.layers.append(Layer(*args, stage=self.stage, cite=node.cite))

    def _spatial(self, x, kernel, stride, padding, name):
        h, w = (_out(n, k, stride, padding) for n, k in zip(x[:2], kernel, strict=True))
        if h < 1 or w < 1:
            raise _InvalidSize(name, x)
        return h, w

    def conv(self, x, node, name):
        kernel = node.kernel or x[:2]
        h, w = self._spatial(x, kernel, node.stride, node.padding, name)
        c, f = x[2], node.filters
        weights = kernel[0] * kernel[1] * c * f + (f if node.bias else 0)
        macs = h * w * kernel[0] * kernel[1] * c * f
        self._add(node, name, "conv2d", (h, w, f), weights, 0, weights, macs)
        if node.bn:
            bn = node.bn
            trainable = f * (int(bn.center) + int(bn.scale))
            self._add(node, f"{name}_bn", "batch_norm", (h, w, f), trainable, 2 * f, 2 * f)
        if node.activation:
            self._add(node, f"{name}_ac", "activation", (h, w, f))
        return (h, w, f)

    def pool(self, x, node, name):
        h, w = self._spatial(x, (node.size, node.size), node.stride, node.padding, name)
        self._add(node, name, f"{node.kind}_pool", (h, w, x[2]))
        return (h, w, x[2])

    def concat(self, xs, node, name):
        if len({x[:2] for x in xs}) != 1:
            raise _InvalidSize(name, xs[0])
        shape = (*xs[0][:2], sum(x[2] for x in xs))
        self._add(node, name, "concat", shape)
        return shape

    def scaled_add(self, x, up, node, name):
        self._add(node, name or f"{node.name}_add", "scaled_residual_add", x)
        return x

    def activation(self, x, node, name):
        self._add(node, name, "activation", x)
        return x

    def global_avg_pool(self, x, node, name):
        self._add(node, name, "global_avg_pool", (x[2],))
        return (x[2],)

    def flatten(self, x, node, name):
        shape = (x[0] * x[1] * x[2],) if len(x) == 3 else x
        self._add(node, name, "flatten", shape)
        return shape

    def dropout(self, x, node, name):
        self._add(node, name, "dropout", x)
        return x

    def dense(self, x, node, name):
        n = x[0] * node.units + node.units
        self._add(node, name, "dense", (node.units,), n, 0, n, x[0] * node.units)
        return (node.units,)


@dataclass(frozen=True)
class Trace:
    layers: tuple[Layer, ...]
    stages: tuple[tuple[str, tuple], ...]  # (stage name, output shape)

    def params(self, convention="keras") -> int:
        if convention == "keras":
            return sum(x.trainable + x.non_trainable for x in self.layers)
        if convention == "pytorch":
            return sum(x.pytorch for x in self.layers)
        raise ValueError(f"unknown convention {convention!r}; known: {', '.join(CONVENTIONS)}")

    @property
    def trainable(self) -> int:
        return sum(x.trainable for x in self.layers)

    @property
    def non_trainable(self) -> int:
        return sum(x.non_trainable for x in self.layers)

    @property
    def macs(self) -> int:
        return sum(x.macs for x in self.layers)


def _trace(network: Network, input_size, include_top: bool) -> Trace:
    ops = _ShapeOps()
    _, stage_outputs = walk(network, ops, (*input_size, 3), include_top)
    return Trace(tuple(ops.layers), tuple(stage_outputs.items()))


def trace(network: Network, input_size=(299, 299), include_top: bool = True) -> Trace:
    """Every layer's output shape and counts at this input size; too small -> InputSizeError."""
    try:
        return _trace(network, tuple(input_size), include_top)
    except _InvalidSize as e:
        raise _too_small(network, input_size, include_top, e.layer) from None


def _valid(network, size, include_top) -> bool:
    try:
        _trace(network, size, include_top)
    except _InvalidSize:
        return False
    return True


@functools.cache
def min_input_size(network: Network, include_top: bool = True) -> int:
    """The smallest side accepted on each axis (the other axis large): every window fits."""
    large = 1024
    for n in range(1, large):
        if _valid(network, (n, large), include_top) and _valid(network, (large, n), include_top):
            return n
    raise ValueError(f"{network.id}: no valid input size below {large}")


def too_small(model_id, size, minimum, layer=None, without_top=None) -> str:
    """The message for an input below the minimum: what, for which model, and the fix (and,
    where the classifier raises the minimum, the minimum without it)."""
    where = f" (layer {layer} would get an empty map)" if layer else ""
    lower = (
        f", or {without_top} with --no-top"
        if without_top is not None and without_top < minimum
        else ""
    )
    return (
        f"input size {size[0]}x{size[1]} is too small for {model_id}{where}: "
        f"the minimum is {minimum}x{minimum}; use --input-size H W with H, W >= {minimum}{lower}"
    )


def _too_small(network: Network, size, include_top: bool, layer=None) -> InputSizeError:
    minimum = min_input_size(network, include_top)
    without_top = min_input_size(network, False) if include_top else None
    return InputSizeError(too_small(network.id, size, minimum, layer, without_top))


def check_input_size(network: Network, size, include_top: bool = True) -> None:
    if min(size) < min_input_size(network, include_top):
        raise _too_small(network, size, include_top)
