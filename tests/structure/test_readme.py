"""The README's model table states what the models are."""

import re
from pathlib import Path

import pytest
from support.golden import load_yaml, model_file

from inception_repro import registry

pytestmark = pytest.mark.structure

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `([\w-]+)` \| .* \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|$")


def test_model_table_lists_every_model_with_its_counts():
    """Against golden/models/<id>.params.yaml, which test_golden.py holds equal to the models
    this run builds: no model is built again here."""
    rows = {m[1]: m.groups()[1:] for m in map(ROW.match, README.read_text().splitlines()) if m}
    assert set(rows) == set(registry.ENTRIES)
    for model_id, numbers in rows.items():
        total = load_yaml(model_file(model_id, ".params.yaml"))["top"]["total"]
        stated = [int(n.replace(",", "")) for n in numbers]
        assert stated == [total["keras"], total["pytorch"], total["macs"]], model_id
