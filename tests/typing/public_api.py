"""Checked by mypy in `make test`: the README's quick start, as a user would type it."""

import pandas as pd

import segkit

ledger: segkit.Ledger = segkit.read_ledger("data/sample")
features: pd.DataFrame = segkit.customer_features(ledger, as_of="2025-12-31")
classes: pd.DataFrame = segkit.classify(ledger, as_of="2025-12-31")
labelled: pd.DataFrame = segkit.with_labels(classes, lang="zh")
again: pd.DataFrame = segkit.classify_features(features)
card = segkit.CreditScorecard()
try:
    segkit.run_reports("data/sample", "2025-12-31", out="reports")
except segkit.SegkitError as error:
    print(error)
