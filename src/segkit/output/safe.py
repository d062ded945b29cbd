"""Outputs a user's data cannot break, and that do not change between identical runs.

- :func:`neutralise` and :func:`safe_frame`: a text cell that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is prefixed with a single quote, so a spreadsheet shows it
  as text instead of running it as a formula (OWASP, "CSV Injection"). Numbers stay numbers: a
  negative amount in a numeric column is not text and is left as it is.
- :func:`round_numbers`: amounts rounded to the minor unit of their currency (ISO 4217: two
  decimals, none for JPY, KRW ...), other decimals to :data:`SIGNIFICANT_DIGITS` significant
  digits, so that the last float digits of a computation never reach an export.
- :func:`save_workbook` and :func:`replace_atomically`: an ``.xlsx`` whose bytes depend only on
  its content (fixed document dates and zip entry times), and files that appear whole or not
  at all.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "AMOUNT_COLUMNS",
    "FORMULA_STARTS",
    "SIGNIFICANT_DIGITS",
    "currency_decimals",
    "neutralise",
    "replace_atomically",
    "round_numbers",
    "safe_frame",
    "save_workbook",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Columns holding money, rounded to the currency's minor unit on export.
AMOUNT_COLUMNS = frozenset(
    {
        "revenue",
        "revenue_12m",
        "revenue_prev_12m",
        "net_amount",
        "mean_invoice",
        "total_assets",
        "open_balance",
        "overdue_balance",
        "overdue",
        "aging_current",
        "aging_1_30",
        "aging_31_60",
        "aging_61_90",
        "aging_90_plus",
        "unallocated_cash",
        "exposure",
        "credit_limit",
        "limit_proposed",
        "limit_change",
        "over_limit",
        "open_history",
        "unpaid_after",
        "balance",
        "allowance",
        "open_amount",
        "expected_loss",
        "amount",
        "total",
    }
)

#: Significant digits kept for decimals that are not amounts (PD, shares, days).
SIGNIFICANT_DIGITS = 10

#: ISO 4217 currencies without the usual two decimals (minor unit exponent).
_MINOR_UNITS = {
    **dict.fromkeys(("JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF"), 0),
    **dict.fromkeys(("BHD", "KWD", "OMR", "JOD", "IQD", "LYD", "TND"), 3),
}

#: Date written into an xlsx file's properties and zip entries: the zip format's first date.
_FIXED_TIME = dt.datetime(1980, 1, 1)


def currency_decimals(currency: str) -> int:
    """Decimals of ``currency``'s minor unit (ISO 4217): 2 unless listed otherwise."""
    return _MINOR_UNITS.get(str(currency).upper(), 2)


def neutralise(value):
    """``value`` with a single quote in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _neutral_labels(labels: pd.Index) -> pd.Index:
    if isinstance(labels, pd.MultiIndex):
        return labels.set_levels([_neutral_labels(level) for level in labels.levels])
    if labels.dtype == object or pd.api.types.is_string_dtype(labels.dtype):
        return labels.map(neutralise)
    return labels


def safe_frame(frame: pd.DataFrame, currency: str = "CNY") -> pd.DataFrame:
    """A copy of ``frame`` fit for CSV and spreadsheets: text neutralised, numbers rounded.

    Text cells, column names and index labels go through :func:`neutralise`; numeric
    columns keep their type and go through :func:`round_numbers`.
    """
    out = round_numbers(frame, currency)
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            out[column] = values.map(neutralise, na_action="ignore")
        elif isinstance(values.dtype, pd.CategoricalDtype):
            out[column] = values.cat.rename_categories(
                [neutralise(c) for c in values.cat.categories]
            )
    out.columns = _neutral_labels(out.columns)
    out.index = _neutral_labels(out.index)
    return out


def round_numbers(frame: pd.DataFrame, currency: str = "CNY") -> pd.DataFrame:
    """A copy with amounts at the currency's precision and other decimals at 10 digits.

    Amounts are the columns of :data:`AMOUNT_COLUMNS`; other float columns keep
    :data:`SIGNIFICANT_DIGITS` significant digits. Integer and text columns are unchanged.
    """
    out = frame.copy()
    decimals = currency_decimals(currency)
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        if column in AMOUNT_COLUMNS:
            out[column] = values.round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        else:
            out[column] = _significant(values.to_numpy(dtype=float), SIGNIFICANT_DIGITS)
    return out


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
    finite = np.isfinite(values) & (values != 0)
    out = values.copy()
    magnitude = np.floor(np.log10(np.abs(values[finite])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out[finite] = np.round(values[finite] * scale) / scale
    return out + 0.0


def replace_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    A reader sees the old file or the new one, never half a file; the temporary file is
    removed when ``write`` fails.
    """
    path = Path(path)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save_workbook(workbook, path: str | os.PathLike) -> Path:
    """Save an openpyxl workbook so that the same content gives the same bytes.

    openpyxl stamps the document's modification time and every zip entry with the clock;
    here both are fixed (1980-01-01), and the file replaces ``path`` atomically.
    """
    from openpyxl.writer.excel import ExcelWriter

    workbook.properties.created = _FIXED_TIME
    workbook.properties.modified = _FIXED_TIME
    workbook.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    data = fixed_zip_times(buffer.getvalue())
    return replace_atomically(Path(path), lambda tmp: tmp.write_bytes(data))


def fixed_zip_times(data: bytes) -> bytes:
    """``data`` (an xlsx zip) with every entry dated 1980-01-01, so the bytes follow the content."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for entry in source.infolist():
                info = zipfile.ZipInfo(entry.filename, date_time=_FIXED_TIME.timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                target.writestr(info, source.read(entry.filename))
    return out.getvalue()
