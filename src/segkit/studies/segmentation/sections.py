"""The sections of the segmentation study and what each needs from the ledger.

Sections not listed here read only the invoices' required columns and always run.
"""

from __future__ import annotations

from segkit.studies.sections import Holdings, Section, lead_in, note, ready
from segkit.text.catalogue import text

__all__ = ["LEADS", "SECTIONS", "SETTLED", "feeds", "lead", "section", "show_section"]

#: Settlement data: a settled date per invoice or a payments table.
SETTLED = Section("segmentation", "payment", needs=("invoices.settled_date | payments",))
_FIRMS = "customers.employees | customers.revenue | customers.total_assets"
#: Every section with inputs beyond the required invoice columns, by key.
SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section("segmentation", "growth", min_months=24),
        Section("segmentation", "size", needs=("customers.industry_code", _FIRMS)),
        Section("segmentation", "industry", needs=("customers.industry_code",)),
        Section("segmentation", "region", needs=("customers.province | customers.country",)),
        SETTLED,
        Section("segmentation", "aging", needs=SETTLED.needs),
        Section("segmentation", "value_risk", needs=SETTLED.needs),
        Section("segmentation", "risky", needs=SETTLED.needs),
    )
}


#: Memo (catalogue kind ``segmentation_memo``) -> the sections it leads into: the memo's text
#: stands only when one of them is shown.
LEADS: dict[str, tuple[str, ...]] = {
    "who": ("size", "industry", "region"),
    "size_profile": ("size",),
    "payment": ("payment",),
    "aging": ("aging",),
    "value_risk": ("value_risk",),
    "risky": ("risky",),
}


def lead(key: str, lang: str = "en", held: Holdings | None = None, shown: bool = True) -> list:
    """The memo ``key`` as Markdown to display, without its lead-in when nothing follows it.

    The lead-in stays when ``shown`` and (with ``held``) the ledger feeds one of the sections of
    :data:`LEADS`; otherwise only the memo's heading is returned (an empty list without one).
    """
    from IPython.display import Markdown

    fed = held is None or any(feeds(k, held) for k in LEADS.get(key, ())) or key not in LEADS
    body = lead_in(text("segmentation_memo", key, lang), shown and fed)
    return [Markdown(body)] if body else []


def section(key: str) -> Section:
    """The section ``key`` of :data:`SECTIONS`."""
    return SECTIONS[key]


def feeds(key: str, held: Holdings) -> bool:
    """True when the ledger meets the needs of section ``key`` (nothing is displayed)."""
    return note(SECTIONS[key], held) is None


def show_section(key: str, held: Holdings, lang: str = "en") -> bool:
    """True when the ledger feeds section ``key``; else its note is displayed and False."""
    return ready(SECTIONS[key], held, lang)
