"""Validation of a ledger, once, where data enters, in the engine.

Two layers, both collecting every failure before raising one :class:`~segkit.exceptions.SchemaError`:

1. the column/type contract of each table, a pandera schema checked on the Ibis table
   (:func:`segkit.schemas.contract`);
2. value rules expressed as Ibis filters (not null, unique keys, dates in order, references between
   tables). They run where the data is — DuckDB, Spark, a warehouse — and only the failing rows
   (the first ``max_rows`` per rule, and the count) come back to Python.

Failures are a table with columns file, table, column, row, rule, value.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import pandas as pd
from pandera.errors import SchemaErrors

from .exceptions import SchemaError
from .schemas import FLOAT, KEYS, TABLES, contract

__all__ = ["validate_tables", "failure_message"]

COLUMNS = list(SchemaError.FAILURE_COLUMNS)
Rule = tuple[str, str, str, Callable[[dict], ibis.Table]]


def validate_tables(
    tables: dict[str, ibis.Table],
    origins: dict[str, str],
    prior: list[dict] | None = None,
    extra_rules: list[Rule] = (),
    max_rows: int = 5,
) -> None:
    """Check the tables of a ledger and raise one SchemaError listing every problem.

    Parameters
    ----------
    tables : dict of str to ibis.Table
        ``invoices`` and optionally ``customers`` and ``payments``, with canonical columns and a
        ``_row`` column holding each record's row number in its source.
    origins : dict of str to str
        The file (or description) each table came from, used in messages.
    prior : list of dict, optional
        Failures found earlier (unparsable values), reported together with these.
    extra_rules : list of rules, optional
        More rules of the same form as the built-in ones (table, column, rule text, function of
        the tables returning failing rows with a ``value`` column), e.g. parse checks of Parquet.
    max_rows : int
        How many failing rows to keep per rule; the count is always complete.
    """
    failures = pd.DataFrame(prior or [], columns=COLUMNS)
    failures["count"] = 1
    contract_failures = _contract_failures(tables, origins)
    rule_failures = pd.DataFrame(columns=COLUMNS + ["count"])
    if contract_failures.empty:
        rules = _rules(tables) + list(extra_rules)
        rule_failures = _drop_reported(_rule_failures(tables, rules, origins, max_rows), failures)
    parts = [f for f in (failures, contract_failures, rule_failures) if not f.empty]
    if parts:
        found = pd.concat(parts, ignore_index=True)
        raise SchemaError(failure_message(found), failures=found[COLUMNS].reset_index(drop=True))


def _contract_failures(tables, origins) -> pd.DataFrame:
    rows = []
    for name, table in tables.items():
        try:
            contract(name, table.columns).validate(table, lazy=True)
        except SchemaErrors as exc:
            for case in exc.failure_cases.itertuples():
                missing = case.check == "column_in_dataframe"
                rows.append(
                    {
                        "file": origins[name],
                        "table": name,
                        "column": case.failure_case if missing else case.column,
                        "row": None,
                        "rule": "required column is missing"
                        if missing
                        else f"column type {case.check}",
                        "value": None if missing else str(case.failure_case),
                        "count": 1,
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS + ["count"])


def _rules(tables: dict[str, ibis.Table]) -> list[Rule]:
    """(table, column, rule text, function returning the failing rows with a ``value`` column)."""
    rules: list[Rule] = []
    for name, table in tables.items():
        for col in TABLES[name]:
            if not col.nullable and col.name in table.columns:
                rules.append(
                    (
                        name,
                        col.name,
                        "must not be empty",
                        lambda t, n=name, c=col: _missing(t[n], c),
                    )
                )
        key = KEYS[name]
        rules.append((name, key, "must be unique", lambda t, n=name, k=key: _duplicates(t[n], k)))
    inv = tables["invoices"]
    rules.append(
        (
            "invoices",
            "due_date",
            "due_date on or after invoice_date",
            lambda t: (
                t["invoices"]
                .filter(_.due_date < _.invoice_date)
                .mutate(value=_.due_date.cast(str) + " < " + _.invoice_date.cast(str))
            ),
        )
    )
    if "settled_date" in inv.columns:
        rules.append(
            (
                "invoices",
                "settled_date",
                "settled_date on or after invoice_date",
                lambda t: (
                    t["invoices"]
                    .filter(_.settled_date < _.invoice_date)
                    .mutate(value=_.settled_date.cast(str))
                ),
            )
        )
    if "currency" in inv.columns:
        rules.append(
            (
                "invoices",
                "currency",
                "one currency per ledger (the most common one); map "
                "the local-currency amount as 'amount'",
                lambda t: _other_currencies(t["invoices"]),
            )
        )
    customer_source = "customers" if "customers" in tables else None
    if customer_source:
        rules.append(
            (
                "invoices",
                "customer_id",
                "customer_id exists in customers",
                lambda t: _orphans(t["invoices"], t["customers"], "customer_id"),
            )
        )
    if "payments" in tables:
        rules += _payment_rules(customer_source)
    return rules


def _payment_rules(customer_source: str | None) -> list[Rule]:
    parent = customer_source or "invoices"
    return [
        (
            "payments",
            "amount",
            "amount greater than 0",
            lambda t: t["payments"].filter(_.amount <= 0).mutate(value=_.amount.cast(str)),
        ),
        (
            "payments",
            "customer_id",
            f"customer_id exists in {parent}",
            lambda t: _orphans(t["payments"], t[parent], "customer_id"),
        ),
        (
            "payments",
            "invoice_id",
            "invoice_id (when given) exists in invoices",
            lambda t: _orphans(
                t["payments"].filter(_.invoice_id.notnull()), t["invoices"], "invoice_id"
            ),
        ),
        (
            "payments",
            "payment_date",
            "payment_date on or after its invoice's invoice_date",
            lambda t: (
                _joined(t)
                .filter(_.payment_date < _.invoice_date)
                .mutate(value=_.payment_date.cast(str) + " < " + _.invoice_date.cast(str))
            ),
        ),
        (
            "payments",
            "customer_id",
            "customer_id equals its invoice's customer_id",
            lambda t: (
                _joined(t)
                .filter(_.customer_id != _.invoice_customer)
                .mutate(value=_.customer_id + " != " + _.invoice_customer)
            ),
        ),
    ]


_ = ibis._


def _missing(table: ibis.Table, col) -> ibis.Table:
    cond = table[col.name].isnull()
    if col.dtype == FLOAT:
        cond |= table[col.name].isnan() | table[col.name].isinf()
    return table.filter(cond).mutate(value=table[col.name].cast(str))


def _duplicates(table: ibis.Table, key: str) -> ibis.Table:
    counts = table.group_by(key).aggregate(_n=_.count()).filter(_._n > 1)
    return table.semi_join(counts, key).mutate(value=table[key])


def _orphans(child: ibis.Table, parent: ibis.Table, key: str) -> ibis.Table:
    return child.anti_join(parent.select(key).distinct(), key).mutate(value=child[key])


def _other_currencies(invoices: ibis.Table) -> ibis.Table:
    counts = invoices.filter(_.currency.notnull()).group_by("currency").aggregate(n=_.count())
    usual = counts.order_by([ibis.desc("n"), "currency"]).limit(1).select("currency")
    return (
        invoices.filter(_.currency.notnull()).anti_join(usual, "currency").mutate(value=_.currency)
    )


def _joined(tables) -> ibis.Table:
    inv = tables["invoices"].select("invoice_id", "invoice_date", invoice_customer=_.customer_id)
    return tables["payments"].inner_join(inv, "invoice_id")


def _rule_failures(tables, rules, origins, max_rows) -> pd.DataFrame:
    parts = []
    for i, (_name, _column, _rule, fn) in enumerate(rules):
        failing = fn(tables).select(rule_id=ibis.literal(i), row=_._row, value=_.value.cast(str))
        parts.append(failing)
    found = ibis.union(*parts, distinct=False)
    ranked = found.mutate(
        rank=ibis.row_number().over(group_by=_.rule_id, order_by=_.row),
        count=_.count().over(group_by=_.rule_id),
    )
    rows = ranked.filter(_.rank < max_rows).order_by(["rule_id", "row"]).execute()
    meta = pd.DataFrame([r[:3] for r in rules], columns=["table", "column", "rule"])
    rows = rows.join(meta, on="rule_id")
    rows["file"] = rows["table"].map(origins)
    rows["row"] = rows["row"].astype("Int64")
    return rows[COLUMNS + ["count"]]


def _drop_reported(found: pd.DataFrame, prior: pd.DataFrame) -> pd.DataFrame:
    """Values that did not parse are empty after parsing: report them once, as unparsable."""
    if prior.empty or found.empty:
        return found
    empty_rule = found["rule"] == "must not be empty"
    seen = prior.groupby(["table", "column"]).size()
    keys = pd.MultiIndex.from_frame(found[["table", "column"]])
    found = found.assign(
        count=found["count"] - seen.reindex(keys).fillna(0).to_numpy() * empty_rule
    )
    prior_keys = set(zip(prior["table"], prior["column"], prior["row"], strict=True))
    again = [
        (t, c, r) in prior_keys for t, c, r in zip(found["table"], found["column"], found["row"], strict=True)
    ]
    return found[~(empty_rule & pd.Series(again, index=found.index)) & (found["count"] > 0)]


def failure_message(failures: pd.DataFrame, max_groups: int = 20) -> str:
    """One readable message: per file, column and rule, the first rows and values and the count."""
    groups = failures.groupby(["file", "table", "column", "rule"], sort=False, dropna=False)
    total = int(groups["count"].max().sum())
    lines = [f"the ledger has {total} problem(s) in {groups.ngroups} check(s):"]
    for (file, _table, column, rule), group in list(groups)[:max_groups]:
        n = int(group["count"].max()) if group["count"].notna().any() else len(group)
        n = max(n, len(group))
        rows = ", ".join(str(r) for r in group["row"].dropna().astype(int).head(5))
        values = ", ".join(repr(v) for v in group["value"].dropna().head(5))
        where = f" rows {rows}" + (" ..." if n > 5 else "") if rows else ""
        what = f"; values {values}" if values else ""
        lines.append(f"  - {file}: column '{column}': {rule}:{where}{what} ({n} in all)")
    if groups.ngroups > max_groups:
        lines.append(f"  ... and {groups.ngroups - max_groups} more check(s); see error.failures")
    return "\n".join(lines)
