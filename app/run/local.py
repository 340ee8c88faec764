"""``ptlab run script.py`` on this machine: the script read and compiled before any server starts,
then its output echoed to the terminal as it comes and a last line saying how it ended."""

from __future__ import annotations

import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TextIO

from ..control.runs import Script
from ..protocol import RunView


def read_script(path: Path, args: list[str], err: TextIO | None = None) -> Script:
    """The script, read and compiled; a file that cannot be read or compiled ends ptlab here,
    as ``python path`` would end (exit 2 and 1), before any server starts."""
    err = err or sys.stderr
    try:
        code = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"ptlab: cannot read {path}: {why}", file=err)
        raise SystemExit(2) from exc
    try:
        compile(code, str(path), "exec")
    except (SyntaxError, ValueError) as exc:
        # Python's own short form: file, line, the line itself and a caret
        err.write("".join(traceback.format_exception_only(exc)))
        print(f"ptlab: {path} was not run", file=err)
        raise SystemExit(1) from exc
    return Script(code=code, name=path.name, args=tuple(args), path=path.absolute(), cwd=Path.cwd())


def ending(run: RunView) -> tuple[str, int]:
    """The last line about a run, and the exit status ptlab then has (as a shell gives it)."""
    took = f"after {run.seconds:.1f} s"
    code = run.exit_code
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        status = 128 - code
        how = f"was killed by {name}"
    elif code is not None:
        status = code
        how = f"exited with code {code}"
    else:
        status, how = 1, "ended without an exit code"
    if run.reason and not run.reason.startswith("the program ended"):
        # ptlab stopped it: a limit, the presenter, or the server stopping
        status = status if code is not None else 1
        return f"ptlab: {run.name} was stopped {took}: {run.reason} (exit status {status})", status
    left = f"; {run.reason}" if run.reason else ""
    return f"ptlab: {run.name} {how} {took}{left}", status


class Terminal:
    """Echoes a run's output to this terminal and remembers how it ended."""

    def __init__(
        self,
        out: BinaryIO | None = None,
        err: TextIO | None = None,
        then: Callable[[int], None] | None = None,
    ) -> None:
        self.out = out or sys.stdout.buffer
        self.err = err or sys.stderr
        self.then = then  # given the status once the run is over: ``--exit`` stops the server
        self.status: int | None = None

    def output(self, data: bytes) -> None:
        """Write what the program printed, at once."""
        try:
            self.out.write(data)
            self.out.flush()
        except (OSError, ValueError):
            pass  # a closed terminal must not stop the run

    def ended(self, run: RunView) -> None:
        """Say how it ended, once."""
        self._last(*ending(run))

    def failed(self, message: str) -> None:
        """Say it never started (status 1, as Python for a script it cannot run)."""
        self._last(f"ptlab: {message}", 1)

    def _last(self, line: str, status: int) -> None:
        if self.status is not None:
            return
        self.status = status
        print(line, file=self.err, flush=True)
        if self.then is not None:
            self.then(status)
