"""A gunicorn server on loopback and a bounded, pure-Python HTTP load generator.

Server: ``python -m gunicorn -k sync -w 2 -b 127.0.0.1:<free port> APP`` (the settings
every app in the benchmark gets). Its workers' peak RSS is read from
``/proc/<pid>/status`` (VmHWM) before it is stopped.

Load: ``PROCESSES`` long-lived client processes × ``CONNECTIONS`` threads, each with its
own ``http.client`` connection and cookie jar (a browser each). Gunicorn's sync workers
close the connection after each response, so each request opens a new TCP connection,
for the reference apps and the product alike. Every window is bounded twice: by time
(a short warm-up, then the measured window) and by a cap on the number of requests.
Loopback only.

Scenarios (one per connection, all plain data so they cross process boundaries):

* ``{"kind": "get", "path": ..., "cookie": ...}``: GET, expects 200.
* ``{"kind": "page_post", "path": ..., "cookie": ..., "fields": [...]}``: a patient page.
  Setup GETs the page (not timed) for its CSRF token and revision; each POST sends them
  with the page's answers and expects the 302 of a real save. A save bumps the stored
  revision by one, so the client posts the next number, as the redirected browser
  would read it from the next page it shows; any other answer is counted as an error
  and the revision is read again from the page.
* ``{"kind": "form_post", "path": ..., "fields": [...]}``: the reference form. Setup
  GETs it (not timed) for the session cookie and CSRF token; each POST expects a 302.
"""

from __future__ import annotations

import contextlib
import http.client
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HOST = "127.0.0.1"
WORKERS = 2
PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CLIENT_CONNECTIONS", "2"))  # per client process
MAX_REQUESTS_PER_CONNECTION = 200_000
REQUEST_TIMEOUT_S = 15
ROOT = Path(__file__).resolve().parents[1]

CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
REVISION_INPUT = re.compile(r'name="revision" value="(\d+)"')


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A loopback port nothing listens on, never the same one twice in this run."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError("no free loopback port")


class Server:
    """A gunicorn master with 2 sync workers serving `app_spec` on a free loopback port."""

    def __init__(self, app_spec: str, env: Mapping[str, str], log_path: Path, ready_path: str) -> None:
        self.app_spec = app_spec
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.ready_path = ready_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        command = [
            sys.executable, "-m", "gunicorn", "-k", "sync", "-w", str(WORKERS), "-b", f"{HOST}:{self.port}",
            "--log-level", "warning", "--timeout", "60", self.app_spec,
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _headers, _body = request(self.port, "GET", self.ready_path)
                if status < 500 and len(self.worker_pids()) == WORKERS:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer on {HOST}:{self.port} within 60 s; see {self.log_path}")

    def health(self) -> str:
        """Whether this server is still up, with the end of its log when it is not."""
        assert self.process is not None
        code = self.process.poll()
        if code is None and len(self.worker_pids()) == WORKERS:
            return f"{self.app_spec} on port {self.port} is up"
        try:
            tail = self.log_path.read_text(errors="replace")[-1500:]
        except OSError:
            tail = ""
        state = f"exited with {code}" if code is not None else f"has {len(self.worker_pids())} workers"
        return f"{self.app_spec} on port {self.port} {state}; log ends: {tail}"

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def worker_peak_rss_mb(self) -> list[float]:
        """VmHWM (peak resident set) of each worker, in MiB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                peaks.append(round(int(match.group(1)) / 1024, 1))
        return peaks

    def __exit__(self, *_exc: Any) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def request(
    port: int, method: str, path: str, body: str | None = None, cookie: str | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request on a new connection (setup only; the load loop keeps its own)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        headers = _headers(cookie, body is not None)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        connection.close()


def session_cookie(headers: Mapping[str, str], current: str | None) -> str | None:
    """The `session=...` pair from a Set-Cookie header, or the cookie already held."""
    value = headers.get("set-cookie")
    if not value:
        return current
    pair = value.split(";", 1)[0]
    return pair if pair.split("=", 1)[1] else current


def _headers(cookie: str | None, form: bool) -> dict[str, str]:
    headers = {"Host": f"{HOST}", "User-Agent": "ldn-bench/1", "Accept": "text/html"}
    if cookie:
        headers["Cookie"] = cookie
    if form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    statuses: dict[int, int]
    windows: list[float] = field(default_factory=list)  # req/s of each measured window

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        windows = self.windows or [self.throughput]
        return {
            "rps": round(self.throughput, 1),
            "p50_ms": round(_quantile(lat, 0.50), 2),
            "p99_ms": round(_quantile(lat, 0.99), 2),
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "errors": self.errors,
            "rps_windows": [round(w, 1) for w in windows],
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def _quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


class _Connection:
    """One simulated browser: its own connection, cookie, CSRF token and revision."""

    def __init__(self, port: int, scenario: Mapping[str, Any]) -> None:
        self.port = port
        self.scenario = scenario
        self.cookie: str | None = scenario.get("cookie")
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        self.csrf = ""
        self.revision = 0
        kind = scenario["kind"]
        self.expected = 200 if kind == "get" else 302
        if kind in ("page_post", "form_post"):
            self._read_form()

    def _read_form(self) -> None:
        status, headers, html = request(self.port, "GET", self.scenario["path"], cookie=self.cookie)
        if status != 200:
            raise RuntimeError(f"setup GET {self.scenario['path']} answered {status}")
        self.cookie = session_cookie(headers, self.cookie)
        csrf = CSRF_INPUT.search(html)
        if not csrf:
            raise RuntimeError(f"no CSRF token on {self.scenario['path']}")
        self.csrf = csrf.group(1)
        revision = REVISION_INPUT.search(html)
        self.revision = int(revision.group(1)) if revision else 0

    def once(self) -> int:
        kind = self.scenario["kind"]
        body = None
        if kind == "page_post":
            body = urlencode([("csrf_token", self.csrf), ("revision", str(self.revision)), *self.scenario["fields"]])
        elif kind == "form_post":
            body = urlencode([("csrf_token", self.csrf), *self.scenario["fields"]])
        method = "GET" if body is None else "POST"
        headers = _headers(self.cookie, body is not None)
        self.connection.request(method, self.scenario["path"], body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        self.cookie = session_cookie({k.lower(): v for k, v in response.getheaders()}, self.cookie)
        if response.will_close:
            self.connection.close()  # reopened by the next request()
        if kind == "page_post":
            if response.status == 302:
                self.revision += 1
            else:
                self._read_form()
        return response.status

    def close(self) -> None:
        self.connection.close()


def _run_job(
    port: int, scenarios: list[dict[str, Any]], start_at: float, warmup: float, duration: float,
) -> dict[str, Any]:
    """One load window in this client process: a thread per scenario, bounded by time and count."""
    measure_from = start_at + warmup
    stop_at = measure_from + duration
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    lock = threading.Lock()
    failures: list[str] = []

    def run(scenario: dict[str, Any]) -> None:
        try:
            connection = _Connection(port, scenario)
        except Exception as error:  # noqa: BLE001 - reported to the parent
            failures.append(repr(error))
            return
        mine: list[tuple[float, int]] = []
        while time.time() < start_at:
            time.sleep(0.001)
        count = 0
        try:
            while count < MAX_REQUESTS_PER_CONNECTION:
                began = time.perf_counter()
                wall = time.time()
                if wall >= stop_at:
                    break
                try:
                    status = connection.once()
                except (OSError, http.client.HTTPException):
                    status = 0
                    connection.close()
                count += 1
                if wall >= measure_from and time.time() <= stop_at:
                    mine.append(((time.perf_counter() - began) * 1000, status))
        finally:
            connection.close()
        with lock:
            for latency, status in mine:
                latencies.append(latency)
                statuses[status] = statuses.get(status, 0) + 1
                if status != connection.expected:
                    errors[0] += 1

    threads = [threading.Thread(target=run, args=(scenario,), daemon=True) for scenario in scenarios]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, stop_at - time.time()) + REQUEST_TIMEOUT_S + 30)
    return {"latencies": latencies, "statuses": statuses, "errors": errors[0], "failures": failures}


def _client_loop(pipe: Any) -> None:
    """A client process: runs each window it is sent until it is sent None (or the pipe closes)."""
    while True:
        try:
            job = pipe.recv()
        except EOFError:
            return
        if job is None:
            return
        pipe.send(_run_job(*job))


class LoadPool:
    """PROCESSES long-lived client processes, so that windows can alternate quickly.

    ``window(port, scenarios, duration, warmup)`` splits the scenarios (one per
    connection) over the processes, starts them together, and returns the merged result.
    """

    def __init__(self, processes: int = PROCESSES) -> None:
        self.size = processes
        self.pipes: list[Any] = []
        self.processes: list[Any] = []

    def __enter__(self) -> LoadPool:
        context = multiprocessing.get_context("fork")
        for _ in range(self.size):
            parent, child = context.Pipe()
            process = context.Process(target=_client_loop, args=(child,), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)
        return self

    def __exit__(self, *_exc: Any) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)

    def window(
        self, port: int, scenarios: Sequence[Mapping[str, Any]], duration: float, warmup: float,
    ) -> LoadResult:
        per_process = -(-len(scenarios) // self.size)
        groups = [[dict(s) for s in scenarios[i:i + per_process]] for i in range(0, len(scenarios), per_process)]
        setup = 0.05 * per_process if any(s["kind"] != "get" for s in scenarios) else 0.0
        start_at = time.time() + 0.02 + setup
        for pipe, group in zip(self.pipes, groups, strict=False):
            pipe.send((port, group, start_at, warmup, duration))
        parts = []
        for pipe in self.pipes[:len(groups)]:
            if not pipe.poll(warmup + duration + setup + REQUEST_TIMEOUT_S + 60):
                raise RuntimeError("a load client process did not answer in time")
            parts.append(pipe.recv())
        failures = [f for part in parts for f in part["failures"]]
        if failures:
            raise RuntimeError(f"load client setup failed: {failures[0]}")
        statuses: dict[int, int] = {}
        for part in parts:
            for status, count in part["statuses"].items():
                statuses[status] = statuses.get(status, 0) + count
        latencies = [v for part in parts for v in part["latencies"]]
        return LoadResult(
            requests=len(latencies), errors=sum(part["errors"] for part in parts), seconds=duration,
            latencies_ms=latencies, statuses=statuses, windows=[len(latencies) / duration],
        )


def merge(results: Sequence[LoadResult]) -> LoadResult:
    """Several windows of the same load as one result (their rates kept as `windows`)."""
    statuses: dict[int, int] = {}
    for result in results:
        for status, count in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return LoadResult(
        requests=sum(r.requests for r in results), errors=sum(r.errors for r in results),
        seconds=sum(r.seconds for r in results), latencies_ms=[v for r in results for v in r.latencies_ms],
        statuses=statuses, windows=[w for r in results for w in r.windows],
    )
