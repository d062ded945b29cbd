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

import functools
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from segkit.exceptions import ConfigError, ReportError
from segkit.reports.index import render_index
from segkit.reports.pack import CREDIT_PARAMETERS, compute_pack, write_pack
from segkit.reports.params import OUT_DIR_PARAMETER as OUT_DIR_PARAMETER
from segkit.reports.params import REPORT_PARAMETERS as REPORT_PARAMETERS
from segkit.reports.params import (
    base_parameters,
    check_declared,
    check_ranges,
    check_timeout,
    parse_options,
    study_parameters,
)
from segkit.reports.run import ReportResult, StudyRun, relocate, run_study
from segkit.reports.snapshot import Snapshot
from segkit.reports.staging import ReportFolder, in_parallel, interrupts

_LOG = logging.getLogger(__name__)

__all__ = [
    "STUDIES",
    "ReportResult",
    "StudyRun",
    "list_studies",
    "notebooks_dir",
    "param_options",
    "run_reports",
]

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
    log: Callable[[str], Any] | None = _LOG.info,
    timeout: float | None = 600,
    summary: bool = True,
    jobs: int | None = None,
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
        Study names; a name outside :data:`STUDIES` means ``<name>.ipynb`` in the notebooks
        folder (a plain word, never a path). Defaults to :func:`list_studies`.
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
        Receives one line per study event; by default the ``segkit.reports.runner`` logger at
        level INFO (the command line prints them); ``None`` silences it.
    timeout : float, optional
        Seconds a single cell may run (default 600); ``None`` for no limit.
    summary : bool, default True
        Open the index with the key figures and the five actions, and write the workbook
        ``segkit_<as_of>.xlsx`` (see :mod:`segkit.reports.pack`).
    jobs : int, optional
        How many studies run at the same time (the summary's figures count as one), each
        study in its own kernel; default: the number of CPU cores, at most 4. ``1`` runs
        them one after the other. The output does not depend on it.

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
        the :class:`ReportResult`; at once, when another run is writing the same folder or the
        folder is a link or holds files segkit did not write; before the report is put in place,
        when a file of the ledger changed while the studies ran (:mod:`segkit.reports.snapshot`).
    KeyboardInterrupt
        On Ctrl-C or SIGTERM, after removing the unfinished folder; an earlier report of the
        same date is left as it was.

    Notes
    -----
    The report is written into a hidden staging folder beside ``<out>/<as_of>`` and moved
    into place once complete (see :mod:`segkit.reports.staging`), so ``out_dir`` in the
    executed notebooks names the staging folder; the parameters records name the final one.
    """
    folder = Path(notebooks).resolve() if notebooks is not None else notebooks_dir()
    say = log or (lambda message: None)
    base = base_parameters(data, as_of, lang, mapping)
    check_timeout(timeout)
    jobs = _check_jobs(jobs)
    target = (Path(out) / base["as_of"]).resolve()
    plan = _plan(folder, studies, params or {}, {**base, OUT_DIR_PARAMETER: str(target)})
    snapshot = Snapshot(base["data"], base["mapping"] or None)
    with interrupts() as interrupted, ReportFolder(target) as staging:
        result = _run_staged(
            plan,
            base,
            staging,
            folder,
            say,
            interrupted,
            # one bar over the studies on stderr instead of papermill's bar per notebook
            execute_options={"kernel_name": kernel_name, "progress": False, "timeout": timeout},
            progress=progress,
            summary=summary,
            jobs=jobs,
            snapshot=snapshot,
        )
    say(f"index: {result.index}")
    if result.failed:
        error = ReportError(
            f"{len(result.failed)} of {len(result.studies)} studies failed: "
            f"{', '.join(result.failed)}; see {result.index}",
            failed=result.failed,
        )
        error.result = result
        raise error
    return result


#: Rough relative cost of each study on a typical ledger: the longest start first, so that the
#: studies and the summary share the workers evenly.
_COST = {"credit_risk": 3.0, "segmentation": 2.0, "summary": 1.5, "market": 1.0}


def _run_staged(
    plan,
    base,
    staging: ReportFolder,
    folder,
    say,
    interrupted,
    execute_options,
    summary,
    progress=False,
    jobs=1,
    snapshot=None,
):
    """Run every study into the staging folder, add the pack and the index, then commit.

    With ``jobs`` > 1 that many studies (and the summary's figures, computed in this process)
    run at the same time, the longest first; each study writes its files into a folder of its
    own, moved into the staging folder when it ends.
    """
    from segkit.credit.store import shared_store

    work = staging.staging
    assert work is not None  # the staging folder exists inside ``with ReportFolder(...)``
    execute = {
        **execute_options,
        "cwd": str(folder.parent),
        "interrupted": interrupted,
        "shown": {OUT_DIR_PARAMETER: str(staging.target)},
    }
    runs: dict[str, StudyRun] = {}
    results: dict[str, Any] = {}
    with _bar(len(plan), progress) as bar:
        tell = _above(bar, say)

        def study(name, source, values):
            exports = work / f".{name}.files" if OUT_DIR_PARAMETER in values else None
            staged = values if exports is None else {**values, OUT_DIR_PARAMETER: str(exports)}
            runs[name] = run_study(name, source, staged, work, execute, tell, exports)
            bar.update()

        def figures():
            tell("summary: key figures and actions")
            results["pack"] = compute_pack(base, _credit_parameters(plan))

        tasks = [(name, functools.partial(study, name, source, values))
                 for name, source, values in plan]  # fmt: skip
        if summary:
            tasks.append(("summary", figures))
        tasks.sort(key=lambda task: -_COST.get(task[0], 1.0))  # stable: plan order otherwise
        # the key figures and the studies fit the credit study once per date, in whichever
        # process asks first; the others load it (removed before the report is put in place)
        with shared_store(work / ".credit-studies"):
            in_parallel([task for _, task in tasks], jobs)
    pack = None
    if summary:
        say("summary: workbook")
        pack = write_pack(results["pack"], base, work)
    result = ReportResult(work, [runs[name] for name, _, _ in plan], work / "index.html")
    result.index.write_text(render_index(result, base, plan, pack), encoding="utf-8")
    if snapshot is not None:
        snapshot.check()
    staging.commit()
    final = relocate(result, work, staging.target)
    if pack is not None and pack.bug is not None:
        if os.environ.get("SEGKIT_DEBUG"):
            raise pack.bug
        raise ReportError(
            f"the summary failed with an unexpected {pack.error} (a bug: set SEGKIT_DEBUG=1 to "
            f"see where); the studies' pages are in {final.index}"
        ) from pack.bug
    return final


def _check_jobs(jobs) -> int:
    if jobs is None:
        return max(1, min(os.cpu_count() or 1, 4))
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"jobs must be an int >= 1; got {jobs!r}.")
    return jobs


def _bar(total: int, show: bool):
    """One progress bar over the studies on stderr (disabled unless ``show``)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="study", file=sys.stderr, leave=False, disable=not show)


def _above(bar, say):
    """Messages printed above the bar, so that it stays one line."""

    def write(message):
        with bar.external_write_mode():
            say(message)

    return write


def _credit_parameters(plan) -> dict[str, Any]:
    """The credit study's horizon, default threshold and LGD, for the summary's credit figures."""
    for name, _, values in plan:
        if name == "credit_risk":
            return {k: values[k] for k in CREDIT_PARAMETERS if k in values}
    return {}


def param_options(
    options: Iterable[str],
    studies: Iterable[str] | None = None,
    notebooks: str | os.PathLike | None = None,
) -> dict[str, dict[str, Any]]:
    """Typed study parameters from ``study.name=value`` strings (the ``--param`` option).

    Parameters
    ----------
    options : iterable of str
        E.g. ``["credit_risk.horizon_months=6"]``.
    studies : iterable of str, optional
        The studies that run; default :func:`list_studies`.
    notebooks : path-like, optional
        Folder of the study notebooks; defaults to :func:`notebooks_dir`.

    Returns ``{study: {name: value}}`` for ``run_reports(params=...)``; the checks are those of
    :func:`segkit.reports.params.parse_options`.
    """
    folder = Path(notebooks).resolve() if notebooks is not None else notebooks_dir()
    names = list(studies) if studies else list_studies(folder)
    return parse_options(options, {n: study_notebook(folder, n) for n in names})


def _plan(folder: Path, studies, params, base) -> list[tuple[str, Path, dict[str, Any]]]:
    """Resolve every study and its parameters, so that bad input fails before any run."""
    names = list(dict.fromkeys(studies)) if studies is not None else list_studies(folder)
    if not names:
        available = ", ".join(STUDIES.values())
        raise ConfigError(f"studies: no study notebook ({available}) found in {folder}.")
    plan = []
    for name in names:
        source = study_notebook(folder, name)
        values = study_parameters(name, names, params, base)
        plan.append((name, source, check_ranges(name, check_declared(name, source, values))))
    return plan


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def study_notebook(folder: Path, name) -> Path:
    """The notebook of the study ``name``: a file of the notebooks folder itself, never a path.

    Raises
    ------
    ConfigError
        For a name that is not a plain word (``../x``, ``a/b``, an absolute path) or names no
        notebook of ``folder``.
    """
    shown = str(name)[:100]
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(
            f"studies: {shown!r} is not a study name (letters, digits, '_' and '-', no path); "
            f"available: {list_studies(folder)}."
        )
    source = folder / STUDIES.get(name, f"{name}.ipynb")
    if not source.is_file() or source.resolve().parent != folder.resolve():
        raise ConfigError(
            f"studies: unknown study {name!r}: {source} does not exist; "
            f"available: {list_studies(folder)}."
        )
    return source
