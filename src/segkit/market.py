"""Market positioning seen from the seller's ledger: where revenue comes from and where it grows.

Shape: the feature table (one row per customer, :func:`segkit.customer_features`) -> one row
per segment of a column such as ``industry_section``, ``region_cn`` or ``size_cn``
(:func:`segment_revenue`, :func:`penetration`, :func:`positioning`), or one row for the whole
base (:func:`concentration`). Column names are parameters. Amounts are net of credit notes;
nothing here knows costs, so "value per customer" is revenue, not margin.

Quadrants of :func:`positioning`. A segment is *gaining* when its revenue grew at least as
fast as the whole business (total ``revenue_12m`` against total ``revenue_prev_12m``), so its
share of revenue did not fall; else it is *losing* (share), even if its revenue grew. It is
*large* when its revenue share is at least the median share of the segments, else *small*.
The four labels are ``"gaining & large"``, ``"gaining & small"``, ``"losing & large"`` and
``"losing & small"``; a segment without revenue in the previous 12 months has no growth rate
and is ``"new"``.

The tables live in :mod:`segkit.market_tables`, the quadrant labels and suggested actions in
English and Chinese in :mod:`segkit.market_text` and the charts (:func:`plot_shares`,
:func:`plot_growth`, :func:`plot_positioning`) in :mod:`segkit.market_plots`; this module
re-exports their public names.
"""

from __future__ import annotations

from segkit.market_plots import (
    FAST,  # noqa: F401  (a colour of the charts)
    SLOW,  # noqa: F401  (a colour of the charts)
    plot_growth,
    plot_positioning,
    plot_shares,
)
from segkit.market_tables import (
    HHI_BANDS,
    HHI_LEVELS,  # noqa: F401  (a constant of the tables)
    QUADRANTS,
    UNKNOWN,  # noqa: F401  (a constant of the tables)
    concentration,
    penetration,
    positioning,
    segment_revenue,
)
from segkit.market_text import (
    QUADRANT_TEXT,
    TEXT,  # noqa: F401  (the labels of the charts)
    quadrant_actions,
    quadrant_label,
)

__all__ = [
    "HHI_BANDS",
    "QUADRANTS",
    "QUADRANT_TEXT",
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
