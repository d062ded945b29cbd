"""Warnings as one log line each: what happened and what to do, never a path or a source line.

Python prints a warning with the file and line that raised it and that line's source, which in
an installed package is a path into ``site-packages``. :func:`log_warnings` sends every warning
to the ``segkit`` logger instead, as ``warning: <message>``, once per message. A study notebook
calls it in its setup cell: the analyst sees the line under the cell in JupyterLab, and the
code-free HTML page, which leaves out what a cell writes to stderr, reads as a memo.
"""

from __future__ import annotations

import logging
import sys
import warnings

__all__ = ["LOGGER", "log_warnings"]

#: The logger warnings go to.
LOGGER = "segkit"
_HANDLER_NAME = "segkit-warnings"


def log_warnings(stream=None) -> None:
    """Route :mod:`warnings` to the ``segkit`` logger, one line each.

    Parameters
    ----------
    stream : file-like, optional
        Where the lines go; ``sys.stderr`` (looked up at each line) when omitted.

    Notes
    -----
    Calling it again replaces the handler (no line is written twice). The warning's category
    leads the line only when it is not a plain ``UserWarning``.
    """
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(handler)
    handler = _StderrHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    warnings.showwarning = _show  # the filters stay as they are: which warnings show is theirs


class _StderrHandler(logging.StreamHandler):
    """A stream handler on ``sys.stderr`` as it is when a line is written (a kernel swaps it)."""

    def __init__(self, stream=None) -> None:
        super().__init__(stream)
        self._fixed = stream

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = self._fixed or sys.stderr
        super().emit(record)


def _show(message, category, filename, lineno, file=None, line=None) -> None:
    text = " ".join(str(message).split())  # one line, whatever the message holds
    if category is not UserWarning:
        text = f"{category.__name__}: {text}"
    logging.getLogger(LOGGER).warning(text)
