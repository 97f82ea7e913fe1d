"""The list and ``/detail`` endpoints of a resource, written once for every collection."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.interfaces import LoaderOption

from watcher_celery.api.pagination import (
    PageQuerySchema,
    SortKey,
    collection,
    collection_schema,
    paginate,
)
from watcher_celery.api.smorest import Blueprint, is_uuid, register_collection, visible
from watcher_celery.db import session_scope
from watcher_celery.errors import Invalid

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


def referenced_ids(related: type, arg: str, ident: str):
    """``SELECT id`` of the rows ``ident`` names (UUID, or name where the model has one),
    soft-deleted ones included, as upstream's joins include them. A filter on an unknown or
    deleted parent is then an empty page (200), not a 404. ``*_uuid`` filters take UUIDs only
    (400 otherwise), as upstream types them."""
    if is_uuid(ident):
        return select(related.id).where(related.uuid == str(ident))
    if arg.endswith("_uuid"):
        raise Invalid(f"Invalid input for field/attribute {arg}. Value: '{ident}'. Expected a uuid")
    if hasattr(related, "name"):
        return select(related.id).where(related.name == ident)
    return select(related.id).where(false())


def by_reference(model: type, **lookups: tuple[str, type, str]) -> Filters:
    """Filters naming a related object by UUID or name: ``arg=(column, Model, resource)``.

    e.g. ``by_reference(Audit, goal=("goal_id", Goal, "Goal"))`` answers ``?goal=dummy``.
    """

    def filters(_session: Session, args: dict[str, Any]) -> list[ColumnElement[bool]]:
        clauses = []
        for arg, (column, related, _resource) in lookups.items():
            if args.get(arg):
                clauses.append(getattr(model, column).in_(referenced_ids(related, arg, args[arg])))
        return clauses

    return filters
