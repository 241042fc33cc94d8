"""The paper's cost claims, tested on multiply-adds (and parameters) at 299x299.

The paper prints no FLOP or parameter counts, only words. We read "roughly" as within 25% and
"matches" as within 10% of the stated ratio; golden/cost_claims.yaml pins each measured ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

from inception_repro import calculus, costs, registry, summary

ROUGHLY, MATCHES = 0.25, 0.10


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    source: str
    a: str
    b: str
    metric: str  # "macs" or "params" (keras convention)
    ratio: float  # the claimed a / b
    tolerance: float


SEC_3_2 = "arXiv 1602.07261 Sec 3.2"
BLOG = "Google's 2016 release post of Inception-ResNet-v2 (Google Research blog, Aug 2016)"
CLAIMS = (
    Claim(
        "v1-costs-v3",
        "Inception-ResNet-v1 has roughly the computational cost of Inception-v3",
        SEC_3_2,
        "paper-inception-resnet-v1",
        "keras-inception-v3",
        "macs",
        1.0,
        ROUGHLY,
    ),
    Claim(
        "v2-matches-v4",
        "Inception-ResNet-v2 matches the raw cost of Inception-v4 (as drawn)",
        SEC_3_2,
        "paper-inception-resnet-v2",
        "paper-inception-v4",
        "macs",
        1.0,
        MATCHES,
    ),
    Claim(
        "released-v2-matches-v4",
        "Inception-ResNet-v2 matches the raw cost of Inception-v4 (as released)",
        SEC_3_2,
        "keras-inception-resnet-v2",
        "paper-inception-v4",
        "macs",
        1.0,
        MATCHES,
    ),
    Claim(
        "released-v2-twice-v3-compute",
        "the released Inception-ResNet-v2 needs roughly twice the computation of Inception-v3",
        BLOG,
        "keras-inception-resnet-v2",
        "keras-inception-v3",
        "macs",
        2.0,
        ROUGHLY,
    ),
    Claim(
        "released-v2-twice-v3-memory",
        "the released Inception-ResNet-v2 needs roughly twice the memory of Inception-v3 "
        "(parameters as the measure)",
        BLOG,
        "keras-inception-resnet-v2",
        "keras-inception-v3",
        "params",
        2.0,
        ROUGHLY,
    ),
)


def measure(model_id: str) -> dict[str, int]:
    """Multiply-adds and parameters at 299: from the spec, else from the built Keras model."""
    spec = registry.entry(model_id).spec()
    if spec is not None:
        t = calculus.trace(spec)
        return {"macs": t.macs, "params": t.params()}
    built = registry.graph(model_id)
    total = costs.per_stage(summary.summarise(built.model, built.stage_ends))["total"]
    return {"macs": total["macs"], "params": total["keras"]}


def verdicts() -> list[dict]:
    measured = {m: measure(m) for c in CLAIMS for m in (c.a, c.b)}
    out = []
    for c in CLAIMS:
        a, b = measured[c.a][c.metric], measured[c.b][c.metric]
        ratio = a / b
        holds = abs(ratio / c.ratio - 1) <= c.tolerance
        out.append(
            {
                "id": c.id,
                "claim": c.text,
                "source": c.source,
                "metric": c.metric,
                "a": c.a,
                "a_value": a,
                "b": c.b,
                "b_value": b,
                "claimed_ratio": c.ratio,
                "tolerance": c.tolerance,
                "measured_ratio": round(ratio, 4),
                "verdict": "holds" if holds else "does not hold",
            }
        )
    return out
