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

Every value filled from ``defaults`` is counted and reported by ``segkit validate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from segkit.exceptions import MappingError
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
}
_TOP_KEYS = {
    "encoding",
    "date_format",
    "decimal",
    "thousands",
    "tables",
    "true_values",
    "false_values",
}
DEFAULT_TRUE = ("1", "true", "t", "yes", "y", "是", "真")
DEFAULT_FALSE = ("0", "false", "f", "no", "n", "否", "假")


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
        if self.decimal == self.thousands:
            raise MappingError(
                f"mapping for table '{self.table}': decimal and thousands separators are both "
                f"{self.decimal!r}"
            )


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file: one :class:`TableSource` per table it names."""

    sources: dict[str, TableSource]
    path: Path | None = None


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
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not a valid UTF-8 YAML mapping file ({exc})") from exc
    return parse_mapping(spec, base=path.parent, origin=str(path))


def parse_mapping(spec: dict, base: Path, origin: str = "<mapping>") -> Mapping:
    """Build a :class:`Mapping` from a dict shaped like a mapping file."""
    if not isinstance(spec, dict) or not isinstance(spec.get("tables"), dict):
        raise MappingError(f"{origin}: a mapping needs a 'tables:' section naming invoices etc.")
    _reject_unknown(set(spec) - _TOP_KEYS, origin, "top-level key")
    _reject_unknown(set(spec["tables"]) - set(TABLES), origin, "table")
    if "invoices" not in spec["tables"]:
        raise MappingError(f"{origin}: the 'tables:' section must include 'invoices'")
    shared = {k: v for k, v in spec.items() if k != "tables"}
    sources = {}
    for table, options in spec["tables"].items():
        options = dict(options or {})
        _reject_unknown(set(options) - _SOURCE_KEYS, f"{origin} tables.{table}", "key")
        merged = {**shared, **options}
        if "file" in merged:
            merged["file"] = (base / str(merged["file"])).resolve()
        for key in ("true_values", "false_values"):
            if key in merged:
                merged[key] = tuple(str(v).strip().lower() for v in merged[key])
        merged["columns"] = {str(k): str(v) for k, v in (merged.get("columns") or {}).items()}
        merged["defaults"] = dict(merged.get("defaults") or {})
        sources[table] = TableSource(table=table, **merged)
    return Mapping(sources=sources, path=Path(origin) if origin != "<mapping>" else None)


def _reject_unknown(unknown: set, origin: str, what: str) -> None:
    if unknown:
        raise MappingError(f"{origin}: unknown {what}(s) {sorted(unknown)}")
