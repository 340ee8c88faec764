"""Token checks and rate limits, in-process."""

from __future__ import annotations

import pytest

from app.settings import Settings
from app.web.auth import AuthError, Lockout, RateLimit, RateLimits, check_token, origin_allowed
from app.web.hosts import allowed_hosts, split_host

SETTINGS = Settings(token="the-right-token", allowed_origins=("http://friend.example",))


def test_a_bucket_allows_its_burst_then_refuses() -> None:
    bucket = RateLimit(rate=1, burst=3)
    assert [bucket.allow(now=10.0) for _ in range(4)] == [True, True, True, False]


def test_a_bucket_refills_at_its_rate() -> None:
    bucket = RateLimit(rate=2, burst=2)
    assert bucket.allow(now=0.0) and bucket.allow(now=0.0) and not bucket.allow(now=0.0)
    assert bucket.allow(now=0.5)  # one token back after half a second at 2/s
    assert not bucket.allow(now=0.5)


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    bucket = RateLimit(rate=100, burst=2)
    bucket.allow(now=0.0)
    assert [bucket.allow(now=1000.0) for _ in range(3)] == [True, True, False]


def test_each_client_key_has_its_own_bucket() -> None:
    limits = RateLimits(rate=1, burst=1)
    assert limits.allow("a") and not limits.allow("a")
    assert limits.allow("b")


def test_the_number_of_buckets_is_bounded() -> None:
    limits = RateLimits(rate=1, burst=1, max_keys=10)
    for i in range(25):
        limits.allow(f"client-{i}")
    assert len(limits.buckets) <= 10


def test_no_token_is_unauthorized() -> None:
    with pytest.raises(AuthError) as err:
        check_token({}, {}, SETTINGS)
    assert err.value.code == "unauthorized"


def test_a_wrong_token_is_forbidden() -> None:
    with pytest.raises(AuthError) as err:
        check_token({"authorization": "Bearer nope"}, {}, SETTINGS)
    assert err.value.code == "forbidden"


def test_the_bearer_header_or_the_cookie_is_accepted() -> None:
    check_token({"authorization": "Bearer the-right-token"}, {}, SETTINGS)
    check_token({}, {"ptlab_token": "the-right-token"}, SETTINGS)


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (None, "127.0.0.1:8000", True),  # not a browser
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),  # our own page
        ("http://localhost:8000", "localhost:8000", True),
        ("http://friend.example", "127.0.0.1:8000", True),  # allowed by the setting
        ("http://attacker.example", "127.0.0.1:8000", False),
        # a rebinding page sends its own name as both Origin and Host: compared with our hosts, not with Host
        ("http://attacker.example:8000", "attacker.example:8000", False),
        ("http://127.0.0.1:9999", "127.0.0.1:8000", False),  # another local service's page
    ],
)
def test_websocket_origins(origin: str | None, host: str, allowed: bool) -> None:
    headers = {"host": host} | ({"origin": origin} if origin else {})
    assert origin_allowed(headers, SETTINGS, allowed_hosts(SETTINGS)) is allowed


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("Example.org:8000", ("example.org", 8000)),
        ("[::1]:80", ("::1", 80)),
        ("localhost", ("localhost", None)),
    ],
)
def test_host_headers_are_split_into_name_and_port(raw: str, parsed: tuple[str, int | None]) -> None:
    assert split_host(raw) == parsed


def test_a_few_wrong_tokens_are_free_then_each_doubles_the_wait() -> None:
    lock = Lockout()
    for _ in range(Lockout.FREE):
        lock.failed("a", now=100.0)
    assert lock.wait("a", now=100.0) == 0
    lock.failed("a", now=100.0)
    assert lock.wait("a", now=100.0) == 1.0
    lock.failed("a", now=101.0)
    assert lock.wait("a", now=101.0) == 2.0
    assert lock.wait("b", now=101.0) == 0  # another address is unaffected


def test_guesses_in_an_hour_from_one_address_are_bounded() -> None:
    lock, now, guesses = Lockout(), 0.0, 0
    while now < 3600:
        now += lock.wait("a", now=now)
        if now >= 3600:
            break
        lock.failed("a", now=now)
        guesses += 1
    assert guesses <= Lockout.FREE + 13


def test_the_right_token_forgets_an_address_and_a_quiet_hour_does_too() -> None:
    lock = Lockout()
    for _ in range(Lockout.FREE + 3):
        lock.failed("a", now=0.0)
    lock.succeeded("a")
    assert lock.wait("a", now=0.0) == 0
    for _ in range(Lockout.FREE + 3):
        lock.failed("b", now=0.0)
    assert lock.wait("b", now=Lockout.FORGET_AFTER + 1) == 0
