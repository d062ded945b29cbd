"""The executive part of a report run: key figures, the five actions and the workbook.

:func:`compute_pack` reads the ledger once and computes :class:`~segkit.reports.summary.Summary`
and :func:`~segkit.reports.actions.top_actions` (while the studies run); :func:`write_pack` then
writes ``segkit_<as_of>.xlsx`` with the sheets
summary, actions, classification (with reasons), credit (grade, PD, limits) and migration (RFM
segment from the previous quarter-end to the as-of date). A ledger the summary cannot be
computed for gives a :class:`Pack` with ``error`` set; the studies' pages are still indexed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from segkit.exceptions import SegkitError
from segkit.output.workbook import HEADER_KINDS, add_sheet, new_workbook, save_workbook
from segkit.reports.actions import top_actions
from segkit.reports.readable import readable
from segkit.reports.summary import Summary, collect
from segkit.studies.currencies import currency_frame
from segkit.text.catalogue import text

__all__ = [
    "CREDIT_PARAMETERS",
    "Pack",
    "compute_pack",
    "ledger_currency",
    "study_sheets",
    "workbook_sheets",
    "write_pack",
    "write_workbook",
]

#: Parameters of the credit study that the summary's credit figures follow.
CREDIT_PARAMETERS = ("horizon_months", "dpd", "lgd")

_CLASS_COLUMNS = (
    "name",
    "group_id",
    "industry_section",
    "size_cn",
    "region_cn",
    "freq_class",
    "amount_class",
    "rfm_cell",
    "rfm_segment",
    "rfm_class_cn",
    "abc_tier",
    "risk_tier",
    "cluster_name",
    "rule_class",
    "reason",
)
_CREDIT_COLUMNS = (
    "name",
    "abc_tier",
    "grade",
    "pd",
    "points",
    "open_balance",
    "overdue_balance",
    "aging_90_plus",
    "expected_loss",
    "credit_limit",
    "utilisation",
    "over_limit",
    "standing",
    "terms_days",
    "limit_proposed",
    "limit_change",
    "limit_action",
    "limit_reason",
    "grade_previous",
)


@dataclass
class Pack:
    """Key figures, actions and workbook of one run; ``error`` says why they are missing."""

    summary: Summary | None = None
    actions: pd.DataFrame | None = None
    workbook: Path | None = None
    currency: str = "CNY"
    error: str | None = None
    provision: object | None = None
    sheets: list[str] = field(default_factory=list)
    #: Revenue, open receivables and revaluation by transaction currency (several currencies).
    currencies: pd.DataFrame | None = None
    #: An error no code raised on purpose (a bug): the pages are indexed, then the run fails.
    bug: BaseException | None = None


def ledger_currency(ledger) -> str:
    """The ledger's functional currency, in which every amount is (CNY without a currency)."""
    return getattr(ledger, "functional_currency", None) or "CNY"


def compute_pack(base: dict, credit: dict) -> Pack:
    """The summary and actions of a run; it reads nothing the studies write, so it can run
    while they do.

    Parameters
    ----------
    base : dict
        The run's ``data``, ``as_of``, ``lang`` and ``mapping`` (absolute paths).
    credit : dict
        Credit study parameters (``horizon_months``, ``dpd``, ``lgd``) to follow.
    """
    from segkit.ledger.model import read_ledger

    lang, as_of = base["lang"], base["as_of"]
    try:
        ledger = read_ledger(base["data"], mapping=base["mapping"] or None)
        currency = ledger_currency(ledger)
        summary = collect(ledger, as_of, config={"credit": dict(credit)})
        actions = top_actions(summary.current, summary.previous, lang, currency)
        currencies = currency_frame(ledger, as_of)
    except SegkitError as exc:  # the ledger cannot give the figures: the index says why
        return Pack(error=next((ln for ln in str(exc).splitlines() if ln.strip()), ""))
    except Exception as exc:  # noqa: BLE001 - a bug: the studies' pages are indexed, then it is raised
        first = next((line for line in str(exc).splitlines() if line.strip()), "")
        return Pack(error=f"{type(exc).__name__}: {first}", bug=exc)
    return Pack(summary, actions, None, currency, provision=summary.provision,
                currencies=currencies if len(currencies) else None)  # fmt: skip


def write_pack(pack: Pack, base: dict, out_dir: Path) -> Pack:
    """Write the workbook of ``pack`` into ``out_dir``, with the sheets the studies exported."""
    if pack.error is None:
        lang, path = base["lang"], out_dir / f"segkit_{base['as_of']}.xlsx"
        pack.workbook = write_workbook(pack, lang, path, extra=study_sheets(out_dir, lang))
    return pack


def write_workbook(pack: Pack, lang: str, path: Path, extra=None) -> Path:
    """Write the sheets of :func:`workbook_sheets`, then ``extra`` ({title: table}), to ``path``;
    ``pack.sheets`` gets the sheets' names as written.

    Every sheet reads in ``lang``: codes as labels, the customer's name beside every customer
    id (:func:`~segkit.reports.readable.readable`); headers from the workbook's names (the
    studies' exports: the collections' names first); the summary's counts, amounts and days each
    in their own number format."""
    book, currency = new_workbook(), pack.currency
    names = pack.summary.current.get("name") if pack.summary is not None else None
    pack.sheets = []
    for key, table in workbook_sheets(pack, lang).items():
        rows = _figure_formats(pack, lang) if key == "summary" else None
        title = text("report_sheets", key, lang)
        by_currency = key == "currencies"  # its own headers and formats (rates, shares)
        sheet = add_sheet(book, readable(table, lang, names), title, lang=lang,
                          currency=currency, row_formats=rows,
                          kinds=("currency_columns", *HEADER_KINDS) if by_currency else HEADER_KINDS,
                          formats=_currency_formats(currency) if by_currency else None)  # fmt: skip
        pack.sheets.append(sheet.name)
    for title, table in (extra or {}).items():
        sheet = add_sheet(book, readable(table, lang, names), title, lang=lang,
                          currency=currency, kinds=_EXTRA_KINDS)  # fmt: skip
        pack.sheets.append(sheet.name)
    return save_workbook(book, path)


def _currency_formats(currency: str) -> dict[str, str]:
    """Number formats of the currency sheet: functional amounts, shares, rates, foreign amounts."""
    from segkit.output.workbook import number_format

    amount = number_format("open_balance", float, currency)
    out = dict.fromkeys(("revenue", "open", "open_closing", "unrealised", "realised"), amount)
    return {**out, "revenue_share": "0.0%", "open_share": "0.0%",
            "closing_rate": "#,##0.0000", "open_txn": "#,##0.00"}  # fmt: skip


#: Header kinds of the sheets the studies export (the collections worklist).
_EXTRA_KINDS = ("cash_columns", "report_columns", "columns")


def _figure_formats(pack: Pack, lang: str) -> dict[str, str]:
    """Number format of each row of the summary sheet (by the figure's label): counts as
    integers, days with one decimal, every other figure an amount."""
    from segkit.output.workbook import number_format

    amount = number_format("open_balance", float, pack.currency)
    formats = {}
    for code in pack.summary.figures.index:
        label = text("report_figures", code, lang, currency=pack.currency)
        formats[label] = _FIGURE_FORMATS.get(code, amount)
    return formats


_FIGURE_FORMATS = {
    "active_customers": "#,##0",
    "new_defaults": "#,##0",
    "changed_class": "#,##0",
    "dso_days": "#,##0.0",
}


#: Tables the studies export that the workbook also carries: sheet key -> files in the report,
#: the first found is read (Parquet keeps dates as dates and numbers as numbers).
STUDY_SHEETS = {
    "collections": ("collections_tasks.parquet", "collections_worklist.csv"),
    "scorecard": ("scorecard_points.csv",),
}


def study_sheets(out_dir: Path, lang: str) -> dict[str, pd.DataFrame]:
    """The studies' exports found in ``out_dir`` ({sheet title: table}), for the workbook."""
    found = {}
    for key, names in STUDY_SHEETS.items():
        path = next((out_dir / n for n in names if (out_dir / n).is_file()), None)
        if path is not None and path.suffix == ".parquet":
            found[text("report_sheets", key, lang)] = pd.read_parquet(path)
        elif path is not None:
            table = pd.read_csv(path, encoding="utf-8-sig", index_col=0)
            found[text("report_sheets", key, lang)] = table
    return found


def workbook_sheets(pack: Pack, lang: str) -> dict[str, pd.DataFrame]:
    """The workbook's tables by sheet key, with class codes replaced by labels."""
    from segkit.classes.pipeline import with_labels

    summary, currency = pack.summary, pack.currency
    current = with_labels(_with_limit_words(summary.current, lang, currency), lang)
    if "reason" in current.columns and lang != "en":  # the summary classifies in English
        from segkit.classes.reasons import reasons

        current["reason"] = reasons(summary.current, lang)
    figures = summary.figures.rename(
        index=lambda f: text("report_figures", f, lang, currency=currency),
        columns={p: str(d) for p, d in summary.dates.items()},
    ).rename_axis("figure")
    credit = _credit(current, summary)
    sheets = {
        "summary": _with_changes(figures, lang),
        "actions": pack.actions.drop(columns="rule"),
        "classification": current[[c for c in _CLASS_COLUMNS if c in current.columns]],
        "credit": credit[[c for c in _CREDIT_COLUMNS if c in credit.columns]],
        "migration": _migration(summary, lang),
    }
    if pack.currencies is not None:
        sheets["currencies"] = pack.currencies
    if pack.provision is not None:
        sheets["provision"] = _provision_sheet(pack.provision, lang)
        if len(pack.provision.write_offs):
            sheets["write_offs"] = pack.provision.write_offs.set_index("invoice_id")
    return sheets


def _with_limit_words(frame: pd.DataFrame, lang: str, currency: str) -> pd.DataFrame:
    """The credit study's limit decision in words: action, standing and the reason."""
    if "limit_action" not in frame.columns:
        return frame
    from segkit.credit.advice import limit_reasons

    out = frame.copy()
    out["limit_reason"] = limit_reasons(frame, lang, currency)
    for column, kind in (("limit_action", "limit_action"), ("standing", "credit_standing")):
        if column in out.columns:
            out[column] = out[column].map(
                lambda v, k=kind: text(k, v, lang) if isinstance(v, str) else v
            )
    return out


def _provision_sheet(provision, lang: str) -> pd.DataFrame:
    matrix = provision.matrix.copy()
    matrix.index = matrix.index.map(lambda b: text("provision_bucket", b, lang))
    matrix.index.name = "bucket"
    return matrix


def _credit(current: pd.DataFrame, summary: Summary) -> pd.DataFrame:
    """The credit columns with the utilisation of the limit on file (when the classification
    lacks it) and the grade at the quarter-end."""
    out = current.copy()
    if "utilisation" not in out.columns and {"open_balance", "credit_limit"} <= set(out.columns):
        limit = out["credit_limit"].where(out["credit_limit"] > 0)
        out["utilisation"] = out["open_balance"] / limit
    before = summary.frames.get(summary.dates["quarter"])
    if before is not None and "grade" in before.columns:
        out["grade_previous"] = before["grade"].reindex(out.index)
    return out


def _with_changes(figures: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The key figures with their change since the month-end and since the quarter-end."""
    out = figures.copy()
    if out.shape[1] == 3:
        now, month, quarter = out.columns
        out[text("report_sheets", "change_month", lang)] = out[now] - out[month]
        out[text("report_sheets", "change_quarter", lang)] = out[now] - out[quarter]
    return out


def _migration(summary: Summary, lang: str) -> pd.DataFrame:
    """Customers by RFM segment at the previous quarter-end (rows) and the as-of date."""
    from segkit.history.timeline import class_labels, migration_matrix, snapshots

    start, end = summary.dates["quarter"], summary.dates["as_of"]
    if summary.frames.get(start) is None:
        return pd.DataFrame()
    long = snapshots(None, [start, end], lambda _, day: summary.frames[day], ["rfm_segment"])
    matrix = migration_matrix(long, "rfm_segment", start, end)
    labelled = class_labels(matrix, "rfm_segment", lang)
    labelled.index.name = "class_from"
    labelled.columns.name = None
    return labelled
