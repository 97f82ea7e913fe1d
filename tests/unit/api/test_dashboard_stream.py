"""The dashboard's event stream keeps the events of its plan and its actions, and nothing else."""

from watcher_celery.api.dashboard.stream import about_plan, sse

PLAN = "11111111-1111-1111-1111-111111111111"
OTHER = "22222222-2222-2222-2222-222222222222"


def _event(event_type, name, data):
    return {
        "event_type": event_type,
        "timestamp": "2026-12-02T04:00:00+00:00",
        "payload": {"watcher_object.name": name, "watcher_object.data": data},
    }


def test_an_action_of_the_plan_is_kept_with_its_new_state():
    data = {"uuid": "a1", "action_plan_uuid": PLAN, "state": "ONGOING", "status_message": None}
    view = about_plan(_event("action.update", "ActionPayload", data), PLAN)
    assert view["kind"] == "action" and view["uuid"] == "a1" and view["state"] == "ONGOING"


def test_the_plan_itself_is_kept():
    data = {"uuid": PLAN, "state": "SUCCEEDED"}
    view = about_plan(_event("action_plan.execution.end", "ActionPlanPayload", data), PLAN)
    assert view["kind"] == "plan" and view["state"] == "SUCCEEDED"


def test_events_of_other_plans_and_objects_are_dropped():
    action = {"uuid": "a1", "action_plan_uuid": OTHER, "state": "ONGOING"}
    assert about_plan(_event("action.update", "ActionPayload", action), PLAN) is None
    plan = {"uuid": OTHER, "state": "ONGOING"}
    assert about_plan(_event("action_plan.update", "ActionPlanPayload", plan), PLAN) is None
    audit = {"uuid": PLAN, "state": "ONGOING"}  # an audit sharing nothing but the field names
    assert about_plan(_event("audit.update", "AuditPayload", audit), PLAN) is None


def test_a_message_is_one_sse_block_with_its_id():
    assert sse("progress", {"done": 1}, 7) == 'id: 7\nevent: progress\ndata: {"done": 1}\n\n'
