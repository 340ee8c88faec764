"""``python -m app``: the ``ptlab`` command (app/cli.py)."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
