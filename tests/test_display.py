"""segkit.studies.display.show: what a reader sees of a table, and what user data cannot do to it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from segkit.exceptions import ConfigError
from segkit.studies.display import MISSING, header, show

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"quoted" & <b>']


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "name": HOSTILE,
            "open_balance": [1234.5, np.nan, np.int64(7)],
            "pd": [0.0123, 0.5, None],
            "disputed": [True, False, True],
            "since": [dt.date(2025, 1, 2), pd.Timestamp("2025-12-31"), pd.NaT],
        },
        index=pd.Index(["<b>C1</b>", "C2", "C3"], name="customer_id"),
    )


def test_values_headers_and_row_labels_are_escaped(table):
    html = show(table.rename(columns={"name": "<i>col</i>"}), "en").to_html()
    assert "<script>" not in html and "<img" not in html and "<b>C1" not in html
    assert "<i>col" not in html and "&lt;i&gt;col&lt;/i&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;C1&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Open receivables (USD)", "Customer", "1,234", "1.23%", "yes", "no", "2025-12-31"]),
        ("zh", ["应收余额（USD）", "客户编号", "1,234", "1.23%", "是", "否", "2025-01-02"]),
    ],
    ids=["en", "zh"],
)
def test_headers_numbers_dates_and_booleans_in_words(table, lang, expected):
    html = show(table, lang, currency="USD").to_html()
    assert [text for text in expected if text not in html] == []
    assert "nan" not in html.lower().replace("nan-", "") and "NaT" not in html
    assert html.count(MISSING) == 3
    assert "00:00:00" not in html and "True" not in html


def test_unknown_codes_stay_as_given_and_a_range_index_is_hidden():
    html = show(pd.DataFrame({"odd_code": [1.5]}), "en").to_html()
    assert "odd_code" in html and ">0<" not in html
    assert header("open_balance", "zh", "EUR") == "应收余额（EUR）"


def test_a_language_it_does_not_have_is_refused(table):
    with pytest.raises(ConfigError, match=r"lang must be one of \['en', 'zh'\]; got 'fr'"):
        show(table, "fr")
