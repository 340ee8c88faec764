"""Refresh the pictures in docs/: the projector at the caps, a student's phone, the Join overlay.

    .venv/bin/python scripts/screenshots.py

Starts a real server on a free loopback port with real lab processes, drives Debian's
Chromium, writes docs/dashboard.png, docs/lanes.png, docs/paused.png, docs/caps.png, docs/phone.png,
docs/join.png, docs/lesson.png and docs/lesson-phone.png.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import playwright.sync_api as pw_api  # noqa: E402
from support import CHROME_ARGS, CHROMIUM, LabServer  # noqa: E402

DOCS = ROOT / "docs"


def shoot(
    browser: object, server: LabServer, name: str, size: tuple[int, int], presenter: bool, then=None
) -> None:
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = ctx.new_page()
        page.goto(server.url + (f"/?token={server.token}" if presenter else "/"))
        page.wait_for_selector("#conn[data-status=live]")
        time.sleep(1.5)
        if then:
            then(page)
            page.mouse.move(1, size[1] - 1)  # no tooltip in the picture
            time.sleep(1.0)  # the cards glide to their new places
        page.screenshot(path=str(DOCS / name))
        print("wrote", DOCS / name)
    finally:
        ctx.close()


def main() -> None:
    s = LabServer(
        env={
            "PTLAB_MAX_PROCESSES": "16",
            "PTLAB_MAX_THREADS": "32",
            "PTLAB_PUBLIC_URL": "http://192.0.2.10:8000/",
        }
    ).start()
    try:
        with pw_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            a = s.spawn()
            for activity in ("count", "busy", "idle"):
                s.thread(a, activity)
            s.spawn()
            s.spawn(parent=a)
            shoot(browser, s, "dashboard.png", (1280, 720), True)
            g = s.spawn()
            for _ in range(2):
                s.thread(g, "gil-free")
            time.sleep(4)  # a few seconds of lanes
            lanes = lambda p: (p.keyboard.press("c"), time.sleep(2))  # noqa: E731
            shoot(browser, s, "lanes.png", (1280, 720), True, lanes)
            shoot(
                browser,
                s,
                "paused.png",
                (1280, 720),
                True,
                lambda p: (p.keyboard.press("k"), time.sleep(1), p.keyboard.press(","), time.sleep(1)),
            )
            s.request("DELETE", f"/api/processes/{g}", None, s.auth)
            for i in range(28):
                s.thread(a, "idle" if i else "count")
            for _ in range(13):
                s.spawn()
            shoot(browser, s, "caps.png", (1280, 720), True, lambda p: p.click(f".card[data-pid='{a}']"))
            shoot(browser, s, "phone.png", (390, 844), False)
            shoot(
                browser, s, "join.png", (1280, 720), True, lambda p: (p.keyboard.press("j"), time.sleep(0.5))
            )
            # lesson mode: the race in slow motion, both threads have read and written the same value
            s.reset()
            for _ in range(5):
                s.spawn()  # the presenter's own processes: set aside while the lesson runs
            s.control("POST", "/api/lesson/scenes/6")
            pid = s.get("/api/lesson")["lesson"]["scene"]["pids"][0]
            for thread in (1, 2, 1, 1, 2, 2):
                s.control("POST", f"/api/processes/{pid}/stepped/step", {"thread": thread})
            shoot(browser, s, "lesson.png", (1280, 720), True)
            s.control("POST", "/api/lesson/scenes/5")
            shoot(
                browser,
                s,
                "lesson-phone.png",
                (390, 844),
                False,
                lambda p: p.fill(".number-vote input", "70000"),
            )
            browser.close()
    finally:
        s.stop()


if __name__ == "__main__":
    main()
