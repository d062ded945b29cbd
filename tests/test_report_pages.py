"""The pages a reviewer reads: no analyst notes or logged warnings, alt text, a print layout;
the notebooks an analyst reads; warnings as one line; figures described in words."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402

from segkit.exceptions import ConfigError  # noqa: E402
from segkit.figure_alt import describe, set_alt  # noqa: E402
from segkit.reports.pages import NOTES_TAG, export_html, stylesheet  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).parents[1] / "src/segkit/studies/notebooks").glob("*.ipynb"))
PNG = base64.b64encode(
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
).decode()


def _executed(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    notes = nbformat.v4.new_markdown_cell("## Setup\n\nFor the analyst only.")
    notes.metadata["tags"] = [NOTES_TAG]
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="WARNING: tied edges\n"),
        nbformat.v4.new_output("display_data", data={"text/markdown": "The memo"}),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": PNG},
            metadata={"image/png": {"alt": 'Bar chart: "revenue" <by size>'}},
        ),
        nbformat.v4.new_output("display_data", data={"image/png": PNG}),
    ]
    nb.cells = [notes, cell]
    path = tmp_path / "study.ipynb"
    nbformat.write(nb, path)
    return path


def test_page_leaves_out_notes_and_warnings_and_keeps_alt_text(tmp_path):
    page = export_html(_executed(tmp_path), tmp_path / "study.html", "信用风险 — 2025-12-31", "zh")
    body = page.read_text(encoding="utf-8")
    assert "For the analyst only" not in body and "tied edges" not in body
    assert "The memo" in body
    assert """<img alt='Bar chart: "revenue" &lt;by size&gt;'""" in body
    assert body.count("No description has been provided") == 1  # the image displayed without
    assert '<html lang="zh">' in body
    assert "size: A4 landscape" in body and "counter(pages)" in body
    assert 'content: "信用风险 — 2025-12-31"' in body


def test_page_header_cannot_close_the_style_or_the_string():
    css = stylesheet('a"b</style><script>')
    assert "</style>" not in css and '"b' not in css
    assert 'content: "a\\22 b\\3c /style\\3e \\3c script\\3e "' in css


def test_unreadable_notebook_gives_no_page(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{", encoding="utf-8")
    assert export_html(broken, tmp_path / "broken.html", "t") is None
    assert not (tmp_path / "broken.html").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_explain_every_section_to_the_analyst(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    for before, cell in zip(cells, cells[1:], strict=False):
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", []):
            assert before["cell_type"] == "markdown", "".join(cell["source"])[:60]
            assert "".join(before["source"]).startswith("## ")
    for cell in cells:
        if cell["cell_type"] == "markdown":
            assert NOTES_TAG in cell["metadata"].get("tags", [])  # left out of the page
        else:
            assert cell["outputs"] == [] and cell["execution_count"] is None
            assert "simplefilter" not in "".join(cell["source"])
    assert any("log_warnings()" in "".join(c["source"]) for c in cells)


def test_warnings_become_one_log_line_without_a_path():
    from segkit.studies.console import log_warnings

    stream = io.StringIO()
    saved = warnings.showwarning
    try:
        log_warnings(stream)
        log_warnings(stream)  # a second call does not write lines twice
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("tied quantile edges;\n4 bins instead of 5", UserWarning, stacklevel=1)
            warnings.warn("old", DeprecationWarning, stacklevel=1)
    finally:
        warnings.showwarning = saved
    assert stream.getvalue().splitlines() == [
        "WARNING: tied quantile edges; 4 bins instead of 5",
        "WARNING: DeprecationWarning: old",
    ]


def test_figures_are_described_in_the_report_language():
    fig, (left, right) = plt.subplots(1, 2)
    left.bar(["A", "B"], [1, 2], label="customers")
    left.set_title("客户数")
    left.set_xlabel("ABC分级")
    left.legend()
    right.imshow([[1, 2], [3, 4]])
    right.set_ylabel("grade")
    fig.suptitle("Value × risk")
    assert describe(fig, "en") == (
        "Value × risk. 2 panels. Bar chart: 客户数; horizontal axis: ABC分级; "
        "series: customers. Heat map; vertical axis: grade."
    )
    assert describe(fig, "zh").startswith("Value × risk。共2个子图。条形图：客户数；横轴：ABC分级")
    assert describe(set_alt(fig, "  Own\nwords "), "zh") == "Own words"
    plt.close(fig)


def test_pdf_without_chromium_says_how_to_get_it(monkeypatch, tmp_path):
    from segkit.reports.pdf import CHROMIUM_ENV, chromium

    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    with pytest.raises(ConfigError, match=r"--pdf needs headless Chromium.*make browser-deps"):
        chromium()


def test_a_kernel_is_shut_down_without_an_interrupt():
    from segkit.reports.kernel import TrackedKernelManager

    manager = TrackedKernelManager()
    with pytest.raises(RuntimeError, match="No kernel is running"):
        asyncio.run(manager._async_interrupt_kernel())  # an interrupt reaches jupyter_client
    manager.shutting_down = True
    assert asyncio.run(manager._async_interrupt_kernel()) is None  # at shutdown it does not


def test_report_pdf_without_chromium_stops_before_any_study(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from segkit.cli import app
    from segkit.reports.pdf import CHROMIUM_ENV

    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    sample = Path(__file__).parents[1] / "data" / "sample"
    args = ["report", str(sample), "--as-of", "2025-12-31", "--out", str(tmp_path / "r"), "--pdf"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "--pdf needs headless Chromium" in result.output
    assert not (tmp_path / "r" / "2025-12-31").exists()
