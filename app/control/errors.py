"""Refusals and failures of lab actions, named by code; the web layer decides what status each gets."""

from __future__ import annotations

from typing import Literal, get_args

ErrorCode = Literal[
    "not_found",
    "not_running",
    "cap_reached",
    "busy",
    "queue_full",
    "read_only",
    "main_thread",
    "experiment",
    "invalid_request",
    "start_failed",
    "timeout",
    "process_gone",
    "worker_refused",
    "experiment_failed",
    "measurement_failed",
    "ipc_failed",
    "not_finished",
    "no_lab",
]
ERROR_CODES: tuple[str, ...] = get_args(ErrorCode)


class LabError(Exception):
    """A refused or failed lab action: ``code`` says which kind, ``message`` says what was wrong."""

    def __init__(self, code: ErrorCode, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.retry_after = retry_after  # seconds after which trying again may succeed; 0: not said
