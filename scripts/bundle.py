"""Bundle the page's modules into static/bundled/page.js with esbuild, for phones to start fast.

The server serves this one script while it is of the modules in static/js (its first line says
which, by a hash); after a module changes, until this runs again, the server makes a slower
bundle of data: URLs at start and says so. Run it after changing anything under static/js:

    .venv/bin/python scripts/bundle.py           # npm installs the pinned esbuild the first time
    .venv/bin/python scripts/bundle.py --check   # exit 1 if the kept bundle is not what it builds

esbuild is pinned in tools/bundle (package.json and its lock); serving never needs Node.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.web.static import BUILT, built_header, module_graph, read_tree  # noqa: E402

TOOLS = ROOT / "tools" / "bundle"
ESBUILD = TOOLS / "node_modules" / ".bin" / "esbuild"
# iife: a classic script, as the page's <script defer> loads it; utf8 keeps the Korean as it is;
# whitespace only is minified (names stay as written, for a page error to be read): 83 -> 73 KB gzipped
OPTIONS = ["--bundle", "--format=iife", "--charset=utf8", "--minify-whitespace", "--legal-comments=eof"]
OPTIONS += ["--log-level=warning"]


def esbuild() -> Path:
    """The pinned esbuild, installed from the lock file if it is not there yet."""
    if not ESBUILD.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=TOOLS, check=True)
    return ESBUILD


def build() -> bytes:
    """The bundle of the modules static/js has now, headed by the line that names them."""
    static = ROOT / "static"
    files = read_tree(static)
    code = subprocess.run(
        [str(esbuild()), "js/main.js", *OPTIONS], cwd=static, check=True, capture_output=True
    ).stdout
    return built_header(files, module_graph(files)) + code


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only say whether the kept bundle is up to date")
    args = ap.parse_args()
    target = ROOT / "static" / BUILT
    fresh = build()
    if args.check:
        if target.exists() and target.read_bytes() == fresh:
            return 0
        print(f"{target.relative_to(ROOT)} is not what scripts/bundle.py builds: run it", file=sys.stderr)
        return 1
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(fresh)
    print(f"{target.relative_to(ROOT)}: {len(fresh) // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
