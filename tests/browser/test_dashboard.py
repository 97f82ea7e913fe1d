"""The dashboard in a real browser (Debian's Chromium): the cluster map, an audit's plan with
its predicted map and DAG, the plan started and followed live until it ends; with tokens on,
a sign-in page and a 401 from the event stream without a token."""

from __future__ import annotations

import re
import time
import uuid

import pytest
import requests

from harness.processes import start_api

pytestmark = pytest.mark.integration

ADMIN = f"admin-{uuid.uuid4().hex}"
FINISHED = {"SUCCEEDED", "SKIPPED", "FAILED", "CANCELLED"}


@pytest.fixture(scope="module")
def open_api(dashboard_deployment):
    service, base = dashboard_deployment.api()
    yield base


@pytest.fixture(scope="module")
def token_api(dashboard_deployment):
    env = {
        **dashboard_deployment.env,
        "WATCHER_AUTH": "tokens",
        "WATCHER_AUTH_TOKENS": f"{ADMIN}:admin",
    }
    service, base = start_api(env, dashboard_deployment.log_dir)
    yield base
    service.stop()


def _empty_hosts(summary: str) -> int:
    return int(re.search(r"(\d+) empty", summary).group(1))


def _node_states(page) -> list[str]:
    return page.eval_on_selector_all("#plan-dag g.node", "ns => ns.map(n => n.dataset.state)")


def test_an_audit_plan_is_forecast_then_followed_live_to_its_end(browser, open_api, screenshots):
    page = browser.new_page(viewport={"width": 1440, "height": 1150})
    # Given the dashboard on a deployment without authentication
    page.goto(f"{open_api}/dashboard")
    # Then the cluster map shows every simulated host
    page.wait_for_function(
        "document.querySelector('#cluster-summary').textContent.includes('hosts ·')"
    )
    assert page.text_content("#cluster-summary").startswith("16 hosts")
    assert page.eval_on_selector("#cluster-map", "c => c.height") > 50

    # When an operator runs a consolidation audit from the Audits view
    page.click("#tabs button[data-view=audits]")
    page.wait_for_selector("#audit-goal option[value=server_consolidation]", state="attached")
    page.select_option("#audit-goal", "server_consolidation")
    page.select_option("#audit-strategy", "basic")
    page.click("#audit-form button[type=submit]")

    # Then the plan opens with its DAG, its estimates and the predicted map
    page.wait_for_selector("#plan-dag g.node", timeout=60_000)
    states = _node_states(page)
    actions = len(states)
    assert actions > 5 and set(states) == {"PENDING"}
    assert page.text_content("#plan-state") == "RECOMMENDED"
    assert page.locator("#plan-actions tbody tr").count() == actions
    assert "migrations shown on the predicted map" in page.text_content("#plan-note")
    now, after = page.text_content("#plan-summary-now"), page.text_content("#plan-summary-after")
    assert _empty_hosts(after) > _empty_hosts(now)  # consolidation empties hosts
    assert "Estimated duration" in page.text_content("#plan-time")
    assert page.locator("#plan-efficacy tr").count() >= 1
    page.screenshot(path=str(screenshots / "dashboard-plan-whatif.png"))

    # When the operator starts it
    page.click("#plan-start")
    # Then actions change state on the page as the applier runs them (no reload)
    seen_mixed = False
    shot = False
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        states = _node_states(page)
        running = states.count("ONGOING")
        done = sum(s in FINISHED for s in states)
        if running and states.count("PENDING") and done:
            seen_mixed = True
            if not shot and done >= actions // 3:
                page.screenshot(path=str(screenshots / "dashboard-live.png"))
                shot = True
        if page.text_content("#plan-state") in {"SUCCEEDED", "FAILED", "CANCELLED"}:
            break
        time.sleep(0.1)
    assert seen_mixed, "never saw actions running while others waited and others were done"
    assert page.text_content("#plan-state") == "SUCCEEDED"
    page.wait_for_function(
        "[...document.querySelectorAll('#plan-dag g.node')]"
        ".every(n => n.dataset.state === 'SUCCEEDED' || n.dataset.state === 'SKIPPED')"
    )
    # And the last progress message counts them all, with no time left
    page.wait_for_function(
        f"document.querySelector('#plan-progress').textContent"
        f".startsWith('{actions} of {actions} actions finished')"
    )
    assert "nothing left" in page.text_content("#plan-progress")

    # And the plans list shows it among the succeeded ones
    page.click("#tabs button[data-view=plans]")
    page.wait_for_selector("#plans-table tbody tr")
    page.select_option("#plans-state", "SUCCEEDED")
    assert page.locator("#plans-table tbody tr").count() >= 1
    page.select_option("#plans-state", "RECOMMENDED")
    assert page.locator("#plans-table tbody tr").count() == 0
    page.close()


def test_with_tokens_the_page_asks_to_sign_in_and_the_stream_refuses_without_one(
    browser, token_api
):
    # Given an API with static tokens
    page = browser.new_page()
    page.goto(f"{token_api}/dashboard")
    # Then the page shows the sign-in form and no data
    assert page.is_visible("#login-form")
    assert page.is_hidden("#app")
    # And a wrong token is refused on the page
    page.fill("#token", "not-a-token")
    page.click("#login-form button[type=submit]")
    page.wait_for_function("document.querySelector('#login-error').textContent.length > 0")
    assert "not valid" in page.text_content("#login-error")
    # And the data endpoints, the event stream included, answer 401 without a token
    plan = str(uuid.uuid4())
    for path in ("/dashboard/api/cluster", f"/dashboard/api/action_plans/{plan}/events"):
        assert requests.get(token_api + path, timeout=10).status_code == 401
    # When the right token is given the cluster shows
    page.fill("#token", ADMIN)
    page.click("#login-form button[type=submit]")
    page.wait_for_function(
        "document.querySelector('#cluster-summary').textContent.includes('hosts ·')"
    )
    assert page.is_hidden("#login")
    page.close()


def test_the_event_stream_with_a_token_streams_the_plan(token_api):
    # Given a plan made on the open API
    headers = {"X-Auth-Token": ADMIN}
    plans = requests.get(f"{token_api}/v1/action_plans", headers=headers, timeout=10).json()
    if not plans["action_plans"]:
        body = {"audit_type": "ONESHOT", "goal": "dummy"}
        requests.post(f"{token_api}/v1/audits", json=body, headers=headers, timeout=10)
    plan = _wait_plan(token_api, headers)
    # When the stream is opened with the token, it answers an event stream with progress
    with requests.get(
        f"{token_api}/dashboard/api/action_plans/{plan}/events",
        headers=headers,
        stream=True,
        timeout=30,
    ) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        first = next(response.iter_lines(decode_unicode=True))
        assert first == "event: progress"
    # And a plan that does not exist is a 404 with Watcher's error body, before any stream
    missing = requests.get(
        f"{token_api}/dashboard/api/action_plans/{uuid.uuid4()}/events", headers=headers, timeout=10
    )
    assert missing.status_code == 404
    assert "could not be found" in missing.json()["error_message"]


def _wait_plan(base, headers, query: str = "") -> str:
    for _ in range(300):
        plans = requests.get(f"{base}/v1/action_plans{query}", headers=headers, timeout=10).json()
        if plans["action_plans"]:
            return plans["action_plans"][0]["uuid"]
        time.sleep(0.2)
    raise AssertionError("no action plan appeared")


def test_a_running_plan_is_cancelled_from_its_page(browser, open_api):
    # Given a dummy plan whose last action sleeps 10 s, opened from the plans list
    body = {"audit_type": "ONESHOT", "goal": "dummy", "strategy": "dummy",
            "parameters": {"para1": 10}}  # fmt: skip
    created = requests.post(f"{open_api}/v1/audits", json=body, timeout=10)
    assert created.status_code == 201, created.text
    audit = created.json()["uuid"]
    plan = _wait_plan(open_api, {}, f"?audit_uuid={audit}")
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{open_api}/dashboard")
    page.click("#tabs button[data-view=plans]")
    page.click(f"#plans-table tbody tr[data-uuid='{plan}']")
    page.wait_for_selector("#plan-dag g.node")
    # When it is started and its sleep runs, then cancelled
    page.click("#plan-start")
    page.wait_for_selector("#plan-dag g.node[data-state=ONGOING]:has-text('sleep')", timeout=60_000)
    page.click("#plan-cancel")
    # Then the page follows the plan to CANCELLED and the buttons are off
    page.wait_for_function(
        "document.querySelector('#plan-state').textContent === 'CANCELLED'", timeout=90_000
    )
    assert page.is_disabled("#plan-start") and page.is_disabled("#plan-cancel")
    page.close()


def test_the_event_stream_still_streams_when_the_decision_engine_does_not_answer(
    dashboard_deployment, open_api
):
    # Given a plan, and an API whose questions go to a queue no worker reads
    plan = _wait_plan(open_api, {})
    env = {
        **dashboard_deployment.env,
        "WATCHER_TASK_QUEUE": f"nobody-{uuid.uuid4().hex[:8]}",
        "WATCHER_DE_ANSWER_TIMEOUT": "1",
    }
    service, base = start_api(env, dashboard_deployment.log_dir)
    try:
        # Then the forecast says the decision engine did not answer (503)
        forecast = requests.get(f"{base}/dashboard/api/action_plans/{plan}/forecast", timeout=30)
        assert forecast.status_code == 503
        # But the live view streams the plan's progress anyway
        url = f"{base}/dashboard/api/action_plans/{plan}/events"
        with requests.get(url, stream=True, timeout=30) as response:
            assert response.status_code == 200
            lines = response.iter_lines(decode_unicode=True)
            assert next(lines) == "event: progress"
            assert '"total": ' in next(lines)
    finally:
        service.stop()
