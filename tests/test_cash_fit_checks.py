"""The late-payment model is withheld, or flagged, with a reason when it cannot be trusted."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import Ledger
from segkit.cash import LatePaymentModel
from segkit.cash.evaluation import validation_check
from segkit.exceptions import ConfigError, ModelNotFitted
from segkit.studies.credit_risk import collections_view
from segkit.text import text
from test_cash_model import behaviour_frames

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def _ledger(delays: dict[str, int]) -> Ledger:
    frames = behaviour_frames(delays)
    return Ledger.from_frames(frames["invoices"], payments=frames["payments"])


def test_all_invoices_paid_on_time_withholds_the_model():
    ledger = _ledger({f"P{i}": -3 for i in range(16)})
    with pytest.raises(ModelNotFitted, match="0 late and .* on-time payments") as caught:
        LatePaymentModel(cv=2, max_iter=30).fit(ledger, "2024-06-30")
    error = caught.value
    assert error.reason == "few_outcomes" and isinstance(error, ConfigError)
    assert error.figures["late"] == 0 and error.figures["on_time"] >= 50


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_collections_section_says_why_the_model_is_withheld(lang):
    view = collections_view(_ledger({f"P{i}": -3 for i in range(16)}), "2024-12-31")
    assert view.note[0] == "withheld_few_outcomes" and view.predictions is None
    said = view.message(lang)
    if lang == "en":
        assert said.startswith("The late-payment model is withheld: of the ")
        assert " were paid late and " in said and "at least 10 of each" in said
    else:
        assert said.startswith("逾期付款模型未采用") and "两类各需至少10张" in said


def _metrics(auc: float, mean_p: float, late_rate: float = 0.3) -> pd.DataFrame:
    return pd.DataFrame({"n": [200], "late_rate": [late_rate], "auc": [auc], "brier": [0.2],
                         "mean_p": [mean_p], "top_decile_lift": [1.0]},
                        index=pd.Index(["in_use"], name="score"))  # fmt: skip


def test_the_out_of_time_test_must_beat_chance_and_stay_calibrated():
    assert validation_check(_metrics(0.74, 0.32)) is None
    assert validation_check(_metrics(0.50, 0.30)) == ("withheld_chance", {"auc": 0.5, "n": 200})
    assert validation_check(_metrics(0.41, 0.30))[0] == "withheld_chance"
    assert validation_check(_metrics(np.nan, 0.0, 0.0)) == ("withheld_untested", {"n": 200})
    note = validation_check(_metrics(0.80, 0.55))
    assert note == ("withheld_calibration", {"mean_p": 0.55, "late_rate": 0.3})
    said = text("cash_text", note[0], "en", **note[1])
    assert "predicted 55% of them late on average where 30% were" in said
    assert "AUC 0.41" in text("cash_text", "withheld_chance", "en", auc=0.41, n=200)


def test_a_model_worse_than_chance_out_of_time_is_flagged_first_on_the_page():
    import segkit

    folder = EXPORTS / "usd_master"  # out of time the score in use ranks with AUC 0.43
    view = collections_view(segkit.read_ledger(folder, mapping=folder / "mapping.yaml"),
                            "2025-12-31")  # fmt: skip
    assert view.available and view.caveat[0] == "withheld_chance"
    assert view.caveat[1]["auc"] < 0.5
    for lang, start in (("en", "> Caution: the late-payment model failed its out-of-time check"),
                        ("zh", "> 注意：逾期付款模型未通过样本外检验")):
        shown = [str(getattr(item, "data", "")) for item in view.sections(lang)]
        assert shown[1].startswith(start)


def _short_baseline():
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True),
                         StandardScaler(), LogisticRegression(max_iter=1))  # fmt: skip


def test_a_baseline_that_does_not_converge_withholds_the_model(monkeypatch):
    delays = {f"P{i}": (-3 if i % 3 else 20 + i) for i in range(16)}
    ledger = _ledger(delays)
    LatePaymentModel(cv=2, max_iter=30, choice="logistic").fit(ledger, "2024-12-31")  # converges
    monkeypatch.setattr("segkit.cash.model._baseline", _short_baseline)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw scikit-learn warning reaches the console
        with pytest.raises(ModelNotFitted, match="did not converge") as caught:
            LatePaymentModel(cv=2, max_iter=30).fit(ledger, "2024-12-31")
    assert caught.value.reason == "not_converged" and caught.value.figures["iterations"] == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_collections_section_says_the_baseline_did_not_converge(monkeypatch, lang):
    monkeypatch.setattr("segkit.cash.model._baseline", _short_baseline)
    delays = {f"P{i}": (-3 if i % 3 else 20 + i) for i in range(16)}
    view = collections_view(_ledger(delays), "2024-12-31")
    assert view.note[0] == "withheld_not_converged" and view.predictions is None
    said = view.message(lang)
    wanted = "reached its iteration limit without converging" if lang == "en" else "达到迭代上限仍未收敛"
    assert wanted in said
