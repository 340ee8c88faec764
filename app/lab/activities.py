"""What a lab thread can do: the one list every other place derives from.

Standard library only (the worker imports it). The wire format's ``Activity``,
the lesson file's thread list, the lesson runner, the worker and the page's
activity menu (templates/index.html, rendered from it) all read it here; each
needs an ``activity.<name>`` string in both languages of static/js/i18n.js
(a test checks).
"""

from __future__ import annotations

# In the order the page offers them.
ACTIVITIES = (
    "idle",  # sleeps
    "count",  # increments the process's counter four times a second
    "busy",  # a CPU-bound loop in Python: holds the GIL
    "gil-free",  # hashes a buffer in C with the GIL released: such threads really run at once
    "raise",  # raises an exception after a second: only that thread ends
)
# What a lesson's setup may ask a thread to do: all but ``raise``, which would not stay.
SETUP_ACTIVITIES = tuple(a for a in ACTIVITIES if a != "raise")
# What else a thread on the page may be doing (ThreadView.activity), none of them started by the
# activity menu: a process's main thread, an experiment's threads, a run's threads (its probe's
# own, and the user's), and a thread nobody started through ptlab.
OTHER_ACTIVITIES = (
    "main",
    "race",
    "shm",
    "costs",
    "response",
    "switch_sweep",
    "stepped",
    "user",
    "probe",
    "unknown",
)
# The OS name (/proc/PID/task/TID/comm) of the thread a run's probe adds to each Python process:
# ptlab's, not the program's, so not counted against the program's thread cap.
PROBE_NAME = "ptlab-probe"
# Measurements that run on a thread of a fresh lab process and report once, as a job: the module
# whose ``measure(stop)`` does it, by activity.
MEASUREMENTS = {
    "costs": "app.lab.costs",
    "response": "app.lab.response",
    "switch_sweep": "app.lab.switch_sweep",
}
