"""Mapping files: structure checks and clear messages."""

from __future__ import annotations

import pytest

from segkit.exceptions import MappingError
from segkit.ledger.mapping import load_mapping


def _mapping(tmp_path, text):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_table_options_override_top_level(tmp_path):
    m = load_mapping(
        _mapping(
            tmp_path,
            "encoding: gbk\ndate_format: '%Y%m%d'\ntables:\n"
            "  invoices: {file: a.csv, encoding: utf-8}\n  payments: {file: p.csv}\n",
        )
    )
    assert m.sources["invoices"].encoding == "utf-8"
    assert m.sources["payments"].encoding == "gbk"
    assert m.sources["payments"].date_format == "%Y%m%d"
    assert m.sources["invoices"].file == (tmp_path / "a.csv").resolve()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tables:\n  invoice: {file: a.csv}\n", r"unknown table\(s\) \['invoice'\]"),
        ("tables:\n  customers: {file: a.csv}\n", "must include 'invoices'"),
        (
            "tables:\n  invoices: {columns: {amount_total: X}}\n",
            r"unknown canonical column\(s\) \['amount_total'\]",
        ),
        ("tables:\n  invoices: {fiel: a.csv}\n", r"unknown key\(s\) \['fiel'\]"),
        ("tables:\n  invoices: {defaults: {terms: 30}}\n", r"unknown default\(s\) \['terms'\]"),
        ("decimal: ','\nthousands: ','\ntables:\n  invoices: {}\n", "both ','"),
        ("[1, 2\n", "not a valid UTF-8 YAML"),
        ("a: 1\n", "needs a 'tables:' section"),
    ],
    ids=["table", "no-invoices", "column", "key", "default", "separators", "yaml", "no-tables"],
)
def test_bad_mapping_files(tmp_path, text, message):
    with pytest.raises(MappingError, match=message):
        load_mapping(_mapping(tmp_path, text))


def test_missing_mapping_file(tmp_path):
    with pytest.raises(MappingError, match="mapping file not found"):
        load_mapping(tmp_path / "nope.yaml")
