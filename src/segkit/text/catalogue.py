"""The catalogue: every label and sentence segkit shows a reader, in English and Chinese, as data.

The catalogue is the YAML files in ``segkit/text/catalogue/``. Each file maps a *kind* (a class
column such as ``freq_class``, or a group of sentences such as ``credit_notes``) to *keys*, and
each key to its text in every language of :data:`segkit.checks.LANGS`::

    freq_class:
      frequent: {en: Frequent, zh: 高频客户}

Sentences with figures are format strings with named fields, the same fields in both languages
(``"{share:.1%} of revenue"``), filled by :func:`text`. A kind lives in one file only.
"""

from __future__ import annotations

import functools
import string
from importlib import resources

import yaml

from segkit.checks import check_lang
from segkit.exceptions import ConfigError

__all__ = ["MISSING", "catalogue", "fields", "text"]

#: Shown where a value is missing or cannot exist, in every language and on every page.
MISSING = "–"

# LibYAML's safe loader where PyYAML was built with it (ten times faster), else the pure one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    """Every kind of the catalogue: ``{kind: {key: {"en": ..., "zh": ...}}}`` (read once)."""
    merged: dict[str, dict[str, dict[str, str]]] = {}
    folder = resources.files("segkit.text").joinpath("catalogue")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        kinds = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506
        for kind, keys in kinds.items():
            if kind in merged:
                raise ConfigError(f"text catalogue: kind {kind!r} is defined twice ({entry.name}).")
            merged[kind] = keys
    return merged


def text(kind: str, key: str, lang: str = "en", **values) -> str:
    """The text of ``kind``/``key`` in ``lang``, its named fields filled from ``values``.

    Raises
    ------
    ConfigError
        When the language, kind or key is unknown, or a field has no value.
    """
    check_lang(lang)
    entry = catalogue().get(kind, {}).get(key)
    if entry is None:
        raise ConfigError(f"text catalogue: no entry {kind}.{key}.")
    try:
        return entry[lang].format(**values) if values or fields(entry[lang]) else entry[lang]
    except KeyError as missing:
        raise ConfigError(f"text catalogue: {kind}.{key} needs a value for {missing}.") from None


def fields(template: str) -> set[str]:
    """The named fields of a format string (``"{share:.1%} of {total}"`` -> ``{"share", "total"}``)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
