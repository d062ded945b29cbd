"""The text rules' patterns read alike on every engine: literal ranges for PostgreSQL match the
characters the RE2 classes of DuckDB and Spark match."""

from __future__ import annotations

import re
import unicodedata

import pytest

from segkit.ledger.patterns import literal_class

SAMPLES = ["\x01", "\x07", "\t", "\n", "\r", "\x1f", "\x7f", "\x9f", "\u200b", "\u200f", "\ufeff",
           "\u00ad", "a", "实", " ", "\u3000", "é"]  # fmt: skip


@pytest.mark.parametrize(("categories", "allowed"), [(("Cc",), "\t\n\r"), (("Cc", "Cf"), "")],
                         ids=["text", "keys"])  # fmt: skip
def test_literal_ranges_match_exactly_the_categories(categories, allowed):
    pattern = re.compile(literal_class(categories, allowed))
    for char in SAMPLES:
        expected = unicodedata.category(char) in categories and char not in allowed
        assert bool(pattern.search(f"x{char}y")) is expected, repr(char)
    assert "\x00" not in literal_class(categories, allowed)  # PostgreSQL text holds no NUL
