"""Amounts signed by a debit/credit indicator (SAP ``SHKZG``: ``S`` Soll, ``H`` Haben).

Many ledgers (SAP line items, general-ledger extracts) write every amount unsigned and say in
another column whether the line is a debit or a credit. The mapping names that column and its
values under a table::

    tables:
      invoices:
        debit_credit: {column: SHKZG, debit: S, credit: H}

The sign follows the customer's account: an invoice *debits* it (a debit line is an invoice,
amount > 0; a credit line is a credit note, amount < 0), a payment *credits* it (a credit line
is a payment, amount > 0; a debit line is a reversal, amount < 0, which the payment rules then
refuse). Indicator values are compared without surrounding spaces and case; ``debit`` and
``credit`` may each list several values.

A row whose indicator is neither (or empty beside an amount), or whose amount is already
negative, is a failure naming the file, the column, the row and the value: the ledger is
refused, never guessed. Applied to the lines of a sales export before they are summed.
"""

from __future__ import annotations

import ibis
import pandas as pd

__all__ = ["sign", "sign_engine", "positive_side"]

_ = ibis._


def positive_side(table: str) -> str:
    """Which indicator gives a positive amount: ``debit`` for invoices, ``credit`` for payments."""
    return "credit" if table == "payments" else "debit"


def _sides(table: str, spec: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    plus = positive_side(table)
    minus = "credit" if plus == "debit" else "debit"
    return _keys(spec[plus]), _keys(spec[minus])


def _keys(values) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in values)


def indicator_rule(spec: dict) -> str:
    """The rule an indicator value breaks, in words."""
    debit, credit = "/".join(spec["debit"]), "/".join(spec["credit"])
    return f"debit/credit indicator: {debit} (debit) or {credit} (credit)"


UNSIGNED_RULE = "an unsigned amount (the debit/credit indicator gives the sign)"


def sign(raw, indicator: pd.Series, amount: pd.Series, spec: dict, rows: pd.Series) -> pd.Series:
    """Sign parsed ``amount`` by ``indicator`` (pandas); failures go to ``raw.failures``.

    Rows that fail keep their amount as read: the ledger is refused, so nothing is guessed.
    """
    plus, minus = _sides(raw.table, spec)
    key = indicator.astype("string").str.strip().str.lower()
    is_plus, is_minus = key.isin(plus).fillna(False), key.isin(minus).fillna(False)
    unknown = ~(is_plus | is_minus) & amount.notna()
    negative = amount < 0
    for idx in indicator.index[unknown]:
        value = indicator[idx]
        _failure(
            raw, spec["column"], rows[idx], indicator_rule(spec), "" if pd.isna(value) else value
        )
    for idx in amount.index[negative]:
        _failure(raw, "amount", rows[idx], UNSIGNED_RULE, amount[idx])
    return amount.where(~(is_minus & ~negative), -amount)


def _failure(raw, column: str, row, rule: str, value) -> None:
    raw.failures.append(
        {"file": raw.origin, "table": raw.table, "column": column, "row": int(row),
         "rule": rule, "value": str(value)}
    )  # fmt: skip


def sign_engine(table: ibis.Table, name: str, spec: dict) -> tuple[ibis.Table, list]:
    """Sign ``table.amount`` by the indicator column in the engine (a Parquet source).

    Returns the table, with the indicator kept as ``_indicator`` (dropped with the other
    private columns after validation), and the two validation rules.
    """
    from segkit.ledger.validation import Rule

    plus, minus = _sides(name, spec)
    raw = table[spec["column"]].cast("string")
    key = raw.strip().lower()
    table = table.mutate(_indicator=raw, _unsigned=table.amount)
    amount = ibis.ifelse(key.isin(minus) & (table.amount >= 0), -table.amount, table.amount)
    table = table.mutate(amount=amount).drop(spec["column"])
    known = [*plus, *minus]
    rules = [
        Rule(name, spec["column"], indicator_rule(spec), name,
             where=lambda t: t._unsigned.notnull()
             & (t._indicator.isnull() | ~t._indicator.strip().lower().isin(known)),
             value=lambda t: t._indicator.fill_null("")),
        Rule(name, "amount", UNSIGNED_RULE, name,
             where=lambda t: t._unsigned < 0, value=lambda t: t._unsigned.cast("string")),
    ]  # fmt: skip
    return table, rules
