"""Readers: ledger files and DataFrames to canonical pandas frames, with every parse problem recorded.

CSV files are decoded with the encoding the mapping names, or detected: UTF-8 with BOM, UTF-8, then
GB18030 (a superset of GBK and GB2312, the usual encodings of Chinese ERP exports). The encoding
used is reported; a file that none of them decodes raises an error asking for the encoding, so text
is never silently garbled.

Parsing never drops or changes a row: a value that does not parse is recorded as a failure
(file, table, column, row, rule, value) and the ledger is rejected by :mod:`segkit.ledger.validation`.
Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.exceptions import MappingError, SchemaError
from segkit.ledger.mapping import TableSource
from segkit.ledger.schema import BOOL, DATE, FLOAT, STRING, TABLES

__all__ = [
    "RawTable",
    "read_source",
    "read_parquet_engine",
    "from_frame",
    "detect_encoding",
    "SUFFIXES",
]

SUFFIXES = (".csv", ".parquet", ".xlsx")
_ENCODINGS = ("utf-8", "gb18030")
_CURRENCY = re.compile(r"[\s¥￥$€£]|CNY|RMB|USD|EUR", re.IGNORECASE)


@dataclass
class RawTable:
    """A table read into canonical columns, with its parse failures and notes."""

    table: str
    frame: pd.DataFrame
    origin: str
    encoding: str | None = None
    failures: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def detect_encoding(path: Path, encoding: str = "auto") -> str:
    """Return the encoding that decodes ``path``: the one given, or the first that works.

    Raises
    ------
    MappingError
        If the named encoding fails, or no candidate decodes the whole file.
    """
    data = path.read_bytes()
    auto = encoding in (None, "auto")
    if auto and data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    candidates = _ENCODINGS if auto else (encoding,)
    for candidate in candidates:
        try:
            data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        return candidate
    tried = ", ".join(candidates)
    raise MappingError(
        f"{path}: cannot decode the file as {tried}; name its encoding in the mapping file "
        "(encoding: gbk, big5, latin-1, ...)"
    )


def read_source(source: TableSource, path: Path | None = None) -> RawTable:
    """Read one table from a file (CSV, Excel or Parquet) and coerce it to canonical columns."""
    path = Path(path or source.file)
    if not path.is_file():
        raise MappingError(f"table '{source.table}': file not found: {path}")
    suffix = path.suffix.lower()
    encoding = None
    if suffix == ".csv":
        encoding = detect_encoding(path, source.encoding)
        frame = pd.read_csv(
            path,
            dtype=str,
            encoding=encoding,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    elif suffix == ".xlsx":
        frame = pd.read_excel(path, sheet_name=source.sheet or 0, dtype=object)
    elif suffix == ".parquet":  # read_ledger opens Parquet in the engine; this serves direct calls
        frame = pd.read_parquet(path)
    else:
        raise MappingError(f"{path}: unsupported file type {suffix!r}; use one of {SUFFIXES}")
    raw = _coerce(frame, source, origin=path.name, first_row=2 if suffix != ".parquet" else 1)
    raw.encoding = encoding
    if encoding:
        raw.notes.append(f"{path.name}: read as {encoding}")
    return raw


def from_frame(frame: pd.DataFrame, table: str, source: TableSource | None = None) -> RawTable:
    """Coerce an in-memory DataFrame; rows are numbered by position from 0."""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(
            f"table '{table}': expected a pandas DataFrame, got {type(frame).__name__}"
        )
    return _coerce(
        frame, source or TableSource(table=table), origin=f"<{table} DataFrame>", first_row=0
    )


def _coerce(frame: pd.DataFrame, source: TableSource, origin: str, first_row: int) -> RawTable:
    frame = frame.rename(columns=lambda c: str(c).strip())
    frame = _rename(frame, source, origin)
    raw = RawTable(table=source.table, frame=pd.DataFrame(index=frame.index), origin=origin)
    rows = pd.Series(np.arange(first_row, first_row + len(frame)), index=frame.index)
    for column in TABLES[source.table]:
        if column.name in frame.columns:
            parsed = _parse(frame[column.name], column.dtype, source)
            _record(raw, column.name, frame[column.name], parsed, column.dtype, source, rows)
            raw.frame[column.name] = parsed
    extras = [c for c in frame.columns if c not in raw.frame.columns]
    if extras:
        raw.notes.append(f"{origin}: columns kept but not used: {', '.join(extras[:10])}")
    _apply_defaults(raw, source)
    raw.frame["_row"] = rows.to_numpy()
    raw.frame = raw.frame.reset_index(drop=True)
    return raw


def _rename(frame: pd.DataFrame, source: TableSource, origin: str) -> pd.DataFrame:
    missing = [src for src in source.columns.values() if src not in frame.columns]
    if missing:
        raise MappingError(
            f"{origin}: mapped source column(s) {missing} not found; the file has "
            f"{list(frame.columns)}"
        )
    reverse = {src: canonical for canonical, src in source.columns.items()}
    clashes = [c for c in reverse.values() if c in frame.columns and c not in reverse]
    frame = frame.drop(columns=clashes)
    return frame.rename(columns=reverse)


def _parse(values: pd.Series, dtype: str, source: TableSource) -> pd.Series:
    if dtype == STRING:
        return _parse_string(values)
    if dtype == DATE:
        return _parse_date(values, source.date_format)
    if dtype == FLOAT:
        return _parse_number(values, source)
    return _parse_bool(values, source)


def _parse_string(values: pd.Series) -> pd.Series:
    def text(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        s = str(v).strip()
        return s or None

    return values.map(text).astype("string")


def _parse_date(values: pd.Series, date_format: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.tz_localize(None) if values.dt.tz is not None else values
        return out.dt.normalize().astype("datetime64[ns]")
    as_dates = values.map(lambda v: pd.Timestamp(v) if hasattr(v, "year") else v)
    text = as_dates.where(as_dates.map(lambda v: isinstance(v, str)))
    stamps = as_dates.where(as_dates.map(lambda v: isinstance(v, pd.Timestamp)))
    parsed = pd.to_datetime(text.str.strip(), format=date_format or "ISO8601", errors="coerce")
    parsed = parsed.fillna(pd.to_datetime(stamps, errors="coerce"))
    return parsed.dt.normalize().astype("datetime64[ns]")


def _parse_number(values: pd.Series, source: TableSource) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    text = values.map(lambda v: v if isinstance(v, str) else (None if pd.isna(v) else repr(v)))
    text = text.str.replace(_CURRENCY, "", regex=True)
    negative = text.str.match(r"^\(.*\)$", na=False)
    text = text.str.strip("()")
    if source.thousands:
        text = text.str.replace(source.thousands, "", regex=False)
    if source.decimal != ".":
        text = text.str.replace(source.decimal, ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    return numbers.where(~negative, -numbers)


def _parse_bool(values: pd.Series, source: TableSource) -> pd.Series:
    def flag(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return pd.NA
        key = str(v).strip().lower()
        if key.endswith(".0"):
            key = key[:-2]
        return True if key in source.true_values else False if key in source.false_values else pd.NA

    return values.map(flag).astype("boolean")


def _record(raw, name, before, after, dtype, source, rows) -> None:
    """Record values present in the source that did not parse."""
    present = before.notna() & (before.astype(str).str.strip() != "")
    bad = present & after.isna()
    if dtype == FLOAT:
        bad |= present & np.isinf(after.fillna(0))
    rule = {
        DATE: f"parse as a date ({source.date_format or 'ISO 8601, e.g. 2025-12-31'})",
        FLOAT: "parse as a number"
        + (
            f" (thousands {source.thousands!r}, decimal {source.decimal!r})"
            if source.thousands or source.decimal != "."
            else ""
        ),
        BOOL: f"parse as true/false ({'/'.join(source.true_values[:3])} or "
        f"{'/'.join(source.false_values[:3])})",
    }.get(dtype)
    for idx in before.index[bad]:
        raw.failures.append(
            {
                "file": raw.origin,
                "table": raw.table,
                "column": name,
                "row": int(rows[idx]),
                "rule": rule,
                "value": str(before[idx]),
            }
        )


def _apply_defaults(raw: RawTable, source: TableSource) -> None:
    frame = raw.frame
    for name, value in source.defaults.items():
        if name == "payment_terms_days":
            _default_due_dates(raw, int(value))
            continue
        column = next(c for c in TABLES[source.table] if c.name == name)
        filler = _parse(
            pd.Series([value] * len(frame), index=frame.index, dtype=object), column.dtype, source
        )
        if name not in frame.columns:
            frame[name] = filler
            raw.notes.append(
                f"{raw.origin}: column {name} set to {value!r} for all rows (mapping default)"
            )
            continue
        empty = frame[name].isna()
        if empty.any():
            frame[name] = frame[name].where(~empty, filler)
            raw.notes.append(
                f"{raw.origin}: {int(empty.sum())} empty {name} filled with {value!r} (mapping default)"
            )


def _default_due_dates(raw: RawTable, days: int) -> None:
    frame = raw.frame
    if "invoice_date" not in frame.columns:
        return
    due = frame["invoice_date"] + pd.Timedelta(days=days)
    if "due_date" not in frame.columns:
        frame["due_date"] = due
        raw.notes.append(
            f"{raw.origin}: due_date = invoice_date + {days} days for all rows (mapping default)"
        )
        return
    empty = frame["due_date"].isna() & frame["invoice_date"].notna()
    if empty.any():
        frame["due_date"] = frame["due_date"].where(~empty, due)
        raw.notes.append(
            f"{raw.origin}: {int(empty.sum())} empty due_date set to invoice_date + {days} days (mapping default)"
        )


def read_parquet_engine(source: TableSource, path: Path, con) -> tuple[object, list]:
    """Open a Parquet file in the engine, without loading it into Python.

    Columns are renamed per the mapping and cast to the canonical types in the engine; a string
    column that must become a date or number is converted with ``try_cast``, and each value that
    does not convert becomes a failure rule checked with the others. Rows are numbered from 1 in
    the engine's scan order (file order) only when a rule fails.

    Returns
    -------
    (ibis.Table, list of rules)
    """

    table = con.read_parquet(path)
    reverse = {src: canonical for canonical, src in source.columns.items()}
    missing = [src for src in reverse if src not in table.columns]
    if missing:
        raise MappingError(
            f"{path.name}: mapped source column(s) {missing} not found; the file "
            f"has {list(table.columns)}"
        )
    table = table.rename({canonical: src for src, canonical in reverse.items()})
    rules, casts = [], {}
    for column in TABLES[source.table]:
        if column.name not in table.columns:
            continue
        target = {STRING: "string", DATE: "date", FLOAT: "float64", BOOL: "boolean"}[column.dtype]
        current = table[column.name].type()
        if current.is_string() and column.dtype != STRING:
            casts[column.name] = table[column.name].try_cast(target)
            rules.append(_parquet_parse_rule(source.table, column.name, target))
        elif column.dtype != STRING or not current.is_string():
            casts[column.name] = table[column.name].cast(target)
    return table.mutate(**{f"_raw_{k}": table[k] for k in casts}).mutate(**casts), rules


def _parquet_parse_rule(table: str, column: str, target: str):
    from segkit.ledger.validation import Rule

    return Rule(
        table, column, f"parse as {target}", table,
        where=lambda t: t[f"_raw_{column}"].notnull() & t[column].isnull(),
        value=lambda t: t[f"_raw_{column}"].cast("string"),
    )  # fmt: skip
