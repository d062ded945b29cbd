"""Reports: run the study notebooks with papermill into ``<out>/<as_of>/``, with code-free HTML,
an index page and the exports.

- :mod:`~segkit.reports.runner`: :func:`run_reports`, the whole suite for one date;
- :mod:`~segkit.reports.params`: the parameters injected into a notebook, checked first;
- :mod:`~segkit.reports.run`: one study: execute, render HTML, record its status;
- :mod:`~segkit.reports.index`: the index page;
- :mod:`~segkit.reports.export`: result tables as CSV, Excel or Parquet.

Names are imported on first use, so that ``import segkit`` does not load papermill and nbconvert.
"""

from importlib import import_module

__all__ = [
    "STUDIES",
    "ReportResult",
    "StudyRun",
    "list_studies",
    "notebooks_dir",
    "run_reports",
    "write_table",
]

_HOME = {name: "segkit.reports.runner" for name in __all__}
_HOME["write_table"] = "segkit.reports.export"


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'segkit.reports' has no attribute {name!r}")
