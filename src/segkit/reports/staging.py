"""A report folder that appears whole or not at all, one writer at a time.

:class:`ReportFolder` takes a lock on ``<out>/.<as_of>.lock`` (a second run into the same folder
fails at once with :class:`~segkit.exceptions.ReportError`), gives a staging folder
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
import tempfile
import threading
import time
from pathlib import Path

from segkit.exceptions import ReportError

__all__ = ["ReportFolder", "interrupts"]


class ReportFolder:
    """Lock ``target`` and stage its content in a hidden sibling folder (a context manager).

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
        self._lock = None

    def __enter__(self) -> ReportFolder:
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.lock_path, "a+")  # noqa: SIM115 - held until __exit__
        if not _try_lock(self._lock):
            self._lock.close()
            raise ReportError(
                f"another segkit report is writing {self.target}; wait for it to finish "
                f"(lock file {self.lock_path})."
            )
        for suffix in ("partial", "old"):
            for stale in self.root.glob(f".{self.target.name}.*.{suffix}"):
                shutil.rmtree(stale, ignore_errors=True)
        self.staging = Path(
            tempfile.mkdtemp(dir=self.root, prefix=f".{self.target.name}.", suffix=".partial")
        )
        os.chmod(self.staging, 0o755)
        return self

    def commit(self) -> Path:
        """Put the staging folder in place of the target; the earlier target is removed.

        Ctrl-C and SIGTERM wait until both renames are done.
        """
        old = None
        with _signals_held():
            if self.target.exists():
                old = Path(
                    tempfile.mkdtemp(dir=self.root, prefix=f".{self.target.name}.", suffix=".old")
                )
                os.rename(self.target, old / "report")
            os.rename(self.staging, self.target)
            self.staging = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target

    def __exit__(self, *exc_info) -> None:
        try:
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                self.staging = None
        finally:
            _unlock(self._lock)
            self._lock.close()


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


def _try_lock(handle) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        with contextlib.suppress(OSError):
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


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

    With one job the tasks run in order in this thread. With more, worker threads take them
    in order while this thread waits, so that Ctrl-C and SIGTERM still reach its handlers: on
    ``KeyboardInterrupt`` no further task starts, every running study kernel is killed, the
    workers get ``grace`` seconds to end and the interrupt is raised. The first exception a
    task raised is raised once all have ended.
    """
    tasks = list(tasks)
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            task()
        return
    pending = list(reversed(tasks))
    lock, errors, stop = threading.Lock(), [], threading.Event()

    def work() -> None:
        while not stop.is_set():
            with lock:
                if not pending:
                    return
                task = pending.pop()
            try:
                task()
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                errors.append(exc)

    workers = [
        threading.Thread(target=work, name=f"segkit-job-{k}", daemon=True)
        for k in range(min(jobs, len(tasks)))
    ]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            while worker.is_alive():
                worker.join(0.2)
    except KeyboardInterrupt:
        stop.set()
        from segkit.reports.kernel import kill_all

        kill_all()
        deadline = time.monotonic() + grace
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        raise
    if errors:
        raise errors[0]
