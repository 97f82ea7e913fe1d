"""limit / marker / sort_key / sort_dir on every collection, and the ``next`` link.

Sorting happens in the database on an indexed column; the marker row's sort value and id make
the next page a keyset query, so a page costs the same at row 100,000 as at row 10.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from watcher_celery.api.smorest import host_url
from watcher_celery.config import get_settings
from watcher_celery.errors import Invalid


class PageQuerySchema(Schema):
    limit = fields.Integer()
    marker = fields.String()
    sort_key = fields.String(load_default="id")
    sort_dir = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))


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
    sortable: dict[str, Any],
    marker_column: str = "uuid",
) -> tuple[list[Any], int]:
    """Return one page of rows and the page size used."""
    limit = page_size(args.get("limit"))
    key = args.get("sort_key", "id")
    if key not in sortable:
        raise Invalid(f"Invalid sort key: {key}")
    column = sortable[key]
    descending = args.get("sort_dir", "asc") == "desc"
    marker = args.get("marker")
    if marker:
        marker_row = session.execute(
            select(column, model.id).where(getattr(model, marker_column) == marker)
        ).one_or_none()
        if marker_row is None:
            raise Invalid(f"The marker {marker} could not be found")
        value, row_id = marker_row
        after = column < value if descending else column > value
        same = and_(column == value, model.id < row_id if descending else model.id > row_id)
        query = query.where(or_(after, same))
    order = (column.desc(), model.id.desc()) if descending else (column.asc(), model.id.asc())
    rows = list(session.scalars(query.order_by(*order).limit(limit)).unique())
    return rows, limit


def collection(
    name: str,
    items: list[dict[str, Any]],
    limit: int,
    args: dict[str, Any],
    path: str,
    marker_of: str = "uuid",
) -> dict[str, Any]:
    """``{name: [...], "next": url}`` with ``next`` only when the page is full."""
    body: dict[str, Any] = {name: items}
    if items and len(items) == limit:
        query = urlencode(
            {
                "sort_key": args.get("sort_key", "id"),
                "sort_dir": args.get("sort_dir", "asc"),
                "limit": limit,
                "marker": items[-1][marker_of],
            }
        )
        body["next"] = f"{host_url()}/v1/{path}?{query}"
    return body
