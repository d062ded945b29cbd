"""What the RFM segments mean, written for the segments this month's customers fall in.

:func:`segment_guide` opens the RFM section: how segments are read, and one line per segment
present (a segment nobody is in is not named). :func:`new_customers_cn8` says where the new
customers land in the Chinese eight-class model, which has no class for them. Texts are in the
catalogue kind ``rfm_segment_guide``.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from segkit.checks import check_lang
from segkit.classes.rfm_segments import DEFAULT_SEGMENT_MAP
from segkit.text.catalogue import text

__all__ = ["segment_guide", "new_customers_cn8"]

KIND = "rfm_segment_guide"
#: Segments in the order of the map, then customers without purchases.
_ORDER = (*(rule["name"] for rule in DEFAULT_SEGMENT_MAP), "no_purchase")
#: Classes of the eight-class model for recent customers that buy less often than average.
_DEVELOPMENT = ("important_development", "general_development")


def _new_days(frame: pd.DataFrame):
    return frame.attrs.get("params", {}).get("new_days")


def segment_guide(frame: pd.DataFrame, lang: str = "en", column: str = "rfm_segment") -> Markdown:
    """The heading and meaning of the RFM segments present in ``frame[column]`` (codes).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer with segment codes; ``attrs["params"]["new_days"]`` is the "new"
        window of :func:`segkit.classify`.
    lang : {"en", "zh"}
    column : str, default "rfm_segment"
    """
    check_lang(lang)
    present = set(frame[column].dropna())
    shown = [code for code in _ORDER if code in present]
    n = len([code for code in shown if code != "no_purchase"])
    parts = [text(KIND, "intro", lang, n=n)]
    days = {"days": _new_days(frame) or 0}
    lines = [f"- {text(KIND, code, lang, **days)}" for code in shown]
    return Markdown("\n\n".join(parts) + "\n\n" + "\n".join(lines))


def new_customers_cn8(frame: pd.DataFrame, lang: str = "en") -> Markdown:
    """Where the new customers (``freq_class == "new"``) fall in the eight-class model."""
    check_lang(lang)
    if "freq_class" not in frame.columns or not frame["freq_class"].eq("new").any():
        return Markdown("")
    new = frame["freq_class"].eq("new")
    classes = frame.loc[new, "rfm_class_cn"]
    development = int(classes.isin(_DEVELOPMENT).sum())
    return Markdown(text(KIND, "cn8_new", lang, n=int(new.sum()), days=_new_days(frame),
                         development=development, other=int(new.sum()) - development))  # fmt: skip
