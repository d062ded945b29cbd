"""Run every benchmark and write ``benchmarks/results/`` (the figures of docs/scale.md).

::

    python benchmarks/run_all.py            # interactive figures, 1M and 10M, both shapes
    python benchmarks/run_all.py --quick    # interactive figures and 1M only
    python benchmarks/run_all.py --with-100m  # adds 100M invoices (about 25 minutes, 4 GB of Parquet)

Steps, each in its own processes (see ``interactive.py`` and ``features.py``):

1. the interactive figures on the sample ledger (import, validate, classify, report suite),
   the scorecard's out-of-time AUC with and without monotone points (``scorecard.py``) and
   the workbook against a CSV at 25,000 rows (``workbook.py``);
2. customer features on 1M invoices, payments and settled-date shapes, all contenders;
3. the same on 10M invoices without pandas (minutes per contender);
4. optionally 100M invoices, payments shape, in batches (segkit and the SQL query).

Results go to ``results/interactive.*`` and ``results/features_*.json``, and the tables to
``results/interactive.md`` and ``results/features.md``; the README's "Measured" table is then
rewritten from them (``readme_table.py``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _steps(args) -> list[list[str]]:
    features = [sys.executable, str(HERE / "features.py")]
    steps = [
        [sys.executable, str(HERE / "interactive.py")],
        [sys.executable, str(HERE / "scorecard.py")],
    ]
    for shape in ("payments", "settled"):
        steps.append([*features, "--invoices", "1_000_000", "--shape", shape])
    if not args.quick:
        for shape in ("payments", "settled"):
            steps.append([*features, "--invoices", "10_000_000", "--shape", shape,
                          "--contenders", "segkit,duckdb_sql,polars"])  # fmt: skip
    if args.with_100m:
        steps.append([*features, "--invoices", "100_000_000", "--contenders", "segkit,duckdb_sql",
                      "--memory-limit", "segkit=3GB,duckdb_sql=6500MB", "--batches", "8"])  # fmt: skip
    return steps


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10M runs")
    parser.add_argument("--with-100m", action="store_true", help="add the 100M run")
    args = parser.parse_args(argv)
    for step in _steps(args):
        print("$", " ".join(step[1:]), flush=True)
        subprocess.run(step, check=True)
    subprocess.run([sys.executable, str(HERE / "readme_table.py")], check=True)


if __name__ == "__main__":
    main()
