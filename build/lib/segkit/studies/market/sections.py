"""The sections of the market positioning study and what each needs from the ledger.

The migration compares the classes at the last four quarter-ends (the default ``periods``):
the first of them lies 12 months back and needs a few months of invoices before it, hence 15.
"""

from __future__ import annotations

from segkit.studies.sections import Holdings, Section, note, ready
from segkit.studies.segmentation.sections import SECTIONS as SEGMENTATION

__all__ = ["SECTIONS", "feeds", "show_section", "show_views"]

#: Every section with inputs beyond the required invoice columns, by key; the segment views
#: need what the segmentation study's views need.
SECTIONS = {
    s.key: s
    for s in (
        *(Section("market", k, SEGMENTATION[k].needs) for k in ("industry", "region", "size")),
        Section("market", "growth", min_months=24),
        Section("market", "positioning", ("customers.industry_code",), min_months=24),
        Section("market", "penetration", ("customers.industry_code",)),
        Section("market", "migration", min_months=15),
    )
}


def feeds(key: str, held: Holdings) -> bool:
    """True when the ledger meets the needs of section ``key`` (nothing is displayed)."""
    return note(SECTIONS[key], held) is None


def show_section(key: str, held: Holdings, lang: str = "en") -> bool:
    """True when the ledger feeds section ``key``; else its note is displayed and False."""
    return ready(SECTIONS[key], held, lang)


def show_views(held: Holdings, lang: str = "en") -> bool:
    """Display the note of every segment view the ledger cannot feed; True when one is fed."""
    return [show_section(k, held, lang) for k in ("industry", "region", "size")].count(True) > 0
