"""Token checks and rate limits, in-process."""

from __future__ import annotations

import pytest

from app.settings import Settings
from app.web.auth import AuthError, RateLimit, RateLimits, check_token, origin_allowed

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
    ("origin", "allowed"),
    [
        (None, True),  # not a browser
        ("http://127.0.0.1:8000", True),  # our own page
        ("http://friend.example", True),  # allowed by the setting
        ("http://attacker.example", False),
    ],
)
def test_websocket_origins(origin: str | None, allowed: bool) -> None:
    headers = {"host": "127.0.0.1:8000"} | ({"origin": origin} if origin else {})
    assert origin_allowed(headers, "ws", SETTINGS) is allowed
