"""Ledgers in several currencies: rows converted into the functional currency exactly, the
features equal to those of the same ledger converted beforehand, revaluation reconciled to the
cent, and every bad input refused naming file, column, row and value."""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pandas as pd
import pytest

import segkit
from segkit.classes.rfm_scorer import rfm_scores
from segkit.credit.limits import propose_limits
from segkit.exceptions import ConfigError, MappingError, SchemaError
from segkit.features.fx import currency_mix, revaluation
from segkit.ledger import Ledger, read_ledger

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
AS_OF = "2025-12-31"


def _tiny(**changes):
    """Hand-sized: USD, EUR and JPY invoices and a CNY one, payments and rates."""
    invoices = pd.DataFrame({
        "invoice_id": ["A", "B", "C", "D", "E"],
        "customer_id": ["C1", "C2", "C1", "C3", "C3"],
        "invoice_date": ["2025-01-10", "2025-01-15", "2025-02-01", "2025-01-20", "2025-01-20"],
        "due_date": ["2025-02-09", "2025-02-14", "2025-03-03", "2025-02-19", "2025-02-19"],
        "amount": [1000.00, 500.00, 200.00, 10.50, 8.88],
        "currency": ["USD", "EUR", "CNY", "JPY", "RMB"],
    })  # fmt: skip
    payments = pd.DataFrame({
        "payment_id": ["P1"], "customer_id": ["C1"], "invoice_id": ["A"],
        "payment_date": ["2025-02-10"], "amount": [400.00], "currency": ["USD"],
    })  # fmt: skip
    rates = pd.DataFrame({
        "date": ["2025-01-10", "2025-02-10", "2025-03-31", "2025-01-15", "2025-03-31",
                 "2025-01-20", "2025-03-31"],
        "currency": ["USD", "USD", "USD", "EUR", "EUR", "JPY", "JPY"],
        "rate": ["7.1000", "7.2000", "7.3000", "7.8000", "7.7000", "0.05", "0.05"],
    })  # fmt: skip
    frames = {"invoices": invoices, "payments": payments, "rates": rates}
    for name, change in changes.items():
        frames[name] = change(frames[name].copy())
    return frames


def _ledger(**changes) -> Ledger:
    f = _tiny(**changes)
    return Ledger.from_frames(f["invoices"], payments=f["payments"], rates=f["rates"])


def test_rows_are_converted_at_their_dates_rate_to_the_cent_half_to_even():
    ledger = _ledger()
    inv = ledger.invoices.execute().set_index("invoice_id").sort_index()
    # 1000 x 7.1; 500 x 7.8; CNY as is; 10.50 x 0.05 = 0.525 -> 0.52 (half to even, GB/T 8170)
    assert inv["amount"].tolist() == [7100.00, 3900.00, 200.00, 0.52, 8.88]
    assert inv["amount_txn"].tolist() == [1000.00, 500.00, 200.00, 10.50, 8.88]
    assert inv.loc["E", "currency"] == "CNY"  # RMB is read as CNY, and said so
    assert "invoices.currency: 'RMB' read as CNY (1 rows)" in ledger.notes
    pay = ledger.payments.execute().iloc[0]
    # the payment derecognises 400 USD at the invoice's rate; at its own date's rate it is 2880
    assert (pay["amount"], pay["amount_at_payment"]) == (2840.00, 2880.00)
    assert ledger.functional_currency == "CNY"


def test_revaluation_and_realised_differences_reconcile_to_the_cent():
    ledger = _ledger()
    table = revaluation(ledger, "2025-03-31")
    usd, eur = table.loc["USD"], table.loc["EUR"]
    assert (usd["open_txn"], usd["open_booked"], usd["open_closing"]) == (600.00, 4260.00, 4380.00)
    assert (usd["unrealised"], usd["realised"]) == (120.00, 40.00)  # 600 x 0.2; 400 x 0.1
    assert (eur["open_closing"], eur["unrealised"], eur["realised"]) == (3850.00, -50.00, 0.0)
    # closing balance = booked - received at payment rates + realised + unrealised
    assert usd["open_closing"] == 7100.00 - 2880.00 + usd["realised"] + usd["unrealised"]
    assert table.loc["JPY", "open_closing"] == 0.52
    assert table.attrs["functional_currency"] == "CNY"
    features = segkit.customer_features(ledger, "2025-03-31", firmographic=False)
    assert features.loc["C1", "open_balance"] == 4260.00 + 200.00  # booked, not revalued
    assert revaluation(ledger, "2025-01-31").loc["USD", "realised"] == 0.0  # point in time


def test_a_ledger_in_one_currency_is_left_as_it_is():
    f = _tiny()
    usd = f["invoices"].assign(currency="USD")
    plain = Ledger.from_frames(usd.drop(columns="currency"))
    ledger = Ledger.from_frames(usd)
    assert ledger.functional_currency == "USD"
    assert "amount_txn" not in ledger.invoices.columns
    assert revaluation(ledger, AS_OF).empty and currency_mix(ledger, AS_OF).empty
    pd.testing.assert_frame_equal(
        segkit.customer_features(ledger, "2025-03-31"),
        segkit.customer_features(plain, "2025-03-31"),
    )


def _converted_beforehand(folder: Path) -> Ledger:
    """The fx_rates export converted by hand (Python decimals), as one CNY ledger."""
    rates = pd.read_csv(folder / "rates.csv", dtype=str)
    rate = {(c, d): Decimal(r) for d, c, r in rates.itertuples(index=False)}
    inv = pd.read_csv(folder / "invoices.csv", dtype={"customer_id": str})
    pay = pd.read_csv(folder / "payments.csv", dtype={"customer_id": str})
    cus = pd.read_csv(folder / "customers.csv", dtype={"customer_id": str})

    def cny(amount, code, day) -> float:
        r = Decimal(1) if code in ("CNY", "RMB") else rate[(code, day)]
        return float((Decimal(repr(amount)) * r).quantize(Decimal("0.01"), ROUND_HALF_EVEN))

    inv["amount"] = [
        cny(*v) for v in zip(inv["amount"], inv["currency"], inv["invoice_date"], strict=True)
    ]
    own = inv.set_index("invoice_id")
    pay["amount"] = [
        cny(a, c, own.loc[i, "invoice_date"]) if own.loc[i, "currency"] == c else cny(a, c, d)
        for a, c, i, d in zip(pay["amount"], pay["currency"], pay["invoice_id"], pay["payment_date"], strict=True)
    ]  # fmt: skip
    return Ledger.from_frames(inv.drop(columns="currency"), cus, pay.drop(columns="currency"))


@pytest.fixture(scope="module")
def fx_ledgers():
    return {
        "rates": read_ledger(EXPORTS / "fx_rates" / "mapping.yaml"),
        "functional": read_ledger(EXPORTS / "fx_functional_amounts" / "mapping.yaml"),
        "beforehand": _converted_beforehand(EXPORTS / "fx_rates"),
    }


def test_features_rfm_aging_and_limits_equal_those_of_the_ledger_converted_beforehand(fx_ledgers):
    frames = {k: segkit.customer_features(v, AS_OF) for k, v in fx_ledgers.items()}
    reference = frames["beforehand"]
    assert reference["open_balance"].sum() > 0 and reference["revenue_12m"].sum() > 0
    for name in ("rates", "functional"):
        pd.testing.assert_frame_equal(frames[name], reference)
    aging = [c for c in reference.columns if c.startswith("aging_")]
    assert aging and reference[aging].to_numpy().sum() > 0
    rfm = {k: rfm_scores(f[f["revenue_12m"] > 0]) for k, f in frames.items()}
    pd.testing.assert_frame_equal(rfm["rates"], rfm["beforehand"])
    limits = {k: propose_limits(f.assign(grade="BBB")) for k, f in frames.items()}
    pd.testing.assert_frame_equal(limits["rates"], limits["beforehand"])
    assert limits["rates"]["limit_proposed"].sum() > 0


def test_the_currency_mix_adds_up_to_the_ledger(fx_ledgers):
    ledger = fx_ledgers["rates"]
    mix = currency_mix(ledger, AS_OF)
    assert set(mix.index) == {"CNY", "USD", "EUR"}
    features = segkit.customer_features(ledger, AS_OF)
    assert mix["revenue"].sum() == pytest.approx(features["revenue_12m"].sum(), abs=0.005)
    assert mix["revenue_share"].sum() == pytest.approx(1.0)
    reval = revaluation(ledger, AS_OF)
    assert (
        mix.loc[["USD", "EUR"], "open"].tolist()
        == reval.loc[["USD", "EUR"], "open_booked"].tolist()
    )


def test_a_gap_in_the_rates_names_currency_and_date_or_is_filled_and_noted(tmp_path):
    folder = EXPORTS / "fx_rates"
    with pytest.raises(SchemaError) as err:
        read_ledger(folder / "mapping.yaml", rates=folder / "rates_gap.csv")
    message = str(err.value)
    assert "a rate USD to CNY on the invoice_date in rates_gap.csv" in message
    assert "2025-03-0" in message and "invoices.csv" in message
    filled = read_ledger(
        folder / "mapping.yaml", rates=folder / "rates_gap.csv", rates_fill="previous"
    )
    note = next(n for n in filled.notes if n.startswith("rates_fill previous"))
    assert "in USD took the last earlier rate, at most" in note
    days = int(note.split("at most ")[1].split(" ")[0])
    assert 1 <= days <= 7


def test_the_mapping_names_functional_currency_rates_and_fill(tmp_path):
    folder = tmp_path / "fx"
    shutil.copytree(EXPORTS / "fx_rates", folder)
    renamed = pd.read_csv(folder / "rates_gap.csv").rename(columns={"date": "日期", "rate": "汇率"})
    renamed.to_csv(folder / "汇率.csv", index=False)
    text = (
        (folder / "mapping.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "rates: rates.csv",
            "rates: {file: 汇率.csv, columns: {date: 日期, rate: 汇率}}\nrates_fill: previous",
        )
    )
    (folder / "mapping.yaml").write_text(text, encoding="utf-8")
    ledger = read_ledger(folder / "mapping.yaml")
    assert ledger.rates is not None and ledger.rates.origin == "汇率.csv"
    for bad, match in (("functional_currency: CNY", "functional_currency must be an ISO 4217"),
                       ("rates_fill: previous", "rates_fill must be")):  # fmt: skip
        wrong = text.replace(bad, bad.split(":")[0] + ": YUAN")
        (folder / "bad.yaml").write_text(wrong, encoding="utf-8")
        with pytest.raises(MappingError, match=match):
            read_ledger(folder / "bad.yaml")


def _refused(**changes) -> pd.DataFrame:
    with pytest.raises(SchemaError) as err:
        _ledger(**changes)
    return err.value.failures


def test_an_unknown_currency_code_is_refused_with_value_and_count():
    failures = _refused(invoices=lambda f: f.assign(currency=["USD", "XYZ", "CNY", "XYZ", "CNY"]))
    assert failures[["column", "row", "value"]].values.tolist() == [
        ["currency", 1, "XYZ"],
        ["currency", 3, "XYZ"],
    ]
    with pytest.raises(SchemaError, match=r"XYZ.*\(2 in all\)|2 in all"):
        _ledger(invoices=lambda f: f.assign(currency=["USD", "XYZ", "CNY", "XYZ", "CNY"]))


def test_a_missing_rate_names_currency_date_file_and_row():
    failures = _refused(rates=lambda f: f[f["currency"] != "EUR"])
    row = failures.iloc[0]
    assert (row["file"], row["column"], row["row"], row["value"]) == (
        "<invoices DataFrame>",
        "currency",
        1,
        "EUR 2025-01-15",
    )
    assert "a rate EUR to CNY on the invoice_date" in row["rule"]


@pytest.mark.parametrize("value", ["0", "-7.1", "abc", "7.123456789", ""])
def test_a_rate_that_is_not_a_positive_number_is_refused(value):
    failures = _refused(rates=lambda f: f.assign(rate=[value, *f["rate"][1:]]))
    assert failures[["file", "table", "column", "row"]].values.tolist() == [
        ["<rates DataFrame>", "rates", "rate", 0]
    ]


def test_two_rates_for_one_date_and_currency_are_refused_naming_both_rows():
    twice = lambda f: pd.concat([f, f.iloc[[1]].assign(rate="7.2100")], ignore_index=True)  # noqa: E731
    failures = _refused(rates=twice)
    assert failures[["table", "row"]].values.tolist() == [["rates", 7]]
    assert "rows 1, 7" in failures["rule"].iloc[0]
    assert failures["value"].iloc[0] == "USD 2025-02-10: 7.2000, 7.2100"


def test_a_rates_file_without_its_columns_is_refused_naming_file_and_column(tmp_path):
    path = tmp_path / "rates.csv"
    _tiny()["rates"].rename(columns={"rate": "fx"}).to_csv(path, index=False)
    f = _tiny()
    with pytest.raises(SchemaError) as err:
        Ledger.from_frames(f["invoices"], payments=f["payments"], rates=path)
    failure = err.value.failures.iloc[0]
    assert (failure["file"], failure["column"], failure["row"]) == ("rates.csv", "rate", 1)
    assert failure["value"] == "columns found: date, currency, fx"
    with pytest.raises(SchemaError, match="an ISO 4217 currency code"):
        _ledger(
            rates=lambda f: f.assign(currency=["USD", "USD", "USD", "EUR", "EUR", "JPY", "QQQ"])
        )


def test_the_functional_currency_must_be_a_code():
    f = _tiny()
    with pytest.raises(ConfigError, match="functional_currency must be an ISO 4217"):
        Ledger.from_frames(f["invoices"], rates=f["rates"], functional_currency="yuan")
    with pytest.raises(ConfigError, match="rates_fill must be one of"):
        Ledger.from_frames(f["invoices"], rates=f["rates"], rates_fill="nearest")
    told = Ledger.from_frames(f["invoices"].assign(currency="USD"), functional_currency="USD")
    assert told.functional_currency == "USD" and "amount_txn" not in told.invoices.columns
    with pytest.raises(SchemaError, match="a rate USD to EUR on the invoice_date"):
        Ledger.from_frames(f["invoices"].assign(currency="USD"), functional_currency="EUR")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_studies_show_the_currency_mix_only_for_several_currencies(fx_ledgers, lang):
    from segkit.studies.currencies import currency_frame, currency_section
    from segkit.studies.sections import holdings

    frame = currency_frame(fx_ledgers["rates"], AS_OF)
    assert list(frame.index) == ["CNY", "USD", "EUR"]  # by revenue
    assert frame.loc["CNY", ["open_txn", "unrealised"]].isna().all()  # no revaluation of CNY
    heading, words, table = currency_section(frame, lang)
    html = table.to_html()
    unrealised = "Unrealised difference (CNY)" if lang == "en" else "未实现汇兑差额（CNY）"
    assert unrealised in html and f"{frame.loc['USD', 'unrealised']:,.2f}" in html
    assert ("3 currencies" if lang == "en" else "3 种币种") in words.data
    no_rates = currency_section(currency_frame(fx_ledgers["functional"], AS_OF), lang)[1].data
    assert ("no closing rate" if lang == "en" else "没有用于重估") in no_rates
    assert currency_section(currency_frame(fx_ledgers["beforehand"], AS_OF), lang) == []
    assert holdings(fx_ledgers["rates"], AS_OF).currency == "CNY"
    f = _tiny()
    usd = Ledger.from_frames(f["invoices"].assign(currency="USD"))
    assert holdings(usd, "2025-03-31").currency == "USD"


def test_a_currency_sign_in_an_amount_is_checked_against_its_rows_currency():
    inv = _tiny()["invoices"].iloc[:2].assign(amount=["$1000.00", "€500"])
    ledger = Ledger.from_frames(inv, rates=_tiny()["rates"])
    assert ledger.invoices.execute().set_index("invoice_id")["amount"].to_dict() == {
        "A": 7100.00,
        "B": 3900.00,
    }
    with pytest.raises(SchemaError) as err:
        Ledger.from_frames(inv.assign(amount=["$1000.00", "$500"]), rates=_tiny()["rates"])
    assert err.value.failures[["column", "row", "value"]].values.tolist() == [["amount", 1, "$500"]]


def test_the_rates_file_is_one_of_the_files_a_ledger_is_read_from():
    from segkit.ledger.model import ledger_files

    mapping = EXPORTS / "fx_rates" / "mapping.yaml"
    assert ledger_files(mapping)[-1] == (EXPORTS / "fx_rates" / "rates.csv").resolve()
    assert read_ledger(mapping).files["rates"] == (EXPORTS / "fx_rates" / "rates.csv").resolve()


def test_rates_read_the_same_from_csv_excel_and_parquet(tmp_path):
    from segkit.ledger.rates import read_rates

    frame = _tiny()["rates"]
    frame.to_csv(tmp_path / "r.csv", index=False)
    frame.to_excel(tmp_path / "r.xlsx", index=False)
    frame.assign(date=pd.to_datetime(frame["date"]), rate=frame["rate"].astype(float)).to_parquet(
        tmp_path / "r.parquet"
    )
    read = [read_rates(tmp_path / f"r.{s}").frame for s in ("csv", "xlsx", "parquet")]
    usd = read[0][read[0]["currency"] == "USD"]
    assert usd["rate"].map(str).tolist() == ["7.1000", "7.2000", "7.3000"]  # exact, as written
    for other in read[1:]:
        pd.testing.assert_frame_equal(
            other.drop(columns="rate"), read[0].drop(columns="rate"), check_dtype=False
        )
        assert [float(r) for r in other["rate"]] == [float(r) for r in read[0]["rate"]]
    assert usd["row"].tolist() == [2, 3, 4]  # spreadsheet rows: the header is row 1


@pytest.mark.parametrize(
    ("rates", "match"),
    [
        ("{columns: {date: 日期}}", "expected a file name or a section with file:"),
        ("{file: r.csv, url: x}", r"unknown key\(s\) \['url'\]"),
        ("{file: r.csv, columns: {day: 日期}}", "columns maps"),
    ],
)
def test_a_malformed_rates_key_is_refused_naming_it(tmp_path, rates, match):
    (tmp_path / "m.yaml").write_text(
        f"rates: {rates}\ntables:\n  invoices: {{file: invoices.csv}}\n", encoding="utf-8"
    )
    with pytest.raises(MappingError, match=match):
        read_ledger(tmp_path / "m.yaml")
