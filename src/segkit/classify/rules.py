"""Customer classes from user rules written in YAML, with a reason code for every customer.

A rule file lists ordered rules (the first rule that matches wins) and, optionally, a
points-based score whose total falls into score classes. :func:`load_rules` checks the whole
file before anything runs and reports every problem at once; :meth:`RuleSet.apply` returns one
row per customer with the class, the id of the rule that decided it and the reason.

Missing values: a condition on a missing feature value is false, except ``is null``. A points
item gives a missing value its ``missing:`` points when set, otherwise 0 points and the detail
reads ``P1=missing``. A value outside every range of a points item, or a category not listed,
gets 0 points, the detail ``P1=out_of_range`` / ``P1=unlisted`` and a warning.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit.exceptions import ConfigError

__all__ = ["OPERATORS", "NO_MATCH", "RuleSet", "load_rules"]

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in", "between", "is null", "not null")
#: ``rule_id`` of a customer that no rule matched (only possible without a default rule).
NO_MATCH = "NO_MATCH"
_ORDERED = ("<", "<=", ">", ">=", "between")
_RULE_KEYS = {"id", "class", "reason", "when", "when_any", "default"}
_TOP_KEYS = {"name", "output", "rules", "score"}


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value):
    return isinstance(value, str | int | float | bool | dt.date)


def _fmt(value, none="inf"):
    if value is None:
        return none
    return f"{value:g}" if _is_number(value) else repr(value)


def _freeze(value):
    """Make a condition value hashable, so that conditions can be compared as sets."""
    value = tuple(value) if isinstance(value, list) else value
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


@dataclass(frozen=True)
class _Condition:
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
class _Rule:
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
class _Band:
    name: str | None  # class name (None for points ranges)
    lo: float | None
    hi: float | None
    label: object  # what the band gives: class name or points

    def mask(self, s):
        lo = s >= self.lo if self.lo is not None else s.notna()
        return lo & (s < self.hi) if self.hi is not None else lo


@dataclass(frozen=True)
class _Points:
    id: str
    feature: str
    bands: tuple | None
    values: dict | None
    missing: float | None


class _Problems(list):
    def add(self, where, message):
        self.append(f"{where}: {message}")


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
            hints = _hints(missing, features.columns)
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


def _hints(names, known):
    """Return "; did you mean ..." text for names close to known columns."""
    tips = []
    for name in names:
        close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
        if close:
            tips.append(f"{close[0]!r}" if len(names) == 1 else f"{close[0]!r} for {name!r}")
    return f"; did you mean {', '.join(tips)}?" if tips else ""


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
    raw, source = _read(path_or_dict)
    known = None if features is None else [str(c) for c in getattr(features, "columns", features)]
    problems = _Problems()
    if not isinstance(raw, dict):
        kind = type(raw).__name__
        raise ConfigError(f"rules {source}: the top level must be a mapping; got {kind}.")
    for key in sorted(set(raw) - _TOP_KEYS, key=str):
        problems.add("file", f"unknown key {key!r}; expected one of {sorted(_TOP_KEYS)}")
    output = raw.get("output", "rule_class")
    rules = _parse_rules(raw.get("rules"), known, problems, required="score" not in raw)
    score = _parse_score(raw["score"], known, problems) if "score" in raw else None
    if score and score["output"] == output:
        problems.add("score", f"output {output!r} is also the rules' output; choose another name")
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"rules {source}: {len(problems)} problem(s):\n{lines}")
    return RuleSet(rules, score, name=raw.get("name"), output=output, source=source)


def _read(path_or_dict):
    if isinstance(path_or_dict, dict):
        return path_or_dict, "<dict>"
    path = Path(path_or_dict)
    if not path.is_file():
        raise ConfigError(f"rules file {str(path)!r} does not exist.")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), str(path)
    except yaml.YAMLError as err:
        raise ConfigError(f"rules {path}: not valid YAML: {err}") from err


def _parse_rules(items, known, problems, required):
    if items is None and not required:
        return []
    if not isinstance(items, list) or not items:
        problems.add("rules", "must be a non-empty list of rules")
        return []
    rules, seen = [], set()
    for pos, item in enumerate(items, start=1):
        rule = _parse_rule(item, pos, known, problems)
        if rule is None:
            continue
        if rule.id in seen:
            problems.add(f"rule {rule.id}", f"duplicate id (rule #{pos})")
        seen.add(rule.id)
        rules.append(rule)
    _check_order(rules, problems)
    return rules


def _parse_rule(item, pos, known, problems):
    if not isinstance(item, dict):
        problems.add(f"rule #{pos}", f"must be a mapping; got {item!r}")
        return None
    where = f"rule {item['id']}" if item.get("id") is not None else f"rule #{pos}"
    if item.get("id") is None:
        problems.add(where, "missing id")
    for key in sorted(set(item) - _RULE_KEYS, key=str):
        problems.add(where, f"unknown key {key!r}; expected one of {sorted(_RULE_KEYS)}")
    if item.get("class") is None:
        problems.add(where, "missing class")
    given = [k for k in ("when", "when_any") if k in item]
    given += ["default"] if item.get("default") else []
    if len(given) != 1:
        got = given or "none"
        problems.add(where, f"needs exactly one of when, when_any, default: true; got {got}")
    key = "when_any" if "when_any" in item else "when"
    conds = item.get(key) if "default" not in given else []
    if "default" not in given and (not isinstance(conds, list) or not conds):
        problems.add(where, f"{key} must be a non-empty list of conditions")
        conds = []
    parsed = tuple(
        _parse_condition(c, f"{where}, condition {i}", known, problems)
        for i, c in enumerate(conds, start=1)
    )
    mode = "default" if "default" in given else ("any" if key == "when_any" else "all")
    rid = str(item.get("id", f"#{pos}"))
    return _Rule(rid, item.get("class"), item.get("reason"), parsed, mode)


def _parse_condition(cond, where, known, problems):
    if not isinstance(cond, dict):
        problems.add(where, f"must be a mapping {{feature, op, value}}; got {cond!r}")
        return _Condition("?", "?")
    feature, op, value = cond.get("feature"), cond.get("op"), cond.get("value")
    for key in sorted(set(cond) - {"feature", "op", "value"}, key=str):
        problems.add(where, f"unknown key {key!r}; expected feature, op, value")
    _check_feature(feature, where, known, problems)
    if op not in OPERATORS:
        problems.add(where, f"unknown operator {op!r}; expected one of {', '.join(OPERATORS)}")
    else:
        error = _value_error(op, value)
        if error:
            problems.add(where, f"{feature} {op}: {error}; got {value!r}")
    return _Condition(str(feature), str(op), _freeze(value))


def _check_feature(feature, where, known, problems):
    if not isinstance(feature, str) or not feature:
        problems.add(where, f"feature must be a column name; got {feature!r}")
    elif known is not None and feature not in known:
        problems.add(where, f"unknown feature {feature!r}{_hints([feature], known)}")


def _value_error(op, value):
    """Describe what is wrong with ``value`` for ``op``, or return None."""
    if op in ("is null", "not null"):
        return None if value is None else "takes no value"
    if op in ("in", "not in"):
        ok = isinstance(value, list) and value and all(_is_scalar(v) for v in value)
        return None if ok else "value must be a non-empty list of numbers or texts"
    if op == "between":
        ok = isinstance(value, list) and len(value) == 2
        ok = ok and (all(map(_is_number, value)) or all(isinstance(v, dt.date) for v in value))
        return None if ok and value[0] < value[1] else "value must be [low, high], low < high"
    if op in ("<", "<=", ">", ">="):
        ok = _is_number(value) or isinstance(value, dt.date)
        return None if ok else "value must be a number or a date"
    return None if _is_scalar(value) else "value must be a single number, text, date or boolean"


def _check_order(rules, problems):
    defaults = [i for i, r in enumerate(rules) if r.mode == "default"]
    if len(defaults) > 1:
        ids = [rules[i].id for i in defaults]
        problems.add(f"rule {ids[1]}", f"more than one default rule: {ids}")
    if defaults and defaults[0] != len(rules) - 1:
        first = rules[defaults[0]]
        later = [r.id for r in rules[defaults[0] + 1 :]]
        problems.add(f"rule {first.id}", f"default rule must be last; never reached: {later}")
    last = defaults[0] if defaults else len(rules)
    for j, rule in enumerate(rules[:last]):
        earlier = rules[:j]
        pool = [e for r in earlier for e in r.conjunctions()]
        if all(any(e <= c for e in pool) for c in rule.conjunctions()):
            who = [r.id for r in earlier if _overlaps(r, rule)]
            problems.add(
                f"rule {rule.id}",
                f"can never match: earlier rule(s) {who} already match every customer it would",
            )


def _overlaps(earlier, later):
    """True when some condition set of ``earlier`` is contained in one of ``later``."""
    return any(e <= c for e in earlier.conjunctions() for c in later.conjunctions())


def _parse_score(raw, known, problems):
    if not isinstance(raw, dict):
        problems.add("score", "must be a mapping with points and classes")
        return None
    for key in sorted(set(raw) - {"output", "points", "classes"}, key=str):
        problems.add("score", f"unknown key {key!r}; expected output, points, classes")
    items, seen = [], set()
    for pos, raw_item in enumerate(raw.get("points") or [], start=1):
        item = _parse_points(raw_item, pos, known, problems)
        if item and item.id in seen:
            problems.add(f"points {item.id}", f"duplicate id (item #{pos})")
        if item:
            seen.add(item.id)
            items.append(item)
    if not raw.get("points"):
        problems.add("score", "points must be a non-empty list")
    classes = _parse_bands(raw.get("classes"), "class", "score classes", problems, cover=True)
    return {"output": raw.get("output", "score_class"), "points": items, "classes": classes}


def _parse_points(raw, pos, known, problems):
    if not isinstance(raw, dict):
        problems.add(f"points #{pos}", f"must be a mapping; got {raw!r}")
        return None
    where = f"points {raw['id']}" if raw.get("id") is not None else f"points #{pos}"
    if raw.get("id") is None:
        problems.add(where, "missing id")
    for key in sorted(set(raw) - {"id", "feature", "ranges", "values", "missing"}, key=str):
        problems.add(where, f"unknown key {key!r}; expected id, feature, ranges, values, missing")
    _check_feature(raw.get("feature"), where, known, problems)
    missing = raw.get("missing")
    if missing is not None and not _is_number(missing):
        problems.add(where, f"missing points must be a number; got {missing!r}")
    bands, values = None, None
    if ("ranges" in raw) == ("values" in raw):
        problems.add(where, "needs exactly one of ranges, values")
    elif "ranges" in raw:
        bands = _parse_bands(raw["ranges"], "points", f"{where} ranges", problems, cover=False)
    elif not isinstance(raw["values"], dict) or not raw["values"]:
        problems.add(where, "values must be a non-empty mapping category -> points")
    else:
        values = {str(k): v for k, v in raw["values"].items()}
        for key, pts in values.items():
            if not _is_number(pts):
                problems.add(where, f"points for {key!r} must be a number; got {pts!r}")
    rid = str(raw.get("id", f"#{pos}"))
    return _Points(rid, str(raw.get("feature")), bands, values, missing)


def _parse_bands(raw, label_key, where, problems, cover):
    """Parse half-open [min, max) bands; report bad bounds, overlaps, gaps (and open ends)."""
    if not isinstance(raw, list) or not raw:
        problems.add(where, "must be a non-empty list of {min, max} ranges")
        return ()
    bands = []
    for pos, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.add(where, f"range #{pos} must be a mapping {{min, max, {label_key}}}")
            continue
        label, lo, hi = item.get(label_key), item.get("min"), item.get("max")
        bounds = (("min", lo), ("max", hi))
        bad = [f"{k}={v!r}" for k, v in bounds if v is not None and not _is_number(v)]
        if not bad and lo is not None and hi is not None and lo >= hi:
            bad.append(f"min {_fmt(lo)} >= max {_fmt(hi)}")
        if bad:
            problems.add(where, f"range #{pos} has invalid bounds: {', '.join(bad)}")
            continue
        if label_key == "points" and not _is_number(label):
            problems.add(where, f"range #{pos}: points must be a number; got {label!r}")
        if label_key == "class" and label is None:
            problems.add(where, f"range #{pos}: missing class")
        bands.append(_Band(label if label_key == "class" else None, lo, hi, label))
    return _check_bands(bands, where, problems, cover)


def _span(band):
    name = "" if band.name is None else f"{band.name!r} "
    return f"{name}[{_fmt(band.lo, '-inf')}, {_fmt(band.hi)})"


def _check_bands(bands, where, problems, cover):
    bands = sorted(bands, key=lambda b: -math.inf if b.lo is None else b.lo)
    for prev, cur in zip(bands, bands[1:], strict=False):
        end = math.inf if prev.hi is None else prev.hi
        start = -math.inf if cur.lo is None else cur.lo
        span = f"{_span(prev)} and {_span(cur)}"
        if end > start:
            problems.add(where, f"overlap: {span}")
        elif end < start:
            problems.add(where, f"gap from {_fmt(end)} to {_fmt(start)} between {span}")
    if cover and bands and bands[0].lo is not None:
        low = _fmt(bands[0].lo)
        problems.add(where, f"nothing covers scores below {low}; omit min on the lowest class")
    if cover and bands and bands[-1].hi is not None:
        high = _fmt(bands[-1].hi)
        problems.add(where, f"nothing covers scores from {high}; omit max on the highest class")
    return tuple(bands)
