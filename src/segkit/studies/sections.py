"""What each study section needs, what the ledger holds, and the note shown when they differ.

A study section declares its inputs as a :class:`Section`: ledger columns (``"customers.name"``),
whole tables (``"payments"``), alternatives joined by ``" | "`` (``"invoices.settled_date |
payments"``: settled dates or a payments table) and the months of history it compares
(``min_months``). :func:`holdings` asks the ledger once what it holds as of the report date
(a :class:`Holdings`); :func:`missing` lists the needs a ledger does not meet and
:func:`note` says so in the report language, from the text catalogue (kinds ``section_note``,
``section_adds`` and ``section_title``). A study shows a section only when :func:`ready` is
true, so a ledger that lacks an optional column gets a short note instead of an error, an empty
panel or a sentence about data it does not hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from segkit.checks import as_date, check_lang
from segkit.text.catalogue import text

__all__ = [
    "Holdings",
    "Section",
    "holdings",
    "lead_in",
    "missing",
    "months_covered",
    "note",
    "ready",
    "previous_window",
    "window_caveat",
]

#: Currency of a ledger whose invoices carry none.
DEFAULT_CURRENCY = "CNY"


@dataclass(frozen=True)
class Section:
    """A report section and its inputs.

    Parameters
    ----------
    study : str
        The study (notebook) the section belongs to, e.g. ``"segmentation"``.
    key : str
        The section's key in the catalogue kinds ``section_title`` and ``section_adds``.
    needs : tuple of str
        Ledger inputs, each ``"table"`` or ``"table.column"``; ``"a | b"`` is met by either.
    min_months : int
        Calendar months of invoices, up to the report month, the section compares.
    """

    study: str
    key: str
    needs: tuple[str, ...] = ()
    min_months: int = 0


@dataclass(frozen=True)
class Holdings:
    """What a ledger holds as of a date: ``inputs`` (``"payments"``, ``"customers.name"`` …),
    the first invoice date, the calendar ``months`` from its month to the report month, and the
    ``currency`` of its amounts: the ledger's functional currency (every row converted into it,
    :mod:`segkit.ledger.currency`)."""

    inputs: frozenset[str]
    first: dt.date | None
    months: int
    currency: str
    as_of: dt.date


def months_covered(first, last) -> int:
    """Calendar months from the month of ``first`` to the month of ``last``, both counted.

    Every study and the index state a ledger's history in these units: a ledger with invoices
    from 2024-01-05 to 2025-12-31 covers 24 months, whatever the day of the month it starts on
    (an elapsed count would say 23). Zero when ``last`` is in an earlier month than ``first``.
    """
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


def holdings(ledger, as_of) -> Holdings:
    """Ask ``ledger`` (a :class:`segkit.Ledger`) what it holds as of ``as_of``."""
    as_of = as_date(as_of)
    inputs = set()
    tables = {"invoices": ledger.invoices, "payments": ledger.payments}
    if "customers" in ledger.origins:  # a real customers table, not the derived ids
        tables["customers"] = ledger.customers
    for name, table in tables.items():
        if table is not None:
            inputs |= {name, *(f"{name}.{c}" for c in table.columns)}
    invoices = ledger.invoices
    first = invoices.filter(invoices.invoice_date <= as_of).invoice_date.min().execute()
    first = None if pd.isna(first) else pd.Timestamp(first).date()
    months = 0 if first is None else months_covered(first, as_of)
    currency = getattr(ledger, "functional_currency", None) or DEFAULT_CURRENCY
    return Holdings(frozenset(inputs), first, months, currency, as_of)


def missing(section: Section, held: Holdings) -> list[str]:
    """The needs of ``section`` that ``held`` does not meet (each as declared)."""
    unmet = []
    for need in section.needs:
        options = [n.strip() for n in need.split("|")]
        if not any(option in held.inputs for option in options):
            unmet.append(need)
    return unmet


def previous_window(held: Holdings, months: int = 12) -> tuple[dt.date, bool]:
    """Start of the ``months`` before the last ``months`` and whether the ledger covers it.

    The ledger covers a month from the first day of the month of its first invoice.
    """
    start = pd.Timestamp(held.as_of) - pd.DateOffset(months=2 * months) + pd.Timedelta(days=1)
    covered = held.first is not None and held.months >= 2 * months
    return start.date(), covered


def window_caveat(held: Holdings, lang: str = "en", months: int = 12) -> str:
    """A sentence saying how few of the last ``months`` months the ledger covers ("" when all).

    Figures over "the last 12 months" of a shorter ledger cover fewer months; the pages that
    state them say how many, counted like every month count (:func:`months_covered`).
    """
    if held.first is None or held.months >= months:
        return ""
    return text("section_note", "short_window", lang, months=held.months, window=months,
                first=held.first.isoformat())  # fmt: skip


def _words(need: str, lang: str) -> str:
    parts = [f"`{n.strip()}`" for n in need.split("|")]
    if len(parts) == 1:
        return parts[0]
    head = ("、" if lang == "zh" else ", ").join(parts[:-1])
    return head + text("section_note", "or", lang) + parts[-1]


def note(section: Section, held: Holdings, lang: str = "en") -> str | None:
    """The note shown instead of ``section``, in ``lang``; None when the ledger meets its needs."""
    check_lang(lang)
    unmet = missing(section, held)
    short = held.months < section.min_months
    if not unmet and not short:
        return None
    title = text("section_title", section.key, lang)
    adds = text("section_adds", section.key, lang)
    reasons = []
    if unmet:
        joined = text("section_note", "and_no", lang).join(_words(n, lang) for n in unmet)
        reasons.append(text("section_note", "lacks", lang, columns=joined))
    if short:
        first = held.first.isoformat() if held.first else "–"
        reasons.append(text("section_note", "short", lang, need=section.min_months,
                            have=held.months, first=first))  # fmt: skip
    sep = text("section_note", "and", lang)
    return text("section_note", "skipped", lang, title=title, why=sep.join(reasons), adds=adds)


def lead_in(memo: str, shown: bool) -> str:
    """A section's memo when what it introduces is shown, else only its heading lines.

    A lead-in ("Bars show each segment's share …") describes a figure or a table; when the
    section is skipped it would hang before the skip note, so only the heading stays ("" when
    the memo has none) and the note stands alone under it.
    """
    if shown:
        return memo
    return "\n".join(line for line in memo.splitlines() if line.lstrip().startswith("#"))


def ready(section: Section, held: Holdings, lang: str = "en") -> bool:
    """True when the ledger meets the needs of ``section``; else display its note and False."""
    message = note(section, held, lang)
    if message is None:
        return True
    from IPython.display import Markdown, display

    display(Markdown(f"> {message}"))
    return False
