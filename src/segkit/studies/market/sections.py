"""The sections of the market positioning study and what each needs from the ledger.

The migration compares the classes at the last four quarter-ends (the default ``periods``):
the first of them lies 12 months back and needs a few months of invoices before it, hence 15.
"""

from __future__ import annotations

from segkit.studies.sections import Holdings, Section, lead_in, note, ready
from segkit.studies.segmentation.sections import SECTIONS as SEGMENTATION
from segkit.text.catalogue import text

__all__ = ["LEADS", "SECTIONS", "feeds", "lead", "show_section", "show_views"]

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


_VIEWS = ("industry", "region", "size")
#: Memo (catalogue kind ``market_memo``) -> the sections it leads into: the memo's text stands
#: only when one of them is shown.
LEADS: dict[str, tuple[str, ...]] = {
    "sources": _VIEWS,
    "segment_table": _VIEWS,
    "growth": ("growth",),
    "positioning": ("positioning",),
    "quadrants": ("growth",),
    "penetration": ("penetration",),
    "migration": ("migration",),
    "abc": ("migration",),
    "summary": ("migration",),
    "stability": ("migration",),
}


def lead(key: str, lang: str = "en", held: Holdings | None = None, shown: bool = True) -> list:
    """The memo ``key`` as Markdown to display, without its lead-in when nothing follows it.

    The lead-in stays when ``shown`` and (with ``held``) the ledger feeds one of the sections of
    :data:`LEADS`; otherwise only the memo's heading is returned (an empty list without one).
    """
    from IPython.display import Markdown

    fed = held is None or any(feeds(k, held) for k in LEADS.get(key, ())) or key not in LEADS
    body = lead_in(text("market_memo", key, lang), shown and fed)
    return [Markdown(body)] if body else []
