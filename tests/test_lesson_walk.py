"""The whole built-in lesson as a class sees it: a presenter and three students, every scene, both
languages, the projector's two sizes and a phone; nothing cut, nothing raw, nothing thrown."""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any

import pytest
from support import CHROMIUM, LabServer, drawn, opened, settle, step

pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

# What a reader could not read: text cut by its box or pushed out of the lesson strip, a lesson
# strip that hides part of its scene behind a scrollbar, an i18n key shown raw.
PROBLEMS = """() => {
  const out = [];
  const strip = document.getElementById('lesson');
  const L = strip.getBoundingClientRect();
  const phone = innerWidth <= 600;
  for (const e of strip.querySelectorAll('*')) {
    if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const r = e.getBoundingClientRect();
    if (!r.width) continue;
    const say = e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 50);
    if (e.scrollWidth > e.clientWidth + 1 && cs.overflowX !== 'visible') out.push(`cut: ${say}`);
    if (r.right > innerWidth + 1 || r.left < -1) out.push(`off the screen: ${say}`);
    if (!phone && (r.bottom > L.bottom + 1 || r.right > L.right + 1)) out.push(`outside the lesson strip: ${say}`);
  }
  if (!phone && strip.scrollHeight > strip.clientHeight + 1) {
    out.push(`the lesson strip scrolls: ${strip.scrollHeight} px of text in ${strip.clientHeight} px`);
  }
  const raw = document.body.innerText.match(/⟦[^⟧]*⟧/g);
  if (raw) out.push(`raw keys: ${raw}`);
  return out;
}"""

# On a phone the presenter's selection is the card in view, whatever was scrolled before.
IN_VIEW = """(pid) => {
  const c = document.getElementById('canvas');
  const card = document.querySelector(`#diagram .card[data-pid="${pid}"]`);
  if (!card || ptlab.controls.selection.pid !== pid) return false;
  const y = Number(card.dataset.y);
  return y >= c.scrollTop - 1 && y + 60 <= c.scrollTop + c.clientHeight;
}"""


def _lang(page: Any, lang: str) -> None:
    if page.evaluate("document.documentElement.lang") != lang:
        page.evaluate("document.getElementById('lang').click()")
        page.wait_for_function(f"document.documentElement.lang === '{lang}'")
    drawn(page)  # in it, and at the size just set
    # what is measured next is the picture in that language, not the last one's
    hangul = page.evaluate(
        "document.querySelector('#diagram .card') ? /[\uac00-\ud7a3]/.test(document.getElementById('diagram').textContent) : null"
    )
    assert hangul in (None, lang == "ko"), f"the cards are not yet in {lang}"


def _problems(page: Any, where: str) -> list[str]:
    return [f"{where}: {p}" for p in page.evaluate(PROBLEMS)]


def _at_scene(page: Any, index: int, who: str, lab: LabServer) -> None:
    """Wait until the page shows scene ``index`` with nothing pending; else say where each side is."""
    try:
        page.wait_for_function(f"ptlab.state.lesson?.scene.index === {index}", timeout=20_000)
        page.wait_for_function("!ptlab.state.lesson.busy", timeout=30_000)
    except Exception as exc:
        shown = page.evaluate(
            "({scene: ptlab.state.lesson?.scene?.index, busy: ptlab.state.lesson?.busy,"
            " conn: document.querySelector('#conn')?.dataset.status, seq: ptlab.state.seq,"
            " toasts: [...document.querySelectorAll('.toast')].map((e) => e.textContent),"
            " focus: document.activeElement?.outerHTML.slice(0, 80)})"
        )
        lesson = lab.get("/api/lesson")["lesson"] or {}
        server = {"scene": lesson.get("scene", {}).get("index"), "busy": lesson.get("busy")}
        raise AssertionError(f"{who}: the page shows {shown}, the server {server}") from exc


def _step_to_the_end(teacher: Any, pid: int) -> None:
    """Step the scene's threads with the keys, taking turns (1, 2, 1, 2…: the race loses an update,
    the deadlock happens), until every thread has finished or all are stuck."""
    turn = 1
    for _ in range(60):
        run = teacher.evaluate(f"ptlab.state.processes.get({pid})?.stepped ?? null")
        movable = [t["index"] for t in run["threads"] if t["next"] != "done" and not t["waiting"]]
        if not movable:
            return
        key = turn if turn in movable else movable[0]
        turn = 2 if key == 1 else 1
        step(teacher, pid, str(key))
    raise AssertionError("the stepped threads did not finish in 60 steps")


def test_the_whole_lesson_fits_speaks_both_languages_and_phones_follow(browser, lab: LabServer) -> None:
    mine = lab.spawn()  # the presenter's own process from before the lesson: set aside meanwhile
    lab.thread(mine, "idle")
    problems: list[str] = []
    with ExitStack() as stack:
        teacher = stack.enter_context(opened(browser, lab, True, (1280, 720)))
        students = {
            "laptop 1280×720 en": stack.enter_context(opened(browser, lab, False, (1280, 720))),
            "laptop 1920×1080 ko": stack.enter_context(opened(browser, lab, False, (1920, 1080))),
            "phone 390×844 ko": stack.enter_context(opened(browser, lab, False, (390, 844))),
        }
        for name, page in students.items():
            _lang(page, name[-2:])
        everyone = [teacher, *students.values()]
        teacher.keyboard.press("g")
        scenes = None
        index = 0
        while True:
            for name, page in [("presenter", teacher), *students.items()]:
                _at_scene(page, index, f"{name}, scene {index}", lab)
            lesson = lab.get("/api/lesson")["lesson"]
            scenes = scenes or lesson["scenes"]
            scene, pids = lesson["scene"]["id"], lesson["scene"]["pids"]
            assert lesson["aside"] == [mine], lesson["aside"]
            # the scene owns the stage: its processes drawn whole, the presenter's own set aside
            for page in everyone:
                page.wait_for_function(
                    f"{pids}.every(pid => document.querySelector(`#diagram .card[data-pid='${{pid}}']:not(.mini)`))",
                    timeout=10_000,
                )
                assert page.locator(f"#diagram .card[data-pid='{mine}']").count() == 0, scene
            if lesson["scene"]["kind"] == "stepped":
                _step_to_the_end(teacher, pids[0])
            if teacher.locator(".lesson .reveal").count():
                teacher.keyboard.press("v")
                teacher.wait_for_selector(".lesson .measured", timeout=60_000)
                for page in students.values():
                    page.wait_for_selector(".lesson .measured", timeout=10_000)
            if pids:
                students["phone 390×844 ko"].wait_for_function(IN_VIEW, arg=pids[0], timeout=5_000)
            for name, page in students.items():
                problems += _problems(page, f"{scene}, {name}")
            # both projectors in both languages, in an order that switches the language once each way
            for size, lang in (
                ((1280, 720), "en"),
                ((1920, 1080), "en"),
                ((1920, 1080), "ko"),
                ((1280, 720), "ko"),
            ):
                if teacher.viewport_size != {"width": size[0], "height": size[1]}:
                    teacher.set_viewport_size({"width": size[0], "height": size[1]})
                _lang(teacher, lang)
                problems += _problems(teacher, f"{scene}, presenter {size[0]}×{size[1]} {lang}")
            # presentation mode: everything 1.25× larger, at the smaller projector
            teacher.keyboard.press("Shift+F")
            teacher.wait_for_function("document.body.classList.contains('present')")
            settle(teacher)  # the cards glided to their larger places
            problems += _problems(teacher, f"{scene}, presentation mode 1280×720 ko")
            teacher.keyboard.press("Shift+F")
            _lang(teacher, "en")
            if scene == "deadlock":
                teacher.click(".stop-deadlock")
            index += 1
            if index == len(scenes):
                break
            teacher.keyboard.press("ArrowRight")
        assert problems == [], "\n".join(problems)
        teacher.keyboard.press("g")
        # the lesson over, the presenter's own process is back on every screen
        for page in everyone:
            page.wait_for_selector(f"#diagram .card[data-pid='{mine}']", timeout=10_000)
        for page in everyone:
            assert page.errors == []
