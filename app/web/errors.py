"""Every refusal in one shape, ``{error, message}``, and the one table of error code → HTTP status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..control.errors import LabError
from .auth import AuthError

STATUS: dict[str, int] = {
    "not_found": 404,
    "not_running": 409,
    "not_finished": 409,
    "cap_reached": 409,
    "busy": 409,
    "queue_full": 503,
    "read_only": 409,
    "no_lab": 503,
    "closed": 409,
    "syntax_error": 422,
    "full": 409,
    "too_many_voters": 409,
    "no_voter": 409,
    "main_thread": 409,
    "experiment": 409,
    "invalid_request": 422,
    "start_failed": 500,
    "timeout": 504,
    "process_gone": 409,
    "worker_refused": 409,
    "experiment_failed": 409,
    "measurement_failed": 500,
    "ipc_failed": 504,
    # from the web layer itself
    "unauthorized": 401,
    "forbidden": 403,
    "rate_limited": 429,
    "locked": 429,
    "too_large": 413,
}


class WebError(Exception):
    """A refusal by the web layer itself (rate limit), in the same shape as a LabError."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def status_of(code: str) -> int:
    """The HTTP status for an error code."""
    return STATUS.get(code, 400)


def retry_after(seconds: int) -> dict[str, str] | None:
    """The ``Retry-After`` header of a refusal that says when to try again (none for 0)."""
    return {"Retry-After": str(seconds)} if seconds else None


def body(
    code: str, message: str, status: int | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one error response shape."""
    return JSONResponse(
        {"error": code, "message": message}, status_code=status or status_of(code), headers=headers
    )


def describe_validation(errors: list[Any]) -> str:
    """Up to three validation errors as ``where: what``."""
    parts = []
    for e in errors[:3]:
        where = ".".join(str(p) for p in e.get("loc", ())) or "message"
        parts.append(f"{where}: {str(e.get('msg')).removeprefix('Value error, ')}")
    return "; ".join(parts)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every refusal into ``{error, message}``."""

    @app.exception_handler(LabError)
    async def lab_error(_: Request, exc: LabError) -> JSONResponse:
        return body(exc.code, exc.message, headers=retry_after(exc.retry_after))

    @app.exception_handler(WebError)
    async def web_error(_: Request, exc: WebError) -> JSONResponse:
        return body(exc.code, exc.message)

    @app.exception_handler(AuthError)
    async def auth_error(_: Request, exc: AuthError) -> JSONResponse:
        return body(exc.code, exc.message, headers=retry_after(exc.retry_after))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own refusals (no such route, wrong method, unreadable body)
        # get the same shape as ours, saying what was asked.
        asked = f"{request.method} {request.url.path[:200]}"
        known = {
            404: ("not_found", f"nothing at {asked}"),
            405: ("method_not_allowed", f"{asked} is not allowed here"),
            400: ("bad_request", f"{asked}: {exc.detail}"),
            413: ("too_large", str(exc.detail)),
        }
        code, message = known.get(exc.status_code, ("http_error", f"{asked}: {exc.detail}"))
        return body(code, message, exc.status_code, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return body("invalid_request", describe_validation(list(exc.errors())))

    @app.exception_handler(ValidationError)
    async def invalid_model(_: Request, exc: ValidationError) -> JSONResponse:
        return body("invalid_request", describe_validation(list(exc.errors())))
