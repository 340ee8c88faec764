"""View building, in-process: recorded /proc text joined with recorded worker reports."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from app.control.lab import LabProcess
from app.control.messages import ThreadReport
from app.lab.activities import ACTIVITIES, SETUP_ACTIVITIES
from app.lesson.model import LabActivity
from app.observe.dumps import ViewDumps
from app.observe.frames import NO_HISTORY
from app.observe.memory_map import classify, parse_maps
from app.observe.patches import diff_process
from app.observe.sampling import ProcessSample, ThreadSample
from app.observe.views import RegionCache, ThreadCache, exited_view, process_view
from app.protocol import Activity, CounterView, ProcessView, RegionView, decode_regions, encode_regions
from app.settings import load
from app.web.app import create_app

REC = json.loads((Path(__file__).parent / "fixtures" / "worker_threads.json").read_text())
PID = REC["pid"]


def recorded_process() -> LabProcess:
    proc = LabProcess(pid=PID, parent=None, started=1.0, status="running")
    for s in REC["stacks"]:
        activity = "main" if s["tid"] == PID else "busy"
        proc.threads[s["tid"]] = ThreadReport(
            tid=s["tid"], activity=activity, stack_start=s["start"], stack_end=s["end"], guard=s["guard"]
        )
    proc.counter = CounterView(address=0x7F0000000000, value=5, last_tid=PID)
    return proc


def recorded_sample(tids: list[int]) -> ProcessSample:
    threads = [ThreadSample(t, "lab-busy", "R", 1, 0.3, 0.0, 10, 3) for t in tids]
    return ProcessSample(PID, 4702, "ptlab-worker", "S", 15_000_000, threads, REC["maps"])


def regions_of(proc: LabProcess) -> list[RegionView]:
    stacks = tuple(t.stack for t in proc.threads.values())
    return RegionCache().regions(PID, REC["maps"], stacks)[0]


def test_threads_come_from_proc_and_activities_from_the_worker() -> None:
    proc = recorded_process()
    tids = [s["tid"] for s in REC["stacks"]] + [99999]  # one thread the worker never reported
    view = process_view(proc, recorded_sample(tids), regions_of(proc), None)
    by_tid = {t.tid: t for t in view.threads}
    assert by_tid[PID].main and by_tid[PID].activity == "main"
    assert by_tid[REC["stacks"][1]["tid"]].activity == "busy"
    assert by_tid[99999].activity == "unknown" and by_tid[99999].stack is None


def test_the_main_stack_is_clipped_to_what_is_mapped() -> None:
    proc = recorded_process()
    view = process_view(proc, recorded_sample([PID]), regions_of(proc), None)
    main = view.threads[0].stack
    mapped = next(r for r in parse_maps(REC["maps"]) if r.path == "[stack]")
    assert main is not None and (main.start, main.end) == (mapped.start, mapped.end)


def test_kept_thread_views_and_dicts_are_what_building_afresh_gives() -> None:
    proc = recorded_process()
    tids = [s["tid"] for s in REC["stacks"]]
    cache, dumps = ThreadCache(), ViewDumps()

    def both(sample: ProcessSample, last: ProcessView | None) -> tuple[ProcessView, dict]:
        kept = process_view(proc, sample, regions_of(proc), last, threads=cache)
        fresh = process_view(proc, sample, regions_of(proc), None)
        d = dumps.dump(kept)
        assert kept == fresh
        assert d == fresh.model_dump(mode="json", exclude={"regions": True, **NO_HISTORY})
        return kept, d

    sample = recorded_sample(tids)
    first, d1 = both(sample, None)
    # the counter moved and one thread ran: the others keep their view objects and their dicts
    proc.counter = CounterView(address=0x7F0000000000, value=6, last_tid=PID)
    ran = sample.threads[1]._replace(utime=0.5, state="S", load=0.25)
    moved = dataclasses.replace(sample, threads=[sample.threads[0], ran, *sample.threads[2:]])
    second, d2 = both(moved, first)
    assert second.threads[0] is first.threads[0] and second.threads[1] is not first.threads[1]
    assert d2["threads"][0] is d1["threads"][0]
    patch = diff_process(d1, d2)
    assert patch is not None and [t["tid"] for t in patch["threads"]] == [tids[1]]
    assert patch["counter"]["value"] == 6


def test_an_exited_process_keeps_its_last_picture_and_says_why() -> None:
    proc = recorded_process()
    last = process_view(proc, recorded_sample([PID]), regions_of(proc), None)
    proc.status, proc.exit_code = "exited", -9
    view = exited_view(proc, last)
    assert view.status == "exited" and view.threads == [] and view.regions == last.regions
    assert view.exit is not None and view.exit.signal == 9 and "SIGKILL" in view.exit.reason


def test_the_region_cache_reuses_an_unchanged_list() -> None:
    proc = recorded_process()
    cache = RegionCache()
    stacks = tuple(t.stack for t in proc.threads.values())
    first, changed = cache.regions(PID, REC["maps"], stacks)
    again, changed_again = cache.regions(PID, REC["maps"], stacks)
    assert changed and not changed_again and again is first


def test_the_compact_region_table_round_trips() -> None:
    stacks = [t.stack for t in recorded_process().threads.values()]
    regions = [
        RegionView(
            start=r.start, end=r.end, perms=r.perms, kind=r.kind, path=r.path, guard=r.guard, tid=r.tid
        )
        for r in classify(parse_maps(REC["maps"]), stacks)
    ]
    table = encode_regions(regions)
    assert [RegionView(**d) for d in decode_regions(json.loads(json.dumps(table)))] == regions
    assert len(json.dumps(table)) * 3 < len(json.dumps([r.model_dump() for r in regions]))


def test_a_view_read_back_from_json_equals_the_view() -> None:
    proc = recorded_process()
    view = process_view(proc, recorded_sample([PID]), regions_of(proc), None)
    assert ProcessView.model_validate_json(view.model_dump_json()) == view


def test_every_activity_is_offered_by_the_page_and_named_in_both_languages() -> None:
    env = create_app(load([])).state.web.templates.env  # the page's own templates, as it renders them
    page = env.get_template("index.html").render(presenter=True, token_error=False)
    offered = re.findall(r'<option value="([^"]+)" data-i18n="activity\.\1"', page)
    assert tuple(offered) == ACTIVITIES
    assert Activity.__args__ == ACTIVITIES and LabActivity.__args__ == SETUP_ACTIVITIES
    i18n = (Path(__file__).resolve().parent.parent / "static" / "js" / "i18n.js").read_text()
    for a in ACTIVITIES:
        assert i18n.count(f'"activity.{a}":') == 2, a  # English and Korean


def test_every_stylesheet_is_loaded_by_the_page_and_the_offline_export() -> None:
    from app.web.offline import STYLESHEETS

    css = Path(__file__).resolve().parent.parent / "static" / "css"
    assert {p.stem for p in css.glob("*.css")} == set(STYLESHEETS)
    from app.web.static import STYLE_BUNDLE, read_tree, stylesheet

    env = create_app(load([])).state.web.templates.env
    page = env.get_template("index.html").render(presenter=True, token_error=False)
    # the page links one file: every stylesheet in it, in the order they cascade
    linked = re.findall(r'<link rel="stylesheet" href="/static/v/\w+/(css/\w+\.css)">', page)
    assert linked == [STYLE_BUNDLE]
    joined = stylesheet(read_tree(css.parent), STYLESHEETS).decode()
    at = [joined.index((css / f"{name}.css").read_text()) for name in STYLESHEETS]
    assert at == sorted(at)
