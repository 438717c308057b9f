"""The decision brief as a reader sees it: opened from disk in headless Chromium.

A small comparison (as in test_compare.py) is rendered to ``brief.html`` in the artifacts
folder, opened over ``file://`` in Debian's chromium (see ``browser.py``), checked, and
saved as a full-page screenshot, ``brief.png``, beside it: the CI artifact.
"""

from __future__ import annotations

import pytest
from browser import artifacts_dir, assert_real_screenshot, launch, new_page, watch

from experiments.compare import compare, summary_table
from sim.designs import load_design
from sim.scenario import load_scenario

BASE = "workshop_small"
DESIGNS = ("ccpt_as_run", "taper_2y")
# The h2 sections of viz/templates/brief.html.j2, in order.
SECTIONS = [("question", "The question"), ("answer", "The short answer"),
            ("ranking", "How the designs compare"), ("over-time", "Over time"),
            ("designs", "The designs"), ("caveats", "What this cannot tell you"),
            ("method", "How this was made")]


@pytest.fixture(scope="module")
def pair():
    designs = [load_design(name) for name in DESIGNS]
    return compare(designs, load_scenario(BASE), replicates=8, seed=5, years_after=2,
                   workers=1)


@pytest.fixture(scope="module")
def chromium():
    with launch() as browser:
        yield browser


def test_the_brief_renders_offline_in_chromium_and_is_saved_as_a_screenshot(pair, chromium
                                                                           ) -> None:
    from viz.brief import TITLE, decision_brief

    folder = artifacts_dir()
    html = folder / "brief.html"
    html.write_text(decision_brief(pair, summary_table(pair),
                                   "consortium compare " + " ".join(DESIGNS)),
                    encoding="utf-8")
    page = new_page(chromium)
    seen = watch(page, allowed=("file://", "data:"))
    response = page.goto(html.as_uri(), wait_until="load")
    assert response is not None and response.ok
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")

    assert page.title() == TITLE
    assert page.locator("h1").inner_text() == TITLE
    headings = page.eval_on_selector_all(
        "h2", "hs => hs.map(h => [h.id, h.innerText.trim(), h.getBoundingClientRect().height])")
    assert [(i, t) for i, t, _ in headings] == SECTIONS
    assert all(h > 0 for _, _, h in headings), headings
    for name in DESIGNS:
        assert page.get_by_role("heading", name=name, exact=True).is_visible(), name
    assert page.locator("table tr").count() == 1 + len(DESIGNS)

    images = page.eval_on_selector_all(
        "img", "is => is.map(i => ({src: i.src.slice(0, 22), complete: i.complete, "
               "natural: i.naturalWidth, shown: i.getBoundingClientRect().width}))")
    assert len(images) == 2
    for image in images:
        assert image["src"] == "data:image/png;base64,", image
        assert image["complete"] and image["natural"] > 0 and image["shown"] > 0, image

    shot = folder / "brief.png"
    shot.unlink(missing_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    seen.assert_clean()
    assert seen.requests == [html.as_uri()], seen.requests
    assert_real_screenshot(shot)
    print(f"\nbrief screenshot ({chromium.version}): {shot}")
