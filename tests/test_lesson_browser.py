"""A lesson played in Chromium: one presenter, three students voting from their own browsers."""

from __future__ import annotations

import os
import time
import urllib.request
from contextlib import ExitStack
from typing import Any

import pytest
from support import CHROMIUM, LabServer, opened, settle, step

pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def _scene(page: Any, scene: str) -> None:
    """Wait until the page shows ``scene`` with its lab set up (the lesson no longer busy)."""
    page.wait_for_selector(f".lesson-headline[data-scene={scene}]", timeout=15_000)
    page.wait_for_function("!ptlab.state.lesson?.busy", timeout=15_000)


def _tally(page: Any) -> dict[str, int]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.question .option')]
              .map(o => [o.dataset.option, Number(o.querySelector('.votes')?.dataset.votes ?? -1)]))"""
    )


def _health_ms(lab: LabServer) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(lab.url + "/api/health", timeout=5) as resp:
        assert resp.status == 200
    return 1000 * (time.perf_counter() - t0)


def test_a_lesson_with_three_students_voting(browser, lab: LabServer) -> None:
    with ExitStack() as stack:
        teacher = stack.enter_context(opened(browser, lab, presenter=True))
        students = [stack.enter_context(opened(browser, lab, False, (390, 844))) for _ in range(3)]
        teacher.keyboard.press("g")
        for page in (teacher, *students):
            _scene(page, "process")
        # the scene set up the real lab: one process, its main thread only
        state = lab.state()
        running = [p for p in state["processes"] if p["status"] == "running"]
        assert len(running) == 1 and [t["main"] for t in running[0]["threads"]] == [True]
        assert state["lesson"]["scene"]["pids"] == [running[0]["pid"]]

        teacher.keyboard.press("ArrowRight")
        for page in (teacher, *students):
            _scene(page, "fork")
        parent, child = lab.get("/api/lesson")["lesson"]["scene"]["pids"]
        assert lab.process(child)["parent"] == parent
        assert [t["activity"] for t in lab.process(parent)["threads"]] == ["main", "count"]

        # students see choices, not the tally (no herding); the teacher sees the tally
        assert students[0].locator(".option .votes").count() == 0
        students[0].click(".option[data-option=stays] button")
        students[1].click(".option[data-option=follows] button")
        students[2].click(".option[data-option=follows] button")
        students[2].click(".option[data-option=stays] button")  # changed their mind before the reveal
        students[2].wait_for_selector(".option[data-option=stays] button[aria-pressed=true]")
        teacher.wait_for_function(
            "document.querySelector('.option[data-option=stays] .votes')?.dataset.votes === '2'"
        )
        assert _tally(teacher) == {"follows": 1, "stays": 2}
        assert teacher.get_attribute(".question", "data-votes") == "3"
        students[0].wait_for_selector(".mine-line")

        # one student floods: 1 000 votes count once, and the server keeps answering
        flood = students[0].evaluate(
            """async () => {
              const all = [];
              for (let i = 0; i < 1000; i++) {
                all.push(ptlab.conn.vote('fork-counter', i % 2 ? 'stays' : 'follows'));
              }
              const out = await Promise.allSettled(all);
              return out.map(r => r.status === 'fulfilled' ? 'ok' : r.reason.code);
            }"""
        )
        # every one answered: a few counted (each replacing the last), the rest refused at once
        assert flood.count("ok") <= 10 and set(flood) <= {"ok", "rate_limited", "busy"}, set(flood)
        assert max(_health_ms(lab) for _ in range(5)) < 1000
        time.sleep(0.3)
        question = lab.get("/api/lesson")["lesson"]["scene"]["question"]
        assert question["votes"] == 3

        teacher.keyboard.press("v")
        teacher.wait_for_selector(".option[data-option=stays][data-correct=true]", timeout=15_000)
        for page in students:
            page.wait_for_selector(".option[data-option=stays].right", timeout=10_000)
        revealed = lab.get("/api/lesson")["lesson"]["scene"]["revealed"]
        assert revealed["experiment"] == "watch" and revealed["value"] == 0  # the child's counter stood still

        late = students[1].evaluate(
            "() => ptlab.conn.vote('fork-counter', 'stays').then(() => 'ok', e => [e.code, e.message])"
        )
        assert late[0] == "closed" and "revealed" in late[1]
        other = students[1].evaluate(
            "() => ptlab.conn.vote('race-survive', 5).then(() => 'ok', e => [e.code, e.message])"
        )
        assert other[0] == "closed" and "not open" in other[1]

        # the slow-motion race: A loads, B loads, A adds and stores, B adds and stores
        ids = lab.get("/api/lesson")["lesson"]["scenes"]
        for index in range(ids.index("fork") + 1, ids.index("slow-race") + 1):
            teacher.keyboard.press("ArrowRight")
            teacher.wait_for_function(f"ptlab.state.lesson.scene.index === {index}")
        for page in (teacher, students[0]):
            _scene(page, "slow-race")
        teacher.wait_for_selector(".step-thread[data-index='2'][data-next=load]")
        racing = lab.get("/api/lesson")["lesson"]["scene"]["pids"][0]
        for key in "121122":
            step(teacher, racing, key)
        students[0].wait_for_selector(".stepped[data-lost='1']", timeout=10_000)
        tmps = students[0].eval_on_selector_all(".step-thread", "els => els.map(e => e.dataset.tmp)")
        counter = int(students[0].get_attribute(".stepped", "data-counter"))
        assert tmps == [str(counter), str(counter)]  # both wrote the same value: one update lost
        # each tmp is drawn inside its own thread's stack slice on the card
        slices = teacher.eval_on_selector_all(".stack-slice[data-tmp]", "els => els.map(e => e.dataset.tmp)")
        assert slices == [str(counter), str(counter)]

        # the deadlock: each thread takes one lock, then waits for the other's; stopping the process ends it
        teacher.keyboard.press("ArrowRight")
        teacher.keyboard.press("ArrowRight")
        _scene(teacher, "deadlock")
        teacher.wait_for_selector(".step-thread[data-index='2'][data-next='acquire L2']")
        stuck = lab.get("/api/lesson")["lesson"]["scene"]["pids"][0]
        for key in "1212":
            step(teacher, stuck, key)
        students[1].wait_for_selector(".deadlock", timeout=10_000)
        waits = students[1].eval_on_selector_all(
            ".step-thread",
            "els => els.map(e => [e.dataset.state, e.querySelector('.step-wait')?.textContent])",
        )
        assert [w[0] for w in waits] == ["S", "S"] and all("L" in (w[1] or "") for w in waits), waits
        teacher.click(".stop-deadlock")
        teacher.wait_for_function(f"ptlab.state.processes.get({stuck})?.status !== 'running'", timeout=10_000)
        # the panel says the threads went with their process (no "blocked" thread of a gone process)
        teacher.wait_for_selector(".stepped[data-stopped=true]", timeout=5_000)
        assert teacher.locator(".step-thread").count() == 0

        teacher.keyboard.press("g")
        for page in students:
            page.wait_for_function("!document.body.classList.contains('lesson-open')")
        for page in (teacher, *students):
            assert page.errors == []


def _axe_serious(page: Any) -> list[tuple[str, str, str]]:
    axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
    result = axe_sync.Axe().run(page).response
    assert result["passes"], "axe ran no rule"
    return [
        (v["id"], v["impact"], v["help"])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _inside(page: Any, selector: str, container: str) -> bool:
    """Every element matching ``selector`` is drawn wholly inside ``container`` (not cut, not off screen)."""
    return page.evaluate(
        """([sel, box]) => {
          const c = document.querySelector(box).getBoundingClientRect();
          const els = [...document.querySelectorAll(sel)];
          return els.length > 0 && els.every(e => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.top >= c.top - 1 && r.bottom <= c.bottom + 1 && r.right <= innerWidth + 1;
          });
        }""",
        [selector, container],
    )


def test_a_stepped_scene_is_readable_and_accessible_on_the_projector_and_a_phone(
    browser, lab: LabServer
) -> None:
    ids = lab.control("POST", "/api/lesson/scenes/0", expect=200)["lesson"]["scenes"]
    lab.control("POST", f"/api/lesson/scenes/{ids.index('slow-race')}", expect=200)  # with its question
    with ExitStack() as stack:
        teacher = stack.enter_context(opened(browser, lab, presenter=True))
        student = stack.enter_context(opened(browser, lab, False, (390, 844)))
        # in English, then in Korean on the same pages once they switched language
        for lang in ("en", "ko"):
            for page in (teacher, student):
                if page.evaluate("document.documentElement.lang") != lang:
                    page.evaluate("document.getElementById('lang').click()")
                    page.wait_for_function(f"document.documentElement.lang === '{lang}'")
                page.wait_for_selector(".step-thread[data-index='2']", timeout=10_000)
            # the headline is the slide's title: at least 24 px on a 1280×720 projector
            font = "e => parseFloat(getComputedStyle(e).fontSize)"
            size = teacher.eval_on_selector(".lesson-headline", font)
            assert size >= 24, (lang, size)
            # what the class must read stays inside the lesson strip: the counter and each thread's tmp
            for sel in (".lesson-headline", ".step-counter", ".step-tmp", ".question .prompt", ".reveal"):
                assert _inside(teacher, sel, "#lesson"), (lang, sel)
            # a student's vote buttons are big enough to hit with a thumb
            heights = student.eval_on_selector_all(
                ".option .vote", "els => els.map(e => e.getBoundingClientRect().height)"
            )
            assert len(heights) == 3 and min(heights) >= 44, (lang, heights)
            assert student.evaluate("document.documentElement.scrollWidth <= innerWidth"), lang
            for page in (teacher, student):
                settle(page)  # the caption's flash over: its colours are the ones that stay
                assert _axe_serious(page) == [], lang
