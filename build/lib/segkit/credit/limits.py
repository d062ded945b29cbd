"""Expected loss, proposed credit limits and the watch-list of downgraded customers.

The limit policy is data (a mapping with a module-level default), so a credit committee can
change months of sales, multipliers, caps, the size fallback and the actions without touching
code. A proposal is never below what the customer already owes unless it comes with an
explicit action (hold orders, or reduce with a repayment plan).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from segkit.credit.grades import RatingScale
from segkit.exceptions import ConfigError

__all__ = [
    "DEFAULT_LGD",
    "DEFAULT_LIMIT_POLICY",
    "LIMIT_ACTIONS",
    "SIZE_BASES",
    "expected_loss",
    "propose_limits",
    "watch_list",
]

#: Loss given default of a senior claim on a corporate not secured by recognised collateral
#: under the Basel II foundation IRB approach (BCBS, International Convergence of Capital
#: Measurement and Capital Standards, June 2006, paragraph 287). The 2017 Basel III reforms
#: lower it to 40% for non-financial corporates; pass ``lgd=0.40`` to follow them.
DEFAULT_LGD = 0.45

#: Default limit policy for the default rating scale.
#:
#: - ``months_by_grade``: months of average monthly sales (``revenue_12m / 12``) granted
#:   per grade, from 3 months for the best grade to 0.5 for the worst non-default grade and
#:   0 in default;
#: - ``size_multiplier``: multiplier per enterprise size class;
#: - ``cap_by_size``: largest limit per size class, in CNY;
#: - ``rounding_unit``: limits are rounded down to a multiple of this amount (CNY);
#: - ``size_by_revenue``: when the statutory size is unknown, the size class read from annual
#:   revenue (the customer's own, else the 12-month sales to it, a lower bound of its size):
#:   pairs ``(lowest revenue, size)``, largest first. The default uses the industry (工业)
#:   revenue thresholds of 统计上大中小微型企业划分办法（2017）: 400m, 20m and 3m CNY;
#: - ``above_exposure``: per grade, what happens when the customer owes more than the
#:   proposal: ``"limit_at_exposure"`` (the limit is raised to the exposure, rounded up: no
#:   cut below what is owed, new orders as the balance is paid), ``"repayment_plan"`` (reduce
#:   with a repayment plan) or ``"hold_orders"``; a customer in default always holds orders.
DEFAULT_LIMIT_POLICY = MappingProxyType(
    {
        "months_by_grade": MappingProxyType(
            {
                "AAA": 3.0,
                "AA": 2.5,
                "A": 2.0,
                "BBB": 1.5,
                "BB": 1.25,
                "B": 1.0,
                "CCC": 0.75,
                "CC": 0.5,
                "D": 0.0,
            }
        ),
        "size_multiplier": MappingProxyType(
            {"large": 1.5, "medium": 1.2, "small": 1.0, "micro": 0.8, "unknown": 0.8}
        ),
        "cap_by_size": MappingProxyType(
            {
                "large": 50_000_000.0,
                "medium": 10_000_000.0,
                "small": 3_000_000.0,
                "micro": 1_000_000.0,
                "unknown": 1_000_000.0,
            }
        ),
        "rounding_unit": 10_000.0,
        "size_by_revenue": (
            (400_000_000.0, "large"),
            (20_000_000.0, "medium"),
            (3_000_000.0, "small"),
            (0.0, "micro"),
        ),
        "above_exposure": MappingProxyType(
            {
                **dict.fromkeys(("AAA", "AA", "A", "BBB", "BB"), "limit_at_exposure"),
                **dict.fromkeys(("B", "CCC"), "repayment_plan"),
                **dict.fromkeys(("CC", "D"), "hold_orders"),
            }
        ),
    }
)

_POLICY_KEYS = ("months_by_grade", "size_multiplier", "cap_by_size", "rounding_unit")
#: What a proposal below the exposure comes with (the codes of ``above_exposure``).
LIMIT_ACTIONS = ("limit_at_exposure", "repayment_plan", "hold_orders")
#: Where the size class of a limit comes from.
SIZE_BASES = ("statutory", "own_revenue", "sales_12m", "unknown")


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
    for key in ("months_by_grade", "size_multiplier", "cap_by_size"):
        negative = {k: v for k, v in policy[key].items() if not v >= 0}
        if negative:
            raise ConfigError(f"policy['{key}'] values must be >= 0; got {negative}.")
    if not policy["rounding_unit"] > 0:
        raise ConfigError(f"policy['rounding_unit'] must be > 0; got {policy['rounding_unit']!r}.")
    wrong = {k: v for k, v in policy.get("above_exposure", {}).items() if v not in LIMIT_ACTIONS}
    if wrong:
        raise ConfigError(
            f"policy['above_exposure'] values must be in {LIMIT_ACTIONS}; got {wrong}."
        )
    sizes = [size for _low, size in policy.get("size_by_revenue", ())]
    unknown = [size for size in sizes if size not in policy["size_multiplier"]]
    if unknown:
        raise ConfigError(
            f"policy['size_by_revenue'] sizes must be keys of size_multiplier; got {unknown}."
        )


def _lookup(values: pd.Series, table: Mapping, name: str) -> pd.Series:
    unknown = sorted({str(v) for v in values.dropna() if v not in table})
    if unknown:
        raise ConfigError(f"{name} values must be keys of the policy {list(table)}; got {unknown}.")
    return values.map(lambda v: table.get(v, np.nan)).astype(float)


def _round_down(values: pd.Series, unit: float) -> pd.Series:
    """Round down to a multiple of ``unit``, forgiving float noise (299999.99999 -> 300000)."""
    return np.floor(np.round(values / unit, 9)) * unit


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


def _exposure_actions(out, frame, exposure_col, in_default_col, grade_col, policy, unit):
    """Apply ``above_exposure``: raise to the exposure, or say what is done about the excess."""
    exposure = frame[exposure_col].astype(float).fillna(0.0)
    rules = policy.get("above_exposure", {})
    action = frame[grade_col].astype(object).map(lambda g: rules.get(g, "hold_orders"))
    if in_default_col in frame.columns:
        action = action.mask(frame[in_default_col].fillna(False).astype(bool), "hold_orders")
    above = out["limit_proposed"].notna() & (exposure > out["limit_proposed"])
    action = action.where(above)
    raise_ = action == "limit_at_exposure"
    ceiling = np.ceil(np.round(exposure / unit, 9)) * unit
    out["limit_proposed"] = out["limit_proposed"].mask(raise_, ceiling)
    out[exposure_col] = exposure
    out["action"] = action.astype(object).where(action.notna(), None)
    return out


def propose_limits(
    frame: pd.DataFrame,
    grade_col: str = "grade",
    size_col: str = "size_cn",
    revenue_col: str = "revenue_12m",
    credit_limit_col: str = "credit_limit",
    policy: Mapping = DEFAULT_LIMIT_POLICY,
    *,
    own_revenue_col: str = "revenue",
    exposure_col: str = "open_balance",
    in_default_col: str = "in_default_at_as_of",
) -> pd.DataFrame:
    """Propose a credit limit per customer from grade, size and recent sales.

    ``limit = floor(min(max(revenue, 0) / 12 * months[grade] * multiplier[size], cap[size])
    / unit) * unit``. A missing (or ``"unknown"``) statutory size is read from annual revenue with the policy's
    ``size_by_revenue`` (the customer's own revenue, else the 12-month sales to it), and
    counts as ``"unknown"`` only when neither is known; ``size_basis`` says which applied. A
    missing grade or revenue gives a missing limit (no invoices in 12 months: no basis).

    When the exposure column is present, no proposal is left below what the customer owes
    without an action: per the policy's ``above_exposure``, the limit is raised to the exposure
    (rounded up to the unit; action ``"limit_at_exposure"``) or kept with the action
    ``"repayment_plan"`` or ``"hold_orders"`` (always for a customer in default).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer, e.g. the customer feature table with a grade column.
    grade_col, size_col, revenue_col : str
        Columns holding the grade, the statutory size class and the net sales of the last
        12 months (the size column may be absent: then every size is read from revenue).
    credit_limit_col : str, default "credit_limit"
        Column of the current limit; when present, ``limit_change`` is reported.
    policy : mapping, default :data:`DEFAULT_LIMIT_POLICY`
        Keys ``months_by_grade``, ``size_multiplier``, ``cap_by_size``, ``rounding_unit``;
        optional ``size_by_revenue`` and ``above_exposure``.
    own_revenue_col, exposure_col, in_default_col : str
        The customer's own annual revenue, its open balance and its default flag; each is
        used when present.

    Returns
    -------
    pandas.DataFrame
        Same index as ``frame``; columns ``grade_col``, ``size_col``, ``size_basis`` (one of
        :data:`SIZE_BASES`), ``revenue_col``, ``monthly_sales``, ``months``,
        ``size_multiplier``, ``cap``, ``limit_uncapped``, ``limit_proposed``; with the
        exposure, ``exposure_col`` and ``action`` (one of :data:`LIMIT_ACTIONS`, None when
        the proposal covers the exposure); with the current limit, ``credit_limit_col`` and
        ``limit_change`` (proposed minus current).
    """
    _check_policy(policy)
    absent = [c for c in (grade_col, revenue_col) if c not in frame.columns]
    if absent:
        raise ConfigError(f"frame must have the grade, size and revenue columns; missing {absent}.")
    size, basis = _size_basis(frame, size_col, own_revenue_col, revenue_col, policy)
    out = pd.DataFrame({grade_col: frame[grade_col], size_col: size}, index=frame.index)
    out["size_basis"] = basis
    out[revenue_col] = frame[revenue_col].astype(float)
    out["monthly_sales"] = out[revenue_col].clip(lower=0) / 12
    out["months"] = _lookup(frame[grade_col].astype(object), policy["months_by_grade"], grade_col)
    out["size_multiplier"] = _lookup(size, policy["size_multiplier"], size_col)
    out["cap"] = _lookup(size, policy["cap_by_size"], size_col)
    out["limit_uncapped"] = out["monthly_sales"] * out["months"] * out["size_multiplier"]
    capped = out["limit_uncapped"].clip(upper=out["cap"])
    unit = float(policy["rounding_unit"])
    out["limit_proposed"] = _round_down(capped, unit)
    if exposure_col in frame.columns:
        out = _exposure_actions(out, frame, exposure_col, in_default_col, grade_col, policy, unit)
    if credit_limit_col in frame.columns:
        out[credit_limit_col] = frame[credit_limit_col].astype(float)
        out["limit_change"] = out["limit_proposed"] - out[credit_limit_col]
    return out


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
