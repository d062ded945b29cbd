"""The credit pack's decisions, tested as a credit committee reads them, on the sample and on
every export of the corpus that holds settlement data: points never rise with lateness, no
customer in good standing is cut below what it owes, no customer in arrears gets an increase,
a ledger of ids and names only still gets grades, and every page and sheet quotes one decision."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit.credit import credit_study
from segkit.credit.advice import limit_advice
from segkit.credit.directions import RISK_DIRECTIONS
from segkit.credit.provision import BUCKETS, provision_matrix
from segkit.exceptions import ModelNotFitted, SegkitError, SegkitWarning
from segkit.features.settlement import settlement_available
from segkit.reports.actions import top_actions
from segkit.studies.credit_risk.readiness import readiness

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "tests" / "fixtures" / "exports"
AS_OF = "2025-12-31"


def _ledgers():
    yield "sample", segkit.read_ledger(ROOT / "data" / "sample")
    for folder in sorted(p for p in EXPORTS.iterdir() if (p / "mapping.yaml").is_file()):
        ledger = segkit.read_ledger(folder, mapping=folder / "mapping.yaml")
        if settlement_available(ledger.invoices, ledger.payments):
            yield folder.name, ledger


def _studies():
    out = {}
    for name, ledger in _ledgers():
        if readiness(ledger, dt.date(2025, 12, 31)).fit:
            try:
                out[name] = credit_study(ledger, AS_OF)
            except ModelNotFitted:  # too few defaults: nothing to check on this export
                continue
    return out


@pytest.fixture(scope="module")
def studies():
    found = _studies()
    assert "sample" in found  # the checks below mean something only with a fitted card
    return found


def test_points_never_rise_with_risk(studies):
    for name, study in studies.items():
        table = study.points_table()
        numeric = table[~table["bin"].isin(["Missing", "Special"])]
        for feature, bins in numeric.groupby("variable"):
            direction = RISK_DIRECTIONS.get(feature)
            if direction is None:
                continue
            steps = np.diff(bins["points"].to_numpy(dtype=float))
            ok = (steps <= 0).all() if direction == "ascending" else (steps >= 0).all()
            assert ok, (name, feature, bins)


def test_limits_keep_the_policy(studies):
    for name, study in studies.items():
        s = study.scored
        good = s["standing"] == "good_standing"
        assert (s.loc[good, "limit_proposed"] >= s.loc[good, "open_balance"]).all(), name
        arrears = (s["standing"] == "in_arrears") & (s["credit_limit"] > 0)
        assert not (s.loc[arrears, "limit_change"] > 0).any(), name
        over = arrears & (s["open_balance"] > s["credit_limit"])
        assert (s.loc[over, "limit_action"] == "hold_orders").all(), name
        below = s["limit_proposed"] < s["open_balance"]
        assert s.loc[below, "standing"].isin(["in_arrears", "in_default"]).all(), name
        assert s.loc[below, "limit_action"].isin(["hold_orders", "repayment_plan"]).all(), name
        owing = (s["open_balance"] > 0) & ~(s["credit_limit"] > 0)
        assert s.loc[owing, "limit_proposed"].notna().all(), (
            name
        )  # owing without a limit: a proposal


def test_the_sample_proposes_at_least_what_good_customers_owe(studies):
    s = studies["sample"].scored
    assert s["limit_proposed"].sum() > s["open_balance"].sum()


def _ids_and_names_only(tmp_path) -> Path:
    sample = ROOT / "data" / "sample"
    folder = tmp_path / "bare"
    folder.mkdir()
    customers = pd.read_csv(sample / "customers.csv", dtype=str)[["customer_id", "name"]]
    customers.to_csv(folder / "customers.csv", index=False)
    for table in ("invoices", "payments"):
        (folder / f"{table}.csv").write_bytes((sample / f"{table}.csv").read_bytes())
    return folder


def test_a_ledger_of_ids_and_names_still_gets_grades(tmp_path):
    ledger = segkit.read_ledger(_ids_and_names_only(tmp_path))
    study = credit_study(ledger, AS_OF)
    assert study.scored["grade"].notna().all()
    assert study.features_left_out.get("size_cn") == "not_in_ledger"
    assert study.features_left_out.get("industry_section") == "not_in_ledger"
    assert any("ledger does not hold them" in n for n in study.notes_text("en"))
    assert any("账簿中没有以下字段" in n for n in study.notes_text("zh"))
    assert study.metrics["auc"] > 0.6  # a behavioural card still ranks


def test_classify_warns_where_a_user_sees_it_when_no_card_can_be_fitted(tmp_path):
    ledger = segkit.read_ledger(
        EXPORTS / "six_months", mapping=EXPORTS / "six_months" / "mapping.yaml"
    )
    with pytest.warns(SegkitWarning, match=r"credit columns left out: "):
        result = segkit.classify(ledger, AS_OF)
    assert "grade" not in result.columns


def test_an_unexpected_error_in_the_credit_study_is_not_a_note(monkeypatch):
    import segkit.credit.pipeline as pipeline

    def broken(*args, **kwargs):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(pipeline, "credit_study", broken)
    ledger = segkit.read_ledger(ROOT / "data" / "sample")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(ValueError, match="broadcast"):
            segkit.classify(ledger, AS_OF)


def test_the_provision_matrix_by_hand(tmp_path):
    """Two customers, one quarter-end: the loss rate is the share unpaid a year later."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    pd.DataFrame({"customer_id": ["A", "B"], "name": ["a", "b"]}).to_csv(
        folder / "customers.csv", index=False
    )
    pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "customer_id": ["A", "B", "B", "A"],
            "invoice_date": ["2024-01-15", "2024-02-01", "2024-03-01", "2025-06-01"],
            "due_date": ["2024-02-14", "2024-03-02", "2024-03-31", "2025-07-01"],
            "amount": [1000.0, 400.0, 600.0, 500.0],
        }
    ).to_csv(folder / "invoices.csv", index=False)
    # I1 paid in full in 2024; I2 never; I3 half paid in 2025; I4 issued after the date
    pd.DataFrame(
        {
            "payment_id": ["P1", "P2"],
            "customer_id": ["A", "B"],
            "invoice_id": ["I1", "I3"],
            "payment_date": ["2024-06-01", "2025-01-10"],
            "amount": [1000.0, 300.0],
        }
    ).to_csv(folder / "payments.csv", index=False)
    ledger = segkit.read_ledger(folder)
    provision = provision_matrix(ledger, "2025-03-31", lookback=1, write_off_days=1095)
    assert provision.snapshots == [dt.date(2024, 3, 31)]
    m = provision.matrix
    # at 2024-03-31: I1 1000 is 46 days past due (paid in June 2024); I2 400, 29 days (never
    # paid); I3 600 is due that day (300 still unpaid on 2025-03-31)
    assert m.loc["dpd_31_60", ["open_history", "unpaid_after"]].tolist() == [1000.0, 0.0]
    assert m.loc["dpd_1_30", ["open_history", "unpaid_after"]].tolist() == [400.0, 400.0]
    assert m.loc["current", "historical_rate"] == 0.5
    # an older bucket is never provided for at a lower rate than a younger one
    assert m["rate"].is_monotonic_increasing
    assert m.loc["dpd_31_60", "rate"] == 1.0  # 0 % observed, but younger 1-30 lost 100 %
    # on 2025-03-31: I2 400 at 394 days past due, I3 300 at 365; I4 is not issued yet
    assert m.loc["dpd_1_2y", "balance"] == 400.0 and m.loc["dpd_181_365", "balance"] == 300.0
    assert m["balance"].sum() == 700.0
    assert provision.allowance == pytest.approx(700.0)
    assert provision.write_offs.empty
    aged = provision_matrix(ledger, "2025-03-31", lookback=1, write_off_days=380)
    assert aged.write_offs["invoice_id"].tolist() == ["I2"]
    halved = provision_matrix(ledger, "2025-03-31", lookback=1, forward_adjustment=-0.5)
    assert halved.matrix.loc["current", "rate"] == 0.25
    with pytest.raises(ModelNotFitted, match=r"no quarter-end before 2024-06-30 has 12 months"):
        provision_matrix(ledger, "2024-06-30")
    with pytest.raises(SegkitError, match=r"forward_adjustment must be a number > -1; got -2"):
        provision_matrix(ledger, "2025-03-31", forward_adjustment=-2)


def test_the_sample_allowance_grows_with_age(studies):
    ledger = segkit.read_ledger(ROOT / "data" / "sample")
    provision = provision_matrix(ledger, AS_OF, forward_adjustment=0.1)
    assert list(provision.matrix.index) == [code for code, _lo, _hi in BUCKETS]
    assert provision.matrix["rate"].is_monotonic_increasing
    assert 0 < provision.allowance < provision.balance
    assert provision.balance == pytest.approx(studies["sample"].scored["open_balance"].sum())


def test_the_index_quotes_the_credit_decision(studies):
    """Each over-limit or downgrade action names the same decision the credit study makes."""
    ledger = segkit.read_ledger(ROOT / "data" / "sample")
    classes = segkit.classify(ledger, AS_OF)
    scored = studies["sample"].scored
    shared = classes.index.intersection(scored.index)
    pd.testing.assert_series_equal(
        classes.loc[shared, "limit_action"], scored.loc[shared, "limit_action"], check_dtype=False
    )
    actions = top_actions(classes, None, "en")
    advice = limit_advice(classes)
    for customer, row in actions.iterrows():
        assert row["rule"] == "over_limit"
        assert "increase" not in row["action"] or advice[customer] == "increase"
        if classes.loc[customer, "limit_action"] == "hold_orders":
            assert "orders are held" in row["action"]
