"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005; Fader & Hardie 2013).

Each purchase of a customer is gamma-distributed with shape ``p`` and a customer-specific rate
``nu``; ``nu`` is gamma-distributed across customers (shape ``q``, rate ``v``). The mean spend
``m_x`` of a customer's ``x`` repeat purchases then has the likelihood

``f(m_x | p, q, v, x) = Gamma(p x + q) / (Gamma(p x) Gamma(q)) v^q m_x^(p x - 1) x^(p x)
/ (v + x m_x)^(p x + q)``

and the expected spend per purchase given ``(x, m_x)`` is ``p (v + x m_x) / (p x + q - 1)``, a
weighted mean of the population mean ``p v / (q - 1)`` and the customer's own mean.

References: P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "RFM and CLV: using iso-value
curves for customer base analysis", *Journal of Marketing Research* 42(4), 415-430; P. S. Fader
and B. G. S. Hardie (2013), "The Gamma-Gamma model of monetary value" (technical note).
The model assumes spend per purchase independent of purchase frequency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from segkit.exceptions import SchemaError

from ._fitting import check_positive, check_summary, maximise

__all__ = ["GammaGamma"]

_COLUMNS = ("frequency", "monetary_value")
_NAMES = ("p", "q", "v")


def gamma_gamma_loglik(params, x, m) -> np.ndarray:
    """Log-likelihood of each mean spend ``m`` over ``x`` purchases under (p, q, v)."""
    p, q, v = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + x * m)
    )


class GammaGamma(BaseEstimator):
    """Gamma-Gamma spend-per-purchase model, fitted by maximum likelihood.

    Only customers with repeat purchases (``frequency > 0``) inform the fit; their
    ``monetary_value`` must be positive.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters added to the mean negative log-likelihood (as lifetimes).

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``v``.
    loglik_ : float
    converged_ : bool
        Whether the optimiser reported convergence (see :mod:`segkit.growth.diagnostics`).
    n_customers_ : int
        Customers with repeat purchases used in the fit.
    """

    def __init__(self, *, penalizer=0.0):
        self.penalizer = penalizer

    def _repeat(self, summary, where: str):
        data = check_summary(summary, _COLUMNS, where)
        x, m = data["frequency"], data["monetary_value"]
        repeat = x > 0
        bad = repeat & (m <= 0)
        if bad.any():
            raise SchemaError(
                f"{where}: monetary_value must be > 0 where frequency > 0; "
                f"{int(bad.sum())} row(s) fail, e.g. {list(summary.index[bad][:3])}."
            )
        return x, m, repeat

    def fit(self, summary: pd.DataFrame, y=None):
        """Fit ``p``, ``q`` and ``v`` to the customers with repeat purchases.

        Parameters
        ----------
        summary : pandas.DataFrame
            Columns ``frequency`` and ``monetary_value`` (see :func:`repeat_summary`).
        y : None
            Ignored.

        Returns
        -------
        self
        """
        penalizer = check_positive("penalizer", self.penalizer, allow_zero=True)
        x, m, repeat = self._repeat(summary, "GammaGamma.fit")
        if repeat.sum() < 2:
            raise SchemaError(
                "GammaGamma.fit: needs at least 2 customers with frequency > 0; "
                f"got {int(repeat.sum())}."
            )
        x, m = x[repeat], m[repeat]

        def neg_loglik(log_params):
            params = np.exp(log_params)
            return -np.mean(gamma_gamma_loglik(params, x, m)) + penalizer * np.sum(params**2)

        start = np.log([1.0, 2.0, max(float(np.mean(m)), 1e-6)])
        params, self.converged_ = maximise(neg_loglik, start, _NAMES, "GammaGamma")
        self.params_ = pd.Series(params, index=list(_NAMES), name="value")
        self.loglik_ = float(np.sum(gamma_gamma_loglik(params, x, m)))
        self.n_customers_ = int(repeat.sum())
        return self

    def population_mean(self) -> float:
        """Mean spend per purchase of the population, ``p v / (q - 1)`` (infinite if q <= 1)."""
        check_is_fitted(self)
        p, q, v = self.params_.to_numpy()
        return float(p * v / (q - 1)) if q > 1 else float("inf")

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected spend per purchase of each customer, ``p (v + x m_x) / (p x + q - 1)``.

        Customers without repeat purchases get the population mean ``p v / (q - 1)``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, named ``expected_spend``.
        """
        check_is_fitted(self)
        x, m, repeat = self._repeat(summary, "GammaGamma.expected_spend")
        p, q, v = self.params_.to_numpy()
        own = np.where(repeat, x * m, 0.0)
        spend = p * (v + own) / (p * x + q - 1)
        return pd.Series(spend, index=summary.index, name="expected_spend")
