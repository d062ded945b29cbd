"""Credit risk: scorecard, validation metrics, rating grades, limits and the watch-list."""

from segkit.credit.grades import DEFAULT_GRADES, PDCalibrator, RatingScale, grade_table
from segkit.credit.limits import (
    DEFAULT_LGD,
    DEFAULT_LIMIT_POLICY,
    expected_loss,
    propose_limits,
    watch_list,
)
from segkit.credit.metrics import (
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
from segkit.credit.scorecard import CreditScorecard

__all__ = [
    "DEFAULT_GRADES",
    "DEFAULT_LGD",
    "DEFAULT_LIMIT_POLICY",
    "PSI_THRESHOLDS",
    "CreditScorecard",
    "KSResult",
    "PDCalibrator",
    "RatingScale",
    "auc",
    "brier",
    "calibration_table",
    "expected_loss",
    "gini",
    "grade_table",
    "ks",
    "ks_table",
    "propose_limits",
    "psi",
    "psi_status",
    "psi_table",
    "roc_points",
    "watch_list",
]
