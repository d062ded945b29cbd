"""The settled-date ledger shape and the Polars contender of ``features.py``.

The settled-date shape is the same ledger as the payments shape without a payments table: each
invoice paid in full carries the date of its last payment as ``settled_date``; partly paid and
unpaid invoices have none (open in full). The SQL below is the hand-written DuckDB query for
that shape; ``polars_features`` computes the same columns with Polars' lazy API for either
shape (what a user might write instead of segkit).
"""

from __future__ import annotations

from pathlib import Path

TOL = 0.005

SETTLED_SQL = """
WITH all_lines AS (
    SELECT customer_id, invoice_date, due_date, amount, settled_date FROM read_parquet('{inv}')
), lines AS (
    SELECT customer_id, invoice_date, amount,
           CASE WHEN settled_date <= DATE '{as_of}' THEN settled_date END AS settled,
           CASE WHEN settled_date <= DATE '{as_of}' THEN 0 ELSE amount END AS open,
           CASE WHEN settled_date <= DATE '{as_of}' THEN settled_date - due_date END AS days_late,
           CASE WHEN settled_date IS NULL OR settled_date > DATE '{as_of}'
                THEN DATE '{as_of}' - due_date END AS dpd
    FROM all_lines WHERE invoice_date <= DATE '{as_of}'
), features AS (
    SELECT customer_id,
        min(invoice_date) AS first_invoice, max(invoice_date) AS last_invoice,
        count(*) AS n_invoices,
        count(*) FILTER (WHERE invoice_date > DATE '{cut12}') AS invoices_12m,
        count(DISTINCT date_trunc('month', invoice_date)) AS active_months,
        count(DISTINCT date_trunc('month', invoice_date))
            FILTER (WHERE invoice_date > DATE '{cut12}') AS active_months_12m,
        sum(amount) AS net_amount,
        sum(amount) FILTER (WHERE invoice_date > DATE '{cut12}') AS revenue_12m,
        sum(amount) FILTER (WHERE invoice_date > DATE '{cut24}'
                              AND invoice_date <= DATE '{cut12}') AS revenue_prev_12m,
        sum(open) AS open_balance,
        sum(open) FILTER (WHERE dpd > 0) AS overdue_balance,
        sum(open) FILTER (WHERE dpd <= 0) AS aging_current,
        sum(open) FILTER (WHERE dpd > 0 AND dpd <= 30) AS aging_1_30,
        sum(open) FILTER (WHERE dpd > 30 AND dpd <= 60) AS aging_31_60,
        sum(open) FILTER (WHERE dpd > 60 AND dpd <= 90) AS aging_61_90,
        sum(open) FILTER (WHERE dpd > 90) AS aging_90_plus,
        sum(amount) FILTER (WHERE invoice_date > DATE '{dso_start}') AS sales,
        sum(amount * greatest(days_late, 0)) AS late_amount_days,
        sum(amount) FILTER (WHERE settled IS NOT NULL) AS settled_amount,
        count(*) FILTER (WHERE days_late > 0) AS n_late,
        max(greatest(coalesce(dpd, days_late), 0)) AS max_days_past_due,
        count(settled) AS n_settled,
        max(settled) AS last_payment
    FROM lines GROUP BY customer_id
)
SELECT c.customer_id, f.first_invoice, f.last_invoice,
    coalesce(f.n_invoices, 0) AS n_invoices, coalesce(f.invoices_12m, 0) AS invoices_12m,
    coalesce(f.active_months, 0) AS active_months,
    coalesce(f.active_months_12m, 0) AS active_months_12m,
    coalesce(f.n_settled, 0) AS n_settled,
    coalesce(f.net_amount, 0) AS net_amount, coalesce(f.revenue_12m, 0) AS revenue_12m,
    coalesce(f.revenue_prev_12m, 0) AS revenue_prev_12m,
    (DATE '{as_of}' - f.last_invoice)::DOUBLE AS recency_days,
    (DATE '{as_of}' - f.first_invoice)::DOUBLE AS tenure_days,
    CASE WHEN f.revenue_prev_12m > 0
        THEN coalesce(f.revenue_12m, 0) / f.revenue_prev_12m - 1 END AS growth_12m,
    f.net_amount / f.n_invoices AS mean_invoice,
    coalesce(f.open_balance, 0) AS open_balance, coalesce(f.overdue_balance, 0) AS overdue_balance,
    coalesce(f.aging_current, 0) AS aging_current, coalesce(f.aging_1_30, 0) AS aging_1_30,
    coalesce(f.aging_31_60, 0) AS aging_31_60, coalesce(f.aging_61_90, 0) AS aging_61_90,
    coalesce(f.aging_90_plus, 0) AS aging_90_plus,
    f.open_balance / nullif(f.sales, 0) * {window} AS dso_days,
    f.late_amount_days / nullif(f.settled_amount, 0) AS avg_days_late,
    f.n_late / nullif(f.n_settled, 0) AS share_paid_late,
    f.max_days_past_due::DOUBLE AS max_days_past_due,
    (DATE '{as_of}' - f.last_payment)::DOUBLE AS days_since_last_payment
FROM (SELECT DISTINCT customer_id FROM all_lines) c
LEFT JOIN features f USING (customer_id)
ORDER BY c.customer_id
"""


def polars_features(invoices: str, payments: str | None, w: dict):
    """The compared columns with Polars' lazy API, from the Parquet globs; a pandas frame."""
    import polars as pl

    as_of = pl.lit(w["as_of"]).str.to_date()
    scan = pl.scan_parquet(invoices)
    customers = scan.select("customer_id").unique()
    inv = scan.filter(pl.col("invoice_date") <= as_of)
    if payments is None:
        lines, last = _polars_settled(inv, as_of)
    else:
        lines, last = _polars_paid(inv, pl.scan_parquet(payments), as_of)
    features = _polars_aggregate(lines, w, as_of)
    out = customers.join(features, on="customer_id", how="left").join(
        last, on="customer_id", how="left"
    )
    zero = ["n_invoices", "invoices_12m", "active_months", "active_months_12m", "n_settled",
            "net_amount", "revenue_12m", "revenue_prev_12m", "open_balance", "overdue_balance",
            "aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_90_plus"]  # fmt: skip
    out = out.with_columns(
        [pl.col(c).fill_null(0) for c in zero],
        days_since_last_payment=(as_of - pl.col("last_payment")).dt.total_days(),
    )
    return out.collect().to_pandas().set_index("customer_id")


def _polars_settled(inv, as_of):
    import polars as pl

    done = pl.col("settled_date").is_not_null() & (pl.col("settled_date") <= as_of)
    lines = inv.with_columns(
        settled=pl.when(done).then(pl.col("settled_date")),
        open=pl.when(done).then(0.0).otherwise(pl.col("amount")),
    )
    last = lines.group_by("customer_id").agg(last_payment=pl.col("settled").max())
    return lines, last


def _polars_paid(inv, pay, as_of):
    import polars as pl

    pay = pay.filter(pl.col("payment_date") <= as_of)
    daily = pay.group_by("invoice_id", "payment_date").agg(paid=pl.col("amount").sum())
    running = daily.join(inv.select("invoice_id", "amount"), on="invoice_id").sort(
        "invoice_id", "payment_date"
    )
    running = running.with_columns(cum=pl.col("paid").cum_sum().over("invoice_id"))
    reached = pl.col("cum") >= pl.col("amount") - TOL
    alloc = running.group_by("invoice_id").agg(
        paid=pl.col("paid").sum(), settled=pl.col("payment_date").filter(reached).min()
    )
    lines = inv.join(alloc, on="invoice_id", how="left").with_columns(
        open=pl.when(pl.col("settled").is_null())
        .then(pl.col("amount") - pl.col("paid").fill_null(0.0))
        .otherwise(0.0)
    )
    last = pay.group_by("customer_id").agg(last_payment=pl.col("payment_date").max())
    return lines, last


def _polars_aggregate(lines, w: dict, as_of):
    import polars as pl

    def day(key):
        return pl.lit(w[key]).str.to_date()

    date, amount, open_ = pl.col("invoice_date"), pl.col("amount"), pl.col("open")
    recent = date > day("cut12")
    month = date.dt.truncate("1mo")
    days_late = (pl.col("settled") - pl.col("due_date")).dt.total_days()
    dpd = pl.when(pl.col("settled").is_null()).then((as_of - pl.col("due_date")).dt.total_days())
    lines = lines.with_columns(days_late=days_late, dpd=dpd)
    dpd, late, settled = pl.col("dpd"), pl.col("days_late"), pl.col("settled").is_not_null()
    aging = {
        "aging_current": dpd <= 0, "aging_1_30": (dpd > 0) & (dpd <= 30),
        "aging_31_60": (dpd > 30) & (dpd <= 60), "aging_61_90": (dpd > 60) & (dpd <= 90),
        "aging_90_plus": dpd > 90,
    }  # fmt: skip
    g = lines.group_by("customer_id").agg(
        first_invoice=date.min(), last_invoice=date.max(), n_invoices=pl.len(),
        invoices_12m=recent.sum(), active_months=month.n_unique(),
        active_months_12m=month.filter(recent).n_unique(), net_amount=amount.sum(),
        revenue_12m=amount.filter(recent).sum(),
        revenue_prev_12m=amount.filter((date > day("cut24")) & ~recent).sum(),
        open_balance=open_.sum(), overdue_balance=open_.filter(dpd > 0).sum(),
        **{name: open_.filter(rule).sum() for name, rule in aging.items()},
        sales=amount.filter(date > day("dso_start")).sum(),
        late_amount_days=(amount * late.clip(lower_bound=0)).filter(settled).sum(),
        settled_amount=amount.filter(settled).sum(), n_late=(late > 0).sum(),
        n_settled=settled.sum(),
        max_days_past_due=pl.coalesce(dpd, late).clip(lower_bound=0).max(),
    )  # fmt: skip
    prev, n_settled = pl.col("revenue_prev_12m"), pl.col("n_settled")
    return g.with_columns(
        recency_days=(as_of - pl.col("last_invoice")).dt.total_days(),
        tenure_days=(as_of - pl.col("first_invoice")).dt.total_days(),
        growth_12m=pl.when(prev > 0).then(pl.col("revenue_12m") / prev - 1),
        mean_invoice=pl.col("net_amount") / pl.col("n_invoices"),
        dso_days=pl.col("open_balance")
        / pl.when(pl.col("sales") != 0).then(pl.col("sales"))
        * int(w["window"]),
        avg_days_late=pl.col("late_amount_days")
        / pl.when(pl.col("settled_amount") != 0).then(pl.col("settled_amount")),
        share_paid_late=pl.col("n_late") / pl.when(n_settled != 0).then(n_settled),
    )


def settled_folder(folder: Path) -> Path:
    return folder / "invoices_settled"
