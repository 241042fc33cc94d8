"""Errors a user can fix. The CLI prints them as one message and exits 2, without a traceback."""


class UsageError(Exception):
    """Bad input: the message names the problem and the fix."""


class SpecError(UsageError):
    """A network spec that cannot be built (for example a residual whose widths cannot be added)."""


class InputSizeError(UsageError):
    """An input size below the smallest one a network accepts."""
