"""The ASGI application: ``uvicorn app.main:app``."""

from __future__ import annotations

from fastapi import FastAPI

from .settings import load
from .web.app import create_app

__all__ = ["create_app"]  # and ``app``, built on first use below

_app: FastAPI | None = None


def __getattr__(name: str) -> FastAPI:
    # ``app`` is built on first use, so importing this module (as ``python -m
    # app`` does) never reads the environment twice or fails on it.
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        _app = create_app(load())
    return _app
