"""Run the study notebooks with papermill, render code-free HTML and write an index page.

A study is a parameterized notebook in the project's ``notebooks/`` folder. For one
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

import ast
import html
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import nbformat
import papermill
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbconvert import HTMLExporter

from segkit.exceptions import ConfigError, ReportError

__all__ = ["STUDIES", "ReportResult", "StudyRun", "list_studies", "notebooks_dir", "run_reports"]

#: Default studies: name -> notebook file in the project's ``notebooks/`` folder.
STUDIES: dict[str, str] = {
    "segmentation": "segmentation.ipynb",
    "credit_risk": "credit_risk.ipynb",
    "market": "market_positioning.ipynb",
}

#: Parameters every study notebook declares; they are set from ``run_reports`` arguments.
REPORT_PARAMETERS = ("data", "as_of", "lang", "mapping")

#: Injected only into notebooks that declare it: the folder for extra outputs.
OUT_DIR_PARAMETER = "out_dir"


@dataclass
class StudyRun:
    """Outcome of one study: ``status`` is ``"ok"`` or ``"failed"``; paths are absolute."""

    name: str
    status: str
    notebook: Path
    html: Path | None
    parameters: Path
    error: str | None = None
    outputs: list[Path] = field(default_factory=list)


@dataclass
class ReportResult:
    """Outcome of :func:`run_reports`: the output folder, one record per study, the index."""

    out_dir: Path
    studies: list[StudyRun]
    index: Path

    @property
    def failed(self) -> list[str]:
        """Names of the studies that failed."""
        return [run.name for run in self.studies if run.status != "ok"]


class _CallerKernelManager(AsyncKernelManager):
    """Kernel manager whose kernel always runs the interpreter that runs segkit."""

    @property
    def kernel_spec(self) -> KernelSpec:
        return KernelSpec(
            name=self.kernel_name,
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (segkit)",
            language="python",
        )


def notebooks_dir() -> Path:
    """Locate the folder of the study notebooks.

    Returns
    -------
    pathlib.Path
        ``$SEGKIT_NOTEBOOKS`` when set, else ``<project root>/notebooks`` next to ``src/``.

    Raises
    ------
    ReportError
        If the folder does not exist.
    """
    env = os.environ.get("SEGKIT_NOTEBOOKS")
    folder = Path(env) if env else Path(__file__).resolve().parents[2] / "notebooks"
    if not folder.is_dir():
        source = "SEGKIT_NOTEBOOKS" if env else "the project root (src layout)"
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
        Show papermill's progress bar.
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
    base = _base_parameters(data, as_of, lang, mapping)
    _check_timeout(timeout)
    out_dir = (Path(out) / base["as_of"]).resolve()
    plan = _plan(folder, studies, params or {}, {**base, OUT_DIR_PARAMETER: str(out_dir)})
    out_dir.mkdir(parents=True, exist_ok=True)
    execute = {
        "cwd": str(folder.parent),
        "kernel_name": kernel_name,
        "progress": progress,
        "timeout": timeout,
    }
    runs = [
        _run_study(name, source, values, out_dir, execute, say) for name, source, values in plan
    ]
    result = ReportResult(out_dir, runs, out_dir / "index.html")
    result.index.write_text(_render_index(result, base, plan), encoding="utf-8")
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


def _base_parameters(data, as_of, lang, mapping) -> dict[str, str]:
    if not isinstance(lang, str) or not lang:
        raise ConfigError(f"lang must be a non-empty string such as 'en' or 'zh'; got {lang!r}.")
    return {
        "data": _existing_path("data", data),
        "as_of": _iso_date(as_of),
        "lang": lang,
        "mapping": "" if mapping is None else _existing_path("mapping", mapping),
    }


def _existing_path(name: str, value) -> str:
    path = Path(value).expanduser().resolve()
    if not path.exists():
        raise ConfigError(f"{name} must be an existing file or folder; got {str(value)!r}.")
    return str(path)


def _iso_date(value) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ConfigError(f"as_of must be an ISO date like '2025-06-30'; got {value!r}.") from None


def _check_timeout(timeout) -> None:
    number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
    if timeout is not None and not (number and timeout > 0):
        raise ConfigError(f"timeout must be a positive number of seconds or None; got {timeout!r}.")


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
        values = _study_parameters(name, names, params, base)
        plan.append((name, source, _check_declared(name, source, values)))
    return plan


def _study_parameters(name: str, names: list[str], params, base) -> dict[str, Any]:
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


def _check_declared(name: str, source: Path, values: dict[str, Any]) -> dict[str, Any]:
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


def _run_study(name, source, values, out_dir: Path, execute, say) -> StudyRun:
    run = StudyRun(name, "ok", out_dir / f"{name}.ipynb", None, out_dir / f"{name}.parameters.json")
    own_files = {run.notebook, run.parameters, out_dir / f"{name}.html"}
    for stale in own_files:  # leave nothing from an earlier run of the same date
        stale.unlink(missing_ok=True)
    own_files.add(out_dir / "index.html")
    before = _snapshot(out_dir)
    started = _now()
    say(f"{name}: running {source.name}")
    try:
        _execute(source, run.notebook, values, execute)
    except Exception as exc:  # a failing study must not stop the others
        run.status, run.error = "failed", _first_line(exc)
    finished = _now()
    run.outputs = sorted(p for p in _changed(before, _snapshot(out_dir)) if p not in own_files)
    run.html = _export_html(run.notebook, out_dir / f"{name}.html", f"{name} — {values['as_of']}")
    _write_parameters(run, source, values, {"started": started, "finished": finished})
    say(f"{name}: {run.status}" + (f" ({run.error})" if run.error else ""))
    return run


def _execute(source: Path, target: Path, values, execute) -> None:
    kernel = execute["kernel_name"]
    engine = {} if kernel else {"kernel_manager_class": _CallerKernelManager}
    papermill.execute_notebook(
        str(source),
        str(target),
        parameters=values,
        kernel_name=kernel or "python3",
        language="python",
        progress_bar=execute["progress"],
        cwd=execute["cwd"],
        execution_timeout=execute["timeout"],
        **engine,
    )


def _export_html(notebook: Path, target: Path, title: str) -> Path | None:
    if not notebook.is_file():
        return None
    try:
        nb = nbformat.read(notebook, as_version=4)
        nb.metadata["title"] = title
        exporter = HTMLExporter(
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
        )
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    except Exception:  # an unreadable partial notebook leaves the study without HTML
        return None
    target.write_text(body, encoding="utf-8")
    return target


def _write_parameters(run: StudyRun, source: Path, values, times: dict[str, str]) -> None:
    record = {
        "study": run.name,
        "notebook": str(source),
        "parameters": values,
        "segkit_version": _segkit_version(),
        "run": {**times, "status": run.status, "error": run.error},
    }
    text = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    run.parameters.write_text(text + "\n", encoding="utf-8")


def _snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in files}


def _changed(before: dict, after: dict) -> list[Path]:
    return [path for path, stamp in after.items() if before.get(path) != stamp]


def _first_line(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        text = f"{ename}: {evalue}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _segkit_version() -> str:
    import segkit

    return segkit.__version__


def _render_index(result: ReportResult, base: dict[str, str], plan) -> str:
    """The index page: run facts, one table row per study, then each study's parameters."""
    facts = {**base, "segkit version": _segkit_version(), "output folder": str(result.out_dir)}
    rows = "\n".join(_index_row(run, result.out_dir) for run in result.studies)
    common = {*REPORT_PARAMETERS, OUT_DIR_PARAMETER}
    extra = "\n".join(
        f"<h3>{_esc(name)}</h3>\n{_table({k: v for k, v in values.items() if k not in common})}"
        for name, _, values in plan
    )
    title = f"segkit reports — as of {base['as_of']}"
    return _INDEX_PAGE.format(
        title=_esc(title), facts=_table(facts), rows=rows, extra=extra, failed=len(result.failed)
    )


def _index_row(run: StudyRun, out_dir: Path) -> str:
    links = [_link(run.html, out_dir), _link(run.notebook, out_dir), _link(run.parameters, out_dir)]
    outputs = "<br>".join(_link(path, out_dir) for path in run.outputs)
    status = f'<span class="{run.status}">{_esc(run.status)}</span>'
    cells = [_esc(run.name), status, *links, outputs, _esc(run.error or "")]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _link(path: Path | None, out_dir: Path) -> str:
    if path is None or not path.is_file():
        return "—"
    relative = path.relative_to(out_dir).as_posix()
    return f'<a href="{quote(relative)}">{_esc(relative)}</a>'


def _table(values: Mapping[str, Any]) -> str:
    if not values:
        return "<p>No study-specific parameters.</p>"
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in values.items())
    return f"<table>{rows}</table>"


def _esc(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else json.dumps(value, default=str))


_INDEX_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 1em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
.ok {{ color: #1a7f37; }} .failed {{ color: #cf222e; font-weight: bold; }}
</style>
</head>
<body>
<h1>{title}</h1>
{facts}
<h2>Studies ({failed} failed)</h2>
<table>
<tr><th>study</th><th>status</th><th>report</th><th>notebook</th><th>parameters</th>
<th>other outputs</th><th>error</th></tr>
{rows}
</table>
<h2>Study parameters</h2>
{extra}
</body>
</html>
"""
