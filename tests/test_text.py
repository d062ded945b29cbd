"""The text catalogue: every entry in every language, the same fields in each, one home per kind."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from segkit.checks import LANGS
from segkit.exceptions import ConfigError
from segkit.text import LABELS, catalogue, label, text
from segkit.text.catalogue import fields

ENTRIES = [(kind, key, entry) for kind, keys in catalogue().items() for key, entry in keys.items()]


def test_the_catalogue_is_not_empty_and_covers_every_class_label():
    assert len(ENTRIES) > 50
    assert set(LABELS) <= set(catalogue())


@pytest.mark.parametrize(("kind", "key", "entry"), ENTRIES, ids=[f"{k}.{c}" for k, c, _ in ENTRIES])
def test_every_entry_has_every_language_with_the_same_fields(kind, key, entry):
    assert set(entry) == set(LANGS)
    assert all(isinstance(entry[lang], str) and entry[lang].strip() for lang in LANGS)
    assert fields(entry["en"]) == fields(entry["zh"])


def test_no_kind_is_defined_in_two_files():
    seen: dict[str, str] = {}
    folder = resources.files("segkit.text").joinpath("catalogue")
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            for kind in yaml.safe_load(entry.read_text(encoding="utf-8")):
                assert kind not in seen, (kind, seen.get(kind), entry.name)
                seen[kind] = entry.name


def test_text_fills_named_fields_and_names_what_is_missing():
    kind, key, entry = next((k, c, e) for k, c, e in ENTRIES if not fields(e["en"]))
    assert text(kind, key, "zh") == entry["zh"]
    assert label("frequent", "zh") == "高频客户"
    with pytest.raises(ConfigError, match=r"no entry freq_class\.nope"):
        text("freq_class", "nope")
    with pytest.raises(ConfigError, match=r"lang must be one of \['en', 'zh'\]; got 'fr'"):
        text("freq_class", "frequent", "fr")
