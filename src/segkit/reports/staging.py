"""A report folder that appears whole or not at all, one writer at a time.

:class:`ReportFolder` takes a lock on ``<out>/.<as_of>.lock`` (a second run into the same folder
fails at once with :class:`~segkit.exceptions.ReportError`; the lock file is removed when the run
ends), gives a staging folder
``<out>/.<as_of>.<random>.partial`` to write into, and :meth:`ReportFolder.commit` swaps it in
place of ``<out>/<as_of>`` with two renames. When the run stops before the commit (an error,
Ctrl-C, SIGTERM), the staging folder is removed and an earlier report of the same date stays
as it was: an index never points at a page that is not there. A staging folder left by a
killed process is removed by the next run that takes the lock.

:func:`interrupts` turns SIGTERM into ``KeyboardInterrupt`` while a report is written, so the
clean-up runs for both, and records that an interrupt came: a study that fails because the
kernel connection broke under the interrupt is then reported as the interrupt, not as a failed
study.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from segkit.exceptions import ReportError
from segkit.output.locks import try_lock, unlock

__all__ = ["MARKER", "ReportFolder", "check_replaceable", "interrupts"]


#: The file that marks a folder as written by segkit: only such a folder is ever replaced or
#: removed.
MARKER = ".segkit-report"


class ReportFolder:
    """Lock ``target`` and stage its content in a hidden sibling folder (a context manager).

    Nothing is followed and nothing is removed that segkit did not write: a symbolic link where
    the report or its lock goes is refused, and the earlier report (or a staging folder a killed
    run left) is replaced or removed only when it holds the :data:`MARKER` file every report
    folder is created with.

    Parameters
    ----------
    target : path-like
        The final folder, ``<out>/<as_of>``.
    """

    def __init__(self, target):
        self.target = Path(target)
        self.root = self.target.parent
        self.lock_path = self.root / f".{self.target.name}.lock"
        self.staging: Path | None = None
        self._lock: int | None = None

    def __enter__(self) -> ReportFolder:
        self.root.mkdir(parents=True, exist_ok=True)
        check_replaceable(self.target)
        self._lock = _take_lock(self.lock_path, self.target)
        try:
            for suffix in ("partial", "old"):
                for stale in self.root.glob(f".{self.target.name}.*.{suffix}"):
                    if _ours(stale):
                        shutil.rmtree(stale, ignore_errors=True)
            self.staging = Path(
                tempfile.mkdtemp(dir=self.root, prefix=f".{self.target.name}.", suffix=".partial")
            )
            os.chmod(self.staging, 0o755)
            (self.staging / MARKER).write_text("segkit report folder\n", encoding="utf-8")
        except BaseException:
            self.__exit__()
            raise
        return self

    def commit(self) -> Path:
        """Put the staging folder in place of the target; the earlier target is removed.

        Ctrl-C and SIGTERM wait until both renames are done.

        Raises
        ------
        ReportError
            When the target became a symbolic link, a file or a folder segkit did not write
            while the report ran.
        """
        check_replaceable(self.target)
        old = None
        with _signals_held():
            if os.path.lexists(self.target):
                old = Path(
                    tempfile.mkdtemp(dir=self.root, prefix=f".{self.target.name}.", suffix=".old")
                )
                (old / MARKER).write_text("segkit report folder\n", encoding="utf-8")
                os.rename(self.target, old / "report")
            os.rename(self.staging, self.target)
            self.staging = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target

    def __exit__(self, *exc_info) -> None:
        try:
            if self.staging is not None:
                _remove(self.staging)
                self.staging = None
        finally:
            if self._lock is not None:
                _release_lock(self._lock, self.lock_path)
                self._lock = None


def _remove(folder: Path, attempts: int = 20) -> None:
    """Remove a staging folder, again while a stopping study still writes a last file into it."""
    for _ in range(attempts):
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.lexists(folder):
            return
        time.sleep(0.25)


def check_replaceable(target: Path) -> None:
    """Refuse a ``target`` that a report must not replace: a link, a file, a foreign folder.

    Raises
    ------
    ReportError
        Naming the path and what is there.
    """
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise ReportError(
            f"{target} is a symbolic link; a report is written only into a real folder under "
            "--out (remove the link or choose another --out)."
        )
    if not stat.S_ISDIR(info.st_mode):
        raise ReportError(
            f"{target} exists and is not a folder; remove it or choose another --out."
        )
    if any(os.scandir(target)) and not _ours(target):
        raise ReportError(
            f"{target} holds files segkit did not write (no {MARKER} file); a report would "
            "replace them: move them or choose another --out."
        )


def _ours(folder: Path) -> bool:
    """A real folder (not a link) holding the marker of a segkit report, or a report written
    before the marker: an index naming the segkit version beside a parameters record."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
        if os.path.isfile(folder / MARKER) and not os.path.islink(folder / MARKER):
            return True
        index = folder / "index.html"
        earlier = (
            index.is_file() and not index.is_symlink() and any(folder.glob("*.parameters.json"))
        )
        return earlier and "segkit version" in index.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


#: Open flags of the lock: create, never through a symbolic link, never wait on a FIFO.
_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _take_lock(path: Path, target: Path) -> int:
    """Open (never through a link) and lock ``path``; the descriptor, or a ReportError."""
    for _ in range(3):
        try:
            fd = os.open(path, _LOCK_FLAGS, 0o644)
        except OSError as exc:
            if os.path.islink(path):
                raise ReportError(
                    f"the lock file {path} is a symbolic link; remove it (segkit never writes "
                    "through a link)."
                ) from None
            raise ReportError(f"cannot create the lock file {path}: {exc.strerror}.") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ReportError(f"the lock file {path} is not a regular file; remove it.")
        if not try_lock(fd):
            os.close(fd)
            raise ReportError(
                f"another segkit report is writing {target}; wait for it to finish "
                f"(lock file {path})."
            )
        if _same_file(fd, path):
            return fd
        unlock(fd)  # the holder before us removed the file after we opened it: open it anew
        os.close(fd)
    raise ReportError(f"cannot take the lock {path}: it keeps being replaced.")


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _release_lock(fd: int, path: Path) -> None:
    """Remove the lock file (still holding it, so no other run holds a removed file), unlock."""
    try:
        if _same_file(fd, path):
            with contextlib.suppress(OSError):
                os.unlink(path)
    finally:
        unlock(fd)
        os.close(fd)


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM back inside the block (where the platform allows it)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


class _Interrupts:
    """Whether SIGINT or SIGTERM arrived inside :func:`interrupts`."""

    def __init__(self):
        self.signal: int | None = None

    def __bool__(self) -> bool:
        return self.signal is not None


@contextlib.contextmanager
def interrupts():
    """Raise ``KeyboardInterrupt`` on SIGINT and SIGTERM inside the block; yield the record.

    Outside the main thread signals cannot be handled and the block runs unchanged.
    """
    record = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield record
        return

    def handler(signum, frame):
        record.signal = signum
        raise KeyboardInterrupt(f"interrupted by {signal.Signals(signum).name}")

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield record
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def in_parallel(tasks, jobs: int = 1, grace: float = 30.0) -> None:
    """Call every task of ``tasks`` (callables without arguments), ``jobs`` at a time.

    With one job the tasks run in order in this thread. With more, a
    :class:`~concurrent.futures.ThreadPoolExecutor` takes them in order while this thread
    waits, so that Ctrl-C and SIGTERM still reach its handlers: on
    ``KeyboardInterrupt`` no further task starts, every running study kernel is killed, the
    workers get ``grace`` seconds to end and the interrupt is raised. Once all have ended, the
    exception of the first task (in the order given) that raised one is raised.
    """
    tasks = list(tasks)
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            task()
        return
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(tasks)), thread_name_prefix="segkit-job")
    futures = [pool.submit(task) for task in tasks]
    try:
        running = set(futures)
        while running:  # short waits, so that this thread takes Ctrl-C and SIGTERM
            _, running = wait(running, timeout=0.2)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        from segkit.reports.kernel import kill_all

        kill_all()
        wait(futures, timeout=grace)
        raise
    pool.shutdown()
    errors = [error for future in futures if (error := future.exception()) is not None]
    if errors:
        raise errors[0]
