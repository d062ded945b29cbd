"""Render ``index.html``: the executive page of a report run, in the report language.

The page opens with the key figures at the as-of date against the previous month-end and
quarter-end (:mod:`segkit.reports.summary`), then the five actions that matter most
(:mod:`segkit.reports.actions`), the studies with their status and links, the workbook, notes
(definitions, why a figure shows a dash) and the facts of the run. Every value is
HTML-escaped; links are relative to the report folder and point only at files that exist; no
absolute path is shown.
"""

from __future__ import annotations

import html
import json
import math
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from segkit.reports.pages import stylesheet as print_stylesheet
from segkit.reports.params import OUT_DIR_PARAMETER, REPORT_PARAMETERS
from segkit.reports.run import ReportResult, StudyRun, segkit_version, study_name
from segkit.reports.windows import TRAILING, partial_windows
from segkit.text.catalogue import MISSING, text

__all__ = ["render_index"]

_COUNTS = ("active_customers", "new_defaults", "changed_class")
_DAYS = ("dso_days", "average_days_delinquent", "best_possible_dso", "dispute_age_days")
_SHARES = ("cei", "current_share")


def _t(key: str, lang: str, **values) -> str:
    return text("report_index", key, lang, **values)


def render_index(result: ReportResult, base: dict[str, str], plan, pack=None) -> str:
    """The index page of ``result``; ``pack`` (:class:`~segkit.reports.pack.Pack`) adds the
    key figures, actions and workbook."""
    lang = base["lang"]
    scrub = _scrubber(base, result.out_dir)
    title = _t("title", lang, as_of=base["as_of"])
    notes: list[str] = []
    parts = [f"<h1>{_esc(title)}</h1>"]
    if pack is not None and pack.summary is not None:
        parts += _figures(pack, lang, notes)
        parts += _actions(pack, lang, notes)
    elif pack is not None and pack.error:
        parts.append(
            f'<p class="failed">{_esc(_t("unavailable", lang, reason=scrub(pack.error)))}</p>'
        )
    parts += _studies(result, lang, pack, scrub)
    if notes:
        items = "".join(f"<li>{_esc(scrub(note))}</li>" for note in notes)
        parts.append(f"<h2>{_esc(_t('notes', lang))}</h2>\n<ol>{items}</ol>")
    parts += _run_facts(base, lang)
    parts += _parameters(plan, lang)
    css = print_stylesheet(title)
    return _PAGE.format(lang=lang, title=_esc(title), body="\n".join(parts), print_css=css)


def _number(figure: str, value: float, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    spec = ",.1f" if figure in _DAYS else ".1%" if figure in _SHARES else ",.0f"
    return format(value, ("+" if signed else "") + spec)


def _figures(pack, lang: str, notes: list[str]) -> list[str]:
    summary, currency = pack.summary, pack.currency
    dates = summary.dates
    change = _esc(_t("change", lang))
    head = (
        f"<tr><th>{_esc(text('report_columns', 'figure', lang))}</th>"
        f"<th>{_esc(_t('as_of', lang, date=dates['as_of']))}</th>"
        f"<th>{_esc(_t('month', lang, date=dates['month']))}</th><th>{change}</th>"
        f"<th>{_esc(_t('quarter', lang, date=dates['quarter']))}</th><th>{change}</th></tr>"
    )
    rows = []
    for figure, values in summary.figures.iterrows():
        now = values["as_of"]
        name = text("report_figures", figure, lang, currency=currency)
        unlike = _unlike_windows(figure, name, summary, lang, notes)
        cells = [
            _number(figure, now),
            _number(figure, values["month"]),
            MISSING if "month" in unlike else _number(figure, now - values["month"], signed=True),
            _number(figure, values["quarter"]),
            MISSING if "quarter" in unlike else _number(figure, now - values["quarter"], True),
        ]
        rows.append(
            f"<tr><th>{_esc(name)}</th>"
            + "".join(f'<td class="num">{_esc(c)}</td>' for c in cells)
            + "</tr>"
        )
    notes += [
        text("report_notes", key, lang)
        for key in ("active", "dso", "defaults", "changed", "collections")
    ]
    for figure, (reason, detail) in summary.missing.items():
        name = text("report_figures", figure, lang, currency=currency)
        why = _reason(_checked(figure, reason, detail, summary), detail, dates, lang)
        notes.append(f"{name}: " + text("report_notes", "missing", lang, reason=why))
    table = f'<table class="figures">\n{head}\n' + "\n".join(rows) + "\n</table>"
    return [f"<h2>{_esc(_t('key_figures', lang))}</h2>", table]


def _unlike_windows(figure: str, name: str, summary, lang: str, notes: list[str]) -> set[str]:
    """The periods whose change of a trailing-window ``figure`` compares unlike spans (a window
    starting before the first invoice on either side); a note says what each window holds."""
    if figure not in TRAILING:
        return set()
    partial = partial_windows(summary.first, summary.dates, TRAILING[figure])
    if not partial:
        return set()
    held = text("report_notes", "window_sep", lang).join(
        text("report_notes", "window_holds", lang, date=summary.dates[p], n=n)
        for p, n in partial.items()
    )
    first = summary.first.isoformat() if summary.first else MISSING
    notes.append(text("report_notes", "partial_window", lang, name=name, first=first, held=held))
    return {"month", "quarter"} if "as_of" in partial else set(partial)


#: What each figure needs beyond invoices: the reason given when it is missing at a date the
#: ledger could classify.
_NEEDS = dict.fromkeys(
    ("open_receivables", "past_due", "past_due_90", "dso_days", "new_defaults"), "no_settlement"
) | {"expected_loss": "no_credit"}


def _checked(figure: str, reason: str, detail: str, summary) -> str:
    """``reason``, unless it says the ledger holds too little data at a date it classified:
    then the figure's declared need (settlement data, the credit scorecard)."""
    if reason != "no_history":
        return reason
    day = detail or str(summary.dates["quarter"])
    classified = any(str(d) == day and f is not None for d, f in summary.frames.items())
    return _NEEDS.get(figure, reason) if classified else reason


def _reason(reason: str, detail: str, dates, lang: str) -> str:
    """Why a figure is missing, in words of ``lang``; the technical detail stays in the
    summary (and the study pages), never on the page in English."""
    if reason == "no_history":
        return text("report_notes", "no_history", lang, date=detail or dates["quarter"])
    return text("report_notes", reason, lang)


def _actions(pack, lang: str, notes: list[str]) -> list[str]:
    heading = f"<h2>{_esc(_t('actions', lang))}</h2>"
    notes.append(text("report_notes", "actions_rule", lang))
    if pack.actions is None or pack.actions.empty:
        return [heading, f"<p>{_esc(_t('no_actions', lang))}</p>"]
    columns = ("customer_id", "name", "action", "amount")
    head = "".join(f"<th>{_esc(_header(c, lang, pack.currency))}</th>" for c in columns)
    rows = [
        f"<tr><td>{_esc(cid)}</td><td>{_esc(_plain(row['name']))}</td>"
        f'<td>{_esc(row["action"])}</td><td class="num">{_esc(_number("", row["amount"]))}</td></tr>'
        for cid, row in pack.actions.iterrows()
    ]
    return [heading, f"<table>\n<tr>{head}</tr>\n" + "\n".join(rows) + "\n</table>"]


def _header(code: str, lang: str, currency: str) -> str:
    from segkit.output.workbook import column_header

    return column_header(code, lang, currency)


def _plain(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return str(value)


def _scrubber(base: dict[str, str], out_dir: Path):
    """A function that removes the run's folders from a message: no absolute path is shown."""
    folders = [Path(base["data"]).parent, out_dir, out_dir.parent]
    if base["mapping"]:
        folders.append(Path(base["mapping"]).parent)
    prefixes = sorted({str(f) for f in folders if str(f) != f.anchor}, key=len, reverse=True)

    def scrub(message: str) -> str:
        for prefix in prefixes:
            message = message.replace(prefix + os.sep, "").replace(prefix, ".")
        return message

    return scrub


def _studies(result: ReportResult, lang: str, pack, scrub) -> list[str]:
    keys = ("study", "status", "report", "notebook", "parameters", "exports", "error")
    head = "".join(f"<th>{_esc(_t(k, lang))}</th>" for k in keys)
    rows = "\n".join(_study_row(run, result.out_dir, lang, scrub) for run in result.studies)
    parts = [f"<h2>{_esc(_t('studies', lang))}</h2>", f"<table>\n<tr>{head}</tr>\n{rows}\n</table>"]
    if pack is not None and pack.workbook is not None and pack.workbook.is_file():
        link = _link(pack.workbook, pack.workbook.parent)
        sheets = ("、" if lang == "zh" else ", ").join(pack.sheets)
        parts.append(f"<p>{_esc(_t('workbook', lang, sheets=sheets))}: {link}</p>")
    return parts


def _study_row(run: StudyRun, out_dir: Path, lang: str, scrub) -> str:
    page_there = run.html is not None and run.html.is_file()
    status = run.status if page_there or run.status != "ok" else "failed"
    links = [_link(run.html, out_dir), _link(run.notebook, out_dir), _link(run.parameters, out_dir)]
    outputs = "<br>".join(_link(path, out_dir) for path in run.outputs if path.is_file())
    label = f'<span class="{_esc(status)}">{_esc(_t(status, lang))}</span>'
    error = _esc(scrub(run.error or ""))
    cells = [_esc(study_name(run.name, lang)), label, *links, outputs, error]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _link(path: Path | None, out_dir: Path) -> str:
    if path is None or not path.is_file():
        return MISSING
    relative = path.relative_to(out_dir).as_posix()
    return f'<a href="{_esc(quote(relative))}">{_esc(relative)}</a>'


def _run_facts(base: dict[str, str], lang: str) -> list[str]:
    facts = {
        _t("ledger", lang): Path(base["data"]).name,
        _t("as_of_date", lang): base["as_of"],
        _t("language", lang): _t(f"lang_{lang}", lang),
        _t("mapping", lang): Path(base["mapping"]).name if base["mapping"] else _t("none", lang),
        _t("version", lang): segkit_version(),
    }
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in facts.items())
    return [f"<h2>{_esc(_t('run', lang))}</h2>", f"<table>{rows}</table>"]


def _parameters(plan, lang: str) -> list[str]:
    common = {*REPORT_PARAMETERS, OUT_DIR_PARAMETER}
    rows = [
        f"<tr><td>{_esc(study_name(name, lang))}</td><th>{_esc(key)}</th><td>{_esc(value)}</td></tr>"
        for name, _, values in plan
        for key, value in values.items()
        if key not in common
    ]
    if not rows:
        return []
    return [
        f"<h2>{_esc(_t('study_parameters', lang))}</h2>",
        "<table>" + "".join(rows) + "</table>",
    ]


def _esc(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else json.dumps(value, default=str))


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 80em; }}
table {{ border-collapse: collapse; margin-bottom: 1em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.ok {{ color: #1a7f37; }} .failed {{ color: #cf222e; font-weight: bold; }}
ol {{ font-size: 0.9em; color: #444; }}
{print_css}
</style>
</head>
<body>
{body}
</body>
</html>
"""
