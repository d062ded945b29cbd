"""Cash collection: which open invoice will be paid late, what to do about it, and when cash comes.

- :class:`LatePaymentModel`: per open invoice, the calibrated probability of late and very late
  payment, the expected days late and payment date, and the main reasons;
- :func:`time_split_evaluation`: out-of-time AUC, Brier score, calibration and lift, beside a
  logistic baseline, with the cash-forecast backtest;
- :func:`load_strategy` and :func:`collection_worklist`: a collection plan per customer class
  and invoice risk (``strategy.yaml``), and each open invoice's next action and date;
- :func:`cash_forecast`: expected receipts by week for 13 weeks against the due-date forecast.
"""

from .evaluation import CashValidation, ledger_end, time_split_evaluation, top_decile_lift
from .forecast import cash_forecast, forecast_backtest
from .model import BASELINE_FEATURES, FEATURES, LatePaymentModel
from .reasons import REASON_GROUPS, reason_text
from .snapshots import invoice_outcomes, invoice_snapshots, month_ends
from .strategy import (
    ACTIONS,
    DEFAULT_STRATEGY,
    Strategy,
    collection_worklist,
    load_strategy,
    plan_table,
)

__all__ = [
    "ACTIONS",
    "DEFAULT_STRATEGY",
    "Strategy",
    "collection_worklist",
    "load_strategy",
    "plan_table",
    "BASELINE_FEATURES",
    "FEATURES",
    "REASON_GROUPS",
    "CashValidation",
    "LatePaymentModel",
    "cash_forecast",
    "forecast_backtest",
    "invoice_outcomes",
    "invoice_snapshots",
    "ledger_end",
    "month_ends",
    "reason_text",
    "time_split_evaluation",
    "top_decile_lift",
]
