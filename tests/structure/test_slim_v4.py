"""The TF-Slim Inception-v4 transcription: slim's own end-point shapes, Keras agreement, and how
it relates to the paper's Inception-v4 (same parameters; only the factorisation order differs)."""

import pytest

from inception_repro import calculus
from inception_repro.networks import paper, slim_v4
from inception_repro.spec import Concat, Conv, Pool

pytestmark = pytest.mark.structure

MODEL = "slim-inception-v4"
CLASSES = 1001  # slim inception_v4.py: inception_v4(num_classes=1001)

# slim inception_v4_test.py testAllEndPointsShapes, input 299x299 (batch axis dropped).
END_POINTS = {
    "Conv2d_1a_3x3": (149, 149, 32),
    "Conv2d_2a_3x3": (147, 147, 32),
    "Conv2d_2b_3x3": (147, 147, 64),
    "Mixed_3a": (73, 73, 160),
    "Mixed_4a": (71, 71, 192),
    "Mixed_5a": (35, 35, 384),
    **{f"Mixed_5{c}": (35, 35, 384) for c in "bcde"},
    "Mixed_6a": (17, 17, 1024),
    **{f"Mixed_6{c}": (17, 17, 1024) for c in "bcdefgh"},
    "Mixed_7a": (8, 8, 1536),
    **{f"Mixed_7{c}": (8, 8, 1536) for c in "bcd"},
}
# The same test's head end points -> our layer: global_pool is [1, 1, 1536] there (kept dims),
# PreLogitsFlatten [1536] is the dropout output flattened, Logits/Predictions one softmax Dense.
HEAD_END_POINTS = {
    "global_pool": ("global_pool", (1536,)),
    "PreLogitsFlatten": ("Dropout_1b", (1536,)),
    "Logits": ("Logits", (CLASSES,)),
    "AuxLogits": ("AuxLogits", (CLASSES,)),
}


def _layer(end_point):
    """A conv end point is the conv's activation output; blocks are their concat."""
    return f"{end_point}_ac" if end_point.startswith("Conv2d") else end_point


def _shapes(trace):
    return {x.name: x.shape for x in trace.layers}


def test_end_points_match_slim_test(graph_of):
    built = graph_of(MODEL)
    calc = _shapes(calculus.trace(slim_v4.slim_inception_v4()))
    expected = {_layer(k): v for k, v in END_POINTS.items()} | dict(HEAD_END_POINTS.values())
    for name, shape in expected.items():
        assert calc[name] == shape, name
        assert tuple(built.model.get_layer(name).output.shape[1:]) == shape, name


@pytest.mark.parametrize(
    ("size", "final"),
    # slim inception_v4_test.py testHalfSizeImages and testGlobalPool: Mixed_7d's grid.
    [((150, 150), (3, 3, 1536)), ((350, 400), (9, 11, 1536))],
)
def test_other_input_sizes_match_slim_test(size, final):
    assert _shapes(calculus.trace(slim_v4.slim_inception_v4(), size))["Mixed_7d"] == final


def test_head_is_slims():
    network = slim_v4.slim_inception_v4()
    assert network.top[1].rate == 0.2  # dropout_keep_prob=0.8
    assert network.classes == network.top[-1].units == network.aux.nodes[-1].units == CLASSES
    assert network.aux.source == "blocks_b"  # aux_logits = end_points['Mixed_6h']


@pytest.mark.parametrize("convention", calculus.CONVENTIONS)
def test_same_parameters_and_multiply_adds_as_the_paper(convention):
    slim, ours = slim_v4.slim_inception_v4(), paper.inception_v4()
    bodies = [calculus.trace(n, include_top=False) for n in (slim, ours)]
    assert bodies[0].params(convention) == bodies[1].params(convention)
    assert bodies[0].macs == bodies[1].macs
    with_paper_head = slim.with_top(ours.top, ours.classes, aux=None)
    totals = [calculus.trace(n).params(convention) for n in (with_paper_head, ours)]
    assert totals[0] == totals[1]


def test_extra_parameters_are_the_aux_head_and_the_background_class():
    slim = slim_v4.slim_inception_v4()
    no_aux = slim.with_top(slim.top, slim.classes, aux=None)
    aux = calculus.trace(slim).params() - calculus.trace(no_aux).params()
    # slim inception_v4.py AuxLogits at 299 (Mixed_6h 17x17x1024, avg pool 5 stride 3 -> 5x5):
    # 1x1 conv 128 + BN (beta, moving mean, variance), 5x5 conv 768 + BN, fully connected 1001.
    assert aux == 1024 * 128 + 3 * 128 + 5 * 5 * 128 * 768 + 3 * 768 + 768 * CLASSES + CLASSES
    extra = calculus.trace(no_aux).params() - calculus.trace(paper.inception_v4()).params()
    assert extra == 1536 + 1  # the background class: a weight per pooled feature and a bias


def _signature(node, kernel):
    """A block up to its branch order (a channel permutation); `kernel` maps conv kernels."""
    if isinstance(node, Conv):
        k = kernel(node.kernel)
        return ("conv", node.filters, k, node.stride, node.padding, node.bn, node.bias)
    if isinstance(node, Pool):
        return ("pool", node.kind, node.size, node.stride, node.padding)
    assert isinstance(node, Concat)
    branches = (tuple(_signature(n, kernel) for n in b) for b in node.branches)
    return ("concat", tuple(sorted(branches, key=repr)))


def _exact(k):
    return k


def _unordered(k):
    return tuple(sorted(k))


def test_differs_from_the_paper_only_in_factorisation_order():
    slim, ours = slim_v4.slim_inception_v4(), paper.inception_v4()
    differing = []
    for a, b in zip(ours.stages, slim.stages, strict=True):
        assert a.name == b.name
        for i, (p, s) in enumerate(zip(a.nodes, b.nodes, strict=True)):
            assert _signature(p, _unordered) == _signature(s, _unordered), (a.name, i)
            if _signature(p, _exact) != _signature(s, _exact):
                differing.append((a.name, i, p.cite.split(":")[0]))
    assert differing == [
        ("stem", 4, "Fig 3"),  # Mixed_4a: 7x1 -> 1x7 printed, slim 1x7 -> 7x1
        *(("blocks_b", i, "Fig 5") for i in range(7)),  # last branch: 1x7 first printed
        *(("blocks_c", i, "Fig 6") for i in range(3)),  # 1x3 (448) -> 3x1 (512) printed
    ]
