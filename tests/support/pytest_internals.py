"""The one home of the pytest-xdist internal that the suite's wiring uses: xdist registers its
controller's session as the plugin "dsession" (xdist/dsession.py). A process without it runs
tests (serially, or as a worker), and only such a process registers the model fixtures, so that
the controller never imports TensorFlow. tests/test_xdist_groups.py fails, naming the symbol and
the installed pytest-xdist, if the controller no longer has it.
"""

CONTROLLER_PLUGIN = "dsession"


def runs_tests(config) -> bool:
    """Whether this process runs tests: not the xdist controller."""
    return not config.pluginmanager.has_plugin(CONTROLLER_PLUGIN)
