"""Asking the decision engine a question and waiting for its answer, within a bound.

The API runs no strategy and collects no cluster data itself: it sends a task and waits at
most ``WATCHER_DE_ANSWER_TIMEOUT`` seconds. No answer in time, an unreachable broker or an
error reported by the decision engine is a 503 with the Watcher error body; the task expires
with the wait, so a worker that comes back later does not answer a question nobody asks.
"""

from __future__ import annotations

from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout

from watcher_celery.celery_app import app
from watcher_celery.config import get_settings
from watcher_celery.errors import ServiceUnavailable


def ask(task_name: str, *args: Any, what: str) -> Any:
    """The ``value`` the task returns; ``what`` names the question in error messages."""
    timeout = get_settings().de_answer_timeout
    try:
        result = app.send_task(task_name, args=list(args), expires=timeout)
    except Exception as exc:  # kombu/redis errors: the broker cannot take the question
        raise ServiceUnavailable(
            f"The decision engine cannot be asked for {what}: {type(exc).__name__}: {exc}"
        ) from exc
    try:
        reply = result.get(timeout=timeout, propagate=True)
    except CeleryTimeout:
        raise ServiceUnavailable(
            f"No decision engine answered the request for {what} within {timeout:g} s"
        ) from None
    except Exception as exc:
        raise ServiceUnavailable(
            f"The decision engine failed to answer for {what}: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        result.forget()
    if "error" in reply:
        raise ServiceUnavailable(f"The decision engine could not give {what}: {reply['error']}")
    return reply["value"]
