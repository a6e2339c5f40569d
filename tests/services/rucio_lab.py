"""A real Rucio server for the tests: SQLite, plain HTTP on 127.0.0.1, a POSIX RSE in a temp dir.

Started by the test setup itself from the `.venv-rucio` environment (`scripts/setup.sh rucio`,
pinned `rucio==41.5.1` with the same-version `rucio-clients`), stopped by its PID.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SERVER_VENV = REPO / ".venv-rucio"
RSE = "DMCOMBINE_DISK"
ACCOUNT_PASSWORD = "ddm-secret-4f1c9e"  # the lab's bootstrap password, checked to leak nowhere


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RucioLab:
    """One Rucio server with its database, RSE directory and client configurations."""

    root: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    startup_s: float = 0.0
    _log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rse_dir(self) -> Path:
        return self.root / "rse"

    def client_config(self, password: str = ACCOUNT_PASSWORD, name: str = "rucio-client.cfg") -> Path:
        """A client configuration (what a user keeps in RUCIO_CONFIG); one token file per config."""
        path = self.root / "etc" / name
        tokens = self.root / f"tokens-{name}"
        tokens.mkdir(parents=True, exist_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            textwrap.dedent(
                f"""\
                [client]
                rucio_host = {self.url}
                auth_host = {self.url}
                auth_type = userpass
                username = ddmlab
                password = {password}
                account = root
                request_retries = 2
                auth_token_file_path = {tokens}/token
                """
            )
        )
        return path

    def env(self, config: Path | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env["RUCIO_CONFIG"] = str(config or self.client_config())
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        return env

    def _server_files(self) -> Path:
        site = next((SERVER_VENV / "lib").glob("python3*/site-packages"))
        etc = self.root / "etc"
        for sub in ("etc", "log", "rse"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        db = self.root / "rucio.db"
        (etc / "alembic.ini").write_text(
            textwrap.dedent(
                f"""\
                [alembic]
                script_location = {site}/rucio/db/sqla/migrate_repo/
                sqlalchemy.url = sqlite:///{db}
                [loggers]
                keys = root
                [handlers]
                keys = console
                [formatters]
                keys = generic
                [logger_root]
                level = WARN
                handlers = console
                [handler_console]
                class = StreamHandler
                args = (sys.stderr,)
                formatter = generic
                [formatter_generic]
                format = %(levelname)s %(message)s
                """
            )
        )
        server_cfg = etc / "rucio-server.cfg"
        server_cfg.write_text(
            textwrap.dedent(
                f"""\
                [common]
                logdir = {self.root}/log
                loglevel = WARNING
                mailtemplatedir = {SERVER_VENV}/rucio/etc/mail_templates
                [database]
                default = sqlite:///{db}
                echo = False
                poolclass = nullpool
                [alembic]
                cfg = {etc}/alembic.ini
                [bootstrap]
                userpass_identity = ddmlab
                userpass_pwd = {ACCOUNT_PASSWORD}
                userpass_email = ci@example.org
                [policy]
                permission = generic
                schema = generic
                lfn2pfn_algorithm_default = hash
                support = ci@example.org
                [monitor]
                enable_metrics = False
                """
            )
        )
        return server_cfg

    def start(self, timeout_s: float = 60.0) -> RucioLab:
        """Create the database, start the REST server, create the RSE; wait until it answers."""
        began = time.monotonic()
        server_cfg = self._server_files()
        env = dict(os.environ, RUCIO_CONFIG=str(server_cfg))
        python = str(SERVER_VENV / "bin" / "python")
        subprocess.run(
            [python, "-c", "from rucio.db.sqla.util import build_database, create_base_vo, create_root_account;"
             "build_database(); create_base_vo(); create_root_account()"],
            env=env, check=True, capture_output=True, timeout=120,
        )
        self._log = open(self.root / "log" / "server.out", "wb")
        self.process = subprocess.Popen(
            [str(SERVER_VENV / "bin" / "flask"), "--app", "rucio.web.rest.flaskapi.v1.main:application",
             "run", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/ping", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Rucio server did not start: see {self.root / 'log' / 'server.out'}")
            time.sleep(0.2)
        self.admin(
            f"""
            c.add_rse({RSE!r})
            c.add_protocol({RSE!r}, {{"scheme": "file", "hostname": "localhost", "port": 0,
                "prefix": {str(self.rse_dir)!r}, "impl": "rucio.rse.protocols.posix.Default",
                "domains": {{"lan": {{"read": 1, "write": 1, "delete": 1}},
                            "wan": {{"read": 1, "write": 1, "delete": 1,
                                    "third_party_copy_read": 1, "third_party_copy_write": 1}}}}}})
            c.set_local_account_limit("root", {RSE!r}, -1)
            """
        )
        self.startup_s = time.monotonic() - began
        return self

    def admin(self, code: str) -> str:
        """Run Python with a Rucio ``Client`` bound to ``c`` (as the lab's root account)."""
        script = "from rucio.client import Client\nc = Client()\n" + textwrap.dedent(code)
        result = subprocess.run(
            [sys.executable, "-c", script], env=self.env(), capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(f"Rucio admin call failed:\n{result.stderr[-2000:]}")
        return result.stdout

    def stop(self) -> None:
        """Stop the server by its PID (its whole process group), and wait for it."""
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.process = None
