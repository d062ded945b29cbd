"""Expected loss, proposed credit limits and the watch-list of downgraded customers.

The limit policy is data (a mapping with a module-level default), so a credit committee can
change months of sales, multipliers and caps without touching code.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from segkit.credit.grades import RatingScale
from segkit.exceptions import ConfigError

__all__ = ["DEFAULT_LGD", "DEFAULT_LIMIT_POLICY", "expected_loss", "propose_limits", "watch_list"]

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
#: - ``rounding_unit``: limits are rounded down to a multiple of this amount (CNY).
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
    }
)

_POLICY_KEYS = ("months_by_grade", "size_multiplier", "cap_by_size", "rounding_unit")


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


def _lookup(values: pd.Series, table: Mapping, name: str) -> pd.Series:
    unknown = sorted({str(v) for v in values.dropna() if v not in table})
    if unknown:
        raise ConfigError(f"{name} values must be keys of the policy {list(table)}; got {unknown}.")
    return values.map(lambda v: table.get(v, np.nan)).astype(float)


def _round_down(values: pd.Series, unit: float) -> pd.Series:
    """Round down to a multiple of ``unit``, forgiving float noise (299999.99999 -> 300000)."""
    return np.floor(np.round(values / unit, 9)) * unit


def propose_limits(
    frame: pd.DataFrame,
    grade_col: str = "grade",
    size_col: str = "size_cn",
    revenue_col: str = "revenue_12m",
    credit_limit_col: str = "credit_limit",
    policy: Mapping = DEFAULT_LIMIT_POLICY,
) -> pd.DataFrame:
    """Propose a credit limit per customer from grade, size and recent sales.

    ``limit = floor(min(max(revenue, 0) / 12 * months[grade] * multiplier[size], cap[size])
    / unit) * unit``. A missing size counts as ``"unknown"``; a missing grade or revenue
    gives a missing limit (no invoices in 12 months: no basis for a proposal).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer, e.g. the customer feature table with a grade column.
    grade_col, size_col, revenue_col : str
        Columns holding the grade, the size class and the net sales of the last 12 months.
    credit_limit_col : str, default "credit_limit"
        Column of the current limit; when present, ``limit_change`` is reported.
    policy : mapping, default :data:`DEFAULT_LIMIT_POLICY`
        Keys ``months_by_grade``, ``size_multiplier``, ``cap_by_size``, ``rounding_unit``.

    Returns
    -------
    pandas.DataFrame
        Same index as ``frame``; columns ``grade_col``, ``size_col``, ``revenue_col``,
        ``monthly_sales``, ``months``, ``size_multiplier``, ``cap``, ``limit_uncapped``,
        ``limit_proposed``, and ``credit_limit_col`` and ``limit_change`` (proposed minus
        current) when the current limit is present.
    """
    _check_policy(policy)
    absent = [c for c in (grade_col, size_col, revenue_col) if c not in frame.columns]
    if absent:
        raise ConfigError(f"frame must have the grade, size and revenue columns; missing {absent}.")
    size = frame[size_col].astype(object).where(frame[size_col].notna(), "unknown")
    out = pd.DataFrame({grade_col: frame[grade_col], size_col: size}, index=frame.index)
    out[revenue_col] = frame[revenue_col].astype(float)
    out["monthly_sales"] = out[revenue_col].clip(lower=0) / 12
    out["months"] = _lookup(frame[grade_col].astype(object), policy["months_by_grade"], grade_col)
    out["size_multiplier"] = _lookup(size, policy["size_multiplier"], size_col)
    out["cap"] = _lookup(size, policy["cap_by_size"], size_col)
    out["limit_uncapped"] = out["monthly_sales"] * out["months"] * out["size_multiplier"]
    capped = out["limit_uncapped"].clip(upper=out["cap"])
    out["limit_proposed"] = _round_down(capped, float(policy["rounding_unit"]))
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
