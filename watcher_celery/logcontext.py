"""One log format for the API, the workers and beat, naming what each line is about.

The request id, the task and the audit / plan / action a line concerns live in a context
variable: the API sets the request id per request (``api/request_id.py``), the worker's task
prologue sets the task's subject and the request id it was sent with (``task_context.py``).
:class:`ContextFilter` copies them onto every record, so any ``LOG.info`` anywhere names them
without passing them along. ``WATCHER_LOG_JSON`` switches to one JSON object per line.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

FIELDS = ("request_id", "task", "audit", "plan", "action")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]%(context)s %(message)s"
REQUEST_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "watcher_log_context", default=None
)


def current() -> dict[str, str]:
    """The fields bound in this thread or task (a copy)."""
    return dict(_context.get() or {})


def bind(**fields: str | None) -> contextvars.Token:
    """Add fields to the context; returns the token :func:`reset` takes."""
    merged = {**(_context.get() or {}), **{k: v for k, v in fields.items() if v}}
    return _context.set(merged)


def reset(token: contextvars.Token) -> None:
    _context.set(token.old_value if token.old_value is not contextvars.Token.MISSING else None)


@contextmanager
def bound(**fields: str | None) -> Iterator[None]:
    token = bind(**fields)
    try:
        yield
    finally:
        reset(token)


def new_request_id() -> str:
    return f"req-{uuid.uuid4()}"


def valid_request_id(value: str | None) -> bool:
    """OpenStack's shape, ``req-<uuid>`` in lower case; anything else is replaced."""
    return bool(value and REQUEST_ID.match(value))


class ContextFilter(logging.Filter):
    """Copy the context onto the record: ``record.context`` for text, one attribute per field."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _context.get() or {}
        for name in FIELDS:
            setattr(record, name, fields.get(name))
        shown = " ".join(f"{name}={fields[name]}" for name in FIELDS if fields.get(name))
        record.context = f" [{shown}]" if shown else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, process, message and the context."""

    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "process": record.process,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value:
                body[name] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str)


def formatter(json_lines: bool) -> logging.Formatter:
    return JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT)


def install(logger: logging.Logger, json_lines: bool) -> None:
    """Give every handler of ``logger`` the one format and the context filter."""
    for handler in logger.handlers:
        handler.setFormatter(formatter(json_lines))
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())


def dict_config(json_lines: bool, level: str = "INFO") -> dict:
    """``logging.config.dictConfig`` input with the one format (gunicorn's ``logconfig_dict``)."""
    factory = JsonFormatter if json_lines else logging.Formatter
    fmt = {"()": factory} if json_lines else {"()": factory, "fmt": TEXT_FORMAT}
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "watcher",
        "filters": ["context"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"watcher": fmt},
        "handlers": {"console": handler, "access": {**handler, "stream": "ext://sys.stdout"}},
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }
