"""Tests of segkit.cash.strategy (collection plans and the worklist) and segkit.cash.forecast."""

import numpy as np
import pandas as pd
import pytest
import yaml

from segkit.cash import cash_forecast, collection_worklist, load_strategy, plan_table
from segkit.cash.forecast import forecast_backtest
from segkit.exceptions import ConfigError, SchemaError

AS_OF = "2025-06-30"


def predictions(**columns) -> pd.DataFrame:
    base = {
        "customer_id": ["C1", "C2", "C3", "C4"],
        "invoice_date": pd.to_datetime(["2025-06-01"] * 4),
        "due_date": pd.to_datetime(["2025-07-03", "2025-07-10", "2025-06-20", "2025-02-01"]),
        "open_amount": [100.0, 200.0, 300.0, 400.0],
        "days_past_due": [-3, -10, 10, 149],
        "p_late": [0.2, 0.5, 1.0, 1.0],
        "p_very_late": [0.01, 0.05, 0.3, 1.0],
        "expected_days_late": [2.0, 5.0, 20.0, np.nan],
        "expected_payment_date": pd.to_datetime(["2025-07-05", "2025-07-15", "2025-07-10", None]),
        "reasons": ["", "payment_history", "past_due", "in_default"],
    }
    index = pd.Index(["I1", "I2", "I3", "I4"], name="invoice_id")
    return pd.DataFrame(base | columns, index=index)


@pytest.fixture
def classes():
    return pd.DataFrame(
        {"abc_tier": ["A", "B", "C"], "risk_tier": ["low", "medium", "high"]},
        index=pd.Index(["C1", "C2", "C3"], name="customer_id"),
    )


def test_default_strategy_loads():
    strategy = load_strategy()
    assert [b for b, _ in strategy.bands] == ["low", "medium", "high"]
    table = plan_table(strategy)
    assert table.loc["standard"].to_dict() == {
        "courtesy_reminder": -5, "call": 1, "escalate": 15, "hold_orders": 30,
        "final_notice": 60, "legal": 90,
    }  # fmt: skip
    # the strict plan escalates before it holds orders, as its ladder is written
    assert [a for a, _ in strategy.plans["strict"]][2:4] == ["escalate", "hold_orders"]
    assert [a for a, _ in strategy.disputes] == ["verify_delivery", "credit_note", "escalate_sales"]
    assert strategy.rules[-1]["plan"] == "standard"


def test_worklist_actions_and_dates(classes):
    work = collection_worklist(predictions(), AS_OF, classes)
    expected = pd.DataFrame(
        {
            "value": ["none", "C", "B", "A"],
            "risk": ["unknown", "high", "medium", "low"],
            "invoice_risk": ["high", "high", "medium", "low"],
            "plan": ["firm", "strict", "firm", "relationship"],
            # no step done: every invoice is at its first step, overdue when its date passed
            "step": [1, 1, 1, 1],
            "action": ["courtesy_reminder"] * 4,
            "action_date": pd.to_datetime(["2025-01-22", "2025-06-05", "2025-06-30", "2025-06-28"]),
            "days_overdue": [159, 25, 0, 2],
            # open x p_late, weighted by 1 + min(days past due, 90) / 90: 800, 333.3, 100, 20
            "priority": [800.0, 300 * (1 + 10 / 90), 100.0, 20.0],
        },
        index=pd.Index(["I4", "I3", "I2", "I1"], name="invoice_id"),
    )
    pd.testing.assert_frame_equal(work[expected.columns], expected, check_dtype=False)
    assert list(work.columns[:3]) == ["customer_id", "value", "risk"]


def test_worklist_without_classes_uses_the_catch_all():
    work = collection_worklist(predictions(p_late=[0.1, 0.1, 1.0, 1.0]), AS_OF)
    assert (work["value"] == "none").all() and (work["risk"] == "unknown").all()
    assert work.loc["I1", "plan"] == "standard" and work.loc["I3", "plan"] == "firm"
    assert work.loc["I1", "action"] == "courtesy_reminder"
    assert str(work.loc["I1", "action_date"].date()) == "2025-06-28"


def test_worklist_does_not_modify_its_input(classes):
    pred = predictions()
    before = pred.copy()
    collection_worklist(pred, AS_OF, classes)
    pd.testing.assert_frame_equal(pred, before)


def test_user_file_replaces_sections(tmp_path, classes):
    path = tmp_path / "mine.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "plans": {"gentle": {"call": 10, "final_notice": 150, "legal": 200}},
                "rules": [{"value": "*", "risk": "*", "invoice_risk": "*", "plan": "gentle"}],
            }
        ),
        encoding="utf-8",
    )
    strategy = load_strategy(path)
    assert list(strategy.plans) == ["gentle"] and strategy.source == str(path)
    work = collection_worklist(predictions(), AS_OF, classes, strategy=strategy)
    assert set(work["plan"]) == {"gentle"}
    assert work.loc["I1", "action"] == "call"
    assert str(work.loc["I1", "action_date"].date()) == "2025-07-13"
    assert work.loc["I4", "days_overdue"] == (pd.Timestamp(AS_OF) - pd.Timestamp("2025-02-11")).days


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"colour": 1}, r"unknown sections \['colour'\]"),
        (
            {"invoice_risk": {"low": 0.7, "high": 0.5}},
            r"invoice_risk must map band names to increasing",
        ),
        ({"invoice_risk": {"low": 0.5, "high": 0.9}}, r"the last 1.0; got"),
        ({"plans": {"p": {"email": 3}}}, r"plans\['p'\] has unknown actions \['email'\]"),
        ({"plans": {"p": {"call": 1.5}}}, r"plans\['p'\]\['call'\] must be a whole number of days"),
        (
            {"plans": {"p": {"call": 1}}},
            r"rules\[0\].plan is 'relationship'; expected one of \['p'\]",
        ),
        (
            {"rules": [{"value": "*", "risk": "hgih", "invoice_risk": "*", "plan": "firm"}]},
            r"rules\[0\].risk is 'hgih'",
        ),
        (
            {"rules": [{"value": "A", "risk": "*", "invoice_risk": "*", "plan": "firm"}]},
            r"the last rule must match every invoice",
        ),
        ({"rules": [{"value": "A", "plan": "firm"}]}, r"rules\[0\] must have exactly the keys"),
        (
            {"plans": {"p": {"call": 5, "escalate": 1}}},
            r"days never decrease; 'escalate' on day 1 comes after 'call' on day 5",
        ),
        ({"plans": {"p": {"call": 1, "legal": 60}}}, r"legal action must be the last step, direc"),
        (
            {"plans": {"p": {"final_notice": 60, "legal": 60}}},
            r"after a final_notice dated earlier",
        ),
        ({"disputes": {"verify_delivery": 0, "sue": 3}}, r"disputes has unknown actions \['sue'\]"),
    ],
    ids=[
        "section",
        "band-order",
        "band-end",
        "action",
        "day",
        "plan-ref",
        "risk",
        "catch-all",
        "keys",
        "ladder-order",
        "legal-without-notice",
        "legal-same-day",
        "dispute-step",
    ],
)
def test_bad_strategy_entries(override, message):
    with pytest.raises(ConfigError, match=message):
        load_strategy(override)


def test_missing_file_and_bad_classes(tmp_path, classes):
    with pytest.raises(ConfigError, match="strategy file not found"):
        load_strategy(tmp_path / "none.yaml")
    with pytest.raises(ConfigError, match=r"missing \['risk_tier'\]"):
        collection_worklist(predictions(), AS_OF, classes.drop(columns="risk_tier"))
    wrong = classes.assign(abc_tier=["A", "D", "C"])
    with pytest.raises(ConfigError, match=r"values \['D'\] are not value tiers"):
        collection_worklist(predictions(), AS_OF, wrong)


def test_cash_forecast_by_hand():
    table = cash_forecast(predictions(), AS_OF, weeks=3)
    # expected: I1 Jul 5 (week 1), I2 Jul 15 (week 3), I3 Jul 10 (week 2), I4 in default
    assert list(table["expected"]) == [100.0, 300.0, 200.0]
    # naive: I1 Jul 3 (week 1), I2 Jul 10 (week 2), I3 and I4 past due (week 1)
    assert list(table["naive"]) == [800.0, 200.0, 0.0]
    assert str(table.loc[1, "week_start"].date()) == "2025-07-01"
    assert str(table.loc[3, "week_end"].date()) == "2025-07-21"
    assert table.attrs["in_default"] == 400.0 and table.attrs["open_amount"] == 1000.0
    short = cash_forecast(predictions(), AS_OF, weeks=1)
    assert short.attrs["expected_later"] == 500.0


def test_cash_forecast_errors():
    with pytest.raises(ConfigError, match="weeks must be an int >= 1; got 0"):
        cash_forecast(predictions(), AS_OF, weeks=0)
    with pytest.raises(SchemaError, match=r"missing \['expected_payment_date'\]"):
        cash_forecast(predictions().drop(columns="expected_payment_date"), AS_OF)


class _Fixed:
    """A stand-in model returning fixed predictions for the backtest arithmetic."""

    def score_rows(self, rows, reasons=True):
        return predictions().loc[rows["invoice_id"]]


def test_backtest_compares_with_settled_weeks():
    rows = pd.DataFrame(
        {
            "snapshot": pd.to_datetime([AS_OF] * 4),
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "open_amount": [100.0, 200.0, 300.0, 400.0],
        }
    )
    outcomes = pd.DataFrame(
        {"settled_date": pd.to_datetime(["2025-07-05", "2025-07-09", "2025-07-20", None])},
        index=pd.Index(["I1", "I2", "I3", "I4"], name="invoice_id"),
    )
    backtest, errors = forecast_backtest(_Fixed(), rows, outcomes, [pd.Timestamp(AS_OF).date()],
                                         pd.Timestamp("2025-12-31").date(), weeks=3)  # fmt: skip
    assert list(backtest["actual"]) == [100.0, 200.0, 300.0]
    # model: [100, 300, 200] against [100, 200, 300]: |0| + |100| + |100| over 600
    assert errors.loc["model", "wape"] == pytest.approx(200 / 600)
    assert errors.loc["naive", "wape"] == pytest.approx((700 + 0 + 300) / 600)
    assert errors.loc["naive", "bias"] == pytest.approx(400 / 600)
    with pytest.raises(ConfigError, match="no forecast origin has 3 weeks"):
        forecast_backtest(_Fixed(), rows, outcomes, [pd.Timestamp(AS_OF).date()],
                          pd.Timestamp("2025-07-10").date(), weeks=3)  # fmt: skip
