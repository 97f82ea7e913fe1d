"""gunicorn settings for the API (``watcher-celery api`` passes this module as its config).

gunicorn answers some malformed requests itself, before the app sees them: a request line
over ``limit_request_line`` (414), too many or too large headers (431), an unparsable request
(400). It writes those with ``gunicorn.util.write_error`` as an HTML page; in the API's
processes that function writes Watcher's JSON error body instead, so every answer a client
gets has the shape it parses.
"""

from __future__ import annotations

import gunicorn.util

from watcher_celery import logcontext
from watcher_celery.api.errors import error_body
from watcher_celery.config import get_settings
from watcher_celery.metrics import forget_dead_processes

# gunicorn's own defaults, stated so operators see where the 414/431 come from.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# gunicorn trusts X-Forwarded-Proto from loopback by default; forwarded headers are trusted in
# one place only, the app's ProxyFix, and only when WATCHER_API_PROXIES says how many proxies.
forwarded_allow_ips = ""
# The one log format of every service (logcontext.py); the access line ends with the request id.
logconfig_dict = logcontext.dict_config(get_settings().log_json, get_settings().log_level)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s "%(a)s" %(M)sms %({x-openstack-request-id}o)s'


def child_exit(_server, _worker) -> None:
    """A gunicorn worker ended: its live gauges go (prometheus-client multiprocess mode)."""
    forget_dead_processes()


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    body = error_body(status_int, f"{reason}: {mesg}" if mesg else reason).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin1")
    gunicorn.util.write_nonblock(sock, head + body)


gunicorn.util.write_error = write_json_error
