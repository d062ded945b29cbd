"""Reports: run the study notebooks with papermill into ``<out>/<as_of>/``, with code-free HTML,
an index page and the exports.

- :mod:`~segkit.reports.runner`: :func:`run_reports`, the whole suite for one date;
- :mod:`~segkit.reports.params`: the parameters injected into a notebook, checked first;
- :mod:`~segkit.reports.run`: one study: execute, render HTML, record its status;
- :mod:`~segkit.reports.kernel`: papermill in a worker thread, so that an interrupt kills the
  kernel and reaches segkit as ``KeyboardInterrupt``;
- :mod:`~segkit.reports.index`: the index page;
- :mod:`~segkit.reports.summary`, :mod:`~segkit.reports.actions`, :mod:`~segkit.reports.pack`:
  the key figures, the five actions and the workbook of the index page;
- :mod:`~segkit.reports.staging`: the lock and the staging folder moved into place when complete;

Result tables are written by :mod:`segkit.output` (``write_table`` is kept here as a public name).

Names are imported on first use, so that ``import segkit`` does not load papermill and nbconvert.
"""

from importlib import import_module

__all__ = [
    "STUDIES",
    "ReportResult",
    "StudyRun",
    "list_studies",
    "notebooks_dir",
    "param_options",
    "run_reports",
    "write_table",
]

_HOME = {name: "segkit.reports.runner" for name in __all__}
_HOME["write_table"] = "segkit.output.export"


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'segkit.reports' has no attribute {name!r}")
