"""The segmentation study: headline numbers, profiles, tables and figures for the month-end memo.

These helpers sit behind ``notebooks/segmentation.ipynb``. They take the study's customer table,
one row per customer: the features of :func:`segkit.customer_features` joined with the class
columns of :func:`segkit.classify_features`
(:func:`~segkit.studies.segmentation.display.join_classes`), class columns holding codes.
They return small DataFrames, Markdown sentences or matplotlib figures in English or Chinese
(``lang``). Every text a reviewer reads is a template in the text catalogue (kind
``segmentation``), looked up by :func:`~segkit.studies.segmentation.text.heading`. Each section
with inputs beyond the invoices is declared in :data:`SECTIONS`; :func:`show_section` shows a
note instead when the ledger lacks them.

This module gathers the study's helpers under one name; they live in
:mod:`segkit.studies.segmentation.text` (texts and amounts in sentences),
:mod:`segkit.studies.segmentation.guide` (what the segments present mean),
:mod:`segkit.studies.segmentation.display` (the customer table, labels and styling),
:mod:`segkit.studies.segmentation.headline` (headline numbers),
:mod:`segkit.studies.segmentation.tables` (profiles, tables and their sentences),
:mod:`segkit.studies.segmentation.figures` (figures) and
:mod:`segkit.studies.segmentation.growth` (value and growth potential).
"""

from __future__ import annotations

from segkit.studies.currencies import currency_frame, currency_section
from segkit.studies.segmentation.display import (
    REGION_SCHEMES,
    classify,
    for_display,
    join_classes,
    region_labels,
    risk_basis,
    show,
)
from segkit.studies.segmentation.figures import (
    plot_aging,
    plot_distributions,
    plot_matrices,
    plot_pareto,
    plot_payment,
    plot_scores,
    plot_shares,
    plot_silhouette,
)
from segkit.studies.segmentation.growth import (
    add_growth,
    customers_to_grow,
    growth_frame,
    growth_summary,
    growth_text,
    headroom_by_peers,
    plot_value_forecast,
    show_growth,
)
from segkit.studies.segmentation.guide import new_customers_cn8, segment_guide
from segkit.studies.segmentation.headline import (
    TOP,  # noqa: F401  (a constant of the study)
    headline_numbers,
    headline_table,
    headline_text,
)
from segkit.studies.segmentation.sections import SECTIONS, feeds, lead, show_section
from segkit.studies.segmentation.tables import (
    MODERATE,  # noqa: F401  (a constant of the study)
    STABLE,  # noqa: F401  (a constant of the study)
    abc_table,
    actions_table,
    cluster_text,
    export_classification,
    labelled_matrix,
    lead_text,
    matrix_text,
    rfm_splits_table,
    risky_customers,
    segment_profile,
    stability_text,
)
from segkit.studies.segmentation.text import format_amount, heading, memo

__all__ = [
    "currency_frame",
    "currency_section",
    "SECTIONS", "REGION_SCHEMES", "feeds", "lead", "show_section", "region_labels",
    "heading", "memo", "segment_guide", "new_customers_cn8", "format_amount", "classify",
    "risk_basis", "join_classes", "for_display", "headline_numbers",
    "headline_table", "headline_text", "segment_profile", "lead_text", "matrix_text",
    "labelled_matrix", "rfm_splits_table", "abc_table", "cluster_text", "stability_text",
    "risky_customers", "actions_table", "export_classification", "show", "plot_distributions",
    "plot_shares", "plot_matrices", "plot_scores", "plot_pareto", "plot_silhouette",
    "plot_payment", "plot_aging", "growth_frame", "add_growth", "growth_text", "growth_summary",
    "headroom_by_peers", "customers_to_grow", "show_growth", "plot_value_forecast",
]  # fmt: skip
