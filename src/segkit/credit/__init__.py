"""Credit risk: default labels, scorecard, validation metrics, grades, limits and collections."""

from segkit.credit.collections import (
    aging_by_grade,
    contact_list,
    dso_trend,
    headline_table,
    portfolio_summary,
    segment_behaviour,
)
from segkit.credit.defaults import (
    DEFAULT_DPD,
    DEFAULT_HORIZON_MONTHS,
    data_end,
    default_labels,
    development_set,
    horizon_end,
    scoring_snapshot,
    snapshot_dates,
)
from segkit.credit.grades import DEFAULT_GRADES, PDCalibrator, RatingScale, grade_table
from segkit.credit.limits import (
    DEFAULT_LGD,
    DEFAULT_LIMIT_POLICY,
    expected_loss,
    load_limit_policy,
    propose_limits,
    watch_list,
)
from segkit.credit.pipeline import (
    DEFAULT_MODEL_FEATURES,
    credit_study,
    with_derived_features,
)
from segkit.credit.result import CreditStudy
from segkit.credit.scorecard import CreditScorecard
from segkit.metrics import (
    PSI_THRESHOLDS,
    KSResult,
    auc,
    brier,
    calibration_table,
    gini,
    ks,
    ks_table,
    psi,
    psi_status,
    psi_table,
    roc_points,
)

__all__ = [
    "DEFAULT_MODEL_FEATURES",
    "CreditStudy",
    "credit_study",
    "with_derived_features",
    "DEFAULT_DPD",
    "DEFAULT_GRADES",
    "DEFAULT_HORIZON_MONTHS",
    "DEFAULT_LGD",
    "DEFAULT_LIMIT_POLICY",
    "PSI_THRESHOLDS",
    "CreditScorecard",
    "KSResult",
    "PDCalibrator",
    "RatingScale",
    "aging_by_grade",
    "auc",
    "brier",
    "calibration_table",
    "contact_list",
    "data_end",
    "default_labels",
    "development_set",
    "dso_trend",
    "expected_loss",
    "gini",
    "grade_table",
    "headline_table",
    "horizon_end",
    "ks",
    "ks_table",
    "portfolio_summary",
    "load_limit_policy",
    "propose_limits",
    "psi",
    "psi_status",
    "psi_table",
    "roc_points",
    "scoring_snapshot",
    "segment_behaviour",
    "snapshot_dates",
    "watch_list",
]
