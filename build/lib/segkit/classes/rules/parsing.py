"""Reading a YAML rule file and checking it, reporting every problem at once.

Turns the raw mapping of a rule file into :class:`~segkit.classes.rules.model.Rule` and
points-score records while collecting problems in a
:class:`~segkit.classes.rules.model.Problems` list: unknown keys and features (with the
closest known name), invalid operators and values, duplicate ids, a misplaced default rule,
rules that can never match because earlier rules already take every customer they would, and
score ranges that overlap or leave gaps. :func:`segkit.classes.rules.apply.load_rules` combines
these into a validated rule set.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from pathlib import Path

import yaml

from segkit.classes.rules.model import OPERATORS, Band, Condition, Points, Rule
from segkit.exceptions import ConfigError

__all__ = ["name_hints", "parse_rules", "parse_score", "read_rule_file"]

_RULE_KEYS = {"id", "class", "reason", "when", "when_any", "default"}


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


def name_hints(names, known):
    """Return "; did you mean ..." text for names close to known columns."""
    tips = []
    for name in names:
        close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
        if close:
            tips.append(f"{close[0]!r}" if len(names) == 1 else f"{close[0]!r} for {name!r}")
    return f"; did you mean {', '.join(tips)}?" if tips else ""


def read_rule_file(path_or_dict):
    """Return the raw rule mapping and its source name (file path or ``"<dict>"``)."""
    if isinstance(path_or_dict, dict):
        return path_or_dict, "<dict>"
    path = Path(path_or_dict)
    if not path.is_file():
        raise ConfigError(f"rules file {str(path)!r} does not exist.")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), str(path)
    except yaml.YAMLError as err:
        raise ConfigError(f"rules {path}: not valid YAML: {err}") from err


def parse_rules(items, known, problems, required):
    """Parse the ``rules:`` list into :class:`Rule` records, adding problems to ``problems``."""
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
    return Rule(rid, item.get("class"), item.get("reason"), parsed, mode)


def _parse_condition(cond, where, known, problems):
    if not isinstance(cond, dict):
        problems.add(where, f"must be a mapping {{feature, op, value}}; got {cond!r}")
        return Condition("?", "?")
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
    return Condition(str(feature), str(op), _freeze(value))


def _check_feature(feature, where, known, problems):
    if not isinstance(feature, str) or not feature:
        problems.add(where, f"feature must be a column name; got {feature!r}")
    elif known is not None and feature not in known:
        problems.add(where, f"unknown feature {feature!r}{name_hints([feature], known)}")


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


def parse_score(raw, known, problems):
    """Parse the ``score:`` mapping into a dict of output, points items and class bands."""
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
    return Points(rid, str(raw.get("feature")), bands, values, missing)


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
        bands.append(Band(label if label_key == "class" else None, lo, hi, label))
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
