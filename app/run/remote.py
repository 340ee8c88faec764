"""``ptlab run --server URL script.py``: run a program on a ptlab server that is already running."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from typing import Any

POLL_S = 0.5


def _call(url: str, method: str, token: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def run_remote(server: str, code: str, name: str, args: list[str]) -> int:
    """Start the run there, print what it prints, and return its exit code (2: it could not start)."""
    token = os.environ.get("PTLAB_TOKEN", "")
    if not token:
        print("ptlab: set PTLAB_TOKEN to the server's presenter token", file=sys.stderr)
        return 2
    base = server.rstrip("/")
    try:
        run = _call(f"{base}/api/runs", "POST", token, {"code": code, "name": name, "args": args})["run"]
    except urllib.error.HTTPError as exc:
        print(f"ptlab: {base} refused the run: {exc.read().decode(errors='replace')}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"ptlab: cannot reach {base}: {exc}", file=sys.stderr)
        return 2
    print(f"ptlab: run {run['id']} started as process {run['pid']}; watch it at {base}/", file=sys.stderr)
    shown = 0
    try:
        while True:
            run = _call(f"{base}/api/runs", "GET", token)["run"]
            total = run["console_bytes"]
            if total > shown:
                # the console keeps the end: print what is new, as far as it still holds it
                kept = run["console"].encode()
                sys.stdout.write(kept[-min(total - shown, len(kept)) :].decode(errors="replace"))
                sys.stdout.flush()
                shown = total
            if run["status"] == "exited":
                break
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        _call(f"{base}/api/runs", "DELETE", token)
        return 130
    if run.get("reason"):
        print(f"ptlab: {run['reason']}", file=sys.stderr)
    code_ = run.get("exit_code")
    return 1 if code_ is None else (code_ if code_ >= 0 else 128 - code_)
