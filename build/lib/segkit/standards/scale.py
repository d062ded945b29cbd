"""Revenue scale bands: a plain, configurable split of customers by annual revenue.

Unlike :mod:`segkit.standards.size`, these bands follow no official standard; the default edges
(CNY 1 m, 10 m and 100 m) are a reporting convention to be adapted to the business.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from segkit.exceptions import ConfigError, SchemaError

__all__ = ["scale_band", "DEFAULT_EDGES", "DEFAULT_LABELS", "UNKNOWN_BAND"]

DEFAULT_EDGES = (1e6, 1e7, 1e8)
DEFAULT_LABELS = ("<1m", "1m–10m", "10m–100m", "≥100m")
UNKNOWN_BAND = "unknown"


def _check_edges(edges) -> np.ndarray:
    rule = "edges must be a non-empty sequence of positive, finite, strictly increasing numbers"
    if isinstance(edges, str | bytes) or not hasattr(edges, "__len__") or len(edges) == 0:
        raise ConfigError(f"{rule}; got {edges!r}.")
    numeric = all(
        isinstance(e, numbers.Real) and not isinstance(e, bool) and np.isfinite(e) for e in edges
    )
    if not numeric:
        raise ConfigError(f"{rule}; got {edges!r}.")
    values = np.asarray(edges, dtype=float)
    if values[0] <= 0 or np.any(np.diff(values) <= 0):
        raise ConfigError(f"{rule}; got {edges!r}.")
    return values


def _check_labels(labels, n_edges: int) -> list[str]:
    if isinstance(labels, str | bytes) or not hasattr(labels, "__len__"):
        raise ConfigError(f"labels must be a sequence of strings; got {labels!r}.")
    if len(labels) != n_edges + 1:
        raise ConfigError(
            f"labels must have len(edges) + 1 = {n_edges + 1} entries; got {len(labels)}: "
            f"{labels!r}."
        )
    texts = [label for label in labels if isinstance(label, str) and label]
    if len(texts) != len(labels) or len(set(texts)) != len(texts) or UNKNOWN_BAND in texts:
        raise ConfigError(
            f"labels must be distinct non-empty strings other than {UNKNOWN_BAND!r}; "
            f"got {labels!r}."
        )
    return texts


def scale_band(
    revenue: pd.Series,
    edges=DEFAULT_EDGES,
    labels=DEFAULT_LABELS,
) -> pd.Series:
    """Put each customer's annual revenue in a band.

    Bands are closed on the left: with the default edges, exactly CNY 1,000,000 is ``"1m–10m"``.
    Revenue below the first edge (zero or negative included) falls in the first band.

    Parameters
    ----------
    revenue : pandas.Series
        Annual revenue per customer (numeric; NaN when unknown). Not modified.
    edges : sequence of float, default (1e6, 1e7, 1e8)
        Positive, finite, strictly increasing band edges, in the unit of ``revenue``.
    labels : sequence of str, default ("<1m", "1m–10m", "10m–100m", "≥100m")
        ``len(edges) + 1`` distinct band names, lowest first; ``"unknown"`` is reserved.

    Returns
    -------
    pandas.Series
        Named ``scale_band``, indexed like ``revenue``: a categorical whose categories are
        ``labels`` followed by ``"unknown"`` (for missing revenue).

    Raises
    ------
    ConfigError
        If ``edges`` or ``labels`` break the rules above, or ``revenue`` is not a Series.
    SchemaError
        If ``revenue`` is not numeric.
    """
    if not isinstance(revenue, pd.Series):
        raise ConfigError(f"revenue must be a pandas Series; got {type(revenue).__name__}.")
    numeric = pd.api.types.is_numeric_dtype(revenue) and not pd.api.types.is_bool_dtype(revenue)
    if not (numeric or revenue.isna().all()):
        raise SchemaError(f"revenue must be numeric; got dtype {revenue.dtype}.")
    bounds = _check_edges(edges)
    names = _check_labels(labels, len(bounds))
    values = revenue.astype(float).to_numpy()
    bands = np.asarray(names, dtype=object)[np.searchsorted(bounds, values, side="right")]
    bands[np.isnan(values)] = UNKNOWN_BAND
    categorical = pd.Categorical(bands, categories=[*names, UNKNOWN_BAND])
    return pd.Series(categorical, index=revenue.index, name="scale_band")
