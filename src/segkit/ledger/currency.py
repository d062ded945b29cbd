"""Transaction and functional currency: each row's currency, and its amount converted exactly.

A ledger has one functional currency (企业会计准则第19号——外币折算 第四条 / IAS 21 para 8: the
currency of the primary economic environment), CNY unless the mapping (``functional_currency:``)
or :func:`segkit.read_ledger` says otherwise; a ledger whose rows are all in one currency takes
that currency as its functional currency and is left exactly as it is.

Every other row is converted into the functional currency, in the engine, one of two ways:

1. its ``amount_functional`` (the ERP's 本位币金额), used as it is;
2. else ``amount`` x the rate of its currency (:mod:`segkit.ledger.rates`) on the row's date:
   an invoice (and a credit note) at its ``invoice_date`` (CAS 19 第十一条 / IAS 21 para 21:
   initial recognition at the spot rate of the transaction date). A payment naming an invoice
   in the same currency derecognises the receivable at its carrying amount: ``amount`` x the
   invoice's rate, so settlement and aging in the functional currency close the invoice exactly;
   the payment at its own ``payment_date`` rate is kept in ``amount_at_payment`` and the
   difference is the realised exchange difference (IAS 21 para 28), see
   :func:`segkit.features.fx.revaluation`. Any other payment is converted at its
   ``payment_date``.

A missing rate is an error naming the currency and the date; with ``rates_fill: previous`` the
last earlier rate of that currency is used and a note says how many days back it reaches.

Products are exact decimals (``decimal(19, 4)`` amounts x ``decimal(19, 8)`` rates) rounded to
the cent half to even, the rounding rule of GB/T 8170-2008 数值修约规则 (四舍六入五成双) and of
ISO 80000-1 Annex B; the result is stored as float64, exact for any cent amount below 10**13.
Converted tables keep ``amount_txn`` (the amount in ``currency``) and ``rate`` beside ``amount``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd

from segkit.exceptions import ConfigError
from segkit.ledger.rates import ALIASES, FILLS, Rates, check_code, rates_from_frame, read_rates
from segkit.ledger.scratch import scratch_table
from segkit.ledger.validation import failures_error

if TYPE_CHECKING:
    from segkit.ledger.coerce import RawTable

__all__ = [
    "DEFAULT_FUNCTIONAL", "Conversion", "closing_rates", "conversion_of", "convert", "currency_failures",
    "read_aliases", "to_cents",
]  # fmt: skip

DEFAULT_FUNCTIONAL = "CNY"
#: Amounts to 4 decimals up to 10**15 and rates to 8 decimals below 10**9 (the readers' bounds):
#: a product of 38 digits and 12 decimals, exact on DuckDB and PostgreSQL; Spark keeps 11 (its
#: product of two 38-digit decimals would keep only 6), exact for any amount in cents.
AMOUNT = "decimal(19, 4)"
RATE = "decimal(19, 8)"
PRODUCT = "decimal(38, 12)"
_ = ibis._
_DATES = {"invoices": "invoice_date", "payments": "payment_date"}


@dataclass(frozen=True)
class Conversion:
    """What the user says about currencies: the functional currency, rates and how to fill gaps."""

    functional: str | None = None
    rates: Rates | None = None
    fill: str | None = None

    def __post_init__(self):
        if self.functional is not None:
            object.__setattr__(
                self, "functional", check_code(self.functional, "functional_currency")
            )
        if self.fill not in FILLS:
            raise ConfigError(f"rates_fill must be one of {FILLS}; got {self.fill!r}")


def conversion_of(mapping, functional=None, rates=None, fill=None) -> Conversion:
    """The currency options of a mapping and of the arguments, which win over the mapping."""
    told = mapping.currency if mapping is not None else {}
    spec = told.get("rates")
    if isinstance(rates, pd.DataFrame):
        table: Rates | None = rates_from_frame(rates)
    elif rates is not None:
        table = read_rates(rates)
    elif spec is not None:
        table = read_rates(spec["file"], spec["columns"], spec["sheet"])
    else:
        table = None
    return Conversion(functional or told.get("functional"), table, fill or told.get("fill"))


def to_cents(value: ir.NumericValue) -> ir.NumericValue:
    """An exact decimal rounded to the cent, half to even (GB/T 8170-2008, ISO 80000-1 Annex B)."""
    hundred = value * 100
    floor = hundred.floor()
    rest = hundred - floor
    half_odd = (rest == Decimal("0.5")) & (floor % 2 != 0)
    step = ibis.cases((rest > Decimal("0.5"), 1), (half_odd, 1), else_=0)
    return (floor.cast("decimal(38, 0)") + step).cast("float64") / 100


def read_aliases(tables: dict[str, ir.Table]) -> tuple[dict[str, ir.Table], list[str]]:
    """Currency names that are not ISO 4217 codes (``RMB``) read as their code, each noted."""
    notes = []
    for name in ("invoices", "payments"):
        t = tables.get(name)
        if t is None or "currency" not in t.columns:
            continue
        found = t.filter(t.currency.isin(list(ALIASES))).currency.value_counts().execute()
        if found.empty:
            continue
        for alias, n in found.itertuples(index=False):
            notes.append(f"{name}.currency: '{alias}' read as {ALIASES[alias]} ({n} rows)")
        case = ibis.cases(*((t.currency == a, c) for a, c in ALIASES.items()), else_=t.currency)
        tables = {**tables, name: t.mutate(currency=case)}
    return tables, notes


def convert(
    con, tables: dict[str, ir.Table], origins: dict[str, str], conversion: Conversion
) -> tuple[dict[str, ir.Table], list[str], str, Rates | None]:
    """Tables with ``amount`` in the functional currency, the notes, that currency and the rates.

    Raises
    ------
    SchemaError
        When a row in another currency has no functional amount and no rate (each currency and
        date named with the row), or the ledger needs rates and none were given.
    """
    codes = _codes(tables)
    functional = conversion.functional or (
        next(iter(codes)) if len(codes) == 1 else DEFAULT_FUNCTIONAL
    )
    if not codes - {functional}:
        return tables, [], functional, conversion.rates
    inv = _with_currency(tables["invoices"], functional)
    pay = tables.get("payments")
    notes = [f"functional currency {functional}; transaction currencies {', '.join(sorted(codes))}"]
    if pay is not None:
        pay, note = _payment_currency(pay, inv, functional)
        notes += note
    needs = _needs(inv, pay, functional)
    lookup, rate_notes = _lookup(con, needs, conversion, functional, origins)
    notes += rate_notes
    inv = _converted(inv, lookup, "invoice_date", functional)
    out = {**tables, "invoices": inv}
    if pay is not None:
        out["payments"] = _converted_payments(pay, inv, lookup, functional)
    return out, notes, functional, conversion.rates


def _codes(tables) -> set[str]:
    codes: set[str] = set()
    for name in ("invoices", "payments"):
        t = tables.get(name)
        if t is not None and "currency" in t.columns:
            codes |= set(t.currency.value_counts().execute().iloc[:, 0].dropna())
    return codes


def _with_currency(t: ir.Table, functional: str) -> ir.Table:
    """An empty currency is the functional currency (as in a single-currency ledger)."""
    if "currency" not in t.columns:
        return t.mutate(currency=ibis.literal(functional))
    return t.mutate(currency=t.currency.fill_null(functional))


def _payment_currency(pay, inv, functional: str) -> tuple[ir.Table, list[str]]:
    if "currency" in pay.columns:
        return _with_currency(pay, functional), []
    own = inv.select("invoice_id", _inv_currency=_.currency)
    pay = pay.left_join(own, "invoice_id").drop("invoice_id_right")
    pay = pay.mutate(currency=pay._inv_currency.fill_null(functional)).drop("_inv_currency")
    return pay, [
        "payments have no currency column: each payment is in its invoice's currency, a "
        f"payment naming no invoice in {functional}"
    ]


def _needs(inv, pay, functional: str) -> pd.DataFrame:
    """The (table, currency, day) a rate is needed for, with the first row and the count."""
    parts = []
    for name, t in (("invoices", inv), ("payments", pay)):
        if t is None:
            continue
        want = t.currency != functional
        if "amount_functional" in t.columns:
            want &= t.amount_functional.isnull()
        keys = {"currency": t.currency, "day": t[_DATES[name]]}
        row = t._row.min() if "_row" in t.columns else ibis.null("int64")
        parts.append(
            t.filter(want).group_by(**keys).aggregate(row=row, n=_.count())
            .execute().assign(table=name)
        )  # fmt: skip
    found = pd.concat(parts, ignore_index=True)
    found["day"] = pd.to_datetime(found["day"]).dt.date
    return found


def _lookup(con, needs: pd.DataFrame, conversion: Conversion, functional: str, origins):
    """The rate of every needed (currency, day), as an engine table, and notes on filled gaps."""
    if needs.empty:
        return None, []
    rates = conversion.rates
    known = (
        rates.frame.rename(columns={"date": "rate_date"})
        if rates is not None
        else pd.DataFrame(columns=["rate_date", "currency", "rate", "row"])
    )
    pairs = needs[["currency", "day"]].drop_duplicates().sort_values(["day", "currency"])
    exact = pairs.merge(known, left_on=["currency", "day"], right_on=["currency", "rate_date"],
                        how="left")  # fmt: skip
    if conversion.fill == "previous" and not known.empty:
        prior = pd.merge_asof(
            pairs.assign(_d=pd.to_datetime(pairs["day"])).sort_values("_d"),
            known.assign(_d=pd.to_datetime(known["rate_date"])).sort_values("_d"),
            on="_d", by="currency", direction="backward",
        ).drop(columns="_d")  # fmt: skip
        exact = pairs.merge(prior, on=["currency", "day"], how="left")
    missing = exact[exact["rate"].isna()]
    if not missing.empty:
        raise _missing_rates(needs, missing, functional, origins, rates)
    exact = exact.astype({"rate": object})
    notes = _fill_notes(exact)
    frame = pd.DataFrame({
        "_currency": exact["currency"].astype(str),
        "_day": pd.to_datetime(exact["day"]),
        "_rate": [format(r, "f") for r in exact["rate"]],
    })  # fmt: skip
    table = scratch_table(con, f"segkit_rates_{uuid.uuid4().hex[:8]}", frame)
    return table.mutate(_day=table._day.cast("date"), _rate=table._rate.cast(RATE)), notes


def _fill_notes(exact: pd.DataFrame) -> list[str]:
    back = [(c, (d - r).days) for c, d, r in zip(exact["currency"], exact["day"],
                                                    exact["rate_date"], strict=True) if r != d]  # fmt: skip
    if not back:
        return []
    days = pd.DataFrame(back, columns=["currency", "days"]).groupby("currency")["days"]
    return [
        f"rates_fill previous: {n} date(s) in {c} took the last earlier rate, at most {m} days back"
        for c, n, m in zip(days.count().index, days.count(), days.max(), strict=True)
    ]


def _missing_rates(needs, missing, functional, origins, rates):
    where = "no rates table (rates:)" if rates is None else rates.origin
    gaps = needs.merge(missing[["currency", "day"]], on=["currency", "day"])
    rows = []
    for (table, code), group in gaps.groupby(["table", "currency"], sort=True):
        group = group.sort_values("day")
        first = group.iloc[0]
        days = ", ".join(str(d) for d in group["day"].iloc[:5]) + (
            ", ..." if len(group) > 5 else ""
        )
        rows.append({
            "file": origins.get(table, table), "table": table, "column": "currency",
            "row": None if pd.isna(first["row"]) else int(first["row"]),
            "rule": f"a rate {code} to {functional} on the {_DATES[table]} in {where} "
                    f"(dates without one: {days}), or the row's amount_functional",
            "value": f"{code} {first['day']}", "count": int(group["n"].sum()),
        })  # fmt: skip
    return failures_error(rows)


def _exact(amount: ir.NumericValue, rate: ir.NumericValue) -> ir.NumericValue:
    return to_cents((amount.cast(AMOUNT) * rate).cast(PRODUCT))


def _converted(t: ir.Table, lookup, date_col: str, functional: str) -> ir.Table:
    t = t.mutate(amount_txn=t.amount)
    if lookup is not None:
        t = t.left_join(lookup, [t.currency == lookup._currency, t[date_col] == lookup._day])
        t = t.drop("_currency", "_day")
    else:
        t = t.mutate(_rate=ibis.null(RATE))
    foreign = t.currency != functional
    given = t.amount_functional if "amount_functional" in t.columns else ibis.null("float64")
    amount = ibis.cases(
        (~foreign, t.amount), (given.notnull(), given), else_=_exact(t.amount, t._rate)
    )
    rate = ibis.cases((~foreign, ibis.literal(1.0)), (given.notnull(), ibis.null("float64")),
                      else_=t._rate.cast("float64"))  # fmt: skip
    return t.mutate(amount=amount, rate=rate).drop("_rate")


def _converted_payments(pay, inv, lookup, functional: str) -> ir.Table:
    """Payments at their own date's rate, and at their invoice's rate where it is in the same
    currency (the carrying amount the payment derecognises)."""
    own = _converted(pay, lookup, "payment_date", functional).rename(amount_at_payment="amount")
    carrying = inv.select(
        "invoice_id", _ic=inv.currency, _ir=inv.rate, _ia=inv.amount, _it=inv.amount_txn
    )
    own = own.left_join(carrying, "invoice_id").drop("invoice_id_right")
    same = (own.currency == own._ic) & (own.currency != functional)
    by_rate = _exact(own.amount_txn, own._ir.cast(RATE))
    # an invoice with an ERP functional amount carries amount_functional / amount per unit: a
    # payment of the whole invoice takes it exactly, a part takes its share rounded to the cent
    whole = own.amount_txn == own._it
    share = to_cents((own.amount_txn.cast(AMOUNT) * (own._ia / own._it).cast(RATE)).cast(PRODUCT))
    at_invoice = ibis.cases((own._ir.notnull(), by_rate), (whole, own._ia), else_=share)
    amount = ibis.cases((same, at_invoice), else_=own.amount_at_payment)
    return own.mutate(amount=amount).drop("_ic", "_ir", "_ia", "_it")


def closing_rates(rates: Rates | None, as_of: dt.date, fill: str | None) -> dict[str, Decimal]:
    """The rate of each currency at ``as_of`` (the closing rate), with the same fill rule."""
    if rates is None:
        return {}
    frame = (
        rates.frame[rates.frame["date"] <= as_of]
        if fill == "previous"
        else (rates.frame[rates.frame["date"] == as_of])
    )
    last = frame.sort_values("date").groupby("currency").tail(1)
    return dict(zip(last["currency"], last["rate"], strict=True))


def currency_failures(raws: list[RawTable]) -> list[dict]:
    """Amounts whose currency symbol or code differs from their row's currency.

    A row's currency is its own ``currency`` where it has one, else the most common invoice
    currency, else (no currency column) the most common mark among the amounts.
    """
    invoices = next((r for r in raws if r.table == "invoices"), None)
    own = pd.Series(dtype=object)
    usual = None
    if invoices is not None and "currency" in invoices.frame.columns:
        own = invoices.frame.set_index("_row")["currency"].dropna().replace(ALIASES)
        usual = own.mode().sort_values().iloc[0] if len(own) else None
    owns = {r.table: r.frame.set_index("_row")["currency"].dropna().replace(ALIASES)
            for r in raws if "currency" in r.frame.columns}  # fmt: skip
    marks = [(r, name, m) for r in raws for name, m in r.marks.items()]
    if usual is None and marks:
        codes = pd.concat([m["code"] for _, _, m in marks])
        usual = codes.mode().sort_values().iloc[0]
    failures = []
    for raw, name, marked in marks:
        expected = (
            marked["row"].map(owns[raw.table])
            if raw.table in owns
            else pd.Series(None, index=marked.index, dtype=object)
        )
        expected = expected.fillna(usual)
        for row, code, text, want in zip(
            marked["row"], marked["code"], marked["text"], expected, strict=True
        ):
            if code != want:
                failures.append(
                    {"file": raw.origin, "table": raw.table, "column": name, "row": int(row),
                     "rule": f"currency of the amount is the ledger's ({want})", "value": text}
                )  # fmt: skip
    return failures
