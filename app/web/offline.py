"""One self-contained HTML file that replays a recording offline, with the page's own renderer.

The page, its stylesheet (fonts inlined), every ES module of ``static/`` and
the recording all go into one file: a student opens it from a USB stick or a
mail, with no server and no network. The modules stay as they are; a small
loader names each in an import map (a data: URL, its imports rewritten to its
dependencies' names), and starts ``main.js``, which finds the recording
and replays it as ``ptlab replay`` would.
"""

from __future__ import annotations

import base64
import json
import re

from jinja2 import Environment

from ..assets import STATIC
from .static import MODULE_LOADER, module_graph, module_urls, read_tree, stylesheet

# A classic script: the modules, from the JSON inside the page, started by the loader.
LOADER = (
    '(() => {\n  const imports = JSON.parse(document.getElementById("ptlab-modules").textContent);\n'
    + MODULE_LOADER
    + "})();\n"
)

_FONT = re.compile(r'url\("\.\./fonts/([\w.-]+\.woff2)"\)')
# The page's stylesheets, in the order they cascade: the page's frame first, then each panel's.
STYLESHEETS = ("base", "diagram", "overlays", "narrow", "join", "lanes", "timeline", "lesson", "code")


def _stylesheet(files: dict[str, bytes]) -> str:
    """The page's one stylesheet, as the server serves it, with its fonts inlined."""

    def inline(m: re.Match[str]) -> str:
        data = base64.b64encode(files[f"fonts/{m.group(1)}"]).decode()
        return f'url("data:font/woff2;base64,{data}")'

    return _FONT.sub(inline, stylesheet(files, STYLESHEETS).decode())


def _script_safe(text: str) -> str:
    # inside <script>, "</script" would end it early; "<\\/" means the same to JSON and JavaScript
    return text.replace("</", "<\\/")


def offline_html(env: Environment, recording: bytes) -> str:
    """The page, standing alone, replaying ``recording`` (a .ptlab file's bytes)."""
    # the modules travel inside the file, under the plain /static/ the loader knows them by
    page = env.get_template("index.html").render(
        presenter=False, token_error=False, stylesheets=(), static="/static", bundle=None, style_bundle=None
    )
    files = read_tree(STATIC)
    style = f"<style>{_stylesheet(files)}</style>"
    page = page.replace("</head>", f"{style}\n</head>", 1)
    modules = _script_safe(json.dumps(module_urls(files, module_graph(files))))
    scripts = (
        f'<script id="ptlab-modules" type="application/json">{modules}</script>\n'
        f'<script id="ptlab-recording" type="application/octet-stream">'
        f"{base64.b64encode(recording).decode()}</script>\n"
        f"<script>{LOADER}</script>"
    )
    tag = '<script type="module" src="/static/js/main.js"></script>'
    if tag not in page or style not in page:
        raise RuntimeError("templates/index.html changed: the offline page cannot be built from it")
    return page.replace(tag, scripts, 1)
