"""Execute a notebook with papermill so that Ctrl-C and SIGTERM stop it cleanly.

nbclient, under papermill, installs its own SIGINT and SIGTERM handlers while a notebook runs
and puts the default ones back afterwards; an interrupt then surfaces as a broken kernel
connection (``ZMQError``, a dead kernel) and segkit's own handlers are lost. Here papermill runs
in a worker thread, where nbclient cannot install handlers, while the main thread waits and
keeps segkit's handlers. On an interrupt the main thread kills the study's kernel (its own
process group), waits for the worker to finish and raises ``KeyboardInterrupt``.

Kernels always run through :class:`TrackedKernelManager`, which shuts a kernel down without
first interrupting it (no ``KeyboardInterrupt caught in kernel`` on a run that succeeded), and,
unless a kernel name is given, on the interpreter that runs segkit (:class:`CallerKernelManager`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import weakref

import papermill
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

__all__ = ["CallerKernelManager", "TrackedKernelManager", "execute_notebook", "kill_all"]

_RUNNING: weakref.WeakSet = weakref.WeakSet()


class TrackedKernelManager(AsyncKernelManager):
    """Kernel manager that can be found and killed from another thread."""

    async def _async_post_start_kernel(self, **kwargs) -> None:
        _RUNNING.add(self)
        await super()._async_post_start_kernel(**kwargs)

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts a kernel before asking it to shut down; an idle kernel then
        # logs "KeyboardInterrupt caught in kernel" at ERROR on a run that succeeded. A study's
        # kernel is idle when it is shut down (nbclient interrupts a timed-out cell itself,
        # before), and a busy one is killed after the shutdown wait.
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    def kill_now(self) -> None:
        """Kill the kernel and the processes it started (its process group)."""
        process = getattr(self.provisioner, "process", None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(OSError):
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)  # the kernel leads its own session
            else:
                process.kill()


class CallerKernelManager(TrackedKernelManager):
    """Kernel manager whose kernel always runs the interpreter that runs segkit."""

    @property
    def kernel_spec(self) -> KernelSpec:
        return KernelSpec(
            name=self.kernel_name,
            # warnings of the kernel process itself (e.g. that it listens on the loopback
            # interface) are not the reader's business; errors still show
            argv=[
                sys.executable,
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
                "--IPKernelApp.log_level=ERROR",
            ],  # fmt: skip
            display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (segkit)",
            language="python",
        )


def execute_notebook(source, target, values, execute) -> None:
    """Run ``papermill.execute_notebook`` in a worker thread; see the module notes.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C or SIGTERM (with segkit's handlers installed), after the kernel is killed.
    Exception
        Whatever papermill raised for a failing notebook.
    """
    kernel = execute["kernel_name"]
    manager = TrackedKernelManager if kernel else CallerKernelManager
    failure: list[BaseException] = []

    def work() -> None:
        try:
            papermill.execute_notebook(
                str(source),
                str(target),
                parameters=values,
                kernel_name=kernel or "python3",
                language="python",
                progress_bar=execute["progress"],
                # the kernel starts in this folder; papermill's own ``cwd=`` would change the
                # working folder of the whole process, which studies side by side cannot share
                resources={"metadata": {"path": execute["cwd"]}},
                execution_timeout=execute["timeout"],
                kernel_manager_class=manager,
            )
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            failure.append(exc)

    worker = threading.Thread(target=work, name=f"segkit-{target}", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        kill_all()
        worker.join(60)
        raise
    if failure:
        raise failure[0]


def kill_all() -> None:
    """Kill every study kernel this process started that is still running."""
    for running in list(_RUNNING):
        running.kill_now()
