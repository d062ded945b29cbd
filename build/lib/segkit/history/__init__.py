"""Customer classes over time: snapshots at many dates, migration matrices and stability.

- :mod:`~segkit.history.dates`: period ends and look-back windows;
- :mod:`~segkit.history.classes`: which class columns are tracked and in what order;
- :mod:`~segkit.history.timeline`: :func:`snapshots`, the classes at every date;
- :mod:`~segkit.history.migration`: from-class x to-class matrices, stayed / upgraded /
  downgraded summaries, and stability between consecutive dates.
"""

from segkit.history.migration import migration_matrix, migration_summary, stability
from segkit.history.timeline import (
    ABSENT,
    CLASS_COLUMNS,
    CLASS_ORDERS,
    UNCLASSIFIED,
    class_labels,
    lookback,
    period_ends,
    snapshots,
)

__all__ = [
    "ABSENT",
    "UNCLASSIFIED",
    "CLASS_COLUMNS",
    "CLASS_ORDERS",
    "period_ends",
    "lookback",
    "snapshots",
    "migration_matrix",
    "migration_summary",
    "stability",
    "class_labels",
]
