"""The market positioning study: the helpers behind ``notebooks/market_positioning.ipynb``.

- :mod:`~segkit.studies.market.sections`: what each section needs (:data:`SECTIONS`) and the
  note shown instead when the ledger lacks it (:func:`show_section`);
- :mod:`~segkit.studies.market.views`: the customer view, segment tables and sentences;
- :mod:`~segkit.studies.market.migration`: classes at quarter-ends, moves and stability;
- headroom by segment: the growth helpers of :mod:`segkit.studies.segmentation.growth`.

Every word comes from the text catalogue (kinds ``market_study``, ``quadrant``,
``quadrant_action``, ``hhi_level``, ``movement``, ``psi_status`` and ``columns``).
"""

from segkit.studies.display import show
from segkit.studies.market.figures import plot_growth, plot_pareto
from segkit.studies.market.migration import Migration, migration, show_stability, show_summary
from segkit.studies.market.sections import SECTIONS, feeds, lead, show_section, show_views
from segkit.studies.market.views import (
    VIEWS,
    customer_view,
    export,
    headline,
    memo,
    quadrant_frame,
    segment_tables,
    show_actions,
    show_concentration,
    show_contributions,
    show_penetration,
    show_quadrants,
    show_segments,
    title,
)
from segkit.studies.segmentation.growth import (
    growth_frame,
    growth_text,
    headroom_by_peers,
    show_growth,
)

__all__ = [
    "SECTIONS", "VIEWS", "Migration", "plot_growth", "plot_pareto", "show", "title",
    "customer_view", "export", "feeds", "headline", "lead", "memo", "migration",
    "quadrant_frame", "segment_tables", "show_actions", "show_concentration",
    "show_contributions", "show_penetration", "show_quadrants", "show_section",
    "show_segments", "show_stability", "show_summary", "show_views",
    "growth_frame", "growth_text", "headroom_by_peers", "show_growth",
]  # fmt: skip
