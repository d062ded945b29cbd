"""Invoice lines summed into invoices, for sales exports with one row per line (销售出库明细).

The mapping says ``lines:`` under ``invoices``; the lines of one invoice id become one invoice:

- ``amount``: the sum of the line amounts, a line amount being the mapped ``amount`` column or,
  when ``lines`` names ``quantity`` and ``unit_price``, their product (unrounded);
- ``invoice_date`` and ``due_date``: the earliest of its lines;
- ``settled_date``: the latest, when every line has one (else the invoice is open);
- ``disputed``: true when any line is;
- ``customer_id`` and ``currency``: one per invoice; a line naming another is a failure
  reported at its row;
- the invoice's row is its first line's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["sum_lines"]


def sum_lines(frame: pd.DataFrame, origin: str) -> tuple[pd.DataFrame, list[dict], str]:
    """Sum invoice lines (canonical columns and ``_row``) into invoices.

    Returns
    -------
    (DataFrame, list of dict, str)
        The invoices, the failures of lines naming another customer or currency than their
        invoice's first line, and a note counting lines and invoices.
    """
    key = frame["invoice_id"].fillna("\0missing")
    groups = frame.groupby(key, sort=False)
    failures = []
    for column in ("customer_id", "currency"):
        if column in frame.columns:
            first = groups[column].transform("first")
            differs = frame[column].notna() & first.notna() & (frame[column] != first)
            for idx in frame.index[differs]:
                failures.append(
                    {
                        "file": origin,
                        "table": "invoices",
                        "column": column,
                        "row": int(frame.at[idx, "_row"]),
                        "rule": f"one {column} per invoice (lines summed into invoices)",
                        "value": f"{frame.at[idx, column]} != {first[idx]}",
                    }
                )
    out = groups.agg(**_aggregations(frame))
    out = out.reset_index(drop=True)
    if "amount" in frame.columns:
        incomplete = groups["amount"].apply(lambda s: s.isna().any()).to_numpy()
        out["amount"] = out["amount"].where(~incomplete, np.nan)
    if "settled_date" in frame.columns:
        open_lines = groups["settled_date"].apply(lambda s: s.isna().any()).to_numpy()
        out["settled_date"] = out["settled_date"].where(~open_lines)
    note = f"{origin}: {len(frame)} invoice lines summed into {len(out)} invoices (mapping lines)"
    return out[[c for c in frame.columns if c in out.columns]], failures, note


def _aggregations(frame: pd.DataFrame) -> dict:
    rules = {
        "invoice_id": "first",
        "customer_id": "first",
        "invoice_date": "min",
        "due_date": "min",
        "amount": "sum",
        "currency": "first",
        "settled_date": "max",
        "disputed": "max",
        "_row": "min",
    }
    return {c: (c, how) for c, how in rules.items() if c in frame.columns}
