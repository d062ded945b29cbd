"""Markup in a ledger's names and ids is shown, never run, in every page of a report."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from segkit.reports import run_reports
from segkit.sample import write_sample

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
LIVE = re.compile(r"<script>alert|<img src=x|onerror=alert\(1\)>")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = write_sample(folder / "ledger", n_customers=80, seed=11)
    customers = pd.read_csv(paths["customers"], dtype=str, keep_default_na=False)
    customers["name"] = [SCRIPT if i % 2 else IMAGE for i in range(len(customers))]
    customers.to_csv(paths["customers"], index=False, lineterminator="\n")
    return run_reports(folder / "ledger", "2025-12-31", out=folder / "reports", progress=False)


def test_every_study_runs_on_hostile_names(report):
    assert [run.name for run in report.studies if run.status != "ok"] == []


def test_no_page_carries_live_markup_from_the_ledger(report):
    pages = sorted(report.out_dir.glob("*.html"))
    assert len(pages) >= 4  # the index and the three studies
    live = {page.name: LIVE.findall(page.read_text(encoding="utf-8")) for page in pages}
    assert {name: found for name, found in live.items() if found} == {}
    shown = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown or "&lt;img src=x" in shown
