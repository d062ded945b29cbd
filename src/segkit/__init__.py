"""segkit: customer classification for finance teams.

Load a receivables / sales ledger, build customer features as of a date, classify customers, and
run the periodic studies.
"""

from . import classify
from .classify_all import classify_features, with_labels
from .exceptions import ConfigError, MappingError, ReportError, SchemaError, SegkitError
from .features import customer_features
from .ledger import Ledger, read_ledger
from .mapping import load_mapping
from .reports import run_reports
from .sample import sample_ledger, write_sample

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Ledger",
    "MappingError",
    "ReportError",
    "SchemaError",
    "SegkitError",
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
