"""Print a report's pages to PDF with headless Chromium, beside each HTML file.

The pages carry their own print layout (:func:`segkit.reports.pages.stylesheet`: A4
landscape, repeated table headers, a page header with the study and the as-of date, page
numbers), so Chromium prints them as they are, without its own header and footer. Chromium is
the Debian package ``chromium`` (``make browser-deps``); :data:`CHROMIUM_ENV` names another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from segkit.exceptions import ConfigError, ReportError

__all__ = ["CHROMIUM_ENV", "chromium", "print_pdf", "print_pages"]

#: Environment variable naming the Chromium executable, over ``chromium`` on the PATH.
CHROMIUM_ENV = "SEGKIT_CHROMIUM"
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str:
    """The Chromium executable to print with.

    Raises
    ------
    ConfigError
        When none is found, saying how to install one.
    """
    named = os.environ.get(CHROMIUM_ENV)
    for candidate in [named] if named else _CANDIDATES:
        found = shutil.which(candidate) or (
            candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None
        )
        if found:
            return found
    where = f"{CHROMIUM_ENV}={named}" if named else "chromium on the PATH"
    raise ConfigError(
        f"--pdf needs headless Chromium and found no {where}: install it with "
        "'make browser-deps' (as root: apt-get install -y chromium), set "
        f"{CHROMIUM_ENV} to its path, or run without --pdf (the HTML pages print from a browser)."
    )


def print_pdf(page: Path, target: Path | None = None, browser: str | None = None) -> Path:
    """Print the HTML file ``page`` to ``target`` (default: the same name ending in ``.pdf``).

    Raises
    ------
    ReportError
        When Chromium fails or writes no file; the message holds its last line of output.
    """
    page, browser = Path(page).resolve(), browser or chromium()
    target = Path(target) if target is not None else page.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="segkit-chromium-") as profile:
        partial = target.with_name(f".{target.name}.part")
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={partial}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium refuses root's sandbox
            command.insert(1, "--no-sandbox")
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            partial.unlink(missing_ok=True)
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ReportError(f"Chromium could not print {page.name} to PDF: {last}")
        os.replace(partial, target)
    return target


def print_pages(pages, browser: str | None = None) -> list[Path]:
    """Print each HTML file of ``pages`` to a PDF beside it; the PDFs written."""
    browser = browser or chromium()
    return [print_pdf(Path(page), browser=browser) for page in pages if page is not None]
