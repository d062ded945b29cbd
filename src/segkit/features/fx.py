"""Exchange differences as of a date: open foreign-currency receivables revalued, and the
differences realised on settlement, per transaction currency.

Receivables are monetary items: at the end of a period they are translated at the closing rate
(企业会计准则第19号——外币折算 第十一条 / IAS 21 para 23(a)), and the difference from their
carrying amount is an unrealised exchange difference; when a payment settles an invoice, the
difference between the payment at its date's rate and the part of the invoice it settles at the
invoice's rate is realised (IAS 21 para 28).

The ledger converts each row on reading (:mod:`segkit.ledger.currency`): an invoice at its date's
rate (``amount``, in ``amount_txn`` as issued), a payment naming an invoice in its own currency at
the invoice's rate (``amount``, the carrying amount it derecognises) and at its own date's rate
(``amount_at_payment``). Per currency, over invoices and credit notes known at ``as_of`` and the
payments naming them made by ``as_of``:

- ``open_txn``: issued less paid, in the transaction currency;
- ``open_booked``: issued less paid at the invoices' rates, in the functional currency;
- ``open_closing``: ``open_txn`` x the closing rate, rounded to the cent half to even;
- ``unrealised`` = ``open_closing`` - ``open_booked``;
- ``realised``: the payments at their own rates less the same payments at the invoices' rates.

So ``open_closing = booked - paid at payment rates + realised + unrealised`` holds to the cent.
Credit notes and payments naming no invoice in their currency (unallocated cash) stay at their
booked amounts: the features apply them oldest-first across currencies
(:mod:`segkit.features.allocation`), and no rate of a currency would be the right one.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import ibis
import numpy as np
import pandas as pd

from segkit.checks import as_date
from segkit.features.activity import exact_sum

__all__ = ["FX_COLUMNS", "revaluation", "currency_mix"]

FX_COLUMNS = (
    "invoices_open", "open_txn", "closing_rate", "open_booked", "open_closing", "unrealised",
    "realised",
)  # fmt: skip
_CENT = Decimal("0.01")
_ = ibis._


def revaluation(ledger, as_of) -> pd.DataFrame:
    """Open receivables in each foreign currency revalued at ``as_of``, and realised differences.

    Parameters
    ----------
    ledger : segkit.Ledger
        A ledger read with its currencies (:func:`segkit.read_ledger`).
    as_of : str or date
        The balance-sheet date; its rate in the ledger's rates table is the closing rate.

    Returns
    -------
    pandas.DataFrame
        One row per foreign currency (index ``currency``), columns :data:`FX_COLUMNS`; amounts
        in the functional currency (``attrs["functional_currency"]``) except ``open_txn``. Empty
        for a ledger in one currency. Without a rates table (functional amounts from the export)
        or a rate at ``as_of``, ``closing_rate``, ``open_closing`` and ``unrealised`` are missing.
    """
    as_of = as_date(as_of)
    functional = ledger.functional_currency
    inv = ledger.invoices
    empty = pd.DataFrame(columns=list(FX_COLUMNS), index=pd.Index([], name="currency"))
    empty.attrs = {"functional_currency": functional, "as_of": as_of}
    if "amount_txn" not in inv.columns:
        return empty
    inv = inv.filter((inv.invoice_date <= as_of) & (inv.currency != functional))
    per_invoice = inv.select("invoice_id", "currency", "amount_txn", "amount")
    if ledger.payments is not None:
        paid = _paid(ledger.payments, inv, as_of)
        per_invoice = per_invoice.left_join(paid, "invoice_id").drop("invoice_id_right")
    else:
        zero = ibis.literal(0.0)
        per_invoice = per_invoice.mutate(paid_txn=zero, paid_booked=zero, paid_at_payment=zero)
    p = per_invoice.mutate(
        **{c: per_invoice[c].fill_null(0.0) for c in ("paid_txn", "paid_booked", "paid_at_payment")}
    )
    p = p.mutate(open_txn=p.amount_txn - p.paid_txn, open_booked=p.amount - p.paid_booked)
    table = (
        p.group_by("currency")
        .aggregate(
            invoices_open=(p.open_txn != 0).sum(),
            open_txn=exact_sum(p.open_txn),
            open_booked=exact_sum(p.open_booked),
            realised=exact_sum(p.paid_at_payment) - exact_sum(p.paid_booked),
        )
        .execute()
        .set_index("currency")
        .sort_index()
    )
    if table.empty:
        return empty
    from segkit.ledger.currency import closing_rates

    closing = closing_rates(ledger.rates, as_of, ledger.rates_fill)
    table["closing_rate"] = [float(closing[c]) if c in closing else np.nan for c in table.index]
    table["open_closing"] = [
        float((_dec(o) * closing[c]).quantize(_CENT, ROUND_HALF_EVEN)) if c in closing else np.nan
        for c, o in zip(table.index, table["open_txn"], strict=True)
    ]
    table["open_booked"] = table["open_booked"].round(2)
    table["realised"] = table["realised"].round(2)
    table["unrealised"] = (table["open_closing"] - table["open_booked"]).round(2)
    table["invoices_open"] = table["invoices_open"].astype(int)
    out = table[list(FX_COLUMNS)]
    out.attrs = {"functional_currency": functional, "as_of": as_of}
    return out


def _paid(payments, inv, as_of: dt.date):
    """Per invoice, what payments in its own currency settled by ``as_of``."""
    pay = payments.filter(payments.payment_date <= as_of)
    if "amount_at_payment" not in pay.columns:  # payments all in the functional currency
        pay = pay.mutate(amount_at_payment=pay.amount, amount_txn=pay.amount)
    keys = inv.select("invoice_id", _cur=inv.currency)
    pay = pay.inner_join(keys, "invoice_id").filter(lambda t: t.currency == t._cur)
    return pay.group_by("invoice_id").aggregate(
        paid_txn=exact_sum(pay.amount_txn),
        paid_booked=exact_sum(pay.amount),
        paid_at_payment=exact_sum(pay.amount_at_payment),
    )


def _dec(value: float) -> Decimal:
    """A sum fetched as float64 (exact to the cent below 10**13) as the decimal it stands for."""
    return Decimal(repr(round(value, 4)))


def currency_mix(ledger, as_of, months: int = 12) -> pd.DataFrame:
    """Revenue in the last ``months`` (net, as ``revenue_12m``) and open invoices by transaction
    currency, in the functional currency, with each currency's share: the ledger's currency mix.

    Open invoices are issued less paid per invoice (:func:`revaluation`'s ``open_booked``,
    the functional-currency rows too); empty for a ledger in one currency.
    """
    as_of = as_date(as_of)
    inv = ledger.invoices
    cols = ["revenue", "revenue_share", "open", "open_share"]
    if "currency" not in inv.columns or "amount_txn" not in inv.columns:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="currency"))
    start = (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()
    known = inv.filter(inv.invoice_date <= as_of)
    recent = known.invoice_date > start  # net of credit notes, as revenue_12m
    by = (
        known.group_by("currency")
        .aggregate(
            revenue=exact_sum(known.amount, where=recent),
            issued=exact_sum(known.amount),
        )
        .execute()
        .set_index("currency")
    )
    paid = pd.Series(0.0, index=by.index)
    if ledger.payments is not None:
        pay = _paid(ledger.payments, known, as_of)
        pay = pay.inner_join(known.select("invoice_id", "currency"), "invoice_id")
        got = pay.group_by("currency").aggregate(p=exact_sum(pay.paid_booked)).execute()
        paid = paid.add(got.set_index("currency")["p"], fill_value=0.0)
    by["open"] = (by["issued"] - paid).round(2)
    for c in ("revenue", "open"):
        total = by[c].sum()
        by[f"{c}_share"] = by[c] / total if total else np.nan
    out = by[cols].sort_values("revenue", ascending=False)
    out.attrs = {"functional_currency": ledger.functional_currency, "as_of": as_of}
    return out
