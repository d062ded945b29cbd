"""The segkit command: short summaries, files written, clean errors with exit code 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from segkit.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
runner = CliRunner()


def _bad_ledger(tmp_path, invoices, customers):
    invoices.loc[1, "due_date"] = "2020-01-01"
    invoices.loc[3, "customer_id"] = "C99"
    invoices.to_csv(tmp_path / "invoices.csv", index=False)
    customers.to_csv(tmp_path / "customers.csv", index=False)
    return tmp_path


def test_validate_prints_a_summary():
    result = runner.invoke(app, ["validate", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "invoices" in result.output and "36193" in result.output
    assert "no problems found" in result.output


def test_validate_bad_ledger_exits_1_with_every_problem_and_no_traceback(
    tmp_path, invoices, customers
):
    folder = _bad_ledger(tmp_path, invoices, customers)
    done = subprocess.run(
        [sys.executable, "-m", "segkit", "validate", str(folder)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert (
        "invoices.csv: column 'due_date': due_date on or after invoice_date: rows 3" in done.stderr
    )
    assert (
        "invoices.csv: column 'customer_id': customer_id exists in customers: rows 5; values 'C99'"
        in done.stderr
    )


def test_missing_folder_and_bad_mapping_are_clean_errors(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "ledger not found" in result.output
    (tmp_path / "m.yaml").write_text("tables: {invoice: {}}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path), "--mapping", str(tmp_path / "m.yaml")])
    assert result.exit_code == 1 and "unknown table(s) ['invoice']" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_classify_writes_each_format(tmp_path, suffix):
    out = tmp_path / f"classes{suffix}"
    result = runner.invoke(
        app, ["classify", str(SAMPLE), "--as-of", "2025-12-31", "--out", str(out), "--no-credit"]
    )
    assert result.exit_code == 0, result.output
    read = {".csv": pd.read_csv, ".xlsx": pd.read_excel, ".parquet": pd.read_parquet}[suffix]
    table = read(out)
    if suffix != ".parquet":
        table = table.set_index("customer_id")
    assert len(table) == 2000
    assert {"freq_class", "rfm_segment", "rfm_class_cn", "abc_tier", "risk_tier", "reason"} <= set(
        table.columns
    )
    assert "2000 customers classified" in result.output


def test_classify_with_rules_and_chinese_labels(tmp_path):
    out = tmp_path / "classes.csv"
    rules = Path(__file__).resolve().parents[1] / "examples" / "rules.yaml"
    result = runner.invoke(
        app,
        [
            "classify",
            str(SAMPLE),
            "--as-of",
            "2025-12-31",
            "--out",
            str(out),
            "--rules",
            str(rules),
            "--lang",
            "zh",
            "--labels",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table["rule_id"].notna().all()
    assert "重要价值客户" in set(table["rfm_class_cn"])
    scored = table["grade"].notna()
    assert scored.sum() > 500 and table.loc[scored, "pd"].between(0, 1).all()
    assert (table.loc[scored, "limit_proposed"] >= 0).all()
    assert "grade:" in result.output


def test_classify_bad_output_extension(tmp_path):
    result = runner.invoke(
        app, ["classify", str(SAMPLE), "--as-of", "2025-12-31", "--out", str(tmp_path / "x.txt")]
    )
    assert result.exit_code == 1 and "extension must be one of" in result.output


def test_sample_and_features_commands(tmp_path):
    result = runner.invoke(
        app, ["sample", "--out", str(tmp_path / "s"), "--customers", "60", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "customers.csv",
        "invoices.csv",
        "payments.csv",
    ]
    result = runner.invoke(
        app,
        [
            "features",
            str(tmp_path / "s"),
            "--as-of",
            "2025-06-30",
            "--out",
            str(tmp_path / "f.parquet"),
        ],
    )
    assert result.exit_code == 0, result.output
    whole = pd.read_parquet(tmp_path / "f.parquet")
    assert 0 < len(whole) <= 60
    batched = tmp_path / "b.parquet"
    args = ["features", str(tmp_path / "s"), "--as-of", "2025-06-30", "--out", str(batched)]
    result = runner.invoke(app, [*args, "--batches", "4"])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(batched), whole)
    result = runner.invoke(app, [*args, "--batches", "0"])
    assert result.exit_code == 1 and "batches must be an int >= 1" in result.output


def test_report_failure_names_the_study_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGKIT_NOTEBOOKS", str(FIXTURES))
    result = runner.invoke(
        app,
        [
            "report",
            str(SAMPLE),
            "--as-of",
            "2025-12-31",
            "--out",
            str(tmp_path),
            "--study",
            "broken",
        ],
    )
    assert result.exit_code == 1
    assert "broken" in result.output
    assert (tmp_path / "2025-12-31" / "broken.ipynb").is_file()
