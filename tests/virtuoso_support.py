"""Test helpers: a real Virtuoso Open Source server (Debian's ``virtuoso-opensource``) on free ports.

Each server gets a scratch database in its own folder, a generated ``virtuoso.ini`` (HTTP and ISQL
on free loopback ports, no system service), and a writer account ``hcn`` holding only the
``SPARQL_UPDATE`` role, created over ISQL. Anonymous ``/sparql`` answers queries; writes go to the
digest-authenticated ``/sparql-graph-crud-auth`` (Graph Store Protocol) and ``/sparql-auth``
(SPARQL Update), as they would in production.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from pathlib import Path

from oxigraph_support import free_port, wait_for

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
WRITER = "hcn"

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = {row_limit}
MaxQueryExecutionTime = 60
"""


def installed() -> bool:
    """Whether the Virtuoso server and its ISQL client are on this machine."""
    return Path(VIRTUOSO).is_file() and Path(ISQL).is_file()


class VirtuosoServer:
    """``virtuoso-t +foreground`` over a scratch database in ``location``; stop ends the process."""

    def __init__(self, location: Path, row_limit: int = 100_000) -> None:
        self.location = location
        self.row_limit = row_limit  # [SPARQL] ResultSetMaxRows: more than the whole store, as dumps need
        self.http_port = free_port()
        self.isql_port = free_port()
        self.dba_password = secrets.token_hex(8)
        self.password = secrets.token_hex(8)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def store_url(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"

    @property
    def update_url(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def environment(self) -> dict[str, str]:
        """The writer's account as ``hcn load`` reads it from the environment."""
        return {"HCN_SPARQL_USER": WRITER, "HCN_SPARQL_PASSWORD": self.password, "HCN_SPARQL_AUTH": "digest"}

    def start(self) -> VirtuosoServer:
        """Create the database, start the server, wait until ``/sparql`` answers, add the writer."""
        ini = self.location / "virtuoso.ini"
        ini.write_text(INI.format(dir=self.location, isql_port=self.isql_port, http_port=self.http_port,
                                  row_limit=self.row_limit))
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=self.location, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            self._wait_until_up(timeout_s=60)
            self.isql(f"DB.DBA.USER_CREATE('{WRITER}', '{self.password}'); GRANT SPARQL_UPDATE TO \"{WRITER}\"; "
                      f"DB.DBA.USER_CHANGE_PASSWORD('dba', 'dba', '{self.dba_password}');", password="dba")
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self, timeout_s: float) -> None:
        """Poll ``/sparql`` until it answers; fail at once if the server process ends."""
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                log = self.location / "virtuoso.log"
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: "
                                   f"{log.read_text()[-2000:] if log.exists() else ''}")
            try:
                return wait_for(f"{self.query_url}?query=ASK%7B%7D", timeout_s=0.5)
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise

    def isql(self, statements: str, password: str | None = None) -> str:
        """Run SQL statements as the DBA over ISQL; their output, or ``RuntimeError`` with it."""
        done = subprocess.run([ISQL, f"127.0.0.1:{self.isql_port}", "dba", password or self.dba_password,
                               f"exec={statements}"], capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        """Terminate the server (it checkpoints on SIGTERM) and wait for it."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None
