"""Checks a clustering must pass before its clusters are shown as segments.

A k-means or mixture model always returns k groups, even from data with no groups in it. The
clusters are withheld (:class:`segkit.exceptions.ModelNotFitted`, with the figures the study's
sentence quotes) when

- the customers are identical on every clustering feature (nothing to separate): ``identical``;
- there are fewer than :data:`MIN_PER_CLUSTER` customers per cluster: ``too_few``;
- a cluster holds a single customer, or less than :data:`MIN_SHARE` of them: ``degenerate``;
- the mean silhouette is below :data:`MIN_SILHOUETTE`: ``weak``. Kaufman and Rousseeuw
  (*Finding Groups in Data*, 1990, ch. 2) read an average silhouette of 0.25 or less as "no
  substantial structure has been found".
"""

from __future__ import annotations

import math

import numpy as np

from segkit.exceptions import ModelNotFitted

__all__ = ["MIN_PER_CLUSTER", "MIN_SHARE", "MIN_SILHOUETTE", "check_distinct", "check_fit"]

#: Mean silhouette at or below which no substantial structure is found (Kaufman & Rousseeuw).
MIN_SILHOUETTE = 0.25
#: Customers per cluster, at least, for a cluster to describe a group rather than a few rows.
MIN_PER_CLUSTER = 10
#: Share of the customers the smallest cluster must hold.
MIN_SHARE = 0.01


def check_distinct(Z: np.ndarray) -> None:
    """Withhold (``identical``) when the prepared rows hold fewer than two distinct points."""
    distinct = len(np.unique(np.round(np.asarray(Z, dtype=float), 12), axis=0))
    if distinct < 2:
        raise ModelNotFitted(
            f"clusters withheld: the {len(Z)} customers are identical on every clustering "
            "feature; there is nothing to separate.",
            "identical",
            {"n": len(Z)},
        )


def check_fit(labels: np.ndarray, silhouette: float, enforce: bool = True) -> dict:
    """The figures of a fitted clustering; raise :class:`ModelNotFitted` when one check fails.

    Parameters
    ----------
    labels : numpy.ndarray
        Cluster of every customer.
    silhouette : float
        Mean silhouette of ``labels`` (NaN when it cannot be computed: fewer than two clusters).
    enforce : bool, default True
        False returns the figures without raising (a caller that fits whatever the data give).

    Returns
    -------
    dict
        ``n`` customers, ``k`` clusters, ``smallest`` cluster size and its ``share``,
        ``silhouette``, and the thresholds ``per_cluster``, ``min_share``, ``min_silhouette``.
    """
    sizes = np.bincount(np.asarray(labels, dtype="int64"))
    sizes = sizes[sizes > 0]
    n, k = int(sizes.sum()), len(sizes)
    figures = {"n": n, "k": k, "smallest": int(sizes.min()), "share": float(sizes.min() / n),
               "silhouette": float(silhouette), "per_cluster": MIN_PER_CLUSTER,
               "min_share": MIN_SHARE, "min_silhouette": MIN_SILHOUETTE}  # fmt: skip
    if n < MIN_PER_CLUSTER * max(k, 2):
        reason = "too_few"
    elif sizes.min() < 2 or sizes.min() / n < MIN_SHARE:
        reason = "degenerate"
    elif k < 2 or math.isnan(silhouette) or silhouette <= MIN_SILHOUETTE:
        reason = "weak"
    else:
        return figures
    if not enforce:
        return figures | {"failed": reason}
    raise ModelNotFitted(f"clusters withheld ({reason}): {figures}.", reason, figures)
