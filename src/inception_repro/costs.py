"""Parameters (both conventions) and multiply-adds per stage, read off a canonical summary.

This reads any Keras model's summary, Inception-v3's included, with the conventions of
calculus.py, which computes the same numbers from a spec; the structure tests hold them equal.
"""

from __future__ import annotations

import math


def _macs(layer, layers) -> int:
    c = layer["config"]
    if layer["type"] == "conv2d":
        cin = layers[layer["inputs"][0]]["output_shape"][-1]
        kh, kw = c["kernel_size"]
        return math.prod(layer["output_shape"]) * kh * kw * cin // c.get("groups", 1)
    if layer["type"] == "dense":
        return layers[layer["inputs"][0]]["output_shape"][-1] * c["units"]
    return 0


def _pytorch(layer) -> int:
    if layer["type"] == "batch_norm":
        return 2 * layer["output_shape"][-1]  # gamma and beta; running statistics excluded
    return layer["params"][0] + layer["params"][1]


def per_stage(summary: dict) -> dict[str, dict[str, int]]:
    """{stage: {keras, trainable, non_trainable, pytorch, macs}} in stage order, plus 'total'."""
    layers = summary["layers"]
    table: dict[str, dict[str, int]] = {}
    for layer in layers:
        row = table.setdefault(
            layer["stage"],
            {"keras": 0, "trainable": 0, "non_trainable": 0, "pytorch": 0, "macs": 0},
        )
        row["trainable"] += layer["params"][0]
        row["non_trainable"] += layer["params"][1]
        row["keras"] += layer["params"][0] + layer["params"][1]
        row["pytorch"] += _pytorch(layer)
        row["macs"] += _macs(layer, layers)
    table["total"] = {
        k: sum(r[k] for r in list(table.values())) for k in next(iter(table.values()))
    }
    return table
