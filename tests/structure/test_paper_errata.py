"""The paper's inconsistencies as data: each one used by the specs, the printed widths refused."""

import pytest

from inception_repro import calculus
from inception_repro.errors import SpecError
from inception_repro.networks import errata, paper
from inception_repro.spec import Concat, Residual, nodes

pytestmark = pytest.mark.structure

NETWORKS = {
    "v4": paper.inception_v4(),
    "v1": paper.inception_resnet_v1(),
    "v2": paper.inception_resnet_v2(),
}
# The figures each erratum concerns (paper Figs 3, 5, 17, 18, 19) and the networks using them
# (Fig 9: v4 uses Figs 3, 5; Fig 15's caption: v2 uses Figs 3, 17, 18, 19).
USED_BY = {
    "fig3-conv-stride": {"v4", "v2"},
    "fig3-pool-size": {"v4", "v2"},
    "fig5-second-1x7": {"v4"},
    "fig17-up-width": {"v2"},
    "fig18-caption": {"v2"},
    "fig19-up-width": {"v2"},
}


def _citing(network, erratum):
    return [n for n in nodes(network) if f"erratum {erratum.id}:" in n.cite]


def test_every_listed_inconsistency_is_an_entry():
    assert set(errata.BY_ID) == set(USED_BY)
    for e in errata.ERRATA:
        assert e.figure in e.cite() and e.reason and e.printed != e.used


@pytest.mark.parametrize("erratum", errata.ERRATA, ids=lambda e: e.id)
def test_specs_use_and_cite_the_value_used(erratum):
    for key, network in NETWORKS.items():
        citing = _citing(network, erratum)
        assert bool(citing) == (key in USED_BY[erratum.id]), key
        for node in citing:
            assert node.cite.startswith(f"{erratum.figure}: {erratum.label}")
            if erratum.field:
                assert getattr(node, erratum.field) == erratum.used


@pytest.mark.parametrize(
    ("erratum", "stage_before"),
    [(errata.FIG17_UP_WIDTH, "reduction_a"), (errata.FIG19_UP_WIDTH, "reduction_b")],
    ids=["fig17", "fig19"],
)
def test_printed_width_fails_validation_naming_figure_width_and_depth(erratum, stage_before):
    input_depth = dict(calculus.trace(NETWORKS["v2"]).stages)[stage_before][-1]
    assert erratum.used == input_depth
    with pytest.raises(SpecError) as raised:
        paper.inception_resnet_v2(as_printed={erratum.id})
    message = str(raised.value)
    assert f"has {erratum.printed} filters" in message
    assert f"input has depth {input_depth}" in message
    assert f"({erratum.figure}: 1x1 Conv ({erratum.printed} Linear) as printed)" in message


def test_fig5_as_printed_is_a_valid_network_with_the_same_printed_shapes():
    """Shapes cannot reveal Fig 5's erratum: only the kernel of one conv per block changes."""
    printed = paper.inception_v4(as_printed={errata.FIG5_KERNEL.id})
    ours, theirs = calculus.trace(NETWORKS["v4"]), calculus.trace(printed)
    assert ours.stages == theirs.stages and ours.params() == theirs.params()
    changed = [(a, b) for a, b in zip(nodes(NETWORKS["v4"]), nodes(printed), strict=True) if a != b]
    convs = [(a.kernel, b.kernel) for a, b in changed if not isinstance(a, (Concat, Residual))]
    assert convs == [(errata.FIG5_KERNEL.used, errata.FIG5_KERNEL.printed)] * 7  # 7 x Inception-B


def test_only_printed_layer_settings_of_the_network_build_as_printed():
    with pytest.raises(ValueError, match="fig3-conv-stride"):
        paper.inception_resnet_v2(as_printed={errata.FIG3_CONV_STRIDE.id})
    with pytest.raises(ValueError, match="fig17-up-width"):
        paper.inception_v4(as_printed={errata.FIG17_UP_WIDTH.id})
