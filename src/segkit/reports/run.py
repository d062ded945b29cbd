"""Execute one study notebook and record what it produced.

:func:`run_study` runs a study with papermill in a kernel on the caller's interpreter, exports
the executed notebook to code-free HTML, collects the extra files the notebook wrote and saves
``<study>.parameters.json`` (parameters, segkit version, run times and status). A failing study
is recorded as ``"failed"`` in its :class:`StudyRun` instead of raising. :class:`ReportResult`
gathers the records of one :func:`segkit.reports.run_reports` call.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from segkit.reports.kernel import execute_notebook
from segkit.reports.pages import export_html

__all__ = ["ReportResult", "StudyRun", "relocate", "run_study", "segkit_version", "study_name"]


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
    """Outcome of :func:`segkit.reports.run_reports`: the output folder, one record per study, the index."""

    out_dir: Path
    studies: list[StudyRun]
    index: Path

    @property
    def failed(self) -> list[str]:
        """Names of the studies that failed."""
        return [run.name for run in self.studies if run.status != "ok"]


def run_study(name, source, values, out_dir: Path, execute, say, exports=None) -> StudyRun:
    """Run one study into ``out_dir``; ``execute`` holds the kernel options, ``interrupted``
    (true once Ctrl-C or SIGTERM arrived) and ``shown`` (values recorded in place of the
    injected ones, e.g. the final ``out_dir`` instead of the staging folder).

    ``exports``, for a study that declares ``out_dir``, is the study's own folder for the files
    it writes (its ``out_dir`` parameter); they are moved into ``out_dir`` after the run, so
    that studies running at the same time each know their files. A study without it writes
    no files of its own."""
    run = StudyRun(name, "ok", out_dir / f"{name}.ipynb", None, out_dir / f"{name}.parameters.json")
    own_files = {run.notebook, run.parameters, out_dir / f"{name}.html"}
    for stale in own_files:  # leave nothing from an earlier run of the same date
        stale.unlink(missing_ok=True)
    own_files.add(out_dir / "index.html")
    if exports is not None:
        Path(exports).mkdir(parents=True, exist_ok=True)
    started = _now()
    say(f"{name}: running {source.name}")
    try:
        execute_notebook(source, run.notebook, values, execute)
    except Exception as exc:  # a failing study must not stop the others
        if execute.get("interrupted"):  # the kernel connection broke under Ctrl-C or SIGTERM
            raise KeyboardInterrupt(f"{name} interrupted") from None
        run.status, run.error = "failed", _first_line(exc)
    finished = _now()
    if exports is not None:
        run.outputs = _move_exports(Path(exports), out_dir, own_files)
    title = f"{study_name(name, values.get('lang', 'en'))} — {values['as_of']}"
    run.html = export_html(run.notebook, out_dir / f"{name}.html", title, values.get("lang", "en"))
    shown = {**values, **execute.get("shown", {})}
    _write_parameters(run, source, shown, {"started": started, "finished": finished})
    say(f"{name}: {run.status}" + (f" ({run.error})" if run.error else ""))
    return run


def _write_parameters(run: StudyRun, source: Path, values, times: dict[str, str]) -> None:
    record = {
        "study": run.name,
        "notebook": str(source),
        "parameters": values,
        "segkit_version": segkit_version(),
        "run": {**times, "status": run.status, "error": run.error},
    }
    text = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    run.parameters.write_text(text + "\n", encoding="utf-8")


def _move_exports(exports: Path, out_dir: Path, own_files) -> list[Path]:
    """Move the files of a study's export folder into ``out_dir``; the moved paths."""
    moved = []
    for path in sorted(p for p in exports.rglob("*") if p.is_file()):
        target = out_dir / path.relative_to(exports)
        if target in own_files:  # a study cannot overwrite a record of the run
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved.append(target)
    shutil.rmtree(exports, ignore_errors=True)
    return moved


def _first_line(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        text = f"{ename}: {evalue}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def relocate(result: ReportResult, old: Path, new: Path) -> ReportResult:
    """``result`` with every path under ``old`` moved under ``new`` (after the staging swap)."""

    def move(path: Path | None) -> Path | None:
        return None if path is None else new / path.relative_to(old)

    runs = [
        StudyRun(
            r.name,
            r.status,
            move(r.notebook),
            move(r.html),
            move(r.parameters),
            r.error,
            [move(p) for p in r.outputs],
        )
        for r in result.studies
    ]
    return ReportResult(new, runs, move(result.index))


def study_name(name: str, lang: str) -> str:
    """The reader's name of a study (text catalogue ``report_studies``), else its code."""
    from segkit.text.catalogue import catalogue

    entry = catalogue().get("report_studies", {}).get(name)
    return entry[lang] if entry and lang in entry else name


def segkit_version() -> str:
    import segkit

    return segkit.__version__
