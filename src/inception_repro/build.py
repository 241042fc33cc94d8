"""Network spec -> Keras functional model, with deterministic names from the spec."""

from __future__ import annotations

from dataclasses import dataclass

import keras

from inception_repro import calculus, summary
from inception_repro.errors import UsageError
from inception_repro.spec import AVG, MAX, Network, walk


@keras.saving.register_keras_serializable(package="inception_repro")
class ScaledResidual(keras.layers.Layer):
    """inputs[0] + scale * inputs[1]: the scaled residual add (Keras's CustomScaleLayer)."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def bn_name(conv_name: str) -> str:
    """The name of the BatchNormalization layer after conv layer `conv_name`."""
    return f"{conv_name}_bn"


class _KerasOps:
    def conv(self, x, node, name):
        kernel = node.kernel or tuple(x.shape[1:3])
        if None in kernel:
            raise UsageError(f"{name}: a map-sized kernel needs a fixed input size")
        x = keras.layers.Conv2D(
            node.filters,
            kernel,
            strides=node.stride,
            padding=node.padding,
            use_bias=node.bias,
            name=name,
        )(x)
        if node.bn:
            bn = node.bn
            x = keras.layers.BatchNormalization(
                axis=3, epsilon=bn.epsilon, center=bn.center, scale=bn.scale, name=bn_name(name)
            )(x)
        if node.activation:
            x = keras.layers.Activation(node.activation, name=f"{name}_ac")(x)
        return x

    def pool(self, x, node, name):
        layer = {MAX: keras.layers.MaxPooling2D, AVG: keras.layers.AveragePooling2D}[node.kind]
        return layer(node.size, strides=node.stride, padding=node.padding, name=name)(x)

    def concat(self, xs, node, name):
        return keras.layers.Concatenate(axis=3, name=name)(xs)

    def scaled_add(self, x, up, node, name):
        return ScaledResidual(node.scale, name=name)([x, up])

    def activation(self, x, node, name):
        return keras.layers.Activation(node.activation, name=name)(x)

    def global_avg_pool(self, x, node, name):
        return keras.layers.GlobalAveragePooling2D(name=name)(x)

    def flatten(self, x, node, name):
        return keras.layers.Flatten(name=name)(x)

    def dropout(self, x, node, name):
        return keras.layers.Dropout(node.rate, name=name)(x)

    def dense(self, x, node, name):
        return keras.layers.Dense(node.units, activation=node.activation, name=name)(x)


@dataclass(frozen=True)
class Built:
    model: keras.Model
    stage_ends: tuple[tuple[str, str], ...]  # (stage, name of its last layer), in order


def build(network: Network, input_size=(299, 299), include_top: bool = True) -> Built:
    """Build the Keras model. A None side builds a model for any size along that axis."""
    if None not in tuple(input_size):
        calculus.check_input_size(network, input_size, include_top)
    inputs = keras.Input((*input_size, 3), name="input")
    outputs, stage_outputs = walk(network, _KerasOps(), inputs, include_top)
    model = keras.Model(inputs, outputs if len(outputs) > 1 else outputs[0], name=network.id)
    made_by = summary.producers(model.layers)
    ends = tuple((stage, made_by[id(t)].name) for stage, t in stage_outputs.items())
    return Built(model, ends)
