"""Tables and sentences of the market positioning study, in the report language.

The study's customer view is the feature table with the display columns of the segmentation
study (``industry``, ``region``, ``size``, the same region scheme and size vocabulary); the
segment tables of :mod:`segkit.market` are built on it and shown through
:func:`segkit.studies.display.show`, headers from the catalogue, amounts in the ledger's
currency. A previous period the ledger does not cover is blanked, never compared.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from segkit import market
from segkit.output.export import write_table
from segkit.studies import display
from segkit.studies.sections import Holdings, previous_window, window_caveat
from segkit.studies.segmentation.display import for_display, left_align
from segkit.studies.segmentation.text import format_amount
from segkit.text.catalogue import text

__all__ = [
    "VIEWS", "memo", "title", "customer_view", "segment_tables", "show_segments",
    "show_concentration", "quadrant_frame",
    "show_contributions", "export", "show_quadrants", "show_actions", "show_penetration", "headline",
]  # fmt: skip

#: The segment views of the study: display columns of the customer view.
VIEWS = ("industry", "region", "size")
_SEGMENT_FORMATS = {"revenue": "{:,.0f}", "share": "{:.1%}", "growth": "{:+.1%}",
                    "revenue_per_buyer": "{:,.0f}", "contribution": "{:+.1%}",
                    "hhi": "{:,.0f}", "equivalent_customers": "{:,.1f}", "top_share": "{:.1%}",
                    "gini": "{:.3f}", "penetration": "{:.1%}", "base_share": "{:.1%}",
                    "buyer_share": "{:.1%}", "index": "{:.2f}"}  # fmt: skip


def customer_view(
    features: pd.DataFrame, held: Holdings, lang: str = "en", regions: str = "economic"
) -> pd.DataFrame:
    """The features with ``industry``, ``region`` and ``size`` in words (where the ledger has
    them); ``revenue_prev_12m`` is NaN when the ledger does not cover the previous 12 months."""
    view = for_display(features, lang, regions)
    if not previous_window(held)[1]:
        view["revenue_prev_12m"] = np.nan
    view.attrs = {**features.attrs, "currency": held.currency}
    return view


def memo(key: str, lang: str = "en"):
    """One part of the study's narrative (catalogue kind ``market_memo``) as Markdown."""
    from IPython.display import Markdown

    return Markdown(text("market_memo", key, lang))


def title(key: str, lang: str = "en") -> str:
    """A title or view name of the catalogue kind ``market_study`` in ``lang``."""
    return text("market_study", key, lang)


def segment_tables(view: pd.DataFrame, lang: str = "en") -> dict[str, pd.DataFrame]:
    """Title -> :func:`segkit.market.positioning` table, for each view the ledger feeds."""
    tables = {}
    for key in VIEWS:
        if key in view:
            table = market.positioning(view, key)
            table.attrs["view"] = key
            tables[text("market_study", key, lang)] = table
    return tables


def _covered(table: pd.DataFrame) -> bool:
    return bool(table["revenue_prev"].gt(0).any())


def show_segments(table: pd.DataFrame, lang: str = "en", currency: str = "CNY"):
    """Customers, buyers, revenue, share, growth (when compared) and revenue per buyer."""
    columns = ["customers", "buyers", "revenue", "share", "growth", "revenue_per_buyer"]
    if not _covered(table):
        columns.remove("growth")
    return display.show(table[columns], lang, currency=currency, formats=_SEGMENT_FORMATS)


def show_concentration(view: pd.DataFrame, lang: str = "en", currency: str = "CNY"):
    """The concentration table of :func:`segkit.market.concentration`, its level in words."""
    table = market.concentration(view)
    table["hhi_level"] = [text("hhi_level", v, lang) for v in table["hhi_level"]]
    columns = ["customers", "excluded", "revenue", "hhi", "hhi_level", "equivalent_customers",
               "top_share", "gini"]  # fmt: skip
    return display.show(table[columns], lang, currency=currency, formats=_SEGMENT_FORMATS)


def show_contributions(tables: dict[str, pd.DataFrame], lang: str = "en"):
    """Growth and contribution to the overall growth of every segment, by view."""
    frame = pd.concat({name: t[["growth", "contribution"]] for name, t in tables.items()})
    styler = display.show(frame.rename_axis(["view", "segment"]), lang, formats=_SEGMENT_FORMATS)
    return _level_names(styler, lang)


def quadrant_frame(tables: dict[str, pd.DataFrame], lang: str = "en") -> pd.DataFrame:
    """View, segment, share, growth and quadrant (in words) of every segment."""
    frame = pd.concat({name: t[["share", "growth", "quadrant"]] for name, t in tables.items()})
    frame["quadrant"] = [market.quadrant_label(q, lang) for q in frame["quadrant"]]
    return frame.rename_axis(["view", "segment"]).reset_index()


def show_quadrants(tables: dict[str, pd.DataFrame], lang: str = "en"):
    """The quadrant of every segment of every view."""
    frame = quadrant_frame(tables, lang).set_index(["view", "segment"])
    return _level_names(left_align(display.show(frame, lang, formats=_SEGMENT_FORMATS)), lang)


def _level_names(styler, lang: str):
    """Name the levels of a two-level row index in words (``view``, ``segment``)."""
    styler.index.names = [display.header(n, lang) for n in styler.index.names]
    return styler


def show_actions(lang: str = "en"):
    """What to do in each quadrant."""
    return left_align(display.show(market.quadrant_actions(lang), lang))


def show_penetration(view: pd.DataFrame, lang: str = "en"):
    """Penetration by industry (:func:`segkit.market.penetration`)."""
    table = market.penetration(view, "industry")
    return display.show(table, lang, formats=_SEGMENT_FORMATS)


def export(tables: dict[str, pd.DataFrame], moves, out_dir) -> list[Path]:
    """Write ``market_positioning.csv`` (every segment with its quadrant, English codes) and,
    with a migration, ``migration_rfm_class_cn.csv`` and ``class_stability.csv`` (stability
    quarter by quarter, codes) into ``out_dir``; nothing when it is empty."""
    if not out_dir:
        return []
    written = []
    if tables:
        frame = pd.concat(tables)
        frame = frame.rename_axis(["view", "segment"]).reset_index()
        written.append(write_table(frame, Path(out_dir, "market_positioning.csv")))
    if moves is not None:
        from segkit.studies.market.migration import stability_frame

        written.append(write_table(moves.counts, Path(out_dir, "migration_rfm_class_cn.csv")))
        written.append(write_table(stability_frame(moves), Path(out_dir, "class_stability.csv")))
    return written


def headline(
    view: pd.DataFrame, tables: dict[str, pd.DataFrame], held: Holdings, as_of, lang: str = "en"
) -> str:
    """The study's opening sentences: revenue and its growth (or why it is not compared), the
    largest industry, concentration, and what each concentration measure says."""
    conc = market.concentration(view).iloc[0]
    revenue = format_amount(conc["revenue"], lang, held.currency)
    start, covered = previous_window(held)
    previous = view["revenue_prev_12m"].sum()
    if not covered:
        first = held.first.isoformat() if held.first else "–"
        growth = text("market_study", "previous_na", lang, start=start.isoformat(), first=first)
    elif previous > 0:
        growth = text("market_study", "growth", lang, growth=conc["revenue"] / previous - 1)
    else:
        growth = text("market_study", "growth_none", lang)
    out = text("market_study", "headline", lang, as_of=as_of, revenue=revenue, growth=growth,
               buyers=int(conc["customers"]))  # fmt: skip
    out += window_caveat(held, lang)
    industry = next((t for t in tables.values() if t.attrs.get("view") == "industry"), None)
    if industry is not None and len(industry):
        out += text("market_study", "lead", lang, lead=industry.index[0],
                    share=industry["share"].iloc[0])  # fmt: skip
    if conc["customers"] > 0:
        out += text("market_study", "concentration", lang, top=conc["top_share"],
                    eq=conc["equivalent_customers"], hhi=conc["hhi"],
                    level=text("hhi_level", conc["hhi_level"], lang))  # fmt: skip
        out += text("market_study", "measures", lang)
    return out
