"""A throwaway PostgreSQL server for the engine tests: initdb + pg_ctl in a temporary folder.

The server binaries come from Debian's ``postgresql`` package (``make postgres-deps`` installs
it when root). The cluster lives in a new temporary folder, listens on a free loopback port
only (and a socket in that folder), trusts local connections, and is stopped and removed on
exit. ``initdb`` refuses to run as root, so as root the cluster belongs to ``nobody``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "segkit"


def server_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest Debian version first), or None."""
    for name in ("initdb", "pg_ctl"):
        if shutil.which(name) is None:
            break
    else:
        return Path(shutil.which("pg_ctl")).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version, reverse=True)
    return Path(found[0]).parent if found else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parts[-3])
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """Start a private cluster on enter, stop and delete it on exit; ``params`` to connect."""

    def __init__(self) -> None:
        self.bin = server_bin()
        if self.bin is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found (initdb, pg_ctl): run 'make postgres-deps' "
                "or 'apt-get install postgresql'"
            )
        self.root = Path(tempfile.mkdtemp(prefix="segkit-pg-"))
        self.port = _free_port()
        self.params = {"host": "127.0.0.1", "port": self.port, "user": USER,
                       "database": "postgres"}  # fmt: skip

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "nobody", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")

    def __enter__(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.root, "nobody")
        data = self.root / "data"
        try:
            self._run("initdb", "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
                      "--locale=C", "--no-sync")  # fmt: skip
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
            self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "log"),
                      "-w", "-t", "300", "start")  # fmt: skip
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
