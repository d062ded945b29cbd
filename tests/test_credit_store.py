"""Tests of segkit.credit.store: one fitted study per ledger, date and parameters in a report."""

from __future__ import annotations

import os
import threading
import time

import pandas as pd
import pytest

from segkit import Ledger
from segkit.credit.store import STORE_ENV, ledger_fingerprint, shared_store, stored
from segkit.exceptions import ConfigError


def _ledger(amount: float = 100.0) -> Ledger:
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["C1", "C2"],
            "invoice_date": ["2024-01-10", "2024-02-01"],
            "due_date": ["2024-02-10", "2024-03-01"],
            "amount": [amount, 80.0],
        }
    )
    return Ledger.from_frames(invoices)


class Fits:
    """A stand-in fit that counts its calls and returns a fresh table each time."""

    def __init__(self, seconds: float = 0.0):
        self.calls = 0
        self.seconds = seconds

    def __call__(self) -> pd.DataFrame:
        self.calls += 1
        time.sleep(self.seconds)
        return pd.DataFrame({"pd": [0.1 * self.calls]})


def test_without_a_store_every_call_fits(monkeypatch):
    monkeypatch.delenv(STORE_ENV, raising=False)
    fits = Fits()
    ledger = _ledger()
    stored(ledger, {"as_of": "2024-06-30"}, fits)
    stored(ledger, {"as_of": "2024-06-30"}, fits)
    assert fits.calls == 2


def test_the_same_key_fits_once_and_loads_what_was_fitted(tmp_path):
    fits, ledger = Fits(), _ledger()
    with shared_store(tmp_path / "store") as folder:
        first = stored(ledger, {"as_of": "2024-06-30"}, fits)
        again = stored(_ledger(), {"as_of": "2024-06-30"}, fits)  # same data, another object
        assert fits.calls == 1
        pd.testing.assert_frame_equal(again, first)
        assert len(list(folder.glob("credit-*.pickle"))) == 1


def test_another_date_parameter_or_ledger_fits_again(tmp_path):
    fits = Fits()
    with shared_store(tmp_path / "store") as folder:
        stored(_ledger(), {"as_of": "2024-06-30", "dpd": 90}, fits)
        stored(_ledger(), {"as_of": "2024-03-31", "dpd": 90}, fits)
        stored(_ledger(), {"as_of": "2024-06-30", "dpd": 60}, fits)
        stored(_ledger(amount=100.01), {"as_of": "2024-06-30", "dpd": 90}, fits)
        assert fits.calls == 4
        assert len(list(folder.glob("credit-*.pickle"))) == 4


def test_processes_asking_at_once_wait_for_one_fit(tmp_path):
    fits, results = Fits(seconds=0.5), []
    ledgers = [_ledger() for _ in range(3)]  # one engine connection each, as in processes
    with shared_store(tmp_path / "store"):
        threads = [
            threading.Thread(target=lambda own=own: results.append(stored(own, {"k": 1}, fits)))
            for own in ledgers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert fits.calls == 1 and len(results) == 3
    assert all(r["pd"].tolist() == [0.1] for r in results)


def test_a_failed_fit_is_raised_and_not_stored(tmp_path):
    def failing():
        raise ConfigError("too few snapshots")

    with shared_store(tmp_path / "store") as folder:
        with pytest.raises(ConfigError, match="too few snapshots"):
            stored(_ledger(), {"k": 1}, failing)
        assert list(folder.glob("credit-*.pickle")) == []


def test_the_store_is_removed_and_the_variable_restored(tmp_path, monkeypatch):
    monkeypatch.setenv(STORE_ENV, "earlier")
    with shared_store(tmp_path / "store") as folder:
        assert os.environ[STORE_ENV] == str(folder)
        stored(_ledger(), {"k": 1}, Fits())
    assert not folder.exists() and os.environ[STORE_ENV] == "earlier"
    monkeypatch.delenv(STORE_ENV)
    with pytest.raises(RuntimeError, match="stopped"), shared_store(tmp_path / "again") as folder:
        raise RuntimeError("stopped")
    assert not folder.exists() and STORE_ENV not in os.environ


def test_the_fingerprint_follows_the_data_not_the_object():
    assert ledger_fingerprint(_ledger()) == ledger_fingerprint(_ledger())
    assert ledger_fingerprint(_ledger()) != ledger_fingerprint(_ledger(amount=-100.0))


CHILD = """
import sys
import pandas as pd
from segkit import Ledger
from segkit.credit.store import stored

def refit():
    raise SystemExit("fitted again in the child")

invoices = pd.DataFrame({"invoice_id": ["I1", "I2"], "customer_id": ["C1", "C2"],
                         "invoice_date": ["2024-01-10", "2024-02-01"],
                         "due_date": ["2024-02-10", "2024-03-01"], "amount": [100.0, 80.0]})
print(stored(Ledger.from_frames(invoices), {"as_of": "2024-06-30"}, refit)["pd"].tolist())
"""


def test_a_process_started_meanwhile_loads_the_study_of_its_parent(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    fits = Fits()
    src = str(Path(__file__).resolve().parents[1] / "src")
    with shared_store(tmp_path / "store"):
        stored(_ledger(), {"as_of": "2024-06-30"}, fits)
        env = {**os.environ, "PYTHONPATH": src}  # the store's variable is inherited, as by kernels
        child = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                               env=env, timeout=600)  # fmt: skip
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "[0.1]" and fits.calls == 1
