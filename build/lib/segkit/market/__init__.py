"""Market positioning seen from the seller's ledger: where revenue comes from and where it grows.

One row per segment of a column such as ``industry_section``, ``region_cn`` or ``size_cn``:
revenue, share, growth, concentration, penetration and the positioning quadrant. The shape of
the tables and the definition of the quadrants are in the docstring of
:mod:`segkit.market.tables`.

The tables live in :mod:`segkit.market.tables`, the quadrant labels and suggested actions in
English and Chinese in :mod:`segkit.market.text` and the charts (:func:`plot_shares`,
:func:`plot_growth`, :func:`plot_positioning`) in :mod:`segkit.market.plots`; this module
re-exports their public names.
"""

from __future__ import annotations

from segkit.market.plots import (
    FAST,  # noqa: F401  (a colour of the charts)
    SLOW,  # noqa: F401  (a colour of the charts)
    plot_growth,
    plot_positioning,
    plot_shares,
)
from segkit.market.tables import (
    HHI_BANDS,
    HHI_LEVELS,  # noqa: F401  (a constant of the tables)
    QUADRANTS,
    UNKNOWN,  # noqa: F401  (a constant of the tables)
    concentration,
    penetration,
    positioning,
    segment_revenue,
)
from segkit.market.text import chart_text, quadrant_actions, quadrant_label

__all__ = [
    "HHI_BANDS",
    "QUADRANTS",
    "chart_text",
    "quadrant_label",
    "segment_revenue",
    "concentration",
    "penetration",
    "positioning",
    "quadrant_actions",
    "plot_shares",
    "plot_growth",
    "plot_positioning",
]
