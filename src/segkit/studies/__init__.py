"""Helpers behind the study notebooks: headline numbers, tables, texts and figures.

Each study notebook in ``notebooks/`` stays thin and calls one module here, e.g.
``from segkit.studies import segmentation as study`` in ``notebooks/segmentation.ipynb``.
"""

from segkit.studies import segmentation

__all__ = ["segmentation"]
