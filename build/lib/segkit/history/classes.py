"""Class codes of the snapshot tables and their display labels.

The two markers that are not classes (:data:`ABSENT` for a customer not returned at a date,
:data:`UNCLASSIFIED` for a present customer without a class), the class columns that
:func:`segkit.history.timeline` keeps by default (:data:`CLASS_COLUMNS`), the ranking of
the class codes used by the migration tables (:data:`CLASS_ORDERS`), and
:func:`class_labels`, which replaces class codes by English or Chinese labels for display.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import LANGS, check_lang
from segkit.text.catalogue import catalogue, text
from segkit.text.labels import LABELS

__all__ = ["ABSENT", "UNCLASSIFIED", "CLASS_COLUMNS", "CLASS_ORDERS", "class_labels"]

ABSENT = "absent"
UNCLASSIFIED = "unclassified"
#: Class columns kept by :func:`segkit.history.timeline` by default, when the classify
#: function returns them.
CLASS_COLUMNS = (
    "freq_class",
    "amount_class",
    "rfm_segment",
    "rfm_class_cn",
    "abc_tier",
    "risk_tier",
    "cluster_name",
)
#: Ranking of the class codes of :func:`segkit.classify`, best first, used when ``order`` is
#: not given. Frequency classes and clusters have no natural ranking and are not listed.
CLASS_ORDERS: dict[str, tuple[str, ...]] = {
    "amount_class": ("large", "medium", "small", "none"),
    "abc_tier": ("A", "B", "C", "none"),
    "risk_tier": ("low", "medium", "high", "unknown"),
    "rfm_class_cn": (
        "important_value",
        "important_development",
        "important_retention",
        "important_winback",
        "general_value",
        "general_development",
        "general_retention",
        "general_winback",
        UNCLASSIFIED,
    ),
}
#: Labels of the two markers that are not classes.
MARKER_LABELS = {ABSENT: catalogue()["migration"]["absent"],
                 UNCLASSIFIED: catalogue()["migration"]["unclassified"]}  # fmt: skip
#: Names of a migration matrix's axes, in each language.
AXES = {lang: (text("migration", "from", lang), text("migration", "to", lang)) for lang in LANGS}


def class_labels(table: pd.DataFrame, column: str, lang: str = "en", counts=None) -> pd.DataFrame:
    """A copy of a migration table with class codes replaced by labels, for display.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`segkit.history.migration.migration_matrix` (index and columns are
        relabelled) or any frame indexed by class codes (index only).
    column : str
        Class column the codes come from (a key of :data:`segkit.text.labels.LABELS`);
        codes without a label are kept.
    lang : {"en", "zh"}
        Language of the labels.
    counts : pandas.DataFrame, optional
        The count matrix; row labels then end with the number of customers, e.g. ``A (n=12)``.

    Returns
    -------
    pandas.DataFrame
        Same values; ``from`` and ``to`` axis names translated when ``lang="zh"``.
    """
    check_lang(lang)
    names = {code: entry[lang] for code, entry in LABELS.get(column, {}).items()}
    names.update({code: entry[lang] for code, entry in MARKER_LABELS.items()})
    rows = [names.get(code, code) for code in table.index]
    if counts is not None:
        sizes = counts.sum(axis=1).reindex(table.index).fillna(0).astype(int)
        rows = [f"{name} (n={size})" for name, size in zip(rows, sizes, strict=True)]
    out = table.set_axis(rows, axis=0)
    if table.columns.name == "to":
        out = out.set_axis([names.get(code, code) for code in table.columns], axis=1)
        out = out.rename_axis(index=AXES[lang][0], columns=AXES[lang][1])
    return out
