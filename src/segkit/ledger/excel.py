"""Reading an ``.xlsx`` sheet by the extent of its data, within size limits.

A workbook states the "used range" of each sheet, and readers that trust it can be made to build
a grid of 17 billion cells from a file of a few kilobytes (a stray cell at ``XFD1048576``). This
reader ignores the stated range: it streams the cells the file holds (openpyxl read-only mode),
takes the header from the first row, and keeps the rows holding a value under a header. A value
in a column without a header is reported, not dropped.

A value the reader cannot know is reported, not guessed: a formula whose value the file does not
hold, a date before 1900-03-01 (Excel's calendar has a 29 February 1900), and a hidden first
sheet when the mapping names no sheet.

Limits: the file at most :data:`MAX_BYTES`, its uncompressed parts at most
:data:`MAX_UNCOMPRESSED` (a guard against zip bombs).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd

__all__ = ["MAX_BYTES", "MAX_UNCOMPRESSED", "read_xlsx"]

MAX_BYTES = 100 * 2**20
MAX_UNCOMPRESSED = 2**30


def read_xlsx(path: Path, sheet: str | int | None) -> tuple[list, pd.DataFrame, list[dict]]:
    """Read one sheet: the raw header cells, the records (object dtype) and stray values.

    Returns
    -------
    (list, DataFrame, list of dict)
        The header as written, the records (the index is the row number a spreadsheet shows;
        empty rows are not records) and, for each value outside the header's columns, a dict with
        ``row``, ``column`` (a column letter) and ``value``.

    Raises
    ------
    ValueError
        With a message saying why the file cannot be read (not a workbook, too large, no such
        sheet); the caller adds the file name.
    """
    _check_archive(path)
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ValueError(f"not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    try:
        ws = _sheet(book, sheet)
        ws.reset_dimensions()
        header: list = []
        records: dict[int, tuple] = {}
        stray: list[dict] = []
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if number == 1:
                header = _trim(row)
                continue
            inside, outside = row[: len(header)], row[len(header) :]
            for offset, value in enumerate(outside):
                if value is not None and str(value).strip():
                    letter = get_column_letter(len(header) + offset + 1)
                    stray.append({"row": number, "column": letter, "value": str(value)})
            if any(v is not None and str(v).strip() for v in inside):
                records[number] = tuple(inside) + (None,) * (len(header) - len(inside))
                stray += _early_dates(number, inside, header)
        title = ws.title
    finally:
        book.close()
    stray += _formulas_without_values(path, title, header)
    frame = pd.DataFrame.from_dict(records, orient="index", columns=range(len(header)))
    return header, frame.astype(object), stray


#: Excel counts a 29 February 1900 that never was: a date before this one is uncertain.
_LEAP_BUG = dt.datetime(1900, 3, 1)
RULE_LEAP = (
    "an Excel date from 1900-03-01 (Excel's calendar holds a 29 February 1900 that did not "
    "exist, so earlier dates are a day off or not dates)"
)
RULE_FORMULA = (
    "a formula with its value saved (open the workbook in Excel and save it, or paste the values)"
)


def _early_dates(number: int, cells, header: list) -> list[dict]:
    return [
        {"row": number, "column": str(header[i]), "value": str(v), "rule": RULE_LEAP}
        for i, v in enumerate(cells)
        if isinstance(v, dt.datetime | dt.date) and _as_datetime(v) < _LEAP_BUG
    ]


def _as_datetime(value) -> dt.datetime:
    return (
        value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    )


def _formulas_without_values(path: Path, title: str, header: list) -> list[dict]:
    """Cells holding a formula whose value the file does not hold (a workbook never opened in
    Excel, or written by a library): read as empty, they would be silently missing."""
    if not _has_formulas(path):
        return []
    import openpyxl

    found = []
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        both = (formulas[title].iter_rows(min_row=2), values[title].iter_rows(min_row=2))
        for number, (written, saved) in enumerate(zip(*both, strict=False), start=2):
            for i, (cell, value) in enumerate(zip(written, saved, strict=False)):
                if cell.data_type == "f" and value.value is None and i < len(header):
                    found.append({"row": number, "column": str(header[i]),
                                  "value": str(cell.value)[:200], "rule": RULE_FORMULA})  # fmt: skip
    finally:
        formulas.close()
        values.close()
    return found


def _has_formulas(path: Path) -> bool:
    """True when a worksheet of the workbook holds a formula element, read in chunks."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.startswith("xl/worksheets/") or not name.endswith(".xml"):
                continue
            with archive.open(name) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    if re.search(rb"<(?:\w+:)?f[ >/]", tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _check_archive(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"the file is {size / 2**20:.0f} MB; the limit is {MAX_BYTES >> 20} MB")
    if not zipfile.is_zipfile(path):
        raise ValueError("not an Excel .xlsx workbook (not a zip archive; a CSV file named .xlsx?)")
    with zipfile.ZipFile(path) as archive:
        total = sum(item.file_size for item in archive.infolist())
    if total > MAX_UNCOMPRESSED:
        raise ValueError(
            f"the workbook unpacks to {total / 2**30:.1f} GB; the limit is "
            f"{MAX_UNCOMPRESSED >> 30} GB"
        )


def _sheet(book, sheet):
    names = book.sheetnames
    if sheet is None:
        first = book[names[0]]
        if getattr(first, "sheet_state", "visible") != "visible":
            shown = [n for n in names if getattr(book[n], "sheet_state", "visible") == "visible"]
            raise ValueError(
                f"the first sheet {names[0]!r} is hidden; name the sheet to read in the mapping "
                f"(sheet: ...); the visible sheets are {shown}"
            )
        return first
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return book[names[sheet]]
    if isinstance(sheet, str) and sheet in names:
        return book[sheet]
    raise ValueError(f"no sheet {sheet!r}; the workbook has {names}")


def _trim(row: tuple) -> list:
    cells = list(row)
    while cells and (cells[-1] is None or not str(cells[-1]).strip()):
        cells.pop()
    return cells
