"""Every report page, in both languages, opened in headless Chromium: its links and images
resolve, it logs no error, and a screenshot is saved under the test's output folder."""

from __future__ import annotations

import pytest
from devtools import broken_links

LANGS = ("en", "zh")

PAGES = ("index.html", "segmentation.html", "credit_risk.html", "market.html")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", LANGS)
def test_page_opens_cleanly(chromium, reports, lang, page, tmp_path):
    path = reports[lang] / page
    assert path.is_file(), f"{page} was not written in the {lang} report"
    shot = tmp_path / f"{lang}_{page.removesuffix('.html')}.png"
    seen = chromium.check(path, shot)
    assert seen.errors == []
    assert broken_links(seen, path) == []
    assert all(image["ok"] for image in seen.images), seen.images
    assert shot.stat().st_size > 10_000
    assert seen.text.strip()
    assert seen.lang == lang


@pytest.mark.parametrize("lang", LANGS)
def test_index_speaks_the_report_language_and_links_every_study(chromium, reports, lang, tmp_path):
    seen = chromium.check(reports[lang] / "index.html", tmp_path / f"{lang}_index.png")
    assert seen.lang == lang
    targets = {link.rsplit("/", 1)[-1] for link in seen.links}
    assert {p for p in PAGES if p != "index.html"} <= targets
    assert f"segkit_{reports[lang].name}.xlsx" in targets
    assert str(reports[lang]) not in seen.text
    if lang == "zh":
        assert "关键指标" in seen.text and "最重要的五项行动" in seen.text
        assert "Key figures" not in seen.text
    else:
        assert "Key figures" in seen.text and "关键指标" not in seen.text
