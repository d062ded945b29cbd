"""Mapping files: how a foreign ledger export maps onto the canonical schema.

A mapping file is YAML. Top-level keys give defaults for every table; each table may override them::

    encoding: gbk              # "auto" (default) tries UTF-8, UTF-8 with BOM, then GB18030
    date_format: "%Y/%m/%d"    # strptime format; default ISO 8601
    decimal: "."               # decimal separator of numbers
    thousands: ","             # thousands separator, removed before parsing
    tables:
      invoices:
        file: 销售发票.csv      # relative to the mapping file; .csv, .xlsx or .parquet
        sheet: 发票             # Excel only; default the first sheet
        columns:                # canonical name: source column
          invoice_id: 发票号码
          customer_id: 客户编码
          invoice_date: 开票日期
          amount: 价税合计
        defaults:
          payment_terms_days: 30   # due_date = invoice_date + 30 days where the export has none
          currency: CNY            # a constant for a missing column or empty cells

Every value filled from ``defaults`` is counted and reported by ``segkit validate``. Invoice
lines: ``lines: true`` or ``lines: {quantity: 数量, unit_price: 单价}`` under ``invoices``
(:mod:`segkit.ledger.lines`). Unsigned amounts beside a debit/credit indicator (SAP ``SHKZG``):
``debit_credit: {column: SHKZG, debit: S, credit: H}`` (:mod:`segkit.ledger.debit_credit`).
Tables in PostgreSQL, Spark or DuckDB: ``source:`` instead of ``tables:`` (:mod:`~.engines`);
``functional_currency``, ``rates`` and ``rates_fill`` beside either (:mod:`~.rates`).

Every value is checked for its type (a ``columns:`` that is a list, a ``date_format: 123`` or
``payment_terms_days: thirty`` is an error naming the key). The file is read with PyYAML's safe
loader, at most :data:`MAX_BYTES` long, with at most :data:`MAX_ALIASES` aliases and at most
:data:`MAX_NODES` values once they are expanded; a key repeated in one section is refused (YAML
would keep the last silently). A ``currency`` default is an ISO 4217 code.
"""

from __future__ import annotations

import codecs
import re
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from segkit.exceptions import MappingError
from segkit.ledger.engines import EngineSource, parse_source
from segkit.ledger.rates import currency_options
from segkit.ledger.schema import TABLES

__all__ = ["TableSource", "Mapping", "load_mapping"]

_SOURCE_KEYS = {
    "file",
    "sheet",
    "encoding",
    "date_format",
    "decimal",
    "thousands",
    "columns",
    "defaults",
    "true_values",
    "false_values",
    "lines",
    "debit_credit",
}
_TOP_KEYS = {
    "encoding",
    "date_format",
    "decimal",
    "thousands",
    "tables",
    "true_values",
    "false_values",
    *("functional_currency", "rates", "rates_fill"),  # segkit.ledger.rates.currency_options
}
DEFAULT_TRUE = ("1", "true", "t", "yes", "y", "是", "真")
DEFAULT_FALSE = ("0", "false", "f", "no", "n", "否", "假")
MAX_BYTES = 1_000_000
MAX_ALIASES = 100
#: At most this many values once every alias is expanded (a few aliases nested in lists of
#: each other expand to billions).
MAX_NODES = 10_000
MAX_TERMS_DAYS = 3650


@dataclass(frozen=True)
class TableSource:
    """Where one canonical table comes from and how to read it."""

    table: str
    file: Path | None = None
    sheet: str | int | None = None
    encoding: str = "auto"
    date_format: str | None = None
    decimal: str = "."
    thousands: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    lines: dict[str, str] | None = None
    debit_credit: dict[str, Any] | None = None

    def __post_init__(self):
        canonical = {c.name for c in TABLES[self.table]}
        unknown = sorted(set(self.columns) - canonical)
        if unknown:
            raise MappingError(
                f"mapping for table '{self.table}': unknown canonical column(s) {unknown}; "
                f"expected some of {sorted(canonical)}"
            )
        allowed_defaults = canonical | (
            {"payment_terms_days"} if self.table == "invoices" else set()
        )
        bad = sorted(set(self.defaults) - allowed_defaults)
        if bad:
            raise MappingError(
                f"mapping for table '{self.table}': unknown default(s) {bad}; "
                f"defaults may name canonical columns{' or payment_terms_days' if self.table == 'invoices' else ''}"
            )
        sources = list(self.columns.values())
        twice = sorted({c for c in sources if sources.count(c) > 1})
        if twice:
            raise MappingError(
                f"mapping for table '{self.table}': source column(s) {twice} mapped to more than "
                "one canonical column"
            )
        if self.lines and "amount" in self.columns:
            raise MappingError(
                f"mapping for table '{self.table}': lines gives the amount as quantity x "
                "unit_price; do not also map 'amount'"
            )
        self._check_debit_credit()
        if self.decimal == self.thousands:
            raise MappingError(
                f"mapping for table '{self.table}': decimal and thousands separators are both "
                f"{self.decimal!r}"
            )

    def _check_debit_credit(self) -> None:
        spec = self.debit_credit
        if spec is None:
            return
        where = f"mapping for table '{self.table}': debit_credit"
        if spec["column"] in self.columns.values():
            canonical = next(k for k, v in self.columns.items() if v == spec["column"])
            raise MappingError(f"{where}: column {spec['column']!r} is also mapped to "
                               f"'{canonical}'")  # fmt: skip


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file: one :class:`TableSource` per table it names."""

    sources: dict[str, TableSource]
    path: Path | None = None
    engine: EngineSource | None = None  # a source: section (segkit.ledger.engines), else None
    currency: dict[str, Any] = field(default_factory=dict)  # functional_currency, rates, rates_fill


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a YAML mapping file.

    Raises
    ------
    MappingError
        When the file is missing, is not YAML, or names unknown tables, keys or columns.
    """
    path = Path(path)
    if not path.is_file():
        raise MappingError(f"mapping file not found: {path}")
    if path.stat().st_size > MAX_BYTES:
        raise MappingError(f"{path}: a mapping file is at most {MAX_BYTES} bytes")
    try:
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}  # noqa: S506
    except _Refused as exc:
        raise MappingError(f"{path}: {exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not a valid UTF-8 YAML mapping file ({exc})") from None
    if _expanded_size(spec) > MAX_NODES:
        raise MappingError(
            f"{path}: more than {MAX_NODES} values once its aliases (*name) are expanded; write "
            "the mapping out without nested aliases"
        )
    return parse_mapping(spec, base=path.parent, origin=str(path))


def _expanded_size(value, limit: int = MAX_NODES) -> int:
    """How many values ``value`` holds, each shared one counted every time; stops past ``limit``."""
    count, stack = 0, [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return count


class _Refused(yaml.YAMLError):
    """Valid YAML that a mapping file must not hold."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing more than MAX_ALIASES aliases and repeated keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # an unhashable key: PyYAML says so below
                continue
            if first != key_node.start_mark.line + 1:
                raise _Refused(
                    f"key {reprlib.repr(key)} appears twice in one section (lines {first} and "
                    f"{key_node.start_mark.line + 1}); keep one"
                )
        return super().construct_mapping(node, deep=deep)

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name)")
        return super().compose_node(parent, index)


def parse_mapping(spec: dict, base: Path, origin: str = "<mapping>") -> Mapping:
    """Build a :class:`Mapping` from a dict shaped like a mapping file."""
    if isinstance(spec, dict) and "source" in spec:  # tables in an engine
        path = Path(origin) if origin != "<mapping>" else None
        engine = parse_source(spec, base, origin)
        return Mapping(sources={}, path=path, engine=engine,
                       currency=currency_options(spec, base, origin))  # fmt: skip
    if not isinstance(spec, dict) or not isinstance(spec.get("tables"), dict):
        raise MappingError(f"{origin}: a mapping needs a 'tables:' section naming invoices etc.")
    _reject_unknown(set(spec) - _TOP_KEYS, origin, "top-level key")
    _reject_unknown(set(spec["tables"]) - set(TABLES), origin, "table")
    if "invoices" not in spec["tables"]:
        raise MappingError(f"{origin}: the 'tables:' section must include 'invoices'")
    shared = _options({k: v for k, v in spec.items() if k != "tables"}, origin)
    sources = {}
    for table, options in spec["tables"].items():
        where = f"{origin} tables.{table}"
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise MappingError(f"{where}: expected a section of keys (file, columns, ...); "
                               f"got {type(options).__name__} {reprlib.repr(options)}")  # fmt: skip
        _reject_unknown(set(options) - _SOURCE_KEYS, where, "key")
        merged = {**shared, **_options(options, where)}
        if "file" in merged:
            merged["file"] = (base / merged["file"]).resolve()
        if "lines" in merged and table != "invoices":
            raise MappingError(f"{where}: 'lines' applies to invoices only")
        if "debit_credit" in merged and table not in ("invoices", "payments"):
            raise MappingError(f"{where}: 'debit_credit' applies to invoices and payments only")
        sources[table] = TableSource(table=table, **merged)
    return Mapping(sources=sources, path=Path(origin) if origin != "<mapping>" else None,
                   currency=currency_options(spec, base, origin))  # fmt: skip


def _options(options: dict, where: str) -> dict:
    """Check the type of every option and normalise it for :class:`TableSource`."""
    out = {}
    for key, value in options.items():
        check = _CHECKS.get(key)
        if check is not None:
            try:
                out[key] = check(value)
            except (TypeError, ValueError) as exc:
                raise MappingError(f"{where}: {key}: {exc}; got {reprlib.repr(value)}") from None
    return out


def _text(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError("expected text")
    return value


def _encoding(value) -> str:
    _text(value)
    if value != "auto":
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError("unknown encoding (e.g. utf-8, gbk, gb18030, latin-1)") from None
    return value


def _separator(value) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) != 1 or value.isalnum() or value in "+-":
        raise ValueError("expected one character that is not a digit, letter or sign")
    return value


def _sheet(value) -> str | int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError("expected a sheet name or a 0-based sheet number")
    if isinstance(value, int) and value < 0:
        raise ValueError("a sheet number is 0 or more")
    return value


def _scalar_text(value) -> str:
    if isinstance(value, bool):
        spelled = "yes/no/on/off/true/false"
        raise TypeError(f"YAML reads {spelled} as {str(value).lower()}; put it in quotes")
    if not isinstance(value, str | int | float):
        raise TypeError("expected text or a number")
    return str(value)


def _columns(value) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError("expected canonical name: source column pairs")
    return {_scalar_text(k): _scalar_text(v) for k, v in value.items()}


def _defaults(value) -> dict:
    if not isinstance(value, dict):
        raise TypeError("expected canonical name: value pairs")
    out = {}
    for name, item in value.items():
        if name == "payment_terms_days":
            if isinstance(item, bool) or not isinstance(item, int):
                raise TypeError(f"payment_terms_days must be a whole number of days, {item!r}")
            if not 0 <= item <= MAX_TERMS_DAYS:
                raise ValueError(f"payment_terms_days must be from 0 to {MAX_TERMS_DAYS}")
        elif item is not None:
            _scalar_text(item)
            if name == "currency" and not re.fullmatch(r"[A-Z]{3}", str(item)):
                raise ValueError("currency must be an ISO 4217 code of three capital letters")
        out[str(name)] = item
    return out


def _flag_values(value) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(_scalar_text(v).strip().lower() for v in items)


def _lines(value) -> dict[str, str]:
    if value is True:
        return {}
    if not isinstance(value, dict) or set(value) != {"quantity", "unit_price"}:
        raise TypeError("expected true, or quantity: and unit_price: source columns")
    return {k: _scalar_text(v) for k, v in value.items()}


def _debit_credit(value) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != {"column", "debit", "credit"}:
        raise TypeError("expected column:, debit: and credit: (e.g. {column: SHKZG, debit: S, "
                        "credit: H})")  # fmt: skip
    spec = {"column": _scalar_text(value["column"])}
    for side in ("debit", "credit"):
        items = value[side] if isinstance(value[side], list) else [value[side]]
        texts = tuple(_scalar_text(v).strip() for v in items)
        if not texts or not all(texts):
            raise ValueError(f"{side}: expected one or more indicator values, not empty")
        spec[side] = texts
    both = {v.lower() for v in spec["debit"]} & {v.lower() for v in spec["credit"]}
    if both:
        raise ValueError(f"{sorted(both)} cannot mean both debit and credit")
    return spec


_CHECKS = {
    "file": _text,
    "sheet": _sheet,
    "encoding": _encoding,
    "date_format": _text,
    "decimal": lambda v: _separator(v) or ".",
    "thousands": _separator,
    "columns": _columns,
    "defaults": _defaults,
    "true_values": _flag_values,
    "false_values": _flag_values,
    "lines": _lines,
    "debit_credit": _debit_credit,
}


def _reject_unknown(unknown: set, origin: str, what: str) -> None:
    if unknown:
        names = ", ".join(sorted(reprlib.repr(u) for u in unknown))
        raise MappingError(f"{origin}: unknown {what}(s) [{names}]")
