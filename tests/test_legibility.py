"""Legible in any room: measured on screen in Chromium, at projector and phone sizes, in both languages.

At 1280×720 and 1920×1080 no visible text is smaller than 14 px on screen, at any lab size up to
the caps; on a 390×844 phone none is under 12 px. No text leaves its card or the viewport, no two
texts of a card overlap, and a phone never scrolls sideways.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from support import CHROMIUM, LabServer, drawn, settle

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

SIZES = {"projector": (1280, 720), "full-hd": (1920, 1080), "phone": (390, 844)}
MIN_PX = {"projector": 14, "full-hd": 14, "phone": 12}

MEASURE = """() => {
  const svg = document.getElementById('diagram');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const vw = document.documentElement.clientWidth;
  const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim());
  const out = {count: texts.length, smallest: Infinity, smallestText: '', outside: [], overlaps: [],
               overflowX: document.documentElement.scrollWidth > vw || document.getElementById('canvas').scrollWidth > document.getElementById('canvas').clientWidth};
  const byCard = new Map();
  for (const t of texts) {
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (px < out.smallest) { out.smallest = px; out.smallestText = t.textContent; }
    const b = t.getBoundingClientRect();
    const card = t.closest('.card');
    if (b.left < -1 || b.right > vw + 1) out.outside.push(['viewport', t.textContent]);
    if (card) {
      const c = card.querySelector('.card-bg').getBoundingClientRect();
      if (b.left < c.left - 1 || b.right > c.right + 1 || b.top < c.top - 1 || b.bottom > c.bottom + 1) out.outside.push([card.dataset.pid, t.textContent]);
      if (!byCard.has(card)) byCard.set(card, []);
      byCard.get(card).push([t.textContent, b]);
    }
  }
  for (const list of byCard.values()) {
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
      const [ta, a] = list[i], [tb, b] = list[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 2 && h > 3) out.overlaps.push([ta, tb]);
    }
  }
  return out;
}"""


def build(s: LabServer, lab: str) -> int:
    """The lab to measure; returns how many processes it has."""
    if lab == "one":
        s.spawn()
        return 1
    if lab == "four-by-four":
        # one busy thread (a running chip) rather than one per process: four busy loops would
        # take both CPUs from the tests beside these for as long as this lab lives
        for i in range(4):
            pid = s.spawn()
            for a in ("count", "busy" if i == 0 else "idle", "idle"):
                s.thread(pid, a)
        return 4
    big = s.spawn()  # the caps: 16 processes, one with 32 threads, a fork
    for i in range(31):
        s.thread(big, ("count", "busy")[i] if i < 2 else "idle")
    s.spawn(parent=big)
    for _ in range(14):
        s.spawn()
    return 16


@pytest.fixture(scope="module")
def legible() -> Iterator[LabServer]:
    """One server for the module, at the caps: each lab below is built on it after a reset."""
    s = LabServer(env={"PTLAB_MAX_PROCESSES": "16", "PTLAB_MAX_THREADS": "32"}).start()
    try:
        yield s
    finally:
        s.stop()
        assert s.leftovers() == []


@pytest.fixture(scope="module", params=["one", "four-by-four", "caps"])
def lab_of(request: pytest.FixtureRequest, legible: LabServer) -> Iterator[tuple[LabServer, int]]:
    legible.reset()
    try:
        yield legible, build(legible, request.param)
    finally:
        legible.reset()


@contextmanager
def presenting(browser, lab_of, where: str, lang: str) -> Iterator[object]:
    """The presenter's page at size `where` in `lang`, once every card is drawn; closed afterwards."""
    s, n = lab_of
    width, height = SIZES[where]
    ctx = browser.new_context(viewport={"width": width, "height": height})
    try:
        ctx.add_init_script(f"localStorage.setItem('ptlab.lang', '{lang}')")
        page = ctx.new_page()
        page.goto(s.url + f"/?token={s.token}")
        page.wait_for_function(f"document.querySelectorAll('#diagram .card').length === {n}")
        yield page
        if s.get("/api/state")["focus"]["lanes"]:
            page.keyboard.press("c")  # the class back on the cards, where the next tests' students look
            deadline = time.monotonic() + 5
            while s.get("/api/state")["focus"]["lanes"] and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        ctx.close()


@contextmanager
def one_process(browser, s: LabServer, size: tuple[int, int]) -> Iterator[object]:
    """The server with just one lab process, open as the presenter at `size`; all of it ended afterwards."""
    s.reset()
    ctx = None
    try:
        s.spawn()
        ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = ctx.new_page()
        page.goto(s.url + f"/?token={s.token}")
        page.wait_for_selector("#diagram .card")
        settle(page)
        yield page
    finally:
        if ctx is not None:
            ctx.close()
        s.reset()


def test_presentation_mode_makes_everything_larger_and_keys_still_work(browser, legible: LabServer) -> None:
    with one_process(browser, legible, (1280, 720)) as page:
        before = page.evaluate(MEASURE)["smallest"]
        page.keyboard.press("Shift+F")
        page.wait_for_function("document.body.classList.contains('present')")
        settle(page)  # the cards glided to their larger places
        assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 25
        assert page.evaluate(MEASURE)["smallest"] >= 1.25 * before - 0.01
        assert not page.locator(".controls").is_visible()  # the room does not need the buttons...
        page.keyboard.press("p")  # ...the keys still work
        page.wait_for_function("document.querySelectorAll('#diagram .card').length === 2")


def test_on_a_phone_every_control_is_reachable(browser, legible: LabServer) -> None:
    with one_process(browser, legible, (390, 844)) as page:

        def on_screen(selector: str) -> bool:
            box = page.locator(selector).bounding_box()
            return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] >= 0

        for action in ("spawn_process", "fork", "spawn_thread", "stop_thread", "stop_process", "reset"):
            assert on_screen(f"[data-action={action}]"), action
        assert not page.locator("#help").is_visible()  # folded into the menu...
        page.click("#menu")
        for tool in ("#toggle-lab", "#lang", "#theme", "#fullscreen", "#join", "#help"):
            assert page.locator(tool).is_visible() and on_screen(tool), tool
        page.click("#lang")  # ...and a choice folds it again
        assert not page.locator("#help").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_on_a_phone_a_students_top_bar_fits_and_following_is_in_the_menu(browser, lab_of) -> None:
    s, n = lab_of
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        page.goto(s.url + "/")
        page.wait_for_function(f"document.querySelectorAll('#diagram .card').length === {n}")
        outside = page.evaluate(
            """() => [...document.querySelectorAll('.topbar > *')].filter((e) => e.offsetParent !== null)
               .filter((e) => e.getBoundingClientRect().right > 391 || e.scrollWidth > e.clientWidth + 1)
               .map((e) => e.id || e.className)"""
        )
        assert outside == []  # nothing off-screen or cut off
        page.click("#menu")
        box = page.locator("#follow").bounding_box()
        assert page.locator("#follow").is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390
    finally:
        ctx.close()


LANES_MEASURE = """() => {
  const root = document.getElementById('lanes');
  const vw = document.documentElement.clientWidth;
  const texts = [...root.querySelectorAll('text, h2, li, .lanes-col, .lanes-note')].filter((t) => t.textContent.trim() && t.getClientRects().length);
  const out = {count: texts.length, rows: root.querySelectorAll('.lane').length, smallest: Infinity, smallestText: '', outside: [], overlaps: [],
               overflowX: document.documentElement.scrollWidth > vw || root.scrollWidth > root.clientWidth};
  const boxes = [];
  for (const t of texts) {
    const px = parseFloat(getComputedStyle(t).fontSize);
    if (px < out.smallest) { out.smallest = px; out.smallestText = t.textContent; }
    const b = t.getBoundingClientRect();
    if (b.left < -1 || b.right > vw + 1) out.outside.push(t.textContent);
    if (t.tagName === 'text' || t.classList.contains('lanes-col')) boxes.push([t.textContent, b]);
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [ta, a] = boxes[i], [tb, b] = boxes[j];
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 2 && h > 3) out.overlaps.push([ta, tb]);
  }
  out.topbarCut = [...document.querySelectorAll('.topbar > *, .tools > *')].filter((e) => e.offsetParent !== null)
    .filter((e) => e.getBoundingClientRect().right > vw + 1).map((e) => e.id || e.className);
  return out;
}"""


@pytest.mark.parametrize("where", sorted(SIZES))
def test_every_word_of_the_cards_and_the_lanes_is_readable_and_in_its_place(
    browser, lab_of, where: str
) -> None:
    # one page for both languages and both views: the cards, then the CPU lanes (C) over the same
    # lab, in English, then again in Korean after the page switched language (as a teacher does)
    n = lab_of[1]
    with presenting(browser, lab_of, where, "en") as page:
        for lang in ("en", "ko"):
            if lang == "ko":
                page.keyboard.press("c")  # back to the cards
                page.wait_for_function(f"document.querySelectorAll('#diagram .card').length === {n}")
                page.evaluate("document.getElementById('lang').click()")
                page.wait_for_function("document.documentElement.lang === 'ko'")
            settle(page)  # past the entry animations
            drawn(page)  # in the new language
            m = page.evaluate(MEASURE)
            where_lang = f"{where} {lang}"
            assert m["count"] > 3 * n, (where_lang, m)  # it measured the cards' words, not nothing
            assert m["smallest"] >= MIN_PX[where] - 0.01, (where_lang, m["smallest"], m["smallestText"])
            assert m["outside"] == [], (where_lang, m["outside"][:5])
            assert m["overlaps"] == [], (where_lang, m["overlaps"][:5])
            assert not m["overflowX"], where_lang

            page.keyboard.press("c")
            page.wait_for_function(f"document.querySelectorAll('#lanes .lane.process').length === {n}")
            settle(page)
            m = page.evaluate(LANES_MEASURE)
            assert m["rows"] >= n + 1, (where_lang, m)  # every process, and at least one thread row
            assert m["smallest"] >= MIN_PX[where] - 0.01, (where_lang, m["smallest"], m["smallestText"])
            assert m["outside"] == [], (where_lang, m["outside"][:5])
            assert m["overlaps"] == [], (where_lang, m["overlaps"][:5])
            assert not m["overflowX"], where_lang
            assert m["topbarCut"] == [], (where_lang, m["topbarCut"])


def test_a_students_top_bar_fits_a_laptop_screen(browser, lab_of) -> None:
    s, n = lab_of
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        # exploring: the cards, whatever view an earlier test's presenter left the class in
        ctx.add_init_script("localStorage.setItem('ptlab.explore', '1')")
        page = ctx.new_page()
        page.goto(s.url + "/")
        page.wait_for_function(f"document.querySelectorAll('#diagram .card').length === {n}")
        for width in (1280, 1366):  # the two commonest laptop screens
            page.set_viewport_size({"width": width, "height": 720})
            drawn(page)
            cut = page.evaluate(
                """(vw) => [...document.querySelectorAll('.topbar > *, .tools > *')].filter((e) => e.offsetParent !== null)
                   .filter((e) => e.getBoundingClientRect().right > vw + 1).map((e) => e.id || e.className)""",
                width,
            )
            assert cut == [], width
    finally:
        ctx.close()
