"""Tests of the choice between the boosted late-payment model and its logistic baseline."""

import numpy as np
import pandas as pd
import pytest

from segkit import Ledger
from segkit.cash import LatePaymentModel, time_split_evaluation
from segkit.cash.selection import outcomes_at
from segkit.exceptions import ConfigError

END = pd.Timestamp("2024-12-31")


def logistic_frames(seed: int = 7, customers: int = 40, months: int = 24) -> dict:
    """Invoices paid late with probability sigmoid(3 - 0.6 x log amount): a logistic truth."""
    rng = np.random.default_rng(seed)
    issued = pd.date_range("2023-01-01", periods=months, freq="MS")
    rows = []
    for c in range(customers):
        for i, month in enumerate(issued):
            for k in range(2):
                day = month + pd.Timedelta(days=int(rng.integers(0, 27)))
                amount = float(np.exp(rng.uniform(3, 9)))
                rows.append((f"C{c:02d}-{i:02d}-{k}", f"C{c:02d}", day, amount))
    inv = pd.DataFrame(rows, columns=["invoice_id", "customer_id", "invoice_date", "amount"])
    inv["due_date"] = inv["invoice_date"] + pd.Timedelta(days=30)
    p = 1 / (1 + np.exp(-(3 - 0.6 * np.log(inv["amount"]))))
    late = rng.random(len(inv)) < p
    delay = np.where(late, rng.integers(1, 40, len(inv)), -rng.integers(0, 10, len(inv)))
    paid = inv["due_date"] + pd.to_timedelta(delay, unit="D")
    pay = inv.assign(payment_id="P" + inv["invoice_id"], payment_date=paid)[paid <= END]
    pay = pay[["payment_id", "customer_id", "invoice_id", "payment_date", "amount"]]
    return {"invoices": inv, "payments": pay}


@pytest.fixture(scope="module")
def logistic_ledger():
    frames = logistic_frames()
    return Ledger.from_frames(frames["invoices"], payments=frames["payments"])


def test_where_the_logistic_model_is_right_it_is_used(logistic_ledger):
    model = LatePaymentModel(cv=2).fit(logistic_ledger, "2024-09-30")
    table = model.selection_
    assert model.chosen_ == "logistic"
    assert (table["note"] == "compared").all() and table.loc["logistic", "n"] > 100
    assert table.loc["logistic", "auc"] >= table.loc["gradient_boosting", "auc"]
    # p_late of invoices not yet due is the baseline's
    result = time_split_evaluation(logistic_ledger, "2024-06-30", model=LatePaymentModel(cv=2))
    metrics = result.metrics
    assert result.model.chosen_ == "logistic"
    assert metrics.loc["in_use", "auc"] == pytest.approx(metrics.loc["logistic", "auc"])
    assert metrics.loc["in_use", "auc"] >= metrics.loc["gradient_boosting", "auc"] - 0.01


def test_a_fixed_choice_is_kept_and_reported(logistic_ledger):
    model = LatePaymentModel(cv=2, choice="gradient_boosting").fit(logistic_ledger, "2024-09-30")
    assert model.chosen_ == "gradient_boosting" and model.selection_ is None
    with pytest.raises(ConfigError, match=r"choice must be 'auto', 'gradient_boosting' or "):
        LatePaymentModel(choice="blend").fit(logistic_ledger, "2024-09-30")
    with pytest.raises(ConfigError, match=r"holdout_months must be an int >= 1; got 0"):
        LatePaymentModel(holdout_months=0).fit(logistic_ledger, "2024-09-30")


def test_too_short_a_history_to_compare_keeps_the_boosting(logistic_ledger):
    model = LatePaymentModel(cv=2, holdout_months=20).fit(logistic_ledger, "2024-09-30")
    assert model.chosen_ == "gradient_boosting"
    assert set(model.selection_["note"]) == {"too_little_history"}
    assert model.selection_["auc"].isna().all()


def test_outcomes_known_earlier_are_censored_by_hand():
    outcomes = pd.DataFrame(
        {
            "due_date": pd.to_datetime(["2024-01-31", "2024-01-31"]),
            "settled_date": pd.to_datetime(["2024-02-10", "2024-05-01"]),
            "days_late": [10.0, 91.0],
        },
        index=pd.Index(["A", "B"], name="invoice_id"),
    )
    earlier = outcomes_at(outcomes, pd.Timestamp("2024-03-31"))
    assert list(earlier["days_late"]) == [10.0, 60.0]  # B still open then: 60 days past due
