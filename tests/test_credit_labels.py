"""Tests of segkit.credit.defaults: default labels without leakage and development snapshots."""

import dataclasses
import datetime as dt

import ibis
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from segkit import Ledger, customer_features, read_ledger
from segkit.credit import (
    data_end,
    default_labels,
    development_set,
    horizon_end,
    scoring_snapshot,
    snapshot_dates,
)
from segkit.exceptions import ConfigError, SchemaError
from segkit.studies.paths import resolve

AS_OF = "2024-06-30"
IDS = ["A", "B", "C", "D", "E", "F", "G", "H", "J", "L"]
NaT = pd.NaT


@pytest.fixture(scope="module")
def frames():
    """One customer per case; as of 2024-06-30 the 12-month window is (2024-06-30, 2025-06-30].

    A: 90 days past due at as_of, crosses 90 DPD on 2024-07-01.   B: 91 days past due at as_of.
    C: paid 89 days late.   D: paid 95 days late (default on day 91).   E: nothing open.
    F: on time, then a new invoice after as_of never paid.   G: crosses after the window.
    H: no invoice.   J: crosses on the window's last day.   L: paid late by unallocated cash.
    K: created after as_of.
    """
    customers = pd.DataFrame(
        {
            "customer_id": [*IDS, "K"],
            "created": ["2023-01-01"] * len(IDS) + ["2024-09-01"],
        }
    )
    invoices = pd.DataFrame(
        [
            ("IA1", "A", "2024-03-01", "2024-04-01", 100.0),
            ("IB1", "B", "2024-02-29", "2024-03-31", 200.0),
            ("IC1", "C", "2024-06-01", "2024-07-01", 300.0),
            ("ID1", "D", "2024-06-10", "2024-07-10", 400.0),
            ("IE0", "E", "2023-01-15", "2023-02-14", 30.0),
            ("IE1", "E", "2024-03-01", "2024-04-01", 50.0),
            ("IF1", "F", "2024-06-15", "2024-07-15", 70.0),
            ("IF2", "F", "2024-09-01", "2024-10-01", 80.0),
            ("IG1", "G", "2024-06-20", "2024-07-20", 90.0),
            ("IG2", "G", "2025-03-01", "2025-04-30", 20.0),
            ("IJ1", "J", "2024-06-30", "2025-03-31", 10.0),
            ("IL1", "L", "2024-05-15", "2024-06-14", 500.0),
            ("IK1", "K", "2024-10-01", "2024-10-31", 60.0),
        ],
        columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount"],
    )
    payments = pd.DataFrame(
        [
            ("P1", "C", "IC1", "2024-09-28", 300.0),
            ("P2", "D", "ID1", "2024-10-13", 400.0),
            ("P3", "E", "IE0", "2023-02-10", 30.0),
            ("P4", "E", "IE1", "2024-03-20", 50.0),
            ("P5", "F", "IF1", "2024-07-20", 70.0),
            ("P6", "G", "IG1", "2024-07-25", 90.0),
            ("P7", "G", "IG2", "2025-07-15", 20.0),
            ("P8", "L", None, "2024-12-01", 500.0),
            ("P9", "K", "IK1", "2024-11-05", 60.0),
        ],
        columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount"],
    )
    return {"invoices": invoices, "customers": customers, "payments": payments}


@pytest.fixture(scope="module")
def ledger(frames):
    return Ledger.from_frames(**frames)


@pytest.fixture(scope="module")
def labels(ledger):
    return default_labels(ledger, AS_OF)


@pytest.fixture(scope="module")
def features(ledger):
    return customer_features(ledger, AS_OF)


@pytest.fixture(scope="module")
def dev(ledger):
    return development_set(ledger)


def _labels(default, dates, exposure=None, in_default=None, status=None, complete=True):
    exposure = exposure or [100.0, 200.0, 300.0, 400.0, 0.0, 70.0, 90.0, 0.0, 10.0, 500.0]
    in_default = in_default or [False, True] + [False] * 8
    status = status or ["included", "in default at as_of", "included", "included", "no exposure",
                        "included", "included", "no exposure", "included", "included"]  # fmt: skip
    frame = pd.DataFrame(
        {
            "exposure": exposure,
            "in_default_at_as_of": in_default,
            "default": pd.Series(default, dtype="int64").to_numpy(),
            "default_date": pd.to_datetime(dates).astype("datetime64[ns]"),
            "label_complete": complete,
            "status": status,
        },
        index=pd.Index(IDS, name="customer_id"),
    )
    return frame


EXPECTED = _labels(
    [1, 0, 0, 1, 0, 1, 0, 0, 1, 1],
    ["2024-07-01", NaT, NaT, "2024-10-09", NaT, "2024-12-31", NaT, NaT, "2025-06-30", "2024-09-13"],
)


def test_default_labels_by_hand(labels):
    assert_frame_equal(labels, EXPECTED)


def test_default_labels_attrs_count_every_status(labels):
    assert labels.attrs == {
        "as_of": "2024-06-30",
        "horizon_end": "2025-06-30",
        "dpd": 90,
        "data_end": "2025-07-15",
        "counts": {"no exposure": 2, "in default at as_of": 1, "included": 7},
    }


def test_shorter_horizon_drops_later_crossings(ledger):
    got = default_labels(ledger, AS_OF, horizon_months=3)
    expected = pd.Series([1, 0, 0, 0, 0, 0, 0, 0, 0, 1], index=EXPECTED.index, name="default")
    assert_series_equal(got["default"], expected)
    assert got.attrs["horizon_end"] == "2024-09-30"


def test_lower_dpd_puts_a_90_days_late_customer_in_default_at_as_of(ledger):
    got = default_labels(ledger, AS_OF, dpd=89)
    assert got.loc["A", "status"] == "in default at as_of"
    assert got.loc["A", "in_default_at_as_of"]


def test_label_incomplete_when_the_window_ends_after_the_data(ledger):
    got = default_labels(ledger, "2024-09-30")
    assert not got["label_complete"].any()
    assert got.attrs["horizon_end"] == "2025-09-30"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon_months": 0}, "horizon_months must be an int >= 1; got 0"),
        ({"horizon_months": 1.5}, "horizon_months must be an int >= 1; got 1.5"),
        ({"dpd": -1}, "dpd must be an int >= 0; got -1"),
        (
            {"as_of": "end of June"},
            r"as_of must be a date in ISO 8601 form \(YYYY-MM-DD\); got 'end of June'",
        ),
    ],
    ids=["horizon-zero", "horizon-float", "dpd-negative", "as-of-text"],
)
def test_default_labels_rejects_bad_parameters(ledger, kwargs, message):
    arguments = {"as_of": AS_OF} | kwargs
    with pytest.raises(ConfigError, match=message):
        default_labels(ledger, **arguments)


def test_default_labels_need_settlement_data(frames):
    ledger = Ledger.from_frames(frames["invoices"], frames["customers"])
    with pytest.raises(SchemaError, match="default labels need settlement data"):
        default_labels(ledger, AS_OF)


def test_data_after_the_window_changes_nothing(labels, features, frames):
    later = dict(frames)
    later["invoices"] = pd.concat(
        [frames["invoices"], pd.DataFrame([("IA9", "A", "2025-07-01", "2025-07-31", 999.0)],
                                          columns=frames["invoices"].columns)],
        ignore_index=True,
    )  # fmt: skip
    extra = pd.DataFrame(
        [("P10", "A", "IA1", "2025-07-10", 100.0)], columns=frames["payments"].columns
    )
    later["payments"] = pd.concat([frames["payments"], extra], ignore_index=True)
    later["payments"].loc[later["payments"]["payment_id"] == "P7", "payment_date"] = "2025-08-01"
    changed = Ledger.from_frames(**later)
    assert_frame_equal(default_labels(changed, AS_OF), labels)
    assert_frame_equal(customer_features(changed, AS_OF), features)


def test_data_inside_the_window_changes_labels_not_features(features, frames):
    inside = dict(frames)
    dates = pd.to_datetime(frames["payments"]["payment_date"])
    keep = (dates <= AS_OF) | (dates > "2025-06-30")
    inside["payments"] = frames["payments"][keep].reset_index(drop=True)
    changed = Ledger.from_frames(**inside)
    expected = _labels(
        [1, 0, 1, 1, 0, 1, 1, 0, 1, 1],
        ["2024-07-01", NaT, "2024-09-30", "2024-10-09", NaT, "2024-10-14", "2024-10-19", NaT,
         "2025-06-30", "2024-09-13"],
    )  # fmt: skip
    assert_frame_equal(default_labels(changed, AS_OF), expected)
    assert_frame_equal(customer_features(changed, AS_OF), features)


@pytest.mark.parametrize(
    ("as_of", "months", "expected"),
    [("2024-02-29", 12, dt.date(2025, 2, 28)), ("2024-06-30", 3, dt.date(2024, 9, 30))],
    ids=["leap-day", "quarter"],
)
def test_horizon_end_adds_calendar_months(as_of, months, expected):
    assert horizon_end(as_of, months) == expected


def test_data_end_is_the_last_invoice_or_payment_date(ledger):
    assert data_end(ledger) == dt.date(2025, 7, 15)


def test_snapshot_dates_need_history_and_a_complete_window(ledger):
    assert snapshot_dates(ledger) == [dt.date(2024, 3, 31), dt.date(2024, 6, 30)]
    assert snapshot_dates(ledger, known_until="2025-04-30") == [dt.date(2024, 3, 31)]
    assert snapshot_dates(ledger, start="2024-04-01", freq="ME") == [
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
        dt.date(2024, 6, 30),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"end": "2024-01-31"}, "no snapshot date: from 2024-01-14 to 2024-01-31"),
        (
            {"freq": "fortnightly"},
            "freq must be a pandas frequency such as 'QE'; got 'fortnightly'",
        ),
        ({"history_months": -1}, "history_months must be an int >= 0; got -1"),
    ],
    ids=["empty", "bad-freq", "bad-history"],
)
def test_snapshot_dates_errors(ledger, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        snapshot_dates(ledger, **kwargs)


def test_development_set_by_hand(dev):
    got = dev
    labels = ["exposure", "in_default_at_as_of", "default", "default_date", "label_complete",
              "status"]  # fmt: skip
    expected = pd.DataFrame(
        {
            "snapshot": pd.to_datetime(["2024-03-31"] * 2 + ["2024-06-30"] * 7),
            "customer_id": ["A", "B", "A", "C", "D", "F", "G", "J", "L"],
            "exposure": [100.0, 200.0, 100.0, 300.0, 400.0, 70.0, 90.0, 10.0, 500.0],
            "in_default_at_as_of": False,
            "default": [1, 1, 1, 0, 1, 1, 0, 1, 1],
            "default_date": pd.to_datetime(
                [
                    "2024-07-01",
                    "2024-06-30",
                    "2024-07-01",
                    NaT,
                    "2024-10-09",
                    "2024-12-31",
                    NaT,
                    "2025-06-30",
                    "2024-09-13",
                ]
            ).astype("datetime64[ns]"),  # fmt: skip
            "label_complete": True,
            "status": "included",
        }
    )
    assert_frame_equal(got[["snapshot", "customer_id", *labels]], expected)
    assert list(got.columns[-6:]) == labels
    population = pd.DataFrame(
        {
            "snapshot": pd.to_datetime(["2024-03-31", "2024-06-30"]),
            "n": [2, 7],
            "n_default": [2, 5],
            "default_rate": [1.0, 5 / 7],
            "no exposure": [8, 2],
            "in default at as_of": [0, 1],
            "label_complete": [True, True],
        }
    )
    assert_frame_equal(got.attrs["population"], population)


def test_development_set_features_are_point_in_time(ledger, dev, features):
    got = development_set(ledger, as_of_dates=["2024-06-30"])
    assert_frame_equal(got, dev[dev["snapshot"] == "2024-06-30"].reset_index(drop=True))
    part = got.set_index("customer_id")[features.columns]
    part.attrs = features.attrs
    assert_frame_equal(part, features.loc[part.index])


def test_development_set_rejects_dates_and_bounds_together(ledger):
    with pytest.raises(ConfigError, match="pass either as_of_dates or start/end, not both"):
        development_set(ledger, as_of_dates=["2024-06-30"], start="2024-01-01")


def test_scoring_snapshot_keeps_customers_owing_money(ledger, features):
    got = scoring_snapshot(ledger, AS_OF)
    owing = ["A", "B", "C", "D", "F", "G", "J", "L"]
    expected = pd.DataFrame(
        {
            "exposure": [100.0, 200.0, 300.0, 400.0, 70.0, 90.0, 10.0, 500.0],
            "in_default_at_as_of": [False, True, False, False, False, False, False, False],
            "status": ["included", "in default at as_of"] + ["included"] * 6,
            "open_days_past_due": [90.0, 91.0, 0.0, 0.0, 0.0, 0.0, 0.0, 16.0],
        },
        index=pd.Index(owing, name="customer_id"),
    )
    assert_frame_equal(got[expected.columns], expected)
    assert_frame_equal(got[features.columns], features.loc[owing])
    assert got.attrs["counts"] == {"no exposure": 2, "in default at as_of": 1, "included": 7}


@pytest.fixture(scope="module")
def sample():
    ledger = read_ledger(resolve("data/sample"))
    return ledger, default_labels(ledger, AS_OF), customer_features(ledger, AS_OF)


def test_sample_data_after_the_window_changes_nothing(sample):
    ledger, labels, features = sample
    end = dt.date(2025, 6, 30)
    invoices, payments = ledger.invoices, ledger.payments
    changed = dataclasses.replace(
        ledger,
        payments=payments.filter(payments.payment_date <= end),
        invoices=invoices.mutate(
            amount=ibis.ifelse(invoices.invoice_date > end, invoices.amount * 2, invoices.amount)
        ),
    )
    assert_frame_equal(default_labels(changed, AS_OF), labels)
    assert_frame_equal(customer_features(changed, AS_OF), features)


def test_sample_payments_inside_the_window_change_labels_only(sample):
    ledger, labels, features = sample
    dates = ledger.payments.payment_date
    keep = (dates <= dt.date(2024, 6, 30)) | (dates > dt.date(2025, 6, 30))
    changed = dataclasses.replace(ledger, payments=ledger.payments.filter(keep))
    after = default_labels(changed, AS_OF)
    assert_frame_equal(customer_features(changed, AS_OF), features)
    assert_series_equal(after["exposure"], labels["exposure"])
    assert after["default"].sum() > labels["default"].sum()
    assert (after["default"] >= labels["default"]).all()


def test_window_defaults_of_a_date_are_queried_once_per_ledger(frames, monkeypatch):
    import segkit.credit.snapshots as snapshots

    queried = []
    run = snapshots._window_defaults

    def spy(used, days, *args):
        queried.append(list(days))
        return run(used, days, *args)

    monkeypatch.setattr(snapshots, "_window_defaults", spy)
    ledger = Ledger.from_frames(**frames)
    days = [dt.date(2023, 3, 31), dt.date(2023, 6, 30), dt.date(2023, 9, 30)]
    first = snapshots.window_defaults(ledger, days[:2], 12, 90)
    both = snapshots.window_defaults(ledger, days[1:], 12, 90)  # one kept, one new
    assert queried == [days[:2], days[2:]]
    fresh = run(Ledger.from_frames(**frames), days[1:], 12, 90)
    order = ["as_of", "customer_id"]
    assert_frame_equal(
        both.sort_values(order, ignore_index=True), fresh.sort_values(order, ignore_index=True)
    )
    assert len(first) + len(both) > 0  # the dates have defaults to keep
    snapshots.window_defaults(ledger, days[1:], 12, 60)  # another definition: queried
    assert queried[-1] == days[1:]


def test_window_defaults_beyond_the_bound_are_whole(frames, monkeypatch):
    import segkit.credit.snapshots as snapshots
    import segkit.features.engine as engine

    ledger = Ledger.from_frames(**frames)
    days = [dt.date(2023, 3, 31), dt.date(2023, 6, 30), dt.date(2023, 9, 30)]
    first = snapshots.window_defaults(ledger, days[:1], 12, 90)
    monkeypatch.setattr(engine, "KEEP_ROWS", len(first))  # full: nothing more is kept
    got = snapshots.window_defaults(ledger, days, 12, 90)
    assert list(engine.ledger_cache(ledger, "labels")[(12, 90)]) == days[:1]
    fresh = snapshots._window_defaults(Ledger.from_frames(**frames), days, 12, 90)
    order = ["as_of", "customer_id"]
    assert_frame_equal(
        got.sort_values(order, ignore_index=True), fresh.sort_values(order, ignore_index=True)
    )
