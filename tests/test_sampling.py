"""/proc stat and status parsing on recorded text, and on this very process."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from app.sampling import parse_ctxt, parse_stat, sample_process

REC = json.loads((Path(__file__).parent / "fixtures" / "worker_threads.json").read_text())


def test_parse_recorded_stat() -> None:
    st = parse_stat(REC["stat"])
    assert st.name == "ptlab-worker"
    assert st.state in "RSD"
    assert st.ppid > 1 and st.rss > 1_000_000 and 0 <= st.cpu < 1024


def test_parse_name_with_spaces_and_parens() -> None:
    text = REC["task_stat"].replace("(lab-busy)", "(we) ird )name)")
    assert parse_stat(text).name == "we) ird )name"
    assert parse_stat(text).utime == parse_stat(REC["task_stat"]).utime


def test_parse_ctxt() -> None:
    vol, invol = parse_ctxt(REC["task_status"])
    assert vol >= 0 and invol >= 0 and vol + invol > 0


def test_sample_this_process_sees_a_new_thread() -> None:
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        s = sample_process(os.getpid())
        assert s is not None
        tids = {th.tid for th in s.threads}
        assert os.getpid() in tids and t.native_id in tids
        assert "[stack]" in s.maps
    finally:
        stop.set()
        t.join()


def test_sample_missing_process_is_none() -> None:
    assert sample_process(2**22 + 5) is None
