"""Tests of snapshots over periods, migration matrices and stability."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from segkit import Ledger, customer_features
from segkit.classes.frequency import amount_class, frequency_class
from segkit.exceptions import ConfigError
from segkit.history import (
    ABSENT,
    UNCLASSIFIED,
    class_labels,
    lookback,
    migration_matrix,
    migration_summary,
    period_ends,
    snapshots,
    stability,
)

D1, D2, D3 = "2025-03-31", "2025-06-30", "2025-09-30"
LEVELS = ["A", "B", "C", "none", "absent"]


def _days(*values):
    return [dt.date.fromisoformat(v) for v in values]


@pytest.mark.parametrize(
    ("start", "end", "freq", "expected"),
    [
        ("2024-11-15", "2025-06-30", "QE", ["2024-12-31", "2025-03-31", "2025-06-30"]),
        ("2025-01-31", "2025-03-15", "ME", ["2025-01-31", "2025-02-28"]),
        ("2022-06-30", "2024-12-31", "YE", ["2022-12-31", "2023-12-31", "2024-12-31"]),
        ("2025-01-01", "2025-03-30", "QE", []),
    ],
    ids=["quarters", "months-start-included", "years-end-included", "none-in-range"],
)
def test_period_ends(start, end, freq, expected):
    assert period_ends(start, end, freq) == _days(*expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"start": "2025-01-01", "end": "2025-12-31", "freq": "W"},
            r"freq must be one of .*got 'W'",
        ),
        ({"start": "2025-12-31", "end": "2025-01-01"}, r"start must be on or before end"),
        ({"start": "not a date", "end": "2025-01-01"}, r"start must be a date .*'not a date'"),
    ],
    ids=["freq", "reversed", "not-a-date"],
)
def test_period_ends_rejects_bad_input(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        period_ends(**kwargs)


def test_lookback_counts_period_ends_before_as_of():
    expected = _days("2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31")
    assert lookback("2025-12-31", 4) == expected
    assert lookback("2025-11-15", 2) == _days("2025-06-30", "2025-09-30", "2025-11-15")
    assert lookback(dt.date(2025, 3, 31), 1, "YE") == _days("2024-12-31", "2025-03-31")


@pytest.mark.parametrize("periods", [0, True, 2.0], ids=["zero", "bool", "float"])
def test_lookback_rejects_bad_periods(periods):
    with pytest.raises(ConfigError, match=r"periods must be an int >= 1; got"):
        lookback("2025-12-31", periods)


def _fake_classify(tables):
    """A classify function that returns hand-typed classes per date."""

    def classify(ledger, as_of):
        assert isinstance(as_of, dt.date)
        return tables[as_of.isoformat()]

    return classify


def _classes(ids, freq, abc, extra=None):
    frame = pd.DataFrame({"customer_id": ids, "freq_class": freq, "abc_tier": abc})
    return frame.assign(**(extra or {}))


def test_snapshots_fill_absent_and_unclassified_customers():
    tables = {
        D1: _classes(["c2", "c1"], ["regular", "new"], ["A", None], {"score": [1.0, 2.0]}),
        D2: _classes(["c1", "c3"], ["regular", "new"], ["B", "C"]).set_index("customer_id"),
    }
    before = {k: v.copy() for k, v in tables.items()}
    got = snapshots(None, [D2, D1, D2], classify_fn=_fake_classify(tables))
    expected = pd.DataFrame(
        {
            "snapshot": pd.to_datetime([D1] * 3 + [D2] * 3),
            "customer_id": ["c1", "c2", "c3"] * 2,
            "freq_class": ["new", "regular", ABSENT, "regular", ABSENT, "new"],
            "abc_tier": ["unclassified", "A", ABSENT, "B", ABSENT, "C"],
        }
    )
    assert_frame_equal(got, expected)
    for key, frame in tables.items():
        assert_frame_equal(frame, before[key])


def test_a_class_withheld_at_one_date_is_unclassified_there_not_an_error():
    """Clusters fitted at one date and withheld (a fit check failed) at the next."""
    tables = {
        D1: _classes(["c1", "c2"], ["new", "new"], ["A", "B"], {"cluster_name": ["big", "small"]}),
        D2: _classes(["c1", "c2"], ["regular", "new"], ["A", "B"]),
    }
    got = snapshots(None, [D1, D2], classify_fn=_fake_classify(tables))
    assert list(got.columns) == ["snapshot", "customer_id", "freq_class", "abc_tier", "cluster_name"]
    assert got["cluster_name"].tolist() == ["big", "small", UNCLASSIFIED, UNCLASSIFIED]
    assert got["freq_class"].tolist() == ["new", "new", "regular", "new"]


def test_snapshots_keep_the_columns_asked_for():
    tables = {D1: _classes(["c1"], ["new"], ["A"]), D2: _classes(["c1"], ["regular"], ["A"])}
    got = snapshots(None, [D1, D2], classify_fn=_fake_classify(tables), columns=["abc_tier"])
    expected = pd.DataFrame(
        {
            "snapshot": pd.to_datetime([D1, D2]),
            "customer_id": ["c1", "c1"],
            "abc_tier": ["A", "A"],
        }
    )
    assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("table", "columns", "message"),
    [
        (pd.DataFrame({"customer_id": ["c1"], "x": [1]}), None, r"none of the class columns"),
        (_classes(["c1"], ["new"], ["A"]), ["rfm_segment"], r"lacks columns \['rfm_segment'\]"),
        (_classes(["c1", "c1"], ["new", "new"], ["A", "A"]), None, r"one row per customer.*'c1'"),
        (pd.DataFrame({"freq_class": ["new"]}), None, r"customer_id column or index"),
        ([("c1", "new")], None, r"must return a DataFrame; got list"),
    ],
    ids=["no-class-column", "missing-column", "duplicates", "no-customer-id", "not-a-frame"],
)
def test_snapshots_check_the_classify_output(table, columns, message):
    classify = _fake_classify({D1: table})
    with pytest.raises(ConfigError, match=message):
        snapshots(None, [D1], classify_fn=classify, columns=columns)


def test_snapshots_need_a_date():
    with pytest.raises(ConfigError, match=r"as_of_dates must hold at least one date; got none"):
        snapshots(None, [], classify_fn=_fake_classify({}))


def _activity_classes(ledger, as_of):
    features = customer_features(ledger, as_of, firmographic=False)
    thresholds = {"large": 500.0, "medium": 100.0}
    return pd.DataFrame(
        {
            "freq_class": frequency_class(features),
            "amount_class": amount_class(features, "thresholds", thresholds),
        }
    )


def test_snapshots_are_point_in_time(invoices, customers, payments):
    ledger = Ledger.from_frames(invoices, customers, payments)
    got = snapshots(ledger, ["2024-03-31", "2024-12-31", "2025-03-31"], _activity_classes)
    # 2024-03-31: C1 first bought on 2024-01-10 (new, 100); C2 bought 80 on 2023-06-01;
    # C3 (created 2024-06-01) and C4 (created 2025-01-15) are not customers yet.
    # 2024-12-31: C1 has 2 invoices and a credit note in 12 months (350); C2 nothing in
    # 12 months; C3 bought 40; the 999 invoice of 2025-02-01 is not known yet.
    # 2025-03-31: C1 sums 300 - 50 + 999; C4 exists, without invoices.
    expected = pd.DataFrame(
        {
            "snapshot": pd.to_datetime(
                ["2024-03-31"] * 4 + ["2024-12-31"] * 4 + ["2025-03-31"] * 4
            ),
            "customer_id": ["C1", "C2", "C3", "C4"] * 3,
            "freq_class": ["new", "occasional", ABSENT, ABSENT]
            + ["occasional", "dormant", "occasional", ABSENT]
            + ["occasional", "dormant", "occasional", "none"],
            "amount_class": ["medium", "small", ABSENT, ABSENT]
            + ["medium", "none", "small", ABSENT]
            + ["large", "none", "small", "none"],
        }
    )
    assert_frame_equal(got, expected)


def _history():
    """ABC tiers of seven customers at three quarter-ends (hand-typed)."""
    rows = {
        "a": ["A", "A", "B"],
        "b": ["A", "B", "B"],
        "c": ["B", "A", "A"],
        "d": ["C", "C", ABSENT],  # leaves after D2
        "e": [ABSENT, "B", "B"],  # arrives at D2
        "f": ["B", "B", "B"],
        "g": [ABSENT, ABSENT, "C"],  # arrives at D3
    }
    records = [
        (pd.Timestamp(day), customer, tiers[i])
        for i, day in enumerate((D1, D2, D3))
        for customer, tiers in rows.items()
    ]
    return pd.DataFrame(records, columns=["snapshot", "customer_id", "abc_tier"])


def _matrix(rows, levels=LEVELS, dtype="int64"):
    frame = pd.DataFrame(rows, index=levels, columns=levels, dtype=dtype)
    return frame.rename_axis(index="from", columns="to")


def test_migration_matrix_counts_entries_and_exits():
    table = _history()
    before = table.copy()
    got = migration_matrix(table, "abc_tier", D1, D2)
    expected = _matrix(
        [
            [1, 1, 0, 0, 0],
            [1, 1, 0, 0, 0],
            [0, 0, 1, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 1, 0, 0, 0],
        ]
    )
    assert_frame_equal(got, expected)
    assert_frame_equal(table, before)


def test_migration_matrix_row_shares_and_exits():
    got = migration_matrix(_history(), "abc_tier", D1, D3, normalize="index")
    nan = np.nan
    expected = _matrix(
        [
            [0.0, 1.0, 0.0, 0.0, 0.0],  # a, b: A -> B
            [0.5, 0.5, 0.0, 0.0, 0.0],  # c: B -> A, f stays
            [0.0, 0.0, 0.0, 0.0, 1.0],  # d leaves
            [nan, nan, nan, nan, nan],  # nobody in "none"
            [0.0, 0.5, 0.5, 0.0, 0.0],  # e and g arrive
        ],
        dtype="float64",
    )
    assert_frame_equal(got, expected)


def test_migration_matrix_follows_the_given_order():
    got = migration_matrix(_history(), "abc_tier", D1, D2, order=["C", "B", "A"])
    expected = _matrix(
        [[1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 0]], ["C", "B", "A", "absent"]
    )
    assert_frame_equal(got, expected)


def test_migration_matrix_without_order_sorts_unknown_classes():
    table = _history().assign(cls=lambda t: t["abc_tier"].replace({"A": "y", "B": "x", "C": "z"}))
    got = migration_matrix(table, "cls", D2, D3)
    # D2 -> D3: a y->x, b x->x, c y->y, d z->absent, e x->x, f x->x, g absent->z
    expected = _matrix(
        [[3, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], ["x", "y", "z", "absent"]
    )
    assert_frame_equal(got, expected)


def test_migration_summary_counts_moves_against_the_starting_base():
    table = _history()
    before = table.copy()
    got = migration_summary(table, "abc_tier", D1, D3)
    # present at D1: a, b, c, d, f. c moves up, f stays, a and b move down, d leaves;
    # e and g arrive.
    expected = pd.DataFrame(
        {"customers": [1, 1, 2, 1, 2], "share": [0.2, 0.2, 0.4, 0.2, 0.4]},
        index=pd.Index(["upgraded", "stayed", "downgraded", "exited", "entered"], name="movement"),
    )
    assert_frame_equal(got, expected)
    assert_frame_equal(table, before)


def test_migration_summary_with_reversed_order_swaps_up_and_down():
    got = migration_summary(_history(), "abc_tier", D1, D3, order=["C", "B", "A"])
    assert got["customers"].tolist() == [2, 1, 1, 1, 2]


def test_class_labels_translate_codes_and_show_row_counts():
    counts = migration_matrix(_history(), "abc_tier", D1, D2)
    got = class_labels(counts, "abc_tier", "zh", counts=counts)
    rows = ["A类客户 (n=2)", "B类客户 (n=2)", "C类客户 (n=1)", "无收入 (n=0)", "非在册客户 (n=1)"]
    expected = pd.DataFrame(
        counts.to_numpy(),
        index=pd.Index(rows, name="期初"),
        columns=pd.Index(["A类客户", "B类客户", "C类客户", "无收入", "非在册客户"], name="期末"),
    )
    assert_frame_equal(got, expected)
    english = class_labels(counts.iloc[[0, 4]], "abc_tier")
    assert english.index.tolist() == ["A", "not a customer"]
    assert english.columns.tolist() == ["A", "B", "C", "No revenue", "not a customer"]
    with pytest.raises(ConfigError, match=r"lang must be one of \['en', 'zh'\]; got 'fr'"):
        class_labels(counts, "abc_tier", "fr")


def _psi(expected, actual):
    e, a = np.array(expected), np.array(actual)
    return float(np.sum((a - e) * np.log(a / e)))


def test_stability_per_consecutive_pair():
    table = _history()
    before = table.copy()
    got = stability(table, "abc_tier")
    expected = pd.DataFrame(
        {
            "start": pd.to_datetime([D1, D2]),
            "end": pd.to_datetime([D2, D3]),
            "customers_start": [5, 6],
            "customers_end": [6, 6],
            "stayed": [3, 4],  # a, d, f; then b, c, e, f
            "stayed_share": [3 / 5, 4 / 5],
            "entries": [1, 1],
            "exits": [0, 1],
            # A, B, C shares: 2/5, 2/5, 1/5 -> 2/6, 3/6, 1/6 -> 1/6, 4/6, 1/6
            "psi": [
                _psi([2 / 5, 2 / 5, 1 / 5], [2 / 6, 3 / 6, 1 / 6]),
                _psi([2 / 6, 3 / 6, 1 / 6], [1 / 6, 4 / 6, 1 / 6]),
            ],
            "psi_status": ["stable", "monitor"],
        }
    )
    assert_frame_equal(got, expected)
    assert_frame_equal(table, before)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda t: migration_matrix(t, "abc_tier", D1, D2, normalize="all"),
            r"normalize must be one of \['index', None\]; got 'all'",
        ),
        (
            lambda t: migration_matrix(t, "abc_tier", D1, "2025-12-31"),
            r"end must be a snapshot date \[.*'2025-09-30'\]; got 2025-12-31",
        ),
        (
            lambda t: migration_matrix(t, "abc_tier", D2, D1),
            r"start must be before end; got start=2025-06-30, end=2025-03-31",
        ),
        (
            lambda t: migration_matrix(t, "tier", D1, D2),
            r"columns snapshot, customer_id and 'tier' \(parameter column\); missing \['tier'\]",
        ),
        (
            lambda t: migration_summary(t, "abc_tier", D1, D2, order=["A", "B"]),
            r"order must rank every class of 'abc_tier'; missing \['C'\]",
        ),
        (
            lambda t: migration_summary(t.rename(columns={"abc_tier": "x"}), "x", D1, D2),
            r"order is required for column 'x'",
        ),
        (
            lambda t: stability(t[t["snapshot"] == D1], "abc_tier"),
            r"at least 2 snapshot dates; got 1",
        ),
        (
            lambda t: stability(pd.concat([t, t]), "abc_tier"),
            r"one row per snapshot and customer_id",
        ),
    ],
    ids=[
        "normalize",
        "unknown-date",
        "reversed",
        "column",
        "unranked",
        "no-order",
        "one-date",
        "repeats",
    ],
)
def test_history_functions_reject_bad_input(call, message):
    with pytest.raises(ConfigError, match=message):
        call(_history())
