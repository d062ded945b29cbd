"""Out-of-time validation of the late-payment model, and the cash-forecast backtest beside it.

:func:`time_split_evaluation` fits :class:`~segkit.cash.LatePaymentModel` with what was known at
a split date, then scores the open, not-yet-due invoices at every month-end after it and
compares with what happened by the end of the data: AUC, Brier score, calibration by decile and
the lift in the top decile, for the gradient-boosting model, the logistic baseline and the
plain ranking by the customer's past share of late invoices. The 13-week cash forecast is
backtested on the same fitted model (:func:`segkit.cash.forecast.forecast_backtest`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from segkit.checks import as_date
from segkit.exceptions import ConfigError
from segkit.metrics import auc, brier, calibration_table

from .forecast import forecast_backtest
from .model import LatePaymentModel
from .snapshots import invoice_outcomes, invoice_snapshots, month_ends

__all__ = [
    "CALIBRATION_GAP", "CHANCE_AUC", "CashValidation", "ledger_end", "top_decile_lift",
    "time_split_evaluation", "validation_check",
]  # fmt: skip

SCORES = {
    "in_use": "p_late",
    "gradient_boosting": "p_boosting",
    "logistic": "p_baseline",
    "share_late": "p_share_late",
}


@dataclasses.dataclass
class CashValidation:
    """The result of :func:`time_split_evaluation`.

    Attributes
    ----------
    metrics : pandas.DataFrame
        One row per score (``in_use``: the score the model uses, its ``chosen_``;
        ``gradient_boosting``, ``logistic``, ``share_late``): ``n``, ``late_rate``, ``auc``,
        ``brier``, ``top_decile_lift``.
    by_month : pandas.DataFrame
        Per scoring month-end: ``n``, ``late_rate`` and the AUC of each score.
    calibration : pandas.DataFrame
        Calibration of ``p_late`` by decile (:func:`segkit.credit.calibration_table`).
    scored : pandas.DataFrame
        The test rows: ``snapshot``, ``invoice_id``, ``customer_id``, ``late`` and each score.
    forecast : pandas.DataFrame
        13-week forecast backtest per origin and week (see
        :func:`segkit.cash.forecast.forecast_backtest`).
    forecast_errors : pandas.DataFrame
        Error of the model and the naive forecast.
    model : LatePaymentModel
        The model fitted at ``split``.
    split, end : datetime.date
    rows : pandas.DataFrame
        The open invoices at every month-end up to ``end`` with their features
        (:func:`segkit.cash.invoice_snapshots`), for reuse.
    """

    metrics: pd.DataFrame
    by_month: pd.DataFrame
    calibration: pd.DataFrame
    scored: pd.DataFrame
    forecast: pd.DataFrame
    forecast_errors: pd.DataFrame
    model: LatePaymentModel
    split: dt.date
    end: dt.date
    rows: pd.DataFrame


def ledger_end(ledger) -> dt.date:
    """The last date in the ledger (invoices and payments): what is known at the end."""
    last = ledger.invoices.invoice_date.max().execute()
    if ledger.payments is not None:
        last = max(pd.Timestamp(last), pd.Timestamp(ledger.payments.payment_date.max().execute()))
    return pd.Timestamp(last).date()


def top_decile_lift(y, score) -> float:
    """Late rate in the top tenth of scores over the overall late rate."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    top = order[: max(1, int(np.ceil(len(y) / 10)))]
    rate = y.mean()
    return float(y[top].mean() / rate) if rate > 0 else float("nan")


def time_split_evaluation(ledger, split, end=None, model=None, weeks: int = 13):
    """Train on what was known at ``split``; score every month-end after it.

    Parameters
    ----------
    ledger : segkit.Ledger
        A ledger with payments or ``invoices.settled_date``.
    split : str or datetime.date
        The fit date: the model sees only outcomes known then.
    end : str or datetime.date, optional
        Date of knowledge of the outcomes; the end of the ledger by default. Test invoices
        are those open and not yet due at a month-end in ``(split, end]`` whose due date is
        before ``end`` (so their outcome is known).
    model : LatePaymentModel, optional
        The (unfitted) model to evaluate; default settings otherwise.
    weeks : int, default 13
        Horizon of the cash-forecast backtest.

    Returns
    -------
    CashValidation
    """
    split = as_date(split, "split")
    end = ledger_end(ledger) if end is None else as_date(end, "end")
    if end <= split:
        raise ConfigError(f"end must be after split; got split={split}, end={end}.")
    first = pd.Timestamp(ledger.invoices.invoice_date.min().execute()).date()
    rows = invoice_snapshots(ledger, month_ends(first, end))
    model = LatePaymentModel() if model is None else model
    model.fit_rows(rows, invoice_outcomes(ledger, split), split)
    outcomes = invoice_outcomes(ledger, end)
    scored = _scored(model, rows, outcomes, split, end)
    if scored["late"].nunique() < 2:
        raise ConfigError(
            f"no test invoices with both outcomes between split={split} and end={end}; "
            "choose an earlier split."
        )
    origins = [d for d in month_ends(split, end) if d > split]
    backtest, errors = forecast_backtest(model, rows, outcomes, origins, end, weeks)
    return CashValidation(
        metrics=_metrics(scored),
        by_month=_by_month(scored),
        calibration=calibration_table(scored["late"], scored["p_late"], n_bins=10),
        scored=scored,
        forecast=backtest,
        forecast_errors=errors,
        model=model,
        split=split,
        end=end,
        rows=rows,
    )


def _scored(model, rows, outcomes, split, end) -> pd.DataFrame:
    snap = rows["snapshot"]
    test = rows[(snap > pd.Timestamp(split)) & (rows["days_to_due"] >= 0)]
    test = test[test["due_date"] < pd.Timestamp(end)]
    parts = []
    for _day, part in test.groupby("snapshot", sort=True):
        scores = model.score_rows(part, reasons=False)["p_late"]
        parts.append(part.assign(p_late=scores.reindex(part["invoice_id"]).to_numpy()))
    test = pd.concat(parts, ignore_index=True)
    days = outcomes["days_late"].reindex(test["invoice_id"]).to_numpy()
    history = test["share_late"].fillna(test["share_late"].mean())
    return pd.DataFrame(
        {
            "snapshot": test["snapshot"],
            "invoice_id": test["invoice_id"],
            "customer_id": test["customer_id"],
            "late": (days > 0).astype(int),
            "p_late": test["p_late"],
            "p_boosting": model.boosting_proba(test),
            "p_baseline": model.baseline_proba(test),
            "p_share_late": history,
        }
    )


def _metrics(scored: pd.DataFrame) -> pd.DataFrame:
    y = scored["late"]
    rows = {
        name: {
            "n": len(y),
            "late_rate": float(y.mean()),
            "auc": auc(y, scored[col]),
            "brier": brier(y, scored[col]),
            "mean_p": float(scored[col].mean()),
            "top_decile_lift": top_decile_lift(y, scored[col]),
        }
        for name, col in SCORES.items()
    }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("score")
    return table.astype({"n": "int64"})


def _by_month(scored: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for day, part in scored.groupby("snapshot", sort=True):
        both = part["late"].nunique() == 2
        row = {"n": len(part), "late_rate": float(part["late"].mean())}
        for name, col in SCORES.items():
            row[f"auc_{name}"] = auc(part["late"], part[col]) if both else float("nan")
        out[pd.Timestamp(day).date()] = row
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("snapshot")


#: Out-of-time AUC at or below which the late-payment score ranks no better than a coin toss.
CHANCE_AUC = 0.5
#: Largest gap between the mean predicted and the observed late rate out of time.
CALIBRATION_GAP = 0.15


def validation_check(metrics: pd.DataFrame) -> tuple[str, dict] | None:
    """The note withholding the late-payment model, or None when its out-of-time test passes.

    The score in use must rank late payers better than chance (AUC above :data:`CHANCE_AUC`)
    and its mean probability must stay within :data:`CALIBRATION_GAP` of the late rate seen.
    """
    row: dict = metrics.loc["in_use"].to_dict()
    score, rate = float(row["auc"]), float(row["late_rate"])
    if np.isnan(score):  # the test months hold one outcome only: nothing to rank
        return "withheld_untested", {"n": int(row["n"])}
    if score <= CHANCE_AUC:
        return "withheld_chance", {"auc": score, "n": int(row["n"])}
    mean_p = float(row.get("mean_p", rate))
    if abs(mean_p - rate) > CALIBRATION_GAP:
        return "withheld_calibration", {"mean_p": mean_p, "late_rate": rate}
    return None
