"""The command line: every command's help, flags in any order, ``ptlab run`` in the terminal, doctor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import CHROMIUM, ROOT, TOKEN, LabServer, free_port

from app import __version__
from app.settings import Settings

COMMANDS = ["serve", "run", "replay", "relay", "doctor"]


def ptlab(*args: str, cwd: Path = ROOT, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m app ARGS`` with the tests' token, its stdout and stderr apart."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PTLAB_")}
    clean.update({"PTLAB_TOKEN": TOKEN, "PYTHONPATH": str(ROOT), **env})
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_every_command_has_help_in_plain_words_and_exits_0() -> None:
    top = ptlab("--help")
    assert top.returncode == 0, top.stderr
    for command in COMMANDS:
        assert command in top.stdout
    for command in ["", *COMMANDS]:
        shown = ptlab(*([command] if command else []), "--help")
        assert shown.returncode == 0 and shown.stdout.startswith("Usage: ptlab"), (command, shown.stderr)
        # no Python type names, no default said twice
        assert "tuple[" not in shown.stdout and "{bool" not in shown.stdout and "null" not in shown.stdout
        assert "(default:" not in shown.stdout and shown.stdout.count("[default:") >= 1
        if command in ("", "serve", "run", "replay", "relay"):
            for name in Settings.model_fields:  # each setting is a flag of each command that serves
                assert "--" + name.replace("_", "-") in shown.stdout, (command, name)
    assert "SCRIPT [ARGS]" in ptlab("run", "--help").stdout
    version = ptlab("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"ptlab {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "0", "replay", "missing.ptlab"],
        ["replay", "--port", "0", "missing.ptlab"],
        ["replay", "missing.ptlab", "--port", "0"],
        ["--port", "0", "run", "x.py"],
        ["--port", "0", "serve"],
        ["serve", "--port=0"],
    ],
)
def test_settings_flags_count_before_or_after_the_command(argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("print(1)\n")
    out = ptlab(*argv, cwd=tmp_path)
    assert out.returncode == 2 and "PTLAB_PORT must be 1..65535, got 0" in out.stderr, out.stderr


def test_a_relay_needs_redis_and_takes_no_token() -> None:
    alone = ptlab("relay", "--port", "1")
    assert alone.returncode == 2 and "--redis URL (or PTLAB_REDIS_URL)" in alone.stderr, alone.stderr
    for argv in (["relay", "--token", "x" * 16], ["--token-file", "/dev/null", "relay"]):
        out = ptlab(*argv, "--redis", "redis://127.0.0.1:1/0")
        assert out.returncode == 2 and "a relay takes no token" in out.stderr, (argv, out.stderr)
    bad = ptlab("relay", "--redis", "http://127.0.0.1:6379")
    assert bad.returncode == 2 and "PTLAB_REDIS_URL" in bad.stderr, bad.stderr


def test_a_syntax_error_is_one_short_message_and_no_server_starts(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("print('fine')\nx = (1,\n")
    out = ptlab("run", "broken.py", cwd=tmp_path, timeout=30)
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert lines[0] == '  File "broken.py", line 2' and lines[1].strip() == "x = (1,"
    assert lines[2].strip() == "^" and lines[3].startswith("SyntaxError:")
    assert len(lines) <= 6 and "Traceback" not in out.stderr
    assert "presenter URL" not in out.stderr + out.stdout and out.stdout == ""
    missing = ptlab("run", "nowhere.py", cwd=tmp_path, timeout=30)
    assert missing.returncode == 2 and "cannot read nowhere.py" in missing.stderr


def test_ptlab_run_echoes_the_script_and_exits_as_it_did(tmp_path: Path) -> None:
    (tmp_path / "job.py").write_text(
        "import sys, threading\n"
        "print('args', sys.argv[1:])\n"
        "open('made-here.txt', 'w').write('x')\n"  # runs from the directory ptlab was started in
        "t = threading.Thread(target=print, args=('from a thread',)); t.start(); t.join()\n"
        "def deep():\n"
        "    raise ValueError('boom')\n"
        "deep()\n"
    )
    port = str(free_port())
    out = ptlab("run", "--port", port, "--exit", "job.py", "one", "--two", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    # the script's words, in order, and its traceback with the user's own path
    assert out.stdout.startswith("args ['one', '--two']\nfrom a thread\nTraceback")
    assert f'File "{tmp_path / "job.py"}", line 6, in deep' in out.stdout and "ValueError: boom" in out.stdout
    assert "run-" not in out.stdout and (tmp_path / "made-here.txt").exists()
    # ptlab's own words go to stderr: the URL, then how the script ended; no access log
    assert "ptlab presenter URL" in out.stderr and "GET /" not in out.stderr + out.stdout
    assert out.stderr.strip().splitlines()[-1].startswith("ptlab: job.py exited with code 1 after ")
    killed = tmp_path / "killed.py"
    killed.write_text("import os, signal\nprint('going', flush=True)\nos.kill(os.getpid(), signal.SIGTERM)\n")
    out = ptlab("run", "--port", port, "--exit", "killed.py", cwd=tmp_path)
    assert out.returncode == 128 + 15 and out.stdout == "going\n"
    assert "killed.py was killed by SIGTERM" in out.stderr.splitlines()[-1]
    slow = tmp_path / "slow.py"
    slow.write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    out = ptlab("run", "--port", port, "--run-seconds", "2", "--exit", "slow.py", cwd=tmp_path)
    last = out.stderr.strip().splitlines()[-1]
    assert out.returncode != 0 and out.stdout == "started\n"
    assert "slow.py was stopped after" in last and "time limit reached: 2 s (PTLAB_RUN_SECONDS)" in last


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_the_code_panel_shows_the_script_ptlab_run_is_running(browser, tmp_path: Path) -> None:
    script = tmp_path / "mine.py"
    script.write_text(
        "import time\nMARK = 'written by the teacher'\nprint(MARK, flush=True)\ntime.sleep(30)\n"
    )
    s = LabServer(cwd=tmp_path, args=["run", "mine.py"]).start()
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        page = ctx.new_page()
        page.goto(s.url + f"/?token={s.token}")
        page.wait_for_selector("#conn[data-status=live]")
        page.keyboard.press("x")
        page.wait_for_function(
            "document.querySelector('.editor')?.textContent.includes('by the teacher')",
            timeout=10_000,
        )
        page.wait_for_function(
            "document.querySelector('.console')?.textContent.includes('by the teacher')",
            timeout=10_000,
        )
        assert page.input_value(".examples") == ""
        body = s.get("/api/runs")
        assert body["code"] == script.read_text() and body["run"]["name"] == "mine.py"
        ctx.close()
    finally:
        s.stop()
    assert not s.leftovers()
    # ended by the server stopping: ptlab exits as the script did (killed), not of the signal it got
    assert s.proc is not None and s.proc.returncode == 128 + 9, s.proc.returncode
    last = s.log_path.read_text().strip().splitlines()[-1] if s.log_path else ""
    assert "mine.py was stopped after" in last and "the server stopped (exit status 137)" in last


def test_doctor_says_what_this_machine_allows() -> None:
    out = ptlab("doctor", "--json", "--port", "8123")
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    topics = {f["topic"]: f for f in found["findings"]}
    assert set(topics) >= {
        "kernel",
        "user",
        "frames",
        "registers",
        "runs",
        "cgroup",
        "perf",
        "cpus",
        "network",
    }
    assert all(f["verdict"] in ("ok", "limited", "missing", "info") and f["says"] for f in topics.values())
    # what it says agrees with what the server would find
    from app.control.runs import isolation
    from app.observe.sampling import frames_readable

    assert (topics["frames"]["verdict"] == "ok") == frames_readable()
    assert (topics["runs"]["verdict"] == "ok") == isolation().namespaces
    assert f"{len(os.sched_getaffinity(0))} CPU" in topics["cpus"]["says"]
    assert ":8123/" in topics["network"]["says"] or "no network address" in topics["network"]["says"]
    text = ptlab("doctor")
    assert text.returncode == 0 and "registers" in text.stdout and "✓" in text.stdout
