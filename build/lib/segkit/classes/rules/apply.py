"""Customer classes from user rules written in YAML, with a reason code for every customer.

A rule file lists ordered rules (the first rule that matches wins) and, optionally, a
points-based score whose total falls into score classes. :func:`load_rules` checks the whole
file before anything runs and reports every problem at once; :meth:`RuleSet.apply` returns one
row per customer with the class, the id of the rule that decided it and the reason.
This module holds :class:`RuleSet` with its evaluation on a feature table and
:func:`load_rules`; reading and checking a rule file is in :mod:`segkit.classes.rules.parsing`
and the rule records are in :mod:`segkit.classes.rules.model`.

Missing values: a condition on a missing feature value is false, except ``is null``. A points
item gives a missing value its ``missing:`` points when set, otherwise 0 points and the detail
reads ``P1=missing``. A value outside every range of a points item, or a category not listed,
gets 0 points, the detail ``P1=out_of_range`` / ``P1=unlisted`` and a warning.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.classes.rules.model import OPERATORS, Problems
from segkit.classes.rules.parsing import name_hints, parse_rules, parse_score, read_rule_file
from segkit.exceptions import ConfigError

__all__ = ["OPERATORS", "NO_MATCH", "RuleSet", "load_rules"]

#: ``rule_id`` of a customer that no rule matched (only possible without a default rule).
NO_MATCH = "NO_MATCH"
_ORDERED = ("<", "<=", ">", ">=", "between")
_TOP_KEYS = {"name", "output", "rules", "score"}


class RuleSet:
    """A validated set of classification rules and an optional points score.

    Build it with :func:`load_rules` or :meth:`RuleSet.from_yaml`, then call :meth:`apply`.

    Attributes
    ----------
    name : str or None
        Name of the rule set (``name:`` in the file).
    output : str
        Column receiving the rule class.
    source : str
        File the rules came from, or ``"<dict>"``.
    """

    def __init__(self, rules, score=None, *, name=None, output="rule_class", source="<dict>"):
        self._rules, self._score = tuple(rules), score
        self.name, self.output, self.source = name, output, source

    def __repr__(self):
        score = ", with score" if self._score else ""
        n = len(self._rules)
        return f"RuleSet(name={self.name!r}, {n} rules{score}, source={self.source!r})"

    @classmethod
    def from_yaml(cls, path, features=None):
        """Read and validate a YAML rule file; see :func:`load_rules`."""
        return load_rules(Path(path), features=features)

    @property
    def rules(self):
        """pandas.DataFrame: one row per rule, in order, with ``order``, ``id``, ``class``,
        ``match`` (all / any / default), ``conditions`` (as text) and ``reason``."""
        rows = [
            (i + 1, r.id, r.label, r.mode, r.text(), r.reason) for i, r in enumerate(self._rules)
        ]
        return pd.DataFrame(rows, columns=["order", "id", "class", "match", "conditions", "reason"])

    def apply(self, features):
        """Classify every customer.

        Parameters
        ----------
        features : pandas.DataFrame
            One row per customer with every column the rules use. Not modified.

        Returns
        -------
        pandas.DataFrame
            Same index as ``features``. With rules: ``<output>`` (class, NaN when no rule
            matched), ``rule_id`` (``"NO_MATCH"`` when no rule matched) and ``rule_reason``
            (the rule's ``reason``, else its conditions as text). With a score: ``score``
            (total points), ``<score output>`` and ``score_detail`` such as ``"P1=10;P2=5"``.
        """
        self._check_features(features)
        out = pd.DataFrame(index=features.index)
        if self._rules:
            out = out.join(self._classify(features))
        if self._score:
            out = out.join(_apply_score(self._score, features))
        return out

    def _check_features(self, features):
        used = {c.feature for r in self._rules for c in r.conditions}
        used |= {p.feature for p in (self._score or {}).get("points", ())}
        missing = sorted(used - set(features.columns))
        if missing:
            hints = name_hints(missing, features.columns)
            raise ConfigError(f"rules {self.source}: features lack columns {missing}{hints}.")
        checks = [
            (f"rule {r.id}: '{c.text()}'", c.feature, c.value)
            for r in self._rules
            for c in r.conditions
            if c.op in _ORDERED
        ]
        for item in (self._score or {}).get("points", ()):
            if item.bands is not None:
                checks.append((f"points {item.id}: ranges", item.feature, 0))
        for what, feature, value in checks:
            _check_dtype(features[feature], value, f"rules {self.source}: {what}")

    def _classify(self, features):
        label = pd.Series(np.nan, index=features.index, dtype=object)
        rule_id = pd.Series(NO_MATCH, index=features.index, dtype=object)
        reason = pd.Series("no rule matched", index=features.index, dtype=object)
        open_ = pd.Series(True, index=features.index)
        for rule in self._rules:
            hit = open_ & rule.mask(features)
            label[hit], rule_id[hit] = rule.label, rule.id
            reason[hit] = rule.reason or rule.text()
            open_ &= ~hit
        if open_.any():
            warnings.warn(
                f"rules {self.source}: {int(open_.sum())} of {len(open_)} customers matched no "
                f"rule (rule_id {NO_MATCH!r}, class NaN); add a rule with 'default: true'.",
                UserWarning,
                stacklevel=3,
            )
        return pd.DataFrame({self.output: label, "rule_id": rule_id, "rule_reason": reason})


def _check_dtype(s, value, where):
    """Raise ConfigError when an ordered comparison with ``value`` does not fit ``s``."""
    first = value[0] if isinstance(value, tuple) else value
    is_date = pd.api.types.is_datetime64_any_dtype(s)
    if isinstance(first, dt.date) and not is_date:
        need = "a date column"
    elif not isinstance(first, dt.date) and (is_date or not pd.api.types.is_numeric_dtype(s)):
        need = "a numeric column"
    else:
        return
    raise ConfigError(f"{where} needs {need}; column {s.name!r} has dtype {s.dtype}.")


def _points_for(item, s):
    """Points and detail text of one points item for the Series ``s``."""
    pts = pd.Series(np.nan, index=s.index)
    if item.values is not None:
        text = s.astype(object).where(s.isna(), s.astype(str))
        pts = text.map(item.values).astype("float64")
        other = "unlisted"
    else:
        for band in item.bands:
            pts[band.mask(s).fillna(False).astype(bool)] = band.label
        other = "out_of_range"
    detail = pts.map(lambda p: f"{item.id}={p:g}")
    lost = pts.isna() & s.notna()
    detail[lost] = f"{item.id}={other}"
    if lost.any():
        warnings.warn(
            f"score item {item.id} ({item.feature}): {int(lost.sum())} values are {other}; "
            "they get 0 points.",
            UserWarning,
            stacklevel=4,
        )
    if item.missing is not None:
        pts[s.isna()] = item.missing
        detail[s.isna()] = f"{item.id}={item.missing:g}"
    else:
        detail[s.isna()] = f"{item.id}=missing"
    return pts.fillna(0.0), detail


def _apply_score(score, features):
    totals = pd.Series(0.0, index=features.index)
    details = []
    for item in score["points"]:
        pts, detail = _points_for(item, features[item.feature])
        totals += pts
        details.append(detail)
    classes = pd.Series(np.nan, index=features.index, dtype=object)
    for band in score["classes"]:
        classes[band.mask(totals)] = band.label
    joined = [";".join(parts) for parts in zip(*details, strict=True)]
    detail = pd.Series(joined, index=totals.index, dtype=object)
    return pd.DataFrame({"score": totals, score["output"]: classes, "score_detail": detail})


def load_rules(path_or_dict, features=None):
    """Read and validate classification rules.

    Parameters
    ----------
    path_or_dict : str, pathlib.Path or dict
        A YAML rule file or the same structure as a dict (see ``docs/classify_b.md``).
    features : list of str or pandas.DataFrame, optional
        Available feature columns; when given, unknown feature names are reported with
        the closest available name.

    Returns
    -------
    RuleSet
        The validated rules.

    Raises
    ------
    ConfigError
        Every problem found (file, rule id, problem), all in one message.
    """
    raw, source = read_rule_file(path_or_dict)
    known = None if features is None else [str(c) for c in getattr(features, "columns", features)]
    problems = Problems()
    if not isinstance(raw, dict):
        kind = type(raw).__name__
        raise ConfigError(f"rules {source}: the top level must be a mapping; got {kind}.")
    for key in sorted(set(raw) - _TOP_KEYS, key=str):
        problems.add("file", f"unknown key {key!r}; expected one of {sorted(_TOP_KEYS)}")
    output = raw.get("output", "rule_class")
    rules = parse_rules(raw.get("rules"), known, problems, required="score" not in raw)
    score = parse_score(raw["score"], known, problems) if "score" in raw else None
    if score and score["output"] == output:
        problems.add("score", f"output {output!r} is also the rules' output; choose another name")
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"rules {source}: {len(problems)} problem(s):\n{lines}")
    return RuleSet(rules, score, name=raw.get("name"), output=output, source=source)
