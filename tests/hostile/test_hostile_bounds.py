"""Bounds everywhere: dates, parameters, usage errors, YAML, message length; one ledger per
report; workbook widths that do not depend on the last bits of a float."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import set_cell, tables, write
from segkit import read_ledger
from segkit.checks import as_date
from segkit.cli import app
from segkit.exceptions import ConfigError, MappingError, ReportError, SchemaError
from segkit.ledger.mapping import load_mapping
from segkit.output.workbook import column_width as _width
from segkit.reports.params import check_ranges
from segkit.reports.runner import notebooks_dir, param_options
from segkit.reports.snapshot import Snapshot

runner = CliRunner()


def _run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize(
    "day", ["9999-12-31", "2262-04-12", "1899-12-31", "0001-01-01", "2200-01-01"]
)
def test_a_date_outside_the_documented_range_is_refused_before_any_engine(ledger_dir, day):
    result = _run("features", ledger_dir, "--as-of", day, "--out", ledger_dir / "f.csv")
    assert result.exit_code == 1
    assert f"--as-of must be a date from 1900-01-01 to 2199-12-31; got {day}" in result.output
    assert "OutOfBounds" not in result.output


@pytest.mark.parametrize("value", ["9999-12-31", pd.Timestamp("2262-04-11")], ids=["text", "ts"])
def test_as_date_applies_the_range_to_every_kind_of_value(value):
    with pytest.raises(ConfigError, match="as_of must be a date from 1900-01-01 to 2199-12-31"):
        as_date(value)


USAGE = {
    "jobs-0": ["--jobs", "0"],
    "jobs-negative": ["--jobs", "-1"],
    "jobs-word": ["--jobs", "x"],
    "unknown-option": ["--colour", "red"],
    "lang-xx": ["--lang", "xx"],
}


@pytest.mark.parametrize("extra", list(USAGE.values()), ids=list(USAGE))
def test_every_usage_error_exits_1(tmp_path, extra):
    missing = tmp_path / "no-ledger-here"
    result = _run("report", missing, "--as-of", "2024-03-31", "--out", tmp_path / "r", *extra)
    assert result.exit_code == 1, result.output
    assert "ledger not found" not in result.output  # refused before the ledger is read


def test_lang_is_checked_before_the_ledger(tmp_path):
    result = _run("classify", tmp_path / "nothing", "--as-of", "2024-03-31", "--lang", "xx",
                  "--out", tmp_path / "c.csv")  # fmt: skip
    assert result.exit_code == 1
    assert "lang must be one of ['en', 'zh']; got 'xx'" in result.output


PARAMS = {
    "market-periods": (
        "market.periods=100000",
        r"market\.periods must be a whole number from 1 to 40",
    ),
    "credit-lgd": ("credit_risk.lgd=1.5", r"credit_risk\.lgd must be a number from 0\.0 to 1\.0"),
    "credit-dpd": ("credit_risk.dpd=0", r"credit_risk\.dpd must be a whole number from 1 to 365"),
    "horizon": ("credit_risk.horizon_months=1000", r"horizon_months must be a whole number"),
    "top-n": ("segmentation.top_n=0", r"segmentation\.top_n must be a whole number from 1"),
    "regions": ("market.regions=moon", r"market\.regions must be one of \['economic'"),
    "huge-int": ("segmentation.top_n=" + "9" * 5000, r"expected a whole number; got '9999"),
}


@pytest.mark.parametrize(("option", "message"), list(PARAMS.values()), ids=list(PARAMS))
def test_a_parameter_out_of_range_is_named_before_any_kernel(option, message):
    with pytest.raises(ConfigError, match=message) as caught:
        param_options([option], notebooks=notebooks_dir())
    assert len(str(caught.value)) < 400


def test_parameters_passed_in_python_are_checked_too():
    with pytest.raises(ConfigError, match=r"parameter market\.periods .* got 0"):
        check_ranges("market", {"periods": 0})
    with pytest.raises(ConfigError, match=r"parameter credit_risk\.horizon_months .* got 6\.5"):
        check_ranges("credit_risk", {"horizon_months": 6.5})
    assert check_ranges("market", {"periods": 8, "regions": "geographic"}) == {
        "periods": 8, "regions": "geographic"
    }  # fmt: skip


MAPPINGS = {
    "duplicate-key": (
        "tables:\n  invoices:\n    file: a.csv\n    file: b.csv\n",
        r"key 'file' appears twice in one section \(lines 3 and 4\)",
    ),
    "duplicate-table": (
        "tables:\n  invoices: {}\n  invoices: {file: x.csv}\n",
        r"key 'invoices' appears twice",
    ),
    "duplicate-column": (
        "tables:\n  invoices:\n    columns:\n      amount: A\n      amount: B\n",
        r"key 'amount' appears twice",
    ),
    "alias-values": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "tables:\n  invoices:\n    true_values: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        "more than 10000 values once its aliases",
    ),
    "nested-alias-list": (
        "tables:\n  invoices:\n    true_values: &t9 [&t8 [&t7 [&t6 [&t5 [a, a, a]]]]]\n"
        "    false_values: [*t5, *t6, *t7, *t8, *t9]\n",
        "true_values: expected text or a number",
    ),
}


@pytest.mark.parametrize(("text", "message"), list(MAPPINGS.values()), ids=list(MAPPINGS))
def test_a_hostile_mapping_is_refused_quickly(tmp_path, text, message):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(MappingError, match=message) as caught:
        load_mapping(path)
    assert time.monotonic() - started < 60  # a bomb takes minutes; a loaded machine seconds
    assert len(str(caught.value)) < 500


@pytest.mark.parametrize(
    ("column", "size"), [("name", 3_000_000), ("amount", 1_000_000)], ids=["name-3mb", "amount-1mb"]
)
def test_a_message_quotes_at_most_a_few_hundred_characters(tmp_path, column, size):
    table = "customers" if column == "name" else "invoices"
    value = ("\x07" if column == "name" else "1") + "x" * size
    folder = write(tmp_path / "l", set_cell(tables(), table, 2, column, value))
    with pytest.raises(SchemaError, match=r"\(\d{1,3}(,\d{3})+ characters\)") as caught:
        read_ledger(folder)
    assert len(str(caught.value)) < 1000


def test_a_bad_mapping_default_is_reported_without_a_row(ledger_dir):
    (ledger_dir / "m.yaml").write_text(
        "tables:\n  invoices:\n    file: invoices.csv\n    defaults: {disputed: maybe}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        SchemaError, match=r"\(mapping default\): values 'maybe' \(1 in all\)"
    ) as caught:
        read_ledger(ledger_dir / "m.yaml")
    assert "rows 0" not in str(caught.value)
    assert caught.value.failures["row"].isna().all()


@pytest.mark.parametrize("change", ["rewrite", "replace", "remove"])
def test_a_ledger_that_changes_during_a_report_fails_it(ledger_dir, change):
    snapshot = Snapshot(ledger_dir)
    assert snapshot.changed() == []
    path = ledger_dir / "payments.csv"
    if change == "rewrite":
        with path.open("a", encoding="utf-8") as handle:
            handle.write("P9,C1,I2,2024-03-01,1.00\n")
    elif change == "replace":
        (ledger_dir / "new.csv").write_bytes(path.read_bytes())
        (ledger_dir / "new.csv").replace(path)
    else:
        path.unlink()
    with pytest.raises(
        ReportError, match=r"the ledger changed while the report ran \(.*payments\.csv"
    ):
        snapshot.check()


def test_a_snapshot_of_a_mapping_covers_the_mapping_and_its_files(ledger_dir):
    mapping = ledger_dir / "m.yaml"
    mapping.write_text("tables:\n  invoices: {file: invoices.csv}\n", encoding="utf-8")
    assert Snapshot(mapping).files == [mapping, ledger_dir / "invoices.csv"]


@pytest.mark.parametrize(
    ("noisy", "clean"),
    [(0.1 + 0.2, 0.3), (1234567.8900000001, 1234567.89), (2 / 3, 0.6666666666666667 + 1e-16)],
    ids=["0.1+0.2", "large", "two-thirds"],
)
def test_a_column_width_does_not_depend_on_float_noise(noisy, clean):
    assert _width("amount", pd.Series([noisy] * 3)) == _width("amount", pd.Series([clean] * 3))


def test_a_width_still_grows_with_the_number_shown():
    assert _width("x", pd.Series([1e9])) > _width("x", pd.Series([1.0]))


def test_a_snapshot_of_a_ledger_that_cannot_be_told_covers_what_is_there(tmp_path):
    (tmp_path / "notes.txt").write_text("no invoices here", encoding="utf-8")
    snapshot = Snapshot(tmp_path)
    assert snapshot.files == [tmp_path / "notes.txt"]
    (tmp_path / "notes.txt").write_text("changed", encoding="utf-8")
    with pytest.raises(ReportError, match=r"the ledger changed .*notes\.txt"):
        snapshot.check()
