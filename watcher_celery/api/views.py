"""Shared pieces of every resource's response schema: timestamps (the database hands back
aware UTC ones, dumped with ``+00:00``), links, and dumping with the list/detail split and the
fields each microversion adds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields

from watcher_celery.api import microversion
from watcher_celery.api.smorest import links


class AlwaysList(fields.List):
    """A list field that upstream always sends as a list: null in the database dumps as ``[]``
    (python-watcherclient iterates these without checking for None)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize([] if value is None else value, attr, obj, **kwargs)


class AlwaysDict(fields.Dict):
    """An object field that upstream always sends as an object: null dumps as ``{}``."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize({} if value is None else value, attr, obj, **kwargs)


def optional_string(getter) -> fields.Function:
    """A string computed from the row that may be null (e.g. the name of an optional strategy)."""
    return fields.Function(getter, allow_none=True, metadata={"type": "string"})


def since(minor: int) -> dict[str, str]:
    """Field metadata telling OpenAPI readers which microversion shows the field."""
    return {
        "description": f"Present from API microversion 1.{minor} "
        f"(send 'OpenStack-API-Version: infra-optim 1.{minor}' or later)"
    }


LINK = {
    "type": "object",
    "properties": {"rel": {"type": "string"}, "href": {"type": "string"}},
}


class TimestampsSchema(Schema):
    created_at = fields.DateTime()
    updated_at = fields.DateTime(allow_none=True)
    deleted_at = fields.DateTime(allow_none=True)


class ResourceSchema(TimestampsSchema):
    """Base for resources addressed by UUID under ``/v1/<RESOURCE>``."""

    RESOURCE = ""
    LIST_FIELDS: tuple[str, ...] = ()
    # field name → the minor version (1.x) that added it; hidden below that version.
    SINCE: Mapping[str, int] = {}

    links = fields.Method("_links", metadata={"type": "array", "items": LINK})

    def _links(self, obj) -> list[dict[str, str]]:
        return links(self.RESOURCE, obj.uuid)

    @classmethod
    def dump_one(cls, row: Any, detail: bool = True) -> dict[str, Any]:
        return cls._schema(detail).dump(row)

    @classmethod
    def dump_many(cls, rows: Iterable[Any], detail: bool = False) -> list[dict[str, Any]]:
        return cls._schema(detail).dump(list(rows), many=True)

    @classmethod
    def _schema(cls, detail: bool) -> Schema:
        names = set(cls._declared_fields) if detail else set(cls.LIST_FIELDS)
        hidden = {name for name, minor in cls.SINCE.items() if not microversion.at_least(minor)}
        return cls(only=tuple(sorted(names - hidden)))
