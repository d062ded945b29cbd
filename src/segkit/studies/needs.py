"""Every declared section of the segmentation and market studies, and what each one needs.

It sits above both studies' section lists (:mod:`segkit.studies.segmentation.sections`,
:mod:`segkit.studies.market.sections`), which build on :mod:`segkit.studies.sections`.
"""

from __future__ import annotations

from segkit.studies.market.sections import SECTIONS as MARKET
from segkit.studies.sections import Section
from segkit.studies.segmentation.sections import SECTIONS as SEGMENTATION
from segkit.text.catalogue import text

__all__ = ["declared", "needs_table"]


def declared() -> list[Section]:
    """Every declared section of the segmentation and market studies, in report order."""
    return [*SEGMENTATION.values(), *MARKET.values()]


def needs_table(sections: list[Section] | None = None, lang: str = "en") -> str:
    """A Markdown table of what each section needs: study, section, ledger inputs, history."""
    rows = ["| study | section | needs | months of history |", "|---|---|---|---|"]
    for s in sections if sections is not None else declared():
        needs = "; ".join(n.replace(" | ", " or ") for n in s.needs) or "–"
        months = str(s.min_months) if s.min_months else "–"
        title = text("section_title", s.key, lang)
        rows.append(f"| {s.study} | {title} | {needs} | {months} |")
    return "\n".join(rows)
