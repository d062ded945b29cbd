"""The command line facing hostile input: one clean message, exit 1 (130 for an interrupt), no
traceback, and bad arguments refused before any work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from conftest import set_cell, tables, write
from segkit.cli import app

runner = CliRunner()


def _run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_validate_lists_every_file_it_read(ledger_dir):
    result = _run("validate", ledger_dir)
    assert result.exit_code == 0, result.output
    for table in ("customers", "invoices", "payments"):
        assert f"read {table}: {ledger_dir / (table + '.csv')}" in result.output


def test_validate_with_a_mapping_lists_only_its_file(ledger_dir):
    (ledger_dir / "m.yaml").write_text("tables:\n  invoices: {file: invoices.csv}\n")
    result = _run("validate", ledger_dir / "m.yaml")
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("read ")] == [
        f"read invoices: {ledger_dir / 'invoices.csv'}"
    ]


@pytest.mark.parametrize(
    ("command", "as_of"),
    [("features", "01/02/2025"), ("classify", "now"), ("report", "2025-12-31T00:00"),
     ("features", "2025-02-30"), ("classify", "20251231")],
    ids=["slashes", "now", "time", "feb-30", "compact"],
)  # fmt: skip
def test_as_of_is_strict_iso_before_any_work(tmp_path, command, as_of):
    out = tmp_path / ("r" if command == "report" else "o.csv")
    result = _run(command, tmp_path / "no-such-ledger", "--as-of", as_of, "--out", out)
    assert result.exit_code == 1
    assert f"--as-of must be a date in ISO 8601 form (YYYY-MM-DD); got '{as_of}'" in result.output


@pytest.mark.parametrize(
    ("command", "out", "message"),
    [
        ("features", "{tmp}", "is a folder; name a file (.csv, .xlsx or .parquet)"),
        ("classify", "{tmp}/o.txt", "extension must be one of ('.csv', '.xlsx', '.parquet')"),
        ("features", "/sys/segkit/o.csv", "cannot write in /sys"),
        ("classify", "{tmp}/file.csv/o.csv", "file.csv is a file, not a folder"),
        ("report", "{tmp}/file.csv", "is a file; name a folder for the reports"),
        ("report", "/sys/segkit-reports", "cannot write in /sys"),
    ],
    ids=["dir-for-file", "extension", "read-only", "under-a-file", "file-for-dir", "ro-dir"],
)
def test_out_is_checked_before_any_work(tmp_path, command, out, message):
    (tmp_path / "file.csv").write_text("x\n")
    out = out.format(tmp=tmp_path)
    result = _run(command, tmp_path / "no-such-ledger", "--as-of", "2024-06-30", "--out", out)
    assert result.exit_code == 1
    assert message in result.output
    assert "ledger not found" not in result.output


def test_as_of_before_the_first_invoice(ledger_dir, tmp_path):
    result = _run("features", ledger_dir, "--as-of", "2023-12-31", "--out", tmp_path / "f.csv")
    assert result.exit_code == 1
    assert (
        "--as-of 2023-12-31 is before the ledger's first invoice; the invoices run from "
        "2024-01-05 to 2024-03-01, so choose a date from 2024-01-05." in result.output
    )
    assert not (tmp_path / "f.csv").exists()


@pytest.mark.parametrize(("command", "out"), [("classify", "c.csv"), ("report", "reports")])
def test_as_of_long_after_the_data(ledger_dir, tmp_path, command, out):
    result = _run(command, ledger_dir, "--as-of", "2030-01-01", "--out", tmp_path / out)
    assert result.exit_code == 1
    assert not (tmp_path / out).exists()
    assert "--as-of 2030-01-01: no invoice in the 12 months before it" in result.output
    assert "RFMScorer" not in result.output


def test_an_interrupt_exits_130_with_one_line(ledger_dir, monkeypatch):
    from segkit.ledger import model

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model, "read_ledger", interrupted)
    result = _run("validate", ledger_dir)
    assert (result.exit_code, result.output) == (130, "interrupted\n")


def test_an_interrupt_surfacing_as_another_error_still_exits_130(ledger_dir, monkeypatch):
    from segkit.ledger import model

    def kernel_client(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            deadline = time.monotonic() + 300  # only guards a lost signal: poll, never a fixed wait
            while time.monotonic() < deadline:
                time.sleep(0.05)
            raise AssertionError("SIGINT did not arrive in 300 s")
        except KeyboardInterrupt:
            raise RuntimeError("ZMQError: Socket operation on non-socket") from None

    monkeypatch.setattr(model, "read_ledger", kernel_client)
    result = _run("validate", ledger_dir)
    assert (result.exit_code, result.output) == (130, "interrupted\n")


def test_an_unexpected_error_is_one_line(ledger_dir, monkeypatch):
    from segkit.ledger import model

    def broken(*args, **kwargs):
        raise TypeError("something odd")

    monkeypatch.setattr(model, "read_ledger", broken)
    result = _run("validate", ledger_dir)
    assert result.exit_code == 1
    assert result.output == (
        "error: unexpected TypeError: something odd (set SEGKIT_DEBUG=1 to see where)\n"
    )


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (lambda f: set_cell(tables(), "invoices", 3, "amount", "$250.50"),
         "invoices.csv: column 'amount': currency of the amount is the ledger's (CNY): rows 3; "
         "values '$250.50' (1 in all)"),
        (lambda f: set_cell(tables(), "invoices", 2, "invoice_date", "2300-01-05"),
         "invoices.csv: column 'invoice_date': a date from 1900-01-01 to 2199-12-31: rows 2; "
         "values '2300-01-05' (1 in all)"),
    ],
    ids=["currency", "year-2300"],
)  # fmt: skip
def test_a_bad_ledger_through_the_real_command(tmp_path, fault, expected):
    folder = write(tmp_path / "l", fault(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "segkit", "validate", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert expected in done.stderr


def test_payments_as_a_directory_through_the_real_command(ledger_dir):
    (ledger_dir / "payments.csv").unlink()
    (ledger_dir / "payments.csv").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "segkit", "validate", str(ledger_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 1
    assert done.stderr == (
        "error: the ledger has 1 problem(s) in 1 check(s):\n"
        "  - payments.csv: a readable file: values 'a directory' (1 in all)\n"
    )


def test_report_on_a_bad_ledger_fails_before_any_notebook(ledger_dir, tmp_path):
    (ledger_dir / "payments.csv").unlink()
    (ledger_dir / "payments.csv").mkdir()
    result = _run("report", ledger_dir, "--as-of", "2024-06-30", "--out", tmp_path / "r")
    assert result.exit_code == 1
    assert "payments.csv: a readable file: values 'a directory'" in result.output
    assert not (tmp_path / "r").exists()
