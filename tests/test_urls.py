"""Student URLs from the machine's network addresses (psutil), printed at start on a public bind."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from app.web import urls


def fake_interfaces(monkeypatch: pytest.MonkeyPatch) -> None:
    def addr(family: int, address: str) -> SimpleNamespace:
        return SimpleNamespace(family=family, address=address)

    monkeypatch.setattr(
        urls.psutil,
        "net_if_addrs",
        lambda: {
            "lo": [addr(socket.AF_INET, "127.0.0.1"), addr(socket.AF_INET6, "::1")],
            "eth0": [addr(socket.AF_INET, "192.0.2.10"), addr(socket.AF_INET6, "fe80::1%eth0")],
            "wlan0": [addr(socket.AF_INET, "198.51.100.7"), addr(socket.AF_INET6, "2001:db8::7")],
        },
    )


def test_loopback_gives_no_student_url() -> None:
    assert urls.student_urls("127.0.0.1", 8000) == []


def test_a_wildcard_bind_lists_every_ipv4_address_but_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_interfaces(monkeypatch)
    got = urls.student_urls("0.0.0.0", 8123)
    assert got == ["http://192.0.2.10:8123/", "http://198.51.100.7:8123/"]


def test_an_ipv6_wildcard_adds_global_ipv6_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_interfaces(monkeypatch)
    got = urls.student_urls("::", 8000)
    assert "http://[2001:db8::7]:8000/" in got and not any("fe80" in u or "::1" in u for u in got)


def test_a_specific_address_is_the_only_url() -> None:
    assert urls.student_urls("192.0.2.10", 8000) == ["http://192.0.2.10:8000/"]
