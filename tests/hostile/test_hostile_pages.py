"""Script from the data in the pages: the ledger's currency and every displayed value are text,
never markup or a link, whichever reader or field they come from."""

from __future__ import annotations

import re

import mistune
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import set_cell, tables, write
from segkit import read_ledger
from segkit.exceptions import ConfigError, MappingError, SchemaError
from segkit.ledger.mapping import load_mapping
from segkit.studies.display import SafeText, header, safe, sentence, show
from segkit.text.amounts import format_amount

PAYLOADS = {
    "img-onerror": "<img src=x onerror=alert(4)>",
    "md-js-link": "[pay](javascript:alert(7))",
    "script": "<script>alert(1)</script>",
    "attr-break": '"><svg onload=alert(1)>',
    "md-image": "![x](javascript:alert(2))",
    "autolink": "<javascript:alert(3)>",
}
CURRENCY_RULE = "an ISO 4217 currency code: three capital letters"
NOT_CODES = {**PAYLOADS, "lower": "cny", "four": "CNYY", "spaced": "C N", "symbol": "¥"}


def _rendered(text: str) -> str:
    return mistune.html(text)


def _live(page: str) -> list[str]:
    """Tags and attributes that would run or link in a browser."""
    found = re.findall(r"<(?:img|script|svg|a)\b", page, flags=re.IGNORECASE)
    found += re.findall(r"\bon\w+\s*=", re.sub(r"&[^;\s]+;", "", _tags_only(page)))
    return found + re.findall(r"href\s*=\s*['\"]?javascript:", page, flags=re.IGNORECASE)


def _tags_only(page: str) -> str:
    return " ".join(re.findall(r"<[^>]*>", page))


@pytest.mark.parametrize("value", list(NOT_CODES.values()), ids=list(NOT_CODES))
@pytest.mark.parametrize("reader", ["csv", "parquet"])
def test_a_currency_that_is_not_a_code_is_refused_by_every_reader(tmp_path, value, reader):
    rows = set_cell(tables(), "invoices", 3, "currency", value)
    folder = write(tmp_path / "l", rows)
    if reader == "parquet":
        frame = pd.read_csv(folder / "invoices.csv", dtype=str, keep_default_na=False)
        (folder / "invoices.csv").unlink()
        frame.assign(amount=frame.amount.astype(float)).to_parquet(folder / "invoices.parquet")
    with pytest.raises(SchemaError, match=CURRENCY_RULE) as caught:
        read_ledger(folder)
    failures = caught.value.failures
    assert value in set(failures.loc[failures.rule.str.startswith("an ISO 4217"), "value"])


@pytest.mark.parametrize("value", list(PAYLOADS.values())[:4], ids=list(PAYLOADS)[:4])
def test_a_mapping_default_currency_that_is_not_a_code_is_refused(tmp_path, value):
    path = tmp_path / "m.yaml"
    quoted = value.replace("'", "''")
    path.write_text(
        f"tables:\n  invoices:\n    file: invoices.csv\n    defaults:\n      currency: '{quoted}'\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError, match="currency must be an ISO 4217 code"):
        load_mapping(path)


@pytest.mark.parametrize("value", list(PAYLOADS.values()), ids=list(PAYLOADS))
@pytest.mark.parametrize("place", ["value", "column", "index"])
def test_a_payload_in_any_field_of_a_table_is_shown_as_text(value, place):
    frame = pd.DataFrame({"name": ["Acme", value], "open_balance": [1.0, 2.0]})
    if place == "column":
        frame = frame.rename(columns={"name": value})
    if place == "index":
        frame.index = pd.Index(["a", value], name="customer_id")
    page = show(frame).to_html()
    assert _live(page) == []
    assert "&lt;" in page or "[pay]" in page or "![x]" in page


@pytest.mark.parametrize("value", list(NOT_CODES.values())[:5], ids=list(NOT_CODES)[:5])
def test_headers_and_sentences_refuse_a_currency_that_is_not_a_code(value):
    frame = pd.DataFrame({"open_balance": [1.0]})
    with pytest.raises(ConfigError, match="currency must be an ISO 4217 code"):
        show(frame, currency=value)
    with pytest.raises(ConfigError, match="currency must be an ISO 4217 code"):
        header("open_balance", "en", value)
    with pytest.raises(ConfigError, match="currency must be an ISO 4217 code"):
        format_amount(1000.0, "zh", value)


@pytest.mark.parametrize("value", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_a_payload_in_a_markdown_sentence_is_text(value):
    text = sentence("Customer {name} owes {amount}.", name=value, amount="CNY 4.3m")
    page = _rendered(text)
    assert isinstance(text, SafeText)
    assert _live(page) == []


@pytest.mark.parametrize("value", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_the_detector_sees_each_payload_when_it_is_not_escaped(value):
    assert _live(_rendered(value)) or _live(value)


def test_safe_text_is_never_escaped_twice():
    once = safe("a < b [x](y)")
    assert safe(once) is once
    assert _rendered(once).strip() == "<p>a &lt; b [x](y)</p>"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60))
def test_any_text_made_safe_renders_as_that_text_and_no_markup(text):
    page = _rendered(safe(text))
    assert set(re.findall(r"<(\w+)", page)) <= {"p", "pre", "code"}
    assert _live(page) == []
    shown = re.sub(r"</?(?:p|pre|code)>", "", page)
    assert "<" not in shown.replace("&lt;", "")
