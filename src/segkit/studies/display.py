"""Tables as a reader sees them: headers in words, numbers and dates formatted, values escaped.

:func:`show` is how every study displays a table. Headers come from the text catalogue (kind
``columns``, amounts labelled with the ledger's currency), numbers are formatted by the kind of
their column (:data:`FORMATS`), a missing value is a dash, a date reads ``2025-12-31``, true and
false read as words in the report language, and every value, header and row label is
HTML-escaped, so a customer name such as ``<script>`` is shown, never run. The currency in headers
must be an ISO 4217 code (:func:`segkit.checks.check_currency`).

A value from the data in a Markdown sentence goes through :func:`safe`: the result, a
:class:`SafeText`, is HTML-escaped and has every Markdown mark (links, emphasis, code, tables)
escaped, so ``[pay](javascript:alert(7))`` reads as written and links nowhere. :func:`sentence`
fills a catalogue template with values and makes each one safe.
"""

from __future__ import annotations

import datetime as dt
import html
import numbers
import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from segkit.checks import check_currency, check_lang
from segkit.text.catalogue import MISSING, catalogue

__all__ = ["FORMATS", "MISSING", "SafeText", "header", "safe", "sentence", "show"]

_AMOUNTS = (
    "revenue_12m",
    "revenue_prev_12m",
    "open_balance",
    "overdue_balance",
    "overdue",
    "aging_current",
    "aging_1_30",
    "aging_31_60",
    "aging_61_90",
    "aging_90_plus",
    "total",
    "exposure",
    "credit_limit",
    "limit_proposed",
    "limit_change",
    "expected_loss",
    "customers",
    "points",
    "open_days_past_due",
    "days_since_last_payment",
)
_SHARES = ("overdue_share", "expected_loss_rate", "default_rate", "customer_share", "revenue_share")
_PDS = ("pd", "pd_model", "mean_pd", "pd_lower", "pd_upper", "ci_lower", "ci_upper")
#: Number format of a column, by its code.
FORMATS: dict[str, str] = {
    **dict.fromkeys(_AMOUNTS, "{:,.0f}"),
    **dict.fromkeys(_SHARES, "{:.1%}"),
    **dict.fromkeys(_PDS, "{:.2%}"),
    **dict.fromkeys(("psi", "iv"), "{:.3f}"),
    **dict.fromkeys(("avg_days_late", "median_days_late", "dso_days"), "{:,.1f}"),
}  # fmt: skip
_YES_NO = {"en": ("yes", "no"), "zh": ("是", "否")}


class SafeText(str):
    """Text that a page may show as it is: made by :func:`safe` (or :func:`sentence`) only."""

    __slots__ = ()


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def safe(value) -> SafeText:
    """``value`` as text for a Markdown or HTML page: markup escaped, Markdown marks escaped.

    A :class:`SafeText` is returned as it is (it is never escaped twice).

    Examples
    --------
    >>> print(safe("[pay](javascript:alert(7))"))
    \\[pay\\]\\(javascript:alert\\(7\\)\\)
    >>> print(safe("<img src=x onerror=alert(4)>"))
    &lt;img src=x onerror=alert\\(4\\)&gt;
    """
    if isinstance(value, SafeText):
        return value
    marked = _MARKDOWN.sub(r"\\\1", str(value))
    return SafeText(html.escape(marked, quote=True))


def sentence(template: str, **values) -> SafeText:
    """``template`` (from the catalogue, trusted) with every value made :func:`safe`."""
    return SafeText(template.format(**{k: safe(v) for k, v in values.items()}))


def header(code, lang: str = "en", currency: str = "CNY") -> str:
    """The reader's name of a column code in ``lang``; the code itself when it has none.

    Raises
    ------
    ConfigError
        When ``currency`` is not an ISO 4217 code.
    """
    currency = check_currency(currency)
    entry = catalogue()["columns"].get(code) if isinstance(code, str) else None
    return entry[lang].format(currency=currency) if entry else str(code)


def _cell(fmt: str | None, lang: str) -> Callable[[object], str]:
    yes, no = _YES_NO[lang]

    def render(value) -> str:
        if value is None or (
            not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)
        ):
            return MISSING
        if isinstance(value, bool | np.bool_):
            return yes if value else no
        if isinstance(value, dt.datetime | dt.date):
            return value.strftime("%Y-%m-%d")
        if fmt and isinstance(value, numbers.Real):
            return fmt.format(value)
        return str(value)

    return render


def show(
    table: pd.DataFrame,
    lang: str = "en",
    *,
    currency: str = "CNY",
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
):
    """Style ``table`` for a report.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns named by their codes (``open_balance``, ``pd`` ...).
    lang : {"en", "zh"}
        Language of headers and of true/false.
    currency : str, default "CNY"
        The ledger's currency, shown in the headers of amounts.
    headers, formats : mapping, optional
        Headers and number formats (``"{:,.0f}"``) by column code, over the defaults.

    Returns
    -------
    pandas.io.formats.style.Styler
        Every cell, header and row label escaped for HTML; a RangeIndex hidden.
    """
    check_lang(lang)
    check_currency(currency)
    names = {c: (headers or {}).get(c) or header(c, lang, currency) for c in table.columns}
    kinds = {**FORMATS, **(formats or {})}
    styler = table.style.format(
        {c: _cell(kinds.get(c), lang) for c in table.columns}, escape="html"
    )
    styler = styler.format_index(lambda c: names.get(c, str(c)), axis=1, escape="html")
    styler = styler.format_index(_cell(None, lang), axis=0, escape="html")
    if table.index.name is not None:
        styler.index.name = header(table.index.name, lang, currency)
    if isinstance(table.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    return styler
