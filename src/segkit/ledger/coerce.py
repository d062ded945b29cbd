"""Coercion of a read table to the canonical columns: names, types, defaults, invoice lines.

Each canonical column the source has is parsed value by value (:mod:`segkit.ledger.values`);
a value that does not parse is left empty and recorded as a failure with its file, column, row,
rule and value, so the ledger is refused rather than altered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segkit.exceptions import MappingError
from segkit.ledger import values as V
from segkit.ledger.debit_credit import sign
from segkit.ledger.lines import sum_lines
from segkit.ledger.mapping import TableSource
from segkit.ledger.schema import DATE, FLOAT, STRING, TABLES

__all__ = ["RawTable", "coerce"]

_FLOAT_ID = re.compile(r"-?\d+\.0+")
_PLAIN = re.compile(r"-?[0-9]{1,13}(?:\.[0-9]{1,2})?")  # ASCII digits: what to_numeric reads
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MIN_DAY, _MAX_DAY = pd.Timestamp(V.MIN_DATE), pd.Timestamp(V.MAX_DATE)


@dataclass
class RawTable:
    """A table read into canonical columns, with its parse failures, notes and currency marks."""

    table: str
    frame: pd.DataFrame
    origin: str
    encoding: str | None = None
    failures: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    marks: dict[str, pd.DataFrame] = field(default_factory=dict)  # currency code, text, row
    path: Path | None = None


def coerce(
    frame: pd.DataFrame,
    source: TableSource,
    origin: str,
    rows: np.ndarray,
    header: list | None = None,
) -> RawTable:
    """Parse the canonical columns of ``frame`` into a :class:`RawTable`.

    Parameters
    ----------
    frame : pandas.DataFrame
        The source table, every value as read.
    source : TableSource
        Column names, formats and defaults from the mapping.
    origin : str
        The file name (or a description) used in failures.
    rows : numpy.ndarray
        The row number of each record, used in failures.
    header : list, optional
        The header cells as written (a file's first row); the frame's columns otherwise.
    """
    raw = RawTable(table=source.table, frame=pd.DataFrame(), origin=origin)
    names = list(frame.columns) if header is None else header
    frame = _named(frame, names, raw, header_row=1 if header is not None else None)
    frame = _rename(frame, source, raw)
    row_of = pd.Series(rows, index=frame.index)
    if source.lines and source.lines.get("quantity"):
        factors = [
            _numbers(raw, frame[source.lines[p]], source.lines[p], source, row_of)
            for p in ("quantity", "unit_price")
        ]
        frame = frame.assign(amount=factors[0] * factors[1])
    out = pd.DataFrame(index=frame.index)
    for column in TABLES[source.table]:
        if column.name in frame.columns:
            out[column.name] = _column(raw, frame[column.name], column, source, row_of)
    if source.debit_credit and "amount" in out.columns:
        indicator = frame[source.debit_credit["column"]]
        out["amount"] = sign(raw, indicator, out["amount"], source.debit_credit, row_of)
    used = set(out.columns) | set((source.lines or {}).values())
    used |= {source.debit_credit["column"]} if source.debit_credit else set()
    extras = [c for c in frame.columns if c not in used]
    if extras:
        raw.notes.append(f"{origin}: columns kept but not used: {', '.join(map(str, extras[:10]))}")
    raw.frame = out
    _apply_defaults(raw, source)
    raw.frame["_row"] = row_of.to_numpy()
    raw.frame = raw.frame.reset_index(drop=True)
    if source.lines is not None:
        raw.frame, failures, note = sum_lines(raw.frame, origin)
        raw.failures += failures
        raw.notes.append(note)
    return raw


def _named(frame: pd.DataFrame, names: list, raw: RawTable, header_row: int | None):
    """Give the columns their trimmed header names; a repeated name is a failure."""
    trimmed = [
        str(n).strip() if n is not None and str(n).strip() else f"Unnamed: {i}"
        for i, n in enumerate(names)
    ]
    seen: dict[str, list] = {}
    for original, name in zip(names, trimmed, strict=True):
        seen.setdefault(name, []).append(original)
    for name, originals in seen.items():
        if len(originals) > 1:
            raw.failures.append(
                {"file": raw.origin, "table": raw.table, "column": name, "row": header_row,
                 "rule": "column names unique (after trimming spaces)",
                 "value": ", ".join(repr(str(o)) for o in originals)}
            )  # fmt: skip
    frame = frame.iloc[:, : len(trimmed)].copy()
    frame.columns = trimmed
    return frame.loc[:, ~frame.columns.duplicated()]


def _rename(frame: pd.DataFrame, source: TableSource, raw: RawTable) -> pd.DataFrame:
    wanted = list(source.columns.values()) + [c for c in (source.lines or {}).values() if c]
    if source.debit_credit:
        wanted.append(source.debit_credit["column"])
    missing = [src for src in wanted if src not in frame.columns]
    if missing:
        raise MappingError(
            f"{raw.origin}: mapped source column(s) {missing} not found; the file has "
            f"{list(frame.columns)}"
        )
    reverse = {src: canonical for canonical, src in source.columns.items()}
    clashes = [c for c in reverse.values() if c in frame.columns and c not in reverse]
    if clashes:
        raw.notes.append(
            f"{raw.origin}: column(s) {clashes} not read: the mapping takes them from "
            f"{[source.columns[c] for c in clashes]}"
        )
    return frame.drop(columns=clashes).rename(columns=reverse)


def _apply(values: pd.Series, func) -> list:
    """``func`` of every value, called once per distinct value."""
    cache: dict = {}
    out = []
    for value in values.tolist():
        key = (type(value), value)  # True == 1 == Decimal(1), but they read differently
        try:
            result = cache[key]
        except KeyError:
            result = cache[key] = func(value)
        except TypeError:  # unhashable
            result = func(value)
        out.append(result)
    return out


def _fail(raw: RawTable, column: str, rows: pd.Series, values: pd.Series, rules: list) -> None:
    for idx, value, rule in zip(values.index, values.tolist(), rules, strict=True):
        if rule:
            raw.failures.append(
                {"file": raw.origin, "table": raw.table, "column": column,
                 "row": int(rows[idx]), "rule": rule, "value": str(value)}
            )  # fmt: skip


def _column(raw, values: pd.Series, column, source: TableSource, rows) -> pd.Series:
    key = column.name.endswith("_id")
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        unusual = _matches(values, r"[^\x20-\x7e]", full=False)  # not plain ASCII
        checked = values[unusual]
        texts = _apply(checked, lambda v: V.text_problem(v, key) if isinstance(v, str) else None)
        if any(texts):
            _fail(raw, column.name, rows[unusual], checked, texts)
            bad = pd.Series([t is not None for t in texts], index=checked.index)
            values = values.where(~bad.reindex(values.index, fill_value=False))
    if column.dtype == STRING:
        return _strings(raw, values, column.name)
    if column.dtype == FLOAT:
        return _numbers(raw, values, column.name, source, rows)
    if column.dtype == DATE:
        return _dates(raw, values, column.name, source, rows)
    return _flags(raw, values, column.name, source, rows)


def _strings(raw: RawTable, values: pd.Series, name: str) -> pd.Series:
    def text(v):
        if V.missing(v):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip() or None

    arrow = _arrow_text(values)
    if arrow is not None:  # all text: trimmed in one Arrow pass
        trimmed = pc.utf8_trim_whitespace(arrow)
        trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        out = pd.Series(pd.array(trimmed.to_numpy(zero_copy_only=False), dtype="string"))
        out.index = values.index
    else:
        out = pd.Series(_apply(values, text), index=values.index, dtype="string")
    present = out.dropna()
    if name.endswith("_id") and len(present) and _matches(present, _FLOAT_ID, full=True).all():
        out = out.str.replace(r"\.0+$", "", regex=True)
        raw.notes.append(
            f"{raw.origin}: {name} written as decimals ({present.iloc[0]}) read as whole "
            f"numbers ({out.dropna().iloc[0]})"
        )
    return out


def _numbers(raw, values, name, source: TableSource, rows) -> pd.Series:
    if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
        values = values.astype("float64")
    plain = _plain_numbers(values)
    out = pd.to_numeric(values[plain], errors="raise").astype("float64")
    rest = values[~plain]
    if rest.empty:
        return out.reindex(values.index)
    parsed = _apply(rest, lambda v: V.parse_number(v, source.thousands, source.decimal))
    values, rows = rest, rows[~plain]
    rules = [r for _, _, r in parsed]
    if any(rules):
        separators = (
            f" (thousands {source.thousands!r}, decimal {source.decimal!r})"
            if source.thousands or source.decimal != "."
            else ""
        )
        rules = [r + separators if r == "parse as a number" else r for r in rules]
        _fail(raw, name, rows, values, rules)
    codes = pd.Series(  # the currency of an amount that was read; a failure says the rest
        [c if v is not None else None for v, c, _ in parsed], index=values.index, dtype=object
    )
    if codes.notna().any():
        marked = codes.notna()
        raw.marks[name] = pd.DataFrame(
            {"code": codes[marked], "text": values[marked].astype(str), "row": rows[marked]}
        )
    numbers = [np.nan if v is None else v for v, _, _ in parsed]
    parsed_rest = pd.Series(numbers, index=values.index, dtype="float64")
    return pd.concat([out, parsed_rest]).reindex(plain.index)


def _plain_numbers(values: pd.Series) -> pd.Series:
    """Values written plainly (at most 13 digits, 2 decimals): read in one vectorised pass."""
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return pd.Series(False, index=values.index)
    return _matches(values, _PLAIN, full=True)


def _matches(values: pd.Series, pattern: re.Pattern | str, full: bool) -> pd.Series:
    """Text values matching ``pattern`` (all of it when ``full``); False for other values.

    Columns of text only are matched in Arrow (RE2, one pass in C++); ``\\d`` is spelt as the
    Unicode decimal-digit class there, as Python's ``re`` reads it on text.
    """
    text = _arrow_text(values)
    if text is not None:
        regex = getattr(pattern, "pattern", pattern).replace(r"\d", r"\p{Nd}")
        found = pc.match_substring_regex(text, f"^(?:{regex})$" if full else regex)
        return pd.Series(found.fill_null(False).to_numpy(zero_copy_only=False), index=values.index)
    try:
        accessor = values.str
    except AttributeError:  # no text at all (numbers, dates)
        return pd.Series(False, index=values.index)
    found = accessor.fullmatch(pattern, na=False) if full else accessor.contains(pattern, na=False)
    return found.astype(bool)


def _arrow_text(values: pd.Series) -> pa.Array | None:
    """The values as an Arrow string array when every value is text or missing, else None."""
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return None
    try:
        return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return None


def _dates(raw, values, name, source: TableSource, rows) -> pd.Series:
    def day(value):
        found, rule = V.parse_date(value, source.date_format)
        return (np.datetime64("NaT") if found is None else np.datetime64(found, "ns")), rule

    days = pd.Series(np.datetime64("NaT", "ns"), index=values.index, dtype="datetime64[ns]")
    if not source.date_format:  # plain ISO days in one vectorised pass, the rest value by value
        plain = _matches(values, _DAY, full=True)
        fast = pd.to_datetime(values[plain], format="%Y-%m-%d", errors="coerce")
        fast = fast[(fast >= _MIN_DAY) & (fast <= _MAX_DAY)]
        days[fast.index] = fast
        values, rows = values.drop(fast.index), rows.drop(fast.index)
    parsed = _apply(values, day)
    rules = [r for _, r in parsed]
    if any(rules):
        hint = source.date_format or "ISO 8601, e.g. 2025-12-31"
        rules = [f"parse as a date ({hint})" if r == "not a date" else r for r in rules]
        _fail(raw, name, rows, values, rules)
    days[values.index] = np.array([d for d, _ in parsed], dtype="datetime64[ns]")
    return days


def _flags(raw, values, name, source: TableSource, rows) -> pd.Series:
    def flag(v):
        if V.missing(v):
            return pd.NA
        key = str(v).strip().lower()
        if key.endswith(".0"):
            key = key[:-2]
        return True if key in source.true_values else False if key in source.false_values else None

    parsed = _apply(values, flag)
    if any(p is None for p in parsed):
        rule = (
            f"parse as true/false ({'/'.join(source.true_values[:3])} or "
            f"{'/'.join(source.false_values[:3])})"
        )
        _fail(raw, name, rows, values, [rule if p is None else None for p in parsed])
    return pd.Series([pd.NA if p is None else p for p in parsed], index=values.index).astype(
        "boolean"
    )


def _apply_defaults(raw: RawTable, source: TableSource) -> None:
    frame = raw.frame
    for name, value in source.defaults.items():
        if name == "payment_terms_days":
            _default_due_dates(raw, int(value))
            continue
        filler = _default(raw, source, name, value).iloc[[0] * len(frame)]
        filler.index = frame.index
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


def _default(raw: RawTable, source: TableSource, name: str, value) -> pd.Series:
    """The mapping default of column ``name``, parsed once; a failure names no row."""
    column = next(c for c in TABLES[source.table] if c.name == name)
    own = RawTable(table=raw.table, frame=pd.DataFrame(), origin=raw.origin)
    parsed = _column(own, pd.Series([value], dtype=object), column, source, pd.Series([0]))
    for failure in own.failures:
        raw.failures.append(
            {**failure, "row": None, "rule": f"{failure['rule']} (mapping default)"}
        )
    return parsed


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
