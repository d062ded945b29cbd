"""Writing the workbook against a CSV of the same table: 25,000 customers × 40 columns.

Writes ``results/workbook.json`` and ``results/workbook.md``. The table is seeded synthetic
classification output (ids, names, codes, amounts, shares, dates); the workbook goes through
:func:`segkit.output.workbook.add_sheet` (labels, formats, widths, safe cells) and
``save_workbook``, the CSV through :func:`segkit.output.export.write_table`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.output.export import write_table
from segkit.output.workbook import add_sheet, new_workbook, save_workbook

HERE = Path(__file__).resolve().parent
ROWS = 25_000


def table(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(index=pd.Index([f"C{i:06d}" for i in range(rows)], name="customer_id"))
    frame["name"] = [f"客户{i}有限公司" for i in range(rows)]
    for column in ("freq_class", "amount_class", "rfm_segment", "abc_tier", "grade"):
        frame[column] = rng.choice(["champions", "loyal", "lost", "A", "B"], rows)
    for k in range(20):
        frame[f"revenue_{k}"] = rng.lognormal(12, 2, rows).round(2)
    for k in range(10):
        frame[f"share_{k}"] = rng.random(rows)
    frame["last_invoice"] = pd.Timestamp("2025-12-31") - pd.to_timedelta(
        rng.integers(0, 900, rows), unit="D"
    )
    frame["reason"] = "3 invoices in 12 months; revenue in the top 20 %"
    return frame


def _timed(step) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    frame = table()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)

        def xlsx():
            book = new_workbook()
            add_sheet(book, frame, "Classification", lang="zh", currency="CNY")
            save_workbook(book, out / "w.xlsx")

        xlsx_wall, xlsx_cpu = _timed(xlsx)
        csv_wall, csv_cpu = _timed(lambda: write_table(frame, out / "t.csv"))
    result = {
        "rows": len(frame), "columns": frame.shape[1] + 1, "xlsx_s": xlsx_wall,
        "xlsx_cpu_s": xlsx_cpu, "csv_s": csv_wall, "csv_cpu_s": csv_cpu,
        "load_average": os.getloadavg()[0],
    }  # fmt: skip
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "workbook.json").write_text(json.dumps(result, indent=2) + "\n")
    line = (
        f"| {result['rows']:,} rows × {result['columns']} columns | xlsx {xlsx_wall:.1f} s "
        f"({xlsx_cpu:.1f} s CPU) | CSV {csv_wall:.1f} s ({csv_cpu:.1f} s CPU) | load average "
        f"{result['load_average']:.1f} |"
    )
    table_md = "| table | workbook | CSV | machine |\n|---|---|---|---|\n" + line + "\n"
    (HERE / "results" / "workbook.md").write_text(table_md)
    print(table_md)


if __name__ == "__main__":
    main()
