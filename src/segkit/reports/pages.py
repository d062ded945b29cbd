"""A study's code-free HTML page, for the screen and for paper.

:func:`export_html` turns an executed study notebook into the page a reviewer reads: no code,
no prompts, no analyst notes (markdown cells tagged ``notes``), nothing a cell wrote to stderr
(logged warnings), every figure with the alt text it was displayed with (see
:func:`segkit.plots.use_style`) and the stylesheet of :func:`stylesheet`: tables that wrap
instead of running off the page at 1,400 px, and a print layout (A4 landscape, table headers
repeated on every page, a page header naming the study and the as-of date, page numbers).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

__all__ = ["NOTES_TAG", "export_html", "stylesheet"]

#: Tag of the notebook cells written for the analyst, left out of the page.
NOTES_TAG = "notes"
_TEMPLATES = Path(__file__).parent / "templates"

#: Scripts nbconvert loads from a CDN that a report does not use (its figures are images, its
#: tables HTML): require.js, for widgets, and MathJax, which would also read "$" in amounts as
#: formulas. Without them a page opens offline without errors.
_REMOTE_SCRIPTS = re.compile(
    r'<script src="https://[^"]*/(?:require\.js|mathjax)/[^"]*">\s*</script>'
)

_SCREEN = """
.jp-OutputArea-output { overflow-x: auto; }
.jp-OutputArea-output table { table-layout: auto; max-width: 100%; }
.jp-OutputArea-output table th, .jp-OutputArea-output table td {
  white-space: normal !important; overflow-wrap: break-word; padding: 0.3em 0.45em; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
"""

_PRINT = """
@page {
  size: A4 landscape; margin: 14mm 10mm 12mm 10mm;
  @top-left { content: "@HEADER@"; font: 8pt sans-serif; color: #555; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif; color: #555; }
}
@media print {
  html, body { font-size: 9pt; margin: 0; padding: 0; max-width: none; }
  body.jp-Notebook, .jp-Notebook { padding: 0 !important; }
  .jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea-child { padding: 0 !important; }
  .jp-OutputArea-output { overflow: visible !important; }
  table { font-size: 7.5pt !important; width: auto; max-width: 100%; }
  th, td { padding: 0.15em 0.35em !important; }
  thead { display: table-header-group; }
  tr, img, svg { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
  .jp-OutputArea-output img { max-height: 72mm; width: auto; max-width: 100%; }
  a { color: inherit; text-decoration: none; }
}
"""


def stylesheet(header: str) -> str:
    """The CSS of a report page: wrapping tables on screen, and the print layout.

    Parameters
    ----------
    header : str
        Text of the printed page header (the study and the as-of date); quoted for CSS here.
    """
    return _SCREEN + _PRINT.replace("@HEADER@", _css_string(header))


def _css_string(value: str) -> str:
    """``value`` as the inside of a double-quoted CSS string, unable to close the style tag."""
    out = []
    for char in " ".join(str(value).split()):
        if char in '"\\<>&' or ord(char) < 32:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return "".join(out)


def export_html(notebook: Path, target: Path, title: str, lang: str = "en") -> Path | None:
    """Write the code-free page of ``notebook`` to ``target``; None when it cannot be read.

    Parameters
    ----------
    notebook : Path
        An executed study notebook.
    target : Path
        The HTML file to write.
    title : str
        Page title and printed page header: the study and the as-of date.
    lang : {"en", "zh"}
        The page's ``lang`` attribute.
    """
    from nbconvert import HTMLExporter
    from nbformat.reader import NotJSONError

    if not notebook.is_file():
        return None
    try:
        nb = nbformat.read(notebook, as_version=4)
    except (NotJSONError, nbformat.ValidationError, UnicodeDecodeError):
        return None  # a partial notebook, cut off by a failure: the study has no HTML
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="segkit",
        extra_template_basedirs=[str(_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code=html.escape(lang),
    )
    resources = {"metadata": {"name": title}, "segkit_css": stylesheet(title)}
    body, _ = exporter.from_notebook_node(_for_readers(nb), resources=resources)
    target.write_text(_REMOTE_SCRIPTS.sub("", body), encoding="utf-8")
    return target


def _for_readers(nb):
    """``nb`` without the analyst's notes and without what cells wrote to stderr."""
    nb.cells = [c for c in nb.cells if NOTES_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    return nb
