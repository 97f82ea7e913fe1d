"""The list and ``/detail`` endpoints of a resource, written once for every collection."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.interfaces import LoaderOption

from watcher_celery.api.pagination import (
    PageQuerySchema,
    SortKey,
    collection,
    collection_schema,
    paginate,
)
from watcher_celery.api.smorest import Blueprint, get_or_404, register_collection, visible
from watcher_celery.db import session_scope

Filters = Callable[[Session, dict[str, Any]], list[ColumnElement[bool]]]


def page_query(model: type, load: Sequence[LoaderOption] = ()):
    """``SELECT`` of visible rows loading only the relationships ``load`` names.

    The models eager-load whole chains (action → plan → audit → goal, ...); a page of 1,000
    actions would drag all of that along, so collections say exactly what they show.
    """
    return select(model).where(visible(model)).options(lazyload("*"), *load)


def register(
    blp: Blueprint,
    name: str,
    model: type,
    schema: type,
    sortable: Mapping[str, SortKey],
    *,
    noun: str,
    query_schema: type = PageQuerySchema,
    filters: Filters | None = None,
    marker: str = "uuid",
    load: Sequence[LoaderOption] = (),
) -> None:
    """Add ``GET /v1/<name>`` and ``/detail``: visible rows, filtered, one sorted page."""

    def list_page(args: dict[str, Any], detail: bool) -> dict[str, Any]:
        with session_scope() as session:
            query = page_query(model, load)
            if filters is not None:
                query = query.where(*filters(session, args))
            rows, limit = paginate(session, query, model, args, sortable, marker_column=marker)
            items = schema.dump_many(rows, detail)
        path = name + ("/detail" if detail else "")
        return collection(name, items, limit, args, path, marker_of=marker)

    register_collection(blp, query_schema, list_page, noun, collection_schema(name, schema))


def by_reference(model: type, **lookups: tuple[str, type, str]) -> Filters:
    """Filters naming a related object by UUID or name: ``arg=(column, Model, resource)``.

    e.g. ``by_reference(Audit, goal=("goal_id", Goal, "Goal"))`` answers ``?goal=dummy``;
    an unknown object is 404.
    """

    def filters(session: Session, args: dict[str, Any]) -> list[ColumnElement[bool]]:
        clauses = []
        for arg, (column, related, resource) in lookups.items():
            if args.get(arg):
                row = get_or_404(session, related, args[arg], resource)
                clauses.append(getattr(model, column) == row.id)
        return clauses

    return filters
