"""ptlab as a package: the wheel carries the whole page, and an installed ptlab started from any
directory serves it (pip, pipx and uv tool install the same wheel)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ROOT, TOKEN, LabServer, free_port

from app.lesson.loader import load_lesson

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_package_list_is_every_package_under_app() -> None:
    found = sorted(".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "app").rglob("__init__.py"))
    listed = PYPROJECT["tool"]["setuptools"]["packages"]
    assert sorted(p for p in listed if p not in ("app.static", "app.templates")) == found


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The wheel built from this checkout, installed outside it (its dependencies: the test venv's)."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0 and "Could not find a version" in built.stderr + built.stdout:
        pytest.skip("the build backend cannot be fetched (no package index here)")
    assert built.returncode == 0, built.stderr
    wheel = next(out.glob("ptlab-*.whl"))
    site = out / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    yield site


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.read()


def test_an_installed_ptlab_serves_the_whole_page_from_any_directory(installed: Path, tmp_path: Path) -> None:
    assert (installed / "app" / "static" / "js" / "main.js").is_file()
    s = LabServer(env={"PYTHONPATH": str(installed)}, cwd=tmp_path).start()
    try:
        status, page = _get(s.url + "/")
        main = re.search(rb'<script type="module" src="(/static/v/\w+/js/main\.js)"', page)
        assert status == 200 and main, page[-400:]
        for path in (main[1].decode(), "/static/css/base.css", "/static/fonts/ptlab-hangul-400.woff2"):
            assert _get(s.url + path)[0] == 200, path
        # the built-in lesson and the offline export, both read from the package
        built_in = [scene.id for scene in load_lesson(None).scenes]
        assert s.control("POST", "/api/lesson/scenes/0", expect=200)["lesson"]["scenes"] == built_in
        pid = s.get("/api/lesson")["lesson"]["scene"]["pids"][0]
        # its lab process runs the installed code, not this checkout's
        assert Path(os.readlink(f"/proc/{pid}/cwd")).is_relative_to(installed)
        status, html = _get(s.url + "/api/history/export.html")
        assert status == 200 and b"ptlab-recording" in html and b"--card" in html
        # a run of the class's code starts through the installed bootstrap
        s.control("POST", "/api/runs", {"code": "print('from the wheel')"}, expect=201)
        done = s.finished_run()
        assert done["exit_code"] == 0 and "from the wheel" in done["console"]
    finally:
        s.stop()
        assert not s.leftovers()


def test_the_installed_ptlab_command_speaks(installed: Path, tmp_path: Path) -> None:
    # the console script the wheel installs (pip --target puts it in bin/), run from elsewhere
    command = installed / "bin" / "ptlab"
    assert command.is_file()
    env = {**os.environ, "PYTHONPATH": str(installed)}
    for args in (["--version"], ["--help"], ["run", "--help"], ["doctor", "--help"]):
        out = subprocess.run(
            [str(command), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0 and out.stdout.startswith(("ptlab ", "Usage: ptlab")), (args, out.stderr)
    (tmp_path / "hello.py").write_text("print('hello from', __file__)\nraise SystemExit(4)\n")
    out = subprocess.run(
        [str(command), "run", "--port", str(free_port()), "--exit", "hello.py"],
        cwd=tmp_path,
        env={**env, "PTLAB_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 4 and out.stdout == f"hello from {tmp_path / 'hello.py'}\n", (
        out.stdout,
        out.stderr,
    )
