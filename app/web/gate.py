"""What every HTTP request passes before its body is read: its size, and for control routes the token
and the per-address rate.

FastAPI reads and parses a route's body before it runs the route's
dependencies, so a token check written as a dependency comes after the
server has taken in whatever a client sent: twelve 128 MiB bodies without a
token once left the server at 3 GiB. This middleware decides first, from the
request line and headers alone. (FastAPI's own ``max_body_size`` counts bytes
too, but it runs after authentication could, and answers in plain text
rather than the one ``{error, message}`` shape.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import parse_qsl

from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import AuthError
from .errors import WebError, body, retry_after

# Control bodies are a few hundred bytes; 64 KiB is a hundred times more.
MAX_BODY = 64 * 1024
# Marks a request whose presenter token and rate were checked here, so the route's own
# dependency does not count it against the rate a second time.
PRESENTER_CHECKED = "ptlab.presenter_checked"


class BodyTooLarge(HTTPException):
    """413: a body over its route's limit, said by its Content-Length or found while it was read."""

    def __init__(self, scope: Scope, limit: int) -> None:
        asked = f"{scope['method']} {scope['path'][:200]}"
        super().__init__(413, f"{asked}: request bodies here are limited to {limit} bytes")


class RequestGate:
    """ASGI middleware: size, then token, then rate; only then may the route read the body.

    ``routes`` are the app's API routes; those that depend on ``presenter`` are
    control routes, and ``check`` raises AuthError or WebError for a request
    that may not control. ``limits`` maps a route's name to a body limit larger
    than MAX_BODY (code to run).
    """

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        presenter: Callable[..., object],
        check: Callable[[Scope, Headers, Mapping[str, str]], None],
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.check = check
        # (route, needs the presenter, its body limit), decided once
        self.routes = [
            (
                r,
                any(d.dependency is presenter for d in r.dependencies),
                (limits or {}).get(r.name, MAX_BODY),
            )
            for r in routes
            if isinstance(r, APIRoute)
        ]

    def _route(self, scope: Scope) -> tuple[bool, bool, int]:
        """Whether the request is for one of the routes, whether it controls, its body limit."""
        for route, control, limit in self.routes:
            if route.matches(scope)[0] is Match.FULL:
                return True, control, limit
        return False, False, MAX_BODY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        routed, control, limit = self._route(scope)
        headers = Headers(scope=scope)
        try:
            declared = int(headers.get("content-length", "0"))
        except ValueError:
            declared = 0  # uvicorn refuses a malformed Content-Length before we see it
        if declared > limit:
            refusal = body("too_large", str(BodyTooLarge(scope, limit).detail), 413)
        elif control:
            try:
                self.check(scope, headers, cookie_parser(headers.get("cookie", "")))
                scope[PRESENTER_CHECKED] = True
                refusal = None
            except AuthError as exc:
                refusal = body(exc.code, exc.message, headers=retry_after(exc.retry_after))
            except WebError as exc:
                refusal = body(exc.code, exc.message)
        else:
            refusal = None
        if refusal is None and routed and (twice := _repeated_key(scope)):
            # Starlette would take the last of them: ``?code=false&code=0`` must not pass as code=0
            message = f"query parameter {twice!r} is given more than once; give it once"
            refusal = body("invalid_request", message)
        if refusal is not None:
            # The body is never read: uvicorn discards it once this response is complete.
            await refusal(scope, receive, send)
            return
        await self.app(scope, _counting(scope, receive, limit), send)


def _repeated_key(scope: Scope) -> str | None:
    """The first query key given more than once (no route takes a list), else None."""
    raw: bytes = scope.get("query_string", b"")
    if b"&" not in raw:
        return None  # the common case: one key or none
    seen: set[str] = set()
    for key, _value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if key in seen:
            return key[:40]
        seen.add(key)
    return None


def _counting(scope: Scope, receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a body (sent without a Content-Length) at ``limit`` bytes."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(scope, limit)
        return message

    return counted
