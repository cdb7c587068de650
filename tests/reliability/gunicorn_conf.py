"""gunicorn settings for the reliability tests: each worker logs when it can serve.

Workers load the app after they fork, so the first answer from a fresh server proves only
one is up; tests about what two workers do wait for both of these lines.
"""

from typing import Any

READY = "worker ready"


def post_worker_init(worker: Any) -> None:
    worker.log.info("%s: pid %s", READY, worker.pid)
