"""One report describes one ledger: the ledger's files are the same at the end as at the start.

Every study reads the ledger itself, in its own kernel. :class:`Snapshot` records the identity
of each file the ledger is read from (device, inode, size, modification time to the nanosecond;
the files directly in the ledger's folder when its tables cannot be told)
when a report starts, and :meth:`Snapshot.check` compares them before the report is put in
place: a file replaced, rewritten or removed while the report ran fails the run with a
:class:`~segkit.exceptions.ReportError` naming it, and the earlier report stays as it was.

A ledger held in an engine (a mapping with ``source:``) has no files but its mapping: its
tables are identified by :func:`segkit.ledger.engines.fingerprint` (row counts, date ranges,
exact sums and distinct keys of every table, one aggregation each) at the start and the end.
"""

from __future__ import annotations

import os
from pathlib import Path

from segkit.exceptions import ReportError

__all__ = ["Snapshot"]


class Snapshot:
    """The identity of the ledger's files at one moment.

    Parameters
    ----------
    data : path-like
        The ledger folder, file or mapping file, as for :func:`segkit.ledger.read_ledger`.
    mapping : path-like, optional
        The mapping file.
    """

    def __init__(self, data, mapping=None):
        self.files = _files(Path(data), mapping)
        self.marks = {f: _identity(f) for f in self.files}
        self.source = _engine_source(Path(data), mapping)
        self.tables = _tables(self.source)

    def changed(self) -> list:
        """The files whose identity differs from the recorded one; for a ledger in an engine,
        the tables whose fingerprint differs (``postgres ar.invoices``)."""
        files = [f for f in self.files if _identity(f) != self.marks[f]]
        if self.source is None or self.tables is None:
            return files
        now = _tables(self.source) or {}
        names = sorted(set(self.tables) | set(now))
        return files + [self.source.describe(t) for t in names if self.tables.get(t) != now.get(t)]

    def check(self) -> None:
        """Raise when a file changed since the snapshot.

        Raises
        ------
        ReportError
            Naming the files that changed.
        """
        changed = self.changed()
        if changed:
            names = ", ".join(str(f) for f in changed[:5])
            raise ReportError(
                f"the ledger changed while the report ran ({names}); the studies may describe "
                "different data, so no report was written: run it again once the files are "
                "complete."
            )


def _files(data: Path, mapping) -> list[Path]:
    """The files the ledger is read from; when they cannot be told (the studies will say why),
    ``data`` itself, or the files directly in it, and the mapping."""
    from segkit.exceptions import SegkitError
    from segkit.ledger.model import ledger_files

    try:
        return [Path(f) for f in ledger_files(data, mapping)]
    except SegkitError:
        found = sorted(p for p in data.iterdir() if p.is_file()) if data.is_dir() else [data]
        return ([Path(mapping)] if mapping else []) + found


def _engine_source(data: Path, mapping):
    """The engine source of a mapping with ``source:``, else None."""
    from segkit.exceptions import SegkitError
    from segkit.ledger.mapping import load_mapping

    path = mapping or (data if data.suffix.lower() in (".yaml", ".yml") else None)
    if path is None:
        return None
    try:
        return load_mapping(path).engine
    except SegkitError:  # the studies say what is wrong with the mapping
        return None


def _tables(source) -> dict | None:
    """The fingerprint of the source's tables, or None when they cannot be read."""
    from segkit.exceptions import SegkitError
    from segkit.ledger.engines import fingerprint, read_engine

    if source is None:
        return None
    try:
        ledger = read_engine(source, validate=False)
    except SegkitError:
        return None
    try:
        return fingerprint(ledger)
    finally:
        if source.engine != "spark":  # the local Spark session is the process's, left running
            ledger.con.disconnect()


def _identity(path: Path) -> tuple | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
