"""The patterns of the readers' text rules, for every engine.

Control characters (tab, line feed and carriage return allowed) in any text and, in keys, also
invisible format characters (:func:`segkit.ledger.values.text_problem`) are found in the engine
with a regular expression: RE2 classes on DuckDB and Spark, and on PostgreSQL, whose regular
expressions know no ``\\p{..}``, the same characters written as literal ranges.
"""

from __future__ import annotations

import functools
import sys
import unicodedata

import ibis

__all__ = ["CONTROL", "CURRENCY", "INVISIBLE", "literal_class", "text_pattern"]

#: Control characters (tab, line feed and carriage return allowed) and, in keys, also invisible
#: format characters: the readers' text rules (:func:`segkit.ledger.values.text_problem`) in RE2.
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}]"
INVISIBLE = r"[\p{Cc}\p{Cf}]"
CURRENCY = r"^[A-Z]{3}$"


@functools.cache
def literal_class(categories: tuple[str, ...], allowed: str = "") -> str:
    """A bracket expression of the code points in Unicode ``categories``, written as the
    characters themselves (ranges of literals), which every engine's regular expressions read
    alike; NUL is left out (PostgreSQL text cannot hold it)."""
    points = [
        c for c in range(1, sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in categories and chr(c) not in allowed
    ]  # fmt: skip
    runs, start = [], points[0]
    for prev, cur in zip(points, [*points[1:], None], strict=True):
        if cur != prev + 1:
            runs.append(chr(start) if start == prev else f"{chr(start)}-{chr(prev)}")
            start = cur
    return "[" + "".join(runs) + "]"


def text_pattern(table: ibis.Table, key: bool) -> str:
    """The text rule's pattern for the table's engine: RE2 classes, or literal ranges where the
    engine's regular expressions know no ``\\p{..}`` (PostgreSQL)."""
    portable = ibis.get_backend(table).name == "postgres"  # every table has an engine
    if not portable:
        return INVISIBLE if key else CONTROL
    return literal_class(("Cc", "Cf") if key else ("Cc",), "" if key else "\t\n\r")
