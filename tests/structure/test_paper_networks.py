"""The paper specs: stage shapes and input sizes through the CLI, the stated conventions hold
everywhere, every layer cites a figure of its network, the counts cross-check with timm's."""

import json
import re

import pytest
from support.groups import per_model

from inception_repro import calculus, cli, registry
from inception_repro.networks import paper
from inception_repro.spec import (
    STAGE_NAMES,
    Conv,
    Dense,
    Dropout,
    GlobalAvgPool,
    Pool,
    Residual,
    nodes,
)

pytestmark = pytest.mark.structure

MODELS = ("paper-inception-v4", "paper-inception-resnet-v1", "paper-inception-resnet-v2")
# The figures each network is drawn from: Fig 9's caption (v4) and Fig 15's caption (v1, v2).
FIGURES = {
    "paper-inception-v4": {3, 4, 5, 6, 7, 8, 9},
    "paper-inception-resnet-v1": {14, 10, 7, 11, 12, 13, 15},
    "paper-inception-resnet-v2": {3, 16, 7, 17, 18, 19, 15},
}


def _network(model_id):
    return registry.entry(model_id).network()


def _stages(grid35, grid17, grid8):
    shapes = [grid35, grid35, grid17, grid17, grid8, grid8, [1000]]
    return [{"name": n, "output_shape": s} for n, s in zip(STAGE_NAMES, shapes, strict=True)]


# Stage output shapes at 299: Fig 9 (v4) and Fig 15 (v1) print them; v2's are derived: the Fig 3
# stem gives 384, Fig 7 with Table 1's n = m = 384 adds 768 -> 1152, Fig 18 adds 992 -> 2144.
STAGES = {
    "paper-inception-v4": _stages([35, 35, 384], [17, 17, 1024], [8, 8, 1536]),
    "paper-inception-resnet-v1": _stages([35, 35, 256], [17, 17, 896], [8, 8, 1792]),
    "paper-inception-resnet-v2": _stages([35, 35, 384], [17, 17, 1152], [8, 8, 2144]),
}


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_cli_summary_gives_the_stage_shapes(model_id, capsys):
    assert cli.main(["summary", model_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stages"] == STAGES[model_id]


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_smallest_input_is_75(model_id, capsys):
    # 75 -> 37 -> 35 -> ... -> 3 at Reduction-B's valid 3x3 stride 2 -> 1; 74 ends at 0.
    network = _network(model_id)
    assert calculus.min_input_size(network) == 75
    assert dict(calculus.trace(network, (75, 75)).stages)["blocks_c"][:2] == (1, 1)
    assert cli.main(["summary", model_id, "--input-size", "74", "300"]) == 2
    assert "the minimum is 75x75" in capsys.readouterr().err


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_every_layer_cites_a_figure_of_its_network(model_id):
    for node in nodes(_network(model_id)):
        figure = re.match(r"Fig (\d+): ", node.cite)
        assert figure and int(figure[1]) in FIGURES[model_id], node.cite


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_conventions_hold_everywhere(model_id):
    network = _network(model_id)
    every = list(nodes(network))
    ups = {id(n.up) for n in every if isinstance(n, Residual)}
    for node in every:
        if isinstance(node, Conv) and id(node) in ups:
            assert (node.bias, node.bn, node.activation) == (True, None, None)
        elif isinstance(node, Conv):
            assert (node.bias, node.bn, node.activation) == (False, paper.CONV_BN, "relu")
            assert (node.bn.scale, node.bn.epsilon) == (False, 1e-3)
        elif isinstance(node, Residual):
            assert (node.scale, node.activation) == (paper.RESIDUAL_SCALE, "relu")
        elif isinstance(node, Pool) and node.kind == "avg":
            assert (node.size, node.stride, node.padding) == (3, 1, "same")
    head = [type(n) for n in network.top]
    assert head == [GlobalAvgPool, Dropout, Dense]
    assert network.top[1].rate == 0.2  # Figs 9, 15: Dropout (keep 0.8)
    assert (network.top[2].units, network.top[2].activation) == (1000, "softmax")
    assert network.aux is None


def test_residual_scale_is_configurable():
    for network in (paper.inception_resnet_v1(scale=0.3), paper.inception_resnet_v2(scale=0.3)):
        scales = {n.scale for n in nodes(network) if isinstance(n, Residual)}
        assert scales == {0.3}


def test_inception_v4_parameters_match_timm():
    # timm results/results-imagenet.csv, inception_v4.tf_in1k: param_count 42.68 (millions),
    # the PyTorch port of the TF-Slim weights, counted with torch's affine BatchNorm.
    params = calculus.trace(paper.inception_v4()).params("pytorch")
    assert round(params / 1e6, 2) == 42.68
