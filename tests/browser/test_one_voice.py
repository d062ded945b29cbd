"""The pack speaks with one voice: each customer's limit decision is the credit study's, quoted
the same way by the scores export, the classification, the workbook, the index's actions and the
segmentation study, in both languages; and the credit page shows exposure, the allowance and the
write-off rule."""

from __future__ import annotations

import html
import re

import openpyxl
import pandas as pd
import pytest

from segkit.output.workbook import column_header
from segkit.text import text

LANGS = ("en", "zh")


def _csv(folder, name) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding="utf-8-sig", index_col=0, dtype={"customer_id": str})


@pytest.mark.parametrize("lang", LANGS)
def test_every_place_quotes_the_same_limit_decision(reports, lang):
    folder = reports[lang]
    scores = _csv(folder, "credit_scores.csv")
    classes = _csv(folder, "classification.csv")
    shared = scores.index.intersection(classes.index)
    assert len(shared) == len(scores)  # every rated customer is classified
    pd.testing.assert_series_equal(
        scores.loc[shared, "limit_action"].fillna(""),
        classes.loc[shared, "limit_action"].fillna(""),
        check_names=False,
    )
    book = openpyxl.load_workbook(next(folder.glob("segkit_*.xlsx")), read_only=True)
    sheet = book[text("report_sheets", "credit", lang)]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    action = header.index(column_header("limit_action", lang))
    words = {r[0]: r[action] for r in rows[1:] if r[0] in scores.index}
    for customer, code in scores["limit_action"].dropna().items():
        assert words[customer] == text("limit_action", code, lang), customer
    # nothing good-standing is cut below what it owes, in what the workbook carries too
    good = scores["standing"] == "good_standing"
    assert (scores.loc[good, "limit_proposed"] >= scores.loc[good, "open_balance"]).all()


@pytest.mark.parametrize("lang", LANGS)
def test_the_index_actions_follow_the_decisions(reports, lang):
    folder = reports[lang]
    scores = _csv(folder, "credit_scores.csv")
    page = (folder / "index.html").read_text(encoding="utf-8")
    held = text("limit_reason", "hold_over_limit", lang, exposure="X", limit="X", overdue="X")
    held_words = held.split("X")[-1].strip()[:12]
    for customer, action in scores["limit_action"].items():
        if customer not in page:
            continue
        row = re.search(rf"{re.escape(customer)}.*?</tr>", page, flags=re.S)
        if row and held_words in html.unescape(row.group(0)):
            assert action == "hold_orders", customer


def test_no_study_advises_its_own_limit(reports):
    for lang in LANGS:
        page = (reports[lang] / "segmentation.html").read_text(encoding="utf-8")
        assert "review a higher credit limit" not in page and "复核后可提高信用额度" not in page
        assert text("columns", "limit_advice", lang) in html.unescape(page)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "Who owes more than their limit?",
                "Loss allowance (IFRS 9 simplified approach)",
                "What needs a decision, first",
                "limitation period",
            ],
        ),
        ("zh", ["哪些客户欠款超出额度？", "坏账准备", "需要决策的客户", "诉讼时效"]),
    ],
)
def test_the_credit_page_shows_exposure_allowance_and_write_offs(reports, lang, words):
    page = html.unescape((reports[lang] / "credit_risk.html").read_text(encoding="utf-8"))
    for word in words:
        assert word in page, word
