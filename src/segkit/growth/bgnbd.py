"""The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005).

While alive, a customer buys at a Poisson rate ``lambda``, gamma-distributed across customers
(shape ``r``, rate ``alpha``); after each purchase the customer drops out with probability
``p``, beta-distributed across customers (``a``, ``b``). Fitted by maximum likelihood on the
repeat-purchase summary (:func:`segkit.growth.repeat_summary`).

Reference: P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "'Counting your customers' the
easy way: an alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275-284, equations
(6) for the likelihood, (7) for E[X(t)], (10) for the conditional expectation; P(alive) from
Fader, Hardie & Lee (2008), "Computing P(alive) using the BG/NBD model".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, hyp2f1
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from segkit.exceptions import SchemaError

from ._fitting import check_positive, check_summary, maximise

__all__ = ["BetaGeo"]

_COLUMNS = ("frequency", "recency", "T")
_NAMES = ("r", "alpha", "a", "b")


def bgnbd_loglik(params, x, t_x, big_t) -> np.ndarray:
    """Log-likelihood of each customer's (x, t_x, T) under BG/NBD parameters (r, alpha, a, b)."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    a4 = np.full_like(a3, -np.inf)
    xr = x[repeat]
    a4[repeat] = np.log(a) - np.log(b + xr - 1) - (r + xr) * np.log(alpha + t_x[repeat])
    return a1 + a2 + np.logaddexp(a3, a4)


class BetaGeo(BaseEstimator):
    """BG/NBD repeat-purchase model, fitted by maximum likelihood.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters (``penalizer * sum(params**2)`` is added to the mean
        negative log-likelihood), as in lifetimes; 0 gives the plain maximum-likelihood fit.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha`` (in the summary's time unit), ``a``, ``b``.
    loglik_ : float
        Total log-likelihood at ``params_``.
    converged_ : bool
        Whether the optimiser reported convergence (see :mod:`segkit.growth.diagnostics`).
    n_customers_ : int

    Examples
    --------
    >>> summary = repeat_summary(ledger, "2025-12-31")                      # doctest: +SKIP
    >>> model = BetaGeo().fit(summary)                                      # doctest: +SKIP
    >>> model.expected_purchases(365, summary)                              # doctest: +SKIP
    """

    def __init__(self, *, penalizer=0.0):
        self.penalizer = penalizer

    def fit(self, summary: pd.DataFrame, y=None):
        """Fit ``r``, ``alpha``, ``a`` and ``b`` to a repeat-purchase summary.

        Parameters
        ----------
        summary : pandas.DataFrame
            Columns ``frequency``, ``recency`` and ``T`` (see :func:`repeat_summary`).
        y : None
            Ignored.

        Returns
        -------
        self
        """
        penalizer = check_positive("penalizer", self.penalizer, allow_zero=True)
        data = check_summary(summary, _COLUMNS, "BetaGeo.fit")
        if not (data["frequency"] > 0).any():
            raise SchemaError(
                "BetaGeo.fit: needs customers with repeat purchases (frequency > 0); "
                f"the summary has {len(summary)} customer(s) and none repeat."
            )
        # identical (x, t_x, T) rows share one likelihood term, weighted by their count
        keys = pd.DataFrame(data).value_counts().reset_index()
        x, t_x, big_t = (keys[c].to_numpy(float) for c in _COLUMNS)
        weight = keys["count"].to_numpy(float)
        total = weight.sum()

        def neg_loglik(log_params):
            params = np.exp(log_params)
            ll = bgnbd_loglik(params, x, t_x, big_t)
            return -(weight @ ll) / total + penalizer * np.sum(params**2)

        start = np.log([1.0, max(float(np.mean(big_t)), 1e-3), 1.0, 1.0])
        params, self.converged_ = maximise(neg_loglik, start, _NAMES, "BetaGeo")
        self.params_ = pd.Series(params, index=list(_NAMES), name="value")
        self.loglik_ = float(weight @ bgnbd_loglik(params, x, t_x, big_t))
        self.n_customers_ = int(total)
        return self

    def _data(self, summary: pd.DataFrame, where: str):
        check_is_fitted(self)
        data = check_summary(summary, _COLUMNS, where)
        return self.params_.to_numpy(), data["frequency"], data["recency"], data["T"]

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability that each customer is still active at ``T``.

        ``P(alive) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, named ``p_alive``.
        """
        (r, alpha, a, b), x, t_x, big_t = self._data(summary, "BetaGeo.p_alive")
        return pd.Series(
            _p_alive(r, alpha, a, b, x, t_x, big_t), index=summary.index, name="p_alive"
        )

    def expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Expected number of purchases in the next ``t`` time units, given each history.

        Equation (10) of Fader, Hardie & Lee (2005):
        ``E[Y(t) | x, t_x, T] = (a + b + x - 1) / (a - 1)
        * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z)]
        / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``
        with ``z = t / (alpha + T + t)``.

        Parameters
        ----------
        t : float
            Horizon in the summary's time unit (days or weeks), > 0.
        summary : pandas.DataFrame
            Columns ``frequency``, ``recency`` and ``T``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, named ``expected_purchases``.
        """
        t = check_positive("t", t)
        (r, alpha, a, b), x, t_x, big_t = self._data(summary, "BetaGeo.expected_purchases")
        alive = _p_alive(r, alpha, a, b, x, t_x, big_t)
        purchases = _future_purchases(r, alpha, a, b, x, big_t, t) * alive
        return pd.Series(purchases, index=summary.index, name="expected_purchases")

    def expected_purchases_new(self, t: float) -> float:
        """Expected purchases of a new customer in its first ``t`` time units after the first.

        Equation (7) of Fader, Hardie & Lee (2005):
        ``E[X(t)] = (a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t))^r 2F1(r, b; a + b - 1;
        t / (alpha + t))]``.
        """
        check_is_fitted(self)
        t = check_positive("t", t)
        r, alpha, a, b = self.params_.to_numpy()
        return float(_future_purchases(r, alpha, a, b, np.zeros(1), np.zeros(1), t)[0])


def _p_alive(r, alpha, a, b, x, t_x, big_t) -> np.ndarray:
    """P(alive) from the log-odds of having dropped out, finite for any parameters."""
    log_odds = np.full_like(x, -np.inf)
    repeat = x > 0
    xr = x[repeat]
    ratio = np.log(alpha + big_t[repeat]) - np.log(alpha + t_x[repeat])
    log_odds[repeat] = np.log(a) - np.log(b + xr - 1) + (r + xr) * ratio
    return expit(-log_odds)


def _future_purchases(r, alpha, a, b, x, big_t, t) -> np.ndarray:
    """Expected purchases in ``(T, T + t]`` of a customer who is alive at ``T``.

    ``(a + b + x - 1) / (a - 1) [1 - ((alpha + T) / (alpha + T + t))^(r + x)
    2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]``, evaluated through Pfaff's
    transformation as ``1 - 2F1(r + x, a - 1; a + b + x - 1; -t / (alpha + T))``: the power and
    the hypergeometric term no longer overflow against each other when ``r`` is large. Near
    ``a = 1`` the ratio is 0/0; ``a`` is moved 10^-4 away, where the value is continuous.
    """
    a = a if abs(a - 1) >= 1e-4 else 1 + 1e-4  # the ratio is 0/0 at a = 1; continuous there
    c = a + b + x - 1
    hyper = hyp2f1(r + x, a - 1, c, -t / (alpha + big_t))
    return c / (a - 1) * (1 - hyper)
