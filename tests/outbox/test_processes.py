"""Sender processes as a clinic runs them: two at once, one killed, one asked to stop.

Each test runs on the pass's database (SQLite, or PostgreSQL in .ci/run's second pass), the
senders as real `flask outbox send | work` processes, the server a real SMTP server.
"""

from __future__ import annotations

import re
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import text

from screening.outbox.sender import LEASE, STOPPED_DURING_DATA, claim
from tests.outbox.conftest import outbox, outbox_rows

MESSAGES = 40


def _sent(output: str) -> int:
    found = re.search(r"Sent (\d+)", output)
    assert found, output
    return int(found.group(1))


def test_two_senders_at_once_deliver_each_message_exactly_once(app, smtp_server, queue_messages, start_flask):
    ids = queue_messages(MESSAGES)
    smtp_server.recorder.delay = 0.05  # each message takes a moment, so the two runs overlap
    senders = [start_flask("outbox", "send", mail_url=smtp_server.url) for _ in range(2)]
    outputs = [process.communicate(timeout=240) for process in senders]
    assert [process.returncode for process in senders] == [0, 0], outputs
    shares = [_sent(out) for out, _err in outputs]
    assert sum(shares) == MESSAGES and min(shares) > 0, shares  # both sent, neither twice

    rows = outbox_rows(app)
    assert {(row.status, row.attempts) for row in rows.values()} == {("sent", 1)}
    delivered = Counter(smtp_server.message_ids)
    assert delivered == Counter(rows[row_id].message_id for row_id in ids)  # every one, once


@pytest.mark.parametrize(("stage", "held_ends"), [
    ("rcpt", "sent"),  # killed before the in-flight marker: tried again, delivered once
    ("data", "unconfirmed"),  # killed during DATA: may have been delivered, never sent again
])
def test_a_sender_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
        mail_app, smtp_server, queue_messages, start_flask, stage, held_ends):
    ids = queue_messages(5)
    hold = smtp_server.recorder.hold(stage, nth=3)
    worker = start_flask("outbox", "work", "--interval", "0.2", mail_url=smtp_server.url)
    assert hold.reached.wait(60), worker.stderr.read() if worker.poll() is not None else "no message reached the hold"
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)
    hold.released.set()
    held = ids[2]

    app = mail_app
    assert "Sent 0" in outbox(app, "send").output  # a restart within the lease leaves the claimed ones alone
    assert outbox_rows(app)[held].status == "sending"

    with time_machine.travel(datetime.now(UTC) + LEASE + timedelta(seconds=1), tick=False):
        outbox(app, "send")
        outbox(app, "send")  # and again: nothing more goes
    rows = outbox_rows(app)
    assert {row_id: rows[row_id].status for row_id in ids} == {
        row_id: held_ends if row_id == held else "sent" for row_id in ids}
    if held_ends == "unconfirmed":
        assert rows[held].last_error == STOPPED_DURING_DATA and rows[held].in_flight_at is not None
    delivered = Counter(smtp_server.message_ids)
    assert delivered == Counter(rows[row_id].message_id for row_id in ids)  # each once, the held one too


def test_sigterm_finishes_the_message_in_flight_and_exits(app, smtp_server, queue_messages, start_flask):
    first, *rest = queue_messages(3)
    hold = smtp_server.recorder.hold("data", nth=1)
    worker = start_flask("outbox", "work", mail_url=smtp_server.url)
    assert hold.reached.wait(60)
    worker.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert worker.poll() is None  # still on the message in flight
    hold.released.set()
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert "Sent 1" in out and out.rstrip().endswith("Stopped.")

    rows = outbox_rows(app)
    assert (rows[first].status, rows[first].attempts) == ("sent", 1)
    # The rest of its batch is given back at once, untried, not left for the lease to expire.
    assert [(rows[row_id].status, rows[row_id].attempts, rows[row_id].claimed_until) for row_id in rest] == \
        [("queued", 0, None)] * 2
    assert smtp_server.message_ids == [rows[first].message_id]


def test_sigterm_wakes_an_idle_worker(app, smtp_server, start_flask):
    worker = start_flask("outbox", "work", "--interval", "600", mail_url=smtp_server.url)
    assert worker.stdout is not None and "every 600 seconds" in worker.stdout.readline()
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    out, _err = worker.communicate(timeout=30)
    assert worker.returncode == 0 and "Stopped." in out and time.monotonic() - started < 10


def test_the_command_is_registered_and_off_without_mail_url(app, start_flask):
    process = start_flask("outbox", "send", app="screening")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out.strip() == "Email is off (MAIL_URL not set): nothing sent"


@pytest.mark.postgresql_only
def test_on_postgresql_a_second_sender_skips_the_rows_the_first_is_claiming(app, queue_messages):
    ids = queue_messages(6)
    database = app.extensions["db"]
    now = datetime.now(UTC)
    with database.write() as first:
        mine = claim(first, now, now, limit=3)
        with database.write() as second:  # another connection, while the first holds its row locks
            second.execute(text("SET LOCAL lock_timeout = '5s'"))  # waiting would be the bug: fail, not hang
            theirs = claim(second, now, now, limit=3)
    assert {c.id for c in mine} | {c.id for c in theirs} == set(ids)
    assert not {c.id for c in mine} & {c.id for c in theirs}
