"""The workshop dashboard in a real browser: Debian's chromium driven by Playwright.

A ``consortium workshop`` server runs for the module; each test opens its own browser
context (its own session). Screenshots go to the CI artifacts (tests/browser.py).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import artifacts_dir, assert_real_screenshot, launch, watch
from playwright.sync_api import Browser, Page

CONSORTIUM = Path(sys.executable).parent / "consortium"
LOAD_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    log = open(artifacts_dir() / "workshop_server.log", "w")  # noqa: SIM115 - kept open
    proc = subprocess.Popen([str(CONSORTIUM), "workshop", "workshop_small", "--port",
                             str(port)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + LOAD_S
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.close()
            text = (artifacts_dir() / "workshop_server.log").read_text()
            pytest.fail(f"the workshop server did not start:\n{text}", pytrace=False)
        time.sleep(0.3)
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launch() as b:
        yield b


def open_page(chromium: Browser, url: str) -> tuple[Page, object]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1250})
    page = context.new_page()
    seen = watch(page, allowed=(url, "data:", "blob:"))
    page.goto(url + "/")
    page.wait_for_selector(".charts-view img", timeout=LOAD_S * 1000)
    return page, seen


def month(page: Page) -> int:
    """The month the page shows (waits for the heading to render)."""
    deadline = time.monotonic() + 20
    while True:
        found = re.search(r"Month (\d+) of", page.locator(".month-heading").inner_text())
        if found:
            return int(found.group(1))
        assert time.monotonic() < deadline, "no month heading"
        time.sleep(0.1)


def src(page: Page, selector: str) -> str:
    return page.locator(f"{selector} img").first.get_attribute("src") or ""


def wait_for(predicate, timeout: float = 20.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting in the browser"
        time.sleep(0.2)


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``, as a mouse would.

    The menu renders only the items in view, so it scrolls until the option shows.
    """
    select = page.locator(".v-select", has_text=label).first
    for _ in range(5):  # the first click after loading may only focus the field
        box = select.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        time.sleep(0.5)
        if select.locator(".v-field").get_attribute("aria-expanded") == "true":
            break
    item = page.locator(".v-overlay__content .v-list-item", has_text=option)
    for _ in range(20):
        if item.count():
            item.first.click()
            return
        menu = page.locator(".v-overlay__content .v-list").first.bounding_box()
        page.mouse.move(menu["x"] + 20, menu["y"] + 20)
        page.mouse.wheel(0, 200)
        time.sleep(0.2)
    pytest.fail(f"no option {option!r} in the {label!r} menu")


def shot(page: Page, name: str) -> Path:
    path = artifacts_dir() / name
    page.screenshot(path=str(path))  # the viewport: what the room sees
    assert_real_screenshot(path)
    return path


def test_the_page_loads_offline_with_every_view(chromium: Browser, server: str) -> None:
    page, seen = open_page(chromium, server)
    for view in (".timeline-view", ".network-view", ".charts-view", ".event-feed"):
        assert page.locator(view).count() >= 1, view
    assert month(page) == 0
    assert page.locator(".network-view img").first.evaluate("i => i.naturalWidth") > 0
    shot(page, "workshop_start.png")
    seen.assert_clean()


def test_a_slider_then_play_changes_the_chart_and_the_network(chromium: Browser,
                                                              server: str) -> None:
    page, seen = open_page(chromium, server)
    net, charts = src(page, ".network-view"), src(page, ".charts-view")
    thumb = page.locator(".lever-state_years [role=slider]").first
    thumb.focus()
    page.keyboard.press("ArrowRight")  # 3 -> 4 state-funded years
    wait_for(lambda: thumb.get_attribute("aria-valuenow") == "4")
    wait_for(lambda: "custom" in page.locator(".v-select", has_text="Preset").inner_text())
    timeline_before = src(page, ".timeline-view")
    page.locator(".play-button").click()
    wait_for(lambda: month(page) >= 8)
    page.locator(".play-button").click()  # pause
    wait_for(lambda: page.locator(".play-button").inner_text().strip().lower() == "play")
    assert src(page, ".charts-view") != charts
    assert src(page, ".network-view") != net
    assert src(page, ".timeline-view") != timeline_before
    time.sleep(2.0)  # a frame drawing when Pause was pressed still lands
    stopped = month(page)
    time.sleep(2.0)
    assert month(page) == stopped  # paused
    shot(page, "workshop_running.png")
    seen.assert_clean()


def test_a_shock_shows_in_the_event_feed(chromium: Browser, server: str) -> None:
    page, seen = open_page(chromium, server)
    page.locator(".step-button").click()
    wait_for(lambda: month(page) == 1)
    page.locator(".shock-leader_leaves").click()
    wait_for(lambda: "(shock)" in page.locator(".event-feed").inner_text())
    feed = page.locator(".event-feed").inner_text()
    assert "Month 1 (shock):" in feed and "leader left" in feed
    page.locator(".shock-new_grant_arrives").click()
    wait_for(lambda: "new $1M grant" in page.locator(".event-feed").inner_text())
    seen.assert_clean()


def test_compare_mode_and_fifty_replicates(chromium: Browser, server: str) -> None:
    page, seen = open_page(chromium, server)
    choose(page, "Compare with a design", "taper_2y")
    wait_for(lambda: page.locator(".network-view").count() == 2)
    for _ in range(3):
        page.locator(".step-button").click()
    wait_for(lambda: month(page) == 3 and page.locator(".difference-view").count() == 1)
    page.get_by_label("Room's guess: % that sustain").fill("30")
    page.get_by_label("Room's guess: % that sustain").press("Enter")
    page.locator(".replicates-button").click()
    wait_for(lambda: page.locator(".replicates-view img").count() == 1, timeout=60)
    message = page.locator(".replicates-message").inner_text()
    assert re.search(r"50 replicates per side in [\d.]+ s", message), message
    shot(page, "workshop_compare.png")
    seen.assert_clean()


def test_two_sessions_never_share_a_model(chromium: Browser, server: str) -> None:
    first, seen_first = open_page(chromium, server)
    second, seen_second = open_page(chromium, server)
    for _ in range(3):
        first.locator(".step-button").click()
    wait_for(lambda: month(first) == 3)
    time.sleep(1.0)  # time for any update to reach the other page, were it shared
    assert month(second) == 0
    second.locator(".step-button").click()
    wait_for(lambda: month(second) == 1)
    assert month(first) == 3
    seen_first.assert_clean()
    seen_second.assert_clean()
