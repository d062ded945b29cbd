"""Customer features at scale: segkit on Parquet against hand-written DuckDB SQL and pandas.

Run by hand (``make bench``), e.g.::

    python benchmarks/features.py --invoices 10_000_000 --customers 500_000

Steps:

1. Generate a seeded synthetic ledger (invoices and payments, no customers table) as Parquet
   under ``benchmarks/data/`` in chunks, one file per ``--rows-per-file`` invoices, so that any
   size fits in memory while it is written. Same seed and chunk size -> same files.
2. Run each contender in a fresh Python process and record its wall time and peak resident
   memory (``ru_maxrss`` of that process, which includes the interpreter and its imports):

   - ``segkit``: ``Ledger.from_tables(con.read_parquet(glob), ...)`` with validation on, then
     ``customer_features(..., firmographic=False)``; validation time is reported separately;
   - ``duckdb_sql``: one hand-written DuckDB query over the same Parquet files;
   - ``pandas``: idiomatic pandas on frames read with pyarrow.
3. Check that all contenders agree on every customer (floats to a relative 1e-9) and write
   ``benchmarks/results/features_<n>.json`` and the table ``benchmarks/results/features.md``.

The benchmark ledger has no credit notes, no unallocated cash and no over-payments: every
payment names an invoice of its own customer and never pays more than it owes. On such a
ledger segkit's settlement rules reduce to the simplified definitions that the SQL and pandas
contenders implement (an invoice is settled on the day its cumulative payments reach its
amount), so all three compute the same columns (``COMPARED``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from contenders import SETTLED_SQL, polars_features

HERE = Path(__file__).resolve().parent
TOL = 0.005  # settled when cumulative payments are within half a cent of the amount
START, END = np.datetime64("2023-01-01"), np.datetime64("2025-12-31")
AGING = (("aging_current", None, 0), ("aging_1_30", 0, 30), ("aging_31_60", 30, 60),
         ("aging_61_90", 60, 90), ("aging_90_plus", 90, None))  # fmt: skip
COUNTS = ["n_invoices", "invoices_12m", "active_months", "active_months_12m", "n_settled"]
DATES = ["first_invoice", "last_invoice"]
FLOATS = [
    "net_amount", "revenue_12m", "revenue_prev_12m", "recency_days", "tenure_days", "growth_12m",
    "mean_invoice", "open_balance", "overdue_balance", *[a[0] for a in AGING], "dso_days",
    "avg_days_late", "share_paid_late", "max_days_past_due", "days_since_last_payment",
]  # fmt: skip
COMPARED = [*DATES, *COUNTS, *FLOATS]
CONTENDERS = ("segkit", "duckdb_sql", "polars", "pandas")
SHAPES = ("payments", "settled")


# -- data ---------------------------------------------------------------------------------------


def generate(
    folder: Path,
    n_invoices: int,
    n_customers: int,
    seed: int,
    rows_per_file: int,
    chunk: int = 2_000_000,
) -> Path:
    """Write invoices/part-*.parquet and payments/part-*.parquet; skip if already complete."""
    import pyarrow.parquet as pq

    done = folder / "_complete.json"
    spec = {
        "invoices": n_invoices,
        "customers": n_customers,
        "seed": seed,
        "rows_per_file": rows_per_file,
        "chunk": chunk,
        "shapes": list(SHAPES),
    }
    if done.exists() and json.loads(done.read_text()) == spec:
        return folder
    for sub in ("invoices", "payments", "invoices_settled"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for old in (folder / sub).glob("*.parquet"):
            old.unlink()
    weights, late_mean = _customer_profile(n_customers, seed)
    starts = range(0, n_invoices, chunk)
    writers: dict[str, pq.ParquetWriter] = {}
    for k, first in enumerate(starts):
        rng = np.random.default_rng([seed, k])
        invoices, payments, settled = _chunk(
            rng, first, min(chunk, n_invoices - first), weights, late_mean
        )
        part = first // rows_per_file
        tables = (("invoices", invoices), ("payments", payments), ("invoices_settled", settled))
        for name, table in tables:
            key = f"{name}-{part}"
            if key not in writers:
                _close(writers, name)
                path = folder / name / f"part-{part:04d}.parquet"
                writers[key] = pq.ParquetWriter(path, table.schema, compression="zstd")
            writers[key].write_table(table, row_group_size=1_000_000)
    for writer in writers.values():
        writer.close()
    done.write_text(json.dumps(spec))
    return folder


def _close(writers, name):
    for key in [k for k in writers if k.startswith(f"{name}-")]:
        writers.pop(key).close()


def _customer_profile(n_customers: int, seed: int):
    rng = np.random.default_rng([seed, 2**31])
    weights = rng.lognormal(0.0, 1.0, n_customers)
    late_mean = rng.gamma(1.5, 8.0, n_customers) - 6.0  # most pay near the due date, some late
    return weights / weights.sum(), late_mean


def _chunk(rng, first, n, weights, late_mean):
    import pyarrow as pa

    cust = rng.choice(len(weights), size=n, p=weights)
    days = int((END - START).astype(int)) + 1
    inv_date = START + rng.integers(0, days, n).astype("timedelta64[D]")
    due = inv_date + rng.choice([30, 60, 90], n, p=[0.5, 0.3, 0.2]).astype("timedelta64[D]")
    amount = np.round(rng.lognormal(8.0, 1.2, n) + 1.0, 2)
    late = np.round(late_mean[cust] + rng.normal(0, 10, n)).astype("timedelta64[D]")
    final = np.maximum(due + late, inv_date)
    kind = np.searchsorted([0.70, 0.85, 0.90], rng.random(n), side="right")  # 0 one payment,
    # 1 two payments, 2 partial only, 3 unpaid
    ids = np.arange(first, first + n)
    split = np.round(amount * rng.uniform(0.2, 0.8, n), 2)
    mid = inv_date + ((final - inv_date).astype(int) * rng.random(n)).astype("timedelta64[D]")
    one, two, part = kind == 0, kind == 1, kind == 2
    pay_inv = np.concatenate([ids[one], ids[two], ids[two], ids[part]])
    pay_no = np.concatenate([np.ones(one.sum() + two.sum(), int), np.full(two.sum(), 2),
                             np.ones(part.sum(), int)])  # fmt: skip
    pay_amount = np.concatenate([amount[one], split[two], np.round(amount[two] - split[two], 2),
                                 split[part]])  # fmt: skip
    pay_date = np.concatenate([final[one], mid[two], final[two], final[part]])
    pay_cust = np.concatenate([cust[one], cust[two], cust[two], cust[part]])
    invoices = pa.table({
        "invoice_id": _ids("I", ids, 10), "customer_id": _ids("C", cust, 8),
        "invoice_date": pa.array(inv_date, pa.date32()), "due_date": pa.array(due, pa.date32()),
        "amount": pa.array(amount, pa.float64()),
    })  # fmt: skip
    order = np.argsort(pay_date, kind="stable")
    payments = pa.table({
        "payment_id": _pay_ids(pay_inv[order], pay_no[order]),
        "customer_id": _ids("C", pay_cust[order], 8),
        "invoice_id": _ids("I", pay_inv[order], 10),
        "payment_date": pa.array(pay_date[order], pa.date32()),
        "amount": pa.array(pay_amount[order], pa.float64()),
    })  # fmt: skip
    # the settled-date shape: paid in full -> the date of the last payment, else none
    paid_in_full = (kind == 0) | (kind == 1)
    settled_date = pa.array(np.where(paid_in_full, final, np.datetime64("NaT")), pa.date32())
    return invoices, payments, invoices.append_column("settled_date", settled_date)


def _ids(prefix: str, numbers: np.ndarray, width: int):
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _pay_ids(invoice_numbers: np.ndarray, number: np.ndarray):
    import pyarrow as pa
    import pyarrow.compute as pc

    suffix = pa.array(number, pa.int64()).cast(pa.string())
    return pc.binary_join_element_wise(_ids("P", invoice_numbers, 10), suffix, "-")


# -- contenders ---------------------------------------------------------------------------------


def _windows(as_of: str, dso_days: int = 365) -> dict[str, str]:
    import pandas as pd

    day = pd.Timestamp(as_of)
    return {
        "as_of": as_of,
        "cut12": str((day - pd.DateOffset(months=12)).date()),
        "cut24": str((day - pd.DateOffset(months=24)).date()),
        "dso_start": str((day - pd.Timedelta(days=dso_days)).date()),
        "window": str(dso_days),
    }


def _globs(folder: Path, shape: str = "payments") -> tuple[str, str | None]:
    if shape == "settled":
        return str(folder / "invoices_settled" / "*.parquet"), None
    return str(folder / "invoices" / "*.parquet"), str(folder / "payments" / "*.parquet")


def memory_limit(spec: str, contender: str | None) -> str:
    """DuckDB's memory_limit for a contender: ``5GB``, or per contender ``segkit=4GB,duckdb_sql=6GB``."""
    if "=" not in spec:
        return spec
    limits = dict(item.split("=", 1) for item in spec.split(","))
    return limits.get(contender, limits.get("default", "5GB"))


def _duckdb_config(args) -> dict:
    tmp = Path(args.data_dir) / "duckdb_tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    extra = dict(setting.split("=", 1) for setting in args.duckdb_setting)
    return {
        "threads": args.threads,
        "memory_limit": memory_limit(args.memory_limit, args.child),
        "temp_directory": str(tmp),
        **extra,
    }


def run_segkit(folder: Path, args, parts: dict) -> object:
    """segkit's engine path: Parquet opened in DuckDB, validated, features in one query per batch."""
    import ibis

    from segkit import Ledger, customer_features

    con = ibis.duckdb.connect(**_duckdb_config(args))
    invoices, payments = _globs(folder, args.shape)
    start = time.perf_counter()
    paid = con.read_parquet(payments) if payments else None
    ledger = Ledger.from_tables(con.read_parquet(invoices), payments=paid)
    checked = time.perf_counter()
    parts["validate_s"] = checked - start
    frame = customer_features(ledger, args.as_of, firmographic=False, batches=args.batches)
    parts["features_s"] = time.perf_counter() - checked
    parts["batches"] = args.batches
    return frame


SQL = """
WITH all_lines AS (
    SELECT invoice_id, customer_id, invoice_date, due_date, amount FROM read_parquet('{inv}')
), inv AS (
    SELECT * FROM all_lines WHERE invoice_date <= DATE '{as_of}'
), paid AS (
    SELECT customer_id, invoice_id, payment_date, sum(amount) AS paid
    FROM read_parquet('{pay}') WHERE payment_date <= DATE '{as_of}'
    GROUP BY customer_id, invoice_id, payment_date
), running AS (
    SELECT p.invoice_id, p.payment_date, p.paid, i.amount,
           sum(p.paid) OVER (PARTITION BY p.invoice_id ORDER BY p.payment_date) AS cum
    FROM paid p JOIN inv i USING (invoice_id)
), alloc AS (
    SELECT invoice_id, sum(paid) AS paid,
           min(payment_date) FILTER (WHERE cum >= amount - {tol}) AS settled_date
    FROM running GROUP BY invoice_id
), lines AS (
    SELECT i.customer_id, i.invoice_date, i.amount, a.settled_date,
           CASE WHEN a.settled_date IS NULL THEN i.amount - coalesce(a.paid, 0) ELSE 0 END AS open,
           a.settled_date - i.due_date AS days_late,
           CASE WHEN a.settled_date IS NULL THEN DATE '{as_of}' - i.due_date END AS dpd
    FROM inv i LEFT JOIN alloc a USING (invoice_id)
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
        sum(amount) FILTER (WHERE settled_date IS NOT NULL) AS settled_amount,
        count(*) FILTER (WHERE days_late > 0) AS n_late,
        max(greatest(coalesce(dpd, days_late), 0)) AS max_days_past_due,
        count(settled_date) AS n_settled
    FROM lines GROUP BY customer_id
), last_payment AS (
    SELECT customer_id, max(payment_date) AS last_payment FROM paid GROUP BY customer_id
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
    (DATE '{as_of}' - l.last_payment)::DOUBLE AS days_since_last_payment
FROM (SELECT DISTINCT customer_id FROM all_lines) c
LEFT JOIN features f USING (customer_id)
LEFT JOIN last_payment l USING (customer_id)
ORDER BY c.customer_id
"""


def run_duckdb_sql(folder: Path, args, parts: dict) -> object:
    """One hand-written DuckDB query over the Parquet files."""
    import duckdb

    invoices, payments = _globs(folder, args.shape)
    con = duckdb.connect(config=_duckdb_config(args))
    template = SETTLED_SQL if args.shape == "settled" else SQL
    query = template.format(inv=invoices, pay=payments, tol=TOL, **_windows(args.as_of))
    return con.sql(query).df().set_index("customer_id")


def run_polars(folder: Path, args, parts: dict) -> object:
    """Polars' lazy API over the same Parquet files (all cores: 2 on the benchmark machine)."""
    invoices, payments = _globs(folder, args.shape)
    return polars_features(invoices, payments, _windows(args.as_of))


def run_pandas(folder: Path, args, parts: dict) -> object:
    """Idiomatic pandas: read with pyarrow, settle invoices, group by customer."""
    import pandas as pd
    import pyarrow.parquet as pq

    w = {k: pd.Timestamp(v) for k, v in _windows(args.as_of).items() if k != "window"}
    columns = ["invoice_id", "customer_id", "invoice_date", "due_date", "amount"]
    settled = args.shape == "settled"
    source = folder / ("invoices_settled" if settled else "invoices")
    read = columns + ["settled_date"] if settled else columns
    inv = pq.read_table(source, columns=read).to_pandas(date_as_object=False)
    customers = pd.Index(inv["customer_id"].unique(), name="customer_id").sort_values()
    inv = inv[inv["invoice_date"] <= w["as_of"]]
    if settled:
        lines = _pandas_settled(inv, w["as_of"])
        last = lines.groupby("customer_id")["settled_date"].max()
    else:
        pay = pq.read_table(folder / "payments", columns=columns[:2] + ["payment_date", "amount"])
        pay = pay.to_pandas(date_as_object=False)
        pay = pay[pay["payment_date"] <= w["as_of"]]
        lines = _pandas_settle(inv, pay, w["as_of"])
        last = pay.groupby("customer_id")["payment_date"].max()
    out = _pandas_features(lines, w).reindex(customers)
    out["days_since_last_payment"] = (w["as_of"] - last.reindex(customers)).dt.days
    zero = ["n_invoices", "invoices_12m", "active_months", "active_months_12m", "n_settled",
            "net_amount", "revenue_12m", "revenue_prev_12m", "open_balance", "overdue_balance",
            *[a[0] for a in AGING]]  # fmt: skip
    out[zero] = out[zero].fillna(0)
    return out


def _pandas_settle(inv, pay, as_of):
    daily = pay.groupby(["invoice_id", "payment_date"], as_index=False)["amount"].sum()
    # inner merge keeps the left order: sorted by invoice, then payment date
    daily = daily.merge(inv[["invoice_id", "amount"]], on="invoice_id", suffixes=("", "_due"))
    daily["cum"] = daily.groupby("invoice_id")["amount"].cumsum()
    reached = daily[daily["cum"] >= daily["amount_due"] - TOL]
    alloc = daily.groupby("invoice_id").agg(paid=("amount", "sum"))
    alloc["settled_date"] = reached.groupby("invoice_id")["payment_date"].min()
    lines = inv.join(alloc, on="invoice_id")
    is_open = lines["settled_date"].isna()
    lines["open"] = (lines["amount"] - lines["paid"].fillna(0.0)).where(is_open, 0.0)
    lines["days_late"] = (lines["settled_date"] - lines["due_date"]).dt.days
    lines["dpd"] = (as_of - lines["due_date"]).dt.days.where(is_open)
    return lines


def _pandas_settled(inv, as_of):
    done = inv["settled_date"].notna() & (inv["settled_date"] <= as_of)
    lines = inv.assign(settled_date=inv["settled_date"].where(done))
    lines["open"] = lines["amount"].where(~done, 0.0)
    lines["days_late"] = (lines["settled_date"] - lines["due_date"]).dt.days
    lines["dpd"] = (as_of - lines["due_date"]).dt.days.where(~done)
    return lines


def _pandas_features(lines, w):
    date, amount, dpd, late = (lines[c] for c in ("invoice_date", "amount", "dpd", "days_late"))
    recent = date > w["cut12"]
    month = date.dt.year * 12 + date.dt.month
    settled = lines["settled_date"].notna()
    helpers = {
        "recent": recent,
        "month": month,
        "month_12m": month.where(recent),
        "amount_12m": amount.where(recent, 0.0),
        "amount_prev": amount.where((date > w["cut24"]) & ~recent, 0.0),
        "overdue": lines["open"].where(dpd > 0, 0.0),
        "sales": amount.where(date > w["dso_start"], 0.0),
        "settled": settled,
        "settled_amount": amount.where(settled, 0.0),
        "late_amount_days": (amount * late.clip(lower=0)).where(settled, 0.0),
        "late": late > 0,
        "worst": dpd.fillna(late).clip(lower=0),
    }
    for name, low, high in AGING:
        low, high = -np.inf if low is None else low, np.inf if high is None else high
        inside = (dpd > low) & (dpd <= high)
        helpers[name] = lines["open"].where(inside, 0.0)
    g = lines.assign(**helpers).groupby("customer_id").agg(
        first_invoice=("invoice_date", "min"), last_invoice=("invoice_date", "max"),
        n_invoices=("amount", "size"), invoices_12m=("recent", "sum"),
        active_months=("month", "nunique"), active_months_12m=("month_12m", "nunique"),
        net_amount=("amount", "sum"), revenue_12m=("amount_12m", "sum"),
        revenue_prev_12m=("amount_prev", "sum"), open_balance=("open", "sum"),
        overdue_balance=("overdue", "sum"), **{a[0]: (a[0], "sum") for a in AGING},
        sales=("sales", "sum"), settled_amount=("settled_amount", "sum"),
        late_amount_days=("late_amount_days", "sum"), n_late=("late", "sum"),
        n_settled=("settled", "sum"), max_days_past_due=("worst", "max"),
    )  # fmt: skip
    as_of = w["as_of"]
    g["recency_days"] = (as_of - g["last_invoice"]).dt.days
    g["tenure_days"] = (as_of - g["first_invoice"]).dt.days
    prev = g["revenue_prev_12m"]
    g["growth_12m"] = (g["revenue_12m"] / prev - 1).where(prev > 0)
    g["mean_invoice"] = g["net_amount"] / g["n_invoices"]
    g["dso_days"] = g["open_balance"] / g["sales"].where(g["sales"] != 0) * 365
    g["avg_days_late"] = g["late_amount_days"] / g["settled_amount"].where(g["settled_amount"] != 0)
    g["share_paid_late"] = g["n_late"] / g["n_settled"].where(g["n_settled"] != 0)
    return g


RUNNERS = {"segkit": run_segkit, "duckdb_sql": run_duckdb_sql, "polars": run_polars,
           "pandas": run_pandas}  # fmt: skip
IMPORTS = {"segkit": ("ibis", "segkit"), "duckdb_sql": ("duckdb", "pandas"),
           "polars": ("polars", "pandas"), "pandas": ("pandas", "pyarrow.parquet")}  # fmt: skip


def _normalise(frame):
    """The compared columns, typed alike: int64 counts, float64 amounts, datetime64[ns] dates."""
    import pandas as pd

    frame = frame.reset_index().set_index("customer_id").sort_index()[COMPARED]
    types = {**dict.fromkeys(COUNTS, "int64"), **dict.fromkeys(FLOATS, "float64")}
    frame = frame.astype(types)
    for col in DATES:
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    frame.index = frame.index.astype(str)
    return frame


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def child(args) -> None:
    """Run one contender in this (fresh) process; print its measurements as JSON."""
    import importlib

    for module in IMPORTS[args.child]:
        importlib.import_module(module)
    baseline = _peak_rss_bytes()
    parts: dict = {}
    start, cpu = time.perf_counter(), time.process_time()
    try:
        frame = RUNNERS[args.child](Path(args.folder), args, parts)
    except Exception as exc:  # report the failure (e.g. out of memory) as a result
        frame, parts["error"] = None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    wall = time.perf_counter() - start
    parts["cpu_s"] = time.process_time() - cpu  # all threads: robust to a busy machine
    peak = _peak_rss_bytes()
    if frame is not None:
        _normalise(frame).to_parquet(args.result)
        parts["rows"] = len(frame)
    measured = {"wall_s": wall, "peak_rss_bytes": peak, "baseline_rss_bytes": baseline}
    print(json.dumps({**measured, **parts}))


def _run_child(name: str, folder: Path, args) -> dict:
    result = Path(args.data_dir) / "out" / f"{folder.name}_{name}.parquet"
    result.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name,
               "--folder", str(folder), "--result", str(result), "--as-of", args.as_of,
               "--threads", str(args.threads), "--memory-limit", args.memory_limit,
               "--data-dir", args.data_dir, "--shape", args.shape]  # fmt: skip
    command += [f"--duckdb-setting={setting}" for setting in args.duckdb_setting]
    command += ["--batches", str(args.batches)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "result": str(result)}


def _best(runs: list[dict]) -> dict:
    """The fastest of repeated runs, with every wall time and the highest peak memory."""
    ok = [r for r in runs if "error" not in r] or runs
    best = dict(min(ok, key=lambda r: r["wall_s"]))
    best["all_wall_s"] = [round(r["wall_s"], 3) for r in runs]
    best["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in runs)
    return best


def agreement(results: dict[str, dict]) -> dict[str, str]:
    """Compare every contender with the first one on every customer and compared column."""
    import pandas as pd

    names = [name for name, r in results.items() if "error" not in r]
    verdicts = {name: f"FAILED: {r['error'][:120]}" for name, r in results.items() if "error" in r}
    if not names:
        return verdicts
    base = pd.read_parquet(results[names[0]]["result"])
    for name in names[1:]:
        other = pd.read_parquet(results[name]["result"])
        try:
            pd.testing.assert_frame_equal(other, base, check_exact=False, rtol=1e-9, atol=1e-6)
            verdicts[name] = f"equal to {names[0]} ({len(base)} customers)"
        except AssertionError as exc:
            detail = " / ".join(line[:200] for line in str(exc).splitlines()[:3])
            verdicts[name] = f"DIFFERS from {names[0]}: {detail}"
    return verdicts


def _targets(c: dict) -> dict:
    """Ratios behind the targets, for each segkit contender that finished."""
    ok = {k: v for k, v in c.items() if "error" not in v}
    sql, pds, out = ok.get("duckdb_sql"), ok.get("pandas"), {}
    pol = ok.get("polars")
    for name in ("segkit",):
        seg = ok.get(name)
        if seg and sql:
            out[f"{name}_features_vs_sql_time"] = seg["features_s"] / sql["wall_s"]
            out[f"{name}_total_vs_sql_time"] = seg["wall_s"] / sql["wall_s"]
            out[f"{name}_vs_sql_peak_rss"] = seg["peak_rss_bytes"] / sql["peak_rss_bytes"]
        if seg and pol:
            out[f"polars_vs_{name}_time"] = pol["wall_s"] / seg["wall_s"]
        if seg and pds:
            out[f"pandas_vs_{name}_time"] = pds["wall_s"] / seg["wall_s"]
            out[f"{name}_vs_pandas_peak_rss"] = seg["peak_rss_bytes"] / pds["peak_rss_bytes"]
        if seg:
            out[f"{name}_peak_rss_gb"] = seg["peak_rss_bytes"] / 1e9
    return out


def _machine(args) -> dict:
    import duckdb
    import ibis
    import pandas as pd

    return {"cpus": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE")
            * os.sysconf("SC_PHYS_PAGES") / 2**30, 1), "platform": platform.platform(),
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "ibis": ibis.__version__, "pandas": pd.__version__,
            "load_average_at_start": args.load_at_start, "duckdb_threads": args.threads,
            "duckdb_memory_limit": args.memory_limit,
            "duckdb_settings": args.duckdb_setting, "segkit_commit": _commit()}  # fmt: skip


def _commit() -> str:
    """The checked-out commit, with ``-dirty`` when the package source has uncommitted changes."""

    def git(*argv):
        done = subprocess.run(["git", *argv], cwd=HERE, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("-dirty" if git("status", "--porcelain", "--", "../src") else "")


def write_markdown(results_dir: Path) -> Path:
    """Rebuild ``features.md`` from every ``features_*.json`` in ``results_dir``."""
    runs = sorted(
        (json.loads(p.read_text()) for p in results_dir.glob("features_*.json")),
        key=lambda r: (r["invoices"], r.get("shape", "payments"), r.get("tag", "")),
    )
    lines = [
        "| invoices | shape | customers | payments | DuckDB | contender | wall s | validate s "
        "| features s | peak RSS GB | time / SQL | result |",
        "|" + "---|" * 12,
    ]
    for run in runs:
        lines += [_row(run, name, c) for name, c in run["contenders"].items()]
    lines += [
        "",
        "Ratios per run (targets: segkit features <= 1.0x SQL, aim 0.8x; pandas >= 3x "
        "segkit's time; segkit <= 1/3 of pandas' peak memory; 100M peak < 8 GB):",
        "",
    ]
    for run in runs:
        ratios = ", ".join(f"{k} = {v:.2f}" for k, v in run["targets"].items())
        lines.append(
            f"- {run['invoices']:,} invoices, {run.get('shape', 'payments')} shape, "
            f"DuckDB {_settings(run)}: {ratios or '-'}"
        )
    machine = runs[-1]["machine"] if runs else {}
    lines += [
        "",
        f"Machine: {machine.get('cpus')} cores, {machine.get('memory_gb')} GiB; "
        f"DuckDB {machine.get('duckdb')}, ibis {machine.get('ibis')}, "
        f"pandas {machine.get('pandas')}, Python {machine.get('python')}.",
    ]
    out = results_dir / "features.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _settings(run: dict, name: str | None = None) -> str:
    m = run["machine"]
    extra = [s.replace("preserve_insertion_order", "pio") for s in m.get("duckdb_settings", [])]
    limit = _limit(run, name) if name else m["duckdb_memory_limit"]
    return ", ".join([f"{m['duckdb_threads']} threads", limit, *extra])


def _limit(run: dict, name: str) -> str:
    return memory_limit(run["machine"]["duckdb_memory_limit"], name)


def _row(run: dict, name: str, c: dict) -> str:
    sql = run["contenders"].get("duckdb_sql", {})
    ok = "error" not in c and "error" not in sql and sql
    ratio = f"{c['wall_s'] / sql['wall_s']:.2f}" if ok else "-"
    verdict = run["agreement"].get(name, "reference" if "error" not in c else c["error"])
    return (
        f"| {run['invoices']:,} | {run.get('shape', 'payments')} | {run['customers']:,} "
        f"| {run['payments']:,} "
        f"| {_settings(run, name)} "
        f"| {name}{_batches(c)} | {c['wall_s']:.1f} | {_fmt(c.get('validate_s'))} "
        f"| {_fmt(c.get('features_s'))} | {c['peak_rss_bytes'] / 1e9:.2f} | {ratio} "
        f"| {verdict[:60]} |"
    )


def _batches(c: dict) -> str:
    return f" ({c['batches']} batches)" if c.get("batches", 1) > 1 else ""


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv=None) -> None:
    args = _parser().parse_args(argv)
    args.load_at_start = os.getloadavg()  # before any contender runs
    if args.child:
        child(args)
        return
    n_customers = args.customers or max(args.invoices // 20, 1)
    folder = Path(args.data_dir) / f"ledger_{args.invoices}_{n_customers}_{args.seed}"
    began = time.perf_counter()
    generate(folder, args.invoices, n_customers, args.seed, args.rows_per_file)
    print(f"ledger ready in {time.perf_counter() - began:.0f} s: {folder}", flush=True)
    results = {}
    for name in args.contenders.split(","):
        runs = [_run_child(name, folder, args) for _ in range(args.repeat)]
        results[name] = _best(runs)
        print(
            f"{name}: {json.dumps({k: v for k, v in results[name].items() if k != 'result'})}",
            flush=True,
        )
    _report(args, folder, n_customers, results)


def _report(args, folder, n_customers, results) -> None:
    import pyarrow.parquet as pq

    payments = 0
    if args.shape == "payments":
        files = folder.glob("payments/*.parquet")
        payments = sum(pq.ParquetFile(p).metadata.num_rows for p in files)
    verdicts = agreement(results)
    for name, verdict in verdicts.items():
        print(f"{name}: {verdict}", flush=True)
    contenders = {k: {m: v for m, v in r.items() if m != "result"} for k, r in results.items()}
    run = {
        "invoices": args.invoices,
        "customers": n_customers,
        "payments": payments,
        "seed": args.seed,
        "shape": args.shape,
        "as_of": args.as_of,
        "tag": args.tag,
        "contenders": contenders,
        "agreement": verdicts,
        "targets": _targets(contenders),
        "machine": _machine(args),
    }
    results_dir = Path(args.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    name = f"features_{args.invoices}" + ("_settled" if args.shape == "settled" else "")
    name += f"_{args.tag}" if args.tag else ""
    (results_dir / f"{name}.json").write_text(json.dumps(run, indent=2))
    print(write_markdown(results_dir).read_text(encoding="utf-8"))
    if any(v.startswith("DIFFERS") for v in verdicts.values()):
        raise SystemExit("contenders disagree; see above")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--invoices", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    p.add_argument(
        "--customers",
        type=lambda s: int(s.replace("_", "")),
        default=None,
        help="default: invoices / 20",
    )
    p.add_argument("--seed", type=int, default=20251231)
    p.add_argument("--as-of", default="2025-06-30")
    p.add_argument(
        "--shape",
        choices=SHAPES,
        default="payments",
        help="payments: invoices and a payments table; settled: invoices with settled_date only",
    )
    p.add_argument(
        "--contenders",
        default=",".join(CONTENDERS),
        help="comma-separated subset of " + ", ".join(CONTENDERS),
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per contender, each in a fresh process; the fastest is reported",
    )
    p.add_argument("--batches", type=int, default=1, help="segkit's customer_features batches")
    p.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    p.add_argument(
        "--memory-limit",
        default="5GB",
        help="DuckDB memory_limit, or per contender: segkit=4GB,duckdb_sql=6500MB",
    )
    p.add_argument(
        "--duckdb-setting",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="more DuckDB settings, e.g. preserve_insertion_order=false",
    )
    p.add_argument("--rows-per-file", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    p.add_argument(
        "--tag", default="", help="names a variant run, e.g. mem2gb (results file suffix)"
    )
    p.add_argument("--data-dir", default=str(HERE / "data"))
    p.add_argument("--results-dir", default=str(HERE / "results"))
    p.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    p.add_argument("--folder", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    return p


if __name__ == "__main__":
    main()
