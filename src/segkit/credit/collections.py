"""The collections view: where the open receivables sit, how DSO moves, whom to call first.

- :func:`portfolio_summary` and :func:`headline_table`: the headline numbers of a scored
  portfolio, raw and formatted for a report (English or Chinese);
- :func:`segment_behaviour`: balances, lateness and risk per segment (size, industry, ...);
- :func:`aging_by_grade`: open AR by aging bucket and rating grade;
- :func:`dso_trend`: portfolio DSO at each month-end, point in time, computed in the engine;
- :func:`contact_list`: the customers a collector should contact first, with the reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import ibis
import pandas as pd

from segkit.checks import as_date, check_lang
from segkit.exceptions import ConfigError, SchemaError
from segkit.features import DEFAULT_AGING_EDGES, aging_buckets
from segkit.text import text

__all__ = [
    "HEADLINE_FORMATS",
    "aging_by_grade",
    "contact_list",
    "dso_trend",
    "headline_table",
    "portfolio_summary",
    "segment_behaviour",
]

_ = ibis._
_TOL = 0.005  # half a cent: amounts this close to settling count as settled (as in features)
_KEYS = ["customer_id", "as_of"]

#: Number format of each headline measure; its name is in the text catalogue (``credit_measure``).
HEADLINE_FORMATS = {
    "customers": "{:,.0f}",
    "open_ar": "{:,.0f}",
    "overdue": "{:,.0f}",
    "overdue_share": "{:.1%}",
    "past_due_90_plus": "{:,.0f}",
    "share_90_plus": "{:.1%}",
    "expected_loss": "{:,.0f}",
    "expected_loss_rate": "{:.2%}",
    "customers_in_default": "{:,.0f}",
    "dso_days": "{:,.0f}",
}


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"{name} must have the columns {list(columns)}; missing {missing}.")


def portfolio_summary(
    scored: pd.DataFrame, dso_days: float | None = None, over_90_col: str = "aging_90_plus"
) -> pd.Series:
    """Headline numbers of a scored portfolio.

    Parameters
    ----------
    scored : pandas.DataFrame
        One row per customer with ``open_balance``, ``overdue_balance``, ``over_90_col``,
        ``expected_loss`` and ``in_default_at_as_of`` (e.g. ``CreditStudy.scored``).
    dso_days : float, optional
        Portfolio DSO to report alongside (e.g. the last value of :func:`dso_trend`).
    over_90_col : str, default "aging_90_plus"
        Aging column holding the amount more than 90 days past due.

    Returns
    -------
    pandas.Series
        ``customers``, ``open_ar``, ``overdue``, ``overdue_share``, ``past_due_90_plus``,
        ``share_90_plus``, ``expected_loss``, ``expected_loss_rate`` (of open AR),
        ``customers_in_default`` and ``dso_days`` (NaN when not given).
    """
    needed = ["open_balance", "overdue_balance", over_90_col, "expected_loss",
              "in_default_at_as_of"]  # fmt: skip
    _require(scored, needed, "scored")
    open_ar = float(scored["open_balance"].sum())
    share = (lambda x: x / open_ar) if open_ar > 0 else (lambda x: float("nan"))
    overdue, late = float(scored["overdue_balance"].sum()), float(scored[over_90_col].sum())
    loss = float(scored["expected_loss"].sum())
    values = {
        "customers": len(scored), "open_ar": open_ar, "overdue": overdue,
        "overdue_share": share(overdue), "past_due_90_plus": late, "share_90_plus": share(late),
        "expected_loss": loss, "expected_loss_rate": share(loss),
        "customers_in_default": int(scored["in_default_at_as_of"].sum()),
        "dso_days": float("nan") if dso_days is None else float(dso_days),
    }  # fmt: skip
    return pd.Series(values, dtype=object, name="portfolio")


def headline_table(summary: pd.Series, lang: str = "en", currency: str = "CNY") -> pd.DataFrame:
    """The output of :func:`portfolio_summary` as a two-column table for a report.

    Parameters
    ----------
    summary : pandas.Series
        From :func:`portfolio_summary`.
    lang : {"en", "zh"}, default "en"
    currency : str, default "CNY"
        The ledger's currency, named in the labels of amounts.

    Returns
    -------
    pandas.DataFrame
        Columns ``measure`` (in ``lang``, from the catalogue kind ``credit_measure``) and
        ``value`` (formatted text), one row per measure of :data:`HEADLINE_FORMATS` found in
        ``summary``; missing values show "–".
    """
    check_lang(lang)
    rows = []
    for key, pattern in HEADLINE_FORMATS.items():
        if key in summary.index:
            value = summary[key]
            shown = "–" if pd.isna(value) else pattern.format(float(value))
            rows.append((text("credit_measure", key, lang, currency=currency), shown))
    return pd.DataFrame(rows, columns=["measure", "value"])


def segment_behaviour(scored: pd.DataFrame, by: str) -> pd.DataFrame:
    """Balances, payment behaviour and risk per segment, largest open balance first.

    Parameters
    ----------
    scored : pandas.DataFrame
        One row per customer with ``by``, ``open_balance``, ``overdue_balance``,
        ``avg_days_late``, ``pd`` and ``expected_loss``.
    by : str
        Segment column (e.g. ``size_cn``, ``industry_section``); missing values form the
        segment ``"unknown"``.

    Returns
    -------
    pandas.DataFrame
        Index ``by``; ``customers``, ``open_balance``, ``overdue_share`` (overdue / open),
        ``median_days_late`` (median of ``avg_days_late``), ``mean_pd``, ``expected_loss``
        and ``expected_loss_rate`` (expected loss / open balance).
    """
    columns = ["open_balance", "overdue_balance", "avg_days_late", "pd", "expected_loss"]
    _require(scored, [by, *columns], "scored")
    segment = scored[by].astype(object).where(scored[by].notna(), "unknown").rename(by)
    groups = scored[columns].groupby(segment)
    out = groups.agg(
        customers=("open_balance", "size"),
        open_balance=("open_balance", "sum"),
        overdue=("overdue_balance", "sum"),
        median_days_late=("avg_days_late", "median"),
        mean_pd=("pd", "mean"),
        expected_loss=("expected_loss", "sum"),
    )
    out.insert(2, "overdue_share", out.pop("overdue") / out["open_balance"])
    out["expected_loss_rate"] = out["expected_loss"] / out["open_balance"]
    return out.sort_values("open_balance", ascending=False, kind="stable")


def aging_by_grade(
    scored_features: pd.DataFrame, buckets: Sequence[str] | None = None, grade_col: str = "grade"
) -> pd.DataFrame:
    """Open receivables by aging bucket (columns) and grade (rows), in CNY.

    Parameters
    ----------
    scored_features : pandas.DataFrame
        One row per customer with a grade column and the aging columns.
    buckets : sequence of str, optional
        Aging columns, oldest last; None uses the default buckets (``aging_current``,
        ``aging_1_30``, ``aging_31_60``, ``aging_61_90``, ``aging_90_plus``).
    grade_col : str, default "grade"

    Returns
    -------
    pandas.DataFrame
        Index ``grade`` (labels: every category of a categorical grade, best first; else the
        grades present, sorted), the bucket columns and ``total``; empty grades hold zeros.
    """
    names = list(buckets) if buckets is not None else _default_buckets()
    _require(scored_features, [grade_col, *names], "scored_features")
    grades = scored_features[grade_col]
    table = scored_features[names].astype(float).groupby(grades, observed=False).sum()
    table = table.reindex(_grade_order(grades), fill_value=0.0)
    table.index = pd.Index(list(table.index), dtype=object, name="grade")
    table["total"] = table[names].sum(axis=1)
    return table


def _default_buckets() -> list[str]:
    return [name for name, _low, _high in aging_buckets(DEFAULT_AGING_EDGES)]


def _grade_order(grades: pd.Series) -> list:
    if isinstance(grades.dtype, pd.CategoricalDtype):
        return list(grades.cat.categories)
    return sorted(grades.dropna().unique())


def contact_list(scored: pd.DataFrame, n: int = 20, overdue_only: bool = True) -> pd.DataFrame:
    """Customers to contact first: largest expected loss, then most days and amount overdue.

    Parameters
    ----------
    scored : pandas.DataFrame
        Index ``customer_id``; columns ``expected_loss``, ``open_balance``,
        ``overdue_balance``, ``grade``, ``pd`` and ``open_days_past_due`` (worst days past due
        of an open invoice); optional ``name``, ``in_default_at_as_of``,
        ``days_since_last_payment`` and ``last_payment_date`` (e.g. ``CreditStudy.scored``).
    n : int, default 20
        Number of customers to list.
    overdue_only : bool, default True
        Only customers with an overdue amount (there is something to chase).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; ``rank`` (1 = first call), then the columns present among
        ``name``, ``grade``, ``pd``, ``expected_loss``, ``open_balance``, ``overdue_balance``,
        ``open_days_past_due``, ``last_payment_date``, ``days_since_last_payment``, and
        ``reason`` (why the customer is on the list, in words).
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ConfigError(f"n must be an int >= 1; got {n!r}.")
    keys = ["expected_loss", "open_days_past_due", "overdue_balance"]
    _require(scored, [*keys, "open_balance", "grade", "pd"], "scored")
    rows = scored[scored["overdue_balance"] > 0] if overdue_only else scored
    rows = rows.sort_values(keys, ascending=False, kind="stable").head(int(n))
    shown = ["name", "grade", "pd", "expected_loss", "open_balance", "overdue_balance",
             "open_days_past_due", "last_payment_date", "days_since_last_payment"]  # fmt: skip
    out = rows[[c for c in shown if c in rows.columns]].copy()
    out.insert(0, "rank", range(1, len(out) + 1))
    out["reason"] = [reason(row) for _id, row in rows.iterrows()]
    return out


def reason(row: pd.Series, lang: str = "en") -> str:
    """Why a customer is on a collections list, in words (catalogue kind ``credit_reason``)."""
    parts = []
    days = row["open_days_past_due"]
    if bool(row.get("in_default_at_as_of", False)):
        parts.append(text("credit_reason", "in_default", lang, days=days))
    elif days > 0:
        key = "past_due_one" if round(days) == 1 else "past_due"  # "1 day", never "1 days"
        parts.append(text("credit_reason", key, lang, days=days))
    if row["open_balance"] > 0 and row["overdue_balance"] >= 0.5 * row["open_balance"]:
        share = row["overdue_balance"] / row["open_balance"]
        parts.append(text("credit_reason", "overdue_share", lang, share=share))
    if "days_since_last_payment" in row.index:
        silence = row["days_since_last_payment"]
        if pd.isna(silence):
            parts.append(text("credit_reason", "never_paid", lang))
        elif silence > 60:
            parts.append(text("credit_reason", "no_payment", lang, days=silence))
    if row.get("disputed_share", 0) > 0:
        parts.append(text("credit_reason", "disputed", lang))
    joiner = "；" if lang == "zh" else "; "
    return joiner.join(parts) or text("credit_reason", "largest_loss", lang)


def dso_trend(ledger, start=None, end=None, freq: str = "ME", window_days: int = 365):
    """Portfolio DSO at each period end, from the data known at that date.

    ``DSO = open receivables / credit sales of the trailing window x window days`` (Credit
    Research Foundation's "AR / credit sales x days"), where the open receivables follow the
    settlement rules of :mod:`segkit.features.payments` (payments allocated to their
    invoice, unallocated cash and credit notes netted per customer) and credit sales are the
    positive invoices dated in the window. All dates are computed in one engine query.

    Parameters
    ----------
    ledger : segkit.Ledger
        Needs settlement data (payments, or ``invoices.settled_date``).
    start, end : str or date, optional
        First and last dates of the schedule; default the first and last invoice dates.
    freq : str, default "ME"
        pandas frequency of the dates (month-ends).
    window_days : int, default 365
        Length of the credit-sales window.

    Returns
    -------
    pandas.DataFrame
        Index ``as_of`` (datetime64); columns ``open_balance``, ``credit_sales``,
        ``dso_days`` (NaN without sales) and ``window_complete`` (the window starts on or
        after the first invoice date, so early values are not inflated by a short history).
    """
    if isinstance(window_days, bool) or not isinstance(window_days, Integral) or window_days < 1:
        raise ConfigError(f"window_days must be an int >= 1; got {window_days!r}.")
    dates = _schedule(ledger, start, end, freq)
    months = ibis.memtable(pd.DataFrame({"as_of": dates})).mutate(as_of=_.as_of.cast("date"))
    per_customer = _open_by_customer(ledger, months, int(window_days))
    totals = per_customer.group_by("as_of").aggregate(
        open_balance=_.open_balance.sum(), credit_sales=_.sales.sum()
    )
    frame = totals.execute().assign(as_of=lambda f: pd.to_datetime(f["as_of"]))
    frame = frame.set_index("as_of").reindex(pd.DatetimeIndex(list(dates), name="as_of"))
    frame = frame.fillna({"open_balance": 0.0, "credit_sales": 0.0}).astype(float)
    sales = frame["credit_sales"].where(frame["credit_sales"] > 0)
    frame["dso_days"] = frame["open_balance"] / sales * window_days
    first = pd.Timestamp(ledger.invoices.invoice_date.min().execute())
    frame["window_complete"] = frame.index - pd.Timedelta(days=window_days) >= first
    return frame


def _schedule(ledger, start, end, freq) -> pd.DatetimeIndex:
    first = start if start is not None else ledger.invoices.invoice_date.min().execute()
    last = end if end is not None else ledger.invoices.invoice_date.max().execute()
    low, high = pd.Timestamp(as_date(first, "start")), pd.Timestamp(as_date(last, "end"))
    try:
        dates = pd.date_range(low, high, freq=freq)
    except ValueError as error:
        raise ConfigError(f"freq must be a pandas frequency such as 'ME'; got {freq!r}.") from error
    if dates.empty:
        raise ConfigError(f"no {freq!r} date between start {low.date()} and end {high.date()}.")
    return dates


def _lines(ledger, months) -> ibis.Table:
    inv = ledger.invoices
    extra = {"settled_date": inv.settled_date.cast("date")} if "settled_date" in inv.columns else {}
    lines = inv.select(
        customer_id=inv.customer_id.cast("string"),
        invoice_id=inv.invoice_id.cast("string"),
        invoice_date=inv.invoice_date.cast("date"),
        amount=inv.amount.cast("float64"),
        **extra,
    )
    return lines.cross_join(months).filter(_.invoice_date <= _.as_of)


def _open_by_customer(ledger, months, window: int) -> ibis.Table:
    """Open balance and credit sales per customer and date (one row per pair)."""
    known = _lines(ledger, months)
    in_window = _.invoice_date > _.as_of - ibis.interval(days=window)
    if ledger.payments is None:
        if "settled_date" not in known.columns:
            raise SchemaError(
                "dso_trend needs settlement data: a payments table or an invoices.settled_date "
                "column; got neither."
            )
        bills = known.filter(_.amount > 0)
        done = _.settled_date.notnull() & (_.settled_date <= _.as_of)
        return bills.group_by(_KEYS).aggregate(
            open_balance=ibis.ifelse(done, 0.0, _.amount).sum(),
            sales=ibis.ifelse(in_window, _.amount, 0.0).sum(),
        )
    return _net_open(ledger, months, known, in_window)


def _net_open(ledger, months, known, in_window) -> ibis.Table:
    """Open = max(owed after allocated payments - credits, 0) per customer and date.

    Credits (unallocated cash, payments naming an invoice unknown at the date, payments beyond
    an invoice's amount, credit notes) are applied first-in first-out to what is owed, so
    their total reduces the customer's open balance until it reaches zero.
    """
    pay = ledger.payments
    paid = pay.select(
        customer_id=pay.customer_id.cast("string"),
        invoice_id=pay.invoice_id.cast("string"),
        payment_date=pay.payment_date.cast("date"),
        amount=pay.amount.cast("float64"),
    )
    paid = paid.cross_join(months).filter(_.payment_date <= _.as_of)
    named = paid.filter(_.invoice_id.notnull()).group_by([*_KEYS, "invoice_id"])
    named = named.aggregate(paid=_.amount.sum())
    bills = known.filter(_.amount > 0).left_join(named, [*_KEYS, "invoice_id"])
    bills = bills.drop(c for c in bills.columns if c.endswith("_right"))
    bills = bills.mutate(paid=_.paid.fill_null(0.0))
    parts = [
        bills.group_by(_KEYS).aggregate(
            owed=ibis.ifelse(_.paid >= _.amount - _TOL, 0.0, _.amount - _.paid).sum(),
            credit=(ibis.greatest(_.paid - _.amount, 0.0) - _.paid).sum(),
            sales=ibis.ifelse(in_window, _.amount, 0.0).sum(),
        ),
        paid.group_by(_KEYS).aggregate(owed=ibis.literal(0.0), credit=_.amount.sum(),
                                       sales=ibis.literal(0.0)),
        known.filter(_.amount < 0).group_by(_KEYS).aggregate(
            owed=ibis.literal(0.0), credit=(-_.amount).sum(), sales=ibis.literal(0.0)
        ),
    ]  # fmt: skip
    net = (
        ibis.union(*parts)
        .group_by(_KEYS)
        .aggregate(owed=_.owed.sum(), credit=_.credit.sum(), sales=_.sales.sum())
    )
    gap = net.owed - net.credit
    return net.select(*_KEYS, open_balance=ibis.ifelse(gap > _TOL, gap, 0.0), sales=net.sales)
