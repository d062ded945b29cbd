"""Wording of the market positioning, in English and Chinese, from the text catalogue.

The catalogue kinds ``quadrant`` (labels) and ``quadrant_action`` (suggested actions) hold every
quadrant of :func:`segkit.market.tables.positioning`; :func:`quadrant_label` and
:func:`quadrant_actions` read them in a language. The kind ``market`` holds the axis and legend
labels of the charts in :mod:`segkit.market.plots` (:func:`chart_text`).
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import check_lang
from segkit.exceptions import ConfigError
from segkit.market.tables import NOT_COMPARED, QUADRANTS
from segkit.text.catalogue import text

__all__ = ["chart_text", "quadrant_label", "quadrant_actions"]


def chart_text(key: str, lang: str = "en") -> str:
    """An axis or legend label of the market charts (catalogue kind ``market``) in ``lang``."""
    return text("market", key, lang)


def quadrant_label(quadrant: str, lang: str = "en") -> str:
    """The label of a quadrant code in ``lang`` (the English label is the code)."""
    check_lang(lang)
    if quadrant not in (*QUADRANTS, NOT_COMPARED):
        known = [*QUADRANTS, NOT_COMPARED]
        raise ConfigError(f"quadrant must be one of {known}; got {quadrant!r}.")
    return text("quadrant", quadrant, lang)


def quadrant_actions(lang: str = "en") -> pd.DataFrame:
    """What to do in each quadrant: columns ``quadrant`` (label in ``lang``) and ``action``."""
    check_lang(lang)
    rows = [(quadrant_label(q, lang), text("quadrant_action", q, lang)) for q in QUADRANTS]
    return pd.DataFrame(rows, columns=["quadrant", "action"])
