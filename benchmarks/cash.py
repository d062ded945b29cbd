"""Late-payment model and 13-week cash forecast on the sample ledger: accuracy and time.

Run by hand::

    python benchmarks/cash.py                      # data/sample, split 2024-12-31

Steps:

1. Read ``data/sample`` and time ``LatePaymentModel().fit(ledger, as_of)`` and ``predict`` at
   the end of the ledger (what a month-end run costs).
2. Out of time: :func:`segkit.cash.time_split_evaluation` fits with what was known at the split
   date and scores the open, not-yet-due invoices at every month-end after it; outcomes are
   read at the end of the ledger. AUC, Brier score and top-decile lift for the gradient-boosting
   model, the logistic baseline and the customer's past share of late invoices; calibration by
   decile; AUC per month.
3. Cash: the 13-week forecast at each month-end after the split whose 13 weeks end inside the
   ledger, from expected payment dates and from due dates, against the weeks the invoices were
   settled.
4. Also the AUC of the sample's hidden ``risk`` (``segkit.sample_ledger()["truth"]``) on the same
   invoices: the ranking a model would reach if it knew each customer's true propensity.

Writes ``benchmarks/results/cash.json`` and the tables ``benchmarks/results/cash.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import pandas as pd

import segkit
from segkit.cash import LatePaymentModel, ledger_end, time_split_evaluation
from segkit.metrics import auc

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def timed(func, *args):
    start = time.perf_counter()
    out = func(*args)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", default=str(ROOT / "data" / "sample"))
    parser.add_argument("--split", default="2024-12-31")
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    ledger = segkit.read_ledger(args.ledger)
    end = ledger_end(ledger)
    model, fit_s = timed(LatePaymentModel().fit, ledger, end)
    predicted, predict_s = timed(model.predict, ledger, end)
    result, eval_s = timed(time_split_evaluation, ledger, args.split)
    truth = segkit.sample_ledger()["truth"].set_index("customer_id")["risk"]
    scored = result.scored
    truth_auc = auc(scored["late"], truth.reindex(scored["customer_id"]).to_numpy())
    report = {
        "ledger": os.path.relpath(args.ledger, ROOT),
        "split": str(result.split),
        "end": str(result.end),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m": round(os.getloadavg()[0], 1),
        },  # fmt: skip
        "seconds": {
            "fit": round(fit_s, 1),
            "predict": round(predict_s, 1),
            "evaluation": round(eval_s, 1),
        },  # fmt: skip
        "open_invoices_at_end": len(predicted),
        "training_rows": model.n_rows_,
        "metrics": result.metrics.round(4).reset_index().to_dict("records"),
        "hidden_risk_auc": round(truth_auc, 4),
        "by_month": result.by_month.round(4)
        .reset_index()
        .astype({"snapshot": str})
        .to_dict("records"),
        "calibration": result.calibration.round(4).to_dict("records"),
        "forecast_errors": result.forecast_errors.round(4).reset_index().to_dict("records"),
        "forecast_origins": sorted({str(d.date()) for d in result.forecast["origin"]}),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cash.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (out / "cash.md").write_text(markdown(report, result))
    print((out / "cash.md").read_text())


def table(frame: pd.DataFrame, index: bool = True) -> str:
    """A pipe table; floats with three decimals."""
    frame = frame.reset_index() if index else frame
    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
             for row in frame.itertuples(index=False)]  # fmt: skip
    head = [str(c) for c in frame.columns]
    rows = [head, ["---"] * len(head), *cells]
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def markdown(report: dict, result) -> str:
    metrics = result.metrics.astype({"n": int})
    cal = result.calibration[["bin", "n", "mean_pd", "default_rate", "ci_lower", "ci_upper"]]
    cal = cal.rename(columns={"mean_pd": "mean_p_late", "default_rate": "late_rate"})
    seconds = report["seconds"]
    lines = [
        "# Late payment and cash forecast on the sample ledger",
        "",
        f"Ledger `{report['ledger']}`, trained with what was known at {report['split']}, "
        f"outcomes read at {report['end']}; {report['machine']['cpus']} CPUs (load average "
        f"{report['machine']['load_average_1m']} when it ended), Python "
        f"{report['machine']['python']}.",
        "",
        f"Fit at the end of the ledger {seconds['fit']} s ({report['training_rows']['late']} "
        f"invoice-month rows for p_late), predict {seconds['predict']} s "
        f"({report['open_invoices_at_end']} open invoices); the whole evaluation "
        f"{seconds['evaluation']} s.",
        "",
        "## Out of time: open, not-yet-due invoices at each month-end after the split",
        "",
        table(metrics),
        "",
        f"Ranking the same invoices by the sample's hidden risk gives AUC "
        f"{report['hidden_risk_auc']:.3f}: the ceiling for a model that only sees the ledger.",
        "",
        "## Calibration of p_late by decile",
        "",
        table(cal, index=False),
        "",
        "## AUC by month",
        "",
        table(result.by_month),
        "",
        "## 13-week cash forecast against receipts",
        "",
        f"Origins: {', '.join(report['forecast_origins'])}.",
        "",
        table(result.forecast_errors),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
