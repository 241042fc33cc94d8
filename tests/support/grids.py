"""The models the property tests cover, the sizes they draw, and the grid each stage should
have, written out from the stride arithmetic independently of the calculus."""

from hypothesis import strategies as st

from inception_repro import registry

MODELS = list(registry.ENTRIES)
SPEC_MODELS = [m for m in MODELS if registry.entry(m).network]
side = st.integers(75, 1024)
sizes = st.tuples(side, side)


def s2v(n):  # 3x3, stride 2, valid
    return (n - 3) // 2 + 1


def v(n):  # 3x3, stride 1, valid
    return n - 2


def stem(n):
    # Every stem here (Fig 3, Fig 14, Inception-v3's) is s2v, v, s2v, v, s2v on each axis.
    return s2v(v(s2v(v(s2v(n)))))


# The expected grid of every stage, written out independently of the calculus.
GRID = {
    "stem": stem,
    "blocks_a": stem,
    "reduction_a": lambda n: s2v(stem(n)),
    "blocks_b": lambda n: s2v(stem(n)),
    "reduction_b": lambda n: s2v(s2v(stem(n))),
    "blocks_c": lambda n: s2v(s2v(stem(n))),
}
