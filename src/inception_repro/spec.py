"""The vocabulary networks are written in: frozen dataclasses, each citing its source.

No TensorFlow here. `walk` (the one traversal) turns a Network into calls on an `ops` object;
build.py gives it Keras ops, calculus.py gives it shape-and-count ops, so both always agree on
order, naming and structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from inception_repro.errors import SpecError

STAGE_NAMES = ("stem", "blocks_a", "reduction_a", "blocks_b", "reduction_b", "blocks_c", "head")
SAME, VALID = "same", "valid"
PADDINGS = (SAME, VALID)
MAX, AVG = "max", "avg"
POOL_KINDS = (MAX, AVG)
# SLIM_SCOPE: a TF-Slim transcription's Conv and Dense nodes carry `scope`, the variable scope
# its checkpoint stores them under, below the network's own (InceptionV4/...): "Mixed_6b/
# Branch_1/Conv2d_0b_1x7" holds weights, BatchNorm/beta, BatchNorm/moving_mean and
# BatchNorm/moving_variance (evaluate/checkpoints.py reads them).


def _check(node, field: str, vocabulary: tuple) -> None:
    value = getattr(node, field)
    if value not in vocabulary:
        where = node.name or node.cite or type(node).__name__
        raise SpecError(f"{where}: {field} {value!r} is not one of {', '.join(vocabulary)}")


@dataclass(frozen=True)
class BatchNorm:
    """Keras BatchNormalization settings that change inference math (momentum does not)."""

    epsilon: float = 1e-3
    center: bool = True
    scale: bool = False


@dataclass(frozen=True)
class Conv:
    """Conv2D, then BatchNorm when `bn` is set, then the activation (conv2d_bn in Keras/Slim).

    kernel None means "the whole spatial size of the input" (TF-Slim's aux head conv).
    """

    filters: int
    kernel: tuple[int, int] | None
    stride: int = 1
    padding: str = SAME  # one of PADDINGS
    activation: str | None = "relu"
    bn: BatchNorm | None = field(default_factory=BatchNorm)
    bias: bool = False
    cite: str = ""
    name: str | None = None
    scope: str | None = None  # where a TF-Slim checkpoint stores its variables (SLIM_SCOPE)

    def __post_init__(self):
        _check(self, "padding", PADDINGS)


@dataclass(frozen=True)
class Pool:
    kind: str  # one of POOL_KINDS
    size: int = 3
    stride: int = 1
    padding: str = VALID  # one of PADDINGS
    cite: str = ""
    name: str | None = None

    def __post_init__(self):
        _check(self, "kind", POOL_KINDS)
        _check(self, "padding", PADDINGS)


@dataclass(frozen=True)
class Concat:
    """Branches side by side, concatenated on channels: an Inception module or reduction."""

    branches: tuple[tuple[Node, ...], ...]
    cite: str = ""
    name: str | None = None


@dataclass(frozen=True)
class Residual:
    """Inception-ResNet block: branches -> concat -> linear 1x1 `up` -> x + scale*up -> act.

    With `name` N the layers are named as Keras names them: N_mixed, N_conv, N_ac.
    """

    branches: tuple[tuple[Node, ...], ...]
    up: Conv
    scale: float
    activation: str | None = "relu"
    cite: str = ""
    name: str | None = None


@dataclass(frozen=True)
class GlobalAvgPool:
    cite: str = ""
    name: str | None = None


@dataclass(frozen=True)
class Flatten:
    cite: str = ""
    name: str | None = None


@dataclass(frozen=True)
class Dropout:
    rate: float
    cite: str = ""
    name: str | None = None


@dataclass(frozen=True)
class Dense:
    units: int
    activation: str | None = None
    cite: str = ""
    name: str | None = None
    scope: str | None = None  # as Conv.scope


Node = Conv | Pool | Concat | Residual | GlobalAvgPool | Flatten | Dropout | Dense


@dataclass(frozen=True)
class Stage:
    name: str
    nodes: tuple[Node, ...]
    cite: str = ""


@dataclass(frozen=True)
class AuxHead:
    """A second classifier output, fed from the end of stage `source` (TF-Slim's AuxLogits)."""

    source: str
    nodes: tuple[Node, ...]
    cite: str = ""


@dataclass(frozen=True)
class Network:
    """`stages` always run; `top` (classifier) and `aux` only with include_top."""

    id: str
    stages: tuple[Stage, ...]
    top: tuple[Node, ...]
    classes: int
    cite: str
    aux: AuxHead | None = None

    def __post_init__(self):
        check_depths(self)

    def with_top(self, top: tuple[Node, ...], classes: int, aux: AuxHead | None = None, id=None):
        return replace(self, top=top, classes=classes, aux=aux, id=id or self.id)


def repeat(make_block, times: int, first: int = 1) -> tuple[Node, ...]:
    """`times` copies of a block; make_block(i) builds the i-th (names carry the index)."""
    return tuple(make_block(i) for i in range(first, first + times))


def nodes(network: Network):
    """Every node, depth first: stages, top, aux head; a residual's up-projection after it."""
    groups = [s.nodes for s in network.stages] + [network.top]
    yield from _flat(groups + ([network.aux.nodes] if network.aux else []))


def _flat(groups):
    for group in groups:
        for node in group:
            yield node
            if isinstance(node, (Concat, Residual)):
                yield from _flat(node.branches)
            if isinstance(node, Residual):
                yield node.up


# ---- the one traversal -------------------------------------------------------------------


def walk(network: Network, ops, x, include_top: bool = True):
    """Run the network through `ops`; return (outputs, {stage name: stage output}).

    Every op takes (input, node, name): the input (a list for concat; for scaled_add, the
    shortcut and then the up-projection), the spec node it comes from, and the layer name.

    Unnamed layers get their path as name, e.g. "blocks_a.3.b2.1" (stage, node, branch, node),
    so names never depend on Keras's global counters.
    """
    stage_outputs = {}
    stages = list(network.stages)
    if include_top and network.top:
        stages = _with_head(stages, network.top)
    for stage in stages:
        if hasattr(ops, "enter_stage"):  # ops that attribute layers to stages
            ops.enter_stage(stage.name)
        for i, node in enumerate(stage.nodes):
            x = _node(node, ops, x, f"{stage.name}.{i}")
        stage_outputs[stage.name] = x
    outputs = [x]
    if include_top and network.aux:
        if hasattr(ops, "enter_stage"):
            ops.enter_stage("aux_head")
        a = stage_outputs[network.aux.source]
        for i, node in enumerate(network.aux.nodes):
            a = _node(node, ops, a, f"aux_head.{i}")
        stage_outputs["aux_head"] = a
        outputs.append(a)
    return outputs, stage_outputs


def _with_head(stages, top):
    if stages[-1].name == "head":
        last = stages[-1]
        return stages[:-1] + [replace(last, nodes=last.nodes + tuple(top))]
    return stages + [Stage("head", tuple(top))]


def _node(node, ops, x, path):
    name = node.name or path
    if isinstance(node, Concat):
        return ops.concat(_branches(node.branches, ops, x, path), node, name)
    if isinstance(node, Residual):
        mixed = ops.concat(_branches(node.branches, ops, x, path), node, _sub(node, "mixed", path))
        up = ops.conv(mixed, node.up, _sub(node, "conv", path))
        x = ops.scaled_add(x, up, node, None if node.name else f"{path}.add")
        if node.activation:
            x = ops.activation(x, node, _sub(node, "ac", path))
        return x
    return getattr(ops, _OPS[type(node)])(x, node, name)


_OPS = {
    Conv: "conv",
    Pool: "pool",
    GlobalAvgPool: "global_avg_pool",
    Flatten: "flatten",
    Dropout: "dropout",
    Dense: "dense",
}


def _sub(node, suffix, path):
    return f"{node.name}_{suffix}" if node.name else f"{path}.{suffix}"


def _branches(branches, ops, x, path):
    outs = []
    for b, branch in enumerate(branches):
        y = x
        for j, node in enumerate(branch):
            y = _node(node, ops, y, f"{path}.b{b}.{j}")
        outs.append(y)
    return outs


# ---- validation: channel depths, before any Keras ----------------------------------------


class _Depth:
    """Ops that track only channel depth, to validate residual widths."""

    def conv(self, d, node, name):
        return node.filters

    def pool(self, d, node, name):
        return d

    def concat(self, ds, node, name):
        return sum(ds)

    def scaled_add(self, d, up, node, name):
        if up != d:
            raise SpecError(
                f"{node.name or name}: the residual up-projection has {up} filters but its "
                f"input has depth {d}; they cannot be added ({node.up.cite or node.cite})"
            )
        return d

    def activation(self, d, node, name):
        return d

    def global_avg_pool(self, d, node, name):
        return d

    def flatten(self, d, node, name):
        return d

    def dropout(self, d, node, name):
        return d

    def dense(self, d, node, name):
        return node.units


def check_depths(network: Network) -> None:
    try:
        walk(network, _Depth(), 3, include_top=True)
    except SpecError as e:
        raise SpecError(f"{network.id}: {e}") from None
