"""The test suite's speed as ratios, every time measured in this one run.

    python tools/speed.py        (or: tox -e speed)

Absolute times move from machine to machine; ratios measured together do not. It times, one
after the other on an otherwise idle machine:

- build-all: a fresh process that imports TensorFlow and builds every registry model once at
  299x299 with its canonical summary (the least any structure run can cost);
- `pytest -m structure`, serially and with `-n 2`;
- `pytest` (the whole CPU suite), serially and with `-n 2` (the README's command);

then prints each time and each ratio beside its target. It asserts nothing: timing is never a
test's verdict. Every command must pass; a failing one stops the measurement (exit status 1).

    python tools/speed.py --rounds 2

times every step again in a second round after the first (interleaved, so that a machine that
slows down for a while slows one round of every step rather than every round of one step) and
keeps each step's best time, as timeit does: the shared 2-core machine's speed moves by up to a
half from one minute to the next (build-all took 15 s to 50 s in one day; docs/testing.md). Each
ratio is then also printed as each round measured it, which shows how far the machine moved the
verdict.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_ALL = (
    "from inception_repro import tf_logs; tf_logs.start()\n"
    "from inception_repro import registry, summary\n"
    "for model_id in registry.ENTRIES:\n"
    "    built = registry.build(model_id)\n"
    "    summary.summarise(built.model, built.stage_ends)\n"
)
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
STEPS = {
    "build-all": [sys.executable, "-c", BUILD_ALL],
    "structure": [*PYTEST, "-m", "structure"],
    "structure -n 2": [*PYTEST, "-m", "structure", "-n", "2"],
    "suite": PYTEST,
    "suite -n 2": [*PYTEST, "-n", "2"],
}
# (numerator, denominator, the most the ratio may be)
TARGETS = [
    ("structure -n 2", "structure", 0.6),
    ("structure -n 2", "build-all", 2.2),
    ("structure", "build-all", 4.5),
    ("suite -n 2", "suite", 0.6),
    ("suite -n 2", "build-all", 6.0),
]
# The suite's own wiring, in lines (docs/testing.md): the conftests, tests/support and the tests
# of that wiring. Reference data written from other sources (TF-Slim's names and shapes, the
# Keras-to-TF-Slim pairing, published numbers) and the golden-file helpers are counted out.
WIRING = [
    "conftest.py",
    "tests/*/conftest.py",
    "tests/support/*.py",
    "tests/test_cores.py",
    "tests/test_models.py",
    "tests/test_xdist_groups.py",
]
NOT_WIRING = {"slim_names.py", "keras_slim_pairing.py", "published.py", "golden.py"}
WIRING_LINES = 800


def wiring_lines() -> int:
    files = {p for pattern in WIRING for p in ROOT.glob(pattern) if p.name not in NOT_WIRING}
    return sum(len(p.read_text().splitlines()) for p in files)


def timed(name: str, command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
        sys.exit(f"speed: {name} failed (exit {done.returncode}); nothing measured:\n{tail}")
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    print(f"{name:<16} {seconds:7.1f} s   {last}", flush=True)
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="The test suite's speed ratios, in one run.")
    parser.add_argument("--rounds", type=int, default=1, help="time every step this many times")
    rounds = parser.parse_args(argv).rounds
    if rounds < 1:
        parser.error(f"--rounds {rounds}: give 1 or more")
    print(f"{'step':<16} {'wall':>9}")
    # every step once per round, round after round (interleaved)
    measured = [{n: timed(n, command) for n, command in STEPS.items()} for _ in range(rounds)]
    times = {name: min(r[name] for r in measured) for name in STEPS}
    print()
    if rounds > 1:
        print("best of each step: " + ", ".join(f"{n} {t:.1f} s" for n, t in times.items()))
    for top, bottom, most in TARGETS:
        ratio = times[top] / times[bottom]
        verdict = "met" if ratio <= most else "NOT met"
        each = ", ".join(f"{r[top] / r[bottom]:.2f}" for r in measured)
        per_round = f"; round by round: {each}" if rounds > 1 else ""
        print(f"{top} / {bottom} = {ratio:.2f}  (target <= {most}: {verdict}{per_round})")
    lines = wiring_lines()
    verdict = "met" if lines <= WIRING_LINES else "NOT met"
    print(f"the suite's wiring: {lines} lines  (target <= {WIRING_LINES}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
