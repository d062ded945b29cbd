"""Open invoices at month-ends with point-in-time features, and their outcomes, in the engine.

Settlement is a per-customer computation (:mod:`segkit.features.settlement`): every join,
window and aggregation is keyed by ``customer_id``. So the settlement of a ledger at many
snapshot dates is one call of :func:`segkit.features.invoice_settlement` on a *stacked* ledger,
in which each customer appears once per snapshot under a key ``snapshot|customer_id`` and holds
only the invoices and payments dated on or before that snapshot (``settled_date`` after it is
blanked). Each stacked customer is then settled exactly as the ledger stood on its snapshot
date: nothing later is visible, and the rules are the library's own, not a copy.

Shape: ledger + snapshot dates -> one row per (snapshot, invoice open at the snapshot) with the
invoice's terms and amount, the customer's payment history, open and overdue balance at the
snapshot, and firmographics; and ledger + as_of -> one row per invoice with its outcome as known
at ``as_of`` (:func:`invoice_outcomes`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis import _

from segkit.exceptions import SchemaError
from segkit.features import invoice_settlement, settlement_available
from segkit.features.allocation import TOL, left_join_on
from segkit.features.engine import has_room, ledger_cache

__all__ = ["RECENT_DAYS", "invoice_outcomes", "invoice_snapshots", "month_ends", "training_ledger"]

#: Window (days before the snapshot) of the "recent" payment-history features.
RECENT_DAYS = 91
_SEP = "|"
_CUSTOMER_NUMBERS = ("credit_limit", "employees", "revenue", "total_assets")


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The month-end dates from ``first`` to ``last`` (both inclusive)."""
    return [d.date() for d in pd.date_range(first, last, freq="ME")]


def training_ledger(ledger, max_customers: int | None, seed: int = 0):
    """The ledger, or a seeded sample of ``max_customers`` of its invoiced customers.

    Learning from open invoices reads one row per invoice open at each month-end: about twice
    the ledger's invoices. Past ``max_customers`` customers the model learns from a sample of
    whole customers (their invoices, payments and details), chosen in Python from the
    customers' ids (one row per customer leaves the engine) and kept by a semi-join in the
    engine, so only the sample's rows come back. At or below it the ledger is returned as it is.
    """
    if max_customers is None:
        return ledger
    ids = ledger.invoices.select("customer_id").distinct().order_by("customer_id").execute()
    ids = ids["customer_id"].astype(str)
    if len(ids) <= max_customers:
        return ledger
    chosen = np.random.default_rng(seed).choice(ids.to_numpy(), max_customers, replace=False)
    keep = ibis.memtable(pd.DataFrame({"customer_id": np.sort(chosen)}))

    def only(table):
        return None if table is None else table.filter(table.customer_id.isin(keep.customer_id))

    return dataclasses.replace(ledger, invoices=only(ledger.invoices),
                               payments=only(ledger.payments), customers=only(ledger.customers))  # fmt: skip


def require_settlement(ledger) -> None:
    """Raise SchemaError when the ledger cannot say when invoices were paid."""
    if not settlement_available(ledger.invoices, ledger.payments):
        raise SchemaError(
            "ledger: late payment needs a payments table or an invoices.settled_date column; "
            f"got invoices columns {list(ledger.invoices.columns)} and no payments."
        )


def _stack(ledger, dates: list[dt.date]) -> tuple[ir.Table, ir.Table | None]:
    """Invoices and payments repeated once per snapshot, as the ledger stood on that date."""
    snaps = ibis.memtable(pd.DataFrame({"snapshot": pd.to_datetime(dates)})).mutate(
        snapshot=_.snapshot.cast("date")
    )
    inv = ledger.invoices
    keep = ["invoice_id", "invoice_date", "due_date", "amount"]
    keep += ["settled_date"] if "settled_date" in inv.columns else []
    stacked = inv.cross_join(snaps).filter(inv.invoice_date.cast("date") <= snaps.snapshot)
    key = stacked.snapshot.cast("string") + _SEP + stacked.customer_id.cast("string")
    stacked = stacked.select(*keep, "snapshot", customer_id=key)
    if "settled_date" in keep:
        known = stacked.settled_date.cast("date") <= stacked.snapshot
        stacked = stacked.mutate(
            settled_date=ibis.ifelse(known, stacked.settled_date.cast("date"), ibis.null("date"))
        )
    if ledger.payments is None:
        return stacked.drop("snapshot"), None
    pay = ledger.payments
    paid = pay.cross_join(snaps).filter(pay.payment_date.cast("date") <= snaps.snapshot)
    key = paid.snapshot.cast("string") + _SEP + paid.customer_id.cast("string")
    paid = paid.select("invoice_id", "payment_date", "amount", customer_id=key)
    return stacked.drop("snapshot"), paid


def _settled_stack(ledger, dates: list[dt.date]) -> ir.Table:
    """Every invoice known at each snapshot, settled as of that snapshot."""
    invoices, payments = _stack(ledger, dates)
    settled = invoice_settlement(invoices, payments, as_of=max(dates))
    key = settled.customer_id
    return settled.mutate(
        snapshot=key.substr(0, 10).cast("date"),
        customer_id=key.substr(11),
        skey=key,
    )


def _mean(value: ir.NumericValue, where: ir.BooleanValue) -> ir.FloatingValue:
    """The mean of whole numbers as one division of their exact sum by their count.

    Each engine's own average divides in its own way (PostgreSQL averages in ``numeric``,
    Spark in doubles), so the same mean differed in its last bit between engines, and the
    late-payment model's boosting then cut its bins elsewhere: the fits differed although the
    rows were equal to 1e-15. A sum of whole numbers is exact everywhere, and one IEEE division
    gives every engine the same bits, those of DuckDB's own average.
    """
    count = value.count(where=where).cast("float64").nullif(0)
    return value.sum(where=where).cast("float64") / count


def _history(settled: ir.Table) -> ir.Table:
    """Per stacked customer: payment history and open balances at the snapshot."""
    done = _.settled_date.notnull()
    late = ibis.greatest(_.days_late, 0)
    recent = done & (_.snapshot.delta(_.settled_date, unit="day") <= RECENT_DAYS)
    is_open = _.settled_date.isnull() & (_.open_amount > TOL)
    dpd = _.snapshot.delta(_.due_date, unit="day")
    n_settled = ibis.ifelse(done, 1, 0).sum()
    return settled.group_by("skey").aggregate(
        n_invoices=_.count(),
        n_settled=n_settled,
        share_late=ibis.ifelse(_.days_late > 0, 1, 0).sum() / n_settled.nullif(0),
        share_very_late=ibis.ifelse(_.days_late > 30, 1, 0).sum() / n_settled.nullif(0),
        mean_days_late=_mean(late, done),
        mean_days_signed=_mean(_.days_late, done),
        max_days_late=late.max(where=done),
        recent_days_late=_mean(late, recent),
        recent_share_late=_mean(ibis.ifelse(_.days_late > 0, 1, 0), recent),
        days_since_settlement=_.snapshot.delta(_.settled_date, unit="day").min(where=done),
        typical_amount=_.amount.median(),
        n_open=ibis.ifelse(is_open, 1, 0).sum(),
        open_balance=ibis.ifelse(is_open, _.open_amount, 0.0).sum(),
        n_overdue=ibis.ifelse(is_open & (dpd > 0), 1, 0).sum(),
        overdue_balance=ibis.ifelse(is_open & (dpd > 0), _.open_amount, 0.0).sum(),
        max_days_past_due=ibis.greatest(dpd, 0).max(where=is_open),
    )


def invoice_snapshots(ledger, dates, max_past_due: int | None = None) -> pd.DataFrame:
    """Open invoices at each snapshot date with their point-in-time features.

    Shape: ledger + dates -> one row per (``snapshot``, open invoice) for every invoice issued
    on or before the snapshot, still open then, and at most ``max_past_due`` days past due.

    Parameters
    ----------
    ledger : segkit.Ledger
        A ledger with payments or ``invoices.settled_date``.
    dates : sequence of datetime.date
        Snapshot dates (e.g. month-ends); each is settled as the ledger stood on it.
    max_past_due : int, optional
        Leave out invoices more than this many days past due at the snapshot; all open
        invoices by default.

    Returns
    -------
    pandas.DataFrame
        ``snapshot``, ``invoice_id``, ``customer_id``, dates, amounts and the features listed
        in :data:`segkit.cash.model.FEATURES` (history features are NaN for a customer with no
        settled invoice yet). Sorted by snapshot and invoice.
    """
    require_settlement(ledger)
    dates = sorted(set(dates))
    settled = _settled_stack(ledger, dates)
    open_ = settled.filter(settled.settled_date.isnull() & (settled.open_amount > TOL))
    if max_past_due is not None:
        open_ = open_.filter(open_.snapshot.delta(open_.due_date, unit="day") <= max_past_due)
    rows = _with_disputed(left_join_on(open_, _history(settled), ["skey"]), ledger.invoices)
    cols = ["snapshot", "invoice_id", "customer_id", "invoice_date", "due_date", "amount",
            "open_amount"]  # fmt: skip
    history = [c for c in _history(settled).columns if c != "skey"]
    frame = rows.select(*cols, *history, "disputed").execute()
    frame = _with_customers(frame, ledger)
    return _derived(frame).sort_values(["snapshot", "invoice_id"], ignore_index=True)


def _with_disputed(rows: ir.Table, invoices: ir.Table) -> ir.Table:
    """The open rows with their invoice's dispute flag (1.0, 0.0 or NULL), joined in the engine.

    Only the flags of the open invoices leave the engine, with their rows.
    """
    if "disputed" not in invoices.columns:
        return rows.mutate(disputed=ibis.null("float64"))
    # 1.0 / 0.0 / NULL by cases, not a cast: PostgreSQL cannot cast a boolean to a double
    flag = invoices.disputed
    flag = ibis.cases((flag, 1), (~flag, 0)).cast("float64")
    return left_join_on(rows, invoices.select("invoice_id", disputed=flag), ["invoice_id"])


def _with_customers(frame: pd.DataFrame, ledger) -> pd.DataFrame:
    cust = ledger.customers
    cols = [c for c in (*_CUSTOMER_NUMBERS, "created") if c in cust.columns]
    table = cust.select("customer_id", *cols).execute().drop_duplicates("customer_id")
    table = table.assign(customer_id=table["customer_id"].astype(str)).set_index("customer_id")
    for col in (*_CUSTOMER_NUMBERS, "created"):
        if col not in table.columns:
            table[col] = np.nan
    joined = table.reindex(frame["customer_id"].to_numpy())
    out = frame.assign(**{c: joined[c].to_numpy() for c in _CUSTOMER_NUMBERS})
    created = pd.to_datetime(joined["created"]).to_numpy()
    tenure = (pd.to_datetime(frame["snapshot"]).to_numpy() - created) / np.timedelta64(1, "D")
    return out.assign(tenure_days=tenure)


def _derived(frame: pd.DataFrame) -> pd.DataFrame:
    """Calendar, terms and amount features of each invoice at its snapshot."""
    # sums of cents in a parallel engine differ in the last bits from run to run: round them
    for col in ("amount", "open_amount", "open_balance", "overdue_balance"):
        frame[col] = frame[col].astype(float).round(2)
    # a median of cents may fall on a half cent, which each engine interpolates with its own
    # last bits (and cents would then round either way): keep the half cent
    frame["typical_amount"] = frame["typical_amount"].astype(float).round(3)
    snap = pd.to_datetime(frame["snapshot"])
    due = pd.to_datetime(frame["due_date"])
    issued = pd.to_datetime(frame["invoice_date"])
    for col, values in (("snapshot", snap), ("due_date", due), ("invoice_date", issued)):
        frame[col] = values
    amount = frame["amount"].astype(float)
    frame["days_to_due"] = (due - snap).dt.days
    frame["age_days"] = (snap - issued).dt.days
    frame["terms_days"] = (due - issued).dt.days
    frame["due_month"] = due.dt.month
    frame["due_weekday"] = due.dt.weekday
    frame["log_amount"] = np.log1p(amount.clip(lower=0))
    frame["amount_ratio"] = amount / frame["typical_amount"].where(frame["typical_amount"] > 0)
    frame["paid_share"] = 1 - frame["open_amount"] / amount
    frame["trend_days_late"] = frame["recent_days_late"] - frame["mean_days_late"]
    frame["overdue_share"] = frame["overdue_balance"] / frame["open_balance"].where(
        frame["open_balance"] > 0
    )
    limit = frame["credit_limit"].where(frame["credit_limit"] > 0)
    frame["utilisation"] = frame["open_balance"] / limit
    for col in ("employees", "revenue", "total_assets"):
        frame[col] = np.log1p(pd.to_numeric(frame[col], errors="coerce").clip(lower=0))
    return frame


def invoice_outcomes(ledger, as_of: dt.date) -> pd.DataFrame:
    """Each invoice's payment outcome as known at ``as_of``.

    Parameters
    ----------
    ledger : segkit.Ledger
        A ledger with payments or ``invoices.settled_date``.
    as_of : datetime.date
        The date of knowledge: settlement is computed with data dated on or before it.

    Returns
    -------
    pandas.DataFrame
        Index ``invoice_id``: ``due_date``, ``settled_date`` (NaT while open) and
        ``days_late`` (settled_date - due_date; for an invoice open at ``as_of``, the days
        past due then, a lower bound).
    """
    require_settlement(ledger)
    kept, key = ledger_cache(ledger, "outcomes"), pd.Timestamp(as_of).date()
    if key in kept:  # the evaluation and the final fit both read the outcomes at as_of
        return kept[key].copy()
    settled = invoice_settlement(ledger.invoices, ledger.payments, as_of=as_of)
    frame = settled.select("invoice_id", "due_date", "settled_date", "days_late").execute()
    frame = frame.set_index("invoice_id")
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    frame["settled_date"] = pd.to_datetime(frame["settled_date"])
    censored = (pd.Timestamp(as_of) - frame["due_date"]).dt.days
    frame["days_late"] = frame["days_late"].astype(float).fillna(censored.astype(float))
    frame["open"] = frame["settled_date"].isna()
    if has_room(kept, len(frame)):
        kept[key] = frame.copy()
    return frame
