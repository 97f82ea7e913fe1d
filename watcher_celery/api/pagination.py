"""limit / marker / sort_key / sort_dir on every collection, and the ``next`` link.

Sorting happens in the database, derived keys (``goal_name``, ``audit_uuid``, ...) through a
join, never in memory. The marker row's sort value and id make the next page a keyset query
(``WHERE (key, id) > (:value, :id)``), so with the default key a page costs the same at row
100,000 as at row 10 (``bench/api_pagination.py``). Upstream sorts derived keys in memory, one
page at a time, which orders each page but not the collection; here the order is global.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from marshmallow import Schema, fields, validate
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from watcher_celery.api.smorest import host_url
from watcher_celery.config import get_settings
from watcher_celery.errors import Invalid

PAGE_ARGS = ("limit", "marker", "sort_key", "sort_dir")


class PageQuerySchema(Schema):
    limit = fields.Integer(
        validate=validate.Range(min=1, error="Limit must be positive"),
        metadata={"description": "page size, capped at the server maximum"},
    )
    marker = fields.String(metadata={"description": "the last UUID (services: id) seen"})
    sort_key = fields.String(load_default="id")
    sort_dir = fields.String(
        load_default="asc",
        validate=validate.OneOf(
            ["asc", "desc"],
            error="Invalid sort direction: {input}. Acceptable values are 'asc' or 'desc'",
        ),
    )


@dataclass(frozen=True)
class SortKey:
    """A sortable expression and the outer joins it needs (for keys of a related table)."""

    column: ColumnElement
    joins: tuple[tuple[Any, ColumnElement], ...] = ()
    # Value standing in for NULL, so the keyset comparison also orders missing values.
    null_as: Any = None

    @property
    def expression(self) -> ColumnElement:
        if self.null_as is None:
            return self.column
        return func.coalesce(self.column, self.null_as)

    def joined(self, query: Select) -> Select:
        for target, onclause in self.joins:
            query = query.outerjoin(target, onclause)
        return query


def columns(model: type, *names: str, nullable: Mapping[str, Any] | None = None) -> dict:
    """Sort keys for plain columns of ``model``; ``nullable`` gives NULL's stand-in value."""
    nullable = nullable or {}
    return {n: SortKey(getattr(model, n), null_as=nullable.get(n)) for n in names}


def page_size(limit: int | None) -> int:
    max_limit = get_settings().api_max_limit
    if limit is None:
        return max_limit
    if limit <= 0:
        raise Invalid("Limit must be positive")
    return min(limit, max_limit)


def paginate(
    session: Session,
    query: Select,
    model: type,
    args: dict[str, Any],
    sortable: Mapping[str, SortKey],
    marker_column: str = "uuid",
) -> tuple[list[Any], int]:
    """Return one page of rows and the page size used."""
    limit = page_size(args.get("limit"))
    name = args.get("sort_key", "id")
    if name not in sortable:
        raise Invalid(f"Invalid sort key: {name}. Use one of: {', '.join(sorted(sortable))}")
    key = sortable[name]
    column = key.expression
    descending = args.get("sort_dir", "asc") == "desc"
    query = key.joined(query)
    marker = args.get("marker")
    if marker is not None:
        marker_query = key.joined(select(column, model.id).select_from(model))
        marker_row = session.execute(
            marker_query.where(_marker_match(model, marker_column, marker))
        ).one_or_none()
        if marker_row is None:
            raise Invalid(f"The marker {marker} could not be found")
        value, row_id = marker_row
        after = column < value if descending else column > value
        same = and_(column == value, model.id < row_id if descending else model.id > row_id)
        # The redundant bound on the key alone is what lets an index range scan start at the
        # marker instead of filtering every row before it.
        bound = column <= value if descending else column >= value
        query = query.where(bound, or_(after, same))
    order = (column.desc(), model.id.desc()) if descending else (column.asc(), model.id.asc())
    rows = list(session.scalars(query.order_by(*order).limit(limit)).unique())
    return rows, limit


def _marker_match(model: type, marker_column: str, marker: str) -> ColumnElement[bool]:
    if marker_column == "id":
        if not str(marker).isdigit():
            raise Invalid(f"The marker {marker} is not an integer id")
        return model.id == int(marker)
    return getattr(model, marker_column) == str(marker)


def collection(
    name: str,
    items: list[dict[str, Any]],
    limit: int,
    args: dict[str, Any],
    path: str,
    marker_of: str = "uuid",
) -> dict[str, Any]:
    """``{name: [...], "next": url}`` with ``next`` only when the page is full.

    Unlike upstream, ``next`` keeps the request's filters, so following it stays in the
    filtered collection.
    """
    body: dict[str, Any] = {name: items}
    if items and len(items) == limit:
        filters = {
            k: v for k, v in args.items() if k not in PAGE_ARGS and v is not None and v != ""
        }
        query = urlencode(
            {
                **filters,
                "sort_key": args.get("sort_key", "id"),
                "sort_dir": args.get("sort_dir", "asc"),
                "limit": limit,
                "marker": items[-1][marker_of],
            }
        )
        body["next"] = f"{host_url()}/v1/{path}?{query}"
    return body


def collection_schema(name: str, item_schema: type) -> type[Schema]:
    """The documented shape of a collection response: ``{name: [item...], next}``."""
    return Schema.from_dict(
        {
            name: fields.List(fields.Nested(item_schema), required=True),
            "next": fields.String(metadata={"description": "present only on a full page"}),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}Collection",
    )
