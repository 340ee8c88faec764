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


# Words the glossary (docs/glossary.md) retired from the Korean: each with the term that replaced it.
RETIRED = {
    "문맥 교환": "컨텍스트 스위칭 (the first use may add it in parentheses)",
    "경쟁 조건": "경쟁 상태",
    "갱신 손실": "업데이트 손실",
    "사라진 업데이트": "업데이트 손실",
    "형제 스레드": "이웃 스레드",
    "대화": "통신",
    "포크": "fork",
    "탐침": "프로브",
    "사건": "이벤트",
    "선생님": "발표자",
    "기대값": "기댓값",
    "색맹": "색각 이상자도 구별할 수 있는",
    "유닉스 소켓": "유닉스 도메인 소켓",
    "더 싸다": "더 가볍다",
    "프로세스 전환": "프로세스 (컨텍스트) 스위칭",
    "스레드 전환": "스레드 (컨텍스트) 스위칭",
}
# The one place a retired word may stand: in parentheses after the term that replaced it.
ALLOWED = ("컨텍스트 스위칭(문맥 교환)",)
# A particle whose form depends on the word before it (받침), written straight after a
# placeholder, or both forms at once: the helper ({pid:이/가}) chooses it from the value instead.
LOOSE_PARTICLE = re.compile(
    r"\}(?:이|가|은|는|을|를|과|와|으로|로)(?![가-힣])"  # right after a placeholder
    r"|이\(가\)|을\(를\)|은\(는\)|와\(과\)|\(으\)로"  # both forms at once
)


def _korean_texts() -> list[tuple[str, str]]:
    start = I18N.index("\n  ko: {")
    table = re.findall(r'^    "([^"]+)": "((?:[^"\\]|\\.)*)",', I18N[start:], re.M)
    lesson = (ROOT / "app" / "lesson" / "builtin.yaml").read_text()
    lines = enumerate(lesson.splitlines(), 1)
    return table + [(f"builtin.yaml:{i}", line) for i, line in lines if "ko:" in line]


def test_the_korean_uses_the_glossarys_terms() -> None:
    found = []
    for key, text in _korean_texts():
        for allowed in ALLOWED:
            text = text.replace(allowed, "")
        found += [f"{key}: {word!r} (say {RETIRED[word]!r})" for word in RETIRED if word in text]
    assert found == []


def test_no_korean_particle_is_guessed_after_a_placeholder() -> None:
    loose = [f"{key}: {text}" for key, text in _korean_texts() if LOOSE_PARTICLE.search(text)]
    assert loose == []


def test_every_name_for_screen_readers_goes_through_the_table() -> None:
    page = (ROOT / "templates" / "index.html").read_text()
    tags = re.findall(r"<[a-z]+\b[^>]*\baria-label=[^>]*>", page)
    assert len(tags) >= 12
    loose = [tag for tag in tags if "data-i18n-label=" not in tag and "data-i18n-title=" not in tag]
    assert loose == []
    for key in re.findall(r'data-i18n-label="([^"]+)"', page):
        assert key in EN and key in KO, key
