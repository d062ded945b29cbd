"""Currency codes and the exchange-rate table a user supplies.

Codes are ISO 4217 alphabetic codes, checked against the list ``pycountry`` ships; a few names
that are not codes but are common in Chinese exports (``RMB`` for the renminbi) are read as the
code they stand for, and each such reading is reported in the ledger's notes.

A rates table has one row per date and currency: ``date``, ``currency`` and ``rate``, the number
of units of the functional currency one unit of ``currency`` buys on that date (the direct
quotation, as the People's Bank of China publishes its central parity rates: ``USD 7.1234``
means 1 USD = 7.1234 CNY). It is read from CSV, Excel or Parquet with the ledger's own readers;
rates are kept as exact decimals (text parsed by :class:`decimal.Decimal`, never through a float)
with at most :data:`RATE_DECIMALS` decimal places. Nothing is fetched from the network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from segkit.checks import iso_codes
from segkit.exceptions import ConfigError, MappingError
from segkit.ledger import values as V
from segkit.ledger.validation import failures_error, one_failure

__all__ = [
    "ALIASES", "FILLS", "RATE_COLUMNS", "RATE_DECIMALS", "Rates", "check_code", "currency_options",
    "read_rates", "rates_from_frame",
]  # fmt: skip

#: Names used for a currency in exports that are not its ISO 4217 code.
ALIASES = {"RMB": "CNY"}
#: Canonical columns of a rates table.
RATE_COLUMNS = ("date", "currency", "rate")
#: Decimal places a rate may have (the central parity rates have 4; 8 covers cross rates).
RATE_DECIMALS = 8
#: How a missing rate may be filled: ``None`` refuses, ``"previous"`` takes the last earlier one.
FILLS = (None, "previous")
_TABLE = "rates"


def check_code(value, what: str) -> str:
    """``value`` as an ISO 4217 code (an alias read as its code), else a ConfigError naming ``what``."""
    code = ALIASES.get(value, value) if isinstance(value, str) else value
    if not isinstance(code, str) or code not in iso_codes():
        raise ConfigError(
            f"{what} must be an ISO 4217 currency code (CNY, USD, EUR); got {value!r}"
        )
    return code


@dataclass(frozen=True)
class Rates:
    """A checked rates table: ``date`` (datetime.date), ``currency``, ``rate`` (Decimal) and
    ``row`` (the row number in its source), sorted by currency and date; ``origin`` names it."""

    frame: pd.DataFrame
    origin: str
    path: Path | None = None

    def currencies(self) -> list[str]:
        return sorted(self.frame["currency"].unique())


def read_rates(path: str | Path, columns: dict[str, str] | None = None, sheet=None) -> Rates:
    """Read and check a rates file (``.csv``, ``.xlsx`` or ``.parquet``).

    Parameters
    ----------
    path : str or Path
        The file.
    columns : dict, optional
        Canonical name (``date``, ``currency``, ``rate``) to the file's column name.
    sheet : str or int, optional
        The Excel sheet; the first by default.

    Raises
    ------
    MappingError
        When the file does not exist or has an unsupported type.
    SchemaError
        Listing every bad value (file, column, row, rule, value): a missing column, a date or
        code that does not parse, a rate that is not a positive number, a date and currency
        given twice.
    """
    from segkit.ledger.excel import read_xlsx
    from segkit.ledger.io import _check_readable, _read_csv  # the ledger's own readers
    from segkit.ledger.mapping import TableSource

    path = Path(path)
    _check_readable(path, _TABLE)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, frame, _, _ = _read_csv(path, TableSource(table="invoices"))
        frame.columns = [str(h).strip() for h in header]
    elif suffix == ".xlsx":
        try:
            header, frame, _ = read_xlsx(path, sheet)
        except ValueError as exc:
            raise one_failure(path.name, _TABLE, "a readable .xlsx sheet", str(exc)) from None
        frame.columns = [str(h).strip() for h in header]
    elif suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a damaged file
            raise one_failure(path.name, _TABLE, "a readable Parquet file", str(exc)) from None
        frame.index = pd.RangeIndex(2, len(frame) + 2)  # numbered as a spreadsheet shows them
    else:
        raise MappingError(
            f"{path}: unsupported rates file type {suffix!r}; use .csv, .xlsx, .parquet"
        )
    return dataclasses.replace(_checked(frame, path.name, columns or {}), path=path)


def rates_from_frame(frame: pd.DataFrame, columns: dict[str, str] | None = None) -> Rates:
    """Check a rates DataFrame (rows numbered by position from 0)."""
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"rates must be a file or a pandas DataFrame; got {type(frame).__name__}")
    frame = frame.reset_index(drop=True)
    return _checked(frame, "<rates DataFrame>", columns or {})


def _checked(frame: pd.DataFrame, origin: str, columns: dict[str, str]) -> Rates:
    names = {c: columns.get(c, c) for c in RATE_COLUMNS}
    missing = [f"{c} ({names[c]!r})" if names[c] != c else c
               for c in RATE_COLUMNS if names[c] not in frame.columns]  # fmt: skip
    if missing:
        raise failures_error(
            [{"file": origin, "table": _TABLE, "column": c, "row": 1 if origin[0] != "<" else None,
              "rule": "required column is missing",
              "value": f"columns found: {', '.join(map(str, frame.columns)) or 'none'}"}
             for c in missing]
        )  # fmt: skip
    failures: list[dict] = []
    rows = []
    for row, date, code, rate in zip(
        frame.index, *(frame[names[c]] for c in RATE_COLUMNS), strict=True
    ):
        fail = _checker(failures, origin, int(row))
        day = _day(date, fail, names["date"])
        cur = _code(code, fail, names["currency"])
        number = _rate(rate, fail, names["rate"])
        if day is not None and cur is not None and number is not None:
            rows.append((day, cur, number, int(row)))
    out = pd.DataFrame(rows, columns=[*RATE_COLUMNS, "row"])
    twice = out[out.duplicated(["date", "currency"], keep=False)]
    for (when, which), group in twice.groupby(["date", "currency"], sort=True):
        failures.append(
            {"file": origin, "table": _TABLE, "column": names["date"], "row": int(group["row"].iloc[1]),
             "rule": "one rate per date and currency (rows "
                     f"{', '.join(map(str, group['row']))})",
             "value": f"{which} {when}: {', '.join(str(r) for r in group['rate'])}"}
        )  # fmt: skip
    if failures:
        raise failures_error(failures)
    return Rates(out.sort_values(["currency", "date"]).reset_index(drop=True), origin)


def _checker(failures: list, origin: str, row: int):
    def fail(column: str, rule: str, value) -> None:
        failures.append({"file": origin, "table": _TABLE, "column": column, "row": row,
                         "rule": rule, "value": V.shown(value)})  # fmt: skip

    return fail


def _day(value, fail, column: str) -> dt.date | None:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    day, rule = V.parse_date(value) if not V.missing(value) else (None, "must not be empty")
    if rule is not None or day is None:
        fail(column, rule or "a date", value)
        return None
    return day


def _code(value, fail, column: str) -> str | None:
    text = str(value).strip() if not V.missing(value) else ""
    code = ALIASES.get(text.upper(), text.upper())
    if not text:
        fail(column, "must not be empty", value)
    elif code not in iso_codes():
        fail(column, "an ISO 4217 currency code (CNY, USD, EUR)", value)
    else:
        return code
    return None


def _rate(value, fail, column: str) -> Decimal | None:
    if V.missing(value):
        fail(column, "must not be empty", value)
        return None
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except decimal.InvalidOperation:
        fail(column, "a number", value)
        return None
    if not number.is_finite() or number <= 0:
        fail(column, "a rate greater than 0", value)
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_DECIMALS:
        fail(column, f"at most {RATE_DECIMALS} decimal places", value)
        return None
    if number >= Decimal(10) ** 9:
        fail(column, "a rate below 10^9", value)
        return None
    return number


def currency_options(spec: dict, base: Path, origin: str) -> dict:
    """The mapping's ``functional_currency``, ``rates`` and ``rates_fill``, checked.

    ``rates`` is a file name (relative to the mapping file) or a section with ``file``, and
    optionally ``columns`` (canonical name: column in the file) and ``sheet``.
    """
    out: dict = {}
    try:
        if "functional_currency" in spec:
            out["functional"] = check_code(spec["functional_currency"], "functional_currency")
        if "rates_fill" in spec:
            fill = spec["rates_fill"]
            if fill not in FILLS:
                raise ConfigError(f"rates_fill must be 'previous' or empty; got {fill!r}")
            out["fill"] = fill
    except ConfigError as exc:
        raise MappingError(f"{origin}: {exc}") from None
    if "rates" in spec:
        rates = spec["rates"]
        rates = {"file": rates} if isinstance(rates, str) else rates
        where = f"{origin}: rates"
        if not isinstance(rates, dict) or not isinstance(rates.get("file"), str):
            raise MappingError(f"{where}: expected a file name or a section with file:")
        unknown = sorted(set(rates) - {"file", "columns", "sheet"})
        if unknown:
            raise MappingError(f"{where}: unknown key(s) {unknown}; expected file, columns, sheet")
        columns = rates.get("columns") or {}
        if (
            not isinstance(columns, dict)
            or not set(columns) <= set(RATE_COLUMNS)
            or not all(isinstance(v, str) for v in columns.values())
        ):
            raise MappingError(f"{where}: columns maps {list(RATE_COLUMNS)} to column names; "
                               f"got {columns!r}")  # fmt: skip
        sheet = rates.get("sheet")
        if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
            raise MappingError(f"{where}: sheet is a sheet name or number; got {sheet!r}")
        out["rates"] = {
            "file": (base / rates["file"]).resolve(),
            "columns": columns,
            "sheet": sheet,
        }
    return out
