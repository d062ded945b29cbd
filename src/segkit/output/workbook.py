"""The report workbook: one formatted sheet per table, headers in the report language.

:func:`add_sheet` is the one way a table becomes a sheet: headers from the text catalogue (the
kinds of ``kinds``: the workbook's ``report_columns``, then ``columns``), a bold header row,
frozen panes below the header and beside the row labels, number formats by column (amounts at
the currency's precision, shares and probabilities as percentages, dates as ``yyyy-mm-dd``,
counts as integers) or by row (``row_formats``), a filter over the table and column widths that
fit the text (a Chinese character counts twice). Cells pass through
:func:`segkit.output.safe.safe_frame`, so no text a user's data holds becomes a live formula.
Sheets are written with XlsxWriter in its constant-memory mode, row by row, so that a large table
writes in seconds; :func:`save_workbook` writes the same bytes for the same content. Other parts of segkit add their
own sheets with :func:`add_sheet` before saving::

    book = new_workbook()
    add_sheet(book, worklist, "worklist", lang="zh", currency="CNY")
    save_workbook(book, "reports/2025-12-31/segkit_2025-12-31.xlsx")
"""

from __future__ import annotations

import datetime as dt
import io
import numbers
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.checks import check_lang
from segkit.output.safe import (
    AMOUNT_COLUMNS,
    currency_decimals,
    fixed_zip_times,
    neutralise,
    replace_atomically,
    safe_frame,
)
from segkit.text.catalogue import catalogue

__all__ = [
    "HEADER_KINDS",
    "add_sheet",
    "column_header",
    "column_width",
    "new_workbook",
    "number_format",
    "save_workbook",
]

#: Catalogue kinds a header is looked up in, in order: the workbook's names, then the studies'.
HEADER_KINDS = ("report_columns", "columns")
_PD_COLUMNS = frozenset(
    {"pd", "pd_model", "mean_pd", "pd_lower", "pd_upper", "p_late", "p_very_late"}
)
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
#: Amounts of the studies' exports, beyond those :mod:`segkit.output.safe` rounds.
_MORE_AMOUNTS = frozenset({"open_amount", "group_exposure", "amount"})
_HEADER_FILL = "#DDE4EE"
_FIXED_TIME = dt.datetime(1980, 1, 1)
_MAX_WIDTH = 60


def new_workbook():
    """An empty workbook (XlsxWriter, constant-memory mode) for :func:`add_sheet`."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "nan_inf_to_errors": True})
    book.set_properties({"created": _FIXED_TIME})
    book.segkit_output = buffer
    book.segkit_formats = {}
    return book


def save_workbook(workbook, path) -> Path:
    """Close ``workbook`` and write it to ``path``: the same content gives the same bytes (every
    zip entry dated 1980-01-01); the file replaces ``path`` atomically."""
    workbook.close()
    data = fixed_zip_times(workbook.segkit_output.getvalue())
    return replace_atomically(Path(path), lambda tmp: tmp.write_bytes(data))


def column_header(
    code, lang: str = "en", currency: str = "CNY", kinds: Sequence[str] = HEADER_KINDS
) -> str:
    """The reader's name of a column code: the first of the catalogue ``kinds`` naming it."""
    found = catalogue()
    for kind in kinds:
        entry = found.get(kind, {}).get(code) if isinstance(code, str) else None
        if entry:
            return entry[lang].format(currency=currency)
    return str(code)


def number_format(code, dtype, currency: str = "CNY") -> str | None:
    """Excel number format of a column, by its code and type; None leaves the default."""
    if code in AMOUNT_COLUMNS or code in _MORE_AMOUNTS:
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


def _column_format(code, values: pd.Series, currency: str) -> str | None:
    """:func:`number_format`, with a float column of whole numbers (counts) as integers."""
    found = number_format(code, values.dtype, currency)
    if found == "#,##0.0#" and _whole(values):
        return "#,##0"
    return found


def _whole(values: pd.Series) -> bool:
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    finite = numbers[np.isfinite(numbers)]
    return bool(len(finite)) and bool((finite == np.round(finite)).all())


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
    kinds: Sequence[str] = HEADER_KINDS,
    row_formats: Mapping[object, str] | None = None,
):
    """Add ``frame`` to ``workbook`` as a formatted sheet and return the sheet.

    Parameters
    ----------
    workbook : xlsxwriter.Workbook
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
    kinds : sequence of str, default :data:`HEADER_KINDS`
        Catalogue kinds the headers are looked up in, first match wins.
    row_formats : mapping, optional
        Excel number formats by row label (index value), over the columns' formats: a table
        whose rows are different figures (counts, amounts, shares).

    Returns
    -------
    xlsxwriter.worksheet.Worksheet
        Written row by row; its name is ``sheet.name``.
    """
    check_lang(lang)
    named_index = not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None
    table = frame.reset_index() if named_index else frame
    codes = list(table.columns)
    names = [
        (headers or {}).get(c) or (column_header(c, lang, currency, kinds) if labels else str(c))
        for c in codes
    ]
    safe = safe_frame(table, currency)
    wanted = {c: _column_format(c, table[c], currency) for c in codes} | dict(formats or {})
    sheet = workbook.add_worksheet(_sheet_title(workbook, title))
    _layout(sheet, names, safe, named_index)
    head = _format(workbook, None, header=True)
    for col, name in enumerate(names):
        sheet.write_string(0, col, neutralise(name), head)
    styles = [_format(workbook, wanted.get(c)) for c in codes]
    by_row = {k: _format(workbook, f) for k, f in (row_formats or {}).items()}
    dates = _format(workbook, "yyyy-mm-dd")
    cells = safe.astype(object).where(safe.notna(), None)  # Python values, None when missing
    for r, row in enumerate(cells.itertuples(index=False, name=None), start=1):
        in_row = by_row.get(row[0]) if named_index and by_row else None
        for col, value in enumerate(row):
            style = in_row if in_row is not None and col > 0 else styles[col]
            _write_cell(sheet, r, col, value, style, dates)
    if codes:
        sheet.autofilter(0, 0, len(safe), len(codes) - 1)
    return sheet


def _layout(sheet, names: list[str], safe: pd.DataFrame, named_index: bool) -> None:
    """Column widths and frozen panes."""
    for col, (name, code) in enumerate(zip(names, safe.columns, strict=True)):
        sheet.set_column(col, col, column_width(name, safe[code]))
    sheet.freeze_panes(1, 1 if named_index else 0)


def column_width(header, values: pd.Series) -> float:
    """Width of a column in Excel's units: its longest text among the header (up to 24
    characters; it wraps) and the first 200 values, a Chinese or other wide character counting
    twice; between 8 and 60."""
    sample = [_text_width(v) for v in values.head(200).tolist() if not _missing(v)]
    longest = max([*sample, min(_text_width(header), 24), 0])
    return float(min(_MAX_WIDTH, max(8, longest + 2)))


def _text_width(value) -> int:
    if isinstance(value, dt.date):
        return 10  # shown as yyyy-mm-dd
    if isinstance(value, (float, np.floating)):  # as shown: separators, two decimals, so float
        return len(f"{value:,.2f}")  # noise (0.1 + 0.2) never changes a width or the bytes
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return len(f"{value:,}")
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _missing(value) -> bool:
    return value is None or (
        not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)
    )


def _format(workbook, number_format: str | None, header: bool = False):
    """The workbook's cell format with ``number_format`` (one per format, shared)."""
    key = ("header", None) if header else ("cell", number_format)
    if key not in workbook.segkit_formats:
        if header:
            spec = {"bold": True, "bg_color": _HEADER_FILL, "text_wrap": True, "valign": "top"}
        else:
            spec = {"num_format": number_format} if number_format else {}
        workbook.segkit_formats[key] = workbook.add_format(spec) if spec else None
    return workbook.segkit_formats[key]


def _write_cell(sheet, row: int, col: int, value, style, date_style) -> None:
    """Write one value by its type; a missing value leaves the cell empty."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
    elif isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, col, bool(value))
    elif isinstance(value, dt.date):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        sheet.write_datetime(row, col, value, style or date_style)
    elif isinstance(value, numbers.Real):
        sheet.write_number(row, col, float(value), style)
    else:
        sheet.write_string(row, col, str(value))


def _sheet_title(workbook, title: str) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", str(title)).strip("'") or "Sheet"
    base = base[:31]
    taken = {sheet.get_name().lower() for sheet in workbook.worksheets()}
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name
