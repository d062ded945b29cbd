"""segkit: customer classification for finance teams.

Load a receivables / sales ledger, build customer features as of a date, classify customers, and
run the periodic studies.
"""

from .exceptions import ConfigError, MappingError, ReportError, SchemaError, SegkitError
from .features import customer_features
from .ledger import Ledger, read_ledger
from .mapping import load_mapping

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Ledger",
    "MappingError",
    "ReportError",
    "SchemaError",
    "SegkitError",
    "customer_features",
    "load_mapping",
    "read_ledger",
]
