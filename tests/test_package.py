"""ptlab as a package: the wheel carries the whole page, and an installed ptlab started from any
directory serves it (pip, pipx and uv tool install the same wheel)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from support import ROOT, TOKEN, LabServer, free_port, pid_alive

from app.lesson.loader import load_lesson

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_package_list_is_every_package_under_app() -> None:
    found = sorted(".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "app").rglob("__init__.py"))
    listed = PYPROJECT["tool"]["setuptools"]["packages"]
    assert sorted(p for p in listed if p not in ("app.static", "app.templates")) == found


def _pins(lines: list[str]) -> dict[str, str]:
    """name → version of requirement lines (``name==version ; marker``), names normalised."""
    pins = {}
    for line in lines:
        line = line.split(";")[0].strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def test_pip_installs_the_same_versions_as_uv() -> None:
    """constraints.txt (pip, the Dockerfile) and uv.lock (uv sync) pin every package alike."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {p["name"]: p["version"] for p in lock["package"] if p["name"] != "ptlab"}
    assert _pins((ROOT / "constraints.txt").read_text().splitlines()) == locked
    # the lock was made from this pyproject: every dependency named there is locked
    wanted = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"]
    names = {re.sub(r"[-_.]+", "-", re.split(r"[\[<>=]", w)[0].lower()) for w in wanted}
    assert names <= set(locked), names - set(locked)


def dockerfile_stages(text: str) -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (INSTRUCTION, arguments), continued lines joined."""
    stages: list[list[tuple[str, str]]] = []
    for line in re.sub(r"\\\n\s*", " ", text).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        op, _, args = line.partition(" ")
        if op.upper() == "FROM":
            stages.append([])
        stages[-1].append((op.upper(), args.strip()))
    return stages


STAGES = dockerfile_stages((ROOT / "Dockerfile").read_text())


def follow(stage: list[tuple[str, str]], root: Path, python: str, skip: tuple[str, ...] = ()) -> Path:
    """Carry out a stage's COPY and RUN steps with every absolute path moved under ``root`` and
    ``pip`` as ``python -m pip`` (no container engine here); the stage's WORKDIR at the end."""
    workdir = root

    def moved(text: str) -> str:
        return re.sub(r"(?<![\w.*-])/(?=[a-z])", f"{root}/", text)

    for op, args in stage:
        if op == "WORKDIR":
            workdir = Path(moved(args))
            workdir.mkdir(parents=True, exist_ok=True)
        elif op == "COPY":
            words = [w for w in args.split() if not w.startswith("--chown")]
            stage_from = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            *sources, dest = [w for w in words if not w.startswith("--from=")]
            target = Path(moved(dest)) if dest.startswith("/") else workdir / dest
            for source in sources:
                origin = Path(moved(source)) if stage_from else ROOT / source
                if origin.is_dir():
                    shutil.copytree(origin, target, dirs_exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(origin, target / origin.name if dest.endswith("/") else target)
        elif op == "RUN" and not args.startswith(skip):
            command = re.sub(r"(^|&&\s*)pip ", rf'\g<1>"{python}" -m pip ', moved(args))
            done = subprocess.run(
                ["bash", "-c", command], cwd=workdir, capture_output=True, text=True, timeout=300
            )
            if done.returncode != 0 and "Could not find a version" in done.stderr + done.stdout:
                pytest.skip("the build backend cannot be fetched (no package index here)")
            assert done.returncode == 0, (command, done.stderr)
    return workdir


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built by the Dockerfile's first stage, from this checkout."""
    root = tmp_path_factory.mktemp("wheel-stage")
    follow(STAGES[0], root, sys.executable)
    return next((root / "dist").glob("ptlab-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Path:
    """That wheel installed outside the checkout (its dependencies: the test venv's)."""
    site = wheel.parent.parent / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return site


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.read()


def test_an_installed_ptlab_serves_the_whole_page_from_any_directory(installed: Path, tmp_path: Path) -> None:
    assert (installed / "app" / "static" / "js" / "main.js").is_file()
    s = LabServer(env={"PYTHONPATH": str(installed)}, cwd=tmp_path).start()
    try:
        status, page = _get(s.url + "/")
        main = re.search(rb'<script defer src="(/static/v/\w+/js/bundle\.js)"', page)
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


def test_the_dockerfile_installs_the_wheel_and_runs_it_as_an_ordinary_user(
    browser, wheel: Path, tmp_path: Path
) -> None:
    """The image's steps, followed here: the wheel (not a checkout) installed with the tested pins
    in a fresh venv, an ordinary user, tini as PID 1, a server that refuses the network without a
    token, and with one a page that Chromium draws."""
    final = STAGES[-1]
    steps = dict(final)
    runs = [args for op, args in final if op == "RUN"]
    assert any("install" in r and "tini" in r for r in runs) and "/usr/bin/tini" in steps["ENTRYPOINT"]
    user = steps["USER"]
    assert user not in ("root", "0") and any(r.startswith("useradd") and r.endswith(f" {user}") for r in runs)
    install = next(r for r in runs if r.startswith("pip install"))
    assert "-c /tmp/constraints.txt" in install and ".whl" in install and " -e " not in install
    # the image's Python: a venv that borrows the test venv's packages, so pip finds the pins met
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    site = next((venv / "lib").glob("python3.*/site-packages"))
    (site / "borrowed.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n")
    # the first stage's /dist is this module's wheel
    (tmp_path / "dist").mkdir()
    shutil.copy(wheel, tmp_path / "dist")
    home = follow(final, tmp_path, str(venv / "bin" / "python"), skip=("apt-get", "useradd"))
    assert not (tmp_path / "tmp" / "dist").exists(), "the wheel is left in the image"
    ptlab = venv / "bin" / "ptlab"
    assert (site / "app" / "static" / "js" / "main.js").is_file() and ptlab.is_file()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PTLAB_")}
    env |= dict(re.findall(r"(\w+)=(\S+)", steps["ENV"]))
    command = json.loads(steps["CMD"])
    assert command == ["ptlab"]
    refused = subprocess.run([str(ptlab)], cwd=home, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "PTLAB_TOKEN" in refused.stderr, refused.stderr
    # with a token it serves; here on loopback, since tests bind nothing else
    env |= {"PTLAB_TOKEN": TOKEN, "PTLAB_HOST": "127.0.0.1", "PTLAB_PORT": str(free_port())}
    env["TMPDIR"] = str(tmp_path)  # its lab's private files, where this test can see them go
    pid = None
    server = subprocess.Popen([str(ptlab)], cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{env['PTLAB_PORT']}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, page = _get(url + "/")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, server.stderr.read().decode()
                time.sleep(0.1)
        assert status == 200 and b"bundle.js" in page
        assert _get(url + "/static/js/main.js")[0] == 200
        # the page itself, in Chromium: the installed wheel's bundle starts it and it draws a
        # lab process the installed server started
        request = urllib.request.Request(
            url + "/api/processes", method="POST", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            pid = json.loads(resp.read())["pid"]
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url + "/")
            page.wait_for_selector(f"#diagram .card[data-pid='{pid}']", timeout=15_000)
            assert errors == []
        finally:
            context.close()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    # the lab process it started ended with it, and took its files along
    assert pid is None or not pid_alive(pid)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("ptlab-")]
