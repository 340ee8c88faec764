"""Arms ptlab's probe in every Python process of a run (this directory is on the run's PYTHONPATH).

Python imports ``sitecustomize`` at start-up, so processes that multiprocessing
starts with spawn or forkserver, and Python subprocesses, get the probe too.
Forked children are re-armed by the probe itself (os.register_at_fork).
"""

import os
import sys

if os.environ.get("PTLAB_RUN_SOCK"):
    try:
        from app.run import probe

        probe.install()
    except Exception as exc:  # the user's program runs anyway; the lab draws it from /proc alone
        print(f"ptlab: the probe could not start: {exc!r}", file=sys.stderr)
