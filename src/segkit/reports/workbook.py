"""The report workbook: one formatted sheet per table, headers in the report language.

:func:`add_sheet` is the one way a table becomes a sheet: headers from the text catalogue (the
``columns`` kind, then ``report_columns``), a bold header row, frozen panes below the header and
beside the row labels, number formats by column (amounts at the currency's precision, shares
and probabilities as percentages, dates as ``yyyy-mm-dd``), a filter over the table and column
widths that fit. Cells pass through :func:`segkit.reports.safe.safe_frame`, so no text a user's
data holds becomes a live formula. :func:`save_workbook` writes the same bytes for the same
content. Other parts of segkit add their own sheets with :func:`add_sheet` before saving::

    book = new_workbook()
    add_sheet(book, worklist, "worklist", lang="zh", currency="CNY")
    save_workbook(book, "reports/2025-12-31/segkit_2025-12-31.xlsx")
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from segkit.checks import check_lang
from segkit.reports.safe import AMOUNT_COLUMNS, currency_decimals, neutralise, safe_frame
from segkit.reports.safe import save_workbook as save_workbook
from segkit.text.catalogue import catalogue

__all__ = ["add_sheet", "column_header", "new_workbook", "number_format", "save_workbook"]

_PD_COLUMNS = frozenset({"pd", "pd_model", "mean_pd", "pd_lower", "pd_upper", "p_late"})
_SHARE_COLUMNS = frozenset(
    {
        "share",
        "overdue_share",
        "expected_loss_rate",
        "default_rate",
        "customer_share",
        "revenue_share",
        "credit_utilisation",
        "utilisation",
        "historical_rate",
        "rate",
        "growth_12m",
        "credit_note_share",
        "share_paid_late",
        "disputed_share",
    }
)
_HEADER_FILL = "DDE4EE"
_MAX_WIDTH = 60


def new_workbook():
    """An empty openpyxl workbook (no default sheet)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def column_header(code, lang: str = "en", currency: str = "CNY") -> str:
    """The reader's name of a column code: the ``columns`` catalogue, then ``report_columns``."""
    kinds = catalogue()
    for kind in ("columns", "report_columns"):
        entry = kinds.get(kind, {}).get(code) if isinstance(code, str) else None
        if entry:
            return entry[lang].format(currency=currency)
    return str(code)


def number_format(code, dtype, currency: str = "CNY") -> str | None:
    """Excel number format of a column, by its code and type; None leaves the default."""
    if code in AMOUNT_COLUMNS:
        decimals = currency_decimals(currency)
        return "#,##0" + ("." + "0" * decimals if decimals else "")
    if code in _PD_COLUMNS:
        return "0.00%"
    if code in _SHARE_COLUMNS:
        return "0.0%"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "yyyy-mm-dd"
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return "#,##0"
    if pd.api.types.is_float_dtype(dtype):
        return "#,##0.0#"
    return None


def add_sheet(
    workbook,
    frame: pd.DataFrame,
    title: str,
    *,
    lang: str = "en",
    currency: str = "CNY",
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
    labels: bool = True,
):
    """Add ``frame`` to ``workbook`` as a formatted sheet and return the sheet.

    Parameters
    ----------
    workbook : openpyxl.Workbook
        From :func:`new_workbook`.
    frame : pandas.DataFrame
        Columns named by their codes; a named index (``customer_id``) becomes the first column,
        a RangeIndex is left out.
    title : str
        Sheet name, already in the report language; characters Excel forbids are replaced and
        the name is cut to 31 characters (a number is added when the name is taken).
    lang : {"en", "zh"}
        Language of the headers.
    currency : str, default "CNY"
        The ledger's currency: amounts' headers and decimals.
    headers, formats : mapping, optional
        Header texts and Excel number formats by column code, over the defaults.
    labels : bool, default True
        Headers in words; False keeps the column codes (a file other systems load).

    Returns
    -------
    openpyxl.worksheet.worksheet.Worksheet
    """
    check_lang(lang)
    named_index = not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None
    table = frame.reset_index() if named_index else frame
    codes = list(table.columns)
    sheet = workbook.create_sheet(_sheet_title(workbook, title))
    names = [
        (headers or {}).get(c) or (column_header(c, lang, currency) if labels else str(c))
        for c in codes
    ]
    sheet.append([neutralise(name) for name in names])
    for row in safe_frame(table, currency).itertuples(index=False):
        sheet.append([_cell_value(v) for v in row])
    _format(sheet, table, codes, {**_defaults(table, currency), **(formats or {})})
    sheet.freeze_panes = "B2" if named_index else "A2"
    if len(codes):
        sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _defaults(table: pd.DataFrame, currency: str) -> dict[str, str]:
    found = {c: number_format(c, table[c].dtype, currency) for c in table.columns}
    return {c: f for c, f in found.items() if f}


def _format(sheet, table: pd.DataFrame, codes: list, formats: Mapping[str, str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for position, code in enumerate(codes, start=1):
        letter = get_column_letter(position)
        if code in formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = formats[code]
        last = min(sheet.max_row, 201)
        written = sheet.iter_rows(min_row=2, max_row=last, min_col=position, max_col=position)
        values = pd.Series([cell.value for (cell,) in written], dtype=object)
        sheet.column_dimensions[letter].width = _width(sheet[1][position - 1].value, values)


def _width(header, values: pd.Series) -> float:
    """The width of a column from its header and the first 200 values written (rounded), as a
    reader sees them: a number at two decimals, so the last bits of a float never change it."""
    sample = values.head(200).map(_shown_length)
    longest = max([int(sample.max()) if len(sample) else 0, min(len(str(header)), 24)])
    return float(min(_MAX_WIDTH, max(8, longest + 2)))


def _shown_length(value) -> int:
    value = _cell_value(value)
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}") if np.isfinite(value) else len(str(value))
    return len(str(value))


def _cell_value(value):
    """A value openpyxl writes as it is: missing values become empty cells."""
    if value is None or (
        not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)
    ):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date | int | float | str | bool):
        return value
    return str(value)


def _sheet_title(workbook, title: str) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", str(title)).strip("'") or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name in workbook.sheetnames:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name
