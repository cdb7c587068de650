"""A real gunicorn server on loopback for reliability tests, and a plain HTTP patient.

The patient speaks raw HTTP (http.client), holds its own cookie, reads the CSRF token and
page revision from each page like a browser, and never follows redirects, so every
"saved" (a 302 after a POST) is observed exactly.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.patient_client import form_fields
from tests.reliability.gunicorn_conf import READY

GUNICORN = Path(sys.executable).with_name("gunicorn")
CONFIG = Path(__file__).with_name("gunicorn_conf.py")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, workers: int = 2, **env: str) -> Iterator[Server]:
    port = free_port()
    log = tmp_path / f"gunicorn-{port}.log"
    environment = {
        **os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "reliability-secret-key-0123456789abcdef0123456789", "RATELIMIT_ENABLED": "0",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **env,
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603
            [str(GUNICORN), "-c", str(CONFIG), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
             "--timeout", "60", "--graceful-timeout", "5", "screening:create_app()"],
            stdout=sink, stderr=subprocess.STDOUT, env=environment, cwd=Path(__file__).parents[2],
        )
    server = Server(port, process, log)
    try:
        _wait_until_up(server, workers)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(server: Server, workers: int, seconds: float = 30) -> None:
    """Until every worker has loaded the app and the server answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + server.log_text())
        try:
            if server.log_text().count(READY) >= workers and request(server.port, "GET", "/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start:\n" + server.log_text())


def request(port: int, method: str, path: str, body: Mapping[str, Any] | None = None,
            cookie: str | None = None, timeout: float = 30) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Cookie": cookie} if cookie else {}
    payload = None
    if body is not None:
        payload = urlencode(body, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


@dataclass
class HttpPatient:
    port: int
    token: str
    cookie: str | None = None
    saved: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> tuple[int, dict[str, str], str]:
        status, headers, text = request(self.port, method, path, body, self.cookie)
        self.statuses.append(status)
        if "set-cookie" in headers:
            self.cookie = headers["set-cookie"].split(";", 1)[0]
        return status, headers, text

    def open_link(self) -> None:
        status, _headers, _text = self.call("GET", f"/i/{self.token}")
        assert status == 302, status

    def save_page(self, page_id: str, answers: Mapping[str, Any]) -> bool:
        """Post one page as a browser would; True only if the server said it was saved."""
        status, _h, html = self.call("GET", f"/questionnaire/page/{page_id}")
        if status != 200:
            return False
        token, revision = CSRF.search(html), REVISION.search(html)
        if not token or not revision:
            return False
        status, headers, _t = self.call("POST", f"/questionnaire/page/{page_id}",
                                        {"csrf_token": token.group(1), "revision": revision.group(1),
                                         **form_fields(answers)})
        if status == 302:
            self.saved[page_id] = dict(answers)
            return True
        return False

    def submit(self) -> int:
        _status, _h, html = self.call("GET", "/questionnaire/check")
        token = CSRF.search(html)
        assert token, "no submit form on the check page"
        return self.call("POST", "/questionnaire/submit", {"csrf_token": token.group(1)})[0]
