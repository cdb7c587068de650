"""Finding 3: nobody can lock a doctor out from elsewhere; guessing from one address slows down.

Failures only are counted, per account and address, with growing delays (2^n seconds
after the n-th failure from the fifth on, capped); the real doctor signing in from their
own address at the same time is never held up. The owner hears about the failures.
"""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from screening.limits import MAX_DELAY_SECONDS, delay_after
from screening.models import AuditEvent
from tests.doctor_fixtures import PASSWORD, DoctorClient

EMAIL = "dr.who@clinic.example"
ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
DOCTOR = {"REMOTE_ADDR": "198.51.100.7"}
NOW = 1_800_000_015


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _try(app, password: str, address: dict[str, str], email: str = EMAIL):  # type: ignore[no-untyped-def]
    return DoctorClient(app.test_client()).login_password(email, password, environ_base=address)


def _sign_in(app, address: dict[str, str]) -> DoctorClient:  # type: ignore[no-untyped-def]
    browser = DoctorClient(app.test_client())
    first = browser.login_password(EMAIL, PASSWORD, environ_base=address)
    assert first.status_code == 302, first.status_code
    import pyotp

    from tests.doctor_fixtures import TOTP_SECRET

    response = browser.enter_code(pyotp.TOTP(TOTP_SECRET).now(), email=EMAIL, environ_base=address)
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def test_a_third_party_cannot_lock_the_doctor_out(app, make_doctor, frozen):
    make_doctor()
    statuses = [_try(app, f"guess number {n}", ATTACKER).status_code for n in range(12)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    # Meanwhile the real doctor, from the clinic's address, signs in at once, several times.
    for _ in range(3):
        doctor = _sign_in(app, DOCTOR)
        assert doctor.get("/doctor/", environ_base=DOCTOR).status_code == 200
    # ... and the wrong passwords they type themselves are their own address's count only.
    assert _try(app, "the doctor's own typo", DOCTOR).status_code == 401


def test_the_wait_is_told_in_seconds_only_to_the_address_that_failed(app, make_doctor, frozen):
    make_doctor()
    for n in range(5):
        _try(app, f"guess {n}", ATTACKER)
    refused = _try(app, "one more guess", ATTACKER)
    assert refused.status_code == 429
    assert f"Too many attempts, try again in {2 ** 5} seconds" in refused.get_data(as_text=True)
    elsewhere = _try(app, "wrong again", DOCTOR)
    assert elsewhere.status_code == 401 and "Too many attempts" not in elsewhere.get_data(as_text=True)


def test_delays_grow_with_each_failure_and_are_capped(app, make_doctor, frozen):
    make_doctor()
    for n in range(5):
        assert _try(app, f"guess {n}", ATTACKER).status_code == 401
    for failures in (5, 6, 7):
        wait = delay_after(failures)
        assert wait == 2 ** failures
        frozen.shift(wait - 1)
        assert _try(app, "too early", ATTACKER).status_code == 429
        frozen.shift(1)
        assert _try(app, f"after {failures}", ATTACKER).status_code == 401  # one try, then a longer wait
    assert delay_after(30) == MAX_DELAY_SECONDS == 15 * 60


def test_refused_attempts_do_not_check_the_password_or_count(app, make_doctor, frozen):
    make_doctor()
    for n in range(5):
        _try(app, f"guess {n}", ATTACKER)
    assert _try(app, PASSWORD, ATTACKER).status_code == 429  # even the right password waits
    frozen.shift(2 ** 5)
    assert _try(app, PASSWORD, ATTACKER).status_code == 302  # the wait did not grow meanwhile


def test_a_successful_sign_in_never_counts_and_clears_the_count(app, make_doctor, frozen):
    make_doctor()
    for _ in range(8):
        _sign_in(app, DOCTOR)
    for n in range(4):
        assert _try(app, f"typo {n}", DOCTOR).status_code == 401
    _sign_in(app, DOCTOR)
    statuses = [_try(app, f"typo again {n}", DOCTOR).status_code for n in range(5)]
    assert statuses == [401] * 5  # the count started again after the sign-in


def test_guessing_second_factor_codes_is_slowed_down_too(app, make_doctor, frozen):
    make_doctor()
    browser = DoctorClient(app.test_client())
    browser.login_password(EMAIL, environ_base=ATTACKER)  # the attacker knows the password
    statuses = []
    for n in range(7):
        token = browser.csrf_from("/doctor/login/code", environ_base=ATTACKER)
        statuses.append(browser.client.post("/doctor/login/code", data={"csrf_token": token, "code": f"{n:06d}"},
                                            environ_base=ATTACKER).status_code)
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    # Entering the right password again does not reset the count of wrong codes.
    assert browser.login_password(EMAIL, environ_base=ATTACKER).status_code == 429


def test_one_address_trying_many_accounts_is_limited_generously(app, make_doctor):
    browser = DoctorClient(app.test_client())
    statuses = [browser.login_password(f"u{n}@x.example", "wrong password").status_code for n in range(32)]
    assert statuses[:30] == [401] * 30 and statuses[30:] == [429, 429]


def test_the_owner_sees_failed_attempts_at_the_next_sign_in(app, make_doctor, frozen):
    make_doctor()
    _sign_in(app, DOCTOR)
    frozen.shift(3600)
    for n in range(3):
        _try(app, f"guess {n}", ATTACKER)
    _try(app, "guess from elsewhere", {"REMOTE_ADDR": "192.0.2.44"})
    _try(app, "someone else's account", ATTACKER, email="nobody@clinic.example")
    frozen.shift(60)
    doctor = _sign_in(app, DOCTOR)
    queue = doctor.get("/doctor/", environ_base=DOCTOR).get_data(as_text=True)
    assert "4 failed sign-in attempts on your account since you last signed in" in queue
    assert "203.0.113.66" in queue and "192.0.2.44" in queue and "UTC" in queue
    again = _sign_in(app, DOCTOR).get("/doctor/", environ_base=DOCTOR).get_data(as_text=True)
    assert "failed sign-in attempt" not in again  # told once


@pytest.mark.parametrize("typed_email", ["my secret password 2026", "dr.who@clinic.example"])
def test_the_audit_trail_never_holds_what_was_typed(app, make_doctor, typed_email):
    make_doctor()
    secret = "my secret password 2026"
    DoctorClient(app.test_client()).login_password(typed_email, secret)
    with app.extensions["db"].read() as session:
        events = session.scalars(select(AuditEvent)).all()
    assert events and all(event.action == "doctor.login_failed" for event in events)
    for event in events:
        stored = " ".join(str(value) for value in (event.actor, event.target, event.remote_addr, event.details))
        assert secret not in stored and "secret" not in stored
        assert event.details == {"account_exists": typed_email == EMAIL}


# --- attempts in parallel -----------------------------------------------------------------

def _interleaved(app, monkeypatch, at_step: str) -> list[bool]:  # type: ignore[no-untyped-def]
    """Five failures, the fifth with a second attempt begun in the middle of its `failed`
    (at the store operation `at_step` on the wait or slot key), then a third attempt after:
    whether each of those two was let through."""
    from screening.limits import FREE_FAILURES, LoginThrottle, limiter

    verdicts: list[bool] = []
    with app.test_request_context(environ_base=ATTACKER):
        for _ in range(FREE_FAILURES - 1):
            throttle = LoginThrottle(EMAIL, ATTACKER["REMOTE_ADDR"])
            assert throttle.begin().allowed
            throttle.failed()
        holder = LoginThrottle(EMAIL, ATTACKER["REMOTE_ADDR"])
        assert holder.begin().allowed
        storage = limiter.storage
        original = getattr(storage, at_step)

        arrived: list[bool] = []

        def step(key: str, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not arrived:  # a parallel attempt arrives right before the first such step
                arrived.append(True)
                verdicts.append(LoginThrottle(EMAIL, ATTACKER["REMOTE_ADDR"]).begin().allowed)
            return original(key, *args, **kwargs)

        with monkeypatch.context() as patched:
            patched.setattr(storage, at_step, step)
            holder.failed()
        verdicts.append(LoginThrottle(EMAIL, ATTACKER["REMOTE_ADDR"]).begin().allowed)
    return verdicts


@pytest.mark.parametrize("at_step", ["clear", "incr"])
def test_no_attempt_slips_in_while_the_fifth_failure_sets_the_wait(app, make_doctor, frozen, monkeypatch, at_step):
    make_doctor()
    assert _interleaved(app, monkeypatch, at_step) == [False, False]
