"""A real SMTP server on loopback for the outbox's tests (aiosmtpd, on a free port).

It records every message it takes (envelope and parsed message) and can be told to answer
the next RCPT or DATA with a given reply ("451 …", "550 …"), to hold a message at RCPT or
in DATA until released (so a test can kill the sender there), and to take its time over
each message (so two senders really overlap).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

STAGES = ("rcpt", "data")
WAIT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Hold:
    """Hold the `nth` message (1-based, counted at this stage) until released."""

    stage: str
    nth: int
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


class Recorder:
    """The server's handler: what it took, and what it was told to answer."""

    def __init__(self) -> None:
        self.delivered: list[Delivered] = []
        self.replies: dict[str, deque[str]] = {stage: deque() for stage in STAGES}
        self.always: dict[str, str | None] = dict.fromkeys(STAGES)
        self.seen = dict.fromkeys(STAGES, 0)
        self.holds: list[Hold] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    # What a test tells the server.
    def reply_next(self, stage: str, reply: str, times: int = 1) -> None:
        self.replies[stage].extend([reply] * times)

    def reply_always(self, stage: str, reply: str | None) -> None:
        self.always[stage] = reply

    def hold(self, stage: str, nth: int = 1) -> Hold:
        hold = Hold(stage, nth)
        self.holds.append(hold)
        return hold

    def release_all(self) -> None:
        for hold in self.holds:
            hold.released.set()

    @property
    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(item.message["Message-ID"]) for item in self.delivered]

    # aiosmtpd's hooks.
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        reply = await self._step("rcpt")
        if reply is not None and not reply.startswith("2"):
            return reply
        envelope.rcpt_tos.append(address)
        return reply or "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self._scripted("data")
        if reply is not None:
            return reply
        # Taken: recorded as delivered before the reply, as a real server hands it on.
        with self.lock:
            self.delivered.append(Delivered(
                envelope.mail_from, list(envelope.rcpt_tos),
                message_from_bytes(envelope.content, policy=policy.default),  # type: ignore[arg-type]
                envelope.content))
        await self._wait_if_held("data")
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    async def _step(self, stage: str) -> str | None:
        reply = self._scripted(stage)
        if reply is None:
            await self._wait_if_held(stage)
        return reply

    def _scripted(self, stage: str) -> str | None:
        with self.lock:
            self.seen[stage] += 1
            if self.replies[stage]:
                return self.replies[stage].popleft()
            return self.always[stage]

    async def _wait_if_held(self, stage: str) -> None:
        with self.lock:
            count = self.seen[stage]
        for hold in self.holds:
            if hold.stage == stage and hold.nth == count:
                hold.reached.set()
                await asyncio.get_running_loop().run_in_executor(None, hold.released.wait, WAIT_SECONDS)


class SmtpServer:
    """A started server: its URL for MAIL_URL and its recorder."""

    def __init__(self, port: int | None = None, *, login: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.recorder = Recorder()
        self.login = login
        options: dict[str, Any] = {}
        if login is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **options)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        deadline = time.monotonic() + 5
        while True:  # a port just freed by a refused test may take a moment to rebind
            try:
                self.controller.start()
                return self
            except (OSError, RuntimeError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        self.recorder.release_all()
        self.controller.stop()

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self.login == (data.login.decode(), data.password.decode())
        return AuthResult(success=ok, handled=False)

    # Shortcuts to the recorder.
    @property
    def delivered(self) -> list[Delivered]:
        return self.recorder.delivered

    @property
    def message_ids(self) -> list[str]:
        return self.recorder.message_ids


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()
