"""Hands the sizes checked against Keras to the root conftest, which reports them (xdist too)."""


def pytest_sessionfinish(session):
    # imported here: support.probes imports TensorFlow, which an xdist worker may import only
    # after conftest.py has given it its share of the cores (support.cores.share_the_cores)
    from support.probes import CHECKED

    if hasattr(session.config, "workeroutput"):  # an xdist worker: send them to the controller
        session.config.workeroutput["checked_sizes"] = sorted(CHECKED)
    else:
        session.config.checked_sizes = set(CHECKED)
