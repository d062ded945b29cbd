"""Alt text of figures: what a chart shows, in words, for readers who cannot see it.

:func:`describe` reads a matplotlib figure as it is drawn: for each panel the kind of chart
(bars, lines, points, a heat map), its title, what the axes measure and the series in its
legend, in the report language (text catalogue kind ``figure_alt``). A figure can say it better
itself with :func:`set_alt`. :func:`show_alt` makes every figure a notebook displays carry its
description as the image's ``alt`` metadata, which the report pages write into ``<img alt>``.
"""

from __future__ import annotations

from segkit.text.catalogue import text

__all__ = ["describe", "set_alt", "show_alt"]

_ALT = "_segkit_alt"


def set_alt(fig, alt: str):
    """Give ``fig`` its own alt text (over :func:`describe`'s reading); returns ``fig``."""
    setattr(fig, _ALT, " ".join(str(alt).split()))
    return fig


def describe(fig, lang: str = "en") -> str:
    """What ``fig`` shows: one sentence per panel (kind, title, axes, series)."""
    own = getattr(fig, _ALT, None)
    if own:
        return own
    panels = [_panel(ax, lang) for ax in fig.axes if ax.get_visible() and _is_panel(ax)]
    head = fig._suptitle.get_text().strip() if getattr(fig, "_suptitle", None) else ""
    end = text("figure_alt", "end", lang)
    parts = [head + end.rstrip() if head else ""]
    if len(panels) > 1:
        parts.append(text("figure_alt", "panels", lang, n=len(panels)).rstrip())
    parts += [p + end.rstrip() for p in panels]
    return (" " if lang == "en" else "").join(p for p in parts if p).strip()


def _is_panel(ax) -> bool:
    """False for a colour bar (an axes a colour scale was drawn into)."""
    return not hasattr(ax, "_colorbar")


def _kind(ax) -> str:
    if ax.images or any(type(c).__name__ == "QuadMesh" for c in ax.collections):
        return "heatmap"
    if any(type(p).__name__ == "PathPatch" for p in ax.patches):  # boxes of a box plot
        return "box"
    if any(type(p).__name__ == "Rectangle" for p in ax.patches):
        return "bar"
    if any(type(c).__name__ == "PathCollection" for c in ax.collections):
        return "scatter"
    if any(len(line.get_xdata()) > 1 for line in ax.lines):
        return "line"
    return "chart"


def _panel(ax, lang: str) -> str:
    kind = text("figure_alt", _kind(ax), lang)
    title = " ".join(ax.get_title(loc=loc).strip() for loc in ("left", "center", "right"))
    title = " ".join(title.split())
    words = [text("figure_alt", "titled", lang, chart=kind, title=title) if title else kind]
    for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
        if label.strip():
            words.append(text("figure_alt", axis, lang, label=" ".join(label.split())))
    legend = ax.get_legend()
    names = [t.get_text() for t in legend.get_texts() if t.get_text()] if legend else []
    if names:
        sep = "、" if lang == "zh" else ", "
        words.append(text("figure_alt", "series", lang, names=sep.join(names[:8])))
    return text("figure_alt", "sep", lang).join(words)


def show_alt(lang: str = "en") -> bool:
    """Display every matplotlib figure of this IPython kernel with its alt text.

    Returns False outside IPython (nothing to do). The PNG is drawn as IPython draws it
    (``bbox_inches="tight"``); the description is the output's ``alt`` metadata.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the studies
        return False
    shell = get_ipython()
    if shell is None:
        return False
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    # pyplot loads its backend on the first figure, and the inline backend then registers its
    # own PNG printer: load it now, so that the one registered below is the one that stays
    plt.close(plt.figure())

    def png(fig):
        return print_figure(fig, "png", base64=True), {"alt": describe(fig, lang)}

    shell.display_formatter.formatters["image/png"].for_type(Figure, png)
    return True
