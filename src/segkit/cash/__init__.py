"""Cash collection: which open invoice will be paid late, what to do about it, and when cash comes.

- :class:`LatePaymentModel`: per open invoice, the calibrated probability of late and very late
  payment, the expected days late and payment date, and the main reasons;
- :func:`time_split_evaluation`: out-of-time AUC, Brier score, calibration and lift, beside a
  logistic baseline, with the cash-forecast backtest;
- :func:`load_strategy` and :func:`collection_worklist`: a collection plan per customer class
  and invoice risk (``strategy.yaml``), each open invoice on its plan's ladder or the dispute
  route with the first step not done as its next action (:mod:`segkit.cash.ladder`);
- :func:`customer_tasks`, :func:`dispute_list`, :func:`owner_view`, :func:`people_table`: one
  task per customer by money at risk, the disputes apart, tasks per owner, tables in words;
- :func:`collection_kpis`: CEI, average days delinquent, best possible DSO, share current,
  disputes and their aging, at any dates;
- :func:`cash_forecast`: expected receipts by week for 13 weeks against the due-date forecast.
"""

from .evaluation import CashValidation, ledger_end, time_split_evaluation, top_decile_lift
from .forecast import cash_forecast, forecast_backtest
from .kpis import KPIS, collection_kpis
from .ladder import DISPUTE_STEPS, ladder_state, steps_done
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
from .tasks import customer_tasks, dispute_list, owner_view, people_table

__all__ = [
    "ACTIONS",
    "DISPUTE_STEPS",
    "KPIS",
    "collection_kpis",
    "customer_tasks",
    "dispute_list",
    "ladder_state",
    "owner_view",
    "people_table",
    "steps_done",
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
