"""Counts the input sizes checked against Keras, across xdist workers too."""

from _probes import CHECKED


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # an xdist worker: hand the count over
        session.config.workeroutput["checked_sizes"] = sorted(CHECKED)


def pytest_testnodedown(node, error):
    CHECKED.update(tuple(x) for x in node.workeroutput.get("checked_sizes", []))


def pytest_terminal_summary(terminalreporter):
    if CHECKED:
        sizes = {(h, w) for _, h, w in CHECKED}
        terminalreporter.write_line(
            f"property: {len(CHECKED)} (model, size) pairs, {len(sizes)} distinct input sizes "
            "checked against Keras's own shape inference"
        )
