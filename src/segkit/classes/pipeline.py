"""One table out: every class of every customer, with the reasons, for the ERP and the studies.

:func:`classify` builds the features as of a date, adds the credit scorecard and the growth
potential (:mod:`segkit.growth`: forecast value, headroom against peers, class and reason), and
applies, in order: frequency and amount classes, RFM scores with the international segment map
(its New Customers are the frequency class's new customers: one window, ``frequency.new_days``)
and the Chinese eight-class model, ABC value tiers, the payment-risk tier and value x risk,
clusters, and optional user rules. Class
columns hold stable codes (``"frequent"``, ``"champions"``, ``"important_value"``); use
:func:`with_labels` for English or Chinese labels. The parameters actually used (quantile edges,
splits, cluster scores) are kept in ``frame.attrs["params"]``.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from pathlib import Path

import pandas as pd
import yaml

from segkit.checks import check_lang
from segkit.classes.clusters import CustomerClusters
from segkit.classes.frequency import NEW_DAYS, amount_class, frequency_class
from segkit.classes.reasons import reasons
from segkit.classes.rfm_segments import RFMScorer, rfm_class_cn, rfm_segment
from segkit.classes.rules.apply import load_rules
from segkit.classes.tiers import ABCTiers
from segkit.classes.value_risk import DEFAULT_GRADE_MAP, risk_tier
from segkit.exceptions import ConfigError, ModelNotFitted, SegkitError, SegkitWarning
from segkit.features import customer_features
from segkit.growth import GROWTH_LABELS, GROWTH_OUTPUT, growth_potential, with_growth
from segkit.text.labels import LABELS, translate

__all__ = [
    "classify",
    "classify_at",
    "classify_features",
    "with_labels",
    "DEFAULT_CONFIG",
    "OUTPUT_COLUMNS",
]

DEFAULT_CONFIG: dict = {
    "frequency": {"method": "thresholds", "thresholds": None, "new_days": NEW_DAYS},
    "amount": {"method": "quantiles", "thresholds": None, "quantiles": [0.5, 0.8]},
    "rfm": {
        "recency": "recency_days",
        "frequency": "invoices_12m",
        "monetary": "revenue_12m",
        "thresholds": None,
        "cn_split": "mean",
    },
    "abc": {"value": "revenue_12m", "cuts": [0.8, 0.95]},
    "risk": {"rules": None},
    "clusters": {
        "enabled": True,
        "k_range": [2, 6],
        "method": "kmeans",
        "n_resamples": 5,
        "random_state": 0,
    },
    "rules": None,
    "features": {},
    "growth": {"enabled": True, "horizon_months": 12, "thresholds": None},
    "credit": {
        "enabled": True,
        "horizon_months": 12,
        "dpd": 90,
        "lgd": 0.45,
        "grade_map": dict(DEFAULT_GRADE_MAP),
    },
}

#: Columns of the classification table, in order (present when their input exists).
OUTPUT_COLUMNS = (
    "name",
    "group_id",
    "industry_section",
    "size_cn",
    "region_cn",
    "revenue_12m",
    "invoices_12m",
    "recency_days",
    "open_balance",
    "overdue_balance",
    "avg_days_late",
    "freq_class",
    "amount_class",
    "r_score",
    "f_score",
    "m_score",
    "rfm_cell",
    "rfm_segment",
    "rfm_class_cn",
    "abc_tier",
    "pd",
    "points",
    "grade",
    "expected_loss",
    "credit_limit",
    "standing",
    "terms_days",
    "utilisation",
    "over_limit",
    "limit_proposed",
    "limit_change",
    "limit_action",
    "size_basis",
    "risk_tier",
    "value_risk",
    "cluster",
    "cluster_name",
    *GROWTH_OUTPUT,
    "rule_class",
    "rule_id",
    "rule_reason",
    "score",
    "score_class",
    "reason",
)

_LABELLED = ("freq_class", "amount_class", "rfm_segment", "rfm_class_cn", "abc_tier", "risk_tier")


def classify(
    ledger, as_of, config: dict | str | Path | None = None, lang: str = "en"
) -> pd.DataFrame:
    """Classify every customer of a ledger as of a date.

    Parameters
    ----------
    ledger : segkit.Ledger
        The validated ledger.
    as_of : str or date
        Observation date; features use data known at that date only.
    config : dict, str or Path, optional
        Overrides of :data:`DEFAULT_CONFIG` (a dict or a YAML file with the same sections);
        ``rules`` may name a YAML rule file (see :mod:`segkit.classes.rules.apply`).
    lang : {"en", "zh"}
        Language of the ``reason`` and ``growth_reason`` text.

    Returns
    -------
    pandas.DataFrame
        One row per customer (index ``customer_id``) with :data:`OUTPUT_COLUMNS`; a section
        that cannot run on this ledger (credit, growth) leaves its columns out and says why in
        ``frame.attrs["notes"]``.
    """
    cfg = resolve_config(config)
    features_first(ledger, [as_of], cfg, with_credit=cfg["credit"].get("enabled", True))
    return classify_at(
        ledger, as_of, customer_features(ledger, as_of, **cfg["features"]), cfg, lang
    )


def features_first(ledger, days, cfg: dict, with_credit: bool = False) -> None:
    """Build the features at ``days`` in one query, with the credit study's dates at ``days[0]``
    when ``with_credit``.

    The ledger keeps them (:func:`segkit.features.features_at`), so the classifications and
    the study read them without another query. A date the study cannot use, or a bad option,
    is left alone here: the classification says why later.
    """
    from segkit.credit.pipeline import study_dates
    from segkit.features import features_at

    wanted = list(days)
    options = {k: cfg["credit"][k] for k in ("horizon_months",) if k in cfg["credit"]}
    try:
        if with_credit:
            dates, previous, _last = study_dates(ledger, days[0], **options)
            wanted += [previous, *dates]
        features_at(ledger, wanted, **{**cfg["features"], "firmographic": False})
    except SegkitError:
        return


def classify_at(ledger, as_of, features: pd.DataFrame, cfg: dict, lang: str) -> pd.DataFrame:
    """:func:`classify` from the features already built at ``as_of`` with ``cfg["features"]``."""
    notes = list(features.attrs.get("notes", []))
    if cfg["credit"].get("enabled", True):
        features, note = _with_credit(ledger, as_of, features, cfg)
        notes += [note] if note else []
    if cfg["growth"].get("enabled", True):
        features, note = with_growth(ledger, as_of, features, cfg["growth"], lang)
        notes += [note] if note else []
    result = classify_features(features, cfg, lang=lang)
    result.attrs["notes"] = notes
    return result


CREDIT_COLUMNS = ("pd", "points", "grade", "expected_loss", "standing", "terms_days",
                  "utilisation", "over_limit", "limit_proposed", "limit_change", "limit_action",
                  "size_basis")  # fmt: skip


def _with_credit(ledger, as_of, features: pd.DataFrame, cfg: dict) -> tuple[pd.DataFrame, str]:
    """Add the credit study's PD, points, grade, expected loss and limit proposal.

    Customers without exposure at ``as_of`` are not scored (their credit columns are empty).
    A ledger the study cannot model (no settlement data, too little history) keeps the other
    classes, and the reason is returned as a note.
    """
    from segkit.credit.pipeline import credit_study

    options = {k: cfg["credit"][k] for k in ("horizon_months", "dpd", "lgd") if k in cfg["credit"]}
    try:
        study = credit_study(ledger, as_of, feature_kwargs=cfg["features"] or None, **options)
    except SegkitError as exc:  # the ledger cannot support a scorecard: say so where it shows
        note = f"credit columns left out: {str(exc).splitlines()[0]}"
        warnings.warn(note, SegkitWarning, stacklevel=3)
        return features, note
    scored = study.scored[[c for c in CREDIT_COLUMNS if c in study.scored.columns]]
    return features.join(scored), ""


def resolve_config(config: dict | str | Path | None) -> dict:
    """Merge a user config (dict or YAML file) into :data:`DEFAULT_CONFIG`, section by section."""
    user = config
    base = None
    if isinstance(config, (str, Path)):
        base = Path(config).parent
        try:
            user = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"classification config {config}: cannot read it ({exc})") from exc
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    for key, value in (user or {}).items():
        if key not in cfg:
            raise ConfigError(
                f"classification config: unknown section {key!r}; expected some of {sorted(cfg)}"
            )
        cfg[key] = _merge_section(key, cfg[key], value)
    if isinstance(cfg["rules"], str) and base is not None and not Path(cfg["rules"]).is_absolute():
        cfg["rules"] = str(base / cfg["rules"])
    return cfg


def _merge_section(key: str, default, value):
    """One section of the user config over its default; ``credit: false`` disables a section."""
    if not isinstance(default, dict):
        return value
    if isinstance(value, bool) and "enabled" in default:
        return {**default, "enabled": value}
    if value is None:
        return default
    if not isinstance(value, dict):
        expected = "a mapping or true/false" if "enabled" in default else "a mapping"
        raise ConfigError(
            f"classification config: section {key!r} must be {expected}; got {value!r}"
        )
    allowed = _section_keys(key, default)
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise ConfigError(
            f"classification config: section {key!r} has unknown key(s) {unknown}; "
            f"expected some of {sorted(allowed)}"
        )
    return {**default, **value}


def _section_keys(key: str, default: dict) -> set[str]:
    """The keys a config section accepts: its defaults and the parameters of what it feeds."""
    takes = {
        "frequency": (frequency_class, {"features"}),
        "amount": (amount_class, {"features"}),
        "clusters": (CustomerClusters.__init__, {"self", "lang"}),
        "features": (customer_features, {"ledger", "as_of"}),
        "growth": (growth_potential, {"ledger", "as_of", "features", "lang"}),
    }
    keys = set(default)
    if key in takes:
        function, skip = takes[key]
        keys |= set(inspect.signature(function).parameters) - skip
    return keys


def classify_features(
    features: pd.DataFrame, config: dict | None = None, lang: str = "en"
) -> pd.DataFrame:
    """Apply every classification to a feature table (one row per customer)."""
    check_lang(lang)
    cfg = resolve_config(config) if config is None or "frequency" not in config else config
    out = features.copy()
    params: dict = {}
    out["freq_class"] = frequency_class(out, **cfg["frequency"])
    params["new_days"] = cfg["frequency"].get("new_days", NEW_DAYS)
    out["amount_class"] = amount_class(out, **cfg["amount"])
    out, params["rfm"] = _rfm(out, cfg["rfm"], cfg["frequency"].get("new_days", NEW_DAYS))
    abc = ABCTiers(value=cfg["abc"]["value"], cuts=tuple(cfg["abc"]["cuts"])).fit(out)
    out["abc_tier"] = abc.transform(out)["abc_tier"]
    params["abc_cutoffs"] = abc.cutoffs_.to_dict()
    out["risk_tier"] = risk_tier(out, cfg["risk"]["rules"], cfg["credit"].get("grade_map"))
    out["value_risk"] = out["abc_tier"].astype(str) + "/" + out["risk_tier"].astype(str)
    if cfg["clusters"].get("enabled", True):
        out, params["clusters"] = _clusters(out, cfg["clusters"], lang)
    if cfg["rules"]:
        out = out.join(load_rules(cfg["rules"], features=out).apply(out))
    out["reason"] = reasons(out, lang)
    columns = [c for c in OUTPUT_COLUMNS if c in out.columns]
    result = out[columns]
    result.attrs = {**features.attrs, "params": params}
    graded = "grade" in out.columns and out["grade"].notna().any()
    result.attrs["params"]["risk_basis"] = "grade" if graded else "payment"
    return result


def _rfm(out: pd.DataFrame, cfg: dict, new_days) -> tuple[pd.DataFrame, dict]:
    cols = {"recency": cfg["recency"], "frequency": cfg["frequency"], "monetary": cfg["monetary"]}
    scorer = RFMScorer(**cols, thresholds=cfg["thresholds"]).fit(out)
    scored = scorer.transform(out)
    out = scored
    segments = rfm_segment(scored, lang="en", new_days=new_days)  # the frequency class's window
    out["rfm_segment"] = _codes(segments, "rfm_segment")
    cn, splits = rfm_class_cn(out, split=cfg["cn_split"], lang="en", **cols)
    out["rfm_class_cn"] = _codes(cn, "rfm_class_cn")
    edges = {k: [float(x) for x in v] for k, v in scorer.edges_.items()}
    return out, {"edges": edges, "cn_splits": splits}


def _clusters(out: pd.DataFrame, cfg: dict, lang: str) -> tuple[pd.DataFrame, dict]:
    """Cluster the customers with invoices on the configured features that the table has.

    A ledger without firmographics (no ``size_cn``, no ``industry_section``) or without payments
    clusters on what it has; the columns left out are listed in the returned parameters.
    """
    options = {k: v for k, v in cfg.items() if k != "enabled"}
    options["k_range"] = tuple(options.get("k_range", (2, 6)))
    defaults = CustomerClusters().get_params()
    chosen = {
        key: tuple(options.get(key, defaults[key]))
        for key in ("numeric", "categorical", "log_columns")
    }
    usable = {
        key: tuple(c for c in cols if c in out.columns and out[c].notna().any())
        for key, cols in chosen.items()
    }
    left_out = sorted(
        {c for key in ("numeric", "categorical") for c in chosen[key]}
        - set(usable["numeric"])
        - set(usable["categorical"])
    )
    active = out["n_invoices"] > 0 if "n_invoices" in out.columns else out.index == out.index
    if len(usable["numeric"]) < 2 or active.sum() < 3:
        return out, {
            "skipped": "fewer than 2 usable numeric features or 3 active customers",
            "left_out": left_out,
        }
    model = CustomerClusters(lang=lang, **{**options, **usable})
    try:
        fitted = model.fit(out[active])
    except ModelNotFitted as error:  # clusters that are not segments are withheld, with why
        return out, {"withheld": error.reason, "figures": error.figures, "left_out": left_out}
    labelled = fitted.transform(out[active])
    out = out.join(labelled[["cluster", "cluster_name"]])
    out["cluster"] = out["cluster"].astype("Int64")
    info = {
        "k": int(fitted.k_),
        "scores": fitted.scores_["score"].round(4).to_dict(),
        "stability": float(fitted.stability_),
        "names": fitted.cluster_names_,
        "left_out": left_out,
    }
    return out, info


def _codes(labels: pd.Series, kind: str) -> pd.Series:
    lookup = {entry["en"]: code for code, entry in LABELS[kind].items()}
    return labels.map(lambda v: lookup.get(v, v))


def with_labels(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy with the class codes replaced by their English or Chinese labels."""
    out = frame.copy()
    for column in _LABELLED:
        if column in out.columns:
            out[column] = translate(out[column], lang, kind=column)
    if "growth_class" in out.columns:
        out["growth_class"] = out["growth_class"].map(
            lambda c: GROWTH_LABELS.get(c, {}).get(lang, c)
        )
    return out
