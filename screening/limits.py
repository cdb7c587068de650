"""Rate limits against guessing: doctor sign-in (failures only) and patient links.

Doctor sign-in has two limits, and both count failed attempts only (a successful sign-in
never counts, and resets its account's count from that address):

- **Per account and address, with growing delays** (`LoginThrottle`): the first
  `FREE_FAILURES` failures from one address on one account cost nothing; after the n-th
  failure (n ≥ 5) that address must wait 2^n seconds (32 s, 64 s, ... capped at 15
  minutes) before its next try on that account. Only that address waits: a third party
  guessing from elsewhere never locks the real doctor out. While it waits an attempt is
  answered "Too many attempts, try again in N seconds" (429) without the password being
  checked. Each attempt past the free ones must first take the one slot the delay
  leaves, atomically in the store, so parallel requests cannot slip extra guesses in.
- **Per address alone** (`LOGIN_PER_ADDRESS`, Flask-Limiter, failures only): generous,
  against one address stuffing many accounts.

Wrong second-factor codes and re-authentication count as failures of the same kind.

Counters live in the limiter's storage, memory by default, which is per process: with
several gunicorn workers each keeps its own count, so the limits multiply by the number of
workers. Production with more than one worker must set RATELIMIT_STORAGE_URI to a shared
store (redis://...). `RATELIMIT_ENABLED=0` turns these limits off (benchmarks only).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)

LOGIN_PER_ADDRESS = "30 per minute; 200 per hour"
PATIENT_LINK_PER_ADDRESS = "30 per minute; 300 per hour"

FREE_FAILURES = 5
MAX_DELAY_SECONDS = 15 * 60
FAILURE_MEMORY_SECONDS = 24 * 3600  # a count ends a day after its first failure
IN_FLIGHT_SECONDS = 60  # how long a try in flight holds the slot at most


def only_login_attempts() -> bool:
    """Showing the login form is free; only attempts (POSTs) count."""
    return request.method != "POST"


def failed_attempt(response: Response) -> bool:
    """Flask-Limiter's `deduct_when`: only refused credentials count against an address."""
    return response.status_code == 401


def delay_after(failures: int) -> int:
    """Seconds an address waits after its `failures`-th failure on one account."""
    if failures < FREE_FAILURES:
        return 0
    return min(1 << failures, MAX_DELAY_SECONDS)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds, when not allowed


class LoginThrottle:
    """Failure counting for one account from one address (see the module's docstring).

    `begin` counts the attempt as a failure at once (atomically), so attempts in parallel
    each get their own number; `passed` takes a correct password back off the count (the
    second factor still has to follow), `succeeded` (a complete sign-in) clears it, and
    `failed` starts the wait once the free failures are used.

    Past the free failures an attempt must hold the one slot (`_slot`, taken by an atomic
    increment that only the first caller sees as 1) and, holding it, find no wait running
    (`_wait`). Only the slot's holder sets the wait, before it lets the slot go, so no
    attempt can ever find both the slot free and the wait not yet set.
    """

    def __init__(self, account: str, address: str | None) -> None:
        key = hashlib.sha256(f"{account.strip().lower()}\n{address or '-'}".encode()).hexdigest()[:32]
        self._failures = f"login-failures/{key}"
        self._slot = f"login-gate/{key}"
        self._wait = f"login-wait/{key}"
        self._number = 0

    @staticmethod
    def enabled() -> bool:
        return bool(current_app.config.get("RATELIMIT_ENABLED", True))

    def begin(self) -> Verdict:
        """Before checking a password or code: may this attempt go ahead?"""
        if not self.enabled():
            return Verdict(True)
        storage = limiter.storage
        self._number = storage.incr(self._failures, FAILURE_MEMORY_SECONDS)
        if self._number < FREE_FAILURES:
            return Verdict(True)
        holds_slot = storage.incr(self._slot, IN_FLIGHT_SECONDS) == 1  # expires if its holder dies
        waiting = storage.get(self._wait) > 0
        if holds_slot and not waiting:
            return Verdict(True)
        if holds_slot:
            storage.clear(self._slot)
        storage.incr(self._failures, FAILURE_MEMORY_SECONDS, amount=-1)  # refused unchecked: not a failure
        self._number = 0
        ends = storage.get_expiry(self._wait if waiting else self._slot)
        return Verdict(False, max(1, math.ceil(ends - time.time())))

    def failed(self) -> None:
        """The attempt begun was wrong: from the fifth failure on, the address waits."""
        if not self.enabled() or not self._number:
            return
        if self._number >= FREE_FAILURES:
            limiter.storage.clear(self._wait)
            limiter.storage.incr(self._wait, delay_after(self._number))
            limiter.storage.clear(self._slot)  # only now: the wait is already set

    def passed(self) -> None:
        """The password was right (the second factor follows): this attempt does not count."""
        if not self.enabled() or not self._number:
            return
        limiter.storage.incr(self._failures, FAILURE_MEMORY_SECONDS, amount=-1)
        if self._number >= FREE_FAILURES:
            limiter.storage.clear(self._slot)

    def succeeded(self) -> None:
        """A complete sign-in (or re-authentication): the count starts again."""
        if not self.enabled():
            return
        for key in (self._failures, self._slot, self._wait):
            limiter.storage.clear(key)


def too_many_attempts_message(seconds: int) -> str:
    return f"Too many attempts, try again in {seconds} second{'' if seconds == 1 else 's'}"


def init_limits(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)
