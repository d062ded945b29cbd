"""Run the study notebooks with papermill, render code-free HTML and write an index page.

A study is a parameterized notebook shipped inside the package (``segkit/studies/notebooks/``,
which the project's ``notebooks/`` links to). For one
observation date ``as_of`` every study is executed into ``<out>/<as_of>/``::

    <out>/<as_of>/
        index.html                  links, status and parameters of every study
        <study>.ipynb               executed notebook (partial when the study failed)
        <study>.html                the same without code cells, for reviewers
        <study>.parameters.json     parameters used, segkit version, run times
        ...                         extra files the notebooks wrote (CSV exports, ...)

The first code cell of a study notebook is tagged ``parameters`` and declares ``data``,
``as_of``, ``lang`` and ``mapping`` (and ``out_dir`` when it writes extra files).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from segkit.exceptions import ConfigError, ReportError
from segkit.reports.index import render_index
from segkit.reports.params import OUT_DIR_PARAMETER as OUT_DIR_PARAMETER
from segkit.reports.params import REPORT_PARAMETERS as REPORT_PARAMETERS
from segkit.reports.params import (
    base_parameters,
    check_declared,
    check_timeout,
    study_parameters,
)
from segkit.reports.run import ReportResult, StudyRun, run_study

__all__ = ["STUDIES", "ReportResult", "StudyRun", "list_studies", "notebooks_dir", "run_reports"]

#: Default studies: name -> notebook file in :func:`notebooks_dir`.
STUDIES: dict[str, str] = {
    "segmentation": "segmentation.ipynb",
    "credit_risk": "credit_risk.ipynb",
    "market": "market_positioning.ipynb",
}


def notebooks_dir() -> Path:
    """Locate the folder of the study notebooks.

    Returns
    -------
    pathlib.Path
        ``$SEGKIT_NOTEBOOKS`` when set, else the notebooks shipped in the package
        (``segkit/studies/notebooks``), so an installed segkit runs its studies anywhere.

    Raises
    ------
    ReportError
        If the folder does not exist.
    """
    env = os.environ.get("SEGKIT_NOTEBOOKS")
    folder = Path(env) if env else Path(__file__).resolve().parents[1] / "studies" / "notebooks"
    if not folder.is_dir():
        source = "SEGKIT_NOTEBOOKS" if env else "the installed package"
        raise ReportError(
            f"notebooks folder not found: {folder} (from {source}); set SEGKIT_NOTEBOOKS "
            "to the folder holding the study notebooks or pass notebooks=."
        )
    return folder.resolve()


def list_studies(notebooks: str | os.PathLike | None = None) -> list[str]:
    """Names of the default studies (:data:`STUDIES`) whose notebook exists.

    Parameters
    ----------
    notebooks : path-like, optional
        Folder of the study notebooks; defaults to :func:`notebooks_dir`.

    Returns
    -------
    list of str
        Study names in the order of :data:`STUDIES`.
    """
    folder = Path(notebooks) if notebooks is not None else notebooks_dir()
    return [name for name, file in STUDIES.items() if (folder / file).is_file()]


def run_reports(
    data: str | os.PathLike,
    as_of: str | date,
    out: str | os.PathLike = "reports",
    studies: Iterable[str] | None = None,
    params: Mapping[str, Any] | None = None,
    lang: str = "en",
    mapping: str | os.PathLike | None = None,
    notebooks: str | os.PathLike | None = None,
    kernel_name: str | None = None,
    progress: bool = True,
    log: Callable[[str], Any] | None = print,
    timeout: float | None = 600,
) -> ReportResult:
    """Execute the study notebooks for one as-of date and write HTML and an index page.

    Parameters
    ----------
    data : path-like
        Ledger to study (file or folder); injected as an absolute path string.
    as_of : str or date
        Observation date; injected as an ISO string (``"2025-06-30"``) and used as folder name.
    out : path-like, default "reports"
        Root of the output; the study files go to ``<out>/<as_of>/``.
    studies : iterable of str, optional
        Study names; a name outside :data:`STUDIES` means ``<name>.ipynb``. Defaults to
        :func:`list_studies`.
    params : mapping, optional
        Extra parameters for every study; a key naming a selected study with a mapping as
        value holds parameters for that study only. Every name must be declared by the notebook.
    lang : str, default "en"
        Report language, injected as ``lang``.
    mapping : path-like, optional
        Mapping file, injected as an absolute path string (``""`` when None).
    notebooks : path-like, optional
        Folder of the study notebooks; defaults to :func:`notebooks_dir`. The kernels run in
        its parent folder (the project root), so relative paths resolve from there.
    kernel_name : str, optional
        Jupyter kernel to use; by default a ``python3`` kernel running ``sys.executable``.
    progress : bool, default True
        Show one progress bar over the studies on stderr.
    log : callable, optional
        Receives one line per study event; ``None`` silences it.
    timeout : float, optional
        Seconds a single cell may run (default 600); ``None`` for no limit.

    Returns
    -------
    ReportResult
        ``out_dir``, ``studies`` (one :class:`StudyRun` each) and ``index`` (``index.html``).

    Raises
    ------
    ConfigError
        For a bad argument, an unknown study or a parameter a notebook does not declare;
        raised before any notebook runs.
    ReportError
        After all studies ran, when some failed: ``failed`` names them and ``result`` holds
        the :class:`ReportResult`.
    """
    folder = Path(notebooks).resolve() if notebooks is not None else notebooks_dir()
    say = log or (lambda message: None)
    base = base_parameters(data, as_of, lang, mapping)
    check_timeout(timeout)
    out_dir = (Path(out) / base["as_of"]).resolve()
    plan = _plan(folder, studies, params or {}, {**base, OUT_DIR_PARAMETER: str(out_dir)})
    out_dir.mkdir(parents=True, exist_ok=True)
    execute = {
        "cwd": str(folder.parent),
        "kernel_name": kernel_name,
        "progress": False,  # one bar for the whole suite instead of one per notebook
        "timeout": timeout,
    }
    runs = _run_all(plan, out_dir, execute, say, progress)
    result = ReportResult(out_dir, runs, out_dir / "index.html")
    result.index.write_text(render_index(result, base, plan), encoding="utf-8")
    say(f"index: {result.index}")
    if result.failed:
        error = ReportError(
            f"{len(result.failed)} of {len(runs)} studies failed: {', '.join(result.failed)}; "
            f"see {result.index}",
            failed=result.failed,
        )
        error.result = result
        raise error
    return result


def _run_all(plan, out_dir: Path, execute: dict, say, progress: bool) -> list[StudyRun]:
    """Run the studies in order; with ``progress``, one bar over the studies on stderr."""
    if not progress:
        return [
            run_study(name, source, values, out_dir, execute, say) for name, source, values in plan
        ]
    from tqdm.auto import tqdm

    runs = []
    with tqdm(total=len(plan), unit="study", file=sys.stderr, leave=False) as bar:
        for name, source, values in plan:
            bar.set_description(name)
            runs.append(run_study(name, source, values, out_dir, execute, _above(bar, say)))
            bar.update()
    return runs


def _above(bar, say):
    """Messages printed above the bar, so that it stays one line."""

    def write(message):
        with bar.external_write_mode():
            say(message)

    return write


def _plan(folder: Path, studies, params, base) -> list[tuple[str, Path, dict[str, Any]]]:
    """Resolve every study and its parameters, so that bad input fails before any run."""
    names = list(dict.fromkeys(studies)) if studies is not None else list_studies(folder)
    if not names:
        available = ", ".join(STUDIES.values())
        raise ConfigError(f"studies: no study notebook ({available}) found in {folder}.")
    plan = []
    for name in names:
        source = folder / STUDIES.get(name, f"{name}.ipynb")
        if not source.is_file():
            raise ConfigError(
                f"studies: unknown study {name!r}: {source} does not exist; "
                f"available: {list_studies(folder)}."
            )
        values = study_parameters(name, names, params, base)
        plan.append((name, source, check_declared(name, source, values)))
    return plan
