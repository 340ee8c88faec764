"""Cut the Hangul the page uses out of Noto Sans CJK KR, so Korean shows offline.

Classroom machines without a Korean font (many Linux desktops, headless
browsers) would draw every Hangul syllable as a box. The page needs only a
few hundred syllables, so a subset of Noto Sans CJK KR (SIL Open Font
License) is served with it: about 100 KB per weight instead of 16 MB.

Run it again whenever a Korean string changes (a test checks coverage):

    apt-get install fonts-noto-cjk      # Debian: the source fonts
    .venv/bin/pip install 'fonttools[woff]'
    .venv/bin/python scripts/make_hangul_font.py
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "fonts"
SOURCES = Path("/usr/share/fonts/opentype/noto")
WEIGHTS = {400: "NotoSansCJK-Regular.ttc", 700: "NotoSansCJK-Bold.ttc"}
KR = "Noto Sans CJK KR"
# Jamo and the syllable block: what the subset must cover, and the CSS unicode-range.
HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7A3))


def is_hangul(ch: str) -> bool:
    """Whether a character lies in a Hangul block the bundled font is for."""
    return any(lo <= ord(ch) <= hi for lo, hi in HANGUL)


def used_hangul(root: Path = ROOT) -> set[str]:
    """Every Hangul character in the page's scripts and templates, and in the built-in lesson."""
    files = [
        *(root / "static").rglob("*.js"),
        *(root / "templates").rglob("*.html"),
        *(root / "app" / "lesson").glob("*.yaml"),
    ]
    # a directory may end in .js too (static/vendor/highlight.js)
    return {ch for f in files if f.is_file() for ch in f.read_text(encoding="utf-8") if is_hangul(ch)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, default=SOURCES, help="where the Noto Sans CJK .ttc files are")
    args = ap.parse_args()
    chars = used_hangul()
    OUT.mkdir(parents=True, exist_ok=True)
    for weight, name in WEIGHTS.items():
        collection = TTCollection(args.sources / name)
        font = next(f for f in collection.fonts if f["name"].getDebugName(1) == KR)
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]
        options.name_IDs = ["*"]  # keep the copyright and licence records
        options.notdef_outline = True
        sub = subset.Subsetter(options)
        sub.populate(text="".join(sorted(chars)))
        sub.subset(font)
        target = OUT / f"ptlab-hangul-{weight}.woff2"
        font.flavor = "woff2"
        font.save(target)
        print(f"{target.relative_to(ROOT)}: {len(chars)} characters, {target.stat().st_size // 1024} KiB")
    licence = Path("/usr/share/doc/fonts-noto-cjk/copyright")  # holds the OFL text
    if licence.exists():
        shutil.copy(licence, OUT / "LICENSE-NotoSansCJK.txt")


if __name__ == "__main__":
    main()
