"""The seeded synthetic ledger behind ``data/sample/``.

:func:`sample_ledger` simulates the receivables ledger of a Chinese B2B distributor: customers
with firmographics, invoices and credit notes, and the cash received against them. The same
arguments always give the same frames, and :func:`write_sample` the same bytes.

Firmographics follow two national standards:

- industry codes are classes (4 digits) of GB/T 4754-2017《国民经济行业分类》;
- employees, operating revenue and total assets fall inside the band of the customer's hidden
  size class under 统计上大中小微型企业划分办法（2017）(国统字〔2017〕213号), 附表, for the row
  of its industry, never on a band edge, so a classifier applying the standard recovers the class.

Provinces use the full official names of the 31 mainland provincial-level divisions
(GB/T 2260《中华人民共和国行政区划代码》).

Behind the ledger sit hidden customer traits (size class, default propensity, purchase rate,
invoice value, payment terms, acquisition, churn and default dates). They drive seasonal Poisson
purchases, payment delays and defaults, and are returned as the ``truth`` table so that tests
can check that features and classes recover them.

The customers and their hidden traits are drawn in :mod:`segkit.sample.customers`, the
invoices, credit notes and payments in :mod:`segkit.sample.transactions`; this module checks
the arguments, assembles the tables in the canonical schema and writes them as CSV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from segkit.exceptions import ConfigError
from segkit.sample.customers import draw_customers
from segkit.sample.transactions import day_dates, draw_invoices, draw_payments, epoch_day

__all__ = ["SIZE_CLASSES", "sample_ledger", "write_sample"]

SIZE_CLASSES = ("large", "medium", "small", "micro")
_CUSTOMER_COLUMNS = (
    "customer_id name industry_code employees revenue total_assets province country "
    "credit_limit parent_id created"
).split()


def sample_ledger(
    n_customers: int = 2000,
    start: str = "2023-01-01",
    end: str = "2025-12-31",
    seed: int = 2025,
) -> dict[str, pd.DataFrame]:
    """Simulate the receivables ledger of a Chinese B2B distributor.

    Parameters
    ----------
    n_customers : int, default 2000
        Number of customers (>= 20); about 60 % exist at ``start``, the rest arrive later.
    start, end : str, default "2023-01-01", "2025-12-31"
        First and last day of the ledger (ISO 8601). Nothing is invoiced or paid outside.
    seed : int, default 2025
        Seed of ``numpy.random.default_rng``; the same arguments give the same frames.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``customers`` (customer_id, name, industry_code, employees, revenue, total_assets,
        province, country, credit_limit, parent_id, created), ``invoices`` (invoice_id,
        customer_id, invoice_date, due_date, amount, currency, disputed) and ``payments``
        (payment_id, customer_id, invoice_id, payment_date, amount) in the canonical schema,
        plus ``truth`` (customer_id, size_class, risk, acquired, churned, defaulted): the
        hidden state behind the simulation, for tests and demonstrations, never written out.
    """
    first, last = _check_args(n_customers, start, end, seed)
    rng = np.random.default_rng(seed)
    cust = draw_customers(rng, n_customers, first, last)
    inv = draw_invoices(rng, cust, first, last)
    pay = draw_payments(rng, inv, cust, last)
    return _assemble(cust, inv, pay)


def write_sample(out_dir: str | Path, **kwargs) -> dict[str, Path]:
    """Write the sample ledger as ``customers.csv``, ``invoices.csv`` and ``payments.csv``.

    Files are UTF-8 with ``\\n`` line endings, ISO dates (``YYYY-MM-DD``), amounts with two
    decimals, no index and a stable row order: the same arguments give the same bytes.
    The hidden ``truth`` table is not written.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder to write into; created if missing. Other files in it are left alone.
    **kwargs
        Passed to :func:`sample_ledger` (``n_customers``, ``start``, ``end``, ``seed``).

    Returns
    -------
    dict of str to pathlib.Path
        The path written for each of ``customers``, ``invoices`` and ``payments``.
    """
    ledger = sample_ledger(**kwargs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table in ("customers", "invoices", "payments"):
        paths[table] = out / f"{table}.csv"
        paths[table].write_bytes(_csv_text(ledger[table]).encode("utf-8"))
    return paths


def _check_args(n_customers, start, end, seed) -> tuple[int, int]:
    if isinstance(n_customers, bool) or not isinstance(n_customers, int) or n_customers < 20:
        raise ConfigError(f"n_customers must be an int >= 20; got {n_customers!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed must be a non-negative int; got {seed!r}.")
    days = []
    for name, value in (("start", start), ("end", end)):
        try:
            days.append(epoch_day(pd.Timestamp(value)))
        except (TypeError, ValueError) as err:
            raise ConfigError(
                f"{name} must be an ISO date such as '2023-01-01'; got {value!r}."
            ) from err
    if days[1] - days[0] < 365:
        raise ConfigError(
            f"end must be at least 365 days after start; got start={start!r}, end={end!r}."
        )
    return days[0], days[1]


def _assemble(cust: pd.DataFrame, inv: pd.DataFrame, pay: pd.DataFrame) -> dict:
    ids = cust["customer_id"].to_numpy()
    dates = day_dates(inv["day"])
    seq = (dates.groupby(dates.dt.year).cumcount() + 1).astype(str).str.zfill(6)
    inv_ids = ("INV" + dates.dt.year.astype(str) + seq).to_numpy()
    invoices = pd.DataFrame(
        {
            "invoice_id": inv_ids,
            "customer_id": ids[inv["who"]],
            "invoice_date": dates,
            "due_date": day_dates(inv["due"]),
            "amount": inv["cents"] / 100,
            "currency": "CNY",  # the ledger's local currency, foreign customers included
            "disputed": inv["disputed"].astype(bool),
        }
    )
    pay = pay.sort_values(["day", "who", "row", "part"], kind="stable", ignore_index=True)
    payments = pd.DataFrame(
        {
            "payment_id": [f"P{i:07d}" for i in range(1, len(pay) + 1)],
            "customer_id": ids[pay["who"]],
            "invoice_id": np.where(pay["allocated"], inv_ids[pay["row"]], None),
            "payment_date": day_dates(pay["day"]),
            "amount": pay["cents"] / 100,
        }
    )
    truth = pd.DataFrame(
        {
            "customer_id": ids,
            "size_class": np.array(SIZE_CLASSES)[cust["size_class"]],
            "risk": cust["risk"],
            "acquired": day_dates(cust["created"]),
            "churned": day_dates(cust["churn"]),
            "defaulted": day_dates(cust["default"]),
        }
    )
    customers = cust.assign(created=day_dates(cust["created"]))[_CUSTOMER_COLUMNS]
    return {"customers": customers, "invoices": invoices, "payments": payments, "truth": truth}


def _csv_text(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif col in ("amount", "revenue", "total_assets", "credit_limit"):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
        elif col == "employees":
            out[col] = out[col].astype("Int64")
    return out.to_csv(index=False, lineterminator="\n")
