"""TensorFlow's start-up log lines, kept off the terminal unless asked for.

TensorFlow's C++ runtime logs through absl, and the lines it writes while its libraries load
(oneDNN, CUDA drivers) come before any log level applies: TF_CPP_MIN_LOG_LEVEL alone does not
silence them. `start` imports TensorFlow with file descriptor 2 captured, drops those INFO
lines and absl's preamble, and passes everything else it printed (warnings, errors) on.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import warnings

INFO_LINE = re.compile(r"I\d{4} ")  # absl's prefix: severity, month and day
PREAMBLE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"


def start(verbose: bool = False) -> None:
    """Import TensorFlow (and Keras): quietly, or with every log line when verbose."""
    if verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
        import keras  # noqa: F401
        import tensorflow  # noqa: F401

        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # TensorFlow 2.20's generated protobuf code is a major version older than the protobuf 6 it
    # allows, and protobuf warns so at import, once per .proto file (dozens of lines)
    warnings.filterwarnings("ignore", message="Protobuf gencode version", category=UserWarning)
    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            sys.stderr.write(kept(captured.read().decode(errors="replace")))


def kept(text: str) -> str:
    """What of TensorFlow's start-up output to show: all but INFO lines and absl's preamble."""
    lines = text.splitlines(keepends=True)
    return "".join(x for x in lines if x.rstrip("\n") != PREAMBLE and not INFO_LINE.match(x))
