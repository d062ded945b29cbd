"""Shared pieces of the growth models: checking a summary and maximising a log-likelihood."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from segkit.checks import is_number
from segkit.exceptions import ConfigError, SchemaError, SegkitError


def check_summary(summary, columns: tuple[str, ...], where: str) -> dict[str, np.ndarray]:
    """The named numeric columns of a summary as float arrays, or :class:`SchemaError`.

    Checks that the columns exist, hold finite numbers, that ``frequency`` is a whole number
    >= 0 and that ``0 <= recency <= T`` when those columns are asked for.
    """
    if not isinstance(summary, pd.DataFrame):
        raise ConfigError(f"{where}: summary must be a pandas DataFrame; got {type(summary)}.")
    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise SchemaError(
            f"{where}: summary lacks the columns {missing}; it has {list(summary.columns)[:12]}. "
            "Build it with segkit.growth.repeat_summary."
        )
    values = {}
    for column in columns:
        numbers_ = pd.to_numeric(summary[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(numbers_)
        if bad.any():
            _fail(where, summary, column, bad, "must hold finite numbers")
        values[column] = numbers_
    _check_relations(summary, values, where)
    return values


def _check_relations(summary, values: dict[str, np.ndarray], where: str) -> None:
    if "frequency" in values:
        x = values["frequency"]
        _fail(where, summary, "frequency", (x < 0) | (x != np.round(x)), "must be whole >= 0")
    if "recency" in values and "T" in values:
        t_x, big_t = values["recency"], values["T"]
        _fail(where, summary, "recency", (t_x < 0) | (t_x > big_t), "must be in [0, T]")


def _fail(where: str, summary: pd.DataFrame, column: str, bad: np.ndarray, rule: str) -> None:
    if not bad.any():
        return
    rows = summary.index[bad]
    failures = pd.DataFrame(
        {
            "file": None,
            "table": "summary",
            "column": column,
            "row": list(rows),
            "rule": rule,
            "value": list(summary.loc[bad, column]),
        }
    )
    raise SchemaError(
        f"{where}: column {column!r} {rule}; {int(bad.sum())} row(s) fail, "
        f"e.g. {list(rows[:3])} with {list(summary.loc[bad, column][:3])}.",
        failures,
    )


def check_positive(name: str, value, *, allow_zero: bool = False) -> float:
    """A real number > 0 (or >= 0), else :class:`ConfigError` naming the parameter."""
    if not is_number(value) or value < 0 or (value == 0 and not allow_zero):
        rule = ">= 0" if allow_zero else "> 0"
        raise ConfigError(f"{name} must be a number {rule}; got {value!r}.")
    return float(value)


def maximise(neg_loglik, start: np.ndarray, names: tuple[str, ...], model: str):
    """Positive parameters that minimise ``neg_loglik(log_params)``, and whether it converged.

    The search runs on the log scale (so every parameter stays positive) with L-BFGS-B and is
    polished by Nelder-Mead, which does not depend on numerical gradients. The fit counts as
    converged when either search reports success.

    Returns
    -------
    (numpy.ndarray, bool)
        The parameters and the convergence flag.
    """
    with np.errstate(all="ignore"):  # a search may step where a term overflows; it moves on
        first = minimize(neg_loglik, start, method="L-BFGS-B")
        best = minimize(
            neg_loglik, first.x, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10}
        )
    result = best if best.fun <= first.fun else first
    if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun):
        raise SegkitError(
            f"{model}: the maximum-likelihood fit of {', '.join(names)} did not converge "
            f"({result.message}); check that the summary holds repeat purchases."
        )
    return np.exp(result.x), bool(first.success or best.success)
