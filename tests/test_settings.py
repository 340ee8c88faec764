"""Settings: one pydantic-settings model, environment then flags, bounds and the loopback rule."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import settings_from
from app.settings import Settings, SettingsError, env_name, load

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PTLAB_ variable of the machine leaks into these tests."""
    import os

    for k in [k for k in os.environ if k.startswith("PTLAB_")]:
        monkeypatch.delenv(k)


def test_defaults_are_safe_and_a_token_is_generated() -> None:
    s = settings_from([])
    assert s.host == "127.0.0.1" and s.port == 8000
    assert s.token_generated and len(s.token) >= 20


def test_environment_is_read_with_the_ptlab_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTLAB_MAX_PROCESSES", "7")
    monkeypatch.setenv("PTLAB_ALLOWED_ORIGINS", "http://a.example, http://b.example,")
    monkeypatch.setenv("PTLAB_VIEWERS", "off")
    s = load()
    assert s.max_processes == 7
    assert s.allowed_origins == ("http://a.example", "http://b.example")
    assert s.viewers is False


def test_flags_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTLAB_HZ", "4")
    s = settings_from(["--hz", "2", "--worker-nice", "9", "--token", "a-secret-of-mine"])
    assert s.hz == 2 and s.worker_nice == 9
    assert s.token == "a-secret-of-mine" and not s.token_generated


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--worker-nice", "25"], "PTLAB_WORKER_NICE must be 0..19, got 25"),
        (["--port", "0"], "PTLAB_PORT must be 1..65535, got 0"),
        (["--hz", "fast"], "PTLAB_HZ='fast' is not valid"),
        (["--token", "short"], "PTLAB_TOKEN must be at least 8 characters"),
        (["--log-level", "loud"], "PTLAB_LOG_LEVEL='loud' is not valid"),
    ],
)
def test_bad_values_are_refused_by_name(argv: list[str], says: str) -> None:
    with pytest.raises(SettingsError) as err:
        settings_from(argv)
    assert says in str(err.value)


def test_a_public_address_needs_a_token_of_its_own() -> None:
    with pytest.raises(SettingsError, match="PTLAB_TOKEN"):
        settings_from(["--host", "0.0.0.0"])
    assert settings_from(["--host", "0.0.0.0", "--token", "a-secret-of-mine"]).host == "0.0.0.0"


def test_settings_are_frozen() -> None:
    s = Settings(token="x" * 12)
    with pytest.raises(ValueError):
        s.port = 1  # type: ignore[misc]


def _readme_rows() -> dict[str, tuple[str, str]]:
    text = README.read_text()
    rows = {}
    for m in re.finditer(r"^\| `(PTLAB_\w+)` \| `(--[\w-]+)` \| ([^|]+) \|", text, re.M):
        rows[m.group(1)] = (m.group(2), m.group(3).strip())
    return rows


def _shown(default: object) -> str:
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, float) and default.is_integer():
        return f"`{int(default)}`"
    if default in ("", ()):
        return "(none)"
    return f"`{default}`"


def test_readme_settings_table_matches_the_model() -> None:
    rows = _readme_rows()
    assert set(rows) == {env_name(f) for f in Settings.model_fields}
    for field, info in Settings.model_fields.items():
        flag, default = rows[env_name(field)]
        assert flag == "--" + field.replace("_", "-")
        expected = "(generated)" if field == "token" else _shown(info.default)
        assert default == expected, (field, default, expected)


def test_the_token_can_come_from_a_file_and_a_bad_file_is_named(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("a-secret-from-a-file\nsecond line ignored\n")
    assert settings_from(["--token-file", str(secret)]).token == "a-secret-from-a-file"
    both = settings_from(["--token-file", str(secret), "--token", "the-flag-wins-1"])
    assert both.token == "the-flag-wins-1"
    (tmp_path / "empty").write_text("\n")
    for path, says in ((tmp_path / "empty", "is empty"), (tmp_path / "missing", "cannot be read")):
        with pytest.raises(SettingsError, match=says):
            settings_from(["--token-file", str(path)])


def test_a_token_on_the_command_line_is_warned_about() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "app", "--token", "a-secret-of-mine", "--lesson", "/nonexistent/lesson.yaml"],
        cwd=README.parent,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 2 and "/proc/PID/cmdline" in run.stderr and "--token-file" in run.stderr
