"""Every report page on a 1,400 px screen and on A4 landscape paper, in both languages: no table
runs out of its box, every figure says what it shows, and each study prints, through headless
Chromium, to a PDF of at most 20 pages."""

from __future__ import annotations

import re

import pytest

from conftest import CHROMIUM

LANGS = ("en", "zh")
STUDIES = ("segmentation.html", "credit_risk.html", "market.html")
PAGES = ("index.html", *STUDIES)
#: Width of A4 landscape inside the print margins (277 mm of 297) in CSS pixels.
PAPER = round((297 - 20) / 25.4 * 96)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", LANGS)
def test_no_table_is_cut_on_screen_or_paper(chromium, reports, lang, page):
    path = reports[lang] / page
    assert chromium.overflowing(path, 1400, "screen") == []
    assert chromium.overflowing(path, PAPER, "print") == []


@pytest.mark.parametrize("page", STUDIES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_says_what_it_shows(reports, lang, page):
    body = (reports[lang] / page).read_text(encoding="utf-8")
    alts = re.findall(r"<img alt=(?:'([^']*)'|\"([^\"]*)\")", body)
    assert len(alts) == body.count("<img") > 0
    for alt in (a or b for a, b in alts):
        assert "No description" not in alt
        assert len(alt) > 10 and ("：" in alt if lang == "zh" else ": " in alt), alt


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", LANGS)
def test_each_page_prints_to_a_pdf_of_at_most_20_pages(chromium, reports, lang, page, tmp_path):
    from segkit.reports.pdf import print_pdf

    pdf = print_pdf(reports[lang] / page, tmp_path / page.replace(".html", ".pdf"), CHROMIUM)
    pages = _pages(pdf.read_bytes())
    assert 1 <= pages <= 20, f"{lang}/{page}: {pages} pages"
    if page in STUDIES:
        assert pages >= 5  # a study, not an empty page
