"""The cluster heat map at 10,000 hosts in a real browser: grouped by zone, every host
reachable under the mouse, zoom and regrouping redraw it."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def large_api(large_deployment):
    _, base = large_deployment.api()
    return base


def _canvas_height(page) -> int:
    return page.eval_on_selector("#cluster-map", "c => c.clientHeight")


def test_ten_thousand_hosts_are_drawn_grouped_and_can_be_read_one_by_one(
    browser, large_api, screenshots
):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    # Given a cloud of 10,000 hosts
    page.goto(f"{large_api}/dashboard")
    page.wait_for_function(
        "document.querySelector('#cluster-summary').textContent.includes('hosts ·')",
        timeout=120_000,
    )
    summary = page.text_content("#cluster-summary")
    assert summary.startswith("10000 hosts")
    disabled = int(re.search(r"(\d+) disabled", summary).group(1))
    assert disabled > 0  # the simulated cloud has disabled hosts, and the map counts them
    page.screenshot(path=str(screenshots / "dashboard-cluster-10000.png"))

    # When the mouse rests on the first host of the first zone, its figures show
    box = page.locator("#cluster-map").bounding_box()
    page.mouse.move(box["x"] + 8, box["y"] + 28)
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible")
    assert re.search(r"^\S+ +\(az1", tooltip.text_content())
    assert "Memory" in tooltip.text_content() and "instances" in tooltip.text_content()

    # When zooming in, cells grow and the map gets taller; zooming out shrinks it back
    before = _canvas_height(page)
    page.click("#view-cluster .zoom-in")
    assert _canvas_height(page) > before
    page.click("#view-cluster .zoom-out")
    page.click("#view-cluster .zoom-out")
    assert _canvas_height(page) < before

    # When grouping by aggregate, the groups are the aggregates (a host in each of its own)
    label = page.get_attribute("#cluster-map", "aria-label")
    assert "az1 — " in label and "gpu — " not in label
    page.select_option("#view-cluster .group", "aggregate")
    label = page.get_attribute("#cluster-map", "aria-label")
    assert "agg-az1 — " in label and "gpu — " in label and "ssd — " in label
    page.close()
