"""The pinned files, shipped inside the package as inception_repro.golden (pyproject.toml);
read them through inception_repro.pinned.golden_file."""
