"""Tests of the dunning ladder, the dispute route, the customer tasks and the collections KPIs."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from segkit import Ledger
from segkit.cash import (
    collection_kpis,
    collection_worklist,
    customer_tasks,
    dispute_list,
    ladder_state,
    load_strategy,
    owner_view,
    people_table,
    steps_done,
)
from segkit.exceptions import ConfigError

AS_OF = "2025-06-30"
STEPS = (("remind", -5), ("call", 1), ("notice", 10))


def test_the_next_step_is_the_first_not_done_and_overdue_when_passed():
    due = pd.Series(pd.to_datetime(["2025-06-01", "2025-06-01", "2025-07-10", "2025-06-01"]))
    done = pd.Series([0, 1, 0, 3])
    state = ladder_state(STEPS, due, done, pd.Timestamp(AS_OF))
    expected = pd.DataFrame(
        {
            "step": [1, 2, 1, 4],
            "action": ["remind", "call", "remind", "follow_up"],
            "action_date": pd.to_datetime(["2025-05-27", "2025-06-02", "2025-07-05", AS_OF]),
            "days_overdue": [34, 28, 0, 0],
        }
    )
    pd.testing.assert_frame_equal(state, expected, check_dtype=False)


def predictions(**columns) -> pd.DataFrame:
    base = {
        "customer_id": ["C1", "C1", "C2", "C3"],
        "due_date": pd.to_datetime(["2025-06-20", "2025-07-10", "2025-02-01", "2025-05-01"]),
        "open_amount": [100.0, 200.0, 300.0, 1000.0],
        "days_past_due": [10, -10, 149, 60],
        "disputed": [False, False, False, True],
        "p_late": [1.0, 0.5, 1.0, 1.0],
        "p_very_late": [0.3, 0.05, 1.0, 1.0],
        "expected_payment_date": pd.to_datetime(["2025-07-10", "2025-07-15", None, None]),
        "reasons": ["past_due", "payment_history;calendar", "in_default", "past_due;disputed"],
    }
    return pd.DataFrame(base | columns, index=pd.Index(["I1", "I2", "I3", "I4"], name="invoice_id"))


def test_a_disputed_invoice_leaves_the_ladder_for_the_dispute_route():
    work = collection_worklist(predictions(), AS_OF)
    assert work.loc["I4", "plan"] == "dispute"
    assert work.loc["I4", "action"] == "verify_delivery"
    assert work.loc["I4", "days_overdue"] == 60  # verify delivery is due on the due date
    # the customer's undisputed invoices stay on the ladder; the catch-all plan is standard
    assert set(work.loc[["I1", "I2", "I3"], "plan"]) == {"firm", "standard"}
    # even when every step is done, a disputed invoice never reaches legal action
    kept = pd.DataFrame({"invoice_id": ["I4"], "action": ["escalate_sales"], "done": ["yes"]})
    again = collection_worklist(predictions(), AS_OF, previous=kept)
    assert again.loc["I4", "action"] == "follow_up"


def test_the_kept_worklist_moves_each_invoice_one_step_and_legal_only_after_final_notice(tmp_path):
    strategy = load_strategy()
    first = collection_worklist(predictions(), AS_OF, strategy=strategy)
    ladder = [a for a, _ in strategy.plans[first.loc["I3", "plan"]]]
    seen = [first.loc["I3", "action"]]
    previous = first
    for _ in range(len(ladder)):
        path = tmp_path / "kept.csv"
        previous.assign(done="x").to_csv(path, encoding="utf-8-sig")
        current = collection_worklist(predictions(), AS_OF, strategy=strategy, previous=path)
        moving = previous["action"] != "follow_up"
        assert (current["step"] == previous["step"] + moving).all()
        seen.append(current.loc["I3", "action"])
        previous = current
    assert seen == [*ladder, "follow_up"]
    assert seen.index("legal") == seen.index("final_notice") + 1
    # a step listed but not marked done stays the next action
    kept = first.assign(done="")
    assert collection_worklist(predictions(), AS_OF, previous=kept)["step"].eq(1).all()


def test_a_kept_worklist_that_does_not_fit_is_refused(tmp_path):
    plans = pd.Series(["standard"], index=["I1"])
    ladders = load_strategy().ladders()
    with pytest.raises(ConfigError, match=r"row 2, column 'action': 'sue' is not a step"):
        steps_done(pd.DataFrame({"invoice_id": ["I1"], "action": ["sue"]}), ladders, plans)
    with pytest.raises(ConfigError, match="previous worklist not found"):
        steps_done(tmp_path / "none.csv", ladders, plans)
    with pytest.raises(ConfigError, match=r"missing \['action'\]"):
        steps_done(pd.DataFrame({"invoice_id": ["I1"]}), ladders, plans)
    # a paid invoice of the kept list is simply no longer open
    paid = pd.DataFrame({"invoice_id": ["I9"], "action": ["call"], "done": ["yes"]})
    assert steps_done(paid, ladders, plans).to_dict() == {"I1": 0}


@pytest.fixture
def customers():
    return pd.DataFrame(
        {"name": ["Acme", "Bolt", "Cork"], "owner": ["Li", None, "Li"], "contact": [None] * 3},
        index=pd.Index(["C1", "C2", "C3"], name="customer_id"),
    )


def test_one_task_per_customer_biggest_risk_first(customers):
    work = collection_worklist(predictions(), AS_OF)
    tasks = customer_tasks(work, customers)
    # C3 has only a disputed invoice: it is on the dispute list, not a task
    assert list(tasks.index) == ["C2", "C1"] and list(tasks["rank"]) == [1, 2]
    c1 = tasks.loc["C1"]
    assert c1["invoices"] == 2 and c1["invoice_ids"] == "I1; I2"
    assert c1["open_amount"] == 300.0 and c1["overdue_amount"] == 100.0
    assert c1["at_risk"] == pytest.approx(100 + 100) and c1["p_late"] == pytest.approx(200 / 300)
    assert c1["priority"] == pytest.approx(100 * (1 + 10 / 90) + 100)
    assert tasks.loc["C2", "priority"] == pytest.approx(600.0)  # 300 x 1.0, doubled past 90 days
    # the oldest step due: I1's reminder (June 10 on the firm plan) before I2's
    assert c1["action_date"] == pd.Timestamp("2025-06-10") and c1["action"] == "courtesy_reminder"
    assert list(tasks.columns[:3]) == ["rank", "name", "owner"]  # no contact in the table
    assert "contact" not in tasks.columns
    disputes = dispute_list(work, customers)
    assert list(disputes.index) == ["I4"] and disputes.loc["I4", "name"] == "Cork"
    not_due = customer_tasks(work.loc[["I2"]])  # due in 10 days: nothing past due, not -10
    assert not_due.loc["C1", "max_days_past_due"] == 0
    owners = owner_view(tasks)
    assert owners.loc["unassigned", "customers"] == 1 and owners.loc["Li", "first_rank"] == 2


@pytest.mark.parametrize(
    ("lang", "action", "header", "share"),
    [
        ("en", "courtesy reminder before due (20 days overdue)", "Open amount (USD)", "67%"),
        ("zh", "到期前友情提醒（已逾期20天）", "未结金额（USD）", "67%"),
    ],
    ids=["en", "zh"],
)
def test_people_read_words_percentages_and_the_currency(customers, lang, action, header, share):
    tasks = customer_tasks(collection_worklist(predictions(), AS_OF), customers)
    table = people_table(tasks, lang, "USD")
    row = table.iloc[1]
    assert action in list(row) and share in list(row) and header in table.columns
    assert not any("_" in str(v) for v in row if isinstance(v, str))
    dates = [c for c in table.columns if pd.api.types.is_datetime64_any_dtype(table[c])]
    assert len(dates) == 1  # the action date stays a date


def test_collection_kpis_by_hand():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["A", "B", "C", "D"],
            "customer_id": ["C1", "C1", "C2", "C2"],
            "invoice_date": ["2025-04-10", "2025-05-10", "2025-06-05", "2025-06-20"],
            "due_date": ["2025-05-10", "2025-06-10", "2025-07-05", "2025-07-20"],
            "amount": [100.0, 200.0, 300.0, 400.0],
            "settled_date": ["2025-05-09", "2025-06-25", None, None],
            "disputed": [False, False, False, True],
        }
    )
    kpis = collection_kpis(Ledger.from_frames(invoices), ["2025-06-30"])
    day = kpis[dt.date(2025, 6, 30)]
    # May 31: B open (200, current); June: sales 700, B paid; June 30: C and D open, current
    assert day["open_ar"] == 700.0 and day["current_ar"] == 700.0 and day["current_share"] == 1.0
    assert day["credit_sales_month"] == 700.0
    assert day["cei"] == pytest.approx((200 + 700 - 700) / (200 + 700 - 700))
    assert day["dso_days"] == pytest.approx(700 / 1000 * 365)
    assert day["best_possible_dso"] == pytest.approx(700 / 1000 * 365)
    assert day["average_days_delinquent"] == pytest.approx(0.0)
    assert (day["disputes"], day["disputed_amount"], day["dispute_age_days"]) == (1, 400.0, 0.0)
    may = collection_kpis(Ledger.from_frames(invoices), ["2025-05-31"])[dt.date(2025, 5, 31)]
    # April 30: A open (current); May: sales 200, A paid on time; May 31: B open, current
    assert may["cei"] == pytest.approx((100 + 200 - 200) / (100 + 200 - 200))
    assert np.isnan(may["dispute_age_days"]) and may["disputes"] == 0


def test_nothing_open_gives_an_empty_worklist_and_no_tasks():
    work = collection_worklist(predictions().iloc[:0], AS_OF)
    assert work.empty and {"step", "action", "priority"} <= set(work.columns)
    assert customer_tasks(work).empty and dispute_list(work).empty


def test_the_page_names_the_first_invoices_of_a_task_and_how_many_more():
    from segkit.cash.tasks import first_ids

    assert first_ids("I1; I2; I3") == "I1; I2; I3"
    assert first_ids("I1; I2; I3; I4; I5") == "I1; I2; I3; … +2"
    assert first_ids(None) is None
