"""The collections worklist: one line per customer to chase, riskiest first.

:func:`worklist` orders the customers with an overdue amount by expected loss (when a
scorecard priced it), then by the days past due of their oldest open invoice, then by the
overdue amount, and gives a collector what a call needs on one line: who owns the account
and whom to call (the optional customer columns ``owner`` and ``contact``), whether an
invoice is disputed, what the customer's group owes in total (``group_id``, the top of the
``parent_id`` chain) and the reason in words.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from segkit.checks import check_int, check_lang
from segkit.credit.collections import reason
from segkit.exceptions import ConfigError

__all__ = ["NAME_WIDTH", "WORKLIST_COLUMNS", "short_name", "worklist"]

#: Columns of the worklist, in order; those the input lacks are left out.
WORKLIST_COLUMNS = (
    "rank", "name", "owner", "contact", "grade", "open_days_past_due", "overdue_balance",
    "open_balance", "expected_loss", "disputed", "group_exposure", "last_payment_date", "reason",
)  # fmt: skip
#: Widest name shown, in columns (a Chinese character takes two).
NAME_WIDTH = 28


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def short_name(name) -> object:
    """``name`` cut to :data:`NAME_WIDTH` columns with an ellipsis, so a line stays one line."""
    if not isinstance(name, str) or sum(map(_width, name)) <= NAME_WIDTH:
        return name
    kept, used = [], 1
    for char in name:
        if used + _width(char) > NAME_WIDTH:
            break
        kept.append(char)
        used += _width(char)
    return "".join(kept) + "…"


def _group_exposure(scored: pd.DataFrame) -> pd.Series:
    """What the customer's group owes in total; missing for a customer alone in its group."""
    if "group_id" not in scored.columns:
        return pd.Series(np.nan, index=scored.index)
    group = scored["group_id"].astype(object).where(scored["group_id"].notna(), scored.index)
    total = scored["open_balance"].groupby(group).transform("sum")
    members = scored["open_balance"].groupby(group).transform("size")
    return total.where(members > 1)


def worklist(scored: pd.DataFrame, n: int = 25, lang: str = "en") -> pd.DataFrame:
    """Customers to chase first, one line each.

    Parameters
    ----------
    scored : pandas.DataFrame
        Index ``customer_id``; ``open_balance``, ``overdue_balance``,
        ``open_days_past_due``; optional ``expected_loss`` (orders first when present),
        ``name``, ``owner``, ``contact``, ``grade``, ``disputed_share``, ``group_id``,
        ``in_default_at_as_of``, ``days_since_last_payment``, ``last_payment_date`` (e.g.
        ``CreditStudy.scored`` or a behavioural snapshot).
    n : int, default 25
        Customers to list.
    lang : {"en", "zh"}, default "en"
        Language of the reason.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; the :data:`WORKLIST_COLUMNS` the input allows: ``rank``,
        ``name`` (cut to :data:`NAME_WIDTH` columns), ``disputed`` (an open invoice in dispute),
        ``group_exposure`` (open balance of the customer's group, when it has other members
        owing money) and ``reason``. Only customers with an overdue amount are listed;
        ``owner``, ``contact`` and ``group_exposure`` are left out when no listed customer
        has one, ``disputed`` when the ledger has no ``disputed`` column.
    """
    n = check_int("n", n, 1)
    check_lang(lang)
    needed = ["open_balance", "overdue_balance", "open_days_past_due"]
    missing = [c for c in needed if c not in scored.columns]
    if missing:
        raise ConfigError(f"scored must have the columns {needed}; missing {missing}.")
    keys = [k for k in ("expected_loss", *needed[2:0:-1]) if k in scored.columns]
    rows = scored.assign(group_exposure=_group_exposure(scored))
    rows = rows[rows["overdue_balance"] > 0]
    rows = rows.sort_values(keys, ascending=False, kind="stable").head(n)
    out = rows.copy()
    out["rank"] = range(1, len(out) + 1)
    if "name" in out.columns:
        out["name"] = out["name"].map(short_name)
    if "disputed_share" in scored.columns and scored["disputed_share"].notna().any():
        out["disputed"] = out["disputed_share"].fillna(0) > 0
    out["reason"] = [reason(row, lang) for _id, row in rows.iterrows()]
    shown = [c for c in WORKLIST_COLUMNS if c in out.columns]
    empty = [
        c for c in ("owner", "contact", "group_exposure") if c in shown and out[c].isna().all()
    ]
    return out[[c for c in shown if c not in empty]]
