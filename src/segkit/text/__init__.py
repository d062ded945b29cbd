"""Every label and sentence shown to a reader, in English and Chinese: one catalogue, as data.

- :mod:`~segkit.text.catalogue`: the YAML files of ``catalogue/`` and :func:`text`, which fills a
  sentence's named fields, and :data:`MISSING`, the mark of a missing value;
- :mod:`~segkit.text.labels`: labels of the customer classes (:func:`label`, :func:`translate`)
  and the suggested actions per segment (:func:`segment_actions`).
"""

from segkit.checks import LANGS, check_lang
from segkit.text.catalogue import MISSING, catalogue, text
from segkit.text.labels import ACTIONS, LABELS, label, segment_actions, translate

__all__ = [
    "ACTIONS",
    "LABELS",
    "LANGS",
    "MISSING",
    "catalogue",
    "check_lang",
    "label",
    "segment_actions",
    "text",
    "translate",
]
