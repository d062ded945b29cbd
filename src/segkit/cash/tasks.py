"""From the invoice worklist to a collector's list: one task per customer, disputes apart.

:func:`customer_tasks` groups a customer's open invoices on the ladder into one task (what the
customer owes, the money at risk, the oldest step due and every invoice number), biggest risk
first; :func:`dispute_list` lists the disputed invoices on their own route; :func:`owner_view`
sums the tasks per account owner; :func:`people_table` turns a table of codes into the one a
person reads: headers, actions and reasons in words, in English or Chinese.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.checks import check_lang
from segkit.text.catalogue import catalogue, text

from .reasons import reason_text

__all__ = [
    "CUSTOMER_COLUMNS",
    "customer_details",
    "customer_tasks",
    "dispute_list",
    "first_ids",
    "owner_view",
    "people_table",
]

#: Columns of the customers table a task carries when the ledger has them.
CUSTOMER_COLUMNS = ("name", "owner", "contact")
_TASK_COLUMNS = (
    "rank", "name", "owner", "contact", "action", "step", "action_date", "days_overdue", "plan",
    "invoices", "invoice_ids", "open_amount", "overdue_amount", "max_days_past_due", "p_late",
    "at_risk", "priority", "reasons",
)  # fmt: skip


def _with_customers(frame: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    if customers is None:
        return frame
    present = [c for c in CUSTOMER_COLUMNS if c in customers.columns]
    table = customers[present][~customers.index.duplicated()]
    extra = table.reindex(frame.index)
    keep = [c for c in present if extra[c].notna().any()]
    return extra[keep].join(frame)


def customer_tasks(worklist: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One task per customer for its open invoices on the ladder, biggest risk first.

    Shape: invoices (:func:`segkit.cash.collection_worklist`) -> one row per customer.

    Parameters
    ----------
    worklist : pandas.DataFrame
        From :func:`segkit.cash.collection_worklist`; disputed invoices are left to
        :func:`dispute_list`.
    customers : pandas.DataFrame, optional
        The customers table (index ``customer_id``); its ``name``, ``owner`` and ``contact``
        are carried when they hold values.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``: ``rank`` (1 = first call), the customer columns, ``action``,
        ``step``, ``action_date``, ``days_overdue`` and ``plan`` of the invoice whose step
        is due first (the oldest step due), ``invoices`` (count), ``invoice_ids`` (all,
        ``;``-separated, oldest step first), ``open_amount``, ``overdue_amount``,
        ``max_days_past_due`` (0 when nothing is past due), ``p_late`` (amount-weighted), ``at_risk`` and ``priority``
        (sums over the invoices) and ``reasons`` of the riskiest invoice. Sorted by
        ``priority``, highest first.
    """
    work = worklist[~worklist["disputed"]]
    work = work.sort_values(["action_date", "priority"], ascending=[True, False], kind="stable")
    groups = work.groupby("customer_id", sort=False)
    first = groups[["action", "step", "action_date", "days_overdue", "plan"]].first()
    overdue = work["open_amount"].where(work["days_past_due"] > 0, 0.0)
    past_due = work["days_past_due"].clip(lower=0)
    sums = work.assign(overdue_amount=overdue, past_due=past_due).groupby("customer_id", sort=False).agg(
        invoices=("open_amount", "size"), open_amount=("open_amount", "sum"),
        overdue_amount=("overdue_amount", "sum"), max_days_past_due=("past_due", "max"),
        at_risk=("at_risk", "sum"), priority=("priority", "sum"),
    )  # fmt: skip
    ids = work.index.to_series().astype(str).groupby(work["customer_id"], sort=False)
    sums["invoice_ids"] = ids.agg("; ".join)
    sums["p_late"] = sums["at_risk"] / sums["open_amount"].where(sums["open_amount"] > 0)
    riskiest = work.sort_values("priority", ascending=False, kind="stable")
    sums["reasons"] = riskiest.groupby("customer_id", sort=False)["reasons"].first()
    tasks = first.join(sums).sort_values("priority", ascending=False, kind="stable")
    tasks.insert(0, "rank", np.arange(1, len(tasks) + 1))
    tasks = _with_customers(tasks, customers)
    return tasks[[c for c in _TASK_COLUMNS if c in tasks.columns]]


def dispute_list(worklist: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The disputed open invoices on the dispute route, oldest first.

    Returns
    -------
    pandas.DataFrame
        Index ``invoice_id``: the customer columns (by ``customer_id``), ``customer_id``,
        ``action`` (the next step of the route), ``step``, ``action_date``, ``days_overdue``,
        ``open_amount``, ``due_date`` and ``days_past_due`` (the dispute's aging: the ledger
        dates a dispute only by its invoice's due date).
    """
    cols = ["customer_id", "action", "step", "action_date", "days_overdue", "open_amount",
            "due_date", "days_past_due"]  # fmt: skip
    disputes = worklist.loc[worklist["disputed"], cols]
    disputes = disputes.sort_values(["days_past_due", "open_amount"], ascending=False,
                                    kind="stable")  # fmt: skip
    if customers is None or disputes.empty:
        return disputes
    extra = _with_customers(pd.DataFrame(index=disputes["customer_id"].unique()), customers)
    return extra.reindex(disputes["customer_id"]).set_index(disputes.index).join(disputes)


def owner_view(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks per account owner (``unassigned`` without one), most at risk first."""
    owner = tasks["owner"] if "owner" in tasks.columns else pd.Series(np.nan, index=tasks.index)
    owner = owner.astype(object).where(owner.notna(), "unassigned").rename("owner")
    table = tasks.assign(overdue_tasks=tasks["days_overdue"] > 0).groupby(owner).agg(
        customers=("rank", "size"), overdue_tasks=("overdue_tasks", "sum"),
        open_amount=("open_amount", "sum"), at_risk=("at_risk", "sum"),
        priority=("priority", "sum"), first_rank=("rank", "min"),
    )  # fmt: skip
    return table.sort_values("priority", ascending=False, kind="stable")


def next_action_text(action: str, days_overdue, lang: str = "en") -> str:
    """``action`` in words, with the days it is overdue (catalogue ``cash_action``)."""
    label = text("cash_action", action, lang)
    if days_overdue > 0:
        return text("cash_text", "overdue_action", lang, action=label, days=int(days_overdue))
    return label


def people_table(table: pd.DataFrame, lang: str = "en", currency: str = "CNY") -> pd.DataFrame:
    """A table of codes as a person reads it: words, headers in ``lang``, percentages as text.

    Actions become words with their days overdue, plans and reasons words, ``p_late`` a
    percentage ("45%"), amounts in whole units, dates stay dates; headers come from the
    catalogue kind ``cash_columns`` with the currency on money. The index becomes a column.
    """
    check_lang(lang)
    out = table.copy()
    if "action" in out.columns:
        overdue = out["days_overdue"] if "days_overdue" in out.columns else 0
        out["action"] = [
            next_action_text(a, d, lang)
            for a, d in zip(out["action"], np.broadcast_to(overdue, len(out)), strict=True)
        ]
    if "plan" in out.columns:
        out["plan"] = [text("cash_plan", p, lang) for p in out["plan"]]
    if "reasons" in out.columns:
        out["reasons"] = [
            reason_text(r, lang) if isinstance(r, str) else "" for r in out["reasons"]
        ]
    if "p_late" in out.columns:
        out["p_late"] = [f"{p:.0%}" if pd.notna(p) else "" for p in out["p_late"]]
    for col in ("open_amount", "overdue_amount", "at_risk", "priority"):
        if col in out.columns:
            out[col] = out[col].round(0).astype("Int64")
    out = out.reset_index()
    heads = catalogue()["cash_columns"]
    return out.rename(
        columns={
            c: text("cash_columns", c, lang, currency=currency) for c in out.columns if c in heads
        }  # fmt: skip
    )


def first_ids(ids, keep: int = 3):
    """The first ``keep`` invoice numbers of a task, then how many more (``"; … +9"``)."""
    if not isinstance(ids, str):
        return ids
    parts = ids.split("; ")
    return ids if len(parts) <= keep else "; ".join(parts[:keep]) + f"; … +{len(parts) - keep}"


def customer_details(ledger) -> pd.DataFrame:
    """``name``, ``owner`` and ``contact`` of the customers table, where it has them."""
    table = ledger.customers
    present = [c for c in CUSTOMER_COLUMNS if c in table.columns]
    frame = table.select("customer_id", *present).execute()
    return frame.drop_duplicates("customer_id").set_index("customer_id")
