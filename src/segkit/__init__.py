"""segkit: customer classification for finance teams.

Load a receivables / sales ledger, build customer features as of a date, classify customers, and
run the periodic studies::

    import segkit
    ledger = segkit.read_ledger("data/sample")
    features = segkit.customer_features(ledger, "2025-12-31")
    classes = segkit.classify(ledger, "2025-12-31")

Public names are imported on first use, so ``import segkit`` stays fast: the engine, the models
and the report machinery load only when a function that needs them is called.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from segkit.exceptions import (
    ConfigError,
    MappingError,
    ModelNotFitted,
    ReportError,
    SchemaError,
    SegkitError,
    SegkitWarning,
)

if TYPE_CHECKING:  # what a type checker and an IDE see; at run time see __getattr__ below
    from segkit.classes.pipeline import classify, classify_features, with_labels
    from segkit.credit.scorecard import CreditScorecard
    from segkit.features import customer_features
    from segkit.ledger.mapping import load_mapping
    from segkit.ledger.model import Ledger, read_ledger
    from segkit.reports.runner import run_reports
    from segkit.sample.generator import sample_ledger, write_sample

__version__ = "0.1.0"

_HOME = {
    "classify": "segkit.classes.pipeline",
    "classify_features": "segkit.classes.pipeline",
    "with_labels": "segkit.classes.pipeline",
    "CreditScorecard": "segkit.credit.scorecard",
    "customer_features": "segkit.features",
    "load_mapping": "segkit.ledger.mapping",
    "Ledger": "segkit.ledger.model",
    "read_ledger": "segkit.ledger.model",
    "run_reports": "segkit.reports.runner",
    "sample_ledger": "segkit.sample.generator",
    "write_sample": "segkit.sample.generator",
}

__all__ = [
    "ConfigError",
    "CreditScorecard",
    "Ledger",
    "MappingError",
    "ModelNotFitted",
    "ReportError",
    "SchemaError",
    "SegkitError",
    "SegkitWarning",
    "classify",
    "classify_features",
    "customer_features",
    "load_mapping",
    "read_ledger",
    "run_reports",
    "sample_ledger",
    "with_labels",
    "write_sample",
]


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(import_module(_HOME[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'segkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
