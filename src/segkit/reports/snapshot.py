"""One report describes one ledger: the ledger's files are the same at the end as at the start.

Every study reads the ledger itself, in its own kernel. :class:`Snapshot` records the identity
of each file the ledger is read from (device, inode, size, modification time to the nanosecond;
the files directly in the ledger's folder when its tables cannot be told)
when a report starts, and :meth:`Snapshot.check` compares them before the report is put in
place: a file replaced, rewritten or removed while the report ran fails the run with a
:class:`~segkit.exceptions.ReportError` naming it, and the earlier report stays as it was.
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

    def changed(self) -> list[Path]:
        """The files whose identity differs from the recorded one."""
        return [f for f in self.files if _identity(f) != self.marks[f]]

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


def _identity(path: Path) -> tuple | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
