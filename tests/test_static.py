"""The page's files over the wire: compressed, cached for good under a versioned path, all modules
announced at once (a real server, real HTTP)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from support import ROOT, LabServer

from app.web.static import BUILT, bundle, module_graph, prebuilt, read_tree, static_version

STATIC = ROOT / "static"


def fetch(server: LabServer, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One GET; the answer's headers by lower-case name."""
    req = urllib.request.Request(server.url + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def test_the_page_its_modules_and_its_state_travel_compressed_and_the_files_are_kept(lab: LabServer) -> None:
    lab.spawn()  # a state worth compressing
    status, headers, body = fetch(lab, "/", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    page = gzip.decompress(body).decode()
    prefix = re.search(r'<script defer src="(/static/v/\w+)/js/bundle\.js"', page)[1]
    assert 'type="module"' not in page  # the bundle starts the page: one request, not one per module
    # what it serves there is the bundle esbuild made of the modules as they are (kept up to date)
    status, headers, body = fetch(lab, f"{prefix}/js/bundle.js", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(body) == (STATIC / BUILT).read_bytes()
    for path in (f"{prefix}/js/main.js", f"{prefix}/css/base.css", f"{prefix}/vendor/lit-html/lit-html.js"):
        status, headers, body = fetch(lab, path, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip", (path, headers)
        assert headers["cache-control"] == "public, max-age=31536000, immutable", path
        assert gzip.decompress(body) == (STATIC / path.removeprefix(prefix + "/")).read_bytes()
    # a font is compressed already: sent as it is, and kept as long
    font = f"{prefix}/fonts/ptlab-hangul-400.woff2"
    status, headers, body = fetch(lab, font, **{"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers and "immutable" in headers["cache-control"]
    # the state a joining page reads is compressed too; a client that does not ask gets it plain
    status, headers, _ = fetch(lab, "/api/state", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    status, headers, body = fetch(lab, "/api/state")
    assert status == 200 and "content-encoding" not in headers and body.startswith(b"{")


def test_the_kept_bundle_is_of_the_modules_there_now_and_a_changed_module_is_not_served_stale() -> None:
    files = read_tree(STATIC)
    graph = module_graph(files)
    assert prebuilt(files, graph) == files[BUILT], "static/js changed since scripts/bundle.py: run it"
    assert {m for m in graph if m.startswith("js/")} == {
        p.relative_to(STATIC).as_posix() for p in (STATIC / "js").rglob("*.js")
    }, "a module of static/js that main.js never imports, or a graph that misses one"
    edited = {**files, "js/format.js": files["js/format.js"] + b"\n"}
    assert prebuilt(edited, graph) is None  # the server then makes the data: URL bundle below


def test_the_data_url_bundle_holds_every_module_each_split_at_its_imports() -> None:
    files = read_tree(STATIC)
    graph = module_graph(files)
    imports = json.loads(re.search(rb"const imports = (\{.*\});\n", bundle(files, graph))[1])
    assert list(imports) == [f"ptlab/static/{m}" for m in graph]
    for name, url in imports.items():
        scheme, data = url.split(",", 1)
        assert scheme == "data:text/javascript;charset=utf-8", name
        assert not re.search(r"[#\t\r\n]", data), name  # nothing a URL would end at or drop
        code = urllib.parse.unquote(data)
        text = (STATIC / name.removeprefix("ptlab/static/")).read_text()
        # its own text, each of its imports naming a module of the bundle
        deps = re.findall(r"""["'](ptlab/static/[^"']+)["']""", code)
        assert all(d in imports for d in deps), name
        mine = re.sub(r"""(["'])ptlab/static/[^"']+\.js\1""", r"\1\1", code)
        assert mine == re.sub(r"""(["'])\.{1,2}/[^"']+\.js\1""", r"\1\1", text), name


def test_the_kept_bundle_is_what_esbuild_builds_from_the_modules() -> None:
    if not (ROOT / "tools" / "bundle" / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("the pinned esbuild is not installed (scripts/test.sh installs it with npm ci)")
    check = [sys.executable, "scripts/bundle.py", "--check"]
    done = subprocess.run(check, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_plain_static_path_is_revalidated_and_answers_304_when_unchanged(lab: LabServer) -> None:
    status, headers, _ = fetch(lab, "/static/js/main.js")
    assert status == 200 and headers["cache-control"] == "no-cache" and headers.get("etag")
    status, _, body = fetch(lab, "/static/js/main.js", **{"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""
    # a path outside the versioned one that is not a file: 404, not the page
    assert fetch(lab, "/static/v/0000/js/main.js")[0] == 404


def test_the_version_changes_with_any_file_and_only_then(tmp_path: Path) -> None:
    copy = tmp_path / "static"
    shutil.copytree(STATIC, copy)
    before = static_version(read_tree(copy))
    assert static_version(read_tree(copy)) == before == static_version(read_tree(STATIC))
    (copy / "js" / "format.js").write_text((copy / "js" / "format.js").read_text() + "\n")
    assert static_version(read_tree(copy)) != before


def test_a_joiner_that_asks_gets_its_snapshot_packed_then_frames_as_text(lab: LabServer) -> None:
    import asyncio
    import json

    import websockets

    lab.thread(lab.spawn(), "count")  # frames keep coming

    async def first_two(url: str) -> list[str | bytes]:
        async with websockets.connect(url) as ws:
            return [await asyncio.wait_for(ws.recv(), 5) for _ in range(2)]

    packed = asyncio.run(first_two(lab.ws_url + "?gz=1"))
    plain = asyncio.run(first_two(lab.ws_url))
    assert isinstance(packed[0], bytes) and isinstance(plain[0], str)
    unpacked = json.loads(gzip.decompress(packed[0]))
    assert unpacked["type"] == "snapshot" and unpacked.keys() == json.loads(plain[0]).keys()
    assert len(packed[0]) * 4 < len(plain[0].encode())
    assert isinstance(packed[1], str) and json.loads(packed[1])["type"] == "frame"
