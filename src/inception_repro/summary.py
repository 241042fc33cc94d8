"""Any Keras functional model -> canonical summary: a plain, deterministic, comparable record.

Keras 3 models and Keras 2 ones (package tf-keras) give the same record for the same network.
Order: depth-first from the outputs (in order), each layer's inputs visited in call order,
a layer listed after all its inputs. It depends only on the graph, never on names or on the
order layers were created. Names are kept only where a model chose them (mixed_5b,
block35_3_ac, conv_7b): names Keras generated and the builder's path names ("stem.3.b1.0")
are dropped, since they carry nothing the index and stage do not.
"""

from __future__ import annotations

import math
import re

from inception_repro.errors import UsageError

# Keras class -> canonical type, and the config keys that change the forward computation.
_TYPES = {
    "InputLayer": ("input", ()),
    "Conv2D": (
        "conv2d",
        (
            "filters",
            "kernel_size",
            "strides",
            "padding",
            "dilation_rate",
            "groups",
            "use_bias",
            "activation",
            "data_format",
        ),
    ),
    "BatchNormalization": ("batch_norm", ("axis", "epsilon", "center", "scale")),
    "Activation": ("activation", ("activation",)),
    "MaxPooling2D": ("max_pool", ("pool_size", "strides", "padding")),
    "AveragePooling2D": ("avg_pool", ("pool_size", "strides", "padding")),
    "Concatenate": ("concat", ("axis",)),
    "CustomScaleLayer": ("scaled_residual_add", ("scale",)),
    "ScaledResidual": ("scaled_residual_add", ("scale",)),
    "GlobalAveragePooling2D": ("global_avg_pool", ("keepdims",)),
    "GlobalMaxPooling2D": ("global_max_pool", ("keepdims",)),
    "Flatten": ("flatten", ()),
    "Dropout": ("dropout", ("rate",)),
    "Dense": ("dense", ("units", "activation", "use_bias")),
}


def _generated(layer) -> bool:
    """Keras's own names (conv2d_17, custom_scale_layer) and the builder's path names."""
    from inception_repro import upstream  # Keras's naming rule; summary.py itself needs no Keras

    stem = upstream.auto_name_stem(type(layer).__name__)
    auto = re.fullmatch(rf"{re.escape(stem)}(_\d+)?", layer.name)
    return bool(auto) or "." in layer.name or type(layer).__name__ == "InputLayer"


def producers(layers) -> dict[int, object]:
    """The layer that made each tensor, by the tensor's id: each layer's public `output` (every
    layer here is called once and has one output)."""
    return _Producers({id(layer.output): layer for layer in layers})


class _Producers(dict):
    def __missing__(self, key):
        raise UsageError(
            "a tensor of the model has no producing layer among its layers: the summariser "
            "reads functional models (keras.Model(inputs, outputs)), not Sequential ones"
        )


def _inbound(layer, made_by: dict) -> list:
    """The layers whose outputs this layer consumed, in order: its public `input` (one tensor or
    a list), in Keras 3 and Keras 2 (tf_keras) alike. An input layer consumes nothing (Keras 2
    lists its own tensor as its input)."""
    if type(layer).__name__ == "InputLayer":
        return []
    tensors = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
    return [made_by[id(t)] for t in tensors]


def canonical_order(model, outputs=None) -> list:
    order, seen = [], set()
    made_by = producers(model.layers)
    for out in model.outputs if outputs is None else outputs:
        stack = [(made_by[id(out)], False)]
        while stack:
            layer, expanded = stack.pop()
            if id(layer) in seen:
                continue
            if expanded:
                seen.add(id(layer))
                order.append(layer)
                continue
            stack.append((layer, True))
            inbound = reversed(_inbound(layer, made_by))
            stack.extend((p, False) for p in inbound if id(p) not in seen)
    return order


def _value(v):
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if isinstance(v, dict):  # a serialised object, e.g. an activation or a policy
        return v.get("config", {}).get("name", v.get("class_name"))
    return v


def _config(layer) -> tuple[str, dict]:
    cls = type(layer).__name__
    cfg = layer.get_config()
    if cls == "Lambda" and set(cfg.get("arguments") or ()) == {"scale"}:
        # Keras 2 before 2.12: the residual add was Lambda(x + scale * up, arguments={"scale": s})
        cls, cfg = "CustomScaleLayer", cfg["arguments"]
    if cls not in _TYPES:
        raise UsageError(f"layer {layer.name!r} has type {cls}, which the summariser does not know")
    kind, keys = _TYPES[cls]
    return kind, {k: _axis(k, _value(cfg[k])) for k in keys}


def _axis(key, value):
    """Keras 2 writes BatchNormalization's axis as a one-element list ([3]), Keras 3 as 3."""
    return value[0] if key == "axis" and isinstance(value, list) and len(value) == 1 else value


def _shape(layer):
    return [d for d in layer.output.shape[1:]]


def cut_points(order) -> list[int]:
    """Indices i such that every edge from a layer at or before i into a later one leaves i.

    In an Inception network these are the ends of the stem, of every block and reduction.
    """
    index = {id(layer): i for i, layer in enumerate(order)}
    made_by = producers(order)
    earliest = [
        min((index[id(p)] for p in _inbound(x, made_by)), default=i) for i, x in enumerate(order)
    ]
    cuts, low = [], len(order)
    for i in range(len(order) - 1, -1, -1):
        if low >= i:
            cuts.append(i)
        low = min(low, earliest[i])
    return cuts[::-1]


def resolve_stage_ends(model, selectors) -> tuple[tuple[str, str], ...]:
    """(stage, selector) -> (stage, layer name); a selector is a layer name or ("before", name):
    the last cut point before that layer (for stage ends Keras leaves unnamed)."""
    order = canonical_order(model)
    position = {x.name: i for i, x in enumerate(order)}
    cuts = cut_points(order)
    ends = []
    for stage, sel in selectors:
        if isinstance(sel, tuple):
            i = max(c for c in cuts if c < position[sel[1]])
            ends.append((stage, order[i].name))
        else:
            ends.append((stage, sel))
    return tuple(ends)


def _stage_of(order_names, stage_ends):
    """stage per canonical index, from (stage, end layer name) pairs in order."""
    stages, start = [None] * len(order_names), 0
    position = {n: i for i, n in enumerate(order_names)}
    for stage, end in stage_ends:
        stop = position[end] + 1
        stages[start:stop] = [stage] * (stop - start)
        start = stop
    return [s or "head" for s in stages]


def summarise(model, stage_ends=()) -> dict:
    """The canonical summary: params and every layer's type, settings, shape, counts, inputs."""
    order = canonical_order(model)
    index = {id(layer): i for i, layer in enumerate(order)}
    made_by = producers(order)
    stages = _stage_of([layer.name for layer in order], stage_ends)
    blocks = _blocks(order, stages, len(canonical_order(model, model.outputs[:1])))
    layers = []
    for i, layer in enumerate(order):
        kind, config = _config(layer)
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        frozen = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
        layers.append(
            {
                "index": i,
                "stage": stages[i],
                "block": blocks[i],
                "name": None if _generated(layer) else layer.name,
                "type": kind,
                "config": config,
                "output_shape": _shape(layer),
                "params": [trainable, frozen],
                "inputs": [index[id(p)] for p in _inbound(layer, made_by)] if i else [],
            }
        )
    trainable = sum(x["params"][0] for x in layers)
    frozen = sum(x["params"][1] for x in layers)
    return {
        "input_shape": _shape(order[0]),
        "params": {"total": trainable + frozen, "trainable": trainable, "non_trainable": frozen},
        "stages": _stage_table(layers, stage_ends),
        "layers": layers,
    }


def _blocks(order, stages, n_main) -> list[int | None]:
    """The block number (1, 2, ...) of each layer of a blocks_* stage, from the graph's cut
    points; None elsewhere. Only the main output's graph is cut (an aux head would bridge it)."""
    cuts = set(cut_points(order[:n_main]))
    ends = {c for c in cuts if c + 1 not in cuts}  # a block's add and activation both cut
    out, current, count = [], None, 0
    for i, stage in enumerate(stages):
        if stage != current:
            current, count = stage, 1
        out.append(count if stage.startswith("blocks_") and i < n_main else None)
        if i in ends:
            count += 1
    return out


def _stage_table(layers, stage_ends):
    table = {}
    for x in layers:
        table[x["stage"]] = x["output_shape"]  # the last layer of a stage gives its output
    names = [s for s, _ in stage_ends] + [s for s in table if s not in dict(stage_ends)]
    return [{"name": s, "output_shape": table[s]} for s in dict.fromkeys(names) if s in table]


def _settings(layer) -> str:
    c = layer["config"]
    kind = layer["type"]
    if kind == "conv2d":
        k = "x".join(map(str, c["kernel_size"]))
        text = f"{c['filters']} {k} s{c['strides'][0]} {c['padding']}"
        return text + (" +bias" if c["use_bias"] else "") + _act(c["activation"])
    if kind.endswith("_pool") and "pool_size" in c:
        return f"{c['pool_size'][0]}x{c['pool_size'][1]} s{c['strides'][0]} {c['padding']}"
    if kind == "batch_norm":
        return f"eps={c['epsilon']} center={c['center']} scale={c['scale']}"
    if kind == "dense":
        return f"{c['units']}{_act(c['activation'])}"
    return " ".join(f"{v}" for k, v in c.items() if k not in ("axis",))


def _act(activation) -> str:
    return "" if activation in (None, "linear") else f" {activation}"


def text_table(s: dict, title: str = "", notes: dict | None = None) -> str:
    """A model.summary()-like table, each column as wide as its content; `notes` maps a layer
    index to a citation."""
    notes = notes or {}
    header = ["#", "stage", "name", "type", "settings", "output", "params", "inputs"]
    rows = [
        [
            str(x["index"]),
            x["stage"],
            x["name"] or "",
            x["type"],
            _settings(x),
            "x".join(str(d) for d in x["output_shape"]),
            f"{sum(x['params']):,}",
            ",".join(map(str, x["inputs"])),
        ]
        for x in s["layers"]
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {0, 6}  # numbers

    def line(cells):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    lines = [title, line(header).rstrip()]
    for x, row in zip(s["layers"], rows, strict=True):
        note = f"  [{notes[x['index']]}]" if x["index"] in notes else ""
        lines.append(line(row).rstrip() + note)
    p = s["params"]
    lines.append(
        f"total {p['total']:,} = trainable {p['trainable']:,}"
        f" + non-trainable {p['non_trainable']:,}"
    )
    width = max(len(st["name"]) for st in s["stages"])
    lines += [
        f"{st['name']:<{width}}  {'x'.join(map(str, st['output_shape']))}" for st in s["stages"]
    ]
    return "\n".join(lines)


def _where(layer) -> str:
    block = f" block {layer['block']}" if layer.get("block") else ""
    name = f" {layer['name']}" if layer["name"] else ""
    return f"layer {layer['index']} ({layer['stage']}{block}{name}, {layer['type']})"


def differences(expected: dict, actual: dict, limit: int = 10) -> list[str]:
    """Readable differences between two canonical summaries, first `limit` of them."""
    out = []
    for key in ("input_shape", "params", "stages"):
        if expected[key] != actual[key]:
            out.append(f"{key}: expected {expected[key]}, got {actual[key]}")
    for a, b in zip(expected["layers"], actual["layers"], strict=False):  # lengths: see below
        for key in ("stage", "block", "name", "type", "output_shape", "params", "inputs"):
            if a[key] != b[key]:
                out.append(f"{_where(a)}: {key} expected {a[key]}, got {b[key]}")
        for key in sorted(set(a["config"]) | set(b["config"])):
            va, vb = a["config"].get(key), b["config"].get(key)
            if va != vb:
                out.append(f"{_where(a)}: {key} expected {va}, got {vb}")
    n, m = len(expected["layers"]), len(actual["layers"])
    if n != m:
        out.append(f"layer count: expected {n}, got {m}")
    return out[:limit] + ([f"... {len(out) - limit} more"] if len(out) > limit else [])
