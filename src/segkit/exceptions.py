"""The exceptions segkit raises.

Every error a user can cause derives from :class:`SegkitError`, and each subclass also inherits
the matching built-in exception, so callers may catch either ``SegkitError`` or ``ValueError``.
Errors carry data (the failing rows as a table), not only text.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "SegkitError",
    "SchemaError",
    "MappingError",
    "ConfigError",
    "ModelNotFitted",
    "ReportError",
    "SegkitWarning",
]


class SegkitError(Exception):
    """Base class of every error segkit raises on purpose."""


class SchemaError(SegkitError, ValueError):
    """Input data break the canonical schema.

    Parameters
    ----------
    message : str
        Human-readable summary (file, column, rows, rule, values).
    failures : pandas.DataFrame, optional
        One row per failing value with columns ``file``, ``table``, ``column``, ``row``,
        ``rule`` and ``value``; ``row`` is the 1-based line number in the source file
        (the header is line 1) or the 0-based position for in-memory frames.
    """

    FAILURE_COLUMNS = ("file", "table", "column", "row", "rule", "value")

    def __init__(self, message: str, failures: pd.DataFrame | None = None):
        super().__init__(message)
        if failures is None:
            failures = pd.DataFrame(columns=list(self.FAILURE_COLUMNS))
        elif "row" in failures.columns:  # line numbers stay whole numbers, missing where none
            failures = failures.assign(row=pd.to_numeric(failures["row"]).astype("Int64"))
        self.failures = failures


class MappingError(SegkitError, ValueError):
    """A mapping file is malformed or does not match its source files."""


class ConfigError(SegkitError, ValueError):
    """A parameter, threshold, rule file or grade scale is invalid."""


class ModelNotFitted(ConfigError):
    """The ledger cannot support a model: the study says why in words and goes on.

    Parameters
    ----------
    message : str
        What is missing, with the figures.
    reason : str
        A code of the text catalogue: for the scorecard (``credit_skip`` kind) ``"no_defaults"``
        (a set without both outcomes), ``"no_features"`` (no usable model feature) or
        ``"not_converged"`` (the logistic regression stopped at its iteration limit); for
        clusters (``segmentation`` kind, ``clusters_withheld_<reason>``) ``"identical"``,
        ``"too_few"``, ``"degenerate"`` or ``"weak"``.
    figures : dict, optional
        The figures the sentence quotes (customers, clusters, silhouette …).
    """

    def __init__(self, message: str, reason: str, figures: dict | None = None):
        super().__init__(message)
        self.reason = reason
        self.figures = dict(figures or {})


class ReportError(SegkitError, RuntimeError):
    """One or more studies failed to run; ``failed`` names them."""

    def __init__(self, message: str, failed: list[str] | None = None):
        super().__init__(message)
        self.failed = list(failed or [])


class SegkitWarning(UserWarning):
    """Something a user should know about a result: a part left out, and why."""
