"""Report folders that appear whole, one writer at a time; interrupts that leave an earlier
report as it was; study parameters from the command line; an index that escapes every value."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from segkit.exceptions import ConfigError, ReportError
from segkit.reports.index import render_index
from segkit.reports.params import parse_options
from segkit.reports.run import ReportResult, StudyRun
from segkit.reports.runner import param_options
from segkit.reports.staging import MARKER, ReportFolder, interrupts

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
SRC = Path(__file__).resolve().parents[1] / "src"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _earlier(root: Path) -> Path:
    target = root / "2025-06-30"
    target.mkdir(parents=True)
    (target / MARKER).write_text("segkit report folder\n", encoding="utf-8")
    (target / "index.html").write_text("earlier index", encoding="utf-8")
    (target / "segmentation.html").write_text("earlier page", encoding="utf-8")
    return target


def test_commit_replaces_the_folder_whole(tmp_path):
    target = _earlier(tmp_path)
    with ReportFolder(target) as folder:
        (folder.staging / "index.html").write_text("new index", encoding="utf-8")
        assert (target / "index.html").read_text(encoding="utf-8") == "earlier index"
        folder.commit()
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "index.html"]
    assert (target / "index.html").read_text(encoding="utf-8") == "new index"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-06-30"]


def test_an_interrupted_run_leaves_the_earlier_report_and_no_staging(tmp_path):
    target = _earlier(tmp_path)
    with pytest.raises(KeyboardInterrupt), ReportFolder(target) as folder:
        (folder.staging / "index.html").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert (target / "segmentation.html").read_text(encoding="utf-8") == "earlier page"
    assert not list(tmp_path.glob("*.partial"))


def test_a_second_run_into_the_same_folder_fails_clearly(tmp_path):
    target = tmp_path / "2025-06-30"
    with ReportFolder(target):
        with pytest.raises(ReportError, match=r"another segkit report is writing .*2025-06-30"):
            with ReportFolder(target):
                pass
    with ReportFolder(target):  # the lock is released afterwards
        pass


def test_a_staging_folder_left_by_a_killed_run_is_removed(tmp_path):
    stale = tmp_path / ".2025-06-30.abc.partial"
    stale.mkdir()
    (stale / MARKER).write_text("", encoding="utf-8")
    with ReportFolder(tmp_path / "2025-06-30") as folder:
        assert not stale.exists() and folder.staging.is_dir()


def wait_for_a_signal(seconds: float = 300) -> None:
    """Sleep in short steps until a signal handler raises; the deadline only guards a lost signal,
    so a loaded machine that delivers it late still passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
    raise AssertionError(f"no signal arrived in {seconds} s")


def test_sigterm_becomes_keyboard_interrupt_and_handlers_come_back():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt, match="interrupted by SIGTERM"), interrupts() as record:
        os.kill(os.getpid(), signal.SIGTERM)
        wait_for_a_signal()
    assert record.signal == signal.SIGTERM and bool(record)
    assert signal.getsignal(signal.SIGTERM) is before


def _slow_notebooks(folder: Path) -> Path:
    source = nbformat.read(FIXTURES / "segmentation.ipynb", as_version=4)
    code = [c for c in source.cells if c.cell_type == "code"]
    code[-1].source = "import time\nprint('sleeping', flush=True)\ntime.sleep(900)"
    folder.mkdir()
    nbformat.write(source, folder / "segmentation.ipynb")
    return folder


def _wait_for_kernel(root: Path, process: subprocess.Popen, seconds: float = 900) -> None:
    """Wait until the slow study is asleep in its kernel (the deadline only guards a hang)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        staged = list(root.glob(".2025-06-30.*.partial/segmentation.ipynb"))
        if staged and "sleeping" in staged[0].read_text(encoding="utf-8"):
            return
        if process.poll() is not None:
            raise AssertionError(f"report ended early: {process.communicate()}")
        time.sleep(0.5)
    raise AssertionError("the slow study did not start")


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "invoices.csv"
    path.write_text("invoice_id,customer_id\nI1,C1\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 130)], ids=["ctrl-c", "sigterm"]
)
def test_interrupting_segkit_report_keeps_the_earlier_report(tmp_path, sig, code):
    root = tmp_path / "reports"
    target = _earlier(root)
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "SEGKIT_NOTEBOOKS": str(_slow_notebooks(tmp_path / "nb")),
    }
    command = [sys.executable, "-m", "segkit", "report", str(SAMPLE), "--as-of", "2025-06-30"]
    process = subprocess.Popen(
        [*command, "--out", str(root), "--study", "segmentation"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    _wait_for_kernel(root, process)
    process.send_signal(sig)
    _, err = process.communicate(timeout=900)
    assert process.returncode == code
    assert "Traceback" not in err and "ZMQError" not in err
    # one line from segkit; the kernel it stopped may still say goodbye on the shared stderr
    assert "interrupted" in err.splitlines()
    assert (target / "index.html").read_text(encoding="utf-8") == "earlier index"
    assert sorted(p.name for p in root.iterdir()) == ["2025-06-30"]


def test_param_options_are_typed_by_the_parameters_cell():
    values = param_options(["segmentation.threshold=7"], notebooks=FIXTURES)
    assert values == {"segmentation": {"threshold": 7}}
    assert isinstance(values["segmentation"]["threshold"], int)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("threshold=7", r"--param must look like study\.name=value; got 'threshold=7'"),
        ("segmentation.threshold", r"--param must look like study\.name=value"),
        ("market.periods=2", r"study 'market' is not run; studies: \['segmentation'\]"),
        (
            "segmentation.colour=red",
            r"study 'segmentation' has no parameter 'colour'; it takes \['threshold'\]",
        ),
        ("segmentation.as_of=2025-01-01", r"has no parameter 'as_of'"),
        (
            "segmentation.threshold=six",
            r"'segmentation\.threshold=six': expected a whole number; got 'six'",
        ),
        ("segmentation.threshold=1.5", r"expected a whole number; got '1\.5'"),
    ],
    ids=[
        "no-study",
        "no-value",
        "study-not-run",
        "unknown-name",
        "base-parameter",
        "word",
        "float",
    ],
)
def test_bad_param_options_are_config_errors(option, message):
    with pytest.raises(ConfigError, match=message):
        param_options([option], notebooks=FIXTURES)


def test_float_and_bool_options(tmp_path):
    source = nbformat.read(FIXTURES / "segmentation.ipynb", as_version=4)
    cell = next(c for c in source.cells if "parameters" in c.metadata.get("tags", []))
    cell.source += "\nlgd: float = 0.45  # loss given default\nfast: bool = False  # skip work\n"
    nbformat.write(source, tmp_path / "study.ipynb")
    sources = {"study": tmp_path / "study.ipynb"}
    assert parse_options(["study.lgd=0.6", "study.fast=yes"], sources) == {
        "study": {"lgd": 0.6, "fast": True}
    }
    with pytest.raises(ConfigError, match=r"expected a finite number; got 'nan'"):
        parse_options(["study.lgd=nan"], sources)
    with pytest.raises(ConfigError, match=r"expected true or false; got 'maybe'"):
        parse_options(["study.fast=maybe"], sources)


def test_index_escapes_every_value(tmp_path):
    bad = "<script>alert(1)</script>"
    page_file = tmp_path / "x.html"
    page_file.write_text("page", encoding="utf-8")
    run = StudyRun(bad, "ok", tmp_path / "none.ipynb", page_file, tmp_path / "p.json", error=bad)
    result = ReportResult(tmp_path, [run], tmp_path / "index.html")
    base = {"data": "/data/<b>x", "as_of": "2025-06-30", "lang": "zh", "mapping": ""}
    page = render_index(result, base, [(bad, None, {bad: bad})])
    assert "<script>" not in page and "<b>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5
    assert "<tr><th>账簿数据</th><td>&lt;b&gt;x</td></tr>" in page
    assert '<html lang="zh">' in page and "<title>客户月度报告 — 2025-06-30</title>" in page
    assert '<a href="x.html">x.html</a>' in page and "none.ipynb" not in page


def test_index_escapes_customer_names_in_actions(tmp_path):
    from segkit.reports.pack import Pack
    from segkit.reports.summary import FIGURES, Summary

    dates = {
        "as_of": pd.Timestamp("2025-06-30").date(),
        "month": "2025-05-31",
        "quarter": "2025-03-31",
    }
    figures = pd.DataFrame(1.0, index=pd.Index(FIGURES, name="figure"), columns=list(dates))
    actions = pd.DataFrame(
        {
            "name": ["<img src=x onerror=alert(1)>"],
            "rule": ["over_limit"],
            "action": ["<b>"],
            "amount": [5.0],
        },
        index=pd.Index(["<i>C1"], name="customer_id"),
    )
    pack = Pack(Summary(dates, {}, figures, {"dso_days": ("no_settlement", "<u>")}), actions)
    result = ReportResult(tmp_path, [], tmp_path / "index.html")
    base = {"data": "d", "as_of": "2025-06-30", "lang": "en", "mapping": ""}
    page = render_index(result, base, [], pack)
    for raw in ("<img", "<b>", "<i>", "<u>"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "DSO (days): A dash marks a figure this ledger cannot give" in page


def test_cli_param_errors_are_one_line_before_anything_runs(tmp_path, ledger):
    from typer.testing import CliRunner

    from segkit.cli import app

    out = tmp_path / "out"
    args = ["report", str(ledger), "--as-of", "2025-06-30", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--param", "credit_risk.horizon_months=six"])
    assert result.exit_code == 1
    assert "error: --param 'credit_risk.horizon_months=six': expected a whole number" in (
        result.output
    )
    assert not out.exists()


def test_index_never_calls_a_study_ready_without_its_page(tmp_path):
    run = StudyRun("credit_risk", "ok", tmp_path / "c.ipynb", tmp_path / "c.html", tmp_path / "p")
    result = ReportResult(tmp_path, [run], tmp_path / "index.html")
    base = {"data": "d", "as_of": "2025-06-30", "lang": "en", "mapping": ""}
    page = render_index(result, base, [])
    assert '<span class="failed">failed</span>' in page and "ready" not in page
    assert "href" not in page
