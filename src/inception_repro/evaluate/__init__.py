"""ImageNet evaluation of the released models: data, protocols, weights, metrics, report.

The submodules that need TensorFlow import it themselves, so that the command line can be
built without starting TensorFlow.
"""

# The protocols of protocols.py, by name; kept here so the CLI can list them without TensorFlow.
PROTOCOL_NAMES = ("slim", "keras-applications", "timm")
