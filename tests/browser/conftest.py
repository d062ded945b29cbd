"""Fixtures of the browser tests: one headless Chromium, and the reports it opens.

The reports are generated once per language on ``data/sample``. Chromium is the Debian package
(``make browser-deps`` installs it); without it the tests fail in CI (the ``CI`` environment
variable is set) and are skipped elsewhere, saying why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from devtools import Chromium

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
AS_OF = "2025-12-31"
LANGS = ("en", "zh")
CHROMIUM = os.environ.get("SEGKIT_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        reason = (
            f"headless Chromium not found at {CHROMIUM}: install the Debian package with "
            "'make browser-deps' as root (apt-get install -y chromium) or set SEGKIT_CHROMIUM"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    browser = Chromium(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The report folder of each language, generated once on the sample ledger."""
    from segkit.reports import run_reports

    root = tmp_path_factory.mktemp("reports")
    folders = {}
    for lang in LANGS:
        result = run_reports(SAMPLE, AS_OF, out=root / lang, lang=lang, progress=False, log=None)
        folders[lang] = result.out_dir
    return folders
