"""Building blocks of a rule set: conditions, rules, score ranges and points items.

Plain frozen records that :mod:`segkit.classes.rules.parsing` builds from a rule file and
:class:`segkit.classes.rules.apply.RuleSet` evaluates: a :class:`Condition` (feature, operator,
value) and a :class:`Rule` turn into boolean masks over a feature table, a :class:`Band` is a
half-open ``[min, max)`` range giving a class or points, and :class:`Points` is one item of the
points score. :class:`Problems` collects the problems found while checking a rule file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["OPERATORS", "Band", "Condition", "Points", "Problems", "Rule"]

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in", "between", "is null", "not null")


@dataclass(frozen=True)
class Condition:
    """One condition ``feature op value`` of a rule."""

    feature: str
    op: str
    value: object = None

    def text(self):
        return f"{self.feature} {self.op}" + ("" if "null" in self.op else f" {self.value}")

    def mask(self, frame):
        s, op, v = frame[self.feature], self.op, self.value
        if op in ("is null", "not null"):
            return s.isna() if op == "is null" else s.notna()
        if isinstance(v, dt.date) or pd.api.types.is_datetime64_any_dtype(s):
            v = [pd.Timestamp(x) for x in v] if isinstance(v, tuple) else pd.Timestamp(v)
        tests = {
            "==": lambda: s == v,
            "!=": lambda: s != v,
            "<": lambda: s < v,
            "<=": lambda: s <= v,
            ">": lambda: s > v,
            ">=": lambda: s >= v,
            "in": lambda: s.isin(v),
            "not in": lambda: ~s.isin(v),
            "between": lambda: (s >= v[0]) & (s < v[1]),
        }
        return (tests[op]() & s.notna()).fillna(False).astype(bool)


@dataclass(frozen=True)
class Rule:
    """One ordered rule: its class, reason and conditions joined by ``mode``."""

    id: str
    label: str
    reason: str | None
    conditions: tuple
    mode: str  # "all", "any" or "default"

    def conjunctions(self):
        """The rule as OR-of-AND sets of conditions (empty set = matches everyone)."""
        if self.mode == "any":
            return [frozenset([c]) for c in self.conditions]
        return [frozenset(self.conditions)]

    def mask(self, frame):
        masks = [c.mask(frame) for c in self.conditions]
        if not masks:
            return pd.Series(True, index=frame.index)
        combine = np.logical_or if self.mode == "any" else np.logical_and
        return pd.Series(combine.reduce(masks), index=frame.index)

    def text(self):
        joiner = " or " if self.mode == "any" else " and "
        return joiner.join(c.text() for c in self.conditions) or "everyone else"


@dataclass(frozen=True)
class Band:
    """A half-open ``[lo, hi)`` range giving a score class or points."""

    name: str | None  # class name (None for points ranges)
    lo: float | None
    hi: float | None
    label: object  # what the band gives: class name or points

    def mask(self, s):
        lo = s >= self.lo if self.lo is not None else s.notna()
        return lo & (s < self.hi) if self.hi is not None else lo


@dataclass(frozen=True)
class Points:
    """One item of the points score: points by ranges or by category values."""

    id: str
    feature: str
    bands: tuple | None
    values: dict | None
    missing: float | None


class Problems(list):
    """Problems found in a rule file, each as ``"where: message"``."""

    def add(self, where, message):
        self.append(f"{where}: {message}")
