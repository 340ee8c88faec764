"""Every key the page can ask for exists in both languages: a Korean page never falls back to English
(or to a raw ⟦key⟧) because one string was forgotten."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from app.control.errors import ERROR_CODES
from app.lab.activities import ACTIVITIES, OTHER_ACTIVITIES
from app.lesson.reveals import NOTES, RATIOS
from app.protocol import EventKind, IpcKind, RegionView

ROOT = Path(__file__).resolve().parent.parent
I18N = (ROOT / "static" / "js" / "i18n.js").read_text()
KEY = re.compile(r'^    "([^"]+)":', re.M)


def _table(lang: str) -> set[str]:
    start = I18N.index(f"\n  {lang}: {{")
    end = I18N.index("\n  },", start) if "\n  }," in I18N[start:] else I18N.index("\n};", start)
    return set(KEY.findall(I18N[start:end]))


EN, KO = _table("en"), _table("ko")
NAMESPACES = {k.split(".")[0] for k in EN | KO}

# The families the page builds a key for at run time (t(`activity.${a}`) …), with every value the
# server can send: the wire format's own lists, so a new value without words fails here.
FAMILIES = {
    "activity": ACTIVITIES + OTHER_ACTIVITIES,
    "cap": get_args(EventKind),
    "tm.kind": get_args(EventKind),
    "ipc": get_args(IpcKind),
    "kind": get_args(RegionView.model_fields["kind"].annotation),
    "state": ("R", "S", "D", "Z", "T", "t", "I", "X"),
    "err.code": ERROR_CODES,
    "fig": ("actual", "expected", "lost", "delta", "cores", "bytes", "counter", *(r[0] for r in RATIOS)),
    "reveal.note": tuple(NOTES),
    "lesson.busy_": ("setup", "reveal"),
    "role": ("presenter", "viewer"),
    "conn": ("connecting", "live"),
}


def _literal_keys() -> set[str]:
    """Every string in the page's code that names a key: t("…"), data-i18n="…", a key chosen by a ternary."""
    found = set()
    for path in [*(ROOT / "static" / "js").rglob("*.js"), ROOT / "templates" / "index.html"]:
        text = path.read_text()
        for m in re.finditer(r'"([a-z][a-z0-9_]*(?:\.[a-zA-Z0-9_-]+)+)"', text):
            if m.group(1).split(".")[0] in NAMESPACES and not m.group(1).endswith(".js"):
                found.add(m.group(1))
    return found - {"ptlab.lang", "ptlab.theme", "ptlab.explore"}  # localStorage names, not strings


def test_both_languages_have_the_same_keys() -> None:
    assert sorted(EN - KO) == [] and sorted(KO - EN) == []


def test_every_key_named_in_the_page_exists_in_both_languages() -> None:
    keys = _literal_keys()
    assert len(keys) > 150  # the scan found the page's strings
    assert sorted(k for k in keys if k not in EN or k not in KO) == []


def test_every_key_the_page_builds_from_a_server_value_exists_in_both_languages() -> None:
    missing = []
    for family, values in FAMILIES.items():
        sep = "" if family.endswith("_") else "."
        keys = [f"{family}{sep}{v}" for v in values]
        missing += [k for k in keys if k not in EN or k not in KO]
    assert missing == []
