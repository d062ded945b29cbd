"""The migration section of the market study: classes at quarter-ends, moves and stability.

Every customer is classified again at each quarter-end from the data known that day
(:func:`segkit.history.snapshots`); the tables come back labelled in the report language.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from segkit import history
from segkit.studies import display
from segkit.text.catalogue import text

__all__ = ["Migration", "migration", "show_summary", "show_stability", "stability_frame"]

_COLUMNS = ("rfm_class_cn", "abc_tier")


@dataclass
class Migration:
    """Snapshots and the dates compared; ``counts`` is the eight-class count matrix."""

    snaps: pd.DataFrame
    start: object
    end: object
    counts: pd.DataFrame

    def shares(self, lang: str = "en") -> pd.DataFrame:
        """Row shares of the eight-class matrix, labelled, rows with their customer counts."""
        shares = history.migration_matrix(
            self.snaps, "rfm_class_cn", self.start, self.end, normalize="index"
        )
        return self._axes(history.class_labels(shares, "rfm_class_cn", lang, self.counts), lang)

    def abc(self, lang: str = "en") -> pd.DataFrame:
        """The ABC tier migration in customers, labelled."""
        table = history.migration_matrix(self.snaps, "abc_tier", self.start, self.end)
        return self._axes(history.class_labels(table, "abc_tier", lang), lang)

    def title(self, key: str, lang: str = "en") -> str:
        """A title of the catalogue kind ``market_study`` with the two dates."""
        return text("market_study", key, lang, start=self.start, end=self.end)

    def _axes(self, table: pd.DataFrame, lang: str) -> pd.DataFrame:
        return table.rename_axis(index=text("market_study", "from", lang, date=self.start),
                                 columns=text("market_study", "to", lang, date=self.end))  # fmt: skip


def migration(ledger, as_of, periods: int = 4) -> Migration:
    """Classify ``ledger`` at the last ``periods`` quarter-ends up to ``as_of`` and compare."""
    dates = history.lookback(as_of, periods)
    # The tracked classes need neither clusters, the credit model nor the growth models; with a
    # config, every date's features come from one query.
    config = {"clusters": False, "credit": False, "growth": False,
              "features": {"firmographic": False}}  # fmt: skip
    snaps = history.snapshots(ledger, dates, config=config, columns=list(_COLUMNS))
    counts = history.migration_matrix(snaps, "rfm_class_cn", dates[0], dates[-1])
    return Migration(snaps, dates[0], dates[-1], counts)


def summary_frame(mig: Migration, lang: str = "en") -> pd.DataFrame:
    """Upgrades, stays, downgrades, exits and entries per classification, in words."""
    parts = []
    for column in _COLUMNS:
        table = history.migration_summary(mig.snaps, column, mig.start, mig.end).reset_index()
        table.insert(0, "class", text("segmentation", column, lang))
        table["movement"] = [text("movement", m, lang) for m in table["movement"]]
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def show_summary(mig: Migration, lang: str = "en"):
    """The migration summary, shown; ``share`` is the share of the customers present at the
    start, and its header says so."""
    headers = {"share": text("segmentation", "customer_share", lang)}
    return display.show(
        summary_frame(mig, lang), lang, headers=headers, formats={"share": "{:.1%}"}
    )


def stability_frame(mig: Migration) -> pd.DataFrame:
    """Stability quarter by quarter per classification, in codes (``class`` is the column,
    e.g. ``rfm_class_cn``): what ``class_stability.csv`` holds."""
    parts = []
    for column in _COLUMNS:
        table = history.stability(mig.snaps, column)
        table.insert(0, "class", column)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def show_stability(mig: Migration, lang: str = "en"):
    """Stability quarter by quarter (share kept, PSI and its reading) per classification."""
    frame = stability_frame(mig)
    frame["class"] = [text("segmentation", c, lang) for c in frame["class"]]
    frame["psi_status"] = [text("psi_status", s, lang) for s in frame["psi_status"]]
    return display.show(frame, lang, formats={"stayed_share": "{:.1%}", "psi": "{:.3f}"})
