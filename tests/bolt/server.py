"""Start and stop a throwaway Bolt server (ArcadeDB from PyPI) for the neo4j adapter's tests.

No Neo4j server can be installed on the build machines; ArcadeDB speaks Bolt and Cypher
and ships its own Java runtime in the `arcadedb-embedded` wheel. The test session starts
one server (tests/conftest.py) and stops it at the end, also when tests fail.

By hand:  python -m tests.bolt.server            # prints NEO4J_* settings, Ctrl-C stops it
"""

from __future__ import annotations

import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DATABASE = "thememap"
USER = "root"

_JAVA_FLAGS = [
    "--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.nio.channels.spi=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
]


class BoltUnavailable(RuntimeError):
    """The Bolt server could not be started; the message says why."""


@dataclass
class BoltServer:
    uri: str
    http_url: str
    user: str
    password: str
    database: str
    process: subprocess.Popen[bytes]
    root: Path
    command: list[str]

    def halt(self) -> None:
        """Stop the server (SIGTERM) and keep its data, as an outage would."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def resume(self, timeout: float = 60.0) -> None:
        """Start the halted server again on the same ports and data; return once it answers."""
        self.process = _launch(self.command, self.root)
        _wait_ready(self, timeout)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def env(self) -> dict[str, str]:
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USER": self.user,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _package() -> Path:
    try:
        import arcadedb_embedded
    except ImportError as exc:
        raise BoltUnavailable(
            "arcadedb-embedded is not installed (it is in the test extras: pip install -e '.[test]')"
        ) from exc
    return Path(arcadedb_embedded.__file__).parent


def start(timeout: float = 60.0) -> BoltServer:
    """Start ArcadeDB with its Bolt plugin on free loopback ports and wait until a
    `RETURN 1` succeeds (the port opens before the database exists)."""
    package = _package()
    root = Path(tempfile.mkdtemp(prefix="thememap-bolt-"))
    bolt_port, http_port = _free_port(), _free_port()
    password = secrets.token_urlsafe(12)
    settings = {
        "arcadedb.server.rootPath": str(root),
        "arcadedb.server.rootPassword": password,
        "arcadedb.server.defaultDatabases": f"{DATABASE}[{USER}]",
        "arcadedb.server.httpIncomingHost": "127.0.0.1",
        "arcadedb.server.httpIncomingPort": str(http_port),
        "arcadedb.server.plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "arcadedb.bolt.host": "127.0.0.1",
        "arcadedb.bolt.port": str(bolt_port),
    }
    command = [
        str(package / "jre" / "bin" / "java"),
        *_JAVA_FLAGS,
        *(f"-D{k}={v}" for k, v in settings.items()),
        "-cp",
        str(package / "jars" / "*"),
        "com.arcadedb.server.ArcadeDBServer",
    ]
    server = BoltServer(
        f"bolt://127.0.0.1:{bolt_port}",
        f"http://127.0.0.1:{http_port}",
        USER,
        password,
        DATABASE,
        _launch(command, root),
        root,
        command,
    )
    try:
        _wait_ready(server, timeout)
    except BaseException:
        tail = (root / "server.log").read_bytes()[-2000:].decode(errors="replace")
        server.stop()
        raise BoltUnavailable(f"ArcadeDB did not become ready in {timeout:.0f} s; its log ends:\n{tail}") from None
    return server


def _launch(command: list[str], root: Path) -> subprocess.Popen[bytes]:
    with open(root / "server.log", "ab") as log:
        return subprocess.Popen(command, cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_ready(server: BoltServer, timeout: float) -> None:
    from neo4j import GraphDatabase
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise BoltUnavailable("ArcadeDB exited during start-up")
        try:
            with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
                driver.execute_query("RETURN 1 AS one", database_=server.database)
                return
        except (ServiceUnavailable, Neo4jError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def main() -> None:
    server = start()
    for key, value in server.env().items():
        print(f"{key}={value}")
    print(f"# ArcadeDB studio/HTTP: {server.http_url}  (Ctrl-C stops the server and deletes its data)", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
