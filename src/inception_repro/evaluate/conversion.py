"""Is the Keras .h5 the TF-Slim Inception-ResNet-v2 checkpoint, converted?

`inception-repro compare-weights SLIM_CKPT KERAS_H5` loads the checkpoint into the slim
transcription (slim-inception-resnet-v2) and the .h5 into keras.applications' model, and
compares them weight by weight through the canonical order (summary.canonical_order), which
pairs the two bodies layer for layer (the structure tests prove the transcription builds the
Keras model). What the conversion is expected to leave out is left out: the background row of
the classifier (1001 -> 1000 classes) and the auxiliary head, which the Keras model lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inception_repro.errors import UsageError
from inception_repro.evaluate import checkpoints, weights

SLIM_ID = "slim-inception-resnet-v2"
KERAS_ID = "keras-inception-resnet-v2"
SHOWN = 5  # the largest differences listed


@dataclass(frozen=True)
class Difference:
    variable: str  # the checkpoint's name
    largest: float  # max |checkpoint - .h5| over the variable's values


def _weighted(layers) -> list:
    return [layer for layer in layers if layer.weights]


def compare(checkpoint_path, h5_path) -> dict:
    """Every variable of the checkpoint's body and classifier against the .h5's."""
    from inception_repro import registry

    check_order(checkpoint_path, h5_path)
    checkpoint = checkpoints.resolve(SLIM_ID, checkpoint_path)
    keras_file = weights.resolve(KERAS_ID, h5_path)
    slim = registry.for_weights(SLIM_ID).model
    read = checkpoints.load(slim, checkpoint, SLIM_ID)
    keras = registry.for_weights(KERAS_ID).model
    weights.load(keras, keras_file, KERAS_ID)
    return {
        "checkpoint": checkpoint.as_dict(),
        "keras_weights": keras_file.as_dict(),
        "checkpoint_variables_read": read,
        **compare_models(slim, keras),
    }


H5_SUFFIXES = (".h5", ".hdf5")


def check_order(checkpoint_path, h5_path) -> None:
    """A UsageError when the two paths look swapped: the .h5 given first."""
    if Path(checkpoint_path).suffix in H5_SUFFIXES and Path(h5_path).suffix not in H5_SUFFIXES:
        raise UsageError(
            f"SLIM_CKPT {checkpoint_path} is a .h5 file and KERAS_H5 {h5_path} is not: the two "
            "look swapped; give the TF-Slim checkpoint first, then the Keras .h5"
        )


def compare_models(slim, keras) -> dict:
    """The weights of the two loaded models, paired through the canonical order."""
    from inception_repro import summary

    names = dict(checkpoints.variable_names(slim, SLIM_ID))
    ours = _weighted(summary.canonical_order(slim, [slim.outputs[0]]))  # without the aux head
    theirs = _weighted(summary.canonical_order(keras))
    if len(ours) != len(theirs):
        raise UsageError(
            f"the models differ: {len(ours)} layers with weights against {len(theirs)}"
        )
    found, values = [], 0
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        classifier = i == len(ours) - 1
        for name, x, y in zip(names[a], a.get_weights(), b.get_weights(), strict=True):
            if classifier:
                x = x[..., 1:]  # the background class, output 0, has no Keras counterpart
            if x.shape != y.shape:
                raise UsageError(
                    f"{name}: shape {list(x.shape)} in the checkpoint, {list(y.shape)} in the "
                    ".h5: not a conversion of this checkpoint"
                )
            found.append(Difference(name, float(np.max(np.abs(x - y)))))
            values += y.size
    used = {n for layer in ours for n in names[layer]}
    left_out = sorted(n for layer_names in names.values() for n in layer_names if n not in used)
    largest = max(found, key=lambda d: d.largest)
    return {
        "compared_variables": len(found),
        "compared_values": values,
        "largest_difference": largest.largest,
        "largest_at": largest.variable,
        "identical": largest.largest == 0.0,
        "differing": [d.__dict__ for d in sorted(found, key=lambda d: -d.largest) if d.largest],
        "left_out": {
            "background": "output 0 of Logits/Logits (weights [:, 0], biases [0])",
            "aux_head": left_out,
        },
    }


def render(result: dict) -> str:
    verdict = (
        "equal, bit for bit"
        if result["identical"]
        else f"DIFFERENT: largest difference {result['largest_difference']:.3g} at "
        f"{result['largest_at']}"
    )
    lines = [
        f"{result['keras_weights']['path']} against {result['checkpoint']['path']}: {verdict}.",
        f"Compared through the canonical order: {result['compared_variables']} variables, "
        f"{result['compared_values']:,} values; largest difference "
        f"{result['largest_difference']:.3g}.",
        f"Left out, as the Keras model has no counterpart: the background class (output 0 of "
        f"Logits) and {len(result['left_out']['aux_head'])} AuxLogits variables.",
    ]
    for d in result["differing"][:SHOWN]:
        lines.append(f"  {d['variable']}: {d['largest']:.3g}")
    return "\n".join(lines)
