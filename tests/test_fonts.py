"""The bundled Hangul subset covers every Korean character the page shows."""

from __future__ import annotations

import sys

import pytest
from fontTools.ttLib import TTFont
from support import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from make_hangul_font import OUT, WEIGHTS, is_hangul, used_hangul


def test_the_page_uses_hangul_at_all() -> None:
    # guards the next test against scanning nothing
    assert len(used_hangul()) > 100
    assert is_hangul("한") and not is_hangul("A")


@pytest.mark.parametrize("weight", sorted(WEIGHTS))
def test_every_hangul_character_of_the_page_is_in_the_bundled_font(weight: int) -> None:
    font = TTFont(OUT / f"ptlab-hangul-{weight}.woff2")
    cmap = font.getBestCmap()
    missing = sorted(ch for ch in used_hangul() if ord(ch) not in cmap)
    assert not missing, f"run scripts/make_hangul_font.py: {''.join(missing)} not in weight {weight}"
