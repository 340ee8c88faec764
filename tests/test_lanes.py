"""The CPU lanes' bookkeeping (kept as runs of still ticks) against the plain one it replaced:
a deque of (load, cpu) per thread, appended every tick."""

from __future__ import annotations

import random
from collections import deque

from app.observe.lanes import Lanes
from app.protocol import ProcessView, ThreadView


def _view(pid: int, threads: dict[int, tuple[float, int]]) -> ProcessView:
    # the lanes read a view's pid and its threads' tid, load and cpu: the rest is left out
    parts = [ThreadView.model_construct(tid=tid, load=load, cpu=cpu) for tid, (load, cpu) in threads.items()]
    return ProcessView.model_construct(pid=pid, threads=parts)


def test_runs_of_still_ticks_give_every_thread_the_lane_a_tick_by_tick_record_would() -> None:
    rng = random.Random(7)
    ticks = 25
    lanes = Lanes(ticks)
    reference: dict[int, tuple[deque[float], deque[int]]] = {}
    procs: dict[int, dict[int, tuple[float, int]]] = {100: {100: (0.0, 0)}, 200: {200: (0.5, 1)}}
    views = {pid: _view(pid, th) for pid, th in procs.items()}
    next_tid = 300
    for _ in range(400):
        for pid in list(procs):
            roll = rng.random()
            if roll < 0.6:
                continue  # still: the same view object as the tick before
            th = dict(procs[pid])
            if roll < 0.75:
                th[next_tid] = (rng.choice([0.0, 0.3, 1.0]), rng.randrange(2))
                next_tid += 1
            elif roll < 0.85 and len(th) > 1:
                del th[rng.choice([t for t in th if t != pid])]
            else:
                tid = rng.choice(list(th))
                th[tid] = (rng.choice([0.0, 0.3, 1.0]), rng.randrange(2))
            procs[pid] = th
            views[pid] = _view(pid, th)
        if rng.random() < 0.02:  # a process ends, another starts
            gone = rng.choice(list(procs))
            del procs[gone], views[gone]
            procs[next_tid] = {next_tid: (0.0, 0)}
            views[next_tid] = _view(next_tid, procs[next_tid])
            next_tid += 1
        lanes.record(dict(views))
        seen = set()
        for v in views.values():
            for t in v.threads:
                lane = reference.setdefault(t.tid, (deque(maxlen=ticks), deque(maxlen=ticks)))
                lane[0].append(t.load)
                lane[1].append(t.cpu)
                seen.add(t.tid)
        for tid in [tid for tid in reference if tid not in seen]:
            del reference[tid]
        for v in views.values():
            for t in lanes.process(v).threads:
                assert (t.history, t.history_cpus) == (list(reference[t.tid][0]), list(reference[t.tid][1]))
