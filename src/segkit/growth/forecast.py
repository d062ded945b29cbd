"""Growth potential of every customer as of a date: fit, forecast, compare with peers, classify.

The models are fitted on the whole history up to the as-of date (nothing after it is read), then
forecast the next months from that date: expected purchases and probability active (BG/NBD),
spend per purchase (Gamma-Gamma), CLV, headroom against peers, and the growth-potential class.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import as_date, check_int, check_lang
from segkit.exceptions import ConfigError, SegkitError

from .diagnostics import fit_models
from .headroom import headroom
from .potential import check_thresholds, growth_class, growth_labels
from .summary import check_time_unit, recent_purchases, repeat_summary
from .value import DAYS_PER_MONTH, clv

__all__ = ["GROWTH_OUTPUT", "growth_potential", "with_growth"]


def growth_potential(
    ledger,
    as_of,
    features: pd.DataFrame | None = None,
    *,
    horizon_months: int = 12,
    margin: float = 1.0,
    discount_rate: float = 0.10,
    time_unit: str = "D",
    size_column: str = "size_cn",
    min_peers: int = 5,
    thresholds: dict | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Forecast value, headroom and growth-potential class of each customer.

    Parameters
    ----------
    ledger : segkit.Ledger
        The ledger.
    as_of : str or date
        Observation date.
    features : pandas.DataFrame, optional
        :func:`segkit.customer_features` at ``as_of`` (computed when None).
    horizon_months, margin, discount_rate
        Forecast horizon, profit margin and annual discount rate (see :func:`segkit.growth.clv`).
    time_unit : {"D", "W"}, default "D"
        Time unit the models are fitted in.
    size_column, min_peers
        Peer groups of :func:`segkit.growth.headroom`.
    thresholds : dict, optional
        Overrides of :data:`segkit.growth.DEFAULT_THRESHOLDS`.
    lang : {"en", "zh"}, default "en"
        Language of ``growth_label`` and ``growth_reason``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``features``: ``frequency``, ``recency``, ``T``, ``monetary_value`` (the
        summary; missing without a purchase), ``p_alive``, ``expected_purchases`` and ``clv``
        over the horizon, ``expected_spend``, ``revenue_12m``, the headroom columns, and
        ``growth_class``, ``growth_reason_code``, ``growth_label``, ``growth_reason``.
        ``frame.attrs`` holds ``as_of``, ``time_unit``, ``horizon_months``, the fitted
        ``params`` of both models (empty for a model withheld), ``fit`` (per model, None or
        why it was withheld: :mod:`segkit.growth.diagnostics`), ``fit_notes`` (those reasons as
        sentences in ``lang``) and ``notes`` (peer columns that are absent).

    Notes
    -----
    Each fitted model is checked before its numbers are used (:func:`fit_models`); one that
    fails is replaced by each customer's recent purchase rate (no dropout, ``p_alive``
    missing) or own mean spend.
    """
    day = as_date(as_of)
    unit = check_time_unit(time_unit)
    limits = check_thresholds(thresholds)
    lang = check_lang(lang)
    horizon_months = check_int("horizon_months", horizon_months, 1)
    if features is None:
        from segkit.features import customer_features

        features = customer_features(ledger, day)
    summary = repeat_summary(ledger, day, time_unit)
    horizon = horizon_months * DAYS_PER_MONTH / unit
    window = 12 * DAYS_PER_MONTH / unit
    recent = recent_purchases(ledger, day)
    purchases, spend, checks = fit_models(summary, recent, horizon, window)
    forecast = summary.assign(
        p_alive=purchases.p_alive(summary),
        expected_purchases=purchases.expected_purchases(horizon, summary),
        expected_spend=spend.expected_spend(summary),
        clv=clv(
            purchases,
            spend,
            summary,
            horizon_months=horizon_months,
            margin=margin,
            discount_rate=discount_rate,
            time_unit=time_unit,
        ),
    )
    frame = forecast.reindex(features.index)
    frame["revenue_12m"] = features["revenue_12m"]
    peers = headroom(features, size_column=size_column, min_peers=min_peers)
    frame = frame.join(peers)
    frame = frame.join(growth_class(frame, limits, horizon_months))
    frame = frame.join(growth_labels(frame, lang, limits, horizon_months))
    frame.attrs = {
        "as_of": day.isoformat(),
        "time_unit": time_unit,
        "horizon_months": horizon_months,
        "notes": list(peers.attrs.get("notes", [])),
        "params": {
            "bgnbd": _params(purchases),
            "gamma_gamma": _params(spend),
        },
        "fit": {check.model: check.reason for check in checks},
        "fit_notes": [check.sentence(lang) for check in checks if not check.ok],
    }
    return frame


def _params(model) -> dict:
    """The fitted parameters of a model; empty for a fallback, which has none."""
    params = getattr(model, "params_", None)
    return {} if params is None else params.to_dict()


#: Growth columns the classification table carries (see :func:`segkit.classify`).
GROWTH_OUTPUT = (
    "p_alive",
    "expected_purchases",
    "clv",
    "peer_group",
    "peer_q3",
    "headroom",
    "growth_class",
    "growth_reason",
)


def with_growth(ledger, as_of, features: pd.DataFrame, options: dict, lang: str = "en"):
    """``features`` joined with the growth columns of :data:`GROWTH_OUTPUT`, and a note.

    A ledger the models cannot fit (too few repeat purchases, say) keeps its other columns; the
    reason is returned as the note. A model withheld by its checks (its fallback forecasts
    instead) is named in the note too; the note is empty when all went well.

    Parameters
    ----------
    options : dict
        Keyword arguments of :func:`growth_potential` (``enabled`` is ignored).
    """
    kwargs = {k: v for k, v in options.items() if k != "enabled"}
    try:
        growth = growth_potential(ledger, as_of, features, lang=lang, **kwargs)
    except ConfigError:
        raise
    except SegkitError as exc:
        return features, f"growth columns left out: {str(exc).splitlines()[0]}"
    keep = [c for c in GROWTH_OUTPUT if c not in features.columns]
    joined = features.join(growth[keep])
    joined.attrs = features.attrs
    withheld = growth.attrs.get("fit_notes", [])
    return joined, ("growth: " + " ".join(withheld)) if withheld else ""
