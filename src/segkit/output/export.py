"""Write a result table (one row per customer) as CSV, Excel or Parquet, chosen by extension.

Every export is safe and reproducible (see :mod:`segkit.output.safe`): amounts are rounded to
the currency's precision and other decimals to ten significant digits; in CSV and Excel a text
cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage
return first) starts with a single quote, while numeric columns stay numeric; CSV text is
always quoted; the same table
gives the same bytes; and the file appears whole, through a temporary file and a rename.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from segkit.exceptions import ConfigError

__all__ = ["write_table", "FORMATS"]

FORMATS = (".csv", ".xlsx", ".parquet")


def write_table(
    frame: pd.DataFrame,
    path: str | Path,
    encoding: str = "utf-8-sig",
    currency: str = "CNY",
    lang: str = "en",
    labels: bool = False,
) -> Path:
    """Write ``frame`` with its index as the first column.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns named by their codes.
    path : str or Path
        Output file; its extension picks the format.
    encoding : str, default "utf-8-sig"
        CSV only: UTF-8 with a byte-order mark, so Excel and most ERP import tools show
        Chinese text correctly; ``"gb18030"`` for tools that need GBK.
    currency : str, default "CNY"
        The ledger's currency: amounts are rounded to its minor unit (ISO 4217).
    lang : {"en", "zh"}
        Excel only: language of the header row when ``labels`` is true.
    labels : bool, default False
        Excel only: headers in words instead of the column codes. CSV and Parquet always keep
        the codes, for loading into other systems.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ConfigError
        When the extension is not one of ``.csv``, ``.xlsx``, ``.parquet``, or ``path`` is
        an existing folder.
    """
    from segkit.output.safe import replace_atomically, round_numbers, safe_frame

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"output file {path}: extension must be one of {FORMATS}; got {suffix!r}")
    if path.is_dir():
        raise ConfigError(f"output file {path} is a folder; give a file name ending in {suffix}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        from segkit.output.workbook import add_sheet, new_workbook, save_workbook

        book = new_workbook()
        add_sheet(book, frame, "customers", lang=lang, currency=currency, labels=labels)
        return save_workbook(book, path)
    if suffix == ".csv":
        safe = safe_frame(frame, currency)
        return replace_atomically(
            path,
            lambda tmp: safe.to_csv(
                tmp,
                encoding=encoding,
                date_format="%Y-%m-%d",
                lineterminator="\n",
                quoting=csv.QUOTE_NONNUMERIC,  # text quoted: a carriage return stays in its cell
            ),
        )
    rounded = round_numbers(frame, currency)
    return replace_atomically(path, lambda tmp: rounded.to_parquet(tmp))
