"""A real PostgreSQL server for the tests: initdb in a fresh directory, started on a free 127.0.0.1 port, stopped after.

Password authentication (scram-sha-256) over TCP, so a URI's password is really
used. Run as root (CI), initdb and the server run as the `postgres` user, as
PostgreSQL requires. The server binaries come from Debian's postgresql package
(.ci/run installs it when missing); without them the tests fail, saying so.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "s3cret-p@ss"  # '@' must be written %40 in a URI: both forms must stay hidden
PASSWORD_IN_URI = PASSWORD.replace("@", "%40")


@dataclass(frozen=True)
class PostgresServer:
    port: int

    def uri(self, database: str = "postgres", password: str = PASSWORD_IN_URI) -> str:
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/{database}"


def server_binaries() -> Path:
    """The directory of initdb and pg_ctl: Debian's /usr/lib/postgresql/N/bin (the newest), or the PATH's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql (.ci/run does)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A fresh server for the duration of the block; its directory removed afterwards."""
    binaries = server_binaries()
    as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root
    prefix = ["runuser", "-u", "postgres", "--"] if as_postgres else []
    home = Path(tempfile.mkdtemp(prefix="eligibility-pg-"))
    data, password_file = home / "data", home / "password"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    if as_postgres:
        shutil.chown(home, "postgres")
        shutil.chown(password_file, "postgres")

    def run(*command: str) -> None:
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed: {result.stdout}{result.stderr}")

    try:
        run(
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={password_file}",
        )
        for attempt in range(3):  # another process may take the port between choosing and binding it
            port = _free_port()
            options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
            try:
                run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start")
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        try:
            yield PostgresServer(port)
        finally:
            run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(home, ignore_errors=True)
