"""axe-core, run in Chromium on the presenter's and the viewer's page in both languages: no serious or critical violation."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support import CHROMIUM, LabServer, settle

playwright = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def setup(browser) -> Iterator[tuple[object, LabServer]]:
    s = LabServer().start()
    try:
        parent = s.spawn()
        s.thread(parent, "count")
        s.spawn(parent=parent)
        yield browser, s
    finally:
        s.stop()


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("role", ["presenter", "viewer"])
def test_no_serious_or_critical_violation(setup, role: str, lang: str) -> None:
    """The cards, then the CPU lanes the same page switches to (as a class does)."""
    browser, s = setup
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        ctx.add_init_script(f"localStorage.setItem('ptlab.lang', '{lang}')")
        # exploring: a viewer's view is its own, not whatever the last presenter test left open
        ctx.add_init_script("localStorage.setItem('ptlab.explore', '1')")
        page = ctx.new_page()
        page.goto(s.url + (f"/?token={s.token}" if role == "presenter" else "/"))
        page.wait_for_function("document.querySelectorAll('#diagram .card').length === 2")
        for view in ("cards", "lanes"):
            if view == "lanes":
                page.keyboard.press("c")
                page.wait_for_selector("#lanes .lane.thread")
            settle(page)
            result = axe_sync.Axe().run(page).response
            assert result["passes"], f"axe ran no rule on the {view}"
            bad = [
                (v["id"], v["impact"], v["help"])
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], view
    finally:
        ctx.close()
