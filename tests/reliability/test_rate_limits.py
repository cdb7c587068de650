"""The login limit holds across two gunicorn workers only with a shared (Redis) store.

The limit here is the one per account and address (screening.limits.LoginThrottle): five
failures free, then a wait of 2^5 = 32 seconds, far longer than these attempts take.

This is why docs/security.md says RATELIMIT_STORAGE_URI must point at Redis whenever
there is more than one worker: with the in-memory default each worker counts alone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from screening.auth import hash_password
from screening.limits import FREE_FAILURES
from screening.models import Doctor
from tests.reliability.server import free_port, gunicorn, request

ATTEMPTS = 16
ACCOUNT_LIMIT = FREE_FAILURES


@pytest.fixture
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs Debian's redis-server)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",  # noqa: S603
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                import redis

                redis.Redis(port=port).ping()
                break
            except Exception:  # noqa: BLE001 (not up yet)
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wrong_password_attempts(port: int) -> list[int]:
    """ATTEMPTS failed logins on one account, sent four at a time.

    Each login costs a worker tens of milliseconds of Argon2, so with four in flight one
    sync worker cannot take them all: both workers see some, whatever order the kernel
    hands out connections in.
    """
    def login_form(_number: int) -> tuple[str, str]:
        _status, headers, html = request(port, "GET", "/doctor/login")
        return headers["set-cookie"].split(";", 1)[0], re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def attempt(number: int, cookie: str, token: str) -> int:
        return request(port, "POST", "/doctor/login", {"csrf_token": token, "email": "dr@clinic.example",
                                                       "password": f"wrong-{number}"}, cookie)[0]

    forms = [login_form(number) for number in range(ATTEMPTS)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(attempt, range(ATTEMPTS), *zip(*forms, strict=True)))


def _with_doctor(database_url: str) -> None:
    engine = create_engine(database_url)
    with Session(engine) as session, session.begin():
        session.add(Doctor(email="dr@clinic.example", password_hash=hash_password("a long enough password"),
                           session_version=0))
    engine.dispose()


def test_login_limit_holds_across_two_workers_with_redis(database_url, tmp_path, redis_url):
    _with_doctor(database_url)
    with gunicorn(database_url, tmp_path, RATELIMIT_ENABLED="1", RATELIMIT_STORAGE_URI=redis_url) as server:
        statuses = _wrong_password_attempts(server.port)
        assert len(server.worker_pids()) == 2
    assert statuses.count(401) == ACCOUNT_LIMIT
    assert statuses.count(429) == ATTEMPTS - ACCOUNT_LIMIT


def test_login_limit_does_not_hold_across_workers_with_memory_storage(database_url, tmp_path):
    _with_doctor(database_url)
    with gunicorn(database_url, tmp_path, RATELIMIT_ENABLED="1", RATELIMIT_STORAGE_URI="memory://") as server:
        statuses = _wrong_password_attempts(server.port)
    assert statuses.count(401) > ACCOUNT_LIMIT  # each worker let through its own five
