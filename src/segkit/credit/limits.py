"""Expected loss, proposed credit limits and the watch-list of downgraded customers.

The limit policy is data (``limit_policy.yaml`` beside this module, documented there and in
docs/credit.md), so a credit committee changes the grace period, the grade factors, the caps
and the actions without touching code. :func:`propose_limits` is the one place a limit is
decided; every page and sheet quotes its ``action``:

1. the formula: sales of a day times the customer's payment terms plus a grace period, times
   the grade's factor, capped by size and rounded down;
2. a customer in default holds orders (limit 0);
3. a customer in arrears (anything overdue; with ``disputed_counts_as_arrears: false``, the
   default, anything overdue on an invoice not in dispute) is never given more than its limit
   on file; over that limit it holds orders; below what it owes it gets a repayment plan or
   holds orders (per grade);
4. a customer in good standing (nothing overdue, not in default) is never proposed less than
   it owes: the limit is raised to the exposure;
5. a customer who owes without a limit on file gets a proposal (``new_limit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import yaml

from segkit.credit.grades import RatingScale
from segkit.credit.standing import credit_standing
from segkit.exceptions import ConfigError

__all__ = [
    "DEFAULT_LGD",
    "DEFAULT_LIMIT_POLICY",
    "LIMIT_ACTIONS",
    "SIZE_BASES",
    "STANDINGS",
    "expected_loss",
    "load_limit_policy",
    "propose_limits",
    "watch_list",
]

#: Loss given default of a senior claim on a corporate not secured by recognised collateral
#: under the Basel II foundation IRB approach (BCBS, International Convergence of Capital
#: Measurement and Capital Standards, June 2006, paragraph 287). The 2017 Basel III reforms
#: lower it to 40% for non-financial corporates; pass ``lgd=0.40`` to follow them.
DEFAULT_LGD = 0.45

_POLICY_FILE = Path(__file__).with_name("limit_policy.yaml")
_POLICY_KEYS = (
    "grace_days", "default_terms_days", "grade_factor", "cap_by_size", "size_by_revenue",
    "rounding_unit", "in_arrears", "disputed_counts_as_arrears",
)  # fmt: skip
#: What comes with a proposal, in the order the rules apply (None: the formula stands).
LIMIT_ACTIONS = (
    "hold_orders", "repayment_plan", "no_increase", "limit_at_exposure", "new_limit",
)  # fmt: skip
#: A customer's standing at the date: in default, in arrears (anything overdue), or good.
STANDINGS = ("in_default", "in_arrears", "good_standing")
#: Where the size class of a limit comes from.
SIZE_BASES = ("statutory", "own_revenue", "sales_12m", "unknown")


def _frozen(value):
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def load_limit_policy(source: Mapping | str | Path | None = None) -> Mapping:
    """The limit policy: the defaults of ``limit_policy.yaml`` with ``source``'s keys over them.

    Parameters
    ----------
    source : mapping, path of a YAML file, or None
        The keys to change (any of ``grace_days``, ``default_terms_days``, ``grade_factor``,
        ``cap_by_size``, ``size_by_revenue``, ``rounding_unit``, ``in_arrears``,
        ``disputed_counts_as_arrears``); a table
        (``grade_factor: {A: 2.0}``) changes only the entries it names. None gives the
        defaults.

    Returns
    -------
    Mapping
        A read-only, checked policy.
    """
    with _POLICY_FILE.open(encoding="utf-8") as handle:
        policy = yaml.safe_load(handle)
    if isinstance(source, (str, Path)):
        try:
            with Path(source).open(encoding="utf-8") as handle:
                source = yaml.safe_load(handle) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ConfigError(f"limit policy {source}: cannot be read ({error}).") from None
    if source is not None and not isinstance(source, Mapping):
        raise ConfigError(f"limit_policy must be a mapping or a YAML file; got {source!r}.")
    unknown = sorted(set(source or {}) - set(_POLICY_KEYS))
    if unknown:
        raise ConfigError(f"limit_policy keys must be among {list(_POLICY_KEYS)}; got {unknown}.")
    for key, value in (source or {}).items():  # a table's keys change one by one
        both = isinstance(value, Mapping) and isinstance(policy.get(key), Mapping)
        policy[key] = {**policy[key], **value} if both else value
    _check_policy(policy)
    return _frozen(policy)


def expected_loss(pd, exposure, lgd=DEFAULT_LGD):
    """Expected loss ``EL = PD * EAD * LGD``.

    Parameters
    ----------
    pd : array-like of float in [0, 1]
        Probability of default over the horizon.
    exposure : array-like of float >= 0
        Exposure at default (for a trade receivable: the open balance or the limit), CNY.
    lgd : float or array-like in [0, 1], default 0.45
        Loss given default; the default is :data:`DEFAULT_LGD`.

    Returns
    -------
    pandas.Series or numpy.ndarray
        A Series named ``expected_loss`` with the index of ``pd`` when ``pd`` is a Series;
        missing inputs give a missing loss.
    """
    return _expected_loss(pd, exposure, lgd)


def _expected_loss(probabilities, exposure, lgd):
    values = _in_range(probabilities, "pd", 0.0, 1.0)
    loss_rate = _in_range(lgd, "lgd", 0.0, 1.0)
    ead = np.asarray(exposure, dtype=float)
    if (ead < 0).any():
        raise ConfigError(f"exposure must be >= 0; got {ead[ead < 0][:5].tolist()}.")
    loss = values * ead * loss_rate
    if isinstance(probabilities, pd.Series):
        return pd.Series(loss, index=probabilities.index, name="expected_loss")
    return loss


def _in_range(values, name: str, low: float, high: float) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    outside = array[(array < low) | (array > high)]
    if outside.size:
        raise ConfigError(f"{name} must be in [{low}, {high}]; got {outside[:5].tolist()}.")
    return array


def _check_policy(policy: Mapping) -> None:
    missing = [k for k in _POLICY_KEYS if k not in policy]
    if missing:
        raise ConfigError(f"policy must define {list(_POLICY_KEYS)}; missing {missing}.")
    for key in ("grace_days", "default_terms_days", "rounding_unit"):
        value = policy[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ConfigError(f"policy['{key}'] must be a number >= 0; got {value!r}.")
    if not policy["rounding_unit"] > 0:
        raise ConfigError(f"policy['rounding_unit'] must be > 0; got {policy['rounding_unit']!r}.")
    for key in ("grade_factor", "cap_by_size"):
        table = policy[key]
        if not isinstance(table, Mapping):
            raise ConfigError(f"policy['{key}'] must be a mapping; got {table!r}.")
        negative = {k: v for k, v in table.items() if not (isinstance(v, (int, float)) and v >= 0)}
        if negative:
            raise ConfigError(f"policy['{key}'] values must be >= 0; got {negative}.")
    if not isinstance(policy["disputed_counts_as_arrears"], bool):
        raise ConfigError(
            "policy['disputed_counts_as_arrears'] must be true or false; "
            f"got {policy['disputed_counts_as_arrears']!r}."
        )
    wrong = {k: v for k, v in policy["in_arrears"].items() if v not in _ARREARS_ACTIONS}
    if wrong:
        raise ConfigError(
            f"policy['in_arrears'] values must be in {_ARREARS_ACTIONS}; got {wrong}."
        )
    sizes = [size for _low, size in policy["size_by_revenue"]]
    unknown = [size for size in sizes if size not in policy["cap_by_size"]]
    if unknown:
        raise ConfigError(
            f"policy['size_by_revenue'] sizes must be keys of cap_by_size; got {unknown}."
        )


_ARREARS_ACTIONS = ("repayment_plan", "hold_orders")


def _lookup(values: pd.Series, table: Mapping, name: str) -> pd.Series:
    unknown = sorted({str(v) for v in values.dropna() if v not in table})
    if unknown:
        raise ConfigError(f"{name} values must be keys of the policy {list(table)}; got {unknown}.")
    return values.map(lambda v: table.get(v, np.nan)).astype(float)


def _round_down(values: pd.Series, unit: float) -> pd.Series:
    """Round down to a multiple of ``unit``, forgiving float noise (299999.99999 -> 300000)."""
    return np.floor(np.round(values / unit, 9)) * unit


def _round_up(values: pd.Series, unit: float) -> pd.Series:
    return np.ceil(np.round(values / unit, 9)) * unit


def _size_basis(frame, size_col, own_col, sales_col, policy) -> tuple[pd.Series, pd.Series]:
    """Size class and its basis: statutory, else from revenue (own, else 12-month sales)."""
    size = frame[size_col].astype(object) if size_col in frame.columns else None
    if size is None:
        size = pd.Series(np.nan, index=frame.index, dtype=object)
    size = size.where(size != "unknown")  # the size standard's "unknown" is no size either
    basis = pd.Series(np.where(size.notna(), "statutory", "unknown"), index=frame.index)
    steps = tuple(policy.get("size_by_revenue", ()))
    sources = [("own_revenue", own_col), ("sales_12m", sales_col)]
    for name, column in sources if steps else ():
        if column not in frame.columns:
            continue
        revenue = frame[column].astype(float)
        fill = (basis == "unknown") & revenue.gt(0)
        for low, label in sorted(steps, reverse=True):
            take = fill & revenue.ge(low)
            size, basis = size.mask(take, label), basis.mask(take, name)
            fill &= ~take
    return size.where(size.notna(), "unknown"), basis.astype(object)


def _column(frame: pd.DataFrame, name: str, fill) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(fill, index=frame.index)


def _decide(out, standing, exposure, current, policy, grade_col, unit) -> pd.DataFrame:
    """Apply the rules after the formula: the one place a limit's action is decided."""
    limit, action = out["limit_formula"].copy(), pd.Series(None, index=out.index, dtype=object)
    graded = limit.notna()
    default = graded & (standing == "in_default")
    limit[default], action[default] = 0.0, "hold_orders"
    arrears = graded & (standing == "in_arrears")
    capped = arrears & current.notna() & (limit > current)
    limit[capped], action[capped] = current[capped], "no_increase"
    over = arrears & current.notna() & (exposure > current)
    below = arrears & ~over & (exposure > limit)
    rule = out[grade_col].astype(object).map(lambda g: policy["in_arrears"].get(g, "hold_orders"))
    action[over], action[below] = "hold_orders", rule[below]
    good = graded & (standing == "good_standing") & (exposure > limit)
    limit[good], action[good] = _round_up(exposure[good], unit), "limit_at_exposure"
    new = graded & current.isna() & action.isna()
    action[new] = "new_limit"
    out["limit_proposed"], out["action"] = limit, action.where(action.notna(), None)
    return out


def propose_limits(
    frame: pd.DataFrame,
    grade_col: str = "grade",
    size_col: str = "size_cn",
    revenue_col: str = "revenue_12m",
    credit_limit_col: str = "credit_limit",
    policy: Mapping | None = None,
    *,
    own_revenue_col: str = "revenue",
    exposure_col: str = "open_balance",
    overdue_col: str = "overdue_balance",
    undisputed_col: str = "overdue_undisputed",
    in_default_col: str = "in_default_at_as_of",
    terms_col: str = "terms_days",
) -> pd.DataFrame:
    """Propose a credit limit per customer from its sales, payment terms, grade and standing.

    ``limit_formula = floor(min(max(revenue, 0) / 365 * (terms + grace) * factor[grade],
    cap[size]) / unit) * unit``, then the decisions of the module docstring: in default, hold
    orders (0); in arrears, never above the limit on file (``no_increase``), hold orders when
    over it, a repayment plan or held orders (per grade, ``in_arrears``) when below what is
    owed; in good standing, never below what is owed (``limit_at_exposure``); no limit on
    file, ``new_limit``. A missing grade or revenue gives a missing limit (no basis).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer, e.g. the scored customers of the credit study.
    grade_col, size_col, revenue_col : str
        Grade, statutory size class (may be absent: sizes are then read from revenue) and net
        sales of the last 12 months.
    credit_limit_col : str, default "credit_limit"
        The limit on file; when present, ``limit_change``, ``utilisation`` and ``over_limit``
        are reported.
    policy : mapping, optional
        A policy of :func:`load_limit_policy`; None uses :data:`DEFAULT_LIMIT_POLICY`.
    own_revenue_col, exposure_col, overdue_col, undisputed_col, in_default_col, terms_col : str
        The customer's own annual revenue, its open balance, its overdue balance, the part of
        it on invoices not in dispute, its default flag and its average payment terms in days;
        each is used when present (no exposure column: nothing owed; no undisputed column or a
        missing value: every overdue amount counts; no terms column: the policy's
        ``default_terms_days``).

    Returns
    -------
    pandas.DataFrame
        Same index as ``frame``: ``grade_col``, ``size_col``, ``size_basis``, ``revenue_col``,
        ``daily_sales``, ``terms_days``, ``grade_factor``, ``cap``, ``limit_formula``,
        ``limit_proposed``, ``exposure_col``, ``standing`` (one of :data:`STANDINGS`),
        ``overdue_disputed`` (overdue held apart from arrears as disputed), ``action`` (one of
        :data:`LIMIT_ACTIONS` or None); with the limit on file also ``credit_limit_col``,
        ``limit_change``, ``utilisation`` and ``over_limit``.
    """
    policy = DEFAULT_LIMIT_POLICY if policy is None else policy
    _check_policy(policy)
    absent = [c for c in (grade_col, revenue_col) if c not in frame.columns]
    if absent:
        raise ConfigError(f"frame must have the grade and revenue columns; missing {absent}.")
    size, basis = _size_basis(frame, size_col, own_revenue_col, revenue_col, policy)
    out = pd.DataFrame({grade_col: frame[grade_col], size_col: size}, index=frame.index)
    out["size_basis"] = basis
    out[revenue_col] = frame[revenue_col].astype(float)
    out["daily_sales"] = out[revenue_col].clip(lower=0) / 365
    terms = _column(frame, terms_col, np.nan).astype(float)
    out["terms_days"] = terms.where(terms >= 0).fillna(float(policy["default_terms_days"]))
    factor = _lookup(frame[grade_col].astype(object), policy["grade_factor"], grade_col)
    out["grade_factor"] = factor
    out["cap"] = _lookup(size, policy["cap_by_size"], size_col)
    days = out["terms_days"] + float(policy["grace_days"])
    uncapped = out["daily_sales"] * days * out["grade_factor"]
    unit = float(policy["rounding_unit"])
    out["limit_formula"] = _round_down(uncapped.clip(upper=out["cap"]), unit)
    exposure = _column(frame, exposure_col, 0.0).astype(float).fillna(0.0)
    current = _column(frame, credit_limit_col, np.nan).astype(float)
    current = current.where(current > 0)  # a limit of 0 on file is no limit
    standing = credit_standing(
        frame, overdue_col, undisputed_col, in_default_col, policy["disputed_counts_as_arrears"]
    )
    out = _decide(out, standing["standing"], exposure, current, policy, grade_col, unit)
    out[exposure_col], out["standing"] = exposure, standing["standing"]
    out["overdue_disputed"] = standing["overdue_disputed"]
    if credit_limit_col in frame.columns:
        out[credit_limit_col] = frame[credit_limit_col].astype(float)
        out["limit_change"] = out["limit_proposed"] - out[credit_limit_col]
        out["utilisation"] = exposure / current
        out["over_limit"] = (exposure - current).clip(lower=0).where(current.notna())
    return out


#: The default limit policy (``limit_policy.yaml``).
DEFAULT_LIMIT_POLICY = load_limit_policy()


def watch_list(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    grade_col: str = "grade",
    exposure_col: str | None = "open_balance",
    scale: RatingScale | None = None,
    min_notches: int = 1,
) -> pd.DataFrame:
    """Customers whose grade worsened by at least ``min_notches`` since the previous run.

    Customers are matched on the index (``customer_id``); those graded in only one of the
    two frames, or ungraded in either, are left out.

    Parameters
    ----------
    current, previous : pandas.DataFrame
        Graded customer tables of this and the previous period.
    grade_col : str, default "grade"
    exposure_col : str or None, default "open_balance"
        Column of ``current`` used to rank customers with equal notches; None to skip.
    scale : RatingScale, optional
        Scale giving the grade order; None uses the default scale.
    min_notches : int, default 1

    Returns
    -------
    pandas.DataFrame
        Index of ``current``; columns ``grade_previous``, ``grade_current``, ``notches``
        (grades lost, > 0) and the exposure column, sorted by notches then exposure, both
        descending.
    """
    scale = scale or RatingScale()
    if not isinstance(min_notches, int) or min_notches < 1:
        raise ConfigError(f"min_notches must be an int >= 1; got {min_notches!r}.")
    for name, table in (("current", current), ("previous", previous)):
        if grade_col not in table.columns:
            raise ConfigError(f"{name} must have the grade column {grade_col!r}.")
    if exposure_col is not None and exposure_col not in current.columns:
        raise ConfigError(f"current must have the exposure column {exposure_col!r}.")
    common = current.index.intersection(previous.index)
    old = previous.loc[common, grade_col].astype(object)
    new = current.loc[common, grade_col].astype(object)
    out = pd.DataFrame({"grade_previous": old, "grade_current": new}, index=common)
    out["notches"] = scale.notch(new) - scale.notch(old)
    out = out[out["notches"] >= min_notches]
    out["notches"] = out["notches"].astype(int)
    keys = ["notches"]
    if exposure_col is not None:
        out[exposure_col] = current.loc[out.index, exposure_col].astype(float)
        keys.append(exposure_col)
    return out.sort_values(keys, ascending=False, kind="stable", na_position="last")
