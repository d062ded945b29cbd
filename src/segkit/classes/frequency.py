"""Activity classes: how often a customer buys (frequency class) and how much (amount class).

Both functions read one row per customer (the feature table) and return one class per row, as
a Series aligned on the input index. Column names are parameters; the defaults are those of
:func:`segkit.customer_features`. :func:`frequency_amount_matrix` crosses the two classes and
counts customers and revenue in every cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.checks import is_number, numeric, require_columns
from segkit.exceptions import ConfigError

__all__ = [
    "FREQ_ORDER",
    "AMOUNT_ORDER",
    "DEFAULT_FREQUENCY_THRESHOLDS",
    "DEFAULT_AMOUNT_THRESHOLDS",
    "NEW_DAYS",
    "new_customers",
    "frequency_class",
    "amount_class",
    "class_matrix",
    "frequency_amount_matrix",
    "pivot_cells",
]

FREQ_ORDER = ("frequent", "regular", "occasional", "new", "dormant", "none")
AMOUNT_ORDER = ("large", "medium", "small", "none")
#: Lower bounds on invoices in the last 12 months; below ``regular`` an active customer is
#: ``occasional`` (1-3 invoices with these defaults).
DEFAULT_FREQUENCY_THRESHOLDS = {"frequent": 12, "regular": 4}
#: Lower bounds on net revenue of the last 12 months, CNY yuan.
DEFAULT_AMOUNT_THRESHOLDS = {"large": 1_000_000.0, "medium": 100_000.0}
DEFAULT_QUANTILES = (0.5, 0.8)
#: Days since the first invoice within which a customer is new: the one window of every class
#: that has a "new" class (frequency class ``new``, RFM segment ``new_customers``).
NEW_DAYS = 90
METHODS = ("thresholds", "quantiles")


def _check_method(method: str, thresholds) -> None:
    if method not in METHODS:
        raise ConfigError(f"method must be one of {list(METHODS)}; got {method!r}.")
    if method == "quantiles" and thresholds is not None:
        raise ConfigError(f"thresholds is only used with method='thresholds'; got {thresholds!r}.")


def _check_quantiles(quantiles) -> tuple[float, float]:
    q = tuple(quantiles) if isinstance(quantiles, list | tuple) else ()
    if len(q) != 2 or not all(map(is_number, q)) or not 0 < q[0] < q[1] < 1:
        raise ConfigError(
            f"quantiles must be two increasing numbers strictly between 0 and 1; got {quantiles!r}."
        )
    return float(q[0]), float(q[1])


def _check_bounds(thresholds, default: dict, upper: str, lower: str) -> tuple[float, float]:
    if thresholds is None:
        thresholds = default
    if not isinstance(thresholds, dict) or set(thresholds) != {upper, lower}:
        raise ConfigError(
            f"thresholds must be a dict with keys {upper!r} and {lower!r}; got {thresholds!r}."
        )
    lo, hi = thresholds[lower], thresholds[upper]
    if not (is_number(lo) and is_number(hi) and 0 < lo < hi):
        raise ConfigError(
            f"thresholds must satisfy 0 < thresholds[{lower!r}] < thresholds[{upper!r}]; "
            f"got {lower}={lo!r}, {upper}={hi!r}."
        )
    return float(lo), float(hi)


def _check_days(name: str, value) -> None:
    if value is not None and not (is_number(value) and value >= 0):
        raise ConfigError(f"{name} must be None or a number of days >= 0; got {value!r}.")


def new_customers(
    features: pd.DataFrame, new_days: float | None = NEW_DAYS, tenure_col: str = "tenure_days"
) -> pd.Series:
    """True for customers whose first invoice is at most ``new_days`` days before the as-of date.

    The one rule behind every "new" class: :func:`frequency_class` (``new``) and
    :func:`segkit.classes.rfm_segment` (``new_customers``) both call it with the same window.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    new_days : float or None, default :data:`NEW_DAYS`
        The window in days; None makes nobody new.
    tenure_col : str, default "tenure_days"
        Days from the first invoice to the as-of date (NaN without an invoice: not new).

    Returns
    -------
    pandas.Series
        Boolean, named ``new``, indexed like ``features``.
    """
    _check_days("new_days", new_days)
    if new_days is None:
        return pd.Series(False, index=features.index, name="new")
    require_columns(features, {"tenure_col": tenure_col}, "new_customers")
    tenure = numeric(features, tenure_col, "new_customers")
    return (tenure <= new_days).rename("new")


def _band_edges(values, method, thresholds, quantiles, default, upper, lower):
    """Return the (lower, upper) edges of the middle band."""
    if method == "thresholds":
        return _check_bounds(thresholds, default, upper, lower)
    q = _check_quantiles(quantiles)
    if values.empty:
        return np.inf, np.inf
    lo, hi = np.quantile(values.to_numpy(dtype=float), q)
    return float(lo), float(hi)


def frequency_class(
    features: pd.DataFrame,
    method: str = "thresholds",
    thresholds: dict | None = None,
    quantiles: tuple[float, float] = DEFAULT_QUANTILES,
    new_days: float | None = NEW_DAYS,
    dormant_days: float | None = None,
    invoices_col: str = "invoices_12m",
    recency_col: str = "recency_days",
    tenure_col: str = "tenure_days",
) -> pd.Series:
    """Classify customers by how often they buy.

    Rules, first match wins:

    1. ``new``: first invoice at most ``new_days`` days before the as-of date
       (``tenure_days <= new_days``, :func:`new_customers`); skipped when ``new_days`` is None.
    2. ``dormant``: some invoice in the past (``recency_days`` known) but none in the last
       12 months (``invoices_12m`` 0 or NaN), or ``recency_days > dormant_days`` when given.
    3. ``none``: no invoice at all.
    4. active customers by ``invoices_12m``: with ``method="thresholds"``, ``frequent`` at
       >= 12 invoices (monthly buyers), ``regular`` at 4-11, ``occasional`` at 1-3
       (:data:`DEFAULT_FREQUENCY_THRESHOLDS`); with ``method="quantiles"``, active customers
       that are not new are split at the given quantiles of their invoice counts
       (``frequent`` at or above the upper quantile, ``regular`` at or above the lower one).
       Equal counts always share a class.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    method : {"thresholds", "quantiles"}
        How the active customers are split.
    thresholds : dict, optional
        ``{"frequent": lower bound, "regular": lower bound}``, ``0 < regular < frequent``.
    quantiles : tuple of two floats
        Lower and upper quantile, strictly increasing in (0, 1), for ``method="quantiles"``.
    new_days, dormant_days : float, optional
        Days that make a customer new, or dormant despite an invoice in the last 12 months.
    invoices_col, recency_col, tenure_col : str
        Column names.

    Returns
    -------
    pandas.Series
        Named ``freq_class``, one of :data:`FREQ_ORDER`, indexed like ``features``.
    """
    _check_method(method, thresholds)
    _check_days("dormant_days", dormant_days)
    new = new_customers(features, new_days, tenure_col)
    columns = {"invoices_col": invoices_col, "recency_col": recency_col}
    require_columns(features, columns, "frequency_class")
    count = numeric(features, invoices_col, "frequency_class").fillna(0.0)
    recency = numeric(features, recency_col, "frequency_class")
    active = count > 0
    dormant = recency.notna() & ~active
    if dormant_days is not None:
        dormant |= recency > dormant_days
    default = DEFAULT_FREQUENCY_THRESHOLDS
    lo, hi = _band_edges(
        count[active & ~new], method, thresholds, quantiles, default, "frequent", "regular"
    )
    conditions = [new, dormant, ~active, count >= hi, count >= lo]
    codes = np.select(conditions, ["new", "dormant", "none", "frequent", "regular"], "occasional")
    return pd.Series(codes, index=features.index, name="freq_class", dtype=object)


def amount_class(
    features: pd.DataFrame,
    method: str = "quantiles",
    thresholds: dict | None = None,
    quantiles: tuple[float, float] = DEFAULT_QUANTILES,
    value_col: str = "revenue_12m",
) -> pd.Series:
    """Classify customers by how much they buy (net revenue of the last 12 months).

    Only customers with positive net revenue in the window are classified; the others (NaN,
    zero, or credit notes exceeding invoices) get ``"none"``. With ``method="quantiles"``
    (default) and ``quantiles=(0.5, 0.8)``, ``large`` is the top 20% of those customers
    (value at or above the 80% quantile), ``medium`` the next 30% (at or above the median),
    ``small`` the rest; equal values share a class, so if all customers buy the same amount
    they are all ``large``. With ``method="thresholds"`` the bounds are in CNY yuan,
    :data:`DEFAULT_AMOUNT_THRESHOLDS`: ``large`` >= 1,000,000, ``medium`` >= 100,000.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    method : {"quantiles", "thresholds"}
        How customers are split.
    thresholds : dict, optional
        ``{"large": lower bound, "medium": lower bound}``, ``0 < medium < large``.
    quantiles : tuple of two floats
        Lower and upper quantile, strictly increasing in (0, 1).
    value_col : str
        Column with the amount.

    Returns
    -------
    pandas.Series
        Named ``amount_class``, one of :data:`AMOUNT_ORDER`, indexed like ``features``.
    """
    _check_method(method, thresholds)
    require_columns(features, {"value_col": value_col}, "amount_class")
    value = numeric(features, value_col, "amount_class")
    active = value > 0
    default = DEFAULT_AMOUNT_THRESHOLDS
    lo, hi = _band_edges(value[active], method, thresholds, quantiles, default, "large", "medium")
    codes = np.select([~active, value >= hi, value >= lo], ["none", "large", "medium"], "small")
    return pd.Series(codes, index=features.index, name="amount_class", dtype=object)


def _levels(values: pd.Series, order) -> list:
    seen = set(values)
    known = [level for level in order if level in seen]
    return known + sorted(seen - set(order), key=str)


def class_matrix(
    frame: pd.DataFrame,
    row_col: str,
    col_col: str,
    value_col: str,
    row_order=(),
    col_order=(),
) -> pd.DataFrame:
    """Count customers and sum a value in every cell of two crossed classes.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer with both class columns and the value column.
    row_col, col_col : str
        The two class columns; missing classes are an error.
    value_col : str
        Amount summed per cell (NaN counts as 0).
    row_order, col_order : sequence, optional
        Preferred order of the levels; levels not listed follow, sorted.

    Returns
    -------
    pandas.DataFrame
        Tidy: columns ``row_col``, ``col_col``, ``customers`` (int), ``revenue`` (sum of
        ``value_col``) and ``revenue_share`` (revenue / total, sums to 1; NaN when the total is
        0), one row for every combination of the observed levels, empty cells included.
    """
    columns = {"row_col": row_col, "col_col": col_col, "value_col": value_col}
    require_columns(frame, columns, "class_matrix")
    for column in (row_col, col_col):
        missing = int(frame[column].isna().sum())
        if missing:
            raise ConfigError(
                f"class_matrix: column {column!r} must have a class for every customer; "
                f"got {missing} missing values."
            )
    grid = pd.MultiIndex.from_product(
        [_levels(frame[row_col], row_order), _levels(frame[col_col], col_order)],
        names=[row_col, col_col],
    )
    value = numeric(frame, value_col, "class_matrix").fillna(0.0)
    grouped = value.groupby([frame[row_col], frame[col_col]])
    table = pd.DataFrame({"customers": grouped.size(), "revenue": grouped.sum()})
    table = table.reindex(grid, fill_value=0)
    total = table["revenue"].sum()
    table["revenue_share"] = table["revenue"] / total if total != 0 else np.nan
    return table.reset_index()


def frequency_amount_matrix(
    classes_frame: pd.DataFrame,
    value: str = "revenue_12m",
    freq_col: str = "freq_class",
    amount_col: str = "amount_class",
) -> pd.DataFrame:
    """Cross frequency and amount classes: customers, revenue and revenue share per cell.

    Parameters
    ----------
    classes_frame : pandas.DataFrame
        One row per customer with ``freq_col``, ``amount_col`` and ``value``.
    value : str
        Revenue column summed per cell.
    freq_col, amount_col : str
        Class columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``freq_class``, ``amount_class`` (named after ``freq_col`` / ``amount_col``),
        ``customers``, ``revenue``, ``revenue_share``; see :func:`class_matrix`. Use
        :func:`pivot_cells` for the wide (heat-map) form.
    """
    return class_matrix(classes_frame, freq_col, amount_col, value, FREQ_ORDER, AMOUNT_ORDER)


def pivot_cells(table: pd.DataFrame, values: str = "customers") -> pd.DataFrame:
    """Turn a tidy cell table into a wide one: first column as rows, second as columns.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`class_matrix` (or of the matrices built on it).
    values : str
        Column to spread: ``"customers"``, ``"revenue"`` or ``"revenue_share"``.

    Returns
    -------
    pandas.DataFrame
        Rows and columns in the order of the tidy table.
    """
    row_col, col_col = table.columns[:2]
    require_columns(table, {"values": values}, "pivot_cells")
    wide = table.pivot(index=row_col, columns=col_col, values=values)
    return wide.reindex(index=pd.unique(table[row_col]), columns=pd.unique(table[col_col]))
