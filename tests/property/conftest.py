"""Hands the sizes checked against Keras to the root conftest, which reports them (xdist too)."""

from support.probes import CHECKED


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # an xdist worker: send them to the controller
        session.config.workeroutput["checked_sizes"] = sorted(CHECKED)
    else:
        session.config.checked_sizes = set(CHECKED)
