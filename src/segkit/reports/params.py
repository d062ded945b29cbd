"""Check and assemble the parameters injected into the study notebooks.

Every study receives the base parameters ``data``, ``as_of``, ``lang`` and ``mapping`` (see
:data:`REPORT_PARAMETERS`), ``out_dir`` when its parameters cell declares it, and the extra
parameters the caller passes for all or for one study. This module validates those values and
checks them against the names the notebook's ``parameters`` cell declares, so that bad input
raises :class:`~segkit.exceptions.ConfigError` before any notebook runs.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import papermill

from segkit.checks import as_date, check_lang, is_number
from segkit.exceptions import ConfigError

__all__ = [
    "OUT_DIR_PARAMETER",
    "REPORT_PARAMETERS",
    "base_parameters",
    "check_declared",
    "check_ranges",
    "check_timeout",
    "parse_options",
    "study_parameters",
]

#: Parameters every study notebook declares; they are set from ``run_reports`` arguments.
REPORT_PARAMETERS = ("data", "as_of", "lang", "mapping")

#: Injected only into notebooks that declare it: the folder for extra outputs.
OUT_DIR_PARAMETER = "out_dir"


def base_parameters(data, as_of, lang, mapping) -> dict[str, str]:
    return {
        "data": _existing_path("data", data),
        "as_of": as_date(as_of).isoformat(),
        "lang": check_lang(lang),
        "mapping": "" if mapping is None else _existing_path("mapping", mapping),
    }


def _existing_path(name: str, value) -> str:
    path = Path(value).expanduser().resolve()
    if not path.exists():
        raise ConfigError(f"{name} must be an existing file or folder; got {str(value)!r}.")
    return str(path)


def check_timeout(timeout) -> None:
    number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
    if timeout is not None and not (number and timeout > 0):
        raise ConfigError(f"timeout must be a positive number of seconds or None; got {timeout!r}.")


def study_parameters(name: str, names: list[str], params, base) -> dict[str, Any]:
    shared = {k: v for k, v in params.items() if not (k in names and isinstance(v, Mapping))}
    own = params.get(name) if isinstance(params.get(name), Mapping) else {}
    values = {**shared, **own}
    clash = sorted(set(values) & set(base))
    if clash:
        raise ConfigError(
            f"params must not set {clash}; pass data, as_of, lang and mapping as arguments "
            "(out_dir is derived from out and as_of)."
        )
    return {**base, **values}


def check_declared(name: str, source: Path, values: dict[str, Any]) -> dict[str, Any]:
    declared = papermill.inspect_notebook(str(source))
    skipped = sorted(_assigned_in_parameters_cell(source) - set(declared))
    if skipped:  # papermill silently ignores lines it cannot parse (e.g. a second "=")
        raise ConfigError(
            f"study {name!r} ({source.name}): papermill cannot read the parameter line(s) of "
            f"{skipped}; keep one '=' per line (none in the comment) and a type annotation."
        )
    if OUT_DIR_PARAMETER not in declared:
        values = {k: v for k, v in values.items() if k != OUT_DIR_PARAMETER}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ConfigError(
            f"study {name!r} ({source.name}) does not declare parameters {unknown}; "
            f"its parameters cell declares {sorted(declared)}."
        )
    return values


def _assigned_in_parameters_cell(source: Path) -> set[str]:
    """Names assigned at the top level of the cell tagged ``parameters``."""
    notebook = nbformat.read(source, as_version=4)
    names: set[str] = set()
    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            for node in ast.parse(cell.source).body:
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [getattr(node, "target", None)]
                )
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


#: The range of every study parameter (by name, in every study that declares it): a number
#: ``(low, high)`` inclusive, or the tuple of allowed words. Checked before any kernel starts.
RANGES: dict[str, tuple] = {
    "horizon_months": (1, 60),
    "dpd": (1, 365),
    "lgd": (0.0, 1.0),
    "periods": (1, 40),
    "top_n": (1, 1000),
    "regions": ("economic", "geographic"),
}


def check_ranges(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` when every parameter with a range (:data:`RANGES`) lies in it.

    Raises
    ------
    ConfigError
        Naming the study, the parameter, its range and the value received (at most 100
        characters of it).
    """
    for key, allowed in RANGES.items():
        if key not in values:
            continue
        value = values[key]
        if isinstance(allowed[0], str):
            ok = value in allowed
            rule = f"one of {list(allowed)}"
        else:
            ok = is_number(value) and allowed[0] <= value <= allowed[1]
            ok = ok and (isinstance(value, int) or isinstance(allowed[0], float))
            rule = f"a {'number' if isinstance(allowed[0], float) else 'whole number'} from "
            rule += f"{allowed[0]} to {allowed[1]}"
        if not ok:
            raise ConfigError(
                f"study {name!r}: parameter {name}.{key} must be {rule}; got {shorten(value)}."
            )
    return values


def shorten(value, limit: int = 100) -> str:
    """``repr(value)``, cut to ``limit`` characters with the length said."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


def parse_options(options, sources: Mapping[str, Path]) -> dict[str, dict[str, Any]]:
    """Study parameters from ``study.name=value`` strings, typed by the notebooks' declarations.

    Parameters
    ----------
    options : iterable of str
        E.g. ``["credit_risk.horizon_months=6", "segmentation.clusters=false"]``.
    sources : mapping
        Notebook of every study that runs, by study name.

    Returns
    -------
    dict
        ``{study: {name: value}}``, each value of the type its parameters cell declares
        (``int``, ``float``, ``bool`` or ``str``), ready for ``run_reports(params=...)``.

    Raises
    ------
    ConfigError
        For a malformed option, a study that does not run, a name the study does not declare
        or a base parameter, and a value that is not of the declared type.
    """
    parsed: dict[str, dict[str, Any]] = {}
    for option in options:
        study, name, raw = _split_option(option)
        if study not in sources:
            raise ConfigError(
                f"--param {shorten(option)}: study {study!r} is not run; studies: {sorted(sources)}."
            )
        declared = papermill.inspect_notebook(str(sources[study]))
        settable = sorted(set(declared) - {*REPORT_PARAMETERS, OUT_DIR_PARAMETER})
        if name not in settable:
            raise ConfigError(
                f"--param {shorten(option)}: study {study!r} has no parameter {name!r}; "
                f"it takes {settable}."
            )
        kind = declared[name]["inferred_type_name"]
        value = check_ranges(study, {name: _typed(option, raw, kind)})[name]
        parsed.setdefault(study, {})[name] = value
    return parsed


def _split_option(option: str) -> tuple[str, str, str]:
    key, sep, raw = str(option).partition("=")
    study, dot, name = key.strip().partition(".")
    if not (sep and dot and study and name):
        raise ConfigError(f"--param must look like study.name=value; got {shorten(option)}.")
    return study, name.strip(), raw.strip()


def _typed(option: str, raw: str, kind: str):
    try:
        if kind == "int":
            if not raw.lstrip("+-").isdigit():
                raise ValueError
            return int(raw)
        if kind == "float":
            value = float(raw)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
            return value
        if kind == "bool":
            if raw.lower() not in _TRUE + _FALSE:
                raise ValueError
            return raw.lower() in _TRUE
    except ValueError:
        raise ConfigError(
            f"--param {shorten(option)}: expected {_KINDS[kind]}; got {shorten(raw)}."
        ) from None
    return raw


_KINDS = {
    "int": "a whole number",
    "float": "a finite number",
    "bool": "true or false",
}
