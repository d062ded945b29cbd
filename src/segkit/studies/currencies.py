"""The currency mix of a ledger in several currencies, as the studies show it.

One table per report, only when the ledger holds more than one currency: revenue of the last
12 months and open receivables by transaction currency (in the functional currency, with their
shares), and for each foreign currency the open amount in that currency, the rate at the report
date, the open amount at that rate and the unrealised and realised exchange differences
(:mod:`segkit.features.fx`). Words come from the catalogue kinds ``currency_text`` and
``currency_columns``.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from segkit.checks import as_date, check_lang
from segkit.features.fx import currency_mix, revaluation
from segkit.studies.display import show
from segkit.text.catalogue import text

__all__ = ["currency_frame", "currency_section"]

_FX = ["open_txn", "closing_rate", "open_closing", "unrealised", "realised"]
_FORMATS = {
    **dict.fromkeys(("revenue", "open", "open_txn", "open_closing", "unrealised", "realised"),
                    "{:,.2f}"),
    **dict.fromkeys(("revenue_share", "open_share"), "{:.1%}"),
    "closing_rate": "{:,.4f}",
}  # fmt: skip


def currency_frame(ledger, as_of) -> pd.DataFrame:
    """One row per transaction currency (empty for a ledger in one currency): the mix and, for
    foreign currencies, the revaluation at ``as_of``; amounts in the functional currency."""
    as_of = as_date(as_of)
    mix = currency_mix(ledger, as_of)
    if len(mix) <= 1:
        return mix.iloc[0:0]
    out = mix.join(revaluation(ledger, as_of)[_FX], how="left")
    out.attrs = {"functional_currency": ledger.functional_currency, "as_of": as_of,
                 "rates": ledger.rates is not None}  # fmt: skip
    return out


def currency_section(frame: pd.DataFrame, lang: str = "en", heading: str = "###") -> list:
    """Heading, the sentence and the table of :func:`currency_frame`; nothing when it is empty."""
    check_lang(lang)
    if frame.empty:
        return []
    currency = frame.attrs["functional_currency"]
    fields = {"currency": currency, "n": len(frame), "as_of": frame.attrs["as_of"].isoformat()}
    words = [text("currency_text", "mix", lang, **fields)]
    words.append(text("currency_text", "revalued" if frame.attrs.get("rates") else "no_rates",
                      lang, **fields))  # fmt: skip
    table = frame.reset_index()
    heads = {c: text("currency_columns", c, lang, currency=currency) for c in table.columns}
    styled = show(table, lang, currency=currency, headers=heads, formats=_FORMATS)
    title = f"{heading} {text('currency_text', 'heading', lang)}"
    return [Markdown(title), Markdown("\n\n".join(words)), styled]
