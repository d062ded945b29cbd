"""Write a result table (one row per customer) as CSV, Excel or Parquet, chosen by extension."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from segkit.exceptions import ConfigError

__all__ = ["write_table", "FORMATS"]

FORMATS = (".csv", ".xlsx", ".parquet")


def write_table(frame: pd.DataFrame, path: str | Path, encoding: str = "utf-8-sig") -> Path:
    """Write ``frame`` with its index as the first column.

    CSV is written as UTF-8 with a byte-order mark by default, so Excel and most ERP import tools
    show Chinese labels correctly; pass ``encoding="gb18030"`` for tools that need GBK.

    Raises
    ------
    ConfigError
        When the extension is not one of ``.csv``, ``.xlsx``, ``.parquet``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"output file {path}: extension must be one of {FORMATS}; got {suffix!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.to_csv(path, encoding=encoding, date_format="%Y-%m-%d", lineterminator="\n")
    elif suffix == ".xlsx":
        frame.to_excel(path, sheet_name="customers")
    else:
        frame.to_parquet(path)
    return path
