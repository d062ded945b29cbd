"""Collection strategy per customer class and invoice risk, and the worklist it gives.

The strategy is data (``strategy.yaml`` in this package, documented in
``docs/collections.md``): bands of an invoice's ``p_late``, named plans (ladders of
collection steps timed from the due date), the dispute route, and rules from (value tier,
risk, invoice risk) to a plan, first match wins. :func:`load_strategy` reads the default or a
user file and checks every entry; :func:`collection_worklist` gives each open invoice its plan
or the dispute route, its next step (:mod:`segkit.cash.ladder`: never skipped, overdue when its
date has passed) and the money at risk that orders the list.
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit.checks import as_date
from segkit.classes.value_risk import RISK_ORDER, TIER_ORDER
from segkit.exceptions import ConfigError

from .ladder import DISPUTE_STEPS, ladder_state, steps_done

__all__ = [
    "ACTIONS",
    "DEFAULT_STRATEGY",
    "Strategy",
    "collection_worklist",
    "load_strategy",
    "plan_table",
]

#: The collection steps, mildest first.
ACTIONS = ("courtesy_reminder", "call", "escalate", "hold_orders", "final_notice", "legal")
#: Days past due at which the weight of an invoice's money at risk stops growing (doubled).
WEIGHT_DAYS = 90
DEFAULT_STRATEGY = resources.files("segkit.cash") / "strategy.yaml"
_SECTIONS = ("invoice_risk", "plans", "disputes", "rules")
_RULE_KEYS = ("value", "risk", "invoice_risk", "plan")
ANY = "*"
_STATE = ("action", "action_date", "days_overdue", "at_risk", "priority")


@dataclasses.dataclass(frozen=True)
class Strategy:
    """A checked collection strategy.

    Attributes
    ----------
    bands : tuple of (name, upper)
        Invoice-risk bands: ``p_late <= upper`` of the first band that holds.
    plans : dict of str to tuple of (action, day)
        The ladder of each plan: its steps in order, days from the due date.
    disputes : tuple of (step, day)
        The dispute route, in order, days from the due date.
    rules : tuple of dict
        ``value``, ``risk``, ``invoice_risk``, ``plan``; ``"*"`` matches anything.
    source : str
        Where the strategy came from.
    """

    bands: tuple
    plans: dict
    disputes: tuple
    rules: tuple
    source: str

    def ladders(self) -> dict:
        """Every ladder by name, the dispute route under ``"dispute"``."""
        return {**self.plans, "dispute": self.disputes}


def load_strategy(source: str | Path | dict | None = None) -> Strategy:
    """Read the default strategy, with the sections of a user file or dict replacing its own.

    Parameters
    ----------
    source : str, Path or dict, optional
        A YAML file or a dict with any of the sections ``invoice_risk``, ``plans``,
        ``disputes``, ``rules``.

    Returns
    -------
    Strategy

    Raises
    ------
    ConfigError
        Naming the file, the section and the entry that is wrong.
    """
    default = yaml.safe_load(DEFAULT_STRATEGY.read_text(encoding="utf-8"))
    name = "the default strategy"
    user = {}
    if isinstance(source, dict):
        user, name = source, "the strategy dict"
    elif source is not None:
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"strategy file not found: {path}")
        user, name = yaml.safe_load(path.read_text(encoding="utf-8")) or {}, str(path)
        if not isinstance(user, dict):
            raise ConfigError(f"{name}: a strategy is a mapping of sections; got {user!r}.")
    unknown = sorted(set(user) - set(_SECTIONS), key=str)
    if unknown:
        raise ConfigError(f"{name}: unknown sections {unknown}; expected {list(_SECTIONS)}.")
    merged = {**default, **user}
    bands = _bands(merged["invoice_risk"], name)
    plans = {str(p): _ladder(steps, f"plans[{p!r}]", ACTIONS, name)
             for p, steps in _mapping(merged["plans"], "plans", name).items()}  # fmt: skip
    disputes = _ladder(merged["disputes"], "disputes", DISPUTE_STEPS, name)
    rules = _rules(merged["rules"], [b for b, _ in bands], plans, name)
    return Strategy(bands=bands, plans=plans, disputes=disputes, rules=rules, source=name)


def _bands(section, name) -> tuple:
    ok = isinstance(section, dict) and section
    uppers = list(section.values()) if ok else []
    ok = ok and all(isinstance(u, Real) and not isinstance(u, bool) for u in uppers)
    ok = ok and all(0 < u <= 1 for u in uppers) and uppers[-1] == 1
    if not ok or any(a >= b for a, b in zip(uppers, uppers[1:], strict=False)):
        raise ConfigError(
            f"{name}: invoice_risk must map band names to increasing upper bounds of p_late in "
            f"(0, 1], the last 1.0; got {section!r}."
        )
    return tuple((str(k), float(v)) for k, v in section.items())


def _mapping(section, key, name) -> dict:
    if not isinstance(section, dict) or not section:
        raise ConfigError(f"{name}: {key} must map plan names to steps; got {section!r}.")
    return section


def _ladder(steps, key, known, name) -> tuple:
    """Check one ladder: known steps, whole days never decreasing, legal after the final notice."""
    if not isinstance(steps, dict) or not steps:
        raise ConfigError(f"{name}: {key} must map steps to days; got {steps!r}.")
    wrong = sorted(set(steps) - set(known), key=str)
    if wrong:
        raise ConfigError(f"{name}: {key} has unknown actions {wrong}; known: {list(known)}.")
    for action, day in steps.items():
        if isinstance(day, bool) or not isinstance(day, Integral):
            raise ConfigError(
                f"{name}: {key}[{action!r}] must be a whole number of days from the due date; "
                f"got {day!r}."
            )
    ladder = tuple((str(a), int(d)) for a, d in steps.items())
    for (first, day1), (then, day2) in zip(ladder, ladder[1:], strict=False):
        if day2 < day1:
            raise ConfigError(
                f"{name}: {key} is a ladder in the order written, so days never decrease; "
                f"{then!r} on day {day2} comes after {first!r} on day {day1}."
            )
    codes = [a for a, _ in ladder]
    if "legal" in codes and (codes[-1] != "legal" or len(codes) < 2 or codes[-2] != "final_notice"
                             or ladder[-1][1] <= ladder[-2][1]):  # fmt: skip
        raise ConfigError(
            f"{name}: {key}: legal action must be the last step, directly after a final_notice "
            f"dated earlier; got {codes}."
        )
    return ladder


def _rules(section, bands, plans, name) -> tuple:
    if not isinstance(section, list) or not section:
        raise ConfigError(f"{name}: rules must be a non-empty list; got {section!r}.")
    allowed = {
        "value": [*TIER_ORDER, ANY],
        "risk": [*RISK_ORDER, ANY],
        "invoice_risk": [*bands, ANY],
        "plan": list(plans),
    }
    for i, rule in enumerate(section):
        if not isinstance(rule, dict) or set(rule) != set(_RULE_KEYS):
            raise ConfigError(
                f"{name}: rules[{i}] must have exactly the keys {list(_RULE_KEYS)}; got {rule!r}."
            )
        for key, values in allowed.items():
            if rule[key] not in values:
                raise ConfigError(
                    f"{name}: rules[{i}].{key} is {rule[key]!r}; expected one of {values}."
                )
    if any(section[-1][k] != ANY for k in _RULE_KEYS[:3]):
        raise ConfigError(
            f"{name}: the last rule must match every invoice (value, risk and invoice_risk "
            f"'*'); got {section[-1]!r}."
        )
    return tuple(dict(r) for r in section)


def plan_table(strategy: Strategy | None = None) -> pd.DataFrame:
    """The plans as a table: one row per plan, one column per action, the day from due date."""
    strategy = strategy or load_strategy()
    table = pd.DataFrame({p: dict(steps) for p, steps in strategy.plans.items()}).T
    table = table.reindex(columns=[a for a in ACTIONS if a in table.columns])
    return table.astype("Int64").rename_axis("plan")


def collection_worklist(
    predictions: pd.DataFrame,
    as_of,
    classes: pd.DataFrame | None = None,
    strategy: Strategy | str | Path | dict | None = None,
    value_col: str = "abc_tier",
    risk_col: str = "risk_tier",
    previous=None,
) -> pd.DataFrame:
    """Each open invoice's ladder or dispute route, its next step and the money at risk.

    Parameters
    ----------
    predictions : pandas.DataFrame
        From :meth:`segkit.cash.LatePaymentModel.predict` at ``as_of``; an optional
        ``disputed`` column sends an invoice to the dispute route.
    as_of : str or datetime.date
        The date of the worklist.
    classes : pandas.DataFrame, optional
        One row per customer (index ``customer_id``) with ``value_col`` and ``risk_col``, e.g.
        the output of ``segkit.classify``. Customers not in it are value ``none``, risk
        ``unknown``.
    strategy : Strategy, str, Path or dict, optional
        A strategy, or what :func:`load_strategy` reads; the default strategy otherwise.
    value_col, risk_col : str
        Columns of ``classes`` with the value tier and the risk tier.
    previous : pandas.DataFrame, str or Path, optional
        The previous run's worklist, kept by the user, telling which steps are done
        (:func:`segkit.cash.ladder.steps_done`); without it no step counts as done.

    Returns
    -------
    pandas.DataFrame
        Index ``invoice_id``: ``customer_id``, ``value``, ``risk``, ``invoice_risk``, ``plan``
        (the plan of the customer class; ``dispute`` for a disputed invoice), ``step`` (position
        of the next step in its ladder), ``action`` (the first step not done), ``action_date``
        (its date, before ``as_of`` when overdue), ``days_overdue``, ``open_amount``,
        ``due_date``, ``days_past_due``, ``disputed``, ``p_late``, ``p_very_late``,
        ``expected_payment_date``, ``reasons``, ``at_risk`` (open amount x p_late) and
        ``priority`` (``at_risk`` x (1 + min(days past due, 90) / 90)). Sorted by priority,
        highest first.
    """
    day = pd.Timestamp(as_date(as_of))
    if not isinstance(strategy, Strategy):
        strategy = load_strategy(strategy)
    # a worklist given again is re-planned: its own columns are recomputed
    work = predictions.drop(columns=["step", *_STATE], errors="ignore")
    work["value"], work["risk"] = _classes(work["customer_id"], classes, value_col, risk_col)
    work["invoice_risk"] = _band(work["p_late"].to_numpy(float), strategy.bands)
    flags = work["disputed"] if "disputed" in work.columns else pd.Series(0.0, index=work.index)
    work["disputed"] = flags.fillna(0).astype(float) > 0
    work["plan"] = np.where(work["disputed"], "dispute", _match(work, strategy.rules))
    work = work.join(_next_steps(work, strategy.ladders(), previous, day))
    work["at_risk"] = work["open_amount"] * work["p_late"]
    weight = 1 + np.clip(work["days_past_due"].astype(float), 0, WEIGHT_DAYS) / WEIGHT_DAYS
    work["priority"] = work["at_risk"] * weight
    columns = ["customer_id", "value", "risk", "invoice_risk", "plan", "step", "action",
               "action_date", "days_overdue", "open_amount", "due_date", "days_past_due",
               "disputed", "p_late", "p_very_late", "expected_payment_date", "reasons",
               "at_risk", "priority"]  # fmt: skip
    work = work.sort_values(["priority", "days_overdue"], ascending=False, kind="stable")
    return work[columns]


def _next_steps(work: pd.DataFrame, ladders: dict, previous, day) -> pd.DataFrame:
    """The state of each invoice on its ladder (:func:`segkit.cash.ladder.ladder_state`)."""
    done = steps_done(previous, ladders, work["plan"])
    parts = [
        ladder_state(ladders[plan], part["due_date"], done[part.index], day)
        for plan, part in work.groupby("plan", sort=False)
    ]
    if not parts:  # nothing open
        columns = {"step": "int64", "action": object, "action_date": "datetime64[ns]",
                   "days_overdue": "int64"}  # fmt: skip
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()}, index=work.index)
    return pd.concat(parts)


def _classes(customers, classes, value_col, risk_col):
    if classes is None:
        return "none", "unknown"
    missing = [c for c in (value_col, risk_col) if c not in classes.columns]
    if missing:
        raise ConfigError(
            f"classes must have the columns {value_col!r} and {risk_col!r}; missing {missing}."
        )
    table = classes[[value_col, risk_col]].astype(object)
    table = table.reindex(customers.to_numpy())
    value = table[value_col].where(table[value_col].notna(), "none").astype(str)
    risk = table[risk_col].where(table[risk_col].notna(), "unknown").astype(str)
    wrong = sorted(set(value) - set(TIER_ORDER)) + sorted(set(risk) - set(RISK_ORDER))
    if wrong:
        raise ConfigError(
            f"classes: values {wrong} are not value tiers {list(TIER_ORDER)} or risk tiers "
            f"{list(RISK_ORDER)}."
        )
    return value.to_numpy(), risk.to_numpy()


def _band(p: np.ndarray, bands) -> np.ndarray:
    uppers = np.array([u for _, u in bands])
    names = np.array([n for n, _ in bands], dtype=object)
    return names[np.searchsorted(uppers, np.clip(p, 0.0, 1.0), side="left")]


def _match(work: pd.DataFrame, rules) -> np.ndarray:
    plan = np.full(len(work), None, dtype=object)
    for rule in reversed(rules):  # the first matching rule is applied last
        hit = np.ones(len(work), dtype=bool)
        for key in _RULE_KEYS[:3]:
            if rule[key] != ANY:
                hit &= work[key].to_numpy() == rule[key]
        plan[hit] = rule["plan"]
    return plan
