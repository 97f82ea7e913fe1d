"""The value types of the settings: what each kind of setting accepts, and the words to say so.

A bad value raises ``ValueError`` with what is allowed; ``config.explain`` puts the variable's
name in front of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator

from watcher_celery.queues import roles_of

TRUE_SPELLINGS = ("true", "1", "yes", "on")
FALSE_SPELLINGS = ("false", "0", "no", "off")
BOOL_SPELLINGS = TRUE_SPELLINGS + FALSE_SPELLINGS
AUTH_MODES = ("none", "tokens", "keystone")
CLOUDS = ("simulated", "openstack")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _bool(value: Any) -> bool:
    """Only the spellings of true and false: a typo must not quietly mean false."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_SPELLINGS:
        return True
    if text in FALSE_SPELLINGS:
        return False
    raise ValueError(f"expected one of {', '.join(BOOL_SPELLINGS)} (any case)")


def _one_of(allowed: tuple[str, ...], normal=str.lower):
    """A validator taking one of ``allowed``, compared after ``normal`` and stripping."""

    def check(value: Any) -> str:
        text = normal(str(value).strip())
        if text in allowed:
            return text
        raise ValueError(f"expected one of {', '.join(allowed)}")

    return PlainValidator(check, json_schema_input_type=str)


def _roles(value: str) -> str:
    """``all``, one role or a comma list of them, as ``worker --role`` takes."""
    roles_of(value)
    return value


Bool = Annotated[bool, PlainValidator(_bool, json_schema_input_type=str)]
Port = Annotated[int, Field(ge=1, le=65535)]
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]
Seconds = Annotated[float, Field(ge=0)]
Rate = Annotated[float, Field(gt=0)]
AuthMode = Annotated[str, _one_of(AUTH_MODES)]
Cloud = Annotated[str, _one_of(CLOUDS)]
LogLevel = Annotated[str, _one_of(LOG_LEVELS, str.upper)]
Roles = Annotated[str, AfterValidator(_roles)]
StateDir = Annotated[Path, AfterValidator(Path.resolve)]
