"""Render the ``index.html`` page of a report run.

The index lists the run facts (ledger, as-of date, language, mapping, segkit version, output
folder), one table row per study with its status, links to the code-free HTML, the executed
notebook, the parameters record and any other outputs, and then the study-specific parameters
of each study. All values are HTML-escaped and links are relative to the output folder.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from segkit.reports.params import OUT_DIR_PARAMETER, REPORT_PARAMETERS
from segkit.reports.run import ReportResult, StudyRun, segkit_version

__all__ = ["render_index"]


def render_index(result: ReportResult, base: dict[str, str], plan) -> str:
    """The index page: run facts, one table row per study, then each study's parameters."""
    facts = {**base, "segkit version": segkit_version(), "output folder": str(result.out_dir)}
    rows = "\n".join(_index_row(run, result.out_dir) for run in result.studies)
    common = {*REPORT_PARAMETERS, OUT_DIR_PARAMETER}
    extra = "\n".join(
        f"<h3>{_esc(name)}</h3>\n{_table({k: v for k, v in values.items() if k not in common})}"
        for name, _, values in plan
    )
    title = f"segkit reports — as of {base['as_of']}"
    return _INDEX_PAGE.format(
        title=_esc(title), facts=_table(facts), rows=rows, extra=extra, failed=len(result.failed)
    )


def _index_row(run: StudyRun, out_dir: Path) -> str:
    links = [_link(run.html, out_dir), _link(run.notebook, out_dir), _link(run.parameters, out_dir)]
    outputs = "<br>".join(_link(path, out_dir) for path in run.outputs)
    status = f'<span class="{run.status}">{_esc(run.status)}</span>'
    cells = [_esc(run.name), status, *links, outputs, _esc(run.error or "")]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _link(path: Path | None, out_dir: Path) -> str:
    if path is None or not path.is_file():
        return "—"
    relative = path.relative_to(out_dir).as_posix()
    return f'<a href="{quote(relative)}">{_esc(relative)}</a>'


def _table(values: Mapping[str, Any]) -> str:
    if not values:
        return "<p>No study-specific parameters.</p>"
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in values.items())
    return f"<table>{rows}</table>"


def _esc(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else json.dumps(value, default=str))


_INDEX_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 1em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
.ok {{ color: #1a7f37; }} .failed {{ color: #cf222e; font-weight: bold; }}
</style>
</head>
<body>
<h1>{title}</h1>
{facts}
<h2>Studies ({failed} failed)</h2>
<table>
<tr><th>study</th><th>status</th><th>report</th><th>notebook</th><th>parameters</th>
<th>other outputs</th><th>error</th></tr>
{rows}
</table>
<h2>Study parameters</h2>
{extra}
</body>
</html>
"""
