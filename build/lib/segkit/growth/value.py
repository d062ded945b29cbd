"""Customer lifetime value over a horizon: BG/NBD purchases x Gamma-Gamma spend x margin.

``CLV = sum_{k=1..K} margin * E[spend] * (E[Y(k)] - E[Y(k-1)]) / (1 + d)^k`` over ``K`` months,
where ``E[Y(k)]`` is the BG/NBD expected number of purchases in the first ``k`` months after the
observation date, ``E[spend]`` the Gamma-Gamma expected spend per purchase and ``d`` the monthly
discount rate (``(1 + annual rate)^(1/12) - 1``). This is the discrete form used by lifetimes'
``customer_lifetime_value`` and PyMC-Marketing's ``customer_lifetime_value``; see Fader, Hardie &
Lee (2005), "RFM and CLV: using iso-value curves for customer base analysis", section 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.checks import check_int
from segkit.exceptions import ConfigError

from ._fitting import check_positive
from .summary import check_time_unit

__all__ = ["clv", "DAYS_PER_MONTH"]

DAYS_PER_MONTH = 365.25 / 12
"""Average length of a month in days (Gregorian calendar)."""


def clv(
    beta_geo,
    gamma_gamma,
    summary: pd.DataFrame,
    *,
    horizon_months: int = 12,
    margin: float = 1.0,
    discount_rate: float = 0.10,
    time_unit: str = "D",
) -> pd.Series:
    """Discounted value each customer is expected to bring over the next months.

    Parameters
    ----------
    beta_geo : segkit.growth.BetaGeo
        Fitted purchase model.
    gamma_gamma : segkit.growth.GammaGamma
        Fitted spend model.
    summary : pandas.DataFrame
        Repeat-purchase summary (:func:`repeat_summary`) in ``time_unit``.
    horizon_months : int, default 12
        Months ahead, >= 1.
    margin : float, default 1.0
        Share of spend kept as profit, in (0, 1]; 1.0 forecasts revenue.
    discount_rate : float, default 0.10
        Annual discount rate, >= 0; applied monthly.
    time_unit : {"D", "W"}, default "D"
        Unit of the summary's ``recency`` and ``T`` (and of the models' ``alpha``).

    Returns
    -------
    pandas.Series
        Indexed like ``summary``, named ``clv``.
    """
    horizon_months = check_int("horizon_months", horizon_months, 1)
    margin = check_positive("margin", margin)
    if margin > 1:
        raise ConfigError(f"margin must be in (0, 1]; got {margin!r}.")
    annual = check_positive("discount_rate", discount_rate, allow_zero=True)
    month = DAYS_PER_MONTH / check_time_unit(time_unit)
    monthly = (1 + annual) ** (1 / 12) - 1
    spend = gamma_gamma.expected_spend(summary).to_numpy()
    value = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for k in range(1, horizon_months + 1):
        cumulative = beta_geo.expected_purchases(k * month, summary).to_numpy()
        value += margin * spend * (cumulative - previous) / (1 + monthly) ** k
        previous = cumulative
    return pd.Series(value, index=summary.index, name="clv")
