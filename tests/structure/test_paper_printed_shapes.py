"""Every shape the paper prints (golden/paper/printed_shapes.yaml) against the paper specs."""

from pathlib import Path

import pytest
import yaml
from support.groups import model_group

from inception_repro import calculus, registry

pytestmark = pytest.mark.structure

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "paper" / "printed_shapes.yaml"
FIGURES = {f["figure"]: f for f in yaml.safe_load(GOLDEN.read_text())["figures"]}
SIZE = (299, 299)  # Figs 3, 9, 14, 15: Input (299x299x3)

CASES = [(fig, model) for fig, f in FIGURES.items() for model in f["networks"]]


def _trace(model_id):
    return calculus.trace(registry.entry(model_id).network(), SIZE)


def _node_layer(trace, at):
    """The last layer the walk names after node `at` ("stem.3"): that node's output."""
    return [x for x in trace.layers if x.name == at or x.name.startswith((f"{at}_", f"{at}."))][-1]


def _calculus_shape(trace, at):
    if at == "input":
        return (*SIZE, 3)
    return dict(trace.stages)[at] if "." not in at else _node_layer(trace, at).shape


def _keras_shape(built, trace, at):
    if at == "input":
        return tuple(built.model.input.shape[1:])
    name = dict(built.stage_ends)[at] if "." not in at else _node_layer(trace, at).name
    return tuple(built.model.get_layer(name).output.shape[1:])


def test_golden_holds_every_printed_shape():
    # Shapes printed beside each figure of arXiv:1602.07261v2, counted in the PDF.
    assert {fig: len(f["shapes"]) for fig, f in FIGURES.items()} == {
        "Fig 3": 7,
        "Fig 9": 10,
        "Fig 14": 8,
        "Fig 15": 10,
    }


@pytest.mark.parametrize(
    ("figure", "model_id"),
    [pytest.param(f, m, marks=model_group(m), id=f"{f}-{m}") for f, m in CASES],
)
def test_network_reproduces_printed_shapes(figure, model_id, graph_of):
    trace = _trace(model_id)
    built = graph_of(model_id, SIZE)
    for entry in FIGURES[figure]["shapes"]:
        printed, at = tuple(entry["shape"]), entry["at"]
        assert _calculus_shape(trace, at) == printed, (figure, entry["label"])
        assert _keras_shape(built, trace, at) == printed, (figure, entry["label"])


def test_fig15_shapes_are_inception_resnet_v1s():
    """Fig 15's caption: its sizes are v1's. v2 has the same grids but other depths."""
    trace = _trace("paper-inception-resnet-v2")
    for entry in FIGURES["Fig 15"]["shapes"]:
        printed, at = tuple(entry["shape"]), entry["at"]
        got = _calculus_shape(trace, at)
        assert got[:-1] == printed[:-1], entry["label"]
        if at in ("input", "head.2"):
            assert got == printed
        else:
            assert got[-1] != printed[-1], entry["label"]
