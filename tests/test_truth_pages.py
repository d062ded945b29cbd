"""Sentences of the study pages checked against the data: one count of months, no lead-in left
without its section, no second call list beside the collections tasks."""

from __future__ import annotations

import json
from pathlib import Path

from segkit.studies.credit_risk.report import CreditReport

NOTEBOOKS = Path(__file__).parents[1] / "src" / "segkit" / "studies" / "notebooks"


def test_the_credit_study_has_one_call_order_the_collections_tasks():
    cells = json.loads((NOTEBOOKS / "credit_risk.ipynb").read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells)
    assert "Whom to call first" not in source and "report.worklist" not in source
    assert "collections_view" in source
    assert not hasattr(CreditReport, "worklist")
