"""Headless Chromium for the browser tests: Debian's ``chromium``, driven by Playwright.

The browser is always the one Debian's ``chromium`` package installs (``make browser``
installs it with apt; ``make test`` runs that first). Playwright's own browser builds are
never used, nor downloaded: ``playwright install`` is not part of any set-up here. Only
Playwright's Python package (a dev dependency in pyproject.toml) is needed.

Use from a test module (``tests/`` is on sys.path, as for ``conftest`` and ``reference``)::

    from browser import artifacts_dir, launch, new_page, watch

    @pytest.fixture(scope="module")
    def chromium():
        with launch() as b:
            yield b

    def test_page(chromium):
        page = new_page(chromium)
        seen = watch(page, allowed=("file://", "data:"))
        page.goto(url)
        ...
        seen.assert_clean()

``allowed`` names the URL prefixes a page may load from; a test of a served page (say a
Solara dashboard on ``http://127.0.0.1:PORT``) passes its own origin. Every other request
is aborted and reported, so a browser test never reaches outside this machine.

A missing ``chromium`` fails the test with what to run; it is never skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DEBIAN_CHROMIUM = "/usr/bin/chromium"
ARTIFACTS_ENV = "CONSORTIUM_ARTIFACTS"


def chromium_path() -> str:
    """The Debian ``chromium`` binary; fails the calling test when there is none."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    pytest.fail("The browser tests need Debian's chromium, which is not installed. Run "
                "`make browser` (it runs apt-get install chromium), then rerun the tests.",
                pytrace=False)


@contextmanager
def launch() -> Iterator[Browser]:
    """Headless Debian Chromium under Playwright, closed on exit."""
    executable = chromium_path()
    with sync_playwright() as p:
        # The pages are the project's own files or servers on this machine. Chromium's
        # sandbox cannot start as root (CI runs as root) nor in many containers, so it is
        # off, as it is by Playwright's default.
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = p.chromium.launch(executable_path=executable, headless=True,
                                    chromium_sandbox=False, args=args)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser, width: int = 1100, height: int = 900) -> Page:
    """A page of a fresh context with a ``width`` x ``height`` viewport, at scale 1."""
    return browser.new_page(viewport={"width": width, "height": height},
                            device_scale_factor=1)


@dataclass
class Watch:
    """What a page did: console errors, uncaught exceptions, requests."""

    allowed: tuple[str, ...]
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Requests to anywhere not in ``allowed``."""
        return [u for u in self.requests if not u.startswith(self.allowed)]

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no request failed or went outside."""
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"
        assert not self.blocked and not self.outside(), (
            f"requests outside {self.allowed}: {sorted(set(self.blocked + self.outside()))}")
        assert not self.failed, f"failed requests: {self.failed}"


def watch(page: Page, allowed: Sequence[str] = ("file://", "data:")) -> Watch:
    """Record what ``page`` does from now on, and abort any request outside ``allowed``."""
    seen = Watch(tuple(allowed))

    def gate(route: Route) -> None:
        url = route.request.url
        if url.startswith(seen.allowed):
            route.continue_()
        else:
            seen.blocked.append(url)
            route.abort("blockedbyclient")

    page.route("**/*", gate)
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("requestfailed", lambda r: None if r.url in seen.blocked
            else seen.failed.append(f"{r.url}: {r.failure}"))
    page.on("console", lambda m: seen.console_errors.append(f"{m.text} ({m.location})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
    return seen


def artifacts_dir() -> Path:
    """Where browser tests save what CI keeps: ``$CONSORTIUM_ARTIFACTS``, else out/artifacts."""
    folder = Path(os.environ.get(ARTIFACTS_ENV) or ROOT / "out" / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def assert_real_screenshot(path: Path, min_bytes: int = 5_000) -> None:
    """``path`` is a PNG of some size that shows more than one flat colour."""
    from PIL import Image

    assert path.is_file(), f"no screenshot at {path}"
    size = path.stat().st_size
    assert size > min_bytes, f"screenshot {path} is only {size} bytes"
    with Image.open(path) as image:
        assert image.format == "PNG", image.format
        rgb = image.convert("RGB")
        extrema = rgb.getextrema()
        assert any(lo != hi for lo, hi in extrema), f"screenshot {path} is one flat colour"
        colours = rgb.getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 16, (
            f"screenshot {path} has only {len(colours)} colours")
