"""A throwaway PostgreSQL cluster of a test's own (initdb + pg_ctl on a free port in a temp
folder), for tests that stop and restart the server: the shared server at 127.0.0.1:5432
serves other test runs and must never be restarted. ``cluster`` skips, saying why, when the
server binaries are not installed."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def server_bindir() -> Path | None:
    """Where initdb and pg_ctl are: ``pg_config --bindir``, else the newest Debian install."""
    candidates: list[str] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One private server: ``url`` of its database "crm"; ``stop``/``start``/``restart``."""

    def __init__(self, bindir: Path, root: Path, run_as: str | None, password: str | None = None) -> None:
        self.bindir, self.root, self.run_as, self.password = bindir, root, run_as, password
        self.data = root / "data"
        self.port = free_port()
        who = f"postgres:{password}" if password else "postgres"
        self.url = f"postgresql+psycopg://{who}@127.0.0.1:{self.port}/crm"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as is not None:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", self.run_as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        """``password``: connections over TCP must give one (scram-sha-256), as on a LAN
        server; else every connection is trusted, as on the shared test server."""
        auth = ["-A", "trust"]
        if self.password:
            secret = self.root / "pw"
            secret.write_text(self.password + "\n")
            if self.run_as is not None:
                shutil.chown(secret, user=self.run_as)
            auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={secret}"]
        self._run("initdb", "-D", str(self.data), *auth, "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.start()
        self._run("psql", "-h", str(self.root), "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                  "-c", "CREATE DATABASE crm")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
                  "-m", "fast", "-w", "restart")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    yield from own_cluster()


def own_cluster(password: str | None = None) -> Iterator[Cluster]:
    """A private server for a fixture to yield from (``password``: see ``Cluster.init``)."""
    bindir = server_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: the restart test needs its own "
                    "throwaway server and never restarts the shared one")
    run_as = None
    # Not under pytest's tmp folder: that one is private to this user, and the server may run as another.
    root = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run a throwaway server as")
        run_as = "postgres"
        shutil.chown(root, user="postgres")
    server = Cluster(bindir, root, run_as, password)
    server.init()
    try:
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # a test left it stopped
        shutil.rmtree(root, ignore_errors=True)
