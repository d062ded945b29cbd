"""Tests of the report runner, with tiny notebooks in tests/fixtures/notebooks.

Each kernel start costs a few seconds, so the notebooks run three times in all: once for a
run with a passing and a failing study (shared by most tests), once through the defaults
with a misleading ``python3`` kernelspec, and once with a kernel name that does not exist.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from datetime import date
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager

import segkit
from segkit.exceptions import ConfigError, ReportError
from segkit.reports import STUDIES, list_studies, notebooks_dir, run_reports

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
AS_OF = "2025-06-30"
SEGMENTATION_DECLARES = "['as_of', 'data', 'lang', 'mapping', 'out_dir', 'threshold']"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "invoices.csv"
    path.write_text("invoice_id,customer_id\nI1,C1\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory, ledger):
    """One run: ``segmentation`` passes, ``broken`` raises in its second code cell."""
    out = tmp_path_factory.mktemp("reports")
    params = {"segmentation": {"threshold": 21}}
    given = copy.deepcopy(params)
    messages: list[str] = []
    with pytest.raises(ReportError, match=r"1 of 2 studies failed: broken") as info:
        run_reports(
            ledger,
            AS_OF,
            out=out,
            studies=["segmentation", "broken"],
            params=params,
            notebooks=FIXTURES,
            progress=False,
            log=messages.append,
        )
    return {"error": info.value, "messages": messages, "params": params, "given": given}


def _out_dir(failed_run) -> Path:
    return failed_run["error"].result.out_dir


def _stream_text(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    outputs = [out for cell in nb.cells for out in cell.get("outputs", [])]
    return "".join(out.get("text", "") for out in outputs if out.output_type == "stream")


def test_failing_study_is_named_and_the_other_still_runs(failed_run):
    error = failed_run["error"]
    assert error.failed == ["broken"]
    assert [(run.name, run.status) for run in error.result.studies] == [
        ("segmentation", "ok"),
        ("broken", "failed"),
    ]


def test_result_records_paths_errors_and_extra_outputs(failed_run):
    out_dir = _out_dir(failed_run)
    expected = [
        ("segmentation", "ok", None, ["segmentation_export.csv"]),
        ("broken", "failed", "ValueError: fixture failure for 2025-06-30", []),
    ]
    result = failed_run["error"].result
    got = [
        (run.name, run.status, run.error, [p.relative_to(out_dir).as_posix() for p in run.outputs])
        for run in result.studies
    ]
    assert got == expected
    assert result.index == out_dir / "index.html"
    assert out_dir == Path(result.index).parent and out_dir.name == AS_OF
    for run in result.studies:
        assert (run.notebook, run.html, run.parameters) == (
            out_dir / f"{run.name}.ipynb",
            out_dir / f"{run.name}.html",
            out_dir / f"{run.name}.parameters.json",
        )


def test_writes_exactly_the_expected_files(failed_run):
    out_dir = _out_dir(failed_run)
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == [
        ".segkit-report",
        "broken.html",
        "broken.ipynb",
        "broken.parameters.json",
        "index.html",
        "segmentation.html",
        "segmentation.ipynb",
        "segmentation.parameters.json",
        "segmentation_export.csv",
    ]


def test_html_shows_outputs_but_not_code(failed_run):
    page = (_out_dir(failed_run) / "segmentation.html").read_text(encoding="utf-8")
    assert "threshold doubled is 42" in page
    assert "hidden_source_marker" not in page
    assert "<script src=" not in page  # no require.js or MathJax from a CDN: opens offline
    assert "<title>Customer segmentation — 2025-06-30</title>" in page
    assert '<html lang="en">' in page


def test_parameters_are_injected_into_the_executed_notebook(failed_run, ledger):
    out_dir = _out_dir(failed_run)
    nb = nbformat.read(out_dir / "segmentation.ipynb", as_version=4)
    injected = [c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert 'as_of = "2025-06-30"' in injected[0]
    assert f'data = "{ledger.resolve()}"' in injected[0]
    staged = re.search(r'out_dir = "([^"]+)"', injected[0]).group(1)
    assert re.fullmatch(
        re.escape(str(out_dir.parent)) + r"/\.2025-06-30\.\w+\.partial/\.segmentation\.files",
        staged,
    )
    assert not Path(staged).exists()  # moved into place as out_dir
    assert "threshold = 21" in injected[0]
    assert "as_of is 2025-06-30\n" in _stream_text(out_dir / "segmentation.ipynb")


def test_out_dir_only_goes_to_notebooks_that_declare_it(failed_run):
    nb = nbformat.read(_out_dir(failed_run) / "broken.ipynb", as_version=4)
    injected = [c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'as_of = "2025-06-30"' in injected[0]
    assert "out_dir" not in injected[0]


def test_kernel_runs_the_calling_interpreter_in_the_project_root(failed_run):
    text = _stream_text(_out_dir(failed_run) / "segmentation.ipynb")
    assert f"kernel python is {sys.executable}\n" in text
    assert f"working folder is {FIXTURES.parent.resolve()}\n" in text


def test_failed_study_keeps_its_partial_notebook_and_html(failed_run):
    out_dir = _out_dir(failed_run)
    nb = nbformat.read(out_dir / "broken.ipynb", as_version=4)
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last.source == 'print("never reached")'
    assert last.outputs == []
    assert _stream_text(out_dir / "broken.ipynb") == "reached before the failure\n"
    page = (out_dir / "broken.html").read_text(encoding="utf-8")
    assert "fixture failure for 2025-06-30" in page
    assert "raise ValueError" not in page


def test_parameters_file_separates_run_times(failed_run, ledger):
    out_dir = _out_dir(failed_run)
    record = json.loads((out_dir / "segmentation.parameters.json").read_text(encoding="utf-8"))
    run = record.pop("run")
    assert record == {
        "study": "segmentation",
        "notebook": str(FIXTURES.resolve() / "segmentation.ipynb"),
        "parameters": {
            "as_of": AS_OF,
            "data": str(ledger.resolve()),
            "lang": "en",
            "mapping": "",
            "out_dir": str(out_dir),
            "threshold": 21,
        },
        "segkit_version": "0.1.0",
    }
    assert sorted(run) == ["error", "finished", "started", "status"]
    assert (run["status"], run["error"]) == ("ok", None)
    broken = json.loads((out_dir / "broken.parameters.json").read_text(encoding="utf-8"))
    assert (broken["run"]["status"], broken["run"]["error"]) == (
        "failed",
        "ValueError: fixture failure for 2025-06-30",
    )


def test_index_links_every_file_and_shows_status(failed_run, ledger):
    page = (_out_dir(failed_run) / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)"', page) == [
        "segmentation.html",
        "segmentation.ipynb",
        "segmentation.parameters.json",
        "segmentation_export.csv",
        "broken.html",
        "broken.ipynb",
        "broken.parameters.json",
    ]
    assert '<html lang="en">' in page
    assert "<title>Customer report — 2025-06-30</title>" in page
    assert "<tr><th>Ledger</th><td>invoices.csv</td></tr>" in page
    assert str(ledger.parent) not in page and str(_out_dir(failed_run)) not in page
    assert '<span class="failed">failed</span>' in page
    assert '<span class="ok">ready</span>' in page
    assert "<td>ValueError: fixture failure for 2025-06-30</td>" in page
    assert "<tr><td>Customer segmentation</td><th>threshold</th><td>21</td></tr>" in page
    assert "The summary could not be computed: " in page


def test_log_reports_each_study_and_params_are_not_modified(failed_run):
    index = _out_dir(failed_run) / "index.html"
    messages = failed_run["messages"]
    assert sorted(messages) == sorted([
        "segmentation: running segmentation.ipynb",
        "segmentation: ok",
        "broken: running broken.ipynb",
        "broken: failed (ValueError: fixture failure for 2025-06-30)",
        "summary: key figures and actions",
        "summary: workbook",
        f"index: {index}",
    ])  # fmt: skip
    # studies run side by side: each study's start comes before its end, the index last
    for name, end in (("segmentation", "ok"), ("broken", "failed")):
        start = messages.index(f"{name}: running {name}.ipynb")
        assert start < next(i for i, m in enumerate(messages) if m.startswith(f"{name}: {end}"))
    assert messages[-2:] == ["summary: workbook", f"index: {index}"]
    assert failed_run["params"] == failed_run["given"]


def test_defaults_pin_the_kernel_to_this_interpreter(tmp_path, ledger, monkeypatch):
    """A python3 kernelspec pointing at another interpreter must not be used."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Elsewhere", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("SEGKIT_NOTEBOOKS", str(FIXTURES))
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == "/nonexistent/python"

    result = run_reports(ledger, date(2025, 12, 31), out=tmp_path / "out", progress=False, log=None)

    assert [(run.name, run.status) for run in result.studies] == [("segmentation", "ok")]
    assert result.out_dir == (tmp_path / "out" / "2025-12-31").resolve()
    assert f"kernel python is {sys.executable}\n" in _stream_text(result.studies[0].notebook)


def test_a_named_kernel_is_used_as_given(tmp_path, ledger):
    earlier = tmp_path / AS_OF
    earlier.mkdir()
    (earlier / ".segkit-report").write_text("", encoding="utf-8")  # a report segkit wrote
    (earlier / "segmentation.html").write_text("stale report", encoding="utf-8")
    (earlier / "old_export.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"1 of 1 studies failed: segmentation") as info:
        run_reports(
            ledger,
            AS_OF,
            out=tmp_path,
            studies=["segmentation"],
            notebooks=FIXTURES,
            kernel_name="no-such-kernel",
            progress=False,
            log=None,
        )
    assert info.value.failed == ["segmentation"]
    assert info.value.result.studies[0].error == "NoSuchKernel: No such kernel named no-such-kernel"
    assert info.value.result.studies[0].outputs == []
    assert "stale report" not in (earlier / "segmentation.html").read_text(encoding="utf-8")
    assert (earlier / "index.html").is_file()


def _run_fast(ledger, tmp_path, **kwargs):
    """Arguments that fail validation, so no kernel starts."""
    options = {"studies": ["segmentation"], "notebooks": FIXTURES, "progress": False, "log": None}
    return run_reports(ledger, kwargs.pop("as_of", AS_OF), out=tmp_path / "out", **options | kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"params": {"colour": "red"}},
            r"study 'segmentation' \(segmentation\.ipynb\) does not declare parameters "
            rf"\['colour'\]; its parameters cell declares {re.escape(SEGMENTATION_DECLARES)}",
        ),
        (
            {"studies": ["segmentation", "broken"], "params": {"broken": {"threshold": 1}}},
            r"study 'broken' \(broken\.ipynb\) does not declare parameters \['threshold'\]",
        ),
        (
            {"studies": ["no_parameters"]},
            r"does not declare parameters \['as_of', 'data', 'lang', 'mapping'\]; "
            r"its parameters cell declares \[\]",
        ),
        ({"params": {"data": "x.csv"}}, r"params must not set \['data'\]"),
        ({"params": {"out_dir": "x"}}, r"params must not set \['out_dir'\]"),
        ({"studies": ["nope"]}, r"studies: unknown study 'nope'.*available: \['segmentation'\]"),
        ({"studies": []}, r"studies: no study notebook"),
        (
            {"as_of": "30/06/2025"},
            r"as_of must be a date in ISO 8601 form \(YYYY-MM-DD\); got '30/06/2025'",
        ),
        ({"lang": ""}, r"lang must be one of \['en', 'zh'\]; got ''"),
        ({"timeout": 0}, r"timeout must be a positive number of seconds or None; got 0"),
        ({"timeout": True}, r"timeout must be a positive number of seconds or None; got True"),
        ({"mapping": "missing.yaml"}, r"mapping must be an existing file or folder"),
    ],
    ids=[
        "unknown-param",
        "param-for-another-study",
        "no-parameters-cell",
        "param-overrides-data",
        "param-overrides-out-dir",
        "unknown-study",
        "no-studies",
        "bad-as-of",
        "empty-lang",
        "zero-timeout",
        "bool-timeout",
        "missing-mapping",
    ],
)
def test_bad_arguments_fail_before_anything_runs(kwargs, message, ledger, tmp_path):
    with pytest.raises(ConfigError, match=message):
        _run_fast(ledger, tmp_path, **kwargs)
    assert not (tmp_path / "out").exists()


def test_missing_data_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"data must be an existing file or folder; got '.*nope"):
        _run_fast(tmp_path / "nope.csv", tmp_path)


def test_list_studies_keeps_default_studies_with_a_notebook():
    assert list(STUDIES) == ["segmentation", "credit_risk", "market"]
    assert list_studies(FIXTURES) == ["segmentation"]


def test_notebooks_dir_reads_the_environment(monkeypatch):
    monkeypatch.setenv("SEGKIT_NOTEBOOKS", str(FIXTURES))
    assert notebooks_dir() == FIXTURES.resolve()


def test_notebooks_dir_defaults_to_the_notebooks_shipped_in_the_package(monkeypatch):
    monkeypatch.delenv("SEGKIT_NOTEBOOKS", raising=False)
    project = Path(__file__).resolve().parents[1]
    assert notebooks_dir() == (project / "notebooks").resolve()
    assert notebooks_dir().is_relative_to(Path(segkit.__file__).parent)
    assert sorted(STUDIES.values()) == sorted(p.name for p in notebooks_dir().glob("*.ipynb"))


def test_notebooks_dir_missing_is_a_report_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SEGKIT_NOTEBOOKS", str(tmp_path / "absent"))
    with pytest.raises(ReportError, match=r"notebooks folder not found: .*absent"):
        notebooks_dir()


def test_parameter_line_papermill_would_skip_is_an_error(tmp_path, ledger):
    source = nbformat.read(FIXTURES / "segmentation.ipynb", as_version=4)
    cell = next(c for c in source.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace(
        'out_dir: str = ""', 'out_dir: str = ""  # "" = do not export'
    )
    folder = tmp_path / "nb"
    folder.mkdir()
    nbformat.write(source, folder / "segmentation.ipynb")
    with pytest.raises(
        ConfigError, match=r"papermill cannot read the parameter line\(s\) of \['out_dir'\]"
    ):
        run_reports(ledger, AS_OF, out=tmp_path / "out", notebooks=folder, progress=False, log=None)


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True])
def test_jobs_must_be_a_positive_int(tmp_path, ledger, jobs):
    with pytest.raises(ConfigError, match=r"jobs must be an int >= 1; got"):
        run_reports(ledger, AS_OF, out=tmp_path, notebooks=FIXTURES, jobs=jobs, log=None)


def test_one_job_or_several_write_the_same_files(tmp_path, ledger):
    """Studies side by side each keep their own exports; the files do not depend on ``jobs``."""
    written = {}
    for jobs in (1, 3):
        out = tmp_path / f"jobs{jobs}"
        with pytest.raises(ReportError, match="1 of 2 studies failed: broken"):
            run_reports(ledger, AS_OF, out=out, studies=["segmentation", "broken"],
                        notebooks=FIXTURES, progress=False, log=None, jobs=jobs)  # fmt: skip
        folder = out / AS_OF
        written[jobs] = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
        export = (folder / "segmentation_export.csv").read_bytes()
        hidden = [p.name for p in folder.glob(".*")]
        assert export and hidden == [".segkit-report"]  # no study folder left behind
    assert written[1] == written[3]


def test_in_parallel_runs_every_task_and_raises_the_first_error():
    from segkit.reports.staging import in_parallel

    done = []

    def task(k):
        def run():
            done.append(k)
            if k == 2:
                raise ValueError("task 2 broke")

        return run

    with pytest.raises(ValueError, match="task 2 broke"):
        in_parallel([task(k) for k in range(5)], jobs=2)
    assert sorted(done) == [0, 1, 2, 3, 4]
    done.clear()
    in_parallel([task(k) for k in (0, 1, 3)], jobs=1)
    assert done == [0, 1, 3]


def test_an_interrupt_while_tasks_run_starts_no_other_and_kills_the_kernels(monkeypatch):
    import threading

    from segkit.reports import staging

    started, release, killed = [], threading.Event(), []
    real_wait = staging.wait

    def task(k):
        def run():
            started.append(k)
            release.wait(10)

        return run

    def interrupted_wait(futures, timeout=None):
        if timeout == 0.2:  # the loop of the waiting thread: Ctrl-C arrives there
            while len(started) < 2:
                threading.Event().wait(0.01)
            raise KeyboardInterrupt
        return real_wait(futures, timeout=timeout)

    monkeypatch.setattr(staging, "wait", interrupted_wait)
    monkeypatch.setattr("segkit.reports.kernel.kill_all", lambda: (killed.append(1), release.set()))
    with pytest.raises(KeyboardInterrupt):
        staging.in_parallel([task(k) for k in range(6)], jobs=2, grace=5)
    assert killed == [1]
    assert sorted(started) == [0, 1]  # the four tasks still waiting never start


def test_a_bug_in_the_summary_fails_the_run_after_indexing_the_pages(monkeypatch, tmp_path):
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"

    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.delenv("SEGKIT_DEBUG", raising=False)
    monkeypatch.setattr("segkit.reports.pack.collect", broken)
    with pytest.raises(ReportError, match="unexpected IndexError: list index out of range") as info:
        run_reports(sample, AS_OF, out=tmp_path, studies=["segmentation"], notebooks=FIXTURES,
                    progress=False, log=None)  # fmt: skip
    assert isinstance(info.value.__cause__, IndexError)
    assert "SEGKIT_DEBUG=1" in str(info.value)
    index = tmp_path / AS_OF / "index.html"
    assert "IndexError: list index out of range" in index.read_text(encoding="utf-8")
    assert (tmp_path / AS_OF / "segmentation.html").exists()


def test_studies_side_by_side_leave_the_callers_working_folder(tmp_path, ledger):
    """Each kernel starts in the project folder; the calling process never changes folder."""
    before = Path.cwd()
    with pytest.raises(ReportError, match="1 of 2 studies failed: broken"):
        run_reports(ledger, AS_OF, out=tmp_path, studies=["segmentation", "broken"],
                    notebooks=FIXTURES, progress=False, log=None, jobs=2)  # fmt: skip
    assert Path.cwd() == before
    text = _stream_text(tmp_path / AS_OF / "segmentation.ipynb")
    assert f"working folder is {FIXTURES.parent.resolve()}\n" in text
