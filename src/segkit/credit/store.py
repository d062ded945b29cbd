"""One fitted credit study per ledger, date and parameters, shared by the processes of a report.

A report needs the credit study at its as-of date in three places, each in its own process: the
key figures of the index (:mod:`segkit.reports.summary`), the segmentation study (through
:func:`segkit.classify`) and the credit study itself. When the environment variable
:data:`STORE_ENV` names a folder (``segkit report`` sets it to a folder inside the report's
staging folder, so the stored studies are removed with it and never reach the report),
:func:`segkit.credit.credit_study` keeps each study it fits there under a key made of the
ledger's content, the date, every parameter and segkit's version, and a process asking for the
same key loads it instead of fitting again. One process fits while the others wait for it (a
file lock per key), so the scorecard is fitted once per date and report. Without the variable
nothing is kept and every call fits.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from segkit.output.locks import try_lock, unlock

__all__ = ["STORE_ENV", "ledger_fingerprint", "shared_store", "stored"]

#: The folder shared by the processes of one report (unset: nothing is stored).
STORE_ENV = "SEGKIT_CREDIT_STORE"

T = TypeVar("T")


def stored(ledger, parameters: Mapping, fit: Callable[[], T]) -> T:
    """``fit()``, or the result an earlier call with the same ledger and ``parameters`` stored.

    ``parameters`` must be JSON-serialisable and name everything the result depends on besides
    the ledger's tables. An error of ``fit`` is raised and nothing is stored.
    """
    folder = os.environ.get(STORE_ENV)
    if not folder:
        return fit()
    version = importlib.metadata.version("segkit")  # the installed segkit, as pip records it
    text = json.dumps({**parameters, "segkit": version}, sort_keys=True, default=str)
    key = hashlib.sha256(f"{ledger_fingerprint(ledger)}\n{text}".encode()).hexdigest()[:32]
    path = Path(folder) / f"credit-{key}.pickle"
    path.parent.mkdir(exist_ok=True)
    with _locked(path.with_suffix(".lock")):
        if path.is_file():  # written whole by another process (renamed into place)
            with path.open("rb") as file:
                return pickle.load(file)  # noqa: S301 - written by segkit in its own staging folder
        result = fit()
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with partial.open("wb") as file:
            pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
        return result


@contextlib.contextmanager
def shared_store(folder: Path) -> Iterator[Path]:
    """Share fitted studies through ``folder`` (created, then removed with what it holds) with
    this process and the processes it starts meanwhile; the variable is put back afterwards."""
    earlier = os.environ.get(STORE_ENV)
    folder.mkdir()
    os.environ[STORE_ENV] = str(folder)
    try:
        yield folder
    finally:
        if earlier is None:
            os.environ.pop(STORE_ENV, None)
        else:
            os.environ[STORE_ENV] = earlier
        shutil.rmtree(folder, ignore_errors=True)


def ledger_fingerprint(ledger) -> str:
    """SHA-256 of the ledger's tables: column names, types and the hash of every row.

    Two ledgers with the same fingerprint hold the same rows, in whatever order the engine
    returns them; any changed value, row or column gives another fingerprint.
    """
    import numpy as np
    import pandas as pd

    digest = hashlib.sha256()
    for name in ("invoices", "customers", "payments"):
        table = getattr(ledger, name)
        digest.update(f"<{name}>".encode())
        if table is None:
            continue
        frame = table.to_pandas()
        digest.update(repr(list(zip(frame.columns, map(str, frame.dtypes), strict=True))).encode())
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        digest.update(np.sort(rows).tobytes())
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(path: Path, poll: float = 0.1) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing); wait for another holder.

    The operating system releases the lock of a process that dies, so a killed kernel does not
    leave the others waiting.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while not try_lock(fd):
            time.sleep(poll)
        try:
            yield
        finally:
            unlock(fd)
    finally:
        os.close(fd)
