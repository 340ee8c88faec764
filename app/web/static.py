"""The page's own files as a classroom's Wi-Fi wants them: cached for good under a versioned path,
and every module in one file (the bundle) instead of found import by import.

Thirty phones joining on one access point each fetched 34 files one round trip after another, with
no Cache-Control: a second visit fetched them all again. Under ``/static/v/<version>/`` a file never
changes (the version is a hash of every file), so a browser may keep it for a year without asking;
plain ``/static/`` stays, revalidated on each use (ETag), for links from outside the page.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# A year, and never revalidated: the path changes whenever a file does.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Static imports of relative paths: `import x from "./a.js"`, `export { y } from "../b.js"`,
# `import "./c.js"`, over several lines too. The page has no dynamic import().
_IMPORT = re.compile(r"""\b(?:import|export)\b(?:[\w*\s{},$]*?\bfrom)?\s*["'](\.{1,2}/[^"']+)["']""")


# The body of a classic script that has ``imports`` (module_urls): it puts them in an import map
# and imports main.js. The bundle and the offline export both start the page with it. (Made into
# blob: URLs in the browser instead, the modules cost a phone 40-60 ms more: each Blob and each
# object URL is a round trip to the browser's own process; joined and escaped there, 25 ms more.)
MODULE_LOADER = """
  const map = document.createElement("script");
  map.type = "importmap";
  map.textContent = JSON.stringify({ imports });
  document.head.append(map);
  import("ptlab/static/js/main.js");
"""
BUNDLE = "js/bundle.js"
# A module is named ``ptlab/static/js/x.js`` in the import map: a bare name, which a data: URL's
# own imports can use (a path could not be resolved against it).
_NAME = "ptlab/static/"
# In a data: URL "%" would be decoded and "#" would end it, and URL parsing drops tabs and newlines
# (a line comment would then swallow the code after it); anything else may stay as it is.
_DATA_ESCAPES = str.maketrans({"%": "%25", "#": "%23", "\n": "%0A", "\r": "%0D", "\t": "%09"})


def module_urls(files: Mapping[str, bytes], graph: list[str]) -> dict[str, str]:
    """Each module of ``graph`` by its import-map name, as a data: URL whose imports of the page's
    own modules use those names."""
    urls = {}
    for path in graph:
        text, parts, at = files[path].decode(), [], 0
        for m in _IMPORT.finditer(text):
            dep = posixpath.normpath(posixpath.join(posixpath.dirname(path), m.group(1)))
            parts += [text[at : m.start(1)], _NAME + dep]
            at = m.end(1)
        code = "".join([*parts, text[at:]]).translate(_DATA_ESCAPES)
        urls[_NAME + path] = "data:text/javascript;charset=utf-8," + code
    return urls


def bundle(files: Mapping[str, bytes], graph: list[str]) -> bytes:
    """Every module of ``graph`` in one classic script that starts the page: one request instead of
    one per module (a phone's browser took ~0.3 s to take in 36 small files, even over loopback)."""
    text = json.dumps(module_urls(files, graph))
    return f"(() => {{\n  const imports = {text};\n{MODULE_LOADER}}})();\n".encode()


# The page's modules as esbuild bundles them (scripts/bundle.py), kept in the repository: one
# script to compile, where the data: URL bundle above is 36 module loads in the browser. A phone's
# first card came 0.25-0.33 s after it asked for the page instead of 0.34-0.45 s (benchmarks/run.py
# --only join, unthrottled). Served only while it is of the modules there now (its first line
# names them by BUILT_MARK and modules_hash): after a module is edited and until the script runs
# again, the data: URL bundle is served, made at start from the modules themselves.
BUILT = "bundled/page.js"
BUILT_MARK = "// ptlab page bundle of static/js"


def modules_hash(files: Mapping[str, bytes], graph: list[str]) -> str:
    """A short hash of the page's modules, names and contents, in the order main.js reaches them."""
    h = hashlib.sha256()
    for path in graph:
        h.update(path.encode() + b"\0" + files[path] + b"\0")
    return h.hexdigest()[:16]


def built_header(files: Mapping[str, bytes], graph: list[str]) -> bytes:
    """The first line of a bundle built from these modules."""
    return f"{BUILT_MARK} {modules_hash(files, graph)}; made by scripts/bundle.py\n".encode()


def prebuilt(files: Mapping[str, bytes], graph: list[str]) -> bytes | None:
    """The bundle scripts/bundle.py built, if it was built from these very modules; else None."""
    built = files.get(BUILT)
    if built is None or not built.startswith(built_header(files, graph)):
        return None
    return built


STYLE_BUNDLE = "css/page.css"


def stylesheet(files: Mapping[str, bytes], names: tuple[str, ...]) -> bytes:
    """The page's stylesheets (``css/NAME.css``) as one, in the order they cascade: one request
    instead of nine. It lives beside them in css/, so their relative font URLs hold."""
    return b"\n".join(b"/* %s.css */\n" % name.encode() + files[f"css/{name}.css"] for name in names)


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its path there (``js/main.js``), read once at start: the version,
    the module graph and the versioned mount are all made from it."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def static_version(files: Mapping[str, bytes]) -> str:
    """A short hash of every file, names and contents: it changes when any file does."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode())
        h.update(b"\0")
        h.update(files[name])
    return h.hexdigest()[:12]


def module_graph(files: Mapping[str, bytes], entry: str = "js/main.js") -> list[str]:
    """Every ES module ``entry`` imports, directly or through others, as paths among ``files``:
    entry first, then in the order they are found."""
    order: list[str] = []
    todo = [entry]
    while todo:
        rel = todo.pop(0)
        if rel in order:
            continue
        order.append(rel)
        for spec in _IMPORT.findall(files[rel].decode("utf-8")):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec))
            if target not in order:
                todo.append(target)
    return order


class CachedStatic(StaticFiles):
    """StaticFiles whose every answer says how long a browser may keep it."""

    def __init__(self, *, cache_control: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cache_control = cache_control

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        """The file (or a 304), with this mount's Cache-Control."""
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = self.cache_control
        return response


# Worth compressing: text. Fonts and images are compressed already.
_TEXT = ("text/", "application/json", "application/javascript", "image/svg+xml")


class PackedStatic(CachedStatic):
    """The versioned mount: every file read, and compressed once (gzip -9), when the server starts.

    A joining phone asks for the page's files at once; compressing each on every request, in the
    loop that also samples the lab, made the modules take 0.45 s to arrive over loopback. The files
    of one version never change, so they are kept in memory (about 600 KiB, 200 KiB of it packed).
    """

    def __init__(self, *, directory: str, files: Mapping[str, bytes], cache_control: str) -> None:
        super().__init__(directory=directory, cache_control=cache_control)
        self.files: dict[str, tuple[str, bytes, bytes | None]] = {}
        for name, data in files.items():
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind.startswith("text/"):
                kind += "; charset=utf-8"
            packed = gzip.compress(data, 9, mtime=0) if kind.startswith(_TEXT) and len(data) > 1000 else None
            self.files[name] = (kind, data, packed)

    async def get_response(self, path: str, scope: Scope) -> Response:
        """A kept file, packed for a client that accepts gzip; anything else as StaticFiles answers."""
        entry = self.files.get(Path(path).as_posix())
        if entry is None or scope["method"] not in ("GET", "HEAD"):
            return await super().get_response(path, scope)
        kind, data, packed = entry
        accepts = "gzip" in Headers(scope=scope).get("accept-encoding", "")
        body = packed if packed is not None and accepts else data
        headers = {"Cache-Control": self.cache_control, "Vary": "Accept-Encoding"}
        if body is packed:
            headers["Content-Encoding"] = "gzip"
        response = Response(b"" if scope["method"] == "HEAD" else body, media_type=kind, headers=headers)
        response.headers["content-length"] = str(len(body))
        return response
