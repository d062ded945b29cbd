"""Tests of segkit.credit.pipeline: the out-of-time credit study, end to end on the sample."""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from segkit import read_ledger
from segkit.credit import (
    DEFAULT_MODEL_FEATURES,
    CreditStudy,
    RatingScale,
    credit_study,
    data_end,
    with_derived_features,
)
from segkit.exceptions import ConfigError
from segkit.studies.credit_risk import grade_summary, limit_changes
from segkit.studies.paths import resolve

AS_OF = "2025-12-31"

#: Measured out-of-time AUC on the sample: 0.802 (Gini 0.60, KS 0.45). The bar leaves a margin
#: of 0.10 for changes in binning or features; a random ranking scores 0.5.
MIN_OOT_AUC = 0.70


@pytest.fixture(scope="module")
def ledger():
    return read_ledger(resolve("data/sample"))


@pytest.fixture(scope="module")
def study(ledger):
    return credit_study(ledger, AS_OF)


def test_with_derived_features_by_hand():
    frame = pd.DataFrame(
        {"open_balance": [100.0, 0.0, 50.0], "overdue_balance": [25.0, 0.0, 50.0]},
        index=pd.Index(["C1", "C2", "C3"], name="customer_id"),
    )
    before = frame.copy()
    expected = frame.assign(overdue_ratio=[0.25, np.nan, 1.0])
    assert_frame_equal(with_derived_features(frame), expected)
    assert_frame_equal(frame, before)


def test_with_derived_features_names_missing_columns():
    frame = pd.DataFrame({"open_balance": [1.0]})
    with pytest.raises(ConfigError, match=r"missing \['overdue_balance'\]"):
        with_derived_features(frame)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"holdout_snapshots": 0}, "holdout_snapshots must be an int >= 1; got 0"),
        ({"holdout_snapshots": 5}, r"smaller than the number of development snapshots \(5: "),
        ({"recalibrate": "beta"}, "recalibrate must be None, 'platt' or 'isotonic'; got 'beta'"),
        ({"lgd": 1.5}, r"lgd must be a number in \[0, 1\]; got 1.5"),
        ({"features": "avg_days_late"}, "features must be a non-empty list of column names"),
        ({"features": []}, r"features must be a non-empty list of column names; got \[\]"),
    ],
    ids=["holdout-zero", "holdout-all", "recalibrate", "lgd", "features-str", "features-empty"],
)
def test_credit_study_rejects_bad_parameters(ledger, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        credit_study(ledger, AS_OF, **kwargs)


def test_study_splits_out_of_time_and_uses_only_data_known_at_as_of(study):
    assert isinstance(study, CreditStudy)
    expected = pd.to_datetime(
        ["2023-12-31", "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
    )
    assert list(study.snapshots["snapshot"]) == list(expected)
    assert list(study.snapshots["set"]) == ["train"] * 3 + ["test"] * 2
    assert set(study.oot["snapshot"]) == set(expected[-2:])
    last_window = study.snapshots["snapshot"].max() + pd.DateOffset(months=12)
    assert last_window <= pd.Timestamp(AS_OF)
    assert study.previous_as_of == dt.date(2025, 9, 30)
    assert study.metrics["n_test"] == len(study.oot) == study.snapshots["n"].iloc[-2:].sum()


def test_study_discriminates_out_of_time(study):
    metrics = study.metrics
    assert metrics["auc"] > MIN_OOT_AUC
    assert metrics["gini"] == pytest.approx(2 * metrics["auc"] - 1)
    assert metrics["ks"] > 0.3
    assert 0 < metrics["brier"] < metrics["default_rate_test"]


def test_study_tables_have_the_documented_columns(study):
    calibration = ["bin", "pd_lower", "pd_upper", "n", "n_default", "mean_pd", "default_rate",
                   "ci_lower", "ci_upper"]  # fmt: skip
    assert list(study.calibration.columns) == calibration
    assert list(study.oot.columns) == ["snapshot", "customer_id", "default", "pd_model", "pd",
                                       "points", "grade"]  # fmt: skip
    assert list(study.psi.columns) == ["feature", "psi", "status"]
    assert list(study.psi["feature"]) == ["score (points)", *study.scorecard.features_in_]
    assert set(study.iv.index) == set(study.scorecard.features_in_)
    assert set(study.scorecard.features_in_) | set(study.features_left_out) == set(
        DEFAULT_MODEL_FEATURES
    )
    assert list(study.grades["grade"]) == RatingScale().grades
    assert list(study.points_table().columns) == ["variable", "bin", "points"]
    assert list(study.watch_list.columns) == ["grade_previous", "grade_current", "notches",
                                              "open_balance"]  # fmt: skip
    assert (study.watch_list["notches"] >= 1).all()


def test_scored_customers_are_graded_and_priced(study):
    scored = study.scored
    assert scored.index.name == "customer_id"
    assert (scored["open_balance"] > 0).all()
    assert len(scored) == study.metrics["n_scored"]
    in_default = scored["in_default_at_as_of"]
    assert (scored.loc[in_default, "grade"] == "D").all()
    assert (scored.loc[in_default, "pd"] == 1.0).all()
    assert (scored.loc[~in_default, "grade"] != "D").all()
    expected_loss = scored["pd"] * scored["open_balance"] * 0.45
    np.testing.assert_allclose(scored["expected_loss"], expected_loss)
    assert (scored.loc[in_default, "limit_proposed"] == 0).all()
    for column in [
        "pd_model",
        "points",
        "limit_change",
        "last_payment_date",
        *DEFAULT_MODEL_FEATURES,
    ]:
        assert column in scored.columns


def test_study_notes_count_the_exclusions(study):
    counts = study.snapshots[["no exposure", "in default at as_of"]].sum()
    assert f"{counts['no exposure']} customer-quarters with nothing owed" in study.notes[1]
    assert f"{counts['in default at as_of']} already in default" in study.notes[1]
    assert f"{study.metrics['n_in_default']} of them in default" in study.notes[2]


def test_notes_are_the_english_notes_text(study):
    assert study.notes == study.notes_text("en")
    zh = study.notes_text("zh")
    assert len(zh) == len(study.notes) >= 3
    assert "个已违约" in zh[1] and "already in default" not in zh[1]
    with pytest.raises(ConfigError, match="lang must be one of"):
        study.notes_text("fr")


def test_notes_say_when_later_ledger_data_is_ignored(ledger, study):
    assert study.data_end == data_end(ledger) <= study.as_of  # the sample ends there
    assert not any("is ignored" in n for n in study.notes)
    earlier = dataclasses.replace(study, as_of=dt.date(2025, 9, 30))
    last = earlier.notes[-1]
    assert last == (
        f"Ledger data after 2025-09-30 (up to {study.data_end.isoformat()}) is ignored: the "
        "study uses only what was known on 2025-09-30."
    )
    assert earlier.notes_text("zh")[-1].startswith("2025-09-30 之后的账簿数据")


def test_study_is_reproducible(ledger, study):
    again = credit_study(ledger, AS_OF)
    assert again.metrics == study.metrics
    assert_frame_equal(again.scored, study.scored)
    assert_frame_equal(again.oot, study.oot)
    assert_frame_equal(again.watch_list, study.watch_list)


@pytest.fixture
def scored():
    grades = pd.Categorical(["BBB", "D", "BBB", "CC"], dtype=RatingScale().dtype())
    return pd.DataFrame(
        {
            "name": ["甲", "乙", "丙", "丁"],
            "grade": grades,
            "size_cn": ["small", "micro", "small", "large"],
            "revenue_12m": [120000.0, 50000.0, 240000.0, 900000.0],
            "open_balance": [1000.0, 500.0, 3000.0, 2000.0],
            "pd": [0.01, 1.0, 0.02, 0.5],
            "expected_loss": [4.5, 225.0, 27.0, 450.0],
            "credit_limit": [50000.0, 20000.0, np.nan, 100000.0],
            "limit_proposed": [40000.0, 0.0, 80000.0, 110000.0],
            "limit_change": [-10000.0, -20000.0, np.nan, 10000.0],
        },
        index=pd.Index(["C1", "C2", "C3", "C4"], name="customer_id"),
    )


def test_grade_summary_by_hand(scored):
    before = scored.copy()
    got = grade_summary(scored)
    grades = RatingScale().grades
    rows = {
        "BBB": [2, 4000.0, 0.015, 31.5, 50000.0, 120000.0],
        "CC": [1, 2000.0, 0.5, 450.0, 100000.0, 110000.0],
        "D": [1, 500.0, 1.0, 225.0, 20000.0, 0.0],
    }
    empty = [0, 0.0, np.nan, 0.0, 0.0, 0.0]
    expected = pd.DataFrame(
        [rows.get(g, empty) for g in grades],
        columns=["customers", "open_balance", "mean_pd", "expected_loss", "credit_limit",
                 "limit_proposed"],
        index=pd.Index(grades, name="grade"),
    )  # fmt: skip
    assert_frame_equal(got, expected)
    assert_frame_equal(scored, before)


def test_limit_changes_lists_cuts_then_increases(scored):
    got = limit_changes(scored, n=1)
    expected = pd.DataFrame(
        {
            "direction": ["cut", "increase"],
            "name": ["乙", "丁"],
            "grade": pd.Categorical(["D", "CC"], dtype=RatingScale().dtype()),
            "size_cn": ["micro", "large"],
            "revenue_12m": [50000.0, 900000.0],
            "open_balance": [500.0, 2000.0],
            "credit_limit": [20000.0, 100000.0],
            "limit_proposed": [0.0, 110000.0],
            "limit_change": [-20000.0, 10000.0],
        },
        index=pd.Index(["C2", "C4"], name="customer_id"),
    )
    assert_frame_equal(got, expected)
    with pytest.raises(ConfigError, match="n must be an int >= 1; got 0"):
        limit_changes(scored, n=0)


def test_grade_summary_names_missing_columns(scored):
    with pytest.raises(ConfigError, match=r"missing \['limit_proposed'\]"):
        grade_summary(scored.drop(columns="limit_proposed"))


def test_study_headline_and_tables_for_the_report(study):
    text = study.headline(dso_days=70.0)
    assert text.startswith("**As of 2025-12-31**, ")
    assert f"AUC {study.metrics['auc']:.2f}" in text
    assert "DSO is 70 days." in text
    assert "DSO" not in study.headline()
    assert "应收账款周转天数 70 天" in study.headline(70.0, lang="zh")
    open_ar = study.scored["open_balance"].sum()
    assert f"owe CNY {open_ar / 1e6:,.1f}m:" in text
    zh = study.headline(70.0, lang="zh")
    wan = f"{open_ar / 1e8:,.2f}亿元" if open_ar >= 1e8 else f"{open_ar / 1e4:,.1f}万元"
    assert f"应收余额 {wan}：" in zh
    assert "百万" not in zh
    table = study.metrics_table()
    assert list(table.columns) == ["measure", "value"]
    assert table["value"].iloc[0] == f"{study.metrics['auc']:.3f}"
    assert "Special" not in set(study.points_table()["bin"])
    with pytest.raises(ConfigError, match=r"lang must be one of \['en', 'zh'\]; got 'de'"):
        study.headline(lang="de")


def test_no_proposed_limit_is_below_exposure_without_an_action(study):
    scored = study.scored
    below = scored["limit_proposed"] < scored["open_balance"]
    assert below.any()  # the sample has customers owing more than the policy allows
    assert scored.loc[below, "limit_action"].isin(["repayment_plan", "hold_orders"]).all()
    assert (
        scored.loc[scored["in_default_at_as_of"], "limit_action"].dropna() == "hold_orders"
    ).all()
    assert set(scored["size_basis"]) <= {"statutory", "own_revenue", "sales_12m", "unknown"}


def test_a_report_fits_the_study_once_and_loads_the_same_study(ledger, study, tmp_path, monkeypatch):
    from segkit.credit import pipeline
    from segkit.credit.store import shared_store

    fits = []
    fit = pipeline._fit
    monkeypatch.setattr(pipeline, "_fit", lambda *args: fits.append(args) or fit(*args))
    with shared_store(tmp_path / "store"):
        first = credit_study(ledger, AS_OF)
        loaded = credit_study(read_ledger(resolve("data/sample")), AS_OF)
        assert credit_study(ledger, AS_OF, dpd=60).metrics != loaded.metrics  # its own key
    assert len(fits) == 2  # the default study once, the dpd=60 one once
    for result in (first, loaded):
        assert_frame_equal(result.scored, study.scored)
        assert result.metrics == study.metrics
    assert_frame_equal(loaded.oot, first.oot)
