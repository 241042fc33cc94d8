"""Which layer of Keras's Inception-ResNet-v2 holds which variable of TF-Slim's checkpoint: a
table written from the two sources, apart from the canonical order (summary.canonical_order)
through which compare-weights pairs them.

keras/src/applications/inception_resnet_v2.py names three kinds of layer, and the table below
pairs them with TF-Slim's scopes by name: a residual block's up-projection (`block35_1_conv`,
... `block8_10_conv`; TF-Slim's `Repeat/block35_1/Conv2d_1x1`, ... `Block8/Conv2d_1x1`, the last
block outside the repeat), the last conv (`conv_7b`, `conv_7b_bn`; `Conv2d_7b_1x1`) and the
classifier (`predictions`; `Logits/Logits`). Every other conv is an unnamed `conv2d_bn(x, ...)`
call, whose Conv2D and BatchNormalization Keras names by counters that grow in the order the
calls run (`conv2d_<n>`, `batch_normalization_<n>`). Read side by side, those calls run in the
order in which TF-Slim's research/slim/nets/inception_resnet_v2.py opens its conv scopes: the
stem's five convs, then each block branch by branch (Branch_0 first), each branch from its
input on. That is the order tests/support/slim_names.py lists them in, so the n-th unnamed
conv (and batch norm) holds the n-th of TF-Slim's other convs.
"""

from __future__ import annotations

import re

from support import slim_names

TOP = "InceptionResnetV2"
# TF-Slim scope -> the Keras layer that holds its variables (Keras gives it this name)
NAMED = {
    **{f"Repeat/block35_{i}/Conv2d_1x1": f"block35_{i}_conv" for i in range(1, 11)},
    **{f"Repeat_1/block17_{i}/Conv2d_1x1": f"block17_{i}_conv" for i in range(1, 21)},
    **{f"Repeat_2/block8_{i}/Conv2d_1x1": f"block8_{i}_conv" for i in range(1, 10)},
    "Block8/Conv2d_1x1": "block8_10_conv",
    "Conv2d_7b_1x1": "conv_7b",
    "Logits/Logits": "predictions",
}
BN_OF_NAMED = {"conv_7b": "conv_7b_bn"}
# a variable's place among its Keras layer's weights (layer.weights order)
CONV_WEIGHT = {"weights": 0, "biases": 1}
BN_WEIGHT = {"beta": 0, "moving_mean": 1, "moving_variance": 2}  # no gamma: scale=False
LEFT_OUT = "AuxLogits"  # the Keras model has no aux head


def _counted(model, kind: str, prefix: str) -> list:
    """The model's unnamed layers of a kind in the order Keras made them (its name counter:
    `prefix`, `prefix_1`, `prefix_2`, ...)."""
    pattern = re.compile(rf"{prefix}(?:_(\d+))?")
    found = []
    for layer in model.layers:
        match = pattern.fullmatch(layer.name)
        if type(layer).__name__ == kind and match:
            found.append((int(match.group(1) or 0), layer))
    return [layer for _, layer in sorted(found, key=lambda pair: pair[0])]


def pairing(model) -> dict[str, tuple[object, int]]:
    """{TF-Slim variable name: (Keras layer, index in layer.weights)} for every variable of the
    checkpoint but the aux head's, on Keras's Inception-ResNet-v2 `model`."""
    scopes = []  # TF-Slim's conv scopes, in slim_names' order, each listed once
    for name in slim_names.inception_resnet_v2():
        scope = name.rsplit("/", 2 if "/BatchNorm/" in name else 1)[0]
        if scope not in scopes and f"/{LEFT_OUT}/" not in scope:
            scopes.append(scope)
    unnamed = [s for s in scopes if s.removeprefix(f"{TOP}/") not in NAMED]
    convs = _counted(model, "Conv2D", "conv2d")
    norms = _counted(model, "BatchNormalization", "batch_normalization")
    assert len(unnamed) == len(convs) == len(norms), (len(unnamed), len(convs), len(norms))
    holder = {s: (layer, norm) for s, layer, norm in zip(unnamed, convs, norms, strict=True)}
    for scope, layer_name in NAMED.items():
        norm = BN_OF_NAMED.get(layer_name)
        holder[f"{TOP}/{scope}"] = (
            model.get_layer(layer_name),
            model.get_layer(norm) if norm else None,
        )
    out = {}
    for name in slim_names.inception_resnet_v2():
        if f"/{LEFT_OUT}/" in name:
            continue
        if "/BatchNorm/" in name:
            scope, variable = name.split("/BatchNorm/")
            out[name] = (holder[scope][1], BN_WEIGHT[variable])
        else:
            scope, variable = name.rsplit("/", 1)
            out[name] = (holder[scope][0], CONV_WEIGHT[variable])
    return out
