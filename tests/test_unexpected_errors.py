"""A bug reaches the user: only errors segkit raises on purpose become notes.

Each test injects an error no code raises on purpose (an IndexError, or the ValueError numpy
raises when two arrays do not broadcast) into one step and checks that it is not turned into a
note saying a section was left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import segkit
from segkit import Ledger
from segkit.cli import app
from segkit.exceptions import ModelNotFitted

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
NO_CREDIT = {"clusters": {"enabled": False}, "credit": {"enabled": False}}


def _raise(error: Exception):
    def broken(*args, **kwargs):
        raise error

    return broken


BROADCAST = ValueError("operands could not be broadcast together with shapes (3,) (4,)")


@pytest.fixture
def small(invoices, customers, payments):
    return Ledger.from_frames(invoices, customers, payments)


@pytest.fixture(scope="module")
def sample_ledger():
    return segkit.read_ledger(SAMPLE)


def test_a_bug_in_the_credit_study_stops_classify(monkeypatch, small):
    monkeypatch.setattr("segkit.credit.pipeline.credit_study", _raise(IndexError("boom")))
    with pytest.raises(IndexError, match="boom"):
        segkit.classify(small, "2024-12-31", config={"clusters": {"enabled": False}})


def test_a_broadcast_error_inside_the_credit_study_is_not_a_note(monkeypatch, sample_ledger):
    monkeypatch.setattr("segkit.credit.pipeline.calibration_table", _raise(BROADCAST))
    with pytest.raises(ValueError, match="broadcast"):
        segkit.classify(sample_ledger, "2025-12-31", config={"clusters": {"enabled": False}})


def test_a_bug_in_the_study_dates_stops_classify(monkeypatch, small):
    monkeypatch.setattr("segkit.credit.pipeline.study_dates", _raise(IndexError("dates")))
    with pytest.raises(IndexError, match="dates"):
        segkit.classify(small, "2024-12-31", config={"clusters": {"enabled": False}})


def test_a_ledger_the_study_cannot_model_is_still_a_note(monkeypatch, small):
    """The purposeful error keeps its note, so the tests above are not passing by accident."""
    monkeypatch.setattr(
        "segkit.credit.pipeline.credit_study", _raise(ModelNotFitted("too few defaults", "no_defaults"))
    )
    got = segkit.classify(small, "2024-12-31", config={"clusters": {"enabled": False}})
    assert "grade" not in got.columns
    assert any("too few defaults" in note for note in got.attrs["notes"])


def test_a_bug_in_the_growth_models_stops_classify(monkeypatch, small):
    monkeypatch.setattr("segkit.growth.forecast.fit_models", _raise(BROADCAST))
    with pytest.raises(ValueError, match="broadcast"):
        segkit.classify(small, "2024-12-31", config=NO_CREDIT)


def test_a_bug_in_the_growth_models_stops_the_growth_section(monkeypatch, small):
    from segkit.features import customer_features
    from segkit.studies.segmentation.growth import growth_frame

    features = customer_features(small, "2024-12-31")
    monkeypatch.setattr("segkit.growth.forecast.fit_models", _raise(IndexError("fit")))
    with pytest.raises(IndexError, match="fit"):
        growth_frame(small, "2024-12-31", features)


def test_a_bug_in_an_earlier_snapshot_stops_the_summary(monkeypatch, small):
    from segkit.reports import summary

    real = summary.snapshot

    def broken_before_as_of(ledger, day, *args, **kwargs):
        if day < pd.Timestamp("2024-12-31").date():
            raise IndexError("earlier")
        return real(ledger, day, *args, **kwargs)

    monkeypatch.setattr(summary, "snapshot", broken_before_as_of)
    with pytest.raises(IndexError, match="earlier"):
        summary.collect(small, "2024-12-31", config={"credit": False, "clusters": False})


def test_a_bug_in_the_dso_stops_the_summary(monkeypatch, small):
    from segkit.reports import summary

    monkeypatch.setattr("segkit.credit.collections.dso_trend", _raise(BROADCAST))
    with pytest.raises(ValueError, match="broadcast"):
        summary.collect(small, "2024-12-31", config={"credit": False, "clusters": False})


def test_the_command_line_shows_a_bug_as_a_bug(monkeypatch, tmp_path):
    monkeypatch.delenv("SEGKIT_DEBUG", raising=False)
    monkeypatch.setattr("segkit.classes.pipeline.classify", _raise(IndexError("list index")))
    args = ["classify", str(SAMPLE), "--as-of", "2025-12-31", "--out", str(tmp_path / "c.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "unexpected IndexError: list index" in result.output
    assert "SEGKIT_DEBUG=1" in result.output
    assert not (tmp_path / "c.csv").exists()

    monkeypatch.setenv("SEGKIT_DEBUG", "1")
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, IndexError)


def test_a_partial_notebook_has_no_page_but_a_bug_in_the_page_is_raised(monkeypatch, tmp_path):
    import nbformat

    from segkit.reports import pages

    cut = tmp_path / "cut.ipynb"
    cut.write_text('{"cells": [{"cell_type": "markdown", "sour', encoding="utf-8")
    assert pages.export_html(cut, tmp_path / "cut.html", "Cut", "en") is None
    whole = tmp_path / "whole.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")]), whole)
    assert pages.export_html(whole, tmp_path / "whole.html", "Whole", "en").exists()
    monkeypatch.setattr(pages, "_for_readers", _raise(IndexError("page")))
    with pytest.raises(IndexError, match="page"):
        pages.export_html(whole, tmp_path / "again.html", "Whole", "en")
