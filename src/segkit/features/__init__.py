"""Customer features as of a date: one row per customer, computed in the engine.

Activity and payment behaviour are Ibis expressions executed together in one query, where the
ledger lives; what leaves the engine is one row per customer and date, to which firmographics
(industry, statutory size, region, scale, group) are added in pandas. :func:`features_at`
builds the profile at many as-of dates in one query (the dates are a small table crossed with
the ledger, see :mod:`segkit.features.dates`); :func:`customer_features` is its one-date case.
"""

from __future__ import annotations

import dataclasses
from numbers import Integral

import ibis
import numpy as np
import pandas as pd

from segkit.checks import as_date
from segkit.exceptions import ConfigError
from segkit.features.activity import (
    EXACT,
    LINE_EXACT,
    LINE_EXACT_LIMIT,
    MonthSpan,
    activity_features,
)
from segkit.features.dates import SCHEMA, dates_frame
from segkit.features.dates import as_of_dates as parse_dates
from segkit.features.engine import has_room, ledger_cache, run_query
from segkit.features.firmographics import firmographics, group_ids, group_rollup
from segkit.features.payments import (
    DEFAULT_AGING_EDGES,
    _check_window,
    aging_buckets,
    ar_reconciliation,
    invoice_settlement,
    payment_features,
    settlement_available,
)
from segkit.features.profile import EXPOSURE, profile

__all__ = [
    "customer_features",
    "features_at",
    "activity_features",
    "payment_features",
    "invoice_settlement",
    "ar_reconciliation",
    "aging_buckets",
    "settlement_available",
    "firmographics",
    "group_ids",
    "group_rollup",
    "DEFAULT_AGING_EDGES",
]

_ = ibis._

COUNT_COLUMNS = ("n_invoices", "invoices_12m", "active_months", "active_months_12m")
AMOUNT_COLUMNS = ("net_amount", "revenue_12m", "revenue_prev_12m")
BALANCE_COLUMNS = ("open_balance", "overdue_balance", "unallocated_cash")
NO_SETTLEMENT = (
    "no payments table and no settled_date column: payment behaviour and aging "
    "are missing (not zero)"
)


def customer_features(
    ledger,
    as_of,
    *,
    aging_edges=DEFAULT_AGING_EDGES,
    dso_window_days: int = 365,
    cny_per_eur: float = 7.8,
    scale_edges: tuple[float, ...] = (1e6, 1e7, 1e8),
    scale_labels: tuple[str, ...] = ("<1m", "1m-10m", "10m-100m", ">=100m"),
    firmographic: bool = True,
    batches: int = 1,
) -> pd.DataFrame:
    """Build the customer profile as of a date.

    Parameters
    ----------
    ledger : segkit.Ledger
        The validated ledger.
    as_of : str or date
        Observation date (ISO 8601 string or date). Only invoices and payments dated on or
        before it count; a settlement after it leaves the invoice open at ``as_of``.
    aging_edges : sequence of int
        Aging bucket edges in days past due (default current, 1-30, 31-60, 61-90, over 90).
    dso_window_days : int
        Credit-sales window of DSO (open balance / credit sales in the window x days).
    cny_per_eur, scale_edges, scale_labels, firmographic
        See :func:`segkit.features.firmographics.firmographics`; ``firmographic=False`` skips it.
    batches : int, default 1
        Split the customers into this many groups by a hash of ``customer_id`` and run one query
        per group. Every feature depends on one customer's lines only, so the result is the
        same; each query holds about ``1/batches`` of the ledger in the engine's joins, windows
        and aggregations. Use it when a ledger outgrows the engine's memory (the README's scale
        section measures 100 million invoices in 8 batches); it costs one scan of the tables
        per batch.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted), one row per customer known at ``as_of``: customers whose
        ``created`` date is on or before it (or unknown), and every customer invoiced or paying by
        then.
        Columns: the customer master data; activity (:func:`activity_features`); payment
        behaviour and aging (:func:`payment_features`); firmographics. Customers without invoices
        have zero counts, amounts and balances and missing recency and lateness. The notes of
        the computation (e.g. missing settlement data) are in ``frame.attrs["notes"]``.
    """
    day = as_date(as_of)
    frame = features_at(
        ledger,
        [day],
        aging_edges=aging_edges,
        dso_window_days=dso_window_days,
        cny_per_eur=cny_per_eur,
        scale_edges=scale_edges,
        scale_labels=scale_labels,
        firmographic=firmographic,
        batches=batches,
    )
    notes = frame.attrs["notes"]
    frame.index = frame.index.droplevel("as_of")  # in place: the frame is ours, no copy
    frame.attrs = {"as_of": day.isoformat(), "notes": notes}
    return frame


def features_at(
    ledger,
    as_of_dates,
    *,
    aging_edges=DEFAULT_AGING_EDGES,
    dso_window_days: int = 365,
    cny_per_eur: float = 7.8,
    scale_edges: tuple[float, ...] = (1e6, 1e7, 1e8),
    scale_labels: tuple[str, ...] = ("<1m", "1m-10m", "10m-100m", ">=100m"),
    firmographic: bool = True,
    batches: int = 1,
) -> pd.DataFrame:
    """Build the customer profile at many as-of dates in one query.

    Each date is computed point in time, exactly as :func:`customer_features` at that date
    would; the dates are rows of a small table crossed with the ledger, so the engine scans
    the ledger once and the compiled query is reused for any later dates of the same ledger.

    Parameters
    ----------
    ledger : segkit.Ledger
        The validated ledger.
    as_of_dates : date, str or sequence of them
        Observation dates; sorted, duplicates dropped.
    aging_edges, dso_window_days, cny_per_eur, scale_edges, scale_labels, firmographic, batches
        As in :func:`customer_features`.

    Returns
    -------
    pandas.DataFrame
        MultiIndex (``as_of`` datetime64, ``customer_id``), sorted; for each date the rows and
        columns of :func:`customer_features` at that date. ``attrs`` holds ``as_of_dates``
        (ISO strings) and ``notes``.

    Raises
    ------
    ConfigError
        For an empty or invalid list of dates or a bad option.
    """
    options = {
        "aging_edges": aging_edges,
        "dso_window_days": dso_window_days,
        "cny_per_eur": cny_per_eur,
        "scale_edges": scale_edges,
        "scale_labels": scale_labels,
        "firmographic": firmographic,
        "batches": batches,
    }
    frame = profile_frame(ledger, parse_dates(as_of_dates), **options)
    return frame.drop(columns=list(EXPOSURE))


def profile_frame(
    ledger,
    days,
    *,
    aging_edges=DEFAULT_AGING_EDGES,
    dso_window_days: int = 365,
    cny_per_eur: float = 7.8,
    scale_edges: tuple[float, ...] = (1e6, 1e7, 1e8),
    scale_labels: tuple[str, ...] = ("<1m", "1m-10m", "10m-100m", ">=100m"),
    firmographic: bool = True,
    batches: int = 1,
) -> pd.DataFrame:
    """:func:`features_at` with ``open_days_past_due`` (worst days past due of open invoices).

    For the credit labels, which read the exposure at each date from the same query.
    """
    days = parse_dates(days)
    if isinstance(batches, bool) or not isinstance(batches, Integral) or batches < 1:
        raise ConfigError(f"batches must be an int >= 1; got {batches!r}.")
    window = _check_window(dso_window_days)
    buckets = aging_buckets(aging_edges)
    settled = settlement_available(ledger.invoices, ledger.payments)
    kept = ledger_cache(ledger, "profiles").setdefault((tuple(buckets), window), {})
    missing = [d for d in days if d not in kept] if batches == 1 else days
    frame = _profiles(ledger, missing, buckets, window, int(batches)) if missing else None
    if frame is not None and batches == 1 and has_room(kept, len(frame)):
        day_of_row = frame.index.get_level_values("as_of")
        for day in missing:
            kept[day] = frame[day_of_row == pd.Timestamp(day)]
    if len(missing) < len(days):  # some dates were kept: those, and the new ones, in order
        parts = [kept[d] for d in days if d not in missing]
        frame = pd.concat(parts if frame is None else [*parts, frame])
        if not frame.index.is_monotonic_increasing:
            frame = frame.sort_index()
    if firmographic:
        frame = _with_firmographics(ledger, frame, cny_per_eur, scale_edges, scale_labels)
    frame.attrs = {
        "as_of_dates": [d.isoformat() for d in days],
        "notes": [] if settled else [NO_SETTLEMENT],
    }
    return frame


def _profiles(ledger, days: list, buckets, window: int, batches: int) -> pd.DataFrame:
    """The profile at ``days`` from the engine: one query (per batch), sorted and typed."""
    dates = dates_frame(days, window)
    money, span = ledger_shape(ledger)
    parts = [
        _run(_batch(ledger, k, batches), dates, buckets, window, money, span)
        for k in range(batches)
    ]
    settled = settlement_available(ledger.invoices, ledger.payments)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    parts.clear()  # free the batches before the sorted copy
    return _finish(frame, buckets, settled)


def _run(ledger, dates: pd.DataFrame, buckets, window: int, money: str, span) -> pd.DataFrame:
    settled = settlement_available(ledger.invoices, ledger.payments)

    def build(table):
        tables = (ledger.invoices, ledger.payments, ledger.customers)
        out = profile(*tables, table, buckets, window, money, span)
        fills = _zero_fills(buckets, settled)
        out = out.mutate(**{c: out[c].fill_null(v) for c, v in fills.items()})
        return out.order_by(["as_of", "customer_id"])

    key = (tuple(buckets), window, money, span)
    return run_query(ledger, "features", key, dates, SCHEMA, build)


def ledger_shape(ledger) -> tuple[str, MonthSpan]:
    """What the compiled feature query needs to know of the ledger's values, once per ledger.

    The exact type of one line's amounts in the sums:
    :data:`~segkit.features.activity.LINE_EXACT` when every invoice and payment amount is below
    10**12 in absolute value (its 64-bit sums are several times faster),
    :data:`~segkit.features.activity.EXACT` otherwise (totals are ``decimal(38, 6)`` either
    way); and the span of invoice months, for the month masks.
    """
    store = ledger_cache(ledger, "shape")
    if "shape" not in store:
        inv = ledger.invoices
        row = inv.aggregate(
            largest=inv.amount.abs().max(),
            first=inv.invoice_date.min(),
            last=inv.invoice_date.max(),
        ).execute()
        largest = [row["largest"].iloc[0]]
        if ledger.payments is not None:
            largest.append(ledger.payments.amount.abs().max().execute())
        fits = all(pd.isna(x) or float(x) < LINE_EXACT_LIMIT for x in largest)
        span = MonthSpan.between(row["first"].iloc[0], row["last"].iloc[0])
        store["shape"] = (LINE_EXACT if fits else EXACT, span)
    return store["shape"]


def _batch(ledger, k: int, n: int):
    """The ledger restricted to the customers whose hashed id falls in group ``k`` of ``n``."""
    if n == 1:
        return ledger

    def keep(table):
        if table is None:
            return None
        remainder = table.customer_id.hash() % n  # the hash may be negative
        return table.filter((remainder + n) % n == k)

    return dataclasses.replace(
        ledger,
        invoices=keep(ledger.invoices),
        customers=keep(ledger.customers),
        payments=keep(ledger.payments),
    )


def _zero_fills(buckets, settled: bool) -> dict:
    """Counts, amounts and (with settlement) balances of a customer without lines: zero."""
    fills: dict = {c: 0 for c in COUNT_COLUMNS} | {c: 0.0 for c in AMOUNT_COLUMNS}
    if settled:
        names = [name for name, _low, _high in buckets]
        fills |= {c: 0.0 for c in (*BALANCE_COLUMNS, *names, *EXPOSURE)} | {"n_settled": 0}
    return fills


def _finish(frame: pd.DataFrame, buckets, settled: bool) -> pd.DataFrame:
    """Index (``as_of``, ``customer_id``), sorted, and the pandas types of the public frame.

    The engine returns the rows sorted with zeros filled; batches are sorted each, so their
    concatenation is sorted again here.
    """
    frame.index = _sorted_index(frame.pop("as_of"), frame.pop("customer_id"))
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index()
    counts = [*COUNT_COLUMNS, "n_settled"] if settled else COUNT_COLUMNS
    for col in counts:
        if frame[col].dtype != "int64":
            frame[col] = frame[col].astype("int64")
    for col in ("first_invoice", "last_invoice", "created"):
        if col in frame.columns and not pd.api.types.is_datetime64_dtype(frame[col]):
            frame[col] = pd.to_datetime(frame[col])
    return frame


def _sorted_index(days: pd.Series, ids: pd.Series) -> pd.MultiIndex:
    """The (``as_of``, ``customer_id``) index; built without factorizing when there is one date.

    With one date and the ids sorted and unique (the engine's order), the ids are the level;
    factorizing half a million ids with a sort would take a second.
    """
    names = ["as_of", "customer_id"]
    single = len(days) > 0 and (days.iloc[0] == days).all()
    if single and ids.is_monotonic_increasing and ids.is_unique:
        level = pd.Index(ids.to_numpy(), name="customer_id", dtype=object)
        codes = [np.zeros(len(ids), dtype=np.int64), np.arange(len(ids), dtype=np.int64)]
        dates = _day_index(days.iloc[:1])
        return pd.MultiIndex(
            levels=[dates, level], codes=codes, names=names, verify_integrity=False
        )
    return pd.MultiIndex.from_arrays([_day_index(days), ids], names=names)


def _day_index(days: pd.Series) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(days).astype("datetime64[ns]"))


def _with_firmographics(ledger, frame: pd.DataFrame, cny_per_eur, scale_edges, scale_labels):
    """Firmographics from the master data, once per customer and ledger; the group per date.

    Industry, size, region and scale band depend on a customer's master data only, so they
    are kept with the ledger and computed for new customers only; the group (the top of the
    ``parent_id`` chain among the customers known at a date) is computed per date.
    """
    master = frame.droplevel("as_of")
    master = master[~master.index.duplicated()]
    store = ledger_cache(ledger, "firmographics")
    key = (cny_per_eur, tuple(scale_edges), tuple(scale_labels))
    known = store.get(key)
    missing = master.index if known is None else master.index.difference(known.index)
    if len(missing) or known is None:
        new = firmographics(master.loc[missing], cny_per_eur, scale_edges, scale_labels)
        known = new if known is None else pd.concat([known, new])
        store[key] = known
    derived = known.loc[master.index]
    groups = [
        group_ids(part.droplevel("as_of")).to_frame().assign(as_of=day)
        for day, part in frame.groupby(level="as_of", sort=False)
    ]
    group = pd.concat(groups).set_index("as_of", append=True).reorder_levels([1, 0])
    joined = frame.join(derived.drop(columns="group_id"), on="customer_id")
    joined["group_id"] = group["group_id"]
    return joined
