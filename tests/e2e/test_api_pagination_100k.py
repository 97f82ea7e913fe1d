"""Paging stays correct over 100,000 actions: every row once, in order, by markers."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from harness.rows import bulk_actions
from tests.support.client import ApiClient
from watcher_celery.api.actions.routes import SORTABLE
from watcher_celery.api.listing import page_query
from watcher_celery.api.pagination import paginate
from watcher_celery.db import Action, ActionPlan, session_scope

pytestmark = pytest.mark.integration
COUNT = 100_000


@pytest.fixture(scope="module")
def many_actions(pg_url):
    plan_ids = bulk_actions(COUNT)
    yield plan_ids
    with session_scope() as session:
        session.execute(delete(Action).where(Action.action_plan_id.in_(plan_ids)))
        session.execute(delete(ActionPlan).where(ActionPlan.id.in_(plan_ids)))


def _walk(sort_key: str, sort_dir: str, plan_ids: list[int]) -> list[tuple[int, int]]:
    """Follow markers page by page, one session per page as requests do; (plan id, id) pairs."""
    seen: list[tuple[int, int]] = []
    args = {"sort_key": sort_key, "sort_dir": sort_dir, "limit": 1000}
    query = page_query(Action).where(Action.action_plan_id.in_(plan_ids))
    while True:
        with session_scope() as session:
            rows, limit = paginate(session, query, Action, args, SORTABLE)
            seen.extend((row.action_plan_id, row.id) for row in rows)
            if len(rows) < limit:
                return seen
            args["marker"] = rows[-1].uuid


def test_walking_100k_rows_by_id_visits_each_once_in_order(many_actions):
    ids = [row_id for _, row_id in _walk("id", "asc", many_actions)]
    assert len(ids) == COUNT
    assert ids == sorted(set(ids))


def test_walking_100k_rows_by_plan_uuid_desc_is_globally_ordered(many_actions):
    with session_scope() as session:
        plan_uuid = dict(
            session.execute(
                select(ActionPlan.id, ActionPlan.uuid).where(ActionPlan.id.in_(many_actions))
            ).all()
        )
    keys = [
        (plan_uuid[plan], row_id)
        for plan, row_id in _walk("action_plan_uuid", "desc", many_actions)
    ]
    assert len(set(keys)) == COUNT
    assert keys == sorted(keys, reverse=True)


def test_the_last_page_over_http_ends_the_collection(api, many_actions):
    client = ApiClient(api)
    with session_scope() as session:
        ids = session.scalars(
            select(Action.uuid)
            .where(Action.action_plan_id.in_(many_actions))
            .order_by(Action.id.desc())
            .limit(11)
        ).all()
    # Given the marker of row 99,990, When the next 10 are asked for, Then they are the last
    page = client.get(f"/v1/actions?limit=10&marker={ids[-1]}").json()
    assert [a["uuid"] for a in page["actions"]] == list(reversed(ids[:-1]))
    assert page["next"].endswith(f"marker={ids[0]}")
    assert client.get(f"/v1/actions?limit=10&marker={ids[0]}").json() == {"actions": []}
