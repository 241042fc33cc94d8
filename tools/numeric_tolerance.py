"""How far this environment's numbers are from the pinned fingerprints, per model.

Run it under each configuration the fingerprint tolerance must cover, for example:

    python tools/numeric_tolerance.py                             # TensorFlow, oneDNN on
    TF_ENABLE_ONEDNN_OPTS=0 python tools/numeric_tolerance.py     # TensorFlow, oneDNN off
    KERAS_BACKEND=jax python tools/numeric_tolerance.py           # JAX (tox -e structure-jax's)

For every model it prints the largest deviation of any pinned number from golden/fingerprints/
(in units of its stage's scale, as numerics.compare measures it), where it is, and the verdict
against numerics.TOLERANCE. docs/numerics.md keeps the measured table.
"""

import os
import sys
from pathlib import Path

from inception_repro import tf_logs

tf_logs.start()  # quietly: TensorFlow's start-up lines would only hide the table

import keras  # noqa: E402
import yaml  # noqa: E402

from inception_repro import numerics, registry  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "fingerprints"


def main(model_ids) -> int:
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default")
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}, oneDNN {onednn}")
    worst = 0.0
    for model_id in model_ids:
        golden_id = model_id.replace("tfkeras-", "keras-")
        expected = yaml.safe_load((GOLDEN / f"{golden_id}.yaml").read_text())
        built = registry.for_weights(model_id)  # zeros, then the deterministic weights
        numerics.set_deterministic_weights(built.model)
        got = numerics.fingerprint(built, numerics.scaled_input(model_id))
        where, _, _, deviation = max(numerics.deviations(expected, got), key=lambda d: d[3])
        worst = max(worst, deviation)
        print(f"{model_id:<28} {deviation:9.2e}  at {where}")
    verdict = "within" if worst <= numerics.TOLERANCE else "OVER"
    print(f"largest {worst:.2e}: {verdict} the tolerance {numerics.TOLERANCE:g}")
    return 0 if worst <= numerics.TOLERANCE else 1


if __name__ == "__main__":
    ids = sys.argv[1:] or [m for m in registry.ENTRIES if not m.startswith("tfkeras-")]
    sys.exit(main(ids))
