"""A foreign ERP export (other column names, another date format, GBK) through validate and report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from segkit.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
MAPPING = """\
encoding: gbk
date_format: "%Y/%m/%d"
thousands: ","
tables:
  customers:
    file: 客户档案.csv
    columns: {customer_id: 客户编码, name: 客户名称, industry_code: 行业代码, province: 省份}
  invoices:
    file: 应收单.csv
    columns: {invoice_id: 单据号, customer_id: 客户编码, invoice_date: 单据日期, amount: 价税合计}
    defaults: {payment_terms_days: 60}
  payments:
    file: 收款单.csv
    columns: {payment_id: 收款单号, customer_id: 客户编码, invoice_id: 核销单据号,
              payment_date: 收款日期, amount: 收款金额}
"""


@pytest.fixture(scope="module")
def foreign_export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("erp")
    customers = pd.read_csv(SAMPLE / "customers.csv", dtype=str).head(120)
    keep = set(customers["customer_id"])
    invoices = pd.read_csv(SAMPLE / "invoices.csv", dtype=str)
    invoices = invoices[invoices["customer_id"].isin(keep)]
    payments = pd.read_csv(SAMPLE / "payments.csv", dtype=str)
    payments = payments[payments["customer_id"].isin(keep)]
    slash = lambda s: s.str.replace("-", "/")  # noqa: E731 - a one-off column transform
    money = lambda s: s.astype(float).map(lambda v: f"{v:,.2f}")  # noqa: E731
    customers[["customer_id", "name", "industry_code", "province"]].set_axis(
        ["客户编码", "客户名称", "行业代码", "省份"], axis=1
    ).to_csv(folder / "客户档案.csv", index=False, encoding="gbk")
    pd.DataFrame(
        {
            "单据号": invoices["invoice_id"],
            "客户编码": invoices["customer_id"],
            "单据日期": slash(invoices["invoice_date"]),
            "价税合计": money(invoices["amount"]),
        }
    ).to_csv(folder / "应收单.csv", index=False, encoding="gbk")
    pd.DataFrame(
        {
            "收款单号": payments["payment_id"],
            "客户编码": payments["customer_id"],
            "核销单据号": payments["invoice_id"],
            "收款日期": slash(payments["payment_date"]),
            "收款金额": money(payments["amount"]),
        }
    ).to_csv(folder / "收款单.csv", index=False, encoding="gbk")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return folder


def test_foreign_export_validates(foreign_export):
    result = CliRunner().invoke(app, ["validate", str(foreign_export / "mapping.yaml")])
    assert result.exit_code == 0, result.output
    assert "read as gbk" in result.output
    assert "due_date = invoice_date + 60 days" in result.output
    assert "no problems found" in result.output


def test_foreign_export_runs_the_segmentation_study(foreign_export, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(foreign_export / "mapping.yaml"),
            "--as-of",
            "2025-06-30",
            "--out",
            str(tmp_path),
            "--study",
            "segmentation",
        ],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "2025-06-30"
    assert (out / "segmentation.html").is_file() and (out / "index.html").is_file()
    classes = pd.read_csv(out / "classification.csv", encoding="utf-8-sig")
    assert len(classes) <= 120 and classes["customer_id"].str.startswith("C").all()
    params = json.loads((out / "segmentation.parameters.json").read_text(encoding="utf-8"))
    assert params["parameters"]["data"].endswith("mapping.yaml")
