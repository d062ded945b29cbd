"""Tests of segkit.cash.LatePaymentModel: known answers, leakage, hidden behaviour, calibration."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from segkit import Ledger, sample_ledger
from segkit.cash import LatePaymentModel, time_split_evaluation
from segkit.exceptions import ConfigError
from segkit.metrics import auc

END = pd.Timestamp("2024-12-31")


def behaviour_frames(delays: dict[str, int], months: int = 24) -> dict[str, pd.DataFrame]:
    """One invoice a month per customer, 30-day terms, paid ``delays[customer]`` days late."""
    issued = pd.date_range("2023-01-01", periods=months, freq="MS") + pd.Timedelta(days=9)
    rows = [
        (f"{c}-{i:02d}", c, day, day + pd.Timedelta(days=30), 1000.0 + 10 * i)
        for c in delays
        for i, day in enumerate(issued)
    ]
    inv = pd.DataFrame(
        rows, columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount"]
    )
    paid = inv["due_date"] + pd.to_timedelta(inv["customer_id"].map(delays), unit="D")
    pay = inv.assign(payment_id="P" + inv["invoice_id"], payment_date=paid)[paid <= END]
    pay = pay[["payment_id", "customer_id", "invoice_id", "payment_date", "amount"]]
    return {"invoices": inv, "payments": pay}


@pytest.fixture(scope="module")
def known():
    delays = {f"S{i}": 25 for i in range(8)} | {f"P{i}": -3 for i in range(8)}
    frames = behaviour_frames(delays)
    ledger = Ledger.from_frames(frames["invoices"], payments=frames["payments"])
    model = LatePaymentModel(cv=2, max_iter=30).fit(ledger, "2024-06-30")
    return ledger, model, model.predict(ledger, "2024-06-30")


def test_known_behaviour_is_predicted(known):
    _, _, pred = known
    slow = pred["customer_id"].str.startswith("S")
    not_due = pred["days_past_due"] <= 0
    assert (pred.loc[slow & not_due, "p_late"] > 0.9).all()
    assert (pred.loc[~slow & not_due, "p_late"] < 0.1).all()
    # slow customers' May invoice (due June 9) is 21 days past due at June 30
    late_now = slow & (pred["days_past_due"] > 0)
    assert late_now.sum() == 8 and (pred.loc[late_now, "p_late"] == 1.0).all()
    days = pred.loc[slow & not_due, "expected_days_late"]
    assert days.between(22, 28).all()
    expected = pred["due_date"] + pd.to_timedelta(pred["expected_days_late"], unit="D")
    assert (pred["expected_payment_date"] == expected).all()
    assert (pred["expected_payment_date"] > pd.Timestamp("2024-06-30")).all()
    assert pred.loc[slow & not_due, "reasons"].str.contains("payment_history").all()


def test_predict_shape_and_ranges(known):
    ledger, model, pred = known
    assert pred.index.name == "invoice_id" and pred.index.is_unique
    open_ids = {f"{c}{i}-17" for c in "SP" for i in range(8)}  # issued 2024-06-10
    assert open_ids <= set(pred.index)
    assert pred["p_late"].between(0, 1).all() and pred["p_very_late"].between(0, 1).all()
    assert model.n_rows_["late"] > 100 and model.as_of_ == dt.date(2024, 6, 30)


def test_invoices_in_default_get_no_payment_date():
    delays = {f"S{i}": 20 for i in range(6)} | {f"P{i}": -3 for i in range(6)}
    frames = behaviour_frames(delays)
    pay = frames["payments"]
    stop = ~(pay["customer_id"].eq("S0") & (pay["payment_date"] > pd.Timestamp("2024-02-01")))
    ledger = Ledger.from_frames(frames["invoices"], payments=pay[stop])
    pred = (
        LatePaymentModel(cv=2, max_iter=20).fit(ledger, "2024-06-30").predict(ledger, "2024-06-30")
    )
    gone = pred[pred["days_past_due"] > 90]
    assert len(gone) > 0 and (gone["customer_id"] == "S0").all()
    assert gone["expected_payment_date"].isna().all() and (gone["reasons"] == "in_default").all()
    assert (gone["p_very_late"] == 1.0).all()


def test_fit_is_seeded(known):
    ledger, _, pred = known
    again = (
        LatePaymentModel(cv=2, max_iter=30).fit(ledger, "2024-06-30").predict(ledger, "2024-06-30")
    )
    pd.testing.assert_frame_equal(pred, again)


def _cut(frames: dict, day: str) -> Ledger:
    """The ledger as it stood at ``day``: later invoices and payments removed."""
    day = pd.Timestamp(day)
    inv = frames["invoices"][pd.to_datetime(frames["invoices"]["invoice_date"]) <= day]
    pay = frames["payments"][pd.to_datetime(frames["payments"]["payment_date"]) <= day]
    return Ledger.from_frames(inv, frames["customers"], pay)


@pytest.fixture(scope="module")
def small_sample():
    return sample_ledger(n_customers=200, seed=7)


def test_scores_at_a_date_ignore_later_data(small_sample):
    full = Ledger.from_frames(
        small_sample["invoices"], small_sample["customers"], small_sample["payments"]
    )
    cut = _cut(small_sample, "2025-03-31")
    model = LatePaymentModel(max_iter=40)
    before = model.fit(full, "2025-03-31").predict(full, "2025-03-31")
    after = LatePaymentModel(max_iter=40).fit(cut, "2025-03-31").predict(cut, "2025-03-31")
    pd.testing.assert_frame_equal(before, after)
    # the predictions at an earlier date with the fitted model do not see later data either
    pd.testing.assert_frame_equal(
        model.predict(full, "2024-12-31"), model.predict(cut, "2024-12-31")
    )


@pytest.fixture(scope="module")
def validation():
    frames = sample_ledger(n_customers=800, seed=11)
    ledger = Ledger.from_frames(frames["invoices"], frames["customers"], frames["payments"])
    return frames, time_split_evaluation(ledger, "2024-12-31")


def test_hidden_payment_behaviour_is_recovered(validation):
    frames, result = validation
    risk = frames["truth"].set_index("customer_id")["risk"]
    scored = result.scored
    truth_auc = auc(scored["late"], risk.reindex(scored["customer_id"]).to_numpy())
    model_auc = result.metrics.loc["gradient_boosting", "auc"]
    assert model_auc > truth_auc - 0.03  # as good as knowing the hidden risk, up to noise
    assert model_auc > result.metrics.loc["share_late", "auc"]
    per_customer = scored.groupby("customer_id")["p_late"].mean()
    rho = spearmanr(per_customer, risk.reindex(per_customer.index)).statistic
    assert rho > 0.6


def test_out_of_time_probabilities_are_calibrated(validation):
    _, result = validation
    table = result.calibration
    assert len(table) == 10
    assert (table["mean_pd"] - table["default_rate"]).abs().max() < 0.08
    scored = result.scored
    assert abs(scored["p_late"].mean() - scored["late"].mean()) < 0.03
    late_rate = scored["late"].mean()
    assert result.metrics.loc["gradient_boosting", "brier"] < late_rate * (1 - late_rate)
    assert result.metrics.loc["gradient_boosting", "top_decile_lift"] > 1.5
    errors = result.forecast_errors
    assert errors.loc["model", "total_error"] < errors.loc["naive", "total_error"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"cv": 1}, r"cv must be an int >= 2; got 1"),
        ({"very_late_days": 0}, r"very_late_days must be an int >= 1; got 0"),
        ({"calibration": "beta"}, r"calibration must be 'isotonic' or 'sigmoid'; got 'beta'"),
        ({"n_threads": True}, r"n_threads must be an int >= 1; got True"),
    ],
    ids=["cv", "very_late_days", "calibration", "n_threads"],
)
def test_bad_parameters(known, params, message):
    ledger, _, _ = known
    with pytest.raises(ConfigError, match=message):
        LatePaymentModel(**params).fit(ledger, "2024-06-30")


def test_too_little_history_is_a_config_error(known):
    ledger, _, _ = known
    with pytest.raises(
        ConfigError, match=r"as_of=2023-02-28 the ledger has \d+ invoice-month rows"
    ):
        LatePaymentModel().fit(ledger, "2023-02-28")


def test_predict_before_fit():
    with pytest.raises(Exception, match="not fitted"):
        LatePaymentModel().predict(None, "2024-06-30")


def test_params_are_stored_untouched():
    model = LatePaymentModel(days_cap=60, random_state=3)
    assert model.get_params()["days_cap"] == 60 and not hasattr(model, "late_model_")
    assert np.isclose(model.get_params()["learning_rate"], 0.15)


def test_too_little_elapsed_time_for_days_late(known):
    ledger, _, _ = known
    with pytest.raises(ConfigError, match=r"are due 500 days \(days_cap\) or more before it"):
        LatePaymentModel(days_cap=500, cv=2, max_iter=10).fit(ledger, "2024-06-30")


def test_nothing_open_gives_an_empty_frame(known):
    ledger, model, pred = known
    empty = model.predict(ledger, "2022-12-31")
    assert empty.empty and list(empty.columns) == list(pred.columns)
    assert empty.index.name == "invoice_id"
