"""Helpers the test modules share (pyproject's `pythonpath` puts tests/ on the path, so
`from support import ...` works under any import mode)."""
