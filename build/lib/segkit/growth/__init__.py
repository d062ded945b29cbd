"""Growth potential: repeat purchases, customer lifetime value and headroom against peers.

``repeat_summary`` turns invoices into one row per customer (frequency, recency, T, monetary
value) in the engine; ``BetaGeo`` (BG/NBD) forecasts purchases and the probability a customer is
still active, ``GammaGamma`` the spend per purchase, ``clv`` the discounted value over a horizon;
``headroom`` compares each customer with its industry and size peers; ``growth_potential`` does
it all as of a date and assigns a growth-potential class with its reason.
"""

from .bgnbd import BetaGeo
from .forecast import GROWTH_OUTPUT, growth_potential, with_growth
from .gammagamma import GammaGamma
from .headroom import headroom, peer_class
from .potential import (
    DEFAULT_THRESHOLDS,
    GROWTH_CLASSES,
    GROWTH_LABELS,
    GROWTH_REASONS,
    growth_class,
    growth_labels,
)
from .summary import TIME_UNITS, repeat_summary
from .value import clv

__all__ = [
    "BetaGeo",
    "DEFAULT_THRESHOLDS",
    "GROWTH_CLASSES",
    "GROWTH_LABELS",
    "GROWTH_OUTPUT",
    "GROWTH_REASONS",
    "GammaGamma",
    "TIME_UNITS",
    "clv",
    "growth_class",
    "growth_labels",
    "growth_potential",
    "headroom",
    "peer_class",
    "repeat_summary",
    "with_growth",
]
