"""Validation of a ledger, once, where data enters, in the engine.

Two layers, both collecting every failure before raising one :class:`~segkit.exceptions.SchemaError`:

1. the column/type contract of each table, a pandera schema checked on the Ibis table
   (:func:`segkit.ledger.schema.contract`);
2. value rules expressed as Ibis filters (not null, unique keys, dates in order, references between
   tables). They run where the data is — DuckDB, Spark, a warehouse — in two passes: one
   aggregation per table (and one over payments joined to their invoices) counts the failures of
   every rule; only for the rules that fail are rows numbered and the failing rows (the first
   ``max_rows`` per rule, and the count) brought back to Python.

Failures are a table with columns file, table, column, row, rule, value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import pandas as pd

from segkit.checks import iso_codes
from segkit.exceptions import SchemaError
from segkit.ledger.patterns import CURRENCY as _CURRENCY
from segkit.ledger.patterns import text_pattern as _pattern
from segkit.ledger.schema import DATE, FLOAT, KEYS, STRING, TABLES, contract
from segkit.ledger.values import MAX_ABS, MAX_DATE, MIN_DATE, RULE_BOUND, RULE_RANGE, shown

__all__ = ["validate_tables", "failure_message", "failures_error", "one_failure"]

COLUMNS = list(SchemaError.FAILURE_COLUMNS)
_ = ibis._


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
        ``invoices`` and optionally ``customers`` and ``payments``, with canonical columns and,
        where known, a ``_row`` column holding each record's row number in its source; tables
        without one are numbered in the engine's scan order when a rule fails.
    origins : dict of str to str
        The file (or description) each table came from, used in messages.
    prior : list of dict, optional
        Failures found earlier (unparsable values), reported together with these.
    extra_rules : list of Rule, optional
        More rules, e.g. the parse checks of a Parquet file opened in the engine.
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
        found = pd.concat([p.astype(object) for p in parts], ignore_index=True)
        raise SchemaError(failure_message(found), failures=found[COLUMNS].reset_index(drop=True))


def failures_error(rows: list[dict]) -> SchemaError:
    """A SchemaError listing ``rows`` (dicts with the failure columns and optionally ``count``)."""
    found = pd.DataFrame(rows, columns=COLUMNS + ["count"])
    found["count"] = found["count"].fillna(1)
    return SchemaError(failure_message(found), failures=found[COLUMNS].reset_index(drop=True))


def one_failure(file, table, rule, value, column=None, row=None) -> SchemaError:
    """A SchemaError for one problem of a whole file (no column or row) or of one value."""
    return failures_error(
        [{"file": file, "table": table, "column": column, "row": row, "rule": rule, "value": value}]
    )


def _contract_failures(tables, origins) -> pd.DataFrame:
    from pandera.errors import SchemaErrors  # after segkit.ledger.schema has loaded pandera

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


@dataclass(frozen=True)
class Rule:
    """One value rule: where it applies, what it says, and how the engine finds failing rows.

    Most rules are a row condition on a *scan* (``where`` and ``value``, functions of the scan's
    table), so that every rule on the same scan is counted in one aggregation. Others give
    ``failing``, a function of the tables returning the failing rows with a ``value`` column,
    and optionally ``count``, an aggregate over the scan that is 0 exactly when no row fails.
    """

    table: str
    column: str
    text: str
    scan: str | None = None
    where: Callable[[ibis.Table], ibis.Value] | None = None
    value: Callable[[ibis.Table], ibis.Value] | None = None
    failing: Callable[[dict], ibis.Table] | None = None
    count: Callable[[ibis.Table], ibis.Value] | None = None

    def rows(self, tables: dict[str, ibis.Table]) -> ibis.Table:
        """The failing rows, with the ``value`` column."""
        if self.failing is not None:
            return self.failing(tables)
        scanned = _scan(self.scan, tables)
        return scanned.filter(self.where(scanned)).mutate(value=self.value(scanned))

    def counter(self, scanned: ibis.Table) -> ibis.Value | None:
        """An aggregate over the scan that is 0 when the rule holds (None: count the rows)."""
        if self.where is not None:
            return self.where(scanned).sum()
        return None if self.count is None else self.count(scanned)


def _scan(name: str, tables: dict[str, ibis.Table]) -> ibis.Table:
    return _payments_invoices(tables) if name == "payments+invoices" else tables[name]


def _payments_invoices(tables) -> ibis.Table:
    """Payments with their invoice (left join): one scan for every payment-invoice rule."""
    inv = tables["invoices"].select(
        "invoice_id", "invoice_date", invoice_customer=_.customer_id, invoice_known=True
    )
    return tables["payments"].left_join(inv, "invoice_id").drop("invoice_id_right")


def value_rules(name: str, table: ibis.Table) -> list[Rule]:
    """The readers' value rules, in the engine, for tables no reader parsed (Parquet, Ibis).

    Dates from :data:`~segkit.ledger.values.MIN_DATE` to :data:`~segkit.ledger.values.MAX_DATE`,
    finite amounts of at most :data:`~segkit.ledger.values.MAX_ABS`, no control characters in
    text and no invisible ones in keys, and a currency that is an ISO 4217 code (three capital
    letters, one the standard lists; ``pycountry``'s list): currencies are printed on pages.
    """
    rules = [_value_rule(name, c.name, c.dtype) for c in TABLES[name] if c.name in table.columns]
    if name in ("invoices", "payments") and "currency" in table.columns:
        codes = sorted(iso_codes())
        rules.append(
            Rule(name, "currency", "an ISO 4217 currency code: three capital letters (CNY, USD) "
                 "that ISO 4217 lists", name,
                 where=lambda t: t.currency.notnull()
                 & (~t.currency.re_search(_CURRENCY) | ~t.currency.isin(codes)),
                 value=lambda t: t.currency)
        )  # fmt: skip
    return [rule for rule in rules if rule is not None]


def _value_rule(name: str, c: str, dtype) -> Rule | None:
    if dtype == DATE:
        text, where = RULE_RANGE, lambda t: (t[c] < MIN_DATE) | (t[c] > MAX_DATE)
    elif dtype == FLOAT:
        text, where = RULE_BOUND, lambda t: t[c].notnull() & (t[c].isinf() | (t[c].abs() > MAX_ABS))
    elif dtype == STRING:
        key = c.endswith("_id")
        text = "no control or invisible characters in a key" if key else "no control characters"
        where = lambda t: t[c].notnull() & t[c].re_search(_pattern(t, key))  # noqa: E731
    else:
        return None
    return Rule(name, c, text, name, where=where, value=lambda t: t[c].cast(str))


def _rules(tables: dict[str, ibis.Table]) -> list[Rule]:
    rules: list[Rule] = []
    for name, table in tables.items():
        rules += value_rules(name, table)
        for col in TABLES[name]:
            if not col.nullable and col.name in table.columns:
                rules.append(
                    Rule(name, col.name, "must not be empty", name,
                         where=lambda t, c=col: _missing(t[c.name], c),
                         value=lambda t, c=col: t[c.name].cast(str))
                )  # fmt: skip
        key = KEYS[name]
        rules.append(
            Rule(name, key, "must be unique", name,
                 failing=lambda t, n=name, k=key: _duplicates(t[n], k),
                 count=lambda t, k=key: t.count() - t[k].nunique())
        )  # fmt: skip
    inv = tables["invoices"]
    rules.append(
        Rule("invoices", "due_date", "due_date on or after invoice_date", "invoices",
             where=lambda t: t.due_date < t.invoice_date,
             value=lambda t: t.due_date.cast(str) + " < " + t.invoice_date.cast(str))
    )  # fmt: skip
    if "settled_date" in inv.columns:
        rules.append(
            Rule("invoices", "settled_date", "settled_date on or after invoice_date", "invoices",
                 where=lambda t: t.settled_date < t.invoice_date,
                 value=lambda t: t.settled_date.cast(str))
        )  # fmt: skip
    customer_source = "customers" if "customers" in tables else None
    if customer_source:
        rules.append(
            Rule("invoices", "customer_id", "customer_id exists in customers",
                 failing=lambda t: _orphans(t["invoices"], t["customers"], "customer_id"))
        )  # fmt: skip
    if "payments" in tables:
        rules += _payment_rules(customer_source)
    return rules


def _payment_rules(customer_source: str | None) -> list[Rule]:
    parent = customer_source or "invoices"
    joined = "payments+invoices"
    return [
        Rule("payments", "amount", "amount greater than 0", "payments",
             where=lambda t: t.amount <= 0, value=lambda t: t.amount.cast(str)),
        Rule("payments", "customer_id", f"customer_id exists in {parent}",
             failing=lambda t: _orphans(t["payments"], t[parent], "customer_id")),
        Rule("payments", "invoice_id", "invoice_id (when given) exists in invoices", joined,
             where=lambda t: t.invoice_id.notnull() & t.invoice_known.isnull(),
             value=lambda t: t.invoice_id),
        Rule("payments", "payment_date", "payment_date on or after its invoice's invoice_date",
             joined, where=lambda t: t.payment_date < t.invoice_date,
             value=lambda t: t.payment_date.cast(str) + " < " + t.invoice_date.cast(str)),
        Rule("payments", "customer_id", "customer_id equals its invoice's customer_id", joined,
             where=lambda t: t.customer_id != t.invoice_customer,
             value=lambda t: t.customer_id + " != " + t.invoice_customer),
    ]  # fmt: skip


def _missing(column: ibis.Value, col) -> ibis.Value:
    cond = column.isnull()
    if col.dtype == FLOAT:
        cond |= column.isnan()  # infinities break the bound of the readers' rule instead
    return cond


def _duplicates(table: ibis.Table, key: str) -> ibis.Table:
    counts = table.group_by(key).aggregate(_n=_.count()).filter(_._n > 1)
    return table.semi_join(counts, key).mutate(value=table[key])


def _orphans(child: ibis.Table, parent: ibis.Table, key: str) -> ibis.Table:
    return child.anti_join(parent.select(key).distinct(), key).mutate(value=child[key])


def _failing_counts(tables, rules: list[Rule]) -> list[int]:
    """Tell which rules fail, without numbering or fetching rows: the fast first pass.

    Rules on the same scan are counted in one aggregation, one pass over the table; a key is
    unique when its count equals its distinct count. Only zero versus non-zero is used: counts
    over the payment-invoice join can be inflated by duplicate invoice ids (reported by their
    own rule), and the exact counts come from the second pass over the failing rules.
    """
    counts = [0] * len(rules)
    scans: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        if rule.scan is not None and (rule.where is not None or rule.count is not None):
            scans.setdefault(rule.scan, []).append(i)
    for scan, ids in scans.items():
        scanned = _scan(scan, tables)
        row = scanned.aggregate(**{f"r{i}": rules[i].counter(scanned) for i in ids}).execute()
        for i in ids:
            value = row[f"r{i}"].iloc[0]
            counts[i] = 0 if pd.isna(value) else int(value)
    fused = {i for ids in scans.values() for i in ids}
    rest = [i for i in range(len(rules)) if i not in fused]
    if rest:
        parts = [
            rules[i].rows(tables).aggregate(n=_.count()).mutate(i=ibis.literal(i)) for i in rest
        ]
        for i, n in ibis.union(*parts).execute()[["i", "n"]].itertuples(index=False):
            counts[int(i)] = int(n)
    return counts


def _numbered(tables: dict[str, ibis.Table]) -> dict[str, ibis.Table]:
    """Tables with a ``_row`` column: the source row number, or the engine's scan order."""
    return {
        k: t if "_row" in t.columns else t.mutate(_row=ibis.row_number() + 1)
        for k, t in tables.items()
    }


def _rule_failures(tables, rules, origins, max_rows) -> pd.DataFrame:
    counts = _failing_counts(tables, rules)
    failed = [i for i, n in enumerate(counts) if n]
    if not failed:
        return pd.DataFrame(columns=COLUMNS + ["count"])
    tables = _numbered(tables)
    parts = []
    for i in failed:
        failing = (
            rules[i]
            .rows(tables)
            .select(rule_id=ibis.literal(i), row=_._row, value=_.value.cast(str))
        )
        parts.append(failing)
    found = ibis.union(*parts, distinct=False)
    ranked = found.mutate(
        rank=ibis.row_number().over(group_by=_.rule_id, order_by=_.row),
        count=_.count().over(group_by=_.rule_id),
    )
    rows = ranked.filter(_.rank < max_rows).order_by(["rule_id", "row"]).execute()
    meta = pd.DataFrame(
        [(r.table, r.column, r.text) for r in rules], columns=["table", "column", "rule"]
    )
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
        (t, c, r) in prior_keys
        for t, c, r in zip(found["table"], found["column"], found["row"], strict=True)
    ]
    return found[~(empty_rule & pd.Series(again, index=found.index)) & (found["count"] > 0)]


def failure_message(failures: pd.DataFrame, max_groups: int = 20) -> str:
    """One readable message: per file, column and rule, the first rows and values and the count.

    The headline count is the sum of the counts on the lines below it (all groups, also those
    beyond ``max_groups``).
    """
    groups = failures.groupby(["file", "table", "column", "rule"], sort=False, dropna=False)
    counts = [_group_count(group) for _, group in groups]
    lines = [f"the ledger has {sum(counts)} problem(s) in {groups.ngroups} check(s):"]
    for ((file, _table, column, rule), group), n in list(zip(groups, counts, strict=True))[
        :max_groups
    ]:
        rows = ", ".join(str(r) for r in group["row"].dropna().astype(int).head(5))
        values = ", ".join(shown(v) for v in group["value"].dropna().head(5))
        parts = [f"rows {rows}" + (" ..." if n > 5 else "")] if rows else []
        parts += [f"values {values}"] if values else []
        detail = ": " + "; ".join(parts) if parts else ""
        place = f"column '{column}': " if isinstance(column, str) else ""
        lines.append(f"  - {file}: {place}{rule}{detail} ({n} in all)")
    if groups.ngroups > max_groups:
        lines.append(f"  ... and {groups.ngroups - max_groups} more check(s); see error.failures")
    return "\n".join(lines)


def _group_count(group: pd.DataFrame) -> int:
    """Failures in one check: the count the engine reported, or one per listed row."""
    reported = int(group["count"].max()) if group["count"].notna().any() else 0
    return max(reported, len(group))
