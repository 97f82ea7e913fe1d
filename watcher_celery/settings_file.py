"""The optional settings file, for operators who keep the configuration in one place.

``WATCHER_CONFIG_FILE`` names a TOML file whose keys are the variable names without
``WATCHER_``, in lower case (``api_port = 9322``, ``auth = "keystone"``). A variable set in the
environment wins over the file; a key the service does not know stops it, as a bad value does.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

CONFIG_FILE_VARIABLE = "WATCHER_CONFIG_FILE"


class SettingsError(ValueError):
    """A setting has a value the service cannot run with; the message names the variable."""


def file_key(variable: str) -> str:
    """``WATCHER_API_PORT`` is ``api_port`` in the file."""
    return variable.removeprefix("WATCHER_").lower()


class FileSettingsSource(PydanticBaseSettingsSource):
    """Values of the file named by ``WATCHER_CONFIG_FILE``, by field name."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ reads the whole file at once

    def __call__(self) -> dict[str, Any]:
        path = self.current_state.get("config_file") or os.environ.get(CONFIG_FILE_VARIABLE)
        if not path:
            return {}
        try:
            document = tomllib.loads(Path(path).read_text())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(
                f"{CONFIG_FILE_VARIABLE}={str(path)!r}: cannot read it: {exc}"
            ) from None
        fields = {
            file_key(info.json_schema_extra["variable"]): name
            for name, info in self.settings_cls.model_fields.items()
            if name != "config_file"
        }
        unknown = sorted(set(document) - set(fields))
        if unknown:
            raise SettingsError(
                f"{CONFIG_FILE_VARIABLE}={str(path)!r}: unknown setting(s) {', '.join(unknown)}; "
                "keys are the variable names without WATCHER_, in lower case "
                "(docs/configuration.md)"
            )
        return {fields[key]: value for key, value in document.items()}
