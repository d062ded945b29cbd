"""Sentences of the study pages checked against the data: one count of months, no lead-in left
without its section, no second call list beside the collections tasks."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

import segkit
from segkit.studies.credit_risk.report import CreditReport
from segkit.text.catalogue import text

NOTEBOOKS = Path(__file__).parents[1] / "src" / "segkit" / "studies" / "notebooks"
EXPORTS = Path(__file__).parent / "fixtures" / "exports"
AS_OF = "2025-12-31"


def test_the_credit_study_has_one_call_order_the_collections_tasks():
    cells = json.loads((NOTEBOOKS / "credit_risk.ipynb").read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells)
    assert "Whom to call first" not in source and "report.worklist" not in source
    assert "collections_view" in source
    assert not hasattr(CreditReport, "worklist")


def _plain_md(markdown: str) -> str:
    return " ".join(markdown.replace("*", "").replace("`", "").split())


def _body(markdown: str) -> str:
    """The memo without its heading lines: the lead-in."""
    lines = markdown.splitlines()
    return _plain_md("\n".join(line for line in lines if not line.lstrip().startswith("#")))


STUDY_LEADS = {
    "segmentation": ("segmentation_memo", "segkit.studies.segmentation"),
    "market_positioning": ("market_memo", "segkit.studies.market"),
}


@pytest.mark.parametrize("notebook", sorted(STUDY_LEADS))
def test_every_lead_in_with_sections_is_shown_through_lead(notebook):
    kind, module = STUDY_LEADS[notebook]
    leads = importlib.import_module(module).sections.LEADS
    cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    for key in leads:
        assert f'study.lead("{key}", lang, held' in source, key
        assert f'study.memo("{key}"' not in source, key
    assert 'study.lead("potential", lang, shown=not growth.empty)' in source or kind == "market_memo"


def _exports_ledger(name: str):
    folder = EXPORTS / name
    return segkit.read_ledger(folder, mapping=folder / "mapping.yaml")


@pytest.mark.parametrize("name", ["invoices_only", "regular_buyers", "country_names"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_skipped_section_keeps_its_heading_and_drops_its_lead_in(name, lang):
    from segkit.studies import market, segmentation
    from segkit.studies.sections import holdings

    held = holdings(_exports_ledger(name), AS_OF)
    skipped = 0
    for study, kind in ((segmentation, "segmentation_memo"), (market, "market_memo")):
        for key, needs in study.sections.LEADS.items():
            memo = text(kind, key, lang)
            shown = "\n".join(m.data for m in study.lead(key, lang, held))
            if any(study.feeds(k, held) for k in needs):
                assert shown == memo
                continue
            skipped += 1
            headings = [line for line in memo.splitlines() if line.lstrip().startswith("#")]
            assert shown.splitlines() == headings
            assert _body(memo)[:40] not in _plain_md(shown)
            unshown = [m.data for m in study.lead(key, lang, held=None, shown=False)]
            assert unshown == [m.data for m in study.lead(key, lang, held)]
    assert skipped > 0 or name == "country_names"


@pytest.mark.parametrize("reason", ["short_history", "no_defaults", "no_features"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_what_to_do_without_a_scorecard_matches_why_there_is_none(reason, lang):
    import datetime as dt

    import pandas as pd

    from segkit.studies.credit_risk.readiness import Readiness

    ready = Readiness(dt.date(2022, 12, 31), dt.date(2025, 12, 31), 37, 31, True, reason)
    report = CreditReport(dt.date(2025, 12, 31), lang, "USD", ready, pd.DataFrame(),
                          params={"dpd": 90, "horizon": 12, "lgd": 0.45})  # fmt: skip
    said = "\n".join(getattr(item, "data", "") for item in report.actions())
    waits = {"en": "until it covers the history", "zh": "直至覆盖评分卡所需的历史"}[lang]
    long_enough = {"en": "the history is long enough", "zh": "历史长度已足够"}[lang]
    if reason == "short_history":
        assert waits in said and ("31 months" in said or "31 个月" in said)
        assert long_enough not in said
    else:
        assert waits not in said and long_enough in said


def _index_page(first: str, tmp_path, lang: str = "en") -> str:
    import datetime as dt

    import pandas as pd

    from segkit.reports.index import render_index
    from segkit.reports.pack import Pack
    from segkit.reports.run import ReportResult
    from segkit.reports.summary import Summary

    dates = {"as_of": dt.date(2025, 12, 31), "month": dt.date(2025, 11, 30),
             "quarter": dt.date(2025, 9, 30)}  # fmt: skip
    figures = pd.DataFrame(
        {"as_of": [40.0, 1_000_000.0, 2_000.0], "month": [38.0, 900_000.0, 1_900.0],
         "quarter": [30.0, 700_000.0, 1_500.0]},
        index=["active_customers", "revenue_12m", "open_receivables"],
    )  # fmt: skip
    summary = Summary(dates, {}, figures, first=pd.Timestamp(first).date())
    base = {"data": "d", "as_of": "2025-12-31", "lang": lang, "mapping": ""}
    return render_index(ReportResult(tmp_path, [], tmp_path / "index.html"), base, [],
                        Pack(summary))  # fmt: skip


def _row(page: str, label: str) -> list[str]:
    import re

    row = re.search(rf"<tr><th>{re.escape(label)}</th>(.*?)</tr>", page).group(1)
    return re.findall(r'<td class="num">(.*?)</td>', row)


def test_the_index_does_not_compare_windows_the_ledger_covers_in_part(tmp_path):
    # first invoice 2025-03-05: the 12 months to 2025-12-31 hold March-December (10 months),
    # those to 2025-11-30 nine and those to 2025-09-30 seven: no change is comparable
    page = _index_page("2025-03-05", tmp_path)
    assert _row(page, "Revenue, last 12 months (CNY)") == [
        "1,000,000", "900,000", "–", "700,000", "–"]  # fmt: skip
    assert _row(page, "Open receivables (CNY)")[2] == "+100"  # a stock, not a window
    assert ("Revenue, last 12 months (CNY): the ledger starts on 2025-03-05, so the 12 months to "
            "2025-12-31 hold 10 calendar months of it; the 12 months to 2025-11-30 hold 9 "
            "calendar months of it; the 12 months to 2025-09-30 hold 7 calendar months of it; "
            "a change between windows that hold different months is not shown.") in page
    zh = _index_page("2025-03-05", tmp_path, "zh")
    assert "账簿始于2025-03-05，截至2025-12-31的12个月仅含10个自然月的数据" in zh


def test_the_index_compares_only_the_whole_windows(tmp_path):
    # first invoice 2024-11-01: the windows to 2025-12-31 and 2025-11-30 are whole (from
    # 2025-01-01 and 2024-12-01); the one to 2025-09-30 opens on 2024-10-01, before it
    page = _index_page("2024-11-01", tmp_path)
    assert _row(page, "Revenue, last 12 months (CNY)") == [
        "1,000,000", "900,000", "+100,000", "700,000", "–"]  # fmt: skip
    assert "the 12 months to 2025-09-30 hold 11 calendar months of it" in page
    assert "2025-11-30 hold" not in page and "2025-12-31 hold" not in page
    whole = _index_page("2023-01-01", tmp_path)
    assert _row(whole, "Revenue, last 12 months (CNY)")[4] == "+300,000"
    assert "calendar months of it" not in whole


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_twelve_month_figures_of_a_six_month_ledger_say_how_many_months_they_hold(lang):
    from segkit.studies import market, segmentation
    from segkit.studies.sections import holdings

    ledger = _exports_ledger("six_months")  # invoices from 2025-07-01
    held = holdings(ledger, AS_OF)
    assert held.months == 6
    features = segkit.customer_features(ledger, AS_OF)
    view = market.customer_view(features, held, lang)
    said = market.headline(view, market.segment_tables(view, lang), held, AS_OF, lang)
    numbers = segmentation.headline_numbers(
        segmentation.join_classes(features, segmentation.classify(ledger, AS_OF, features, False,
                                                                  lang), held.currency), held)
    memo = segmentation.headline_text(numbers, AS_OF, lang, held)
    caveat = {"en": "The ledger covers only 6 of those 12 months (its first invoice is on "
                    "2025-07-01).", "zh": "账簿仅覆盖这12个月中的6个月（首张发票日期为2025-07-01）。"}[lang]
    assert caveat in said and caveat in memo
    full = holdings(_exports_ledger("country_names"), AS_OF)
    assert full.months >= 12
    from segkit.studies.sections import window_caveat

    assert window_caveat(full, lang) == ""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_dso_lead_in_on_a_ledger_without_a_dso_trend(lang):
    from segkit.studies.credit_risk import prepare
    from test_credit_short_history import make_ledger

    report = prepare(make_ledger(months=6), AS_OF, lang)
    said = [str(getattr(item, "data", "")) for item in report.dso()]
    assert len(said) == 2 and said[1] == report.t("dso_short")
    assert report.t("dso_definition") not in "\n".join(said)


def test_the_quadrant_actions_show_only_with_the_quadrants():
    cells = json.loads((NOTEBOOKS / "market_positioning.ipynb").read_text(encoding="utf-8"))
    source = ["".join(c["source"]) for c in cells["cells"] if c["cell_type"] == "code"]
    cell = next(s for s in source if "show_actions" in s)
    assert cell.startswith('if study.feeds("growth", held) and tables:')


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_study_states_the_same_month_count_for_one_ledger(lang):
    from segkit.studies import market, segmentation
    from segkit.studies.credit_risk import readiness
    from segkit.studies.sections import holdings, months_covered

    ledger = _exports_ledger("country_names")  # invoices 2024-01-04 to 2025-12-29
    held = holdings(ledger, AS_OF)
    ready = readiness(ledger, AS_OF)
    assert held.months == ready.months_held == months_covered("2024-01-04", "2025-12-29") == 24
    credit = ready.text(lang)
    stated = {"en": "holds 24 months", "zh": "仅有 24 个月"}[lang]
    assert stated in credit
    assert market.feeds("growth", held) and segmentation.feeds("growth", held)
    short = _exports_ledger("six_months")  # invoices from 2025-07-01: six calendar months
    held, ready = holdings(short, AS_OF), readiness(short, AS_OF)
    assert held.months == ready.months_held == 6
    have = {"en": "the ledger holds 6 (", "zh": "账中只有6个月"}[lang]
    for study in (market, segmentation):
        assert have in study.sections.note(study.SECTIONS["growth"], held, lang)
    assert {"en": "holds 6 months", "zh": "仅有 6 个月"}[lang] in ready.text(lang)
