// ptlab page bundle of static/js d5824e7d5b6d87c0; made by scripts/bundle.py
(() => {
  // js/i18n.js
  var TABLE = {
    en: {
      "app.title": "Process & Thread Lab",
      "aria.legend": "legend",
      "aria.controls": "controls",
      "aria.lesson": "lesson",
      "aria.diagram": "diagram",
      "aria.processes": "processes and threads",
      "aria.lanes": "CPU lanes",
      "aria.lab": "experiments",
      "aria.pystack": "Python stack",
      "aria.code": "code",
      "aria.timeline": "time machine",
      "aria.time": "time",
      "lang.switch": "한국어",
      "conn.connecting": "connecting…",
      "conn.live": "live",
      "conn.lost": "connection lost — retrying in {s} s",
      "role.presenter": "presenter",
      "role.viewer": "viewer (read-only)",
      "host.wsl": "{name} on Windows",
      "host.container": "in {name}",
      "host.container_unnamed": "in a container",
      "host.linux_long": "Every figure is read from this machine's own Linux kernel, {kernel}.",
      "host.wsl_long": "Every figure is read from the Linux kernel {kernel} of {name}, the Linux VM that Windows runs, not from Windows itself.",
      "host.container_long": "ptlab runs inside a container: every figure is read from the host's Linux kernel {kernel}, which everything else on the host shares (on a Mac, Docker Desktop's Linux VM).",
      "btn.spawn_process": "Spawn process",
      "btn.fork": "Fork",
      "btn.spawn_thread": "Spawn thread",
      "btn.stop_thread": "Stop thread",
      "btn.stop_process": "Stop process",
      "btn.reset": "Reset",
      "btn.theme": "Theme",
      "btn.fullscreen": "Full screen",
      "btn.menu": "Menu",
      "btn.join": "Join",
      "help.J": "show students how to join (address and QR code)",
      "join.title": "Join the lab",
      "join.open": "Open this on your phone or laptop, or scan the code:",
      "join.loopback": "This lab listens only on this computer, so nobody else can open it. To open it to the class, start it again with PTLAB_HOST=0.0.0.0 and a PTLAB_TOKEN of your own (8 characters or more); in Docker, also set PTLAB_PUBLIC_URL to this computer's address.",
      "btn.following": "Following the presenter",
      "btn.exploring": "Exploring on my own",
      "btn.help": "Help",
      "activity.idle": "idle",
      "activity.count": "count",
      "activity.busy": "busy",
      "activity.gil-free": "gil-free",
      "activity.raise": "raise",
      "activity.race": "race",
      "activity.shm": "shm",
      "activity.response": "response time",
      "activity.costs": "costs",
      "activity.switch_sweep": "switch sweep",
      "activity.main": "main",
      "activity.unknown": "other",
      "activity.label": "activity",
      "kind.code": "Code",
      "kind.data": "Data",
      "kind.heap": "Heap",
      "kind.stack": "Stack",
      "kind.shared": "Shared",
      "kind.other": "Mapped",
      "kind.guard": "guard page",
      "card.pid": "PID {pid}",
      "card.ppid": "parent {ppid}",
      "card.no_map": "it ended before its memory map was read",
      "card.forked": "forked from {pid}",
      "card.rss": "RSS {size}",
      "card.threads": "{n} threads share Code · Data · Heap",
      "card.thread1": "1 thread (main)",
      "card.exited": "exited: {reason}",
      "card.counter": "counter @ {addr} = {value}",
      "thread.tid": "TID {tid}",
      "thread.main": "main",
      "thread.cpu": "CPU {cpu}",
      "thread.own_stack": "own stack",
      "state.R": "running",
      "state.S": "sleeping",
      "state.D": "disk wait",
      "state.T": "stopped",
      "state.t": "traced",
      "state.Z": "zombie",
      "state.X": "dead",
      "state.I": "idle",
      "selected.none": "click a process to select it",
      "selected.process": "selected: PID {pid}",
      "selected.thread": "PID {pid} · TID {tid}",
      "empty.presenter": "No lab processes yet. Press P or click “Spawn process”.",
      "empty.viewer": "No lab processes yet. The presenter will start some.",
      "empty.run_ended": "The run of {name} has ended: {how}.",
      "empty.run_more": "What it printed is in the code panel (X).",
      "tip.region": "{kind}: {start} – {end} ({size}) {perms} {path}",
      "tip.band": "{kind}: {count} regions, {size} in all",
      "tip.stack": "stack of thread {tid}: {start} – {end} ({size})",
      "tip.times": "CPU time: {u} s user, {s} s kernel",
      "tip.copied": "a parent thread's stack, copied by fork(): {start} – {end} ({size}); no thread runs on it here",
      "kind.copied": "copied stack, no thread",
      "kind.copied_n": "{n} copied stacks, no thread",
      "kind.copied_1": "1 copied stack, no thread",
      "kind.copied_short": "{n} copied stacks",
      "kind.more_stacks": "+{n} stacks",
      "thread.more": "+{n} threads",
      "card.threads_short": "{n} threads",
      "card.gone": "exited: memory returned to the OS",
      "mini.threads": "{n} threads",
      "tip.switches": "context switches: {v} voluntary, {i} involuntary",
      "wait.futex": "waits on a lock",
      "wait.sleep": "sleeps",
      "wait.read": "waits to read",
      "wait.select": "waits for input",
      "wait.write": "waits to write",
      "wait.child": "waits for a child",
      "wait.accept": "waits for a connection",
      "wait.other": "waits in the kernel",
      "wait.none": "stopped",
      "wait.call": "{words} ({call})",
      "tip.regs": "its own registers: SP {sp} (in its own stack) · PC {pc} in {where}",
      "tip.regs_running": "its registers are in the CPU while it runs: the kernel saves them only while it waits",
      "tip.regs_withheld": "its registers: withheld by the kernel here (no ptrace access to this process)",
      "tip.sp": "its stack pointer: {sp}, {used} below the top",
      "cap.process_started": "New process {pid}: its own Code, Data, Heap and Stack, and one (main) thread.",
      "cap.process_forked": "fork(): process {pid} is a copy of {parent} — same addresses, separate memory.",
      "cap.thread_started": "New thread {tid} in process {pid}: its own Stack; Code, Data and Heap shared with its siblings.",
      "cap.thread_stopped": "Thread {tid} of process {pid} ended ({detail}); its stack is unmapped.",
      "cap.process_exited": "Process {pid} ended: {detail}. The OS reclaims all its memory.",
      "cap.reset": "Reset: every lab process ended.",
      "cap.costs_finished": "Measured in process {pid}: creating, holding and switching threads vs processes — see the table.",
      "cap.switch_sweep_finished": "Measured in process {pid}: what a switch costs as the working set grows, threads vs processes — see the curves.",
      "cap.welcome": "Each box is a real process read from /proc; each stripe a real memory region.",
      "err.no_selection": "Select a process first (click its card).",
      "reset.confirm": "Reset ends every lab process. Press R (or Reset) again to do it.",
      "err.no_thread": "Select a thread first (click it).",
      "err.not_connected": "Not connected to the server.",
      "err.forbidden": "Only the presenter can do that.",
      "err.failed": "That did not work.",
      "err.code.cap_reached": "The lab is full: stop a process or a thread first.",
      "err.code.not_found": "That process or thread is gone.",
      "err.code.not_running": "That process is not running.",
      "err.code.busy": "That process is busy with an experiment.",
      "err.code.main_thread": "The main thread ends only with its process: stop the process.",
      "err.code.experiment": "That thread belongs to an experiment: cancel the experiment.",
      "err.code.rate_limited": "Too many commands at once: slow down.",
      "err.code.timeout": "The process did not answer in time.",
      "err.code.start_failed": "The process did not start.",
      "err.code.invalid_request": "That command is not valid.",
      "err.code.ipc_failed": "The message did not arrive.",
      "err.code.experiment_failed": "The experiment ended early.",
      "err.code.measurement_failed": "The measurement failed.",
      "err.code.forbidden": "Only the presenter can do that.",
      "err.code.no_voter": "This browser cannot vote yet: reload the page.",
      "err.code.too_many_voters": "Enough browsers from your network have voted on this question already.",
      "err.code.closed": "Voting on this question has closed.",
      "err.code.full": "This question has all the votes it can take.",
      "err.code.not_finished": "Step the threads to the end first.",
      "err.code.queue_full": "Too many processes are starting at once: try again in a second.",
      "err.code.read_only": "This is a recording: nothing can be changed.",
      "err.code.no_lab": "The lab server cannot be reached from here just now: try again in a moment.",
      "err.code.process_gone": "The process ended before it answered.",
      "err.code.worker_refused": "The process refused that command.",
      "reveal.note.pid": "PID {pid}",
      "reveal.note.watch": "PID {pid}, {s} s",
      "reveal.note.cpu": "PID {pid}; other programs used {other} % of the CPUs",
      "reveal.note.ipc": "{kind}: {a} → {b}: {text}",
      "reveal.note.stepped": "{n} increments finished",
      "reveal.note.registers": "PID {pid}: the stack pointers of {n} waiting threads",
      "help.title": "Keyboard",
      "help.P": "spawn a process",
      "help.T": "spawn a thread in the selected process",
      "help.F": "fork the selected process",
      "help.Del": "stop the selected thread, or else the selected process",
      "help.R": "reset: end every lab process",
      "help.ShiftF": "presentation mode (full screen)",
      "help.q": "this help",
      "help.legend": "Colours are a colour-blind-safe palette; every region also has its own pattern and label.",
      "help.close": "Close",
      "legend.title": "Memory",
      "detail.stopped": "asked to stop",
      "detail.error": "it raised {error}",
      "detail.reaped_by_parent": "ended (its parent collected its exit status)",
      "exit.normal": "exit code 0",
      "exit.code": "exit code {code}",
      "exit.signal": "killed by {sig}",
      "btn.lab": "Experiments",
      "help.E": "open or close the experiments panel",
      "help.C": "show the CPU lanes (each thread's CPU over the last 30 s) instead of the memory cards, and back",
      "btn.lanes": "CPU",
      "help.K": "pause the picture (the lab runs on) and rewind it; again: back to live",
      "help.steps": "paused: to the previous / next event",
      "help.range": "paused: mark the start / end of a range to export",
      "help.L": "back to live",
      "tm.paused": "PAUSED −{s} s",
      "tm.replay": "REPLAY {name}",
      "tm.recording": "recording",
      "tm.prev": "previous event (,)",
      "tm.next": "next event (.)",
      "tm.in": "[ start",
      "tm.out": "end ]",
      "tm.range": "range {a} s to {b} s",
      "tm.export": "Export .ptlab",
      "tm.export_html": ".html (offline)",
      "tm.live": "Live (L)",
      "tm.no_history": "No history to rewind yet.",
      "tm.bad_file": "{name} cannot be replayed.",
      "tm.kind.process_started": "process {pid} started",
      "tm.kind.process_forked": "process {pid} forked",
      "tm.kind.process_exited": "process {pid} ended",
      "tm.kind.thread_started": "thread {tid} started",
      "tm.kind.thread_stopped": "thread {tid} ended",
      "tm.kind.thread_exited": "thread {tid} ended",
      "tm.kind.reset": "reset",
      "tm.kind.race_finished": "race finished",
      "tm.kind.shm_finished": "shared-memory run finished",
      "tm.kind.ipc_message": "IPC message",
      "tm.kind.costs_finished": "costs measured",
      "tm.kind.switch_sweep_finished": "switch sweep measured",
      "lanes.title": "CPU over the last {s} s",
      "lanes.cpu": "CPU {n}",
      "lanes.process": "PID {pid} — total",
      "lanes.process_more": "PID {pid} — total of {n} threads",
      "lanes.cores": "{n} cores",
      "lanes.col_cores": "cores",
      "lanes.col_switches": "switches/s",
      "lanes.col_kinds": "voluntary · involuntary",
      "lanes.per_s": "sw/s",
      "lanes.empty": "No lab process yet. Spawn one, give it busy threads, and watch them share the CPUs.",
      "lanes.note": "Height: share of a core used in each tick (schedstat); colour: the CPU it ran on. Busy threads of one process take turns (the GIL): their total stays at one core; busy processes and gil-free threads run side by side.",
      "lab.title": "Experiments",
      "race.title": "Race condition: threads share the counter",
      "race.hint": "Each thread reads the counter, works a moment, writes it back +1. Another thread may run in between.",
      "race.threads": "threads",
      "race.increments": "increments each",
      "race.lock": "lock",
      "race.run": "Run race",
      "race.cancel": "Cancel",
      "race.none": "No runs yet in this process.",
      "race.shape": "{n} × {k}",
      "race.with_lock": "with lock",
      "race.no_lock": "no lock",
      "race.cancelled": "cancelled",
      "race.expected": "expected",
      "race.actual": "actual",
      "race.lost": "lost",
      "ipc.title": "IPC: processes talk only through channels the OS provides",
      "ipc.pipe": "pipe (FIFO)",
      "ipc.socket": "Unix socket",
      "ipc.file": "file",
      "ipc.send": "Send",
      "ipc.line": "{from} → {to} via {kind}: “{text}”",
      "shm.title": "Shared memory: one counter, two processes",
      "shm.with": "with",
      "shm.run": "Run both",
      "err.need_two": "Start a second process first.",
      "cap.race_finished": "Race in {pid}: {n} threads × {k} — expected {expected}, got {actual}: {lost} updates lost ({lock}).",
      "cap.race_clean": "Race in {pid} with a lock: {n} threads × {k} — expected {expected}, got {actual}: nothing lost.",
      "cap.ipc_message": "{pid} sent “{text}” to {peer} through a {detail}: processes share no memory, so the OS carries it.",
      "cap.shm_finished": "{pid} and {peer} share one page: counter expected {expected}, got {actual} — {lost} lost ({lock}).",
      "counter.frame": "page {frame}",
      "counter.last": "last +1 by {tid}",
      "counter.cow_same": "same physical page as {pid} (copy-on-write)",
      "counter.cow_copied": "own copy (was shared with {pid})",
      "counter.no_frames": "physical pages hidden (needs root)",
      "counter.cow_shared": "page still shared since the fork: not written yet (copy-on-write)",
      "counter.cow_own": "own page now: one of them wrote since the fork (copy-on-write)",
      "counter.shm": "shared @ {addr} = {value}",
      "costs.title": "What threads and processes cost — measured now",
      "costs.run": "Measure (≤ 20 s)",
      "costs.open": "Costs: thread vs process",
      "costs.none": "Not measured yet. Press “Measure”.",
      "costs.creation": "Create and finish one",
      "costs.memory": "Extra private memory (USS) of one more",
      "costs.switch": "Ping-pong round trip over a pipe (two switches)",
      "costs.speedup": "CPU-bound: speed-up of {n} tasks at once (cores used)",
      "costs.share": "CPU-bound: share of a core each task got",
      "costs.thread": "thread",
      "costs.fork": "process (fork)",
      "costs.spawn": "process (new interpreter)",
      "costs.sw_threads": "two threads, one CPU",
      "costs.sw_processes": "two processes, one CPU",
      "costs.sw_cross": "two processes, two CPUs",
      "costs.threadsN": "{n} threads",
      "costs.processesN": "{n} processes",
      "costs.meta": "Process {pid}, {s} s, {cpus} CPUs; median (low–high) of n runs; {n} tasks of {task} CPU each, in turn with one task alone.",
      "costs.load": "Other programs used {other} of the CPUs during the CPU runs (steal {steal}): the figures hold.",
      "costs.unreliable": "Other programs used {other} of the CPUs — these figures are unreliable. Close them and measure again.",
      "costs.unreliable_runs": "Too few runs were plausible (other programs used {other} of the CPUs) — these figures are unreliable. Measure again.",
      "costs.unreliable_time": "The machine was too slow to finish in {s} s (other programs used {other} of the CPUs): the CPU runs are missing and the figures are unreliable.",
      "costs.unreliable_cancelled": "Cancelled before every run was done: these figures are incomplete.",
      "costs.timed_out": "stopped at its {s} s limit",
      "costs.measuring": "Measuring… {s} s of at most {budget} s. The table below is the previous one.",
      "costs.discarded": "{k} implausible runs thrown away and measured again",
      "costs.note_gil": "CPython's GIL lets one thread of a process run Python code at a time: busy threads share one core, processes use a core each. Threads do run in parallel in C code (the gil-free activity) and I/O.",
      "costs.note_switch": "Switches: both sides pinned to one CPU, as perf bench sched pipe does. Threads and processes are both kernel tasks on Linux; a process switch adds only the address-space switch, so the direct costs measured here differ little. Textbooks call a process switch heavy for its indirect cost (caches and the TLB refilled after it): the “Switch vs working set” tab measures it. Across two CPUs each wake-up crosses CPUs: far dearer.",
      "costs.note_fork": "A forked child shares its parent's pages until written (copy-on-write), so it costs far less memory than a fresh interpreter.",
      "lesson.start": "Lesson",
      "activity.user": "user",
      "activity.probe": "ptlab probe",
      "btn.code": "Code",
      "card.run": "run {run}",
      "card.noprobe": "run {run}, /proc only (no probe)",
      "card.inner": "PID {pid} inside",
      "help.X": "code panel: run your own Python under the lab (Ctrl+Enter runs)",
      "code.title": "Your code, run for real",
      "code.examples": "Examples",
      "code.editor": "Python code",
      "code.run": "Run",
      "code.stop": "Stop",
      "code.console": "What it printed",
      "code.running": "running as process {pid} · {n} processes",
      "code.ended_by": "ended by ptlab: {reason}",
      "reason.stopped": "stopped by the presenter",
      "reason.reset": "the lab was reset",
      "reason.processes": "process cap reached: more than {n} processes (PTLAB_MAX_PROCESSES)",
      "reason.threads": "thread cap reached: a process had {n} threads (PTLAB_MAX_THREADS is {max})",
      "reason.memory": "memory limit reached: the run held {mib} MiB (PTLAB_RUN_MEMORY_MIB is {limit})",
      "reason.time": "time limit reached: {s} s (PTLAB_RUN_SECONDS)",
      "reason.program_ended_one": "the program ended; {n} of its processes was ended with it",
      "reason.program_ended": "the program ended; {n} of its processes were ended with it",
      "code.exited": "exited with code {code}",
      "code.off": "Running code from the page is off on this server (PTLAB_ALLOW_CODE).",
      "code.isolated": "Each run has a PID namespace of its own: it sees only its own processes, under PIDs of its own, and cannot touch the server.",
      "code.not_isolated": "Runs are not isolated on this machine ({why}): a run could signal the server and your other programs.",
      "activity.stepped": "stepped",
      "lesson.prev": "Back",
      "lesson.next": "Next",
      "lesson.reveal": "Reveal",
      "lesson.run": "Run it",
      "lesson.end": "End lesson",
      "lesson.scene": "Scene {i} of {n}",
      "lesson.dot": "Go to scene {i}",
      "lesson.busy_setup": "Setting up the lab…",
      "lesson.busy_reveal": "Measuring on the real lab…",
      "lesson.votes": "{n} voted",
      "lesson.vote_hint": "Vote on your phone — you can change it until the reveal.",
      "lesson.vote_wait": "The class is voting; press Reveal (V) to run the experiment.",
      "lesson.your_vote": "Your vote: {answer} — you can change it until the reveal.",
      "lesson.closed": "Votes are closed.",
      "lesson.measured": "Measured: {figure} = {value}",
      "lesson.right": "right",
      "lesson.unreliable": "Busy machine: these figures are unreliable.",
      "lesson.number": "Your number",
      "lesson.send": "Vote",
      "lesson.outside": "{n} outside every range",
      "lesson.off": "Lesson mode is off.",
      "lesson.aside": "{n} of yours set aside",
      "lesson.aside_tip": "Processes you started before the lesson keep running; they come back when it ends (G).",
      "step.title": "Step the threads: keys 1–{last} (A: auto)",
      "step.title_viewer": "The presenter steps the threads one at a time",
      "step.thread": "Thread {i}",
      "step.auto": "Auto",
      "step.tmp": "tmp = {v}",
      "step.unset": "tmp: not set yet",
      "step.waiting": "blocked: waits for {lock}, held by thread {holder}",
      "step.waiting_free": "blocked: waiting for {lock}",
      "step.holds": "holds {locks}",
      "step.done": "finished",
      "step.counter": "counter = {v}",
      "step.lost": "expected {e}, counter {c}: {lost} lost",
      "step.deadlock": "Deadlock: each thread waits for a lock the other holds.",
      "step.finished": "Every thread has finished.",
      "step.none": "No stepped threads in this scene's process.",
      "step.stopped": "Process {pid} was stopped: its threads, and the locks they held, are gone with it.",
      "stack.title": "Python stack of thread {tid}",
      "stack.hint": "outermost call first; read inside the process just now",
      "stack.gone": "This thread's stack cannot be read: {why}",
      "help.lesson": "lesson mode: → next scene, ← back, V reveal; in a stepped scene 1/2/3 step a thread, A auto",
      "fig.actual": "increments that survived",
      "fig.expected": "increments made",
      "fig.lost": "updates lost",
      "fig.delta": "growth of the counter",
      "fig.cores": "cores used",
      "fig.bytes": "bytes received",
      "fig.counter": "counter",
      "fig.creation_ratio": "process creation ÷ thread creation",
      "fig.memory_ratio": "process memory ÷ thread memory",
      "fig.switch_ratio": "process switch ÷ thread switch",
      "fig.small_ratio": "process switch ÷ thread switch, nothing to reload",
      "fig.large_ratio": "process switch ÷ thread switch, the largest working set",
      "fig.growth": "process switch, largest working set ÷ none",
      "resp.title": "Response time: does a second thread answer sooner?",
      "resp.hint": "A process answers pings while it computes: on one thread, with the work on a second thread, or in another process.",
      "resp.run": "Measure response time",
      "resp.median": "median",
      "resp.p90": "90 %",
      "resp.mode.alone": "nothing else to do",
      "resp.mode.one_thread": "work on the same thread",
      "resp.mode.gil_thread": "work on a 2nd thread (Python: GIL)",
      "resp.mode.gil_free_thread": "work on a 2nd thread (C, no GIL)",
      "resp.mode.process": "work in another process",
      "resp.note": "On one thread, an answer waits for the piece of work under way ({chunk}). A second Python thread holds the GIL: the answer waits about one switch interval ({si}). Work in C that lets go of the GIL, or in another process, leaves the answer free at once.",
      "resp.busy": "Other programs used {p} % of the CPUs meanwhile: these figures are unreliable.",
      "resp.meta": "PID {pid}: {n} pings each way, {s} s",
      "costs.tab_table": "Thread vs process",
      "costs.tab_sweep": "Switch vs working set",
      "sweep.run": "Measure the sweep (≤ 30 s)",
      "sweep.empty": "It ended before its first point: nothing was measured. Measure again.",
      "sweep.none": "Not measured yet. A lab process of its own passes a token round tasks pinned to one CPU, each reading its own working set first — as threads and as processes — from no working set to past the last cache.",
      "sweep.chart": "Microseconds per switch against the tasks' working sets together, threads and processes, caches marked",
      "sweep.axis_x": "working sets of all tasks together (log scale)",
      "sweep.thread": "threads",
      "sweep.process": "processes",
      "sweep.rings": "dashed: {n} tasks in the ring",
      "sweep.key": "{kind}, {n} tasks",
      "sweep.point": "{kind}, ring of {n}, {size} each: {us} per switch (spread {spread})",
      "sweep.v_same": "With nothing to reload, a process switch costs what a thread switch does: {p} against {t}.",
      "sweep.v_heavier": "Even with nothing to reload, a process switch costs {r}× a thread switch: {p} against {t}.",
      "sweep.v_lighter": "With nothing to reload, a process switch came out cheaper than a thread switch ({p} against {t}): Python threads also hand over the GIL.",
      "sweep.v_knee": "Once the working sets together pass {cache} ({size}), both pay for refilling it: {t} between threads, {p} between processes.",
      "sweep.v_knee_one": "Once the working sets together pass {cache} ({size}), a switch between {kind} costs twice as much: {t} between threads, {p} between processes.",
      "sweep.v_last": "At {size} each, a switch costs {t} between threads and {p} between processes: {x}× a process switch with nothing to reload.",
      "sweep.the_caches": "the caches",
      "sweep.both": "both",
      "sweep.v_flat": "No working set up to {size} together made a switch cost twice as much: the caches held them all.",
      "sweep.pcid_on": "PCID on: the TLB keeps each process's address translations across a switch, so a process switch does not empty it.",
      "sweep.pcid_off": "No PCID: every switch to another process empties the TLB; its translations are looked up again.",
      "sweep.pcid_unknown": "This CPU does not report PCID (not an x86 CPU).",
      "sweep.pti": "Meltdown, as the kernel says it: {pti}.",
      "sweep.pti_unknown": "The kernel does not say whether it isolates page tables (Meltdown).",
      "sweep.cpu_unknown": "CPU model not reported",
      "sweep.note_textbook": "Neither switch flushes the caches: what makes a switch dear is the working set the next task must load again. The textbook's heavier process switch was the TLB emptied on every change of address space, before PCID.",
      "sweep.load": "Other programs used {other} of the CPUs meanwhile: the figures hold.",
      "sweep.unreliable_time": "The machine was too slow to finish in {s} s: the largest working sets are missing and the figures are unreliable.",
      "sweep.meta": "Process {pid}, {s} s; all tasks pinned to one CPU; median of 5 runs per point; one task doing the same work without a switch ({o} per hop at 0) subtracted, as lmbench's lat_ctx does.",
      "sweep.measuring": "Measuring the sweep… {s} s of at most {budget} s.",
      "fig.one_thread_ms": "answer, work on the same thread (ms)",
      "fig.gil_thread_ms": "answer, work on a 2nd Python thread (ms)",
      "fig.gil_free_ms": "answer, work on a 2nd thread in C (ms)",
      "fig.process_ms": "answer, work in another process (ms)",
      "fig.switch_ms": "GIL switch interval (ms)",
      "fig.own_stack": "SPs in the thread's own stack",
      "fig.not_own": "SPs anywhere else",
      "fig.threads": "waiting threads read"
    },
    ko: {
      "app.title": "프로세스와 스레드 실험실",
      "aria.legend": "범례",
      "aria.controls": "조작",
      "aria.lesson": "수업",
      "aria.diagram": "그림",
      "aria.processes": "프로세스와 스레드",
      "aria.lanes": "CPU 레인",
      "aria.lab": "실험",
      "aria.pystack": "파이썬 스택",
      "aria.code": "코드",
      "aria.timeline": "타임머신",
      "aria.time": "시각",
      "lang.switch": "English",
      "conn.connecting": "연결 중…",
      "conn.live": "실시간",
      "conn.lost": "연결 끊김 — {s}초 후 다시 시도",
      "role.presenter": "발표자",
      "role.viewer": "보기 전용",
      "host.wsl": "Windows의 {name}",
      "host.container": "{name} 컨테이너",
      "host.container_unnamed": "컨테이너 안",
      "host.linux_long": "모든 수치는 이 컴퓨터 자체의 리눅스 커널 {kernel}에서 읽은 것입니다.",
      "host.wsl_long": "모든 수치는 Windows가 실행하는 리눅스 VM인 {name}의 리눅스 커널 {kernel}에서 읽은 것이며, Windows 자체의 것이 아닙니다.",
      "host.container_long": "ptlab은 컨테이너 안에서 실행됩니다. 모든 수치는 호스트의 리눅스 커널 {kernel}에서 읽은 것이며, 이 커널은 호스트의 다른 모든 프로그램과 공유됩니다 (Mac에서는 Docker Desktop의 리눅스 VM).",
      "btn.spawn_process": "프로세스 생성",
      "btn.fork": "fork",
      "btn.spawn_thread": "스레드 생성",
      "btn.stop_thread": "스레드 종료",
      "btn.stop_process": "프로세스 종료",
      "btn.reset": "초기화",
      "btn.theme": "테마",
      "btn.fullscreen": "전체 화면",
      "btn.menu": "메뉴",
      "btn.join": "참여",
      "help.J": "학생 참여 방법 보기 (주소와 QR 코드)",
      "join.title": "실험실에 참여하기",
      "join.open": "휴대폰이나 노트북에서 이 주소를 열거나 코드를 스캔하세요:",
      "join.loopback": "이 실험실은 이 컴퓨터에서만 열 수 있습니다. 학생들에게 열려면 PTLAB_HOST=0.0.0.0 과 직접 정한 PTLAB_TOKEN (8자 이상)으로 다시 시작하세요. Docker에서는 PTLAB_PUBLIC_URL 에 이 컴퓨터의 주소도 정하세요.",
      "btn.following": "발표자 화면을 따라가는 중",
      "btn.exploring": "혼자 둘러보는 중",
      "btn.help": "도움말",
      "activity.idle": "대기",
      "activity.count": "카운트",
      "activity.busy": "계산",
      "activity.gil-free": "GIL 해제",
      "activity.raise": "예외",
      "activity.race": "경쟁",
      "activity.shm": "공유 메모리",
      "activity.response": "응답 시간 측정",
      "activity.costs": "비용 측정",
      "activity.switch_sweep": "스위칭 비용 측정",
      "activity.main": "메인",
      "activity.unknown": "기타",
      "activity.label": "작업",
      "kind.code": "코드",
      "kind.data": "데이터",
      "kind.heap": "힙",
      "kind.stack": "스택",
      "kind.shared": "공유",
      "kind.other": "매핑",
      "kind.guard": "가드 페이지",
      "card.pid": "PID {pid}",
      "card.ppid": "부모 {ppid}",
      "card.no_map": "메모리 맵을 읽기 전에 끝났습니다",
      "card.forked": "{pid}에서 fork됨",
      "card.rss": "RSS {size}",
      "card.threads": "스레드 {n}개가 코드·데이터·힙 공유",
      "card.thread1": "스레드 1개(메인)",
      "card.exited": "종료됨: {reason}",
      "card.counter": "카운터 @ {addr} = {value}",
      "thread.tid": "TID {tid}",
      "thread.main": "메인",
      "thread.cpu": "CPU {cpu}",
      "thread.own_stack": "자기 스택",
      "state.R": "실행 중",
      "state.S": "대기 중",
      "state.D": "디스크 대기",
      "state.T": "정지",
      "state.t": "추적 중",
      "state.Z": "좀비",
      "state.X": "종료",
      "state.I": "유휴",
      "selected.none": "프로세스를 클릭해 선택하세요",
      "selected.process": "선택: PID {pid}",
      "selected.thread": "PID {pid} · TID {tid}",
      "empty.presenter": "아직 실험 프로세스가 없습니다. P 키나 “프로세스 생성”을 누르세요.",
      "empty.viewer": "아직 실험 프로세스가 없습니다. 발표자가 곧 시작합니다.",
      "empty.run_ended": "{name} 실행이 끝났습니다: {how}.",
      "empty.run_more": "출력은 코드 패널(X)에 있습니다.",
      "tip.region": "{kind}: {start} – {end} ({size}) {perms} {path}",
      "tip.band": "{kind}: 영역 {count}개, 모두 {size}",
      "tip.stack": "스레드 {tid}의 스택: {start} – {end} ({size})",
      "tip.times": "CPU 시간: 사용자 {u}초, 커널 {s}초",
      "tip.copied": "fork()가 복사한 부모 스레드의 스택: {start} – {end} ({size}); 여기서는 이 스택을 쓰는 스레드가 없음",
      "kind.copied": "복사된 스택 (스레드 없음)",
      "kind.copied_n": "복사된 스택 {n}개 (스레드 없음)",
      "kind.copied_1": "복사된 스택 1개 (스레드 없음)",
      "kind.copied_short": "복사된 스택 {n}개",
      "kind.more_stacks": "+ 스택 {n}개",
      "thread.more": "+ 스레드 {n}개",
      "card.threads_short": "스레드 {n}개",
      "card.gone": "종료됨: 운영체제가 메모리를 회수",
      "mini.threads": "스레드 {n}개",
      "tip.switches": "컨텍스트 스위칭: 자발적 {v}회, 비자발적 {i}회",
      "wait.futex": "락을 기다림",
      "wait.sleep": "잠자는 중",
      "wait.read": "읽기를 기다림",
      "wait.select": "입력을 기다림",
      "wait.write": "쓰기를 기다림",
      "wait.child": "자식을 기다림",
      "wait.accept": "연결을 기다림",
      "wait.other": "커널 안에서 기다림",
      "wait.none": "멈춤",
      "wait.call": "{words} ({call})",
      "tip.regs": "자신의 레지스터: SP {sp} (자신의 스택 안) · PC {pc} ({where})",
      "tip.regs_running": "실행 중에는 레지스터가 CPU 안에 있음: 커널은 기다리는 동안에만 저장함",
      "tip.regs_withheld": "레지스터: 이 기계에서는 커널이 보여 주지 않음 (이 프로세스에 ptrace 권한 없음)",
      "tip.sp": "스택 포인터: {sp}, 꼭대기에서 {used} 아래",
      "cap.process_started": "새 프로세스 {pid}: 자신만의 코드·데이터·힙·스택과 (메인) 스레드 하나.",
      "cap.process_forked": "fork(): 프로세스 {pid:은/는} {parent}의 복사본 — 주소는 같고 메모리는 따로.",
      "cap.thread_started": "새 스레드 {tid} (프로세스 {pid}): 자기 스택만 새로; 코드·데이터·힙은 이웃 스레드와 공유.",
      "cap.thread_stopped": "프로세스 {pid}의 스레드 {tid} 종료 ({detail}); 그 스택은 해제됨.",
      "cap.process_exited": "프로세스 {pid} 종료: {detail}. 운영체제가 메모리를 모두 회수.",
      "cap.reset": "초기화: 모든 실험 프로세스 종료.",
      "cap.costs_finished": "프로세스 {pid}에서 측정: 스레드와 프로세스의 생성·메모리·컨텍스트 스위칭 비용 — 표를 보세요.",
      "cap.switch_sweep_finished": "프로세스 {pid}에서 측정: 작업 집합이 커질 때 컨텍스트 스위칭 비용, 스레드 대 프로세스 — 곡선을 보세요.",
      "cap.welcome": "각 상자는 /proc에서 읽은 실제 프로세스, 각 줄은 실제 메모리 영역입니다.",
      "err.no_selection": "먼저 프로세스를 선택하세요 (카드 클릭).",
      "reset.confirm": "초기화하면 모든 실험 프로세스가 끝납니다. 하려면 R(또는 초기화)을 한 번 더 누르세요.",
      "err.failed": "실행하지 못했습니다.",
      "err.code.cap_reached": "실험실이 가득 찼습니다: 먼저 프로세스나 스레드를 종료하세요.",
      "err.code.not_found": "그 프로세스나 스레드는 없습니다.",
      "err.code.not_running": "그 프로세스는 실행 중이 아닙니다.",
      "err.code.busy": "그 프로세스는 실험 중입니다.",
      "err.code.main_thread": "메인 스레드는 프로세스와 함께 종료됩니다: 프로세스를 종료하세요.",
      "err.code.experiment": "그 스레드는 실험의 일부입니다: 실험을 취소하세요.",
      "err.code.rate_limited": "명령이 너무 많습니다: 천천히 하세요.",
      "err.code.timeout": "프로세스가 제때 응답하지 않았습니다.",
      "err.code.start_failed": "프로세스가 시작하지 못했습니다.",
      "err.code.invalid_request": "올바른 명령이 아닙니다.",
      "err.code.ipc_failed": "메시지가 도착하지 않았습니다.",
      "err.code.experiment_failed": "실험이 일찍 끝났습니다.",
      "err.code.measurement_failed": "측정하지 못했습니다.",
      "err.code.forbidden": "발표자만 할 수 있습니다.",
      "err.code.not_finished": "먼저 스레드를 끝까지 진행하세요.",
      "err.code.queue_full": "시작을 기다리는 프로세스가 너무 많습니다: 잠시 후 다시 하세요.",
      "err.code.read_only": "녹화본입니다: 아무것도 바꿀 수 없습니다.",
      "err.code.no_lab": "지금은 여기서 실습 서버에 닿을 수 없습니다: 잠시 후 다시 시도하세요.",
      "err.code.process_gone": "프로세스가 응답하기 전에 끝났습니다.",
      "err.code.worker_refused": "프로세스가 그 명령을 거절했습니다.",
      "reveal.note.pid": "PID {pid}",
      "reveal.note.watch": "PID {pid}, {s}초 동안",
      "reveal.note.cpu": "PID {pid}; 다른 프로그램이 CPU의 {other}%를 사용",
      "reveal.note.ipc": "{kind}: {a} → {b}: {text}",
      "reveal.note.stepped": "증가 {n}번 완료",
      "reveal.note.registers": "PID {pid}: 기다리는 스레드 {n}개의 스택 포인터",
      "err.code.no_voter": "이 브라우저는 아직 투표할 수 없습니다. 페이지를 새로 고치세요.",
      "err.code.too_many_voters": "같은 네트워크에서 이 질문에 이미 충분히 많이 투표했습니다.",
      "err.code.closed": "이 질문의 투표는 끝났습니다.",
      "err.code.full": "이 질문은 더 이상 투표를 받을 수 없습니다.",
      "err.no_thread": "먼저 스레드를 선택하세요 (클릭).",
      "err.not_connected": "서버에 연결되어 있지 않습니다.",
      "err.forbidden": "발표자만 할 수 있습니다.",
      "help.title": "키보드",
      "help.P": "프로세스 생성",
      "help.T": "선택한 프로세스에 스레드 생성",
      "help.F": "선택한 프로세스를 fork",
      "help.Del": "선택한 스레드, 없으면 선택한 프로세스 종료",
      "help.R": "초기화: 모든 실험 프로세스 종료",
      "help.ShiftF": "발표 모드 (전체 화면)",
      "help.q": "이 도움말",
      "help.legend": "색각 이상자도 구별할 수 있는 색을 쓰며, 모든 영역에 고유 무늬와 이름표가 있습니다.",
      "help.close": "닫기",
      "legend.title": "메모리",
      "detail.stopped": "종료 요청",
      "detail.error": "예외 발생: {error}",
      "detail.reaped_by_parent": "끝남 (부모 프로세스가 종료 상태를 회수함)",
      "exit.normal": "종료 코드 0",
      "exit.code": "종료 코드 {code}",
      "exit.signal": "{sig} 시그널로 강제 종료",
      "btn.lab": "실험",
      "help.E": "실험 패널 열기/닫기",
      "help.C": "메모리 카드 대신 CPU 레인 (지난 30초 동안 스레드별 CPU) 보기, 다시 돌아가기",
      "btn.lanes": "CPU",
      "lanes.title": "지난 {s}초의 CPU",
      "help.K": "화면 멈추기 (실험은 계속됨), 되감기; 다시 누르면 실시간으로",
      "help.steps": "멈춘 동안: 이전 / 다음 이벤트로",
      "help.range": "멈춘 동안: 내보낼 구간의 시작 / 끝 표시",
      "help.L": "실시간으로 돌아가기",
      "tm.paused": "멈춤 −{s}초",
      "tm.replay": "재생 {name}",
      "tm.recording": "녹화",
      "tm.prev": "이전 이벤트 (,)",
      "tm.next": "다음 이벤트 (.)",
      "tm.in": "[ 시작",
      "tm.out": "끝 ]",
      "tm.range": "구간 {a}초부터 {b}초까지",
      "tm.export": ".ptlab 내보내기",
      "tm.export_html": ".html (오프라인)",
      "tm.live": "실시간 (L)",
      "tm.no_history": "아직 되감을 기록이 없습니다.",
      "tm.bad_file": "{name} 파일은 재생할 수 없습니다.",
      "tm.kind.process_started": "프로세스 {pid} 시작",
      "tm.kind.process_forked": "프로세스 {pid} fork",
      "tm.kind.process_exited": "프로세스 {pid} 종료",
      "tm.kind.thread_started": "스레드 {tid} 시작",
      "tm.kind.thread_stopped": "스레드 {tid} 종료",
      "tm.kind.thread_exited": "스레드 {tid} 종료",
      "tm.kind.reset": "초기화",
      "tm.kind.race_finished": "경쟁 실험 끝",
      "tm.kind.shm_finished": "공유 메모리 실험 끝",
      "tm.kind.ipc_message": "IPC 메시지",
      "tm.kind.costs_finished": "비용 측정 끝",
      "tm.kind.switch_sweep_finished": "스위칭 비용 측정 끝",
      "lanes.cpu": "CPU {n}",
      "lanes.process": "PID {pid} — 합계",
      "lanes.process_more": "PID {pid} — 스레드 {n}개 합계",
      "lanes.cores": "코어 {n}개",
      "lanes.col_cores": "코어",
      "lanes.col_switches": "초당 컨텍스트 스위칭",
      "lanes.col_kinds": "자발적 · 비자발적",
      "lanes.per_s": "스위칭/초",
      "lanes.empty": "아직 실험 프로세스가 없습니다. 하나 만들고 바쁜 스레드를 주어 CPU를 나눠 쓰는 모습을 보세요.",
      "lanes.note": "높이: 각 틱에 스레드가 쓴 코어 비율 (schedstat); 색: 실행된 CPU. 한 프로세스의 바쁜 스레드들은 번갈아 실행됩니다 (GIL): 합계가 코어 하나에 머뭅니다. 바쁜 프로세스들과 GIL 해제 스레드들은 병렬로 실행됩니다.",
      "lab.title": "실험",
      "race.title": "경쟁 상태(race condition): 스레드들이 카운터를 공유",
      "race.hint": "각 스레드가 카운터를 읽고, 잠시 일한 뒤, 읽은 값에 1을 더해 다시 씁니다. 그 사이에 다른 스레드가 끼어들 수 있습니다.",
      "race.threads": "스레드 수",
      "race.increments": "스레드당 증가 횟수",
      "race.lock": "락",
      "race.run": "경쟁 실행",
      "race.cancel": "취소",
      "race.none": "이 프로세스에서는 아직 실행 기록이 없습니다.",
      "race.shape": "{n} × {k}",
      "race.with_lock": "락 사용",
      "race.no_lock": "락 없음",
      "race.cancelled": "취소됨",
      "race.expected": "기댓값",
      "race.actual": "실제값",
      "race.lost": "업데이트 손실",
      "ipc.title": "프로세스 간 통신(IPC): 운영체제가 마련한 통로로만 통신",
      "ipc.pipe": "파이프 (FIFO)",
      "ipc.socket": "유닉스 도메인 소켓",
      "ipc.file": "파일",
      "ipc.send": "보내기",
      "ipc.line": "{from} → {to} ({kind}): “{text}”",
      "shm.title": "공유 메모리: 카운터 하나, 프로세스 둘",
      "shm.with": "상대",
      "shm.run": "둘 다 실행",
      "err.need_two": "먼저 두 번째 프로세스를 만드세요.",
      "cap.race_finished": "{pid}에서 경쟁: 스레드 {n}개 × {k} — 기댓값 {expected}, 실제 {actual}: 업데이트 {lost}개 손실 ({lock}).",
      "cap.race_clean": "{pid}에서 락 사용 경쟁: 스레드 {n}개 × {k} — 기댓값 {expected}, 실제 {actual}: 손실 없음.",
      "cap.ipc_message": "{pid:이/가} {peer}에게 {detail:으로/로} “{text}” 전송: 프로세스는 메모리를 공유하지 않으므로 운영체제가 전달.",
      "cap.shm_finished": "{pid:과/와} {peer:이/가} 한 페이지를 공유: 카운터 기댓값 {expected}, 실제 {actual} — 업데이트 {lost}개 손실 ({lock}).",
      "counter.frame": "페이지 {frame}",
      "counter.last": "마지막 +1: {tid}",
      "counter.cow_same": "{pid:과/와} 같은 물리 페이지 (쓰기 시 복사)",
      "counter.cow_copied": "자기 복사본 ({pid:과/와} 공유했었음)",
      "counter.no_frames": "물리 페이지 숨김 (root 필요)",
      "counter.cow_shared": "fork 이후 아직 쓰지 않아 페이지 공유 중 (쓰기 시 복사)",
      "counter.cow_own": "자기 페이지: fork 이후 어느 쪽이 씀 (쓰기 시 복사)",
      "counter.shm": "공유 @ {addr} = {value}",
      "costs.title": "스레드와 프로세스의 비용 — 지금 측정",
      "costs.run": "측정 (20초 이내)",
      "costs.open": "비용: 스레드 대 프로세스",
      "costs.none": "아직 측정하지 않았습니다. “측정”을 누르세요.",
      "costs.creation": "하나 만들고 끝내기",
      "costs.memory": "하나 더 늘 때 추가 전용 메모리 (USS)",
      "costs.switch": "파이프로 핑퐁 왕복 (컨텍스트 스위칭 두 번)",
      "costs.speedup": "CPU 작업: {n}개 동시 실행 속도 향상 (사용한 코어)",
      "costs.share": "CPU 작업: 각 작업이 받은 코어 비율",
      "costs.thread": "스레드",
      "costs.fork": "프로세스 (fork)",
      "costs.spawn": "프로세스 (새 인터프리터)",
      "costs.sw_threads": "스레드 둘, CPU 하나",
      "costs.sw_processes": "프로세스 둘, CPU 하나",
      "costs.sw_cross": "프로세스 둘, CPU 둘",
      "costs.threadsN": "스레드 {n}개",
      "costs.processesN": "프로세스 {n}개",
      "costs.meta": "프로세스 {pid}, {s}초, CPU {cpus}개; n회 실행의 중앙값 (최저–최고); 각각 CPU {task}짜리 작업 {n}개를, 작업 하나만 실행할 때와 번갈아 측정.",
      "costs.load": "CPU 작업 중 다른 프로그램이 CPU의 {other:을/를} 썼습니다 (스틸 {steal}): 수치를 믿을 수 있습니다.",
      "costs.unreliable": "다른 프로그램이 CPU의 {other:을/를} 썼습니다 — 이 수치는 믿을 수 없습니다. 그 프로그램을 닫고 다시 측정하세요.",
      "costs.unreliable_runs": "타당한 실행이 너무 적습니다 (다른 프로그램이 CPU의 {other} 사용) — 이 수치는 믿을 수 없습니다. 다시 측정하세요.",
      "costs.unreliable_time": "컴퓨터가 너무 느려 {s}초 안에 끝내지 못했습니다 (다른 프로그램이 CPU의 {other} 사용): CPU 실행 결과가 없고 수치는 믿을 수 없습니다.",
      "costs.unreliable_cancelled": "모든 실행이 끝나기 전에 취소되었습니다: 수치가 완전하지 않습니다.",
      "costs.timed_out": "{s}초 제한에서 멈춤",
      "costs.measuring": "측정 중… 최대 {budget}초 중 {s}초. 아래 표는 이전 결과입니다.",
      "costs.discarded": "타당하지 않은 실행 {k}회를 버리고 다시 측정",
      "costs.note_gil": "CPython의 GIL 때문에 한 프로세스의 스레드는 한 번에 하나만 파이썬 코드를 실행합니다: 바쁜 스레드들은 코어 하나를 나눠 쓰고, 프로세스는 각자 코어 하나를 씁니다. C 코드 (GIL 해제 작업)와 I/O에서는 스레드도 병렬로 실행됩니다.",
      "costs.note_switch": "컨텍스트 스위칭: perf bench sched pipe처럼 양쪽을 CPU 하나에 고정해 쟀습니다. 리눅스에서 스레드와 프로세스는 둘 다 커널 태스크이고, 프로세스 사이의 컨텍스트 스위칭에는 주소 공간 전환만 더해지므로 여기서 잰 직접 비용은 차이가 작습니다. 교재가 프로세스 컨텍스트 스위칭을 꽤 무거운 작업이라 하는 까닭은 스위칭 뒤 캐시와 TLB를 다시 채우는 간접 비용 때문이며, 그 비용은 “컨텍스트 스위칭과 작업 집합” 탭에서 잽니다. CPU 둘 사이에서는 깨울 때마다 CPU를 건너가므로 훨씬 비쌉니다.",
      "costs.note_fork": "fork한 자식은 쓰기 전까지 부모의 페이지를 공유하므로 (쓰기 시 복사) 새 인터프리터보다 메모리가 훨씬 적게 듭니다.",
      "lesson.start": "수업",
      "activity.user": "사용자",
      "activity.probe": "ptlab 프로브",
      "btn.code": "코드",
      "card.run": "실행 {run}",
      "card.noprobe": "실행 {run}, /proc만 (프로브 없음)",
      "card.inner": "안에서는 PID {pid}",
      "help.X": "코드 패널: 내 파이썬 코드를 실험실에서 실행 (Ctrl+Enter로 실행)",
      "code.title": "내 코드를 실제로 실행",
      "code.examples": "예제",
      "code.editor": "파이썬 코드",
      "code.run": "실행",
      "code.stop": "중지",
      "code.console": "출력",
      "code.running": "프로세스 {pid:으로/로} 실행 중 · 프로세스 {n}개",
      "code.ended_by": "ptlab이 끝냄: {reason}",
      "reason.stopped": "발표자가 멈춤",
      "reason.reset": "실험실을 초기화함",
      "reason.processes": "프로세스 한도 도달: 프로세스가 {n}개를 넘음 (PTLAB_MAX_PROCESSES)",
      "reason.threads": "스레드 한도 도달: 한 프로세스의 스레드가 {n}개 (PTLAB_MAX_THREADS는 {max})",
      "reason.memory": "메모리 한도 도달: 실행이 {mib} MiB를 차지함 (PTLAB_RUN_MEMORY_MIB는 {limit})",
      "reason.time": "시간 한도 도달: {s}초 (PTLAB_RUN_SECONDS)",
      "reason.program_ended_one": "프로그램이 끝남; 남은 프로세스 {n}개도 함께 끝냄",
      "reason.program_ended": "프로그램이 끝남; 남은 프로세스 {n}개도 함께 끝냄",
      "code.exited": "종료 코드 {code}",
      "code.off": "이 서버에서는 페이지에서 코드를 실행할 수 없습니다 (PTLAB_ALLOW_CODE).",
      "code.isolated": "실행마다 PID 네임스페이스가 따로 있습니다: 자기 프로세스만 자기 PID로 보며, 서버에는 손댈 수 없습니다.",
      "code.not_isolated": "이 컴퓨터에서는 실행이 격리되지 않습니다({why}): 실행된 코드가 서버나 다른 프로그램에 시그널을 보낼 수 있습니다.",
      "activity.stepped": "단계 실행",
      "lesson.prev": "이전",
      "lesson.next": "다음",
      "lesson.reveal": "공개",
      "lesson.run": "실행",
      "lesson.end": "수업 끝내기",
      "lesson.scene": "장면 {i}/{n}",
      "lesson.dot": "{i}번째 장면으로",
      "lesson.busy_setup": "실험실을 준비하는 중…",
      "lesson.busy_reveal": "실제 실험실에서 측정하는 중…",
      "lesson.votes": "{n}명 투표",
      "lesson.vote_hint": "휴대폰으로 투표하세요 — 공개 전까지 바꿀 수 있습니다.",
      "lesson.vote_wait": "학생들이 투표 중입니다. 공개(V)를 누르면 실험을 실행합니다.",
      "lesson.your_vote": "내 투표: {answer} — 공개 전까지 바꿀 수 있습니다.",
      "lesson.closed": "투표가 마감되었습니다.",
      "lesson.measured": "측정값: {figure} = {value}",
      "lesson.right": "정답",
      "lesson.unreliable": "컴퓨터가 바빠 이 수치는 믿을 수 없습니다.",
      "lesson.number": "내 숫자",
      "lesson.send": "투표",
      "lesson.outside": "어느 범위에도 없는 값 {n}개",
      "lesson.off": "수업 모드가 꺼져 있습니다.",
      "lesson.aside": "내 프로세스 {n}개 숨김",
      "lesson.aside_tip": "수업 전에 만든 프로세스는 계속 실행되며, 수업이 끝나면(G) 다시 보입니다.",
      "step.title": "스레드를 한 단계씩: 1–{last} 키 (A: 자동)",
      "step.title_viewer": "발표자가 스레드를 한 단계씩 진행합니다",
      "step.thread": "스레드 {i}",
      "step.auto": "자동",
      "step.tmp": "tmp = {v}",
      "step.unset": "tmp: 아직 없음",
      "step.waiting": "막힘: 스레드 {holder:이/가} 가진 {lock:을/를} 기다림",
      "step.waiting_free": "막힘: {lock:을/를} 기다림",
      "step.holds": "{locks} 보유",
      "step.done": "끝남",
      "step.counter": "카운터 = {v}",
      "step.lost": "기댓값 {e}, 카운터 {c}: 업데이트 {lost}개 손실",
      "step.deadlock": "교착 상태: 각 스레드가 상대가 가진 락을 기다립니다.",
      "step.finished": "모든 스레드가 끝났습니다.",
      "step.none": "이 장면의 프로세스에 단계 실행 스레드가 없습니다.",
      "step.stopped": "프로세스 {pid:을/를} 종료했습니다: 스레드도, 스레드가 잡고 있던 락도 함께 사라졌습니다.",
      "stack.title": "스레드 {tid}의 파이썬 스택",
      "stack.hint": "가장 바깥 호출부터; 방금 프로세스 안에서 읽음",
      "stack.gone": "이 스레드의 스택을 읽을 수 없습니다: {why}",
      "help.lesson": "수업 모드: → 다음 장면, ← 이전, V 공개; 단계 장면에서 1/2/3 스레드 진행, A 자동",
      "fig.actual": "남은 증가 횟수",
      "fig.expected": "시도한 증가 횟수",
      "fig.lost": "업데이트 손실",
      "fig.delta": "카운터 증가량",
      "fig.cores": "사용한 코어 수",
      "fig.bytes": "받은 바이트",
      "fig.counter": "카운터",
      "fig.creation_ratio": "프로세스 생성 ÷ 스레드 생성",
      "fig.memory_ratio": "프로세스 메모리 ÷ 스레드 메모리",
      "fig.switch_ratio": "프로세스 스위칭 ÷ 스레드 스위칭",
      "fig.small_ratio": "프로세스 스위칭 ÷ 스레드 스위칭, 다시 채울 데이터 없음",
      "fig.large_ratio": "프로세스 스위칭 ÷ 스레드 스위칭, 가장 큰 작업 집합",
      "fig.growth": "프로세스 스위칭, 가장 큰 작업 집합 ÷ 작업 집합 없음",
      "resp.title": "응답 시간: 스레드가 하나 더 있으면 더 빨리 답할까?",
      "resp.hint": "프로세스가 계산하는 동안 핑에 답한다: 스레드 하나로, 일을 두 번째 스레드에 맡기고, 또는 다른 프로세스에 맡기고.",
      "resp.run": "응답 시간 측정",
      "resp.median": "중앙값",
      "resp.p90": "90 %",
      "resp.mode.alone": "다른 일 없음",
      "resp.mode.one_thread": "같은 스레드에서 일함",
      "resp.mode.gil_thread": "두 번째 스레드에서 일함 (파이썬: GIL)",
      "resp.mode.gil_free_thread": "두 번째 스레드에서 일함 (C, GIL 없음)",
      "resp.mode.process": "다른 프로세스에서 일함",
      "resp.note": "스레드가 하나면 답은 하고 있던 일 한 조각({chunk})을 기다린다. 두 번째 파이썬 스레드는 GIL을 쥐고 있어 답은 스위치 간격({si})쯤 기다린다. GIL을 놓는 C 코드나 다른 프로세스에서 일하면 바로 답한다.",
      "resp.busy": "그동안 다른 프로그램이 CPU의 {p}%를 썼다: 이 수치는 믿기 어렵다.",
      "resp.meta": "PID {pid}: 방식마다 핑 {n}번, {s}초",
      "costs.tab_table": "스레드 대 프로세스",
      "costs.tab_sweep": "컨텍스트 스위칭과 작업 집합",
      "sweep.run": "작업 집합별 측정 (30초 이내)",
      "sweep.empty": "첫 측정점 전에 끝나 아무것도 재지 못했습니다. 다시 측정하세요.",
      "sweep.none": "아직 측정하지 않았습니다. 전용 실습 프로세스가 CPU 하나에 고정한 태스크들 사이로 토큰을 돌립니다. 각 태스크는 토큰을 넘기기 전에 자기 작업 집합을 읽습니다 — 스레드로 한 번, 프로세스로 한 번, 작업 집합 0부터 마지막 캐시를 넘을 때까지.",
      "sweep.chart": "태스크들의 작업 집합 합계에 따른 컨텍스트 스위칭 한 번의 마이크로초, 스레드와 프로세스, 캐시 크기 표시",
      "sweep.axis_x": "모든 태스크의 작업 집합 합계 (로그 눈금)",
      "sweep.thread": "스레드",
      "sweep.process": "프로세스",
      "sweep.rings": "점선: 태스크 {n}개",
      "sweep.key": "{kind}, 태스크 {n}개",
      "sweep.point": "{kind}, {n}개가 돌아가며, 각 {size}: 스위칭 한 번에 {us} (편차 {spread})",
      "sweep.v_same": "다시 채울 데이터가 없으면 프로세스 스위칭은 스레드 스위칭과 비용이 같습니다: {p} 대 {t}.",
      "sweep.v_heavier": "다시 채울 데이터가 없어도 프로세스 스위칭이 스레드 스위칭의 {r}배입니다: {p} 대 {t}.",
      "sweep.v_lighter": "다시 채울 데이터가 없을 때 프로세스 스위칭이 스레드 스위칭보다 쌌습니다 ({p} 대 {t}): 파이썬 스레드는 GIL도 넘겨줘야 합니다.",
      "sweep.v_knee": "작업 집합 합계가 {cache:을/를} 넘으면 ({size}) 둘 다 캐시를 다시 채우는 값을 치릅니다: 스레드 사이 {t}, 프로세스 사이 {p}.",
      "sweep.v_knee_one": "작업 집합 합계가 {cache:을/를} 넘으면 ({size}) {kind} 사이의 스위칭 비용이 두 배가 됩니다: 스레드 사이 {t}, 프로세스 사이 {p}.",
      "sweep.v_last": "각각 {size}일 때 스위칭 한 번은 스레드 사이 {t}, 프로세스 사이 {p}: 다시 채울 데이터가 없을 때 프로세스 스위칭의 {x}배입니다.",
      "sweep.the_caches": "캐시",
      "sweep.both": "둘 다",
      "sweep.v_flat": "합계 {size}까지는 어떤 작업 집합도 스위칭 비용을 두 배로 만들지 않았습니다: 캐시에 모두 들어갔습니다.",
      "sweep.pcid_on": "PCID 켜짐: TLB가 스위칭 뒤에도 각 프로세스의 주소 변환을 간직하므로, 프로세스 스위칭이 TLB를 비우지 않습니다.",
      "sweep.pcid_off": "PCID 없음: 다른 프로세스로 스위칭할 때마다 TLB가 비워지고 주소 변환을 다시 찾습니다.",
      "sweep.pcid_unknown": "이 CPU는 PCID를 알리지 않습니다 (x86 CPU가 아님).",
      "sweep.pti": "커널이 말하는 Meltdown 대응: {pti}.",
      "sweep.pti_unknown": "커널이 페이지 테이블 격리(Meltdown) 여부를 알리지 않습니다.",
      "sweep.cpu_unknown": "CPU 모델을 알 수 없음",
      "sweep.note_textbook": "어느 스위칭도 캐시를 비우지 않습니다: 스위칭을 비싸게 만드는 것은 다음 태스크가 다시 불러와야 하는 작업 집합입니다. 교재가 말하는 무거운 프로세스 스위칭은 PCID 이전에 주소 공간이 바뀔 때마다 TLB를 비우던 비용입니다.",
      "sweep.load": "그동안 다른 프로그램이 CPU의 {other:을/를} 썼습니다: 수치를 믿을 수 있습니다.",
      "sweep.unreliable_time": "컴퓨터가 너무 느려 {s}초 안에 끝내지 못했습니다: 가장 큰 작업 집합이 빠져 수치를 믿을 수 없습니다.",
      "sweep.meta": "프로세스 {pid}, {s}초; 모든 태스크를 CPU 하나에 고정; 점마다 5회의 중앙값; lmbench의 lat_ctx처럼 같은 일을 스위칭 없이 한 태스크의 시간 (작업 집합 0에서 한 번에 {o})을 뺌.",
      "sweep.measuring": "작업 집합별 측정 중… 최대 {budget}초 중 {s}초.",
      "fig.one_thread_ms": "응답, 같은 스레드에서 일할 때 (ms)",
      "fig.gil_thread_ms": "응답, 두 번째 파이썬 스레드에서 일할 때 (ms)",
      "fig.gil_free_ms": "응답, 두 번째 C 스레드에서 일할 때 (ms)",
      "fig.process_ms": "응답, 다른 프로세스에서 일할 때 (ms)",
      "fig.switch_ms": "GIL 스위치 간격 (ms)",
      "fig.own_stack": "자신의 스택을 가리키는 SP",
      "fig.not_own": "그 밖을 가리키는 SP",
      "fig.threads": "읽은 대기 스레드"
    }
  };
  var KEY = "ptlab.lang";
  var stored = globalThis.localStorage ? localStorage.getItem(KEY) : null;
  var lang = TABLE[stored] ? stored : (globalThis.navigator?.language || "en").startsWith("ko") ? "ko" : "en";
  var listeners = /* @__PURE__ */ new Set();
  var DIGIT_FINAL = { 0: "c", 1: "ㄹ", 2: "", 3: "c", 4: "", 5: "", 6: "c", 7: "ㄹ", 8: "ㄹ", 9: "" };
  function finalSound(word) {
    const s4 = String(word).replace(/\s*\([^()]*\)\s*$/u, "").replace(/[\s\]}"'”’.,:;!?]+$/u, "");
    const c4 = s4.slice(-1);
    if (!c4) return null;
    const code2 = c4.charCodeAt(0);
    if (code2 >= 44032 && code2 <= 55203) {
      const jong = (code2 - 44032) % 28;
      return jong === 0 ? "" : jong === 8 ? "ㄹ" : "c";
    }
    if (c4 >= "0" && c4 <= "9") return DIGIT_FINAL[c4];
    if (c4 === "%") return "";
    if (/[aeiouwy]/i.test(c4)) return "";
    if (/[l]/i.test(c4)) return "ㄹ";
    if (/[a-z]/i.test(c4)) return "c";
    return null;
  }
  function josa(word, pair) {
    const [withFinal, without] = pair.split("/");
    const f3 = finalSound(word);
    if (f3 === null) return `${withFinal}(${without})`;
    if (withFinal === "으로") return f3 === "c" ? "으로" : "로";
    return f3 ? withFinal : without;
  }
  function t(key, params = {}) {
    const s4 = TABLE[lang][key] ?? TABLE.en[key] ?? `⟦${key}⟧`;
    return s4.replace(/\{(\w+)(?::([^}]+))?\}/g, (_3, k3, pair) => {
      if (!(k3 in params)) return `{${k3}}`;
      const v4 = String(params[k3]);
      return pair ? v4 + josa(v4, pair) : v4;
    });
  }
  function getLang() {
    return lang;
  }
  function setLang(next2) {
    if (!TABLE[next2]) return;
    lang = next2;
    localStorage.setItem(KEY, next2);
    document.documentElement.lang = next2;
    applyStatic();
    listeners.forEach((fn) => fn(next2));
  }
  function onLangChange(fn) {
    listeners.add(fn);
  }
  function applyStatic(root = document) {
    root.querySelectorAll("[data-i18n]").forEach((el) => {
      el.textContent = t(el.dataset.i18n);
    });
    root.querySelectorAll("[data-i18n-label]").forEach((el) => {
      el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    });
    root.querySelectorAll("[data-i18n-title]").forEach((el) => {
      el.title = t(el.dataset.i18nTitle);
      el.setAttribute("aria-label", el.title);
    });
  }
  var KEYS = Object.keys(TABLE.en);
  var LANGS = Object.keys(TABLE);

  // js/format.js
  function hex(n3) {
    return "0x" + Number(n3).toString(16);
  }
  function size(bytes) {
    const u5 = ["B", "KiB", "MiB", "GiB"];
    let v4 = bytes;
    let i6 = 0;
    while (v4 >= 1024 && i6 < u5.length - 1) {
      v4 /= 1024;
      i6 += 1;
    }
    return `${v4 >= 100 || i6 === 0 ? Math.round(v4) : v4.toFixed(1)} ${u5[i6]}`;
  }
  function dur(s4, lang2 = getLang()) {
    if (s4 < 1e-3) return `${(s4 * 1e6).toFixed(s4 < 1e-5 ? 1 : 0)} µs`;
    if (s4 < 1) return `${(s4 * 1e3).toFixed(s4 < 0.01 ? 2 : 1)} ms`;
    return lang2 === "ko" ? `${s4.toFixed(2)}초` : `${s4.toFixed(2)} s`;
  }
  function count(n3, lang2 = getLang()) {
    const s4 = Number(n3).toLocaleString("en-US");
    return lang2 === "ko" ? s4 : s4.replace(/,/g, " ");
  }
  function textUnits(text2) {
    return [...String(text2)].reduce((n3, ch) => n3 + (ch.charCodeAt(0) > 4352 ? 1 : 0.58), 0);
  }
  var BOLD = 0.9;
  function fitWidth(text2, fs) {
    return textUnits(text2) * fs;
  }
  function fitFont(text2, width, max, min = 9) {
    return Math.max(min, Math.min(max, width / Math.max(1, textUnits(text2))));
  }
  function hostWords(host) {
    if (!host || !host.kernel) return { sentence: "", pill: "" };
    const words = { kernel: host.kernel, name: host.name || "WSL" };
    const pill = { linux: "", wsl: "host.wsl", container: host.name ? "host.container" : "host.container_unnamed" };
    return {
      sentence: t(`host.${host.kind}_long`, words),
      pill: pill[host.kind] ? t(pill[host.kind], words) : ""
    };
  }

  // js/panels/captions.js
  var DETAILS = [
    ["detail.stopped", /^stopped$/],
    ["detail.reaped_by_parent", /^ended \(its parent collected its exit status\)$/],
    ["exit.normal", /^exited normally$/],
    ["exit.code", /^exited with code (?<code>\d+)$/],
    ["exit.signal", /^killed by (?<sig>\w+)$/],
    ["detail.error", /^error: (?<error>.*)$/]
  ];
  var RUN_REASONS = [
    ["reason.stopped", /^stopped by the presenter$/],
    ["reason.reset", /^the lab was reset$/],
    ["reason.processes", /^process cap reached: more than (?<n>\d+) processes \(PTLAB_MAX_PROCESSES\)$/],
    ["reason.threads", /^thread cap reached: a process had (?<n>\d+) threads \(PTLAB_MAX_THREADS is (?<max>\d+)\)$/],
    ["reason.memory", /^memory limit reached: the run held (?<mib>\d+) MiB \(PTLAB_RUN_MEMORY_MIB is (?<limit>\d+)\)$/],
    ["reason.time", /^time limit reached: (?<s>[\d.]+) s \(PTLAB_RUN_SECONDS\)$/],
    ["reason.program_ended_one", /^the program ended; (?<n>1) of its processes was ended with it$/],
    ["reason.program_ended", /^the program ended; (?<n>\d+) of its processes were ended with it$/]
  ];
  function wordingKey(wordings, text2) {
    for (const [key, pattern] of wordings) {
      const m4 = pattern.exec(text2);
      if (m4) return [key, { ...m4.groups }];
    }
    return null;
  }
  function translated(wordings, text2) {
    const known = wordingKey(wordings, text2);
    return known ? t(...known) : text2;
  }
  function detailText(detail) {
    return detail ? translated(DETAILS, detail) : "";
  }
  function runReason(reason) {
    return translated(RUN_REASONS, reason);
  }
  function caption(ev) {
    const r3 = ev.result;
    if (r3) {
      const key = ev.kind === "race_finished" && r3.lost === 0 && r3.lock ? "cap.race_clean" : `cap.${ev.kind}`;
      return t(key, {
        pid: ev.pid,
        peer: ev.peer,
        n: r3.threads,
        k: count(r3.increments),
        expected: count(r3.expected),
        actual: count(r3.actual),
        lost: count(r3.lost),
        lock: t(r3.lock ? "race.with_lock" : "race.no_lock")
      });
    }
    const detail = ev.kind === "ipc_message" ? t(`ipc.${ev.detail}`) : detailText(ev.detail);
    return t(`cap.${ev.kind}`, { pid: ev.pid, tid: ev.tid, parent: ev.parent, peer: ev.peer, text: ev.text, detail });
  }
  function next(isFrame, events, shown) {
    const ev = events.length ? events[events.length - 1] : null;
    if (!ev) return null;
    return isFrame || !shown || ev.ts > shown.ts ? ev : null;
  }
  var CaptionStrip = class {
    constructor(el) {
      this.el = el;
      this.last = null;
    }
    /**
     * Show what a message brings, if anything: a frame's newest event, flashed as news; a snapshot's
     * newest event when the page shows none yet (drawn in place: the page just arrived) or when it
     * is newer than the one shown (flashed: a page that fell behind got a snapshot instead of the
     * frames it missed, and with them that event).
     */
    take(msg, events) {
      const ev = next(msg.type === "frame", events, this.last);
      if (ev) this.show(ev, msg.type === "frame" || this.last !== null);
    }
    /** Show an event (or the welcome line if there is none); `flash` it when it just happened. */
    show(ev, flash = true) {
      this.last = ev;
      this.render(flash);
    }
    /** Write the caption again (in the language now chosen); the highlight only says "this is new". */
    render(flash = false) {
      const text2 = this.last ? caption(this.last) : t("cap.welcome");
      this.el.textContent = text2;
      this.el.dataset.kind = this.last ? this.last.kind : "welcome";
      this.el.classList.remove("flash");
      if (!flash) return;
      void this.el.offsetWidth;
      this.el.classList.add("flash");
    }
  };

  // js/state/connection.js
  var BACKOFF_MS = [500, 1e3, 2e3, 4e3, 8e3];
  var REPLY_TIMEOUT_MS = 15e3;
  var PACKED = typeof DecompressionStream === "function";
  function unpack(buffer) {
    return new Response(new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  }
  function takeEarly(url) {
    const early = window.ptlabEarly;
    window.ptlabEarly = null;
    if (!early || early.ws.readyState > WebSocket.OPEN) return null;
    if (early.ws.url === url) return early;
    early.ws.close();
    return null;
  }
  var Connection = class {
    /**
     * @param {object} handlers onMessage(msg), onStatus(status, retryInSeconds)
     */
    constructor({ onMessage, onStatus }) {
      this.onMessage = onMessage;
      this.onStatus = onStatus;
      this.ws = null;
      this.attempt = 0;
      this.nextId = 1;
      this.pending = /* @__PURE__ */ new Map();
      this.timer = null;
    }
    url() {
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      return `${proto}//${location.host}/ws${PACKED ? "?gz=1" : ""}`;
    }
    open() {
      this.onStatus("connecting");
      const url = this.url();
      const early = takeEarly(url);
      const ws = early ? early.ws : new WebSocket(url);
      ws.binaryType = "arraybuffer";
      this.ws = ws;
      let queue = Promise.resolve();
      let waiting = 0;
      let pictured = false;
      const handled = (text2) => {
        this.handle(text2);
        if (!pictured) {
          pictured = true;
          this.onStatus("live");
        }
      };
      ws.onopen = () => {
        this.attempt = 0;
      };
      ws.onmessage = (ev) => {
        if (typeof ev.data === "string" && waiting === 0) {
          handled(ev.data);
          return;
        }
        const text2 = typeof ev.data === "string" ? ev.data : unpack(ev.data);
        waiting += 1;
        queue = queue.then(() => text2).then(
          (t6) => {
            if (this.ws === ws) handled(t6);
          },
          () => {
          }
          // a message that cannot be unpacked is dropped, as one that cannot be parsed
        ).finally(() => {
          waiting -= 1;
        });
      };
      ws.onclose = () => {
        if (this.ws !== ws) return;
        this.ws = null;
        for (const { reject, timer } of this.pending.values()) {
          clearTimeout(timer);
          reject(Object.assign(new Error("connection lost"), { code: "disconnected" }));
        }
        this.pending.clear();
        const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
        this.attempt += 1;
        this.onStatus("lost", Math.round(delay / 100) / 10);
        this.timer = setTimeout(() => this.open(), delay);
      };
      if (early) {
        for (const ev of early.messages) ws.onmessage(ev);
        if (ws.readyState === WebSocket.OPEN) ws.onopen();
      }
    }
    /** One message's text: a reply settles its command, anything else goes to onMessage. */
    handle(text2) {
      let msg;
      try {
        msg = JSON.parse(text2);
      } catch {
        return;
      }
      if ((msg.type === "ack" || msg.type === "error") && msg.id && this.pending.has(msg.id)) {
        const { resolve, reject, timer } = this.pending.get(msg.id);
        clearTimeout(timer);
        this.pending.delete(msg.id);
        if (msg.type === "ack") resolve(msg.result);
        else reject(Object.assign(new Error(msg.message), { code: msg.error }));
        return;
      }
      this.onMessage(msg);
    }
    get connected() {
      return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
    }
    /** Send one command; resolves with the ack's result, rejects with the server's error (or after `timeoutMs`). */
    command(command, timeoutMs = REPLY_TIMEOUT_MS) {
      return this.request({ type: "command", command }, timeoutMs);
    }
    /** A viewer's vote on the lesson's open question: `answer` is a choice's id or a number. */
    vote(question, answer) {
      const body = typeof answer === "number" ? { number: answer } : { choice: answer };
      return this.request({ type: "vote", question, ...body });
    }
    request(message, timeoutMs = REPLY_TIMEOUT_MS) {
      if (!this.connected) {
        return Promise.reject(Object.assign(new Error("not connected"), { code: "disconnected" }));
      }
      const id = `c${this.nextId++}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(Object.assign(new Error("no answer from the server"), { code: "timeout" }));
        }, timeoutMs);
        this.pending.set(id, { resolve, reject, timer });
        this.ws.send(JSON.stringify({ ...message, id }));
      });
    }
  };

  // vendor/lit-html/lit-html.js
  var t2 = globalThis;
  var i = (t6) => t6;
  var s = t2.trustedTypes;
  var e = s ? s.createPolicy("lit-html", { createHTML: (t6) => t6 }) : void 0;
  var h = "$lit$";
  var o = `lit$${Math.random().toFixed(9).slice(2)}$`;
  var n = "?" + o;
  var r = `<${n}>`;
  var l = document;
  var c = () => l.createComment("");
  var a = (t6) => null === t6 || "object" != typeof t6 && "function" != typeof t6;
  var u = Array.isArray;
  var d = (t6) => u(t6) || "function" == typeof t6?.[Symbol.iterator];
  var f = "[ 	\n\f\r]";
  var v = /<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g;
  var _ = /-->/g;
  var m = />/g;
  var p = RegExp(`>|${f}(?:([^\\s"'>=/]+)(${f}*=${f}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`, "g");
  var g = /'/g;
  var $ = /"/g;
  var y = /^(?:script|style|textarea|title)$/i;
  var x = (t6) => (i6, ...s4) => ({ _$litType$: t6, strings: i6, values: s4 });
  var b = x(1);
  var w = x(2);
  var T = x(3);
  var E = /* @__PURE__ */ Symbol.for("lit-noChange");
  var A = /* @__PURE__ */ Symbol.for("lit-nothing");
  var C = /* @__PURE__ */ new WeakMap();
  var P = l.createTreeWalker(l, 129);
  function V(t6, i6) {
    if (!u(t6) || !t6.hasOwnProperty("raw")) throw Error("invalid template strings array");
    return void 0 !== e ? e.createHTML(i6) : i6;
  }
  var N = (t6, i6) => {
    const s4 = t6.length - 1, e5 = [];
    let n3, l3 = 2 === i6 ? "<svg>" : 3 === i6 ? "<math>" : "", c4 = v;
    for (let i7 = 0; i7 < s4; i7++) {
      const s5 = t6[i7];
      let a3, u5, d3 = -1, f3 = 0;
      for (; f3 < s5.length && (c4.lastIndex = f3, u5 = c4.exec(s5), null !== u5); ) f3 = c4.lastIndex, c4 === v ? "!--" === u5[1] ? c4 = _ : void 0 !== u5[1] ? c4 = m : void 0 !== u5[2] ? (y.test(u5[2]) && (n3 = RegExp("</" + u5[2], "g")), c4 = p) : void 0 !== u5[3] && (c4 = p) : c4 === p ? ">" === u5[0] ? (c4 = n3 ?? v, d3 = -1) : void 0 === u5[1] ? d3 = -2 : (d3 = c4.lastIndex - u5[2].length, a3 = u5[1], c4 = void 0 === u5[3] ? p : '"' === u5[3] ? $ : g) : c4 === $ || c4 === g ? c4 = p : c4 === _ || c4 === m ? c4 = v : (c4 = p, n3 = void 0);
      const x3 = c4 === p && t6[i7 + 1].startsWith("/>") ? " " : "";
      l3 += c4 === v ? s5 + r : d3 >= 0 ? (e5.push(a3), s5.slice(0, d3) + h + s5.slice(d3) + o + x3) : s5 + o + (-2 === d3 ? i7 : x3);
    }
    return [V(t6, l3 + (t6[s4] || "<?>") + (2 === i6 ? "</svg>" : 3 === i6 ? "</math>" : "")), e5];
  };
  var S = class _S {
    constructor({ strings: t6, _$litType$: i6 }, e5) {
      let r3;
      this.parts = [];
      let l3 = 0, a3 = 0;
      const u5 = t6.length - 1, d3 = this.parts, [f3, v4] = N(t6, i6);
      if (this.el = _S.createElement(f3, e5), P.currentNode = this.el.content, 2 === i6 || 3 === i6) {
        const t7 = this.el.content.firstChild;
        t7.replaceWith(...t7.childNodes);
      }
      for (; null !== (r3 = P.nextNode()) && d3.length < u5; ) {
        if (1 === r3.nodeType) {
          if (r3.hasAttributes()) for (const t7 of r3.getAttributeNames()) if (t7.endsWith(h)) {
            const i7 = v4[a3++], s4 = r3.getAttribute(t7).split(o), e6 = /([.?@])?(.*)/.exec(i7);
            d3.push({ type: 1, index: l3, name: e6[2], strings: s4, ctor: "." === e6[1] ? I : "?" === e6[1] ? L : "@" === e6[1] ? z : H }), r3.removeAttribute(t7);
          } else t7.startsWith(o) && (d3.push({ type: 6, index: l3 }), r3.removeAttribute(t7));
          if (y.test(r3.tagName)) {
            const t7 = r3.textContent.split(o), i7 = t7.length - 1;
            if (i7 > 0) {
              r3.textContent = s ? s.emptyScript : "";
              for (let s4 = 0; s4 < i7; s4++) r3.append(t7[s4], c()), P.nextNode(), d3.push({ type: 2, index: ++l3 });
              r3.append(t7[i7], c());
            }
          }
        } else if (8 === r3.nodeType) if (r3.data === n) d3.push({ type: 2, index: l3 });
        else {
          let t7 = -1;
          for (; -1 !== (t7 = r3.data.indexOf(o, t7 + 1)); ) d3.push({ type: 7, index: l3 }), t7 += o.length - 1;
        }
        l3++;
      }
    }
    static createElement(t6, i6) {
      const s4 = l.createElement("template");
      return s4.innerHTML = t6, s4;
    }
  };
  function M(t6, i6, s4 = t6, e5) {
    if (i6 === E) return i6;
    let h4 = void 0 !== e5 ? s4._$Co?.[e5] : s4._$Cl;
    const o3 = a(i6) ? void 0 : i6._$litDirective$;
    return h4?.constructor !== o3 && (h4?._$AO?.(false), void 0 === o3 ? h4 = void 0 : (h4 = new o3(t6), h4._$AT(t6, s4, e5)), void 0 !== e5 ? (s4._$Co ??= [])[e5] = h4 : s4._$Cl = h4), void 0 !== h4 && (i6 = M(t6, h4._$AS(t6, i6.values), h4, e5)), i6;
  }
  var R = class {
    constructor(t6, i6) {
      this._$AV = [], this._$AN = void 0, this._$AD = t6, this._$AM = i6;
    }
    get parentNode() {
      return this._$AM.parentNode;
    }
    get _$AU() {
      return this._$AM._$AU;
    }
    u(t6) {
      const { el: { content: i6 }, parts: s4 } = this._$AD, e5 = (t6?.creationScope ?? l).importNode(i6, true);
      P.currentNode = e5;
      let h4 = P.nextNode(), o3 = 0, n3 = 0, r3 = s4[0];
      for (; void 0 !== r3; ) {
        if (o3 === r3.index) {
          let i7;
          2 === r3.type ? i7 = new k(h4, h4.nextSibling, this, t6) : 1 === r3.type ? i7 = new r3.ctor(h4, r3.name, r3.strings, this, t6) : 6 === r3.type && (i7 = new Z(h4, this, t6)), this._$AV.push(i7), r3 = s4[++n3];
        }
        o3 !== r3?.index && (h4 = P.nextNode(), o3++);
      }
      return P.currentNode = l, e5;
    }
    p(t6) {
      let i6 = 0;
      for (const s4 of this._$AV) void 0 !== s4 && (void 0 !== s4.strings ? (s4._$AI(t6, s4, i6), i6 += s4.strings.length - 2) : s4._$AI(t6[i6])), i6++;
    }
  };
  var k = class _k {
    get _$AU() {
      return this._$AM?._$AU ?? this._$Cv;
    }
    constructor(t6, i6, s4, e5) {
      this.type = 2, this._$AH = A, this._$AN = void 0, this._$AA = t6, this._$AB = i6, this._$AM = s4, this.options = e5, this._$Cv = e5?.isConnected ?? true;
    }
    get parentNode() {
      let t6 = this._$AA.parentNode;
      const i6 = this._$AM;
      return void 0 !== i6 && 11 === t6?.nodeType && (t6 = i6.parentNode), t6;
    }
    get startNode() {
      return this._$AA;
    }
    get endNode() {
      return this._$AB;
    }
    _$AI(t6, i6 = this) {
      t6 = M(this, t6, i6), a(t6) ? t6 === A || null == t6 || "" === t6 ? (this._$AH !== A && this._$AR(), this._$AH = A) : t6 !== this._$AH && t6 !== E && this._(t6) : void 0 !== t6._$litType$ ? this.$(t6) : void 0 !== t6.nodeType ? this.T(t6) : d(t6) ? this.k(t6) : this._(t6);
    }
    O(t6) {
      return this._$AA.parentNode.insertBefore(t6, this._$AB);
    }
    T(t6) {
      this._$AH !== t6 && (this._$AR(), this._$AH = this.O(t6));
    }
    _(t6) {
      this._$AH !== A && a(this._$AH) ? this._$AA.nextSibling.data = t6 : this.T(l.createTextNode(t6)), this._$AH = t6;
    }
    $(t6) {
      const { values: i6, _$litType$: s4 } = t6, e5 = "number" == typeof s4 ? this._$AC(t6) : (void 0 === s4.el && (s4.el = S.createElement(V(s4.h, s4.h[0]), this.options)), s4);
      if (this._$AH?._$AD === e5) this._$AH.p(i6);
      else {
        const t7 = new R(e5, this), s5 = t7.u(this.options);
        t7.p(i6), this.T(s5), this._$AH = t7;
      }
    }
    _$AC(t6) {
      let i6 = C.get(t6.strings);
      return void 0 === i6 && C.set(t6.strings, i6 = new S(t6)), i6;
    }
    k(t6) {
      u(this._$AH) || (this._$AH = [], this._$AR());
      const i6 = this._$AH;
      let s4, e5 = 0;
      for (const h4 of t6) e5 === i6.length ? i6.push(s4 = new _k(this.O(c()), this.O(c()), this, this.options)) : s4 = i6[e5], s4._$AI(h4), e5++;
      e5 < i6.length && (this._$AR(s4 && s4._$AB.nextSibling, e5), i6.length = e5);
    }
    _$AR(t6 = this._$AA.nextSibling, s4) {
      for (this._$AP?.(false, true, s4); t6 !== this._$AB; ) {
        const s5 = i(t6).nextSibling;
        i(t6).remove(), t6 = s5;
      }
    }
    setConnected(t6) {
      void 0 === this._$AM && (this._$Cv = t6, this._$AP?.(t6));
    }
  };
  var H = class {
    get tagName() {
      return this.element.tagName;
    }
    get _$AU() {
      return this._$AM._$AU;
    }
    constructor(t6, i6, s4, e5, h4) {
      this.type = 1, this._$AH = A, this._$AN = void 0, this.element = t6, this.name = i6, this._$AM = e5, this.options = h4, s4.length > 2 || "" !== s4[0] || "" !== s4[1] ? (this._$AH = Array(s4.length - 1).fill(new String()), this.strings = s4) : this._$AH = A;
    }
    _$AI(t6, i6 = this, s4, e5) {
      const h4 = this.strings;
      let o3 = false;
      if (void 0 === h4) t6 = M(this, t6, i6, 0), o3 = !a(t6) || t6 !== this._$AH && t6 !== E, o3 && (this._$AH = t6);
      else {
        const e6 = t6;
        let n3, r3;
        for (t6 = h4[0], n3 = 0; n3 < h4.length - 1; n3++) r3 = M(this, e6[s4 + n3], i6, n3), r3 === E && (r3 = this._$AH[n3]), o3 ||= !a(r3) || r3 !== this._$AH[n3], r3 === A ? t6 = A : t6 !== A && (t6 += (r3 ?? "") + h4[n3 + 1]), this._$AH[n3] = r3;
      }
      o3 && !e5 && this.j(t6);
    }
    j(t6) {
      t6 === A ? this.element.removeAttribute(this.name) : this.element.setAttribute(this.name, t6 ?? "");
    }
  };
  var I = class extends H {
    constructor() {
      super(...arguments), this.type = 3;
    }
    j(t6) {
      this.element[this.name] = t6 === A ? void 0 : t6;
    }
  };
  var L = class extends H {
    constructor() {
      super(...arguments), this.type = 4;
    }
    j(t6) {
      this.element.toggleAttribute(this.name, !!t6 && t6 !== A);
    }
  };
  var z = class extends H {
    constructor(t6, i6, s4, e5, h4) {
      super(t6, i6, s4, e5, h4), this.type = 5;
    }
    _$AI(t6, i6 = this) {
      if ((t6 = M(this, t6, i6, 0) ?? A) === E) return;
      const s4 = this._$AH, e5 = t6 === A && s4 !== A || t6.capture !== s4.capture || t6.once !== s4.once || t6.passive !== s4.passive, h4 = t6 !== A && (s4 === A || e5);
      e5 && this.element.removeEventListener(this.name, this, s4), h4 && this.element.addEventListener(this.name, this, t6), this._$AH = t6;
    }
    handleEvent(t6) {
      "function" == typeof this._$AH ? this._$AH.call(this.options?.host ?? this.element, t6) : this._$AH.handleEvent(t6);
    }
  };
  var Z = class {
    constructor(t6, i6, s4) {
      this.element = t6, this.type = 6, this._$AN = void 0, this._$AM = i6, this.options = s4;
    }
    get _$AU() {
      return this._$AM._$AU;
    }
    _$AI(t6) {
      M(this, t6);
    }
  };
  var j = { M: h, P: o, A: n, C: 1, L: N, R, D: d, V: M, I: k, H, N: L, U: z, B: I, F: Z };
  var B = t2.litHtmlPolyfillSupport;
  B?.(S, k), (t2.litHtmlVersions ??= []).push("3.3.3");
  var D = (t6, i6, s4) => {
    const e5 = s4?.renderBefore ?? i6;
    let h4 = e5._$litPart$;
    if (void 0 === h4) {
      const t7 = s4?.renderBefore ?? null;
      e5._$litPart$ = h4 = new k(i6.insertBefore(c(), t7), t7, void 0, s4 ?? {});
    }
    return h4._$AI(t6), h4;
  };

  // vendor/lit-html/directive.js
  var t3 = { ATTRIBUTE: 1, CHILD: 2, PROPERTY: 3, BOOLEAN_ATTRIBUTE: 4, EVENT: 5, ELEMENT: 6 };
  var e2 = (t6) => (...e5) => ({ _$litDirective$: t6, values: e5 });
  var i2 = class {
    constructor(t6) {
    }
    get _$AU() {
      return this._$AM._$AU;
    }
    _$AT(t6, e5, i6) {
      this._$Ct = t6, this._$AM = e5, this._$Ci = i6;
    }
    _$AS(t6, e5) {
      return this.update(t6, e5);
    }
    update(t6, e5) {
      return this.render(...e5);
    }
  };

  // vendor/lit-html/directives/guard.js
  var e3 = {};
  var i3 = e2(class extends i2 {
    constructor() {
      super(...arguments), this.ot = e3;
    }
    render(r3, t6) {
      return t6();
    }
    update(t6, [s4, e5]) {
      if (Array.isArray(s4)) {
        if (Array.isArray(this.ot) && this.ot.length === s4.length && s4.every((r3, t7) => r3 === this.ot[t7])) return E;
      } else if (this.ot === s4) return E;
      return this.ot = Array.isArray(s4) ? Array.from(s4) : s4, this.render(s4, e5);
    }
  });

  // vendor/lit-html/directive-helpers.js
  var { I: t4 } = j;
  var i4 = (o3) => o3;
  var s2 = () => document.createComment("");
  var v2 = (o3, n3, e5) => {
    const l3 = o3._$AA.parentNode, d3 = void 0 === n3 ? o3._$AB : n3._$AA;
    if (void 0 === e5) {
      const i6 = l3.insertBefore(s2(), d3), n4 = l3.insertBefore(s2(), d3);
      e5 = new t4(i6, n4, o3, o3.options);
    } else {
      const t6 = e5._$AB.nextSibling, n4 = e5._$AM, c4 = n4 !== o3;
      if (c4) {
        let t7;
        e5._$AQ?.(o3), e5._$AM = o3, void 0 !== e5._$AP && (t7 = o3._$AU) !== n4._$AU && e5._$AP(t7);
      }
      if (t6 !== d3 || c4) {
        let o4 = e5._$AA;
        for (; o4 !== t6; ) {
          const t7 = i4(o4).nextSibling;
          i4(l3).insertBefore(o4, d3), o4 = t7;
        }
      }
    }
    return e5;
  };
  var u2 = (o3, t6, i6 = o3) => (o3._$AI(t6, i6), o3);
  var m2 = {};
  var p2 = (o3, t6 = m2) => o3._$AH = t6;
  var M2 = (o3) => o3._$AH;
  var h2 = (o3) => {
    o3._$AR(), o3._$AA.remove();
  };

  // vendor/lit-html/directives/repeat.js
  var u3 = (e5, s4, t6) => {
    const r3 = /* @__PURE__ */ new Map();
    for (let l3 = s4; l3 <= t6; l3++) r3.set(e5[l3], l3);
    return r3;
  };
  var c2 = e2(class extends i2 {
    constructor(e5) {
      if (super(e5), e5.type !== t3.CHILD) throw Error("repeat() can only be used in text expressions");
    }
    dt(e5, s4, t6) {
      let r3;
      void 0 === t6 ? t6 = s4 : void 0 !== s4 && (r3 = s4);
      const l3 = [], o3 = [];
      let i6 = 0;
      for (const s5 of e5) l3[i6] = r3 ? r3(s5, i6) : i6, o3[i6] = t6(s5, i6), i6++;
      return { values: o3, keys: l3 };
    }
    render(e5, s4, t6) {
      return this.dt(e5, s4, t6).values;
    }
    update(s4, [t6, r3, c4]) {
      const d3 = M2(s4), { values: p4, keys: a3 } = this.dt(t6, r3, c4);
      if (!Array.isArray(d3)) return this.ut = a3, p4;
      const h4 = this.ut ??= [], v4 = [];
      let m4, y3, x3 = 0, j3 = d3.length - 1, k3 = 0, w3 = p4.length - 1;
      for (; x3 <= j3 && k3 <= w3; ) if (null === d3[x3]) x3++;
      else if (null === d3[j3]) j3--;
      else if (h4[x3] === a3[k3]) v4[k3] = u2(d3[x3], p4[k3]), x3++, k3++;
      else if (h4[j3] === a3[w3]) v4[w3] = u2(d3[j3], p4[w3]), j3--, w3--;
      else if (h4[x3] === a3[w3]) v4[w3] = u2(d3[x3], p4[w3]), v2(s4, v4[w3 + 1], d3[x3]), x3++, w3--;
      else if (h4[j3] === a3[k3]) v4[k3] = u2(d3[j3], p4[k3]), v2(s4, d3[x3], d3[j3]), j3--, k3++;
      else if (void 0 === m4 && (m4 = u3(a3, k3, w3), y3 = u3(h4, x3, j3)), m4.has(h4[x3])) if (m4.has(h4[j3])) {
        const e5 = y3.get(a3[k3]), t7 = void 0 !== e5 ? d3[e5] : null;
        if (null === t7) {
          const e6 = v2(s4, d3[x3]);
          u2(e6, p4[k3]), v4[k3] = e6;
        } else v4[k3] = u2(t7, p4[k3]), v2(s4, d3[x3], t7), d3[e5] = null;
        k3++;
      } else h2(d3[j3]), j3--;
      else h2(d3[x3]), x3++;
      for (; k3 <= w3; ) {
        const e5 = v2(s4, v4[w3 + 1]);
        u2(e5, p4[k3]), v4[k3++] = e5;
      }
      for (; x3 <= j3; ) {
        const e5 = d3[x3++];
        null !== e5 && h2(e5);
      }
      return this.ut = a3, p2(s4, v4), E;
    }
  });

  // js/keys.js
  var FIELDS = "input:not([type=range]), select, textarea";
  function isShortcut(e5) {
    return !(e5.target.closest(FIELDS) || e5.ctrlKey || e5.metaKey || e5.altKey);
  }

  // js/panels/controls.js
  var TOAST_MS = 4500;
  var MAX_TOASTS = 2;
  var RESET_CONFIRM_MS = 4e3;
  function errorText(err, presenter) {
    if (err.code === "disconnected") return { text: t("err.not_connected"), detail: "" };
    const key = `err.code.${err.code}`;
    const known = t(key) !== `⟦${key}⟧`;
    return { text: known ? t(key) : t("err.failed"), detail: presenter || !known ? err.message : "" };
  }
  var Toasts = class {
    constructor(el) {
      this.el = el;
      this.shown = /* @__PURE__ */ new Map();
    }
    /** Show `text` (and a smaller `detail`); the same text again only counts up its badge. */
    show(text2, kind = "error", detail = "") {
      const key = `${text2}
${detail}`;
      const toast = this.shown.get(key) || { key, text: text2, detail, kind, n: 0, timer: null };
      toast.n += 1;
      clearTimeout(toast.timer);
      toast.timer = setTimeout(() => this.drop(key), TOAST_MS);
      this.shown.set(key, toast);
      while (this.shown.size > MAX_TOASTS) this.drop(this.shown.keys().next().value, false);
      this.render();
    }
    /** Show a refused command. */
    error(err, presenter) {
      const { text: text2, detail } = errorText(err, presenter);
      this.show(text2, "error", detail);
    }
    drop(key, redraw2 = true) {
      const toast = this.shown.get(key);
      if (!toast) return;
      clearTimeout(toast.timer);
      this.shown.delete(key);
      if (redraw2) this.render();
    }
    render() {
      const view = (x3) => b`<div class=${`toast ${x3.kind}`} role=${x3.kind === "error" ? "alert" : "status"}>${x3.text}<span class="count"
        >${x3.n > 1 ? `×${x3.n}` : ""}</span
      >${x3.detail ? b`<small class="detail">${x3.detail}</small>` : ""}</div>`;
      D(c2([...this.shown.values()], (x3) => x3.key, view), this.el);
    }
  };
  var Controls = class {
    constructor({ conn: conn2, state: state2, toasts: toasts2, onSelect, redraw: redraw2 }) {
      this.conn = conn2;
      this.state = state2;
      this.toasts = toasts2;
      this.onSelect = onSelect;
      this.redraw = redraw2;
      this.selection = { pid: null, tid: null };
      this.activity = document.getElementById("activity");
    }
    get presenter() {
      return this.state.role === "presenter";
    }
    bind() {
      document.querySelectorAll("[data-action]").forEach((btn) => {
        btn.addEventListener("click", () => this.act(btn.dataset.action));
      });
      document.getElementById("lang").addEventListener("click", () => setLang(getLang() === "en" ? "ko" : "en"));
      document.getElementById("theme").addEventListener("click", () => this.toggleTheme());
      document.getElementById("fullscreen").addEventListener("click", () => this.fullscreen());
      document.getElementById("help").addEventListener("click", () => this.help());
      document.getElementById("help-close").addEventListener("click", () => document.getElementById("helpdlg").close());
      document.addEventListener("keydown", (e5) => this.key(e5));
      const svg2 = document.getElementById("diagram");
      svg2.addEventListener("click", (e5) => {
        const th = e5.target.closest(".thread");
        const card2 = e5.target.closest(".card");
        if (th) this.select(Number(th.dataset.pid), Number(th.dataset.tid));
        else if (card2) this.select(Number(card2.dataset.pid), null);
      });
      const theme = localStorage.getItem("ptlab.theme");
      if (theme) document.body.dataset.theme = theme;
    }
    select(pid, tid) {
      this.selection = { pid, tid };
      this.onSelect(this.selection);
      this.redraw();
    }
    /** Keep the selection on something that exists; tell onSelect only when it changed (this runs every frame). */
    reconcile() {
      const { pid, tid } = this.selection;
      const p4 = pid !== null ? this.state.processes.get(pid) : null;
      if (!p4 || p4.status !== "running") {
        const running = this.state.ordered().filter((q2) => q2.status === "running");
        this.selection = { pid: running.length ? running[running.length - 1].pid : null, tid: null };
      } else if (tid !== null && !p4.threads.some((th) => th.tid === tid)) {
        this.selection = { pid, tid: null };
      }
      if (this.selection.pid !== pid || this.selection.tid !== tid || !this.announced) {
        this.announced = true;
        this.onSelect(this.selection);
      }
    }
    key(e5) {
      if (!isShortcut(e5)) return;
      const k3 = e5.key;
      if (k3 === "?") return this.help();
      if ((k3 === "j" || k3 === "J") && this.presenter) return document.getElementById("join").click();
      if (k3 === "F" && e5.shiftKey) return this.fullscreen();
      const map = { p: "spawn_process", t: "spawn_thread", f: "fork", r: "reset", delete: "stop_selected" };
      const action = e5.shiftKey ? void 0 : map[k3.toLowerCase()];
      if (!action) return;
      e5.preventDefault();
      this.act(action);
    }
    async act(action) {
      if (document.body.classList.contains("read-only")) return this.toasts.show(t("err.code.read_only"));
      if (!this.presenter) return this.toasts.show(t("err.forbidden"));
      const { pid, tid } = this.selection;
      let command;
      switch (action) {
        case "spawn_process":
          command = { op: "spawn_process" };
          break;
        case "fork":
          if (pid === null) return this.toasts.show(t("err.no_selection"));
          command = { op: "spawn_process", parent: pid };
          break;
        case "spawn_thread":
          if (pid === null) return this.toasts.show(t("err.no_selection"));
          command = { op: "spawn_thread", pid, activity: this.activity.value };
          break;
        case "stop_thread":
          if (tid === null) return this.toasts.show(t("err.no_thread"));
          command = { op: "stop_thread", pid, tid };
          break;
        case "stop_process":
          if (pid === null) return this.toasts.show(t("err.no_selection"));
          command = { op: "stop_process", pid };
          break;
        case "stop_selected":
          return this.act(tid !== null ? "stop_thread" : "stop_process");
        case "reset":
          if (!this.resetArmed || performance.now() - this.resetArmed > RESET_CONFIRM_MS) {
            this.resetArmed = performance.now();
            return this.toasts.show(t("reset.confirm"), "info");
          }
          this.resetArmed = 0;
          command = { op: "reset" };
          break;
        default:
          return void 0;
      }
      try {
        const result = await this.conn.command(command);
        if (command.op === "spawn_process") this.select(result.pid, null);
        if (command.op === "spawn_thread") this.select(result.pid, result.tid);
        if (command.op === "stop_thread") this.select(pid, null);
        return result;
      } catch (err) {
        this.toasts.error(err, this.presenter);
        return void 0;
      }
    }
    toggleTheme() {
      const next2 = document.body.dataset.theme === "light" ? "dark" : "light";
      document.body.dataset.theme = next2;
      localStorage.setItem("ptlab.theme", next2);
      this.redraw();
    }
    /** Presentation mode: everything 1.25× larger, the controls hidden (the keys still work), full screen. */
    fullscreen() {
      document.body.classList.toggle("present");
      document.documentElement.classList.toggle("present", document.body.classList.contains("present"));
      if (!document.fullscreenElement) document.documentElement.requestFullscreen?.().catch(() => {
      });
      else document.exitFullscreen?.();
      this.redraw();
      window.dispatchEvent(new Event("resize"));
    }
    help() {
      const dlg = document.getElementById("helpdlg");
      if (dlg.open) dlg.close();
      else {
        dlg.showModal();
        dlg.scrollTop = 0;
      }
    }
  };

  // js/layout/layout.js
  var KIND_ORDER = ["code", "data", "heap", "shared", "other"];
  var GAP = 10;
  var MIN_CARD_W = 380;
  var MIN_CARD_H = 240;
  function layoutGrid(n3, W2, H3) {
    if (n3 === 0) return { cols: 0, rows: 0, cw: 0, ch: 0, scale: 1, width: W2, height: H3 };
    let best = null;
    for (let cols2 = 1; cols2 <= n3; cols2 += 1) {
      const rows2 = Math.ceil(n3 / cols2);
      const cw2 = (W2 - GAP * (cols2 + 1)) / cols2;
      const ch2 = (H3 - GAP * (rows2 + 1)) / rows2;
      const fit = Math.min(cw2 / MIN_CARD_W, ch2 / MIN_CARD_H);
      const shape = Math.min(cw2 / ch2, ch2 * 1.6 / cw2);
      const score = Math.min(fit, 1.4) * 10 + shape;
      if (!best || score > best.score) best = { cols: cols2, rows: rows2, cw: cw2, ch: ch2, score };
    }
    let { cols, rows, cw, ch } = best;
    let width = W2;
    let height = H3;
    let scale = 1;
    if (cw < MIN_CARD_W || ch < MIN_CARD_H) {
      cw = Math.max(cw, MIN_CARD_W);
      ch = Math.max(ch, MIN_CARD_H);
      width = cols * cw + GAP * (cols + 1);
      height = rows * ch + GAP * (rows + 1);
      scale = Math.min(W2 / width, H3 / height);
    }
    return { cols, rows, cw, ch, scale, width, height };
  }
  var MIN_TEXT = 14;
  var MIN_TEXT_PHONE = 12;
  var PHONE_W = 600;
  var PHONE_CARD_H = 330;
  var BASE_MINI_W = 170;
  var BASE_MINI_H = 84;
  function stageLayout(n3, W2, H3, focus = n3 - 1, minText = MIN_TEXT) {
    if (W2 <= PHONE_W) {
      const boxes = Array.from({ length: n3 }, (_3, i6) => ({
        x: GAP,
        y: GAP + i6 * (PHONE_CARD_H + GAP),
        w: W2 - 2 * GAP,
        h: PHONE_CARD_H,
        mini: false
      }));
      return { mode: "stack", width: W2, height: Math.max(H3, GAP + n3 * (PHONE_CARD_H + GAP)), boxes };
    }
    const g3 = layoutGrid(n3, W2, H3);
    if (g3.scale >= 1) {
      return { mode: "grid", width: W2, height: H3, boxes: fillLastRow(g3, n3, W2) };
    }
    return focusLayout(n3, W2, H3, Math.max(0, Math.min(n3 - 1, focus)), minText / MIN_TEXT);
  }
  function fillLastRow(g3, n3, W2) {
    const boxes = Array.from({ length: n3 }, (_3, i6) => ({ ...cardBox(g3, i6), mini: false }));
    const last = n3 - (g3.rows - 1) * g3.cols;
    if (g3.rows > 1 && last < g3.cols) {
      const w3 = (W2 - GAP * (last + 1)) / last;
      for (let j3 = 0; j3 < last; j3 += 1) Object.assign(boxes[n3 - last + j3], { x: GAP + j3 * (w3 + GAP), w: w3 });
    }
    return boxes;
  }
  function focusLayout(n3, W2, H3, focus, k3) {
    const m4 = n3 - 1;
    const [MINI_W, MINI_H] = [BASE_MINI_W * k3, BASE_MINI_H * k3];
    let best = null;
    for (let cols = 1; cols <= m4; cols += 1) {
      const rows = Math.ceil(m4 / cols);
      const h4 = (H3 - GAP * (rows + 1)) / rows;
      if (h4 < MINI_H) continue;
      const w3 = Math.max(MINI_W, Math.min(MINI_W * 1.5, h4 * 2.2));
      const width = cols * w3 + GAP * (cols - 1);
      if (!best || width < best.width) best = { cols, rows, w: w3, h: h4, width };
    }
    best = best || { cols: m4, rows: 1, w: MINI_W, h: MINI_H, width: m4 * MINI_W + GAP * (m4 - 1) };
    let height = H3;
    if (MIN_CARD_W + best.width + 3 * GAP > W2) {
      const cols = Math.max(1, Math.floor((W2 - MIN_CARD_W - 2 * GAP) / (MINI_W + GAP)));
      const rows = Math.ceil(m4 / cols);
      best = { cols, rows, w: MINI_W, h: MINI_H, width: cols * MINI_W + GAP * (cols - 1) };
      height = Math.max(H3, GAP + rows * (MINI_H + GAP));
    }
    const focusW = Math.max(MIN_CARD_W, W2 - best.width - 3 * GAP);
    const x0 = GAP + focusW + GAP;
    const boxes = [];
    let j3 = 0;
    for (let i6 = 0; i6 < n3; i6 += 1) {
      if (i6 === focus) {
        boxes.push({ x: GAP, y: GAP, w: focusW, h: H3 - 2 * GAP, mini: false });
        continue;
      }
      const c4 = j3 % best.cols;
      const r3 = Math.floor(j3 / best.cols);
      boxes.push({ x: x0 + c4 * (best.w + GAP), y: GAP + r3 * (best.h + GAP), w: best.w, h: best.h, mini: true });
      j3 += 1;
    }
    return { mode: "focus", width: W2, height, boxes };
  }
  function cardBox(g3, i6) {
    const c4 = i6 % g3.cols;
    const r3 = Math.floor(i6 / g3.cols);
    return { x: GAP + c4 * (g3.cw + GAP), y: GAP + r3 * (g3.ch + GAP), w: g3.cw, h: g3.ch };
  }
  function forkArrow(parent, child, pad = 8) {
    const overlapY = [Math.max(parent.y, child.y), Math.min(parent.y + parent.h, child.y + child.h)];
    const overlapX = [Math.max(parent.x, child.x), Math.min(parent.x + parent.w, child.x + child.w)];
    const sideBySide = overlapY[1] - overlapY[0] > 80 && Math.abs(parent.x < child.x ? child.x - parent.x - parent.w : parent.x - child.x - child.w) <= GAP + 1;
    const stacked = overlapX[1] - overlapX[0] > 80 && Math.abs(parent.y < child.y ? child.y - parent.y - parent.h : parent.y - child.y - child.h) <= GAP + 1;
    if (sideBySide) {
      const right = parent.x < child.x;
      const mid = right ? parent.x + parent.w + GAP / 2 : child.x + child.w + GAP / 2;
      const y3 = (overlapY[0] + overlapY[1]) / 2;
      const a3 = { x: mid - (GAP / 2 + pad * 0.6) * (right ? 1 : -1), y: y3 };
      const b3 = { x: mid + (GAP / 2 + pad * 0.6) * (right ? 1 : -1), y: y3 };
      return { points: [a3, b3], label: { x: mid, y: y3 - 50, rotate: -90 } };
    }
    if (stacked) {
      const down = parent.y < child.y;
      const mid = down ? parent.y + parent.h + GAP / 2 : child.y + child.h + GAP / 2;
      const x3 = (overlapX[0] + overlapX[1]) / 2;
      const a3 = { x: x3, y: mid - (GAP / 2 + pad * 0.6) * (down ? 1 : -1) };
      const b3 = { x: x3, y: mid + (GAP / 2 + pad * 0.6) * (down ? 1 : -1) };
      return { points: [a3, b3], label: { x: x3 + 12, y: mid, rotate: 0 } };
    }
    const half = GAP / 2;
    const above = child.y + child.h <= parent.y;
    const hy = above ? parent.y - half : parent.y + parent.h + half;
    const fromLeft = child.x > parent.x;
    const vx = fromLeft ? child.x - half : child.x + child.w + half;
    const sx = fromLeft || child.x === parent.x ? parent.x + parent.w - 30 : parent.x + 30;
    const cy = child.y + child.h / 2;
    const points = [
      { x: sx, y: above ? parent.y + 2 : parent.y + parent.h - 2 },
      { x: sx, y: hy },
      { x: vx, y: hy },
      { x: vx, y: cy },
      { x: fromLeft ? child.x + pad * 0.6 : child.x + child.w - pad * 0.6, y: cy }
    ];
    return { points, label: { x: vx, y: (hy + cy) / 2, rotate: -90 } };
  }
  function shmRoute(a3, ya, b3, yb, inset) {
    const half = GAP / 2;
    const hy = b3.y >= a3.y + a3.h ? a3.y + a3.h + half : b3.y + b3.h <= a3.y ? a3.y - half : a3.y + a3.h + half;
    const sameColumn = Math.abs(a3.x - b3.x) < 1;
    return [
      { x: a3.x + inset, y: ya },
      { x: a3.x - half, y: ya },
      ...sameColumn ? [] : [{ x: a3.x - half, y: hy }, { x: b3.x - half, y: hy }],
      { x: b3.x - half, y: yb },
      { x: b3.x + inset, y: yb }
    ];
  }
  function pathOf(points) {
    return points.map((p4, i6) => `${i6 ? "L" : "M"}${p4.x.toFixed(1)},${p4.y.toFixed(1)}`).join(" ");
  }
  function bands(regions) {
    const byKind = new Map(KIND_ORDER.map((k3) => [k3, []]));
    for (const r3 of regions || []) {
      if (r3.kind !== "stack") byKind.get(r3.kind).push(r3);
    }
    return KIND_ORDER.filter((k3) => k3 !== "shared" || byKind.get(k3).length).map((kind) => {
      const regs = byKind.get(kind);
      const bytes = regs.filter((r3) => !r3.perms.startsWith("---")).reduce((s4, r3) => s4 + (r3.end - r3.start), 0);
      return { kind, regions: regs, bytes };
    }).filter((b3) => b3.kind !== "other" || b3.regions.length);
  }
  function metrics(w3, h4, footLines, minText) {
    const fs = Math.max(minText + 1, 15, Math.min(26, h4 / 12.5, w3 / 19));
    const small = Math.max(minText, fs * 0.8);
    const lines = Array.from({ length: footLines }, () => small * 1.3);
    const footH = lines.reduce((a3, b3) => a3 + b3, 0) + (footLines ? fs * 0.15 : 0);
    return { fs, small, minText, headH: fs * 1.6, pad: fs * 0.45, lines, footH };
  }
  function columnWidth(m4, w3, spec) {
    return Math.min(w3 * (!spec.exited && spec.threads > 4 ? 0.3 : 0.4), m4.fs * 9);
  }
  function column(m4, w3, h4, spec) {
    const { fs, small, headH, pad, footH, minText } = m4;
    const col = { x: pad, y: headH + pad, w: columnWidth(m4, w3, spec), h: h4 - headH - footH - pad * 2 };
    const n3 = spec.bands.length;
    const nT = Math.max(1, spec.slices);
    const wanted = Math.min(col.h * 0.55, Math.max(col.h * 0.28, nT * (Math.max(10, small * 0.95, minText * 1.12) + 3)));
    const stackH = Math.max(Math.min(wanted, col.h - n3 * (small + 4)), Math.min(col.h * 0.5, nT * 9));
    const restH = col.h - stackH - 4 * n3;
    const weights = spec.bands.map((b3) => 1 + Math.log2(1 + b3.bytes / 4096));
    const minBand = Math.min(fs * 1.15, restH / Math.max(1, n3));
    const flex = Math.max(0, restH - minBand * n3);
    const wsum = weights.reduce((a3, b3) => a3 + b3, 0) || 1;
    let y3 = col.y;
    const bandBoxes = spec.bands.map((b3, i6) => {
      const box = { kind: b3.kind, x: col.x, y: y3, w: col.w, h: minBand + flex * weights[i6] / wsum };
      y3 += box.h + 4;
      return box;
    });
    const gap = Math.min(3, stackH * 0.25 / nT);
    const sliceH = (stackH - gap * (nT - 1)) / nT;
    const slices = Array.from({ length: nT }, (_3, i6) => ({ x: col.x, y: y3 + i6 * (sliceH + gap), w: col.w, h: sliceH }));
    return { col, bands: bandBoxes, stack: { x: col.x, y: y3, w: col.w, h: stackH }, slices };
  }
  function chipFit(threads, width, height, m4) {
    const minH = m4.minText / 0.62 + 2;
    const gap = Math.max(3, m4.fs * 0.2);
    const maxCols = Math.max(1, Math.min(3, Math.floor(width / (m4.minText * 9))));
    const fitRows = Math.max(1, Math.floor((height + gap) / (minH + gap)));
    for (let cols = 1; cols <= maxCols; cols += 1) {
      if (threads <= fitRows * cols && (cols > 1 || threads <= 5 || maxCols === 1)) {
        return { shown: threads, hidden: 0, cols, rows: Math.ceil(threads / cols) || 1 };
      }
    }
    const room = fitRows * maxCols;
    return { shown: room - 1, hidden: threads - (room - 1), cols: maxCols, rows: fitRows };
  }
  function panel(m4, w3, h4, spec, mem) {
    const { fs, small, pad, footH } = m4;
    const { col } = mem;
    const x3 = col.x + col.w + fs * 1.6;
    const width = w3 - pad - x3;
    const byKind = Object.fromEntries(mem.bands.map((b3) => [b3.kind, b3]));
    const titleY = col.y + small * 0.7;
    const top = titleY + small * 0.9;
    const gap = Math.max(3, fs * 0.2);
    const fit = spec.fit;
    const { cols, rows } = fit;
    const chipH = Math.min(fs * 2.6, (h4 - footH - pad - top - gap * (rows - 1)) / rows);
    const chipW = (width - gap * (cols - 1)) / cols;
    const count2 = fit.shown + (fit.hidden ? 1 : 0);
    const chips = Array.from({ length: count2 }, (_3, i6) => ({
      x: x3 + Math.floor(i6 / rows) * (chipW + gap),
      y: top + i6 % rows * (chipH + gap),
      w: chipW,
      h: chipH
    }));
    const bracket = {
      top: byKind.code ? byKind.code.y : col.y,
      bottom: byKind.heap ? byKind.heap.y + byKind.heap.h : col.y + col.h / 2,
      x: col.x + col.w + fs * 0.5
    };
    return { x: x3, w: width, titleY, chips, twoLine: chipH >= fs * 2.05, swatch: Math.min(fs * 1.1, chipH * 0.6), bracket };
  }
  function cardLayout(w3, h4, spec) {
    const m4 = metrics(w3, h4, spec.footLines, spec.minText || MIN_TEXT);
    const x3 = m4.pad + columnWidth(m4, w3, spec) + m4.fs * 1.6;
    const chipsH = h4 - m4.footH - m4.pad - (m4.headH + m4.pad + m4.small * 1.6);
    const fit = spec.exited ? { shown: 0, hidden: 0, cols: 1, rows: 1 } : chipFit(spec.threads, w3 - m4.pad - x3, chipsH, m4);
    const sliceKinds = [
      ...Array(fit.shown).fill("thread"),
      ...fit.hidden ? ["hidden"] : [],
      ...spec.copied ? ["copied"] : []
    ];
    const full = { ...spec, fit, slices: sliceKinds.length };
    const mem = column(m4, w3, h4, full);
    const pan = panel(m4, w3, h4, full, mem);
    let y3 = h4 - m4.footH + m4.fs * 0.1;
    const foot = m4.lines.map((lh) => {
      const line = { y: y3 + lh / 2, h: lh };
      y3 += lh;
      return line;
    });
    return { ...m4, w: w3, h: h4, ...mem, panel: pan, foot, fit, sliceKinds };
  }
  function miniLayout(w3, h4, minText = MIN_TEXT) {
    const pad = 8;
    const fs = Math.max(minText + 2, Math.min(20, h4 / 4.6));
    const line = Math.max(minText, fs * 0.82);
    return {
      w: w3,
      h: h4,
      pad,
      fs,
      line,
      title: { x: pad, y: pad + fs * 0.6 },
      facts: [pad + fs * 1.2 + line * 0.7, pad + fs * 1.2 + line * 1.9],
      strip: { x: pad, y: h4 - pad - 6, w: w3 - 2 * pad, h: 6 }
    };
  }
  var LANE_MIN_ROW = 30;
  var LANE_MAX_ROW = 56;
  function laneRows(procs, H3, focusPid = null, minRow = LANE_MIN_ROW, maxRow = LANE_MAX_ROW) {
    const threadRows = procs.reduce((n3, p4) => n3 + p4.tids.length, 0);
    const all = procs.length + threadRows;
    let open = new Set(procs.map((p4) => p4.pid));
    if (all * minRow > H3 && procs.length) {
      const keep = procs.some((p4) => p4.pid === focusPid) ? focusPid : procs[0].pid;
      open = /* @__PURE__ */ new Set([keep]);
    }
    const count2 = procs.reduce((n3, p4) => n3 + 1 + (open.has(p4.pid) ? p4.tids.length : 0), 0);
    const h4 = count2 ? Math.max(minRow, Math.min(maxRow, Math.floor(H3 / count2))) : minRow;
    const rows = [];
    let y3 = 0;
    for (const p4 of procs) {
      rows.push({ key: `p${p4.pid}`, kind: "process", pid: p4.pid, tid: null, y: y3, h: h4, collapsed: !open.has(p4.pid) });
      y3 += h4;
      if (!open.has(p4.pid)) continue;
      for (const tid of p4.tids) {
        rows.push({ key: `t${tid}`, kind: "thread", pid: p4.pid, tid, y: y3, h: h4, collapsed: false });
        y3 += h4;
      }
    }
    return { rows, rowH: h4, height: y3, collapsed: procs.filter((p4) => !open.has(p4.pid)).map((p4) => p4.pid) };
  }
  function laneBars(points, w3, h4, ticks) {
    const step = w3 / ticks;
    const x0 = w3 - points.length * step;
    const byCpu = /* @__PURE__ */ new Map();
    points.forEach((pt, i6) => {
      if (!pt || pt.load <= 0) return;
      const bh = Math.max(1, Math.min(1, pt.load) * h4);
      const d3 = `M${(x0 + i6 * step).toFixed(1)},${h4}v${(-bh).toFixed(1)}h${step.toFixed(2)}v${bh.toFixed(1)}z`;
      byCpu.set(pt.cpu, (byCpu.get(pt.cpu) || "") + d3);
    });
    return [...byCpu].sort((a3, b3) => a3[0] - b3[0]).map(([cpu, d3]) => ({ cpu, d: d3 }));
  }

  // js/draw/card.js
  var ENTER_MS = 700;
  var enter = (age) => age < ENTER_MS ? "enter" : "";
  function fitted(texts, width, max, min) {
    for (const text2 of texts) {
      const f3 = fitFont(text2, width, max, 0);
      if (f3 >= min) return { text: text2, f: f3 };
    }
    return null;
  }
  function text(x3, y3, cls, fit, extra = {}) {
    if (!fit) return A;
    const anchor = extra.anchor || "start";
    return w`<text x=${x3} y=${y3} class=${cls} text-anchor=${anchor} dominant-baseline="central" font-size=${fit.f}>${fit.text}</text>`;
  }
  function swatch(kind, x3, y3, w3, h4) {
    return w`<rect x=${x3} y=${y3} width=${w3} height=${h4} class=${`fill-${kind}`}/>
    <rect x=${x3} y=${y3} width=${w3} height=${h4} class=${`pat-${kind}`}/>`;
  }
  function bandView(b3, box, L3, name) {
    const first = b3.regions[0];
    const { x: x3, y: y3, w: w3, h: h4 } = box;
    const label = h4 >= L3.minText * 1.05 ? fitted([name], w3 - 12, Math.min(L3.small, h4 * 0.9), L3.minText) : null;
    const sizeFit = label ? fitted([size(b3.bytes)], w3 - 18 - fitWidth(name, label.f) / BOLD - label.f * 0.6, L3.minText, L3.minText) : null;
    return w`<g class=${`band kind-${b3.kind}`} data-kind=${b3.kind} data-bytes=${b3.bytes}
      data-count=${b3.regions.length} data-start=${first ? first.start : ""} data-tip="band">
    ${swatch(b3.kind, x3, y3, w3, h4)}
    ${text(x3 + 8, y3 + h4 / 2, "band-label", label)}
    ${sizeFit ? text(x3 + w3 - 6, y3 + h4 / 2, "band-size", sizeFit, { anchor: "end" }) : A}
  </g>`;
  }
  function sliceView(slice, box, L3, age) {
    const { x: x3, y: y3, w: w3, h: h4 } = box;
    const { th, copies, hidden, step } = slice;
    const st = th ? th.stack : copies ? copies[0] : null;
    const tmp = step ? `tmp = ${step.tmp === null ? "–" : step.tmp}` : null;
    const names = tmp ? [`${t("kind.stack")} ${th.tid} · ${tmp}`, tmp, `${th.tid}`] : th ? [`${t("kind.stack")} ${th.tid}`, `${th.tid}`] : copies ? [t(copies.length === 1 ? "kind.copied_1" : "kind.copied_n", { n: copies.length }), t("kind.copied_short", { n: copies.length }), `+${copies.length}`] : [t("kind.more_stacks", { n: hidden }), `+${hidden}`];
    const label = h4 >= L3.minText * 1.05 ? fitted(names, w3 - 10, Math.min(L3.small, h4 * 0.9), L3.minText) : null;
    const cls = `band kind-stack stack-slice${th && th.main ? " main" : ""}${copies ? " copied" : ""}${hidden ? " more" : ""} ${enter(age)}`;
    const sp = th && st ? spOf(th) : null;
    return w`<g class=${cls} data-kind="stack" data-tid=${th ? th.tid : 0} data-start=${st ? st.start : ""} data-tmp=${step && step.tmp !== null ? step.tmp : A}
      data-end=${st ? st.end : ""} data-count=${copies ? copies.length : hidden || 1} data-tip="slice">
    ${swatch("stack", x3, y3, w3, h4)}
    ${th && st && st.guard ? w`<rect x=${x3} y=${y3 + h4 - 2} width=${w3} height="2" class="guard"/>` : A}
    ${text(x3 + 8, y3 + h4 / 2, "band-label", label)}
    ${sp !== null ? spPin(sp, st, box) : A}
  </g>`;
  }
  function spOf(th) {
    const sp = th.regs ? th.regs.sp : null;
    return sp !== null && th.stack && sp >= th.stack.start && sp <= th.stack.end ? sp : null;
  }
  function spPin(sp, st, box) {
    const { x: x3, y: y3, w: w3, h: h4 } = box;
    const s4 = Math.max(4, Math.min(10, h4 * 0.8));
    const py = y3 + Math.min(h4 - s4 / 2, Math.max(s4 / 2, h4 * (st.end - sp) / (st.end - st.start)));
    return w`<path class="sp-pin" data-sp=${sp} d=${`M${x3 + w3},${py} l${-s4},${-s4 / 2} v${s4} z`}></path>`;
  }
  var WAITS = {
    futex: "futex",
    futex_waitv: "futex",
    clock_nanosleep: "sleep",
    nanosleep: "sleep",
    pause: "other",
    read: "read",
    recvfrom: "read",
    recvmsg: "read",
    write: "write",
    select: "select",
    pselect6: "select",
    poll: "select",
    ppoll: "select",
    epoll_wait: "select",
    epoll_pwait: "select",
    epoll_pwait2: "select",
    wait4: "child",
    waitid: "child",
    accept: "accept",
    accept4: "accept"
  };
  function waitWords(regs, call = true) {
    if (!regs.syscall) return t("wait.none");
    const words = t(`wait.${WAITS[regs.syscall] || "other"}`);
    return call ? t("wait.call", { words, call: regs.syscall }) : words;
  }
  function mappingAt(regions, addr) {
    const r3 = (regions || []).find((x3) => x3.start <= addr && addr < x3.end);
    if (!r3) return "?";
    return r3.path && !r3.path.startsWith("[") ? r3.path.split("/").pop() : t(`kind.${r3.kind}`);
  }
  function stateWord(s4) {
    const w3 = t(`state.${s4}`);
    return w3.startsWith("⟦") ? s4 : w3;
  }
  function threadName(th) {
    return th.main ? t("thread.main") : th.py_name || t(`activity.${th.activity}`);
  }
  function chipText(th) {
    const label = `${t("thread.tid", { tid: th.tid })}${th.main ? ` · ${t("thread.main")}` : ""}`;
    const doing = th.main ? "" : ` · ${threadName(th)}`;
    const cpu = t("thread.cpu", { cpu: th.cpu });
    const info = `${stateWord(th.state)} · ${cpu}${doing}`;
    const brief = `${stateWord(th.state)} · ${cpu}`;
    const waits = th.regs ? [`${waitWords(th.regs)}${doing}`, `${waitWords(th.regs, false)}${doing}`] : [];
    return { label, info, brief, waits, short: `${th.tid} ${threadName(th)}` };
  }
  function chipLines(th, box, L3) {
    const { x: x3, y: y3, w: w3, h: h4 } = box;
    const words = chipText(th);
    const tx = x3 + L3.panel.swatch + 10;
    const room = w3 - L3.panel.swatch - 16;
    const run = th.state === "R";
    const two = L3.panel.twoLine ? fitted([words.label], room - 20, L3.fs * 0.92, L3.minText) : null;
    const lines = [...words.waits, words.info, words.brief];
    const info = two ? fitted(lines, room - 20, Math.max(L3.minText, two.f * 0.8), L3.minText) : null;
    if (!two || !info) {
      const r3 = h4 * 0.36;
      const cpu = r3 * 1.35 >= L3.minText;
      const one = fitted([words.short, `${th.tid}`], room - (cpu ? h4 * 0.8 : 14), Math.min(L3.small, h4 * 0.62), L3.minText);
      return w`${text(tx, y3 + h4 / 2, "thread-tid", one)}
      <circle cx=${x3 + w3 - (cpu ? h4 * 0.45 : 10)} cy=${y3 + h4 / 2} r=${cpu ? r3 : Math.min(6, h4 / 4)} class=${`dot-${run ? "run" : "wait"}`}/>
      ${cpu ? w`<text x=${x3 + w3 - h4 * 0.45} y=${y3 + h4 / 2 + 0.5} class=${`dot-cpu${run ? " run" : ""}`} text-anchor="middle" dominant-baseline="central" font-size=${r3 * 1.35}>${th.cpu}</text>` : A}`;
    }
    return w`${text(tx, y3 + h4 * 0.33, "thread-tid", two)}
    ${text(tx, y3 + h4 * 0.72, "thread-info", info)}
    <circle cx=${x3 + w3 - 12} cy=${y3 + h4 / 2} r=${Math.min(7, h4 / 4)} class=${`dot-${run ? "run" : "wait"}`}/>`;
  }
  function chipView(p4, th, box, L3, ctx) {
    const selected = ctx.selection.pid === p4.pid && ctx.selection.tid === th.tid;
    const touched = p4.counter && p4.counter.last_tid === th.tid;
    const cls = `thread state-${th.state}${th.main ? " main" : ""}${selected ? " selected" : ""}${touched ? " touched" : ""} ${enter(ctx.state.age(`t:${p4.pid}:${th.tid}`))}`;
    const sw = L3.panel.swatch;
    return w`<g class=${cls} data-pid=${p4.pid} data-tid=${th.tid} data-state=${th.state} data-cpu=${th.cpu}
      data-activity=${th.activity} data-tip="thread">
    <rect x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="6" class="chip"/>
    ${swatch("stack", box.x + 5, box.y + (box.h - sw) / 2, sw * 0.8, sw)}
    ${chipLines(th, box, L3)}
  </g>`;
  }
  function activitySummary(threads, most = Infinity) {
    const counts = /* @__PURE__ */ new Map();
    for (const th of threads) {
      const a3 = th.main ? "main" : th.activity;
      counts.set(a3, (counts.get(a3) || 0) + 1);
    }
    const parts = [...counts].sort((a3, b3) => b3[1] - a3[1]).map(([a3, n3]) => `${n3} ${t(`activity.${a3}`)}`);
    return parts.length > most ? `${parts.slice(0, most).join(" · ")} …` : parts.join(" · ");
  }
  function moreChipView(p4, hidden, box, L3) {
    const { x: x3, y: y3, w: w3, h: h4 } = box;
    const label = fitted([`${t("thread.more", { n: hidden.length })} · ${activitySummary(hidden)}`, t("thread.more", { n: hidden.length })], w3 - 16, Math.min(L3.small, h4 * 0.62), L3.minText);
    return w`<g class="thread-more" data-pid=${p4.pid} data-count=${hidden.length} data-tip="more">
    <rect x=${x3} y=${y3} width=${w3} height=${h4} rx="6" class="chip more"/>
    ${text(x3 + 8, y3 + h4 / 2, "thread-tid", label)}
  </g>`;
  }
  function counterLines(p4, processes, server) {
    const c4 = p4.counter;
    if (!c4 || p4.status !== "running") return [];
    const own = t("card.counter", { addr: hex(c4.address), value: c4.value });
    const last = c4.last_tid ? ` · ${t("counter.last", { tid: c4.last_tid })}` : "";
    const lines = [{ texts: [own + last, own], cls: "own", data: c4 }];
    const kin = [processes.get(p4.parent), ...[...processes.values()].filter((q2) => q2.parent === p4.pid)];
    let page = "";
    let cow = "";
    if (c4.frame !== null && c4.frame !== void 0) {
      page = t("counter.frame", { frame: hex(c4.frame) });
      const twin = kin.find((q2) => q2 && q2.status === "running" && q2.counter && q2.counter.address === c4.address && q2.counter.frame);
      if (twin) cow = t(twin.counter.frame === c4.frame ? "counter.cow_same" : "counter.cow_copied", { pid: twin.pid });
    } else if (c4.exclusive !== null && c4.exclusive !== void 0) {
      const forked = kin.some((q2) => q2 && q2.status === "running" && q2.counter && q2.counter.address === c4.address);
      if (forked) page = t(c4.exclusive ? "counter.cow_own" : "counter.cow_shared");
    } else if (server && !server.pagemap) {
      page = t("counter.no_frames");
    }
    if (page && kin.some(Boolean)) lines.push({ texts: cow ? [`${page} · ${cow}`, cow] : [page], cls: "page" });
    for (const s4 of c4.shm || []) {
      lines.push({ texts: [t("counter.shm", { addr: hex(s4.address), value: s4.value })], cls: "shm", data: s4 });
    }
    return lines;
  }
  function footerView(lines, L3) {
    return c2(
      lines,
      (line) => line.cls + (line.data && line.data.path ? line.data.path : ""),
      (line, i6) => {
        const fit = fitted(line.texts, (L3.w - 2 * L3.pad) * 0.92, L3.small, L3.minText);
        const d3 = line.data || {};
        return fit ? w`<text x=${L3.pad} y=${L3.foot[i6].y} class=${`counter ${line.cls}`} dominant-baseline="central" font-size=${fit.f}
        data-address=${d3.address ?? ""} data-value=${d3.value ?? ""} data-frame=${d3.frame ?? ""} data-path=${d3.path ?? ""}>${fit.text}</text>` : A;
      }
    );
  }
  function headView(p4, L3) {
    const title = t("card.pid", { pid: p4.pid });
    const rss = t("card.rss", { size: size(p4.rss) });
    const inner = p4.inner_pid ? ` · ${t("card.inner", { pid: p4.inner_pid })}` : "";
    const run = p4.run ? `${p4.probe === false ? t("card.noprobe", { run: p4.run }) : t("card.run", { run: p4.run })}${inner} · ` : "";
    const subs = p4.status === "exited" ? [t("card.exited", { reason: p4.exit ? detailText(p4.exit.reason) : "?" }), t("card.gone")] : [`${run}${p4.parent ? t("card.forked", { pid: p4.parent }) : t("card.ppid", { ppid: p4.ppid })} · ${rss}`, `${run}${rss}`, rss];
    const room = L3.w - 2 * L3.pad - fitWidth(title, L3.fs * 1.05) - L3.fs;
    return w`<rect x="0" y="0" width=${L3.w} height=${L3.h} rx="10" class="card-bg"/>
    <rect x="0" y="0" width=${L3.w} height=${L3.headH} rx="10" class="card-head"/>
    <text x=${L3.pad} y=${L3.headH / 2 + 1} class="card-title" dominant-baseline="central" font-size=${L3.fs * 1.05}>${title}</text>
    ${text(L3.w - L3.pad, L3.headH / 2 + 1, "card-sub", fitted(subs, room, L3.small, L3.minText), { anchor: "end" })}`;
  }
  function panelView(m4) {
    const { L: L3 } = m4;
    const { bracket: b3, x: x3, titleY } = L3.panel;
    const colEnd = L3.col.x + L3.col.w;
    const n3 = m4.threads.length;
    const titles = n3 > 1 ? [t("card.threads", { n: n3 }), t("card.threads_short", { n: n3 })] : [t("card.thread1")];
    const links = m4.slices.filter((sl) => sl.th || sl.hidden).map((sl, i6) => {
      const slice = L3.slices[i6];
      const chip = L3.panel.chips[i6];
      const sy = slice.y + slice.h / 2;
      const cy = chip.y + chip.h / 2;
      return w`<path class="stack-link" d=${`M${colEnd},${sy} C${b3.x + L3.fs},${sy} ${chip.x - L3.fs},${cy} ${chip.x},${cy}`}/>`;
    });
    return w`<path class="share-bracket" d=${`M${colEnd + 2},${b3.top} H${b3.x} V${b3.bottom} H${colEnd + 2} M${b3.x},${(b3.top + b3.bottom) / 2} H${x3 - 4} V${titleY}`}/>
    ${text(x3, titleY, "share-label", fitted(titles, L3.panel.w, L3.small, L3.minText))}
    ${links}`;
  }
  function cardModel(p4, box, ctx) {
    const exited = p4.status === "exited";
    const threads = exited ? [] : [...p4.threads].sort((a3, b3) => (b3.main ? 1 : 0) - (a3.main ? 1 : 0) || a3.tid - b3.tid);
    const copied = exited ? [] : (p4.regions || []).filter((r3) => r3.kind === "stack" && r3.tid === 0 && !r3.guard);
    const unread = exited && !(p4.regions || []).length;
    const bs = unread ? [] : bands(p4.regions);
    const foot = counterLines(p4, ctx.state.processes, ctx.state.server);
    const spec = { exited, threads: threads.length, copied: copied.length, bands: bs, footLines: foot.length, minText: ctx.minText };
    const L3 = cardLayout(box.w, box.h, spec);
    const shown = threads.slice(0, L3.fit.shown);
    const hidden = threads.slice(L3.fit.shown);
    const partners = ctx.partners.get(p4.pid);
    const name = (kind) => kind === "shared" && partners ? `${t("kind.shared")} ↔ ${[...new Set(partners)].join(", ")}` : t(`kind.${kind}`);
    const slices = [
      ...shown.map((th) => ({ key: `t${th.tid}`, th, step: p4.stepped ? p4.stepped.threads.find((x3) => x3.tid === th.tid) : null })),
      ...hidden.length ? [{ key: "more", hidden: hidden.length }] : [],
      ...copied.length ? [{ key: "copied", copies: copied }] : []
    ];
    const ages = new Map(threads.map((th) => [th.tid, ctx.state.age(`t:${p4.pid}:${th.tid}`)]));
    return { p: p4, box, exited, unread, threads, shown, hidden, bs, foot, L: L3, name, slices, ages, drawn: performance.now() };
  }
  function memoryDeps(m4) {
    const entering = m4.shown.some((th) => m4.ages.get(th.tid) < ENTER_MS);
    const stacks = m4.slices.map((sl) => sl.th && sl.th.stack ? `${sl.key}:${sl.th.stack.start}-${sl.th.stack.end}:${spOf(sl.th)}` : `${sl.key}:${sl.hidden || ""}`).join();
    const tmps = m4.p.stepped ? m4.p.stepped.threads.map((x3) => x3.tmp).join() : "";
    return [m4.p.regions, stacks, tmps, m4.box.w, m4.box.h, m4.foot.length, getLang(), m4.name("shared"), entering && m4.drawn];
  }
  function memoryView(m4) {
    const { L: L3, bs, slices, name } = m4;
    return w`${c2(bs, (b3) => b3.kind, (b3, i6) => bandView(b3, L3.bands[i6], L3, name(b3.kind)))}
    ${c2(slices, (sl) => sl.key, (sl, i6) => sliceView(sl, L3.slices[i6], L3, sl.th ? m4.ages.get(sl.th.tid) : ENTER_MS))}`;
  }
  function chipDeps(p4, th, box, ctx) {
    const selected = ctx.selection.pid === p4.pid && ctx.selection.tid === th.tid;
    const touched = p4.counter && p4.counter.last_tid === th.tid;
    const age = ctx.state.age(`t:${p4.pid}:${th.tid}`);
    return [th, box.x, box.y, box.w, box.h, selected, touched, getLang(), age < ENTER_MS ? age : ENTER_MS];
  }
  function cardView(m4, ctx) {
    const { p: p4, box, exited, shown, hidden, foot, L: L3 } = m4;
    const selected = ctx.selection.pid === p4.pid;
    const age = ctx.state.age(`p:${p4.pid}`);
    const chips = L3.panel.chips;
    return w`<g class=${`card${selected ? " selected" : ""}${exited ? " exited" : ""}`} data-pid=${p4.pid}
      data-run=${p4.run ?? ""} data-probe=${String(p4.probe !== false)}
      data-status=${p4.status} data-x=${box.x} data-y=${box.y} data-w=${box.w} data-h=${box.h}
      style=${`transform: translate(${box.x}px, ${box.y}px)`}>
    <g class=${`card-body ${enter(age)}`}>
      ${headView(p4, L3)}
      ${i3(memoryDeps(m4), () => memoryView(m4))}
      ${exited && !m4.unread ? w`<g class="band kind-stack" data-kind="stack">${swatch("stack", L3.stack.x, L3.stack.y, L3.stack.w, L3.stack.h)}</g>` : A}
      ${m4.unread ? text(L3.pad, L3.col.y + L3.small, "card-sub", fitted([t("card.no_map")], L3.w - 2 * L3.pad, L3.small, L3.minText)) : A}
      ${exited ? A : panelView(m4)}
      ${c2(shown, (th) => th.tid, (th, i6) => i3(chipDeps(p4, th, chips[i6], ctx), () => chipView(p4, th, chips[i6], L3, ctx)))}
      ${hidden.length ? moreChipView(p4, hidden, chips[shown.length], L3) : A}
      ${footerView(foot, L3)}
    </g>
  </g>`;
  }
  function regionTip(r3) {
    const params = { kind: t(`kind.${r3.kind}`), start: hex(r3.start), end: hex(r3.end), size: size(r3.end - r3.start) };
    return t("tip.region", { ...params, perms: r3.perms, path: r3.path || "" });
  }
  function bandTip(b3) {
    const tip = t("tip.band", { kind: t(`kind.${b3.kind}`), count: b3.regions.length, size: size(b3.bytes) });
    return b3.regions.length ? `${tip}
${b3.regions.slice(0, 6).map(regionTip).join("\n")}` : tip;
  }
  function chipTip(p4, th, state2) {
    const { label, info } = chipText(th);
    const shared = p4.counter ? `
${t("card.counter", { addr: hex(p4.counter.address), value: p4.counter.value })}` : "";
    const times = t("tip.times", { u: th.utime.toFixed(2), s: th.stime.toFixed(2) });
    return `${label}
${info}
${regsTip(p4, th, state2)}
${times}
${t("tip.switches", { v: th.vcsw, i: th.ivcsw })}${shared}`;
  }
  function regsTip(p4, th, state2) {
    if (th.regs) {
      const words = { sp: hex(th.regs.sp), pc: hex(th.regs.pc), where: mappingAt(p4.regions, th.regs.pc) };
      return `${waitWords(th.regs)}
${t("tip.regs", words)}`;
    }
    if (state2.server && state2.server.registers === false) return t("tip.regs_withheld");
    return th.state === "R" ? t("tip.regs_running") : t("tip.regs_withheld");
  }
  function sliceTip(p4, el) {
    const tid = Number(el.dataset.tid);
    const th = p4.threads.find((x3) => x3.tid === tid);
    const st = th ? th.stack : (p4.regions || []).find((r3) => r3.start === Number(el.dataset.start));
    if (!st) return t("kind.more_stacks", { n: el.dataset.count });
    const span2 = { start: hex(st.start), end: hex(st.end), size: size(st.end - st.start) };
    if (!th) return t("tip.copied", span2);
    const sp = spOf(th);
    const pin = sp === null ? "" : `
${t("tip.sp", { sp: hex(sp), used: size(st.end - sp) })}`;
    return t("tip.stack", { tid, ...span2 }) + pin;
  }
  function tipFor(el, state2) {
    const card2 = el.closest(".card");
    const p4 = card2 && state2.processes.get(Number(card2.dataset.pid));
    if (!p4) return "";
    const kind = el.dataset.tip;
    if (kind === "band") return bandTip(bands(p4.regions).find((b3) => b3.kind === el.dataset.kind) || { kind: el.dataset.kind, regions: [], bytes: 0 });
    if (kind === "slice") return sliceTip(p4, el);
    if (kind === "mini" || kind === "more") return `${t("card.pid", { pid: p4.pid })}: ${activitySummary(p4.threads)}`;
    const th = p4.threads.find((x3) => x3.tid === Number(el.dataset.tid));
    return th ? chipTip(p4, th, state2) : "";
  }

  // js/state/wire.js
  function decodeRegions(table) {
    if (Array.isArray(table) || table == null) return table;
    const names = [];
    for (const entry of table.paths) {
      names.push(typeof entry === "string" ? entry : names[names.length - 1].slice(0, entry[0]) + entry[1]);
    }
    const out = [];
    let at = 0;
    for (const row of table.rows) {
      const start = at + row[0] * table.page;
      at = start + row[1] * table.page;
      out.push({
        start,
        end: at,
        perms: row[2],
        kind: row[3],
        path: names[row[4]],
        tid: row.length > 5 ? row[5] : null,
        guard: row.length > 5 ? Boolean(row[6]) : false
      });
    }
    return out;
  }
  function expandProcess(p4) {
    return p4.regions && !Array.isArray(p4.regions) ? { ...p4, regions: decodeRegions(p4.regions) } : p4;
  }

  // js/state/state.js
  function applyPatch(old, patch) {
    const { patch: _marker, threads: changedThreads = [], tids, ...fields } = patch;
    const out = { ...old, ...fields };
    const threads = new Map(old.threads.map((t6) => [t6.tid, t6]));
    for (const t6 of changedThreads) threads.set(t6.tid, { ...threads.get(t6.tid) || {}, ...t6 });
    const order = tids || old.threads.map((t6) => t6.tid);
    out.threads = order.filter((tid) => threads.has(tid)).map((tid) => threads.get(tid));
    return out;
  }
  function drawnAlike(a3, b3) {
    if (a3 === b3) return true;
    const keys = Object.keys(b3);
    if (keys.length !== Object.keys(a3).length) return false;
    for (const k3 of keys) if (k3 !== "threads" && a3[k3] !== b3[k3]) return false;
    if (a3.threads.length !== b3.threads.length) return false;
    return b3.threads.every((t6, i6) => {
      const o3 = a3.threads[i6];
      if (o3 === t6) return true;
      const tk = Object.keys(t6);
      return tk.length === Object.keys(o3).length && tk.every((k3) => k3 === "load" || o3[k3] === t6[k3]);
    });
  }
  var LabState = class {
    constructor() {
      this.processes = /* @__PURE__ */ new Map();
      this.server = null;
      this.costs = null;
      this.switchSweep = null;
      this.focus = { pid: null, tid: null, panel: false };
      this.lesson = null;
      this.run = null;
      this.role = "viewer";
      this.seq = 0;
      this.ts = 0;
      this.firstSeen = /* @__PURE__ */ new Map();
      this.lastNew = -Infinity;
    }
    /** Apply one server message; returns the new events it carried. */
    apply(msg) {
      let events = [];
      const now = performance.now();
      if (msg.type === "snapshot") {
        this.server = msg.server;
        this.role = msg.role;
        const fresh = /* @__PURE__ */ new Map();
        for (const p4 of msg.processes) fresh.set(p4.pid, expandProcess(p4));
        this.processes = fresh;
        for (const p4 of fresh.values()) this.markSeen(p4.pid, p4.threads, -Infinity);
        this.lesson = msg.lesson || null;
        this.run = msg.run || null;
        events = msg.events;
      } else if (msg.type === "frame") {
        for (const changed of msg.changed) {
          const p4 = expandProcess(changed);
          const old = this.processes.get(p4.pid);
          const patched = p4.patch && old;
          this.processes.set(p4.pid, patched ? applyPatch(old, p4) : p4);
          this.markSeen(p4.pid, patched ? p4.threads || [] : p4.threads, now);
        }
        for (const pid of msg.removed) this.processes.delete(pid);
        events = msg.events;
      } else {
        return [];
      }
      if (msg.costs) this.costs = msg.costs;
      if (msg.switch_sweep) this.switchSweep = msg.switch_sweep;
      if (msg.focus) this.focus = msg.focus;
      if (msg.lesson) this.lesson = msg.lesson;
      if (msg.lesson_off) this.lesson = null;
      if (msg.run) this.run = msg.run;
      this.seq = msg.seq;
      this.ts = msg.ts;
      if (this.firstSeen.size > 4096) this.forgetUnseen();
      return events;
    }
    /** Note when a process and the given threads of it were first drawn (what is known already keeps its time). */
    markSeen(pid, threads, now) {
      const pk = `p:${pid}`;
      const before = this.firstSeen.size;
      if (!this.firstSeen.has(pk)) this.firstSeen.set(pk, now);
      for (const th of threads) {
        const tk = `t:${pid}:${th.tid}`;
        if (!this.firstSeen.has(tk)) this.firstSeen.set(tk, now);
      }
      if (this.firstSeen.size !== before) this.lastNew = now;
    }
    /** Milliseconds since anything was first seen: past the entry animations, no card need ask its age. */
    sinceNew() {
      return performance.now() - this.lastNew;
    }
    /** Forget first sightings of processes no longer on screen (a long lesson). */
    forgetUnseen() {
      const live = new Set(["p", "t"].flatMap((k3) => [...this.processes.keys()].map((pid) => `${k3}:${pid}`)));
      for (const key of this.firstSeen.keys()) {
        const [k3, pid] = key.split(":");
        if (!live.has(`${k3}:${pid}`)) this.firstSeen.delete(key);
      }
    }
    /** Milliseconds since an element was first drawn (for entry animations). */
    age(key) {
      const t0 = this.firstSeen.get(key);
      return t0 === void 0 ? Infinity : performance.now() - t0;
    }
    /** Processes in a stable order: by start time, forked children after their parents. */
    ordered() {
      return [...this.processes.values()].sort((a3, b3) => a3.started - b3.started || a3.pid - b3.pid);
    }
    /** The processes on the stage: in lesson mode the presenter's own from before it are set aside. */
    staged() {
      const aside = new Set(this.lesson ? this.lesson.aside || [] : []);
      return this.ordered().filter((p4) => !aside.has(p4.pid));
    }
  };

  // js/draw/minicard.js
  function strip(p4, box) {
    const bs = bands(p4.regions).filter((b3) => b3.bytes > 0);
    const weights = bs.map((b3) => 1 + Math.log2(1 + b3.bytes / 4096));
    const total = weights.reduce((a3, b3) => a3 + b3, 0) || 1;
    let x3 = box.x;
    return bs.map((b3, i6) => {
      const w3 = box.w * weights[i6] / total;
      const part = w`<rect x=${x3} y=${box.y} width=${w3} height=${box.h} class=${`fill-${b3.kind}`}/>`;
      x3 += w3;
      return part;
    });
  }
  var threadsWord = (n3) => n3 === 1 ? t("card.thread1") : t("mini.threads", { n: n3 });
  function miniView(p4, box, ctx) {
    const L3 = miniLayout(box.w, box.h, ctx.minText);
    const exited = p4.status === "exited";
    const selected = ctx.selection.pid === p4.pid;
    const n3 = p4.threads.length;
    const facts = exited ? [[t("card.gone")], []] : [
      [`${threadsWord(n3)} · ${size(p4.rss)}`, threadsWord(n3)],
      [activitySummary(p4.threads), activitySummary(p4.threads, 2), activitySummary(p4.threads, 1)]
    ];
    const room = box.w - 2 * L3.pad;
    const lines = facts.map((texts) => texts.length ? fitted(texts, room, L3.line, ctx.minText) : null);
    const pid = t("card.pid", { pid: p4.pid });
    const title = fitted([p4.parent ? `${pid} ← ${p4.parent}` : pid, pid, `${p4.pid}`], room * BOLD, L3.fs, ctx.minText);
    return w`<g class=${`card mini${selected ? " selected" : ""}${exited ? " exited" : ""}`} data-pid=${p4.pid}
      data-run=${p4.run ?? ""} data-probe=${String(p4.probe !== false)}
      data-status=${p4.status} data-x=${box.x} data-y=${box.y} data-w=${box.w} data-h=${box.h} data-tip="mini"
      style=${`transform: translate(${box.x}px, ${box.y}px)`}>
    <g class=${`card-body ${enter(ctx.state.age(`p:${p4.pid}`))}`}>
      <rect x="0" y="0" width=${box.w} height=${box.h} rx="8" class="card-bg"/>
      ${title ? w`<text x=${L3.title.x} y=${L3.title.y} class="card-title" dominant-baseline="central" font-size=${title.f}>${title.text}</text>` : A}
      ${lines.map((fit, i6) => fit ? w`<text x=${L3.pad} y=${L3.facts[i6]} class="card-sub" dominant-baseline="central" font-size=${fit.f}>${fit.text}</text>` : A)}
      ${exited ? A : strip(p4, L3.strip)}
    </g>
  </g>`;
  }

  // js/draw/diagram.js
  function sharedPartners(procs) {
    const byPath = /* @__PURE__ */ new Map();
    for (const p4 of procs) {
      if (p4.status !== "running") continue;
      for (const r3 of p4.regions || []) {
        if (r3.kind === "shared" && r3.path) {
          if (!byPath.has(r3.path)) byPath.set(r3.path, /* @__PURE__ */ new Set());
          byPath.get(r3.path).add(p4.pid);
        }
      }
    }
    const partners = /* @__PURE__ */ new Map();
    for (const pids of byPath.values()) {
      for (const pid of pids) {
        const others = [...pids].filter((q2) => q2 !== pid);
        if (others.length) partners.set(pid, [...partners.get(pid) || [], ...others]);
      }
    }
    return { byPath, partners };
  }
  function linksView(models, byPath) {
    const byPid = new Map(models.map((m4) => [m4.p.pid, m4]));
    const parentOf = (p4) => byPid.has(p4.ppid) ? p4.ppid : null;
    const forks = models.filter((m4) => m4.p.status === "running" && parentOf(m4.p) && !m4.mini && !byPid.get(parentOf(m4.p)).mini).map((m4) => {
      const parent = byPid.get(parentOf(m4.p));
      return { key: m4.p.pid, parent: parent.p.pid, ...forkArrow(parent.box, m4.box, Math.min(parent.L.pad, m4.L.pad)) };
    });
    const shm = [];
    for (const [path, pids] of byPath) {
      const [first, ...rest] = [...pids].map((pid) => byPid.get(pid));
      for (const other of rest) {
        const [ya, yb] = [first, other].map((m4) => {
          const band = m4.L && m4.L.bands[m4.bs.findIndex((b3) => b3.kind === "shared")];
          return band ? m4.box.y + band.y + band.h / 2 : null;
        });
        if (!first || !other || ya === null || yb === null) continue;
        const d3 = pathOf(shmRoute(first.box, ya, other.box, yb, first.L.col.x));
        shm.push({ key: `${path}:${other.p.pid}`, path, d: d3 });
      }
    }
    return w`<g class="links-front">
    ${c2(forks, (f3) => f3.key, (f3) => w`<g class="fork" data-parent=${f3.parent} data-child=${f3.key}>
      <path class="fork-link" d=${pathOf(f3.points)} marker-end="url(#arrow)"/>
      <text x=${f3.label.x} y=${f3.label.y} transform=${`rotate(${f3.label.rotate} ${f3.label.x} ${f3.label.y})`} class="fork-label"
        text-anchor=${f3.label.rotate ? "middle" : "start"} dominant-baseline="central" font-size="16">fork()</text></g>`)}
    ${c2(shm, (s4) => s4.key, (s4) => w`<path class="shm-link" data-path=${s4.path} d=${s4.d}><title>${s4.path}</title></path>`)}
  </g>`;
  }
  function setIfChanged(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  function render(svgEl, ctx) {
    const scroller = svgEl.parentElement;
    const W2 = scroller.clientWidth;
    const H3 = scroller.clientHeight;
    const procs = ctx.state.staged();
    const focus = procs.findIndex((p4) => p4.pid === ctx.selection.pid);
    const minText = (W2 <= PHONE_W ? MIN_TEXT_PHONE : MIN_TEXT) * (document.body.classList.contains("present") ? 1.25 : 1);
    const stage = stageLayout(procs.length, W2, H3, focus >= 0 ? focus : procs.length - 1, minText);
    setIfChanged(svgEl, "viewBox", `0 0 ${stage.width} ${stage.height}`);
    setIfChanged(svgEl, "height", String(stage.height));
    setIfChanged(svgEl, "data-mode", stage.mode);
    setIfChanged(svgEl, "data-scale", "1.000");
    if (!procs.length) {
      const lines = [ctx.emptyText].flat();
      const size2 = Math.max(minText + 4, Math.min(28, (W2 - 40) / Math.max(...lines.map((l3) => textUnits(l3)))));
      D(
        w`${lines.map((l3, i6) => w`<text x=${W2 / 2} y=${H3 / 2 + (i6 - (lines.length - 1) / 2) * size2 * 1.4} text-anchor="middle" class=${`empty${i6 ? " empty-more" : ""}`} font-size=${size2}>${l3}</text>`)}`,
        svgEl
      );
      return;
    }
    const { byPath, partners } = sharedPartners(procs);
    const c4 = { ...ctx, partners, minText };
    const cards = procs.map((p4, i6) => card(p4, stage.boxes[i6], c4));
    const models = cards.map((x3) => x3.model);
    const view = (x3) => i3([x3.p, x3.key, x3.drawn], () => x3.mini ? miniView(x3.p, x3.box, c4) : cardView(x3.model, c4));
    D(w`${c2(cards, (x3) => x3.p.pid, view)}${linksView(models, byPath)}`, svgEl);
    for (const pid of memo.keys()) if (!ctx.state.processes.has(pid)) memo.delete(pid);
  }
  var memo = /* @__PURE__ */ new Map();
  function cardKey(p4, box, ctx) {
    const sel = ctx.selection.pid === p4.pid ? `${ctx.selection.tid}` : "-";
    const kin = [ctx.state.processes.get(p4.parent), ...[...ctx.state.processes.values()].filter((q2) => q2.parent === p4.pid)].map((q2) => q2 ? `${q2.pid}:${q2.status}:${q2.counter ? q2.counter.frame : ""}` : "").join();
    return [box.x, box.y, box.w, box.h, box.mini, sel, ctx.partners.get(p4.pid), kin, getLang(), ctx.minText, ctx.state.server && ctx.state.server.pagemap].join("|");
  }
  function miniFacts(p4) {
    return [p4.pid, p4.parent, p4.status, p4.run, p4.probe, p4.rss, p4.threads.map((th) => th.activity).join()].join("|");
  }
  function card(p4, box, ctx) {
    const moving = ctx.state.sinceNew() < ENTER_MS && (ctx.state.age(`p:${p4.pid}`) < ENTER_MS || p4.threads.some((th) => ctx.state.age(`t:${p4.pid}:${th.tid}`) < ENTER_MS));
    const key = cardKey(p4, box, ctx);
    const hit = memo.get(p4.pid);
    const facts = box.mini ? miniFacts(p4) : null;
    const same = hit && (box.mini ? hit.p === p4 || hit.facts === facts && hit.p.regions === p4.regions : drawnAlike(hit.p, p4));
    if (!moving && same && hit.key === key) return hit;
    const model = box.mini ? { p: p4, box, mini: true } : cardModel(p4, box, ctx);
    const entry = { p: p4, box, key, mini: box.mini, facts, model, drawn: (hit ? hit.drawn : 0) + 1 };
    memo.set(p4.pid, entry);
    return entry;
  }

  // js/panels/costs.js
  function figure(row, v4 = row.median) {
    if (row.unit === "s") return dur(v4);
    if (row.unit === "B") return size(Math.max(0, v4));
    if (row.unit === "x") return `${v4.toFixed(2)}×`;
    if (row.unit === "share") return `${Math.round(v4 * 100)} %`;
    return String(v4);
  }
  var GROUPS = [
    ["costs.creation", [["costs.thread", "thread", "stack"], ["costs.fork", "fork", "heap"], ["costs.spawn", "spawn", "code"]]],
    ["costs.memory", [["costs.thread", "thread_uss", "stack"], ["costs.fork", "fork_uss", "heap"], ["costs.spawn", "spawn_uss", "code"]]],
    ["costs.switch", [["costs.sw_threads", "threads", "stack"], ["costs.sw_processes", "processes", "heap"], ["costs.sw_cross", "processes_cross", "code"]]],
    ["costs.speedup", [["costs.threadsN", "threads_speedup", "stack"], ["costs.processesN", "processes_speedup", "heap"]]],
    ["costs.share", [["costs.threadsN", "thread_cpu_share", "stack"], ["costs.processesN", "process_cpu_share", "heap"]]]
  ];
  var CPU_GROUPS = /* @__PURE__ */ new Set(["costs.speedup", "costs.share"]);
  var pct = (v4) => `${Math.round(v4 * 100)} %`;
  function loadNote(costs) {
    const load = t("costs.load", { other: pct(costs.other_load), steal: pct(costs.steal) });
    if (costs.reliable) return { reliable: true, text: load };
    const other = pct(costs.other_load);
    const why = costs.other_load >= 0.25 ? t("costs.unreliable", { other }) : costs.timed_out ? t("costs.unreliable_time", { s: costs.budget, other }) : costs.cancelled ? t("costs.unreliable_cancelled") : t("costs.unreliable_runs", { other });
    return { reliable: false, text: why };
  }
  function barWidths(rows) {
    const log = rows[0][1].unit === "s" || rows[0][1].unit === "B";
    const vals = rows.map(([, r3]) => Math.max(r3.median, 1e-9));
    const top = Math.max(...vals);
    const bottom = Math.min(...vals);
    return (v4) => log ? 20 + 80 * Math.log(v4 / bottom + 1) / Math.log(top / bottom + 1) : 100 * v4 / Math.max(top, 1);
  }
  function groupView(gkey, rows, n3, doubtful) {
    const width = barWidths(rows);
    return b`<tr class="group"><th colspan="3">${t(gkey, { n: n3 })}</th></tr>
    ${rows.map(
      ([label, r3, kind]) => b`<tr data-name=${r3.name} data-median=${r3.median} class=${doubtful ? "doubtful" : ""}>
        <td>${t(label, { n: n3 })}</td>
        <td class="fig"><b>${figure(r3)}</b> <span class="range">${figure(r3, r3.low)}–${figure(r3, r3.high)} · n=${r3.n}</span></td>
        <td class="barcell"><div class=${`cbar bar-${kind}`} style=${`width:${width(Math.max(r3.median, 1e-9)).toFixed(1)}%`}></div></td>
      </tr>`
    )}`;
  }
  function progressView(elapsed, budget, words = "costs.measuring") {
    return b`<p class="costs-progress" role="status">
    <progress max=${budget} value=${Math.min(elapsed, budget)}></progress>
    ${t(words, { s: Math.round(elapsed), budget })}</p>`;
  }
  function costsView(costs) {
    if (!costs) return b`<p class="hint">${t("costs.none")}</p>`;
    const byName = new Map(costs.rows.map((r3) => [r3.name, r3]));
    const n3 = costs.tasks || 2;
    const load = loadNote(costs);
    const groups = GROUPS.map(([gkey, items]) => [gkey, items.map(([label, name, kind]) => [label, byName.get(name), kind]).filter(([, r3]) => r3)]).filter(
      ([, rows]) => rows.length
    );
    const meta = t("costs.meta", { pid: costs.pid, s: costs.seconds.toFixed(1), cpus: costs.cpus, n: n3, task: dur(costs.task_seconds) });
    const discarded = costs.discarded.length ? ` · ${t("costs.discarded", { k: costs.discarded.length })}` : "";
    const notes = [...load.reliable ? [t("costs.note_gil")] : [], t("costs.note_switch"), t("costs.note_fork")];
    return b`<div class="costs-grid">
    <table class="costs-table">${groups.map(([gkey, rows]) => groupView(gkey, rows, n3, CPU_GROUPS.has(gkey) && !load.reliable))}</table>
    <div class="costs-aside">
      <p class=${`costs-load ${load.reliable ? "ok" : "warn"}`} role=${load.reliable ? "note" : "alert"}>${load.text}</p>
      <ul class="notes">${notes.map((x3) => b`<li>${x3}</li>`)}</ul>
      <p class="costs-meta">${meta}${discarded}${costs.cancelled ? ` · ${t("race.cancelled")}` : ""}${costs.timed_out ? ` · ${t("costs.timed_out", { s: costs.budget })}` : ""}</p>
    </div>
  </div>`;
  }

  // js/layout/sweep.js
  var KINDS = ["thread", "process"];
  var FLOOR_US = 0.1;
  var KNEE = 2;
  var SAME = 0.25;
  function series(sweep, tasks) {
    return sweep.points.filter((p4) => p4.tasks === tasks).sort((a3, b3) => a3.bytes - b3.bytes);
  }
  function ringSizes(sweep) {
    return [...new Set(sweep.points.map((p4) => p4.tasks))].sort((a3, b3) => a3 - b3);
  }
  function sweepChart(sweep, w3, h4, pad = { left: 56, right: 14, top: 26, bottom: 40 }) {
    const together = (p4) => p4.bytes * p4.tasks;
    const sized = sweep.points.filter((p4) => p4.bytes > 0);
    const caches = Object.entries(sweep.caches || {}).filter(([, v4]) => v4);
    const xs = [...sized.map(together), ...caches.map(([, v4]) => v4)];
    const lo = Math.log2(Math.min(...xs, 4096)) - 2;
    const hi = Math.log2(Math.max(...xs, 8192));
    const x0 = pad.left;
    const x1 = w3 - pad.right;
    const x3 = (bytes) => bytes <= 0 ? x0 : x0 + (Math.log2(bytes) - lo) / (hi - lo) * (x1 - x0);
    const us2 = sweep.points.flatMap((p4) => [p4.thread_us, p4.process_us]).map((v4) => Math.max(v4, FLOOR_US));
    const ylo = Math.floor(Math.log10(Math.min(...us2, 1)));
    const yhi = Math.max(ylo + 1, Math.ceil(Math.log10(Math.max(...us2, 1))));
    const y0 = h4 - pad.bottom;
    const y1 = pad.top;
    const y3 = (v4) => y0 - (Math.log10(Math.max(v4, FLOOR_US)) - ylo) / (yhi - ylo) * (y0 - y1);
    const lines = ringSizes(sweep).flatMap(
      (tasks) => KINDS.map((kind) => {
        const pts = series(sweep, tasks).map((p4) => ({
          x: x3(together(p4)),
          y: y3(p4[`${kind}_us`]),
          us: p4[`${kind}_us`],
          spread: p4[`${kind}_spread`],
          bytes: p4.bytes
        }));
        return { kind, tasks, points: pts, d: pts.map((p4, i6) => `${i6 ? "L" : "M"}${p4.x.toFixed(1)},${p4.y.toFixed(1)}`).join("") };
      })
    );
    const marks2 = caches.map(([name, bytes]) => ({ name, bytes, x: x3(bytes) }));
    const xticks = [{ bytes: 0, x: x0 }];
    const step = (x1 - x0) / (hi - lo) * 2 >= 60 ? 2 : 4;
    for (let e5 = Math.ceil(lo + 2); e5 <= hi; e5 += step) xticks.push({ bytes: 2 ** e5, x: x3(2 ** e5) });
    const yticks = [];
    for (let e5 = ylo; e5 <= yhi; e5 += 1) yticks.push({ us: 10 ** e5, y: y3(10 ** e5) });
    return { lines, marks: marks2, xticks, yticks, box: { x0, x1, y0, y1 } };
  }
  function cachePassed(caches, bytes) {
    const passed = Object.entries(caches || {}).filter(([, v4]) => v4 && v4 < bytes);
    passed.sort((a3, b3) => a3[1] - b3[1]);
    return passed.length ? passed[passed.length - 1][0] : null;
  }
  function sweepVerdict(sweep) {
    const pts = series(sweep, 2);
    const base = pts.find((p4) => p4.bytes === 0);
    if (!base) return null;
    const t0 = Math.max(base.thread_us, FLOOR_US);
    const p0 = Math.max(base.process_us, FLOOR_US);
    const ratio = p0 / t0;
    const small = Math.abs(p0 - t0) <= SAME * Math.max(p0, t0) ? "same" : ratio > 1 ? "heavier" : "lighter";
    const from = (kind, base2) => {
      let i6 = pts.length;
      while (i6 > 1 && pts[i6 - 1][`${kind}_us`] >= KNEE * base2) i6 -= 1;
      return i6;
    };
    const ti = from("thread", t0);
    const pi = from("process", p0);
    const k3 = Math.min(ti, pi);
    let knee = null;
    if (k3 < pts.length) {
      const at = pts[k3];
      const together = at.bytes * at.tasks;
      knee = {
        bytes: at.bytes,
        together,
        who: ti === pi ? "both" : ti < pi ? "thread" : "process",
        cache: cachePassed(sweep.caches, together),
        thread_us: at.thread_us,
        process_us: at.process_us
      };
    }
    const last = pts[pts.length - 1];
    return {
      small,
      ratio,
      thread_us: base.thread_us,
      process_us: base.process_us,
      knee,
      last: { bytes: last.bytes, together: last.bytes * last.tasks, thread_us: last.thread_us, process_us: last.process_us, growth: Math.max(last.process_us, FLOOR_US) / p0 }
    };
  }

  // js/panels/sweep.js
  var WIDE = 620;
  var HIGH = 330;
  var us = (v4) => dur(Math.max(v4, 0) / 1e6);
  var pct2 = (v4) => `${Math.round(v4 * 100)} %`;
  var tickUs = (v4) => v4 >= 1e3 ? `${v4 / 1e3} ms` : `${v4} µs`;
  var tickBytes = (b3) => b3 >= 1 << 20 ? `${b3 / (1 << 20)} MiB` : `${b3 / 1024} KiB`;
  function sweepDoubt(sweep) {
    if (sweep.other_load >= 0.25) return t("costs.unreliable", { other: pct2(sweep.other_load) });
    if (sweep.timed_out) return t("sweep.unreliable_time", { s: sweep.budget });
    if (sweep.cancelled) return t("costs.unreliable_cancelled");
    return sweep.reliable ? null : t("costs.unreliable", { other: pct2(sweep.other_load) });
  }
  function verdictLines(sweep) {
    const v4 = sweepVerdict(sweep);
    if (!v4) return [];
    const lines = [t(`sweep.v_${v4.small}`, { p: us(v4.process_us), t: us(v4.thread_us), r: v4.ratio.toFixed(1) })];
    if (v4.knee) {
      const k3 = v4.knee;
      const cache = k3.cache || t("sweep.the_caches");
      const params = { size: size(k3.together), t: us(k3.thread_us), p: us(k3.process_us), cache, kind: t(`sweep.${k3.who}`) };
      lines.push(t(k3.who === "both" ? "sweep.v_knee" : "sweep.v_knee_one", params));
    } else {
      lines.push(t("sweep.v_flat", { size: size(v4.last.together) }));
    }
    if (v4.last.bytes > 0 && (!v4.knee || v4.last.bytes > v4.knee.bytes)) {
      const x3 = v4.last.growth >= 10 ? Math.round(v4.last.growth) : v4.last.growth.toFixed(1);
      lines.push(t("sweep.v_last", { size: size(v4.last.bytes), t: us(v4.last.thread_us), p: us(v4.last.process_us), x: x3 }));
    }
    return lines;
  }
  function chartView(sweep, W2 = WIDE, H3 = HIGH) {
    const c4 = sweepChart(sweep, W2, H3);
    const { x0, x1, y0, y1 } = c4.box;
    return b`<svg class="sweep-chart" viewBox=${`0 0 ${W2} ${H3}`} role="img" aria-label=${t("sweep.chart")}>
    ${c4.yticks.map((k3) => w`<line class="grid" x1=${x0} x2=${x1} y1=${k3.y} y2=${k3.y}></line>
      <text class="tick" x=${x0 - 6} y=${k3.y + 5} text-anchor="end">${tickUs(k3.us)}</text>`)}
    ${c4.xticks.map((k3) => w`<text class="tick" x=${k3.x} y=${y0 + 18} text-anchor="middle">${k3.bytes ? tickBytes(k3.bytes) : "0"}</text>`)}
    ${c4.marks.map((m4) => w`<g class="cache-mark" data-cache=${m4.name}><line x1=${m4.x} x2=${m4.x} y1=${y1 - 4} y2=${y0}></line>
      <text x=${m4.x} y=${y1 - 8} text-anchor="middle">${m4.name}</text></g>`)}
    <line class="axis" x1=${x0} x2=${x1} y1=${y0} y2=${y0}></line>
    <text class="axis-label" x=${(x0 + x1) / 2} y=${H3 - 4} text-anchor="middle">${t("sweep.axis_x")}</text>
    ${legendView(sweep, x0 + 10, y1 + 10)}
    ${c4.lines.map(
      (l3) => w`<g class=${`sweep-line ${l3.kind} tasks-${l3.tasks > 2 ? "many" : "two"}`} data-kind=${l3.kind} data-tasks=${l3.tasks}>
        <path d=${l3.d}></path>
        ${l3.points.map(
        (p4) => w`<circle cx=${p4.x} cy=${p4.y} r="4" data-bytes=${p4.bytes} data-us=${p4.us}><title>${t("sweep.point", {
          kind: t(`sweep.${l3.kind}`),
          n: l3.tasks,
          size: size(p4.bytes),
          us: us(p4.us),
          spread: us(p4.spread)
        })}</title></circle>`
      )}
      </g>`
    )}
  </svg>`;
  }
  function legendView(sweep, x3, y3) {
    const many = Math.max(...sweep.points.map((p4) => p4.tasks));
    const keys = [
      ["sweep-key thread tasks-two", t("sweep.key", { kind: t("sweep.thread"), n: 2 })],
      ["sweep-key process tasks-two", t("sweep.key", { kind: t("sweep.process"), n: 2 })],
      ...many > 2 ? [["sweep-key ring tasks-many", t("sweep.rings", { n: many })]] : []
    ];
    return w`<g class="sweep-legend">${keys.map(
      ([cls, words], i6) => w`<g class=${cls}><line x1=${x3} x2=${x3 + 26} y1=${y3 + 20 * i6} y2=${y3 + 20 * i6}></line>
      <text x=${x3 + 32} y=${y3 + 20 * i6 + 5}>${words}</text></g>`
    )}</g>`;
  }
  function machineLines(sweep) {
    const c4 = sweep.caches;
    const caches = ["L1d", "L2", "L3"].filter((k3) => c4[k3]).map((k3) => `${k3} ${size(c4[k3])}`).join(" · ");
    const pcid = sweep.pcid === true ? "sweep.pcid_on" : sweep.pcid === false ? "sweep.pcid_off" : "sweep.pcid_unknown";
    return [
      `${sweep.cpu || t("sweep.cpu_unknown")}${caches ? ` · ${caches}` : ""}`,
      t(pcid),
      sweep.pti ? t("sweep.pti", { pti: sweep.pti }) : t("sweep.pti_unknown")
    ];
  }
  function sweepView(sweep) {
    if (!sweep) return b`<p class="hint">${t("sweep.none")}</p>`;
    const doubt = sweepDoubt(sweep);
    if (!sweep.points.length) return b`<p class="costs-load warn" role="alert">${doubt}</p><p class="hint">${t("sweep.empty")}</p>`;
    const base = sweep.points.find((p4) => p4.bytes === 0 && p4.tasks === 2);
    return b`<div class="costs-grid sweep" data-pid=${sweep.pid}>
    <div>${chartView(sweep)}</div>
    <div class="costs-aside">
      ${doubt ? b`<p class="costs-load warn" role="alert">${doubt}</p>` : b`<p class="costs-load ok">${t("sweep.load", { other: pct2(sweep.other_load) })}</p>`}
      <ul class=${`notes sweep-verdict ${doubt ? "doubtful" : ""}`}>${verdictLines(sweep).map((x3) => b`<li>${x3}</li>`)}</ul>
      <ul class="notes">${machineLines(sweep).map((x3) => b`<li>${x3}</li>`)}<li>${t("sweep.note_textbook")}</li></ul>
      <p class="costs-meta">${t("sweep.meta", { pid: sweep.pid, s: sweep.seconds.toFixed(1), o: base ? us(base.overhead_us) : "–" })}</p>
    </div>
  </div>`;
  }

  // js/panels/panel.js
  var Panel = class {
    /** @param {object} ctx  el, conn, state, controls, toasts, changed, and the panel's own hooks */
    constructor(ctx) {
      Object.assign(this, ctx);
    }
    bind() {
    }
    render() {
    }
    onMessage(_msg, _events) {
      this.render();
    }
    relabel() {
      this.render();
    }
  };

  // js/panels/experiments.js
  var COSTS_TIMEOUT_MS = 45e3;
  var COSTS_BUDGET_S = 20;
  var SWEEP_BUDGET_S = 30;
  var SWEEP_TIMEOUT_MS = 75e3;
  var COSTS_TABS = {
    table: { op: "costs", run: "costs.run", budget: COSTS_BUDGET_S, timeout: COSTS_TIMEOUT_MS, progress: "costs.measuring" },
    sweep: { op: "switch_sweep", run: "sweep.run", budget: SWEEP_BUDGET_S, timeout: SWEEP_TIMEOUT_MS, progress: "sweep.measuring" }
  };
  function runView(r3) {
    const pct3 = r3.expected ? 100 * r3.actual / r3.expected : 0;
    return b`<div class="run" data-expected=${r3.expected} data-actual=${r3.actual} data-lost=${r3.lost} data-lock=${r3.lock}>
    <div class="run-head">${t("race.shape", { n: r3.threads, k: count(r3.increments) })} · ${r3.lock ? t("race.with_lock") : t("race.no_lock")}${r3.cancelled ? ` · ${t("race.cancelled")}` : ""}</div>
    <div class="run-figs"><span>${t("race.expected")} <b class="expected">${count(r3.expected)}</b></span>
      <span>${t("race.actual")} <b class="actual">${count(r3.actual)}</b></span>
      <span class=${r3.lost > 0 ? "lost bad" : "lost good"}>${t("race.lost")} <b>${count(r3.lost)}</b></span></div>
    <div class="bar"><div class="bar-fill" style=${`width:${pct3.toFixed(1)}%`}></div></div>
  </div>`;
  }
  var choices = (vals, sel) => vals.map((v4) => b`<option value=${v4} ?selected=${v4 === sel}>${count(v4)}</option>`);
  function formView() {
    return b`<h2 data-i18n="lab.title">${t("lab.title")}</h2>
    <p id="lab-pid" class="hint"></p>
    <section class="exp" id="exp-race">
      <h3>${t("race.title")}</h3>
      <p class="hint">${t("race.hint")}</p>
      <div class="row">
        <label>${t("race.threads")} <select id="race-n">${choices([2, 3, 4, 5, 6, 7, 8], 4)}</select></label>
        <label>${t("race.increments")} <select id="race-k">${choices([1e3, 1e4, 2e4, 1e5], 2e4)}</select></label>
        <label class="check"><input type="checkbox" id="race-lock" /> ${t("race.lock")}</label>
      </div>
      <div class="row">
        <button type="button" data-exp="race">${t("race.run")}</button>
        <button type="button" data-exp="cancel">${t("race.cancel")}</button>
      </div>
      <div id="race-runs" class="runs"></div>
    </section>
    <section class="exp" id="exp-ipc">
      <h3>${t("ipc.title")}</h3>
      <div class="row">
        <select id="ipc-kind">${["pipe", "socket", "file"].map((k3) => b`<option value=${k3}>${t(`ipc.${k3}`)}</option>`)}</select>
        <label>→ <select id="ipc-to"></select></label>
      </div>
      <div class="row"><input id="ipc-text" maxlength="256" value="hello" /> <button type="button" data-exp="ipc">${t("ipc.send")}</button></div>
      <ul id="ipc-log" class="log"></ul>
    </section>
    <section class="exp" id="exp-shm">
      <h3>${t("shm.title")}</h3>
      <div class="row">
        <label>${t("shm.with")} <select id="shm-with"></select></label>
        <label>${t("race.increments")} <select id="shm-k">${choices([1e3, 1e4, 5e4, 1e5], 5e4)}</select></label>
        <label class="check"><input type="checkbox" id="shm-lock" /> ${t("race.lock")}</label>
      </div>
      <div class="row"><button type="button" data-exp="shm">${t("shm.run")}</button></div>
      <div id="shm-runs" class="runs"></div>
    </section>
    <section class="exp" id="exp-response">
      <h3>${t("resp.title")}</h3>
      <p class="hint">${t("resp.hint")}</p>
      <div class="row"><button type="button" data-exp="response">${t("resp.run")}</button></div>
      <div id="response-result"></div>
    </section>
    <section class="exp" id="exp-costs">
      <div class="row"><button type="button" data-exp="costs">${t("costs.open")}</button></div>
    </section>`;
  }
  var ms = (v4) => v4 === null ? "–" : dur(v4 / 1e3);
  function responseView(r3) {
    if (!r3) return A;
    const warn = r3.reliable ? A : b`<p class="warn" role="alert">${t("resp.busy", { p: Math.round(r3.other_load * 100) })}</p>`;
    return b`<table class="response" data-pid=${r3.pid}>
      <tr><th></th><th>${t("resp.median")}</th><th>${t("resp.p90")}</th></tr>
      ${r3.rows.map((row) => b`<tr data-mode=${row.mode} data-p50=${row.p50 ?? ""}><td>${t(`resp.mode.${row.mode}`)}</td><td>${ms(row.p50)}</td><td>${ms(row.p90)}</td></tr>`)}
    </table>
    ${warn}
    <p class="hint">${t("resp.note", { si: dur(r3.switch_interval_ms / 1e3), chunk: dur(r3.chunk_ms / 1e3) })}</p>
    <p class="hint">${t("resp.meta", { pid: r3.pid, n: r3.rows.length ? r3.rows[0].n : 0, s: r3.seconds.toFixed(1) })}</p>`;
  }
  var ExperimentsPanel = class extends Panel {
    constructor(ctx) {
      super(ctx);
      this.lastRunning = "";
      this.messages = [];
      this.shmRuns = [];
      this.response = null;
      this.costsTab = "table";
      this.busy = false;
    }
    bind() {
      document.getElementById("toggle-lab").addEventListener("click", () => this.toggle());
      const dlg = document.getElementById("costsdlg");
      document.getElementById("costs-close").addEventListener("click", () => dlg.close());
      document.getElementById("costs-run").addEventListener("click", () => this.measure(COSTS_TABS[this.costsTab].op));
      dlg.querySelectorAll("[role=tab]").forEach((tab) => tab.addEventListener("click", () => this.showCosts(tab.dataset.tab)));
      document.getElementById("costs-cancel").addEventListener("click", () => this.measure("cancel_costs"));
      this.el.addEventListener("click", (e5) => {
        const btn = e5.target.closest("[data-exp]");
        if (btn && btn.dataset.exp === "costs") this.showCosts();
        else if (btn) this.run(btn.dataset.exp);
      });
      document.addEventListener("keydown", (e5) => {
        if (!isShortcut(e5)) return;
        if (e5.key === "e" || e5.key === "E") this.toggle();
      });
    }
    /** Open the costs dialog (on ``tab``, when given: "table" or "sweep"). */
    showCosts(tab = this.costsTab) {
      this.costsTab = tab;
      this.renderCosts();
      const dlg = document.getElementById("costsdlg");
      if (!dlg.open) dlg.showModal();
    }
    renderCosts() {
      const tab = COSTS_TABS[this.costsTab];
      const running = this.measuring && this.measuring.op === tab.op;
      const measuring = running ? progressView((performance.now() - this.measuring.t0) / 1e3, tab.budget, tab.progress) : A;
      const body = this.costsTab === "sweep" ? sweepView(this.state.switchSweep) : costsView(this.state.costs);
      D(b`${measuring}${body}`, document.getElementById("costs-body"));
      document.querySelectorAll("#costsdlg [role=tab]").forEach((el) => el.setAttribute("aria-selected", String(el.dataset.tab === this.costsTab)));
      const run = document.getElementById("costs-run");
      run.dataset.i18n = tab.run;
      run.textContent = t(tab.run);
      const presenter = this.controls.presenter;
      run.disabled = !presenter;
      document.getElementById("costs-cancel").disabled = !presenter;
    }
    async measure(op) {
      if (!this.controls.presenter) return this.toasts.show(t("err.forbidden"));
      const dlg = document.getElementById("costsdlg");
      const tab = Object.values(COSTS_TABS).find((x3) => x3.op === op);
      if (tab) {
        dlg.classList.add("running");
        this.measuring = { op, t0: performance.now() };
        this.ticking = setInterval(() => this.renderCosts(), 500);
        this.renderCosts();
      }
      try {
        return await this.conn.command({ op }, tab ? tab.timeout : void 0);
      } catch (err) {
        this.toasts.error(err, this.controls.presenter);
        return void 0;
      } finally {
        if (tab) {
          dlg.classList.remove("running");
          clearInterval(this.ticking);
          this.measuring = null;
        }
        this.renderCosts();
      }
    }
    get open() {
      return document.body.classList.contains("lab-open");
    }
    toggle(force) {
      document.body.classList.toggle("lab-open", force);
      this.render();
      this.changed();
    }
    /** The choices follow the running processes; results that arrive as events show on every screen. */
    onMessage(msg, events) {
      const running = this.state.ordered().filter((p4) => p4.status === "running").map((p4) => p4.pid).join();
      if (running !== this.lastRunning) {
        this.lastRunning = running;
        this.render();
      }
      this.onEvents(events);
    }
    /** Remember results that arrive as events (from any presenter) so every screen shows them. */
    onEvents(events) {
      for (const ev of events) {
        if (ev.kind === "ipc_message") this.messages = [ev, ...this.messages].slice(0, 3);
        if (ev.kind === "shm_finished" && ev.result) this.shmRuns = [ev.result, ...this.shmRuns].slice(0, 2);
      }
      if (events.some((e5) => ["ipc_message", "shm_finished", "race_finished"].includes(e5.kind))) this.render(true);
      const measured = events.some((e5) => e5.kind === "costs_finished" || e5.kind === "switch_sweep_finished");
      if (measured && document.getElementById("costsdlg").open) this.renderCosts();
    }
    value(id) {
      return this.el.querySelector(`#${id}`).value;
    }
    async run(what) {
      if (!this.controls.presenter) return this.toasts.show(t("err.forbidden"));
      if (what === "response") return this.measureResponse();
      const pid = this.controls.selection.pid;
      if (pid === null) return this.toasts.show(t("err.no_selection"));
      let command;
      if (what === "race") {
        command = {
          op: "race",
          pid,
          threads: Number(this.value("race-n")),
          increments: Number(this.value("race-k")),
          lock: this.el.querySelector("#race-lock").checked
        };
      } else if (what === "cancel") {
        command = { op: "cancel", pid };
      } else if (what === "ipc") {
        const to = Number(this.value("ipc-to"));
        if (!to) return this.toasts.show(t("err.need_two"));
        command = { op: "ipc", kind: this.value("ipc-kind"), sender: pid, receiver: to, message: this.value("ipc-text") || "hello" };
      } else if (what === "shm") {
        const other = Number(this.value("shm-with"));
        if (!other) return this.toasts.show(t("err.need_two"));
        command = {
          op: "shm",
          pids: [pid, other],
          increments: Number(this.value("shm-k")),
          lock: this.el.querySelector("#shm-lock").checked
        };
      } else {
        return void 0;
      }
      this.el.classList.toggle("running", what !== "cancel");
      try {
        return await this.conn.command(command);
      } catch (err) {
        this.toasts.error(err, this.controls.presenter);
        return void 0;
      } finally {
        if (what !== "cancel") this.el.classList.remove("running");
      }
    }
    /** How soon a process answers while it computes, measured in a lab process of its own (a few seconds). */
    async measureResponse() {
      this.el.classList.add("running");
      try {
        this.response = await this.conn.command({ op: "response" }, COSTS_TIMEOUT_MS);
        this.render(true);
      } catch (err) {
        this.toasts.error(err, this.controls.presenter);
      } finally {
        this.el.classList.remove("running");
      }
    }
    /** Redraw the panel; form fields keep their values (only result areas and choices are rebuilt). */
    render(resultsOnly = false) {
      if (!this.open) return;
      if (!this.el.dataset.built) this.build();
      const pid = this.controls.selection.pid;
      const p4 = pid !== null ? this.state.processes.get(pid) : null;
      this.el.querySelector("#lab-pid").textContent = pid !== null ? t("selected.process", { pid }) : t("selected.none");
      const runs = p4 ? [...p4.races].reverse().slice(0, 4) : [];
      D(runs.length ? runs.map(runView) : b`<p class="hint">${t("race.none")}</p>`, this.el.querySelector("#race-runs"));
      D(this.shmRuns.map(runView), this.el.querySelector("#shm-runs"));
      this.messages = this.messages.filter((m4) => this.state.processes.has(m4.pid) && this.state.processes.has(m4.peer));
      const line = (m4) => t("ipc.line", { from: m4.pid, to: m4.peer, kind: t(`ipc.${m4.detail}`), text: m4.text });
      D(this.messages.map((m4) => b`<li data-kind=${m4.detail}>${line(m4)}</li>`), this.el.querySelector("#ipc-log"));
      D(responseView(this.response), this.el.querySelector("#response-result"));
      if (resultsOnly) return;
      const others = this.state.ordered().filter((q2) => q2.status === "running" && q2.pid !== pid);
      for (const id of ["ipc-to", "shm-with"]) {
        const sel = this.el.querySelector(`#${id}`);
        const keep = sel.value;
        D(others.map((q2) => b`<option value=${q2.pid}>PID ${q2.pid}</option>`), sel);
        if (others.some((q2) => String(q2.pid) === keep)) sel.value = keep;
      }
      this.el.querySelectorAll("button, select, input").forEach((x3) => {
        x3.disabled = !this.controls.presenter && x3.dataset.exp !== "costs";
      });
    }
    build() {
      this.el.dataset.built = "1";
      D(formView(), this.el);
    }
    /** Language changed: rebuild the form in the new language (and the costs, if they are open). */
    relabel() {
      delete this.el.dataset.built;
      this.render();
      if (document.getElementById("costsdlg").open) this.renderCosts();
    }
  };

  // js/draw/flight.js
  var FLIGHT_MS = 1600;
  var flights = /* @__PURE__ */ new Map();
  var lastId = 0;
  function cardCentre(diagram, pid) {
    const card2 = diagram.querySelector(`.card[data-pid="${pid}"]`);
    if (!card2) return null;
    const d3 = card2.dataset;
    return { x: Number(d3.x) + Number(d3.w) / 2, y: Number(d3.y) + Number(d3.h) / 2 };
  }
  var flightView = (f3) => w`<g class=${`flight kind-${f3.kind}`} data-from=${f3.from} data-to=${f3.to} data-id=${f3.id}>
  <path class="flight-path" d=${f3.d}></path>
  <g class="envelope-at">
    <rect x="-26" y="-17" width="52" height="34" rx="4" class="envelope"></rect>
    <path d="M-26,-17 L0,4 L26,-17" class="envelope-flap"></path>
    <text class="flight-label" text-anchor="middle" y="-26">${f3.label}</text>
  </g>
</g>`;
  function draw(overlay2) {
    D(c2([...flights.values()], (f3) => f3.id, flightView), overlay2);
  }
  function fly(diagram, overlay2, ev, label) {
    const a3 = cardCentre(diagram, ev.pid);
    const b3 = cardCentre(diagram, ev.peer);
    if (!a3 || !b3) return;
    overlay2.setAttribute("viewBox", diagram.getAttribute("viewBox"));
    const mx = (a3.x + b3.x) / 2;
    const my = Math.min(a3.y, b3.y) - 60;
    lastId += 1;
    const f3 = { id: lastId, kind: ev.detail, from: ev.pid, to: ev.peer, label, d: `M${a3.x},${a3.y} Q${mx},${my} ${b3.x},${b3.y}` };
    flights.set(f3.id, f3);
    draw(overlay2);
    const g3 = overlay2.querySelector(`.flight[data-id="${f3.id}"]`);
    const path = g3.querySelector(".flight-path");
    const env = g3.querySelector(".envelope-at");
    const len = path.getTotalLength();
    const t0 = performance.now();
    const step = (now) => {
      const k3 = Math.min(1, (now - t0) / FLIGHT_MS);
      const ease = k3 < 0.5 ? 2 * k3 * k3 : 1 - (-2 * k3 + 2) ** 2 / 2;
      const p4 = path.getPointAtLength(len * ease);
      env.setAttribute("transform", `translate(${p4.x},${p4.y})`);
      if (k3 < 1) requestAnimationFrame(step);
      else
        setTimeout(() => {
          flights.delete(f3.id);
          draw(overlay2);
        }, 400);
    };
    requestAnimationFrame(step);
  }

  // js/panels/join.js
  function joinView(info) {
    if (!info.urls.length) return b`<p class="join-how">${t("join.loopback")}</p>`;
    const qr = info.qr_svg ? new DOMParser().parseFromString(info.qr_svg, "text/html").body.firstElementChild : "";
    return b`<p>${t("join.open")}</p>
    ${info.urls.map((url) => b`<p class="join-url">${url}</p>`)}
    <div class="join-qr">${qr}</div>`;
  }
  var JoinOverlay = class extends Panel {
    constructor(ctx) {
      super(ctx);
      this.dialog = ctx.el;
    }
    bind() {
      document.getElementById("join").addEventListener("click", () => this.toggle());
      this.dialog.querySelector(".close").addEventListener("click", () => this.dialog.close());
    }
    async toggle() {
      if (this.dialog.open) return this.dialog.close();
      const resp = await fetch("/api/join");
      const info = await resp.json();
      D(joinView(info), this.dialog.querySelector(".join-body"));
      this.dialog.showModal();
    }
  };

  // js/panels/lanes.js
  var LANE_SECONDS = 30;
  var RATE_WINDOW_S = 3;
  var LaneBook = class {
    constructor() {
      this.lanes = /* @__PURE__ */ new Map();
      this.seq = 0;
      this.ticks = 300;
      this.seeded = false;
    }
    /** A new snapshot (a join, a reconnect, a restarted server): the lanes start again. */
    reset() {
      this.lanes.clear();
      this.seq = 0;
      this.seeded = false;
    }
    /** Add the state's current tick; ticks missed (dropped frames) become gaps. */
    record(state2) {
      if (state2.server) this.ticks = Math.round(LANE_SECONDS * state2.server.hz);
      const missed = this.seq && state2.seq > this.seq ? Math.min(this.ticks, state2.seq - this.seq - 1) : 0;
      if (state2.seq === this.seq) return;
      this.seq = state2.seq;
      const seen = /* @__PURE__ */ new Set();
      for (const p4 of state2.processes.values()) {
        if (p4.status !== "running") continue;
        for (const th of p4.threads) {
          let lane = this.lanes.get(th.tid);
          if (!lane || lane.pid !== p4.pid) {
            lane = { pid: p4.pid, points: [], ctxt: [] };
            this.lanes.set(th.tid, lane);
          } else {
            for (let i6 = 0; i6 < missed; i6 += 1) lane.points.push(null);
          }
          lane.points.push({ load: th.load || 0, cpu: th.cpu });
          if (lane.points.length > this.ticks) lane.points.splice(0, lane.points.length - this.ticks);
          lane.ctxt.push([state2.ts, th.vcsw, th.ivcsw]);
          while (lane.ctxt.length > 2 && state2.ts - lane.ctxt[1][0] >= RATE_WINDOW_S) lane.ctxt.shift();
          seen.add(th.tid);
        }
      }
      for (const tid of [...this.lanes.keys()]) if (!seen.has(tid)) this.lanes.delete(tid);
    }
    /**
     * Fill the lanes with the server's last 30 s (GET /api/state's `history`), so a page that has
     * just joined or reloaded does not start them empty. Ticks this page recorded after the history
     * ends are kept after it; ticks the history has and this page has not seen yet are left to the
     * frames that carry them.
     */
    seed(body) {
      const extra = this.seq - body.seq;
      for (const p4 of body.processes) {
        if (p4.status !== "running") continue;
        for (const th of p4.threads) {
          if (!th.history) continue;
          let past = th.history.map((load, i6) => ({ load, cpu: th.history_cpus ? th.history_cpus[i6] : th.cpu }));
          if (extra < 0) past = past.slice(0, Math.max(0, past.length + extra));
          const lane = this.lanes.get(th.tid);
          const mine = lane && lane.pid === p4.pid;
          const since = mine && extra > 0 ? lane.points.slice(-extra) : [];
          const points = [...past, ...since].slice(-this.ticks);
          this.lanes.set(th.tid, { pid: p4.pid, points, ctxt: mine ? lane.ctxt : [] });
        }
      }
      this.seeded = true;
    }
    /** Voluntary and involuntary context switches per second lately; null until there is a window. */
    rates(tid) {
      const lane = this.lanes.get(tid);
      if (!lane || lane.ctxt.length < 2) return null;
      const [a3, b3] = [lane.ctxt[0], lane.ctxt[lane.ctxt.length - 1]];
      const dt = b3[0] - a3[0];
      if (dt < 1.5) return null;
      return [(b3[1] - a3[1]) / dt, (b3[2] - a3[2]) / dt];
    }
    points(tid) {
      return this.lanes.get(tid)?.points || [];
    }
  };
  var cores = (v4) => v4.toFixed(2);
  var perSecond = (v4) => v4 >= 100 ? Math.round(v4).toString() : v4.toFixed(v4 >= 10 ? 0 : 1);
  function totals(book2, tids) {
    const lanes2 = tids.map((tid) => book2.points(tid));
    const n3 = Math.max(0, ...lanes2.map((l3) => l3.length));
    const out = [];
    for (let i6 = 0; i6 < n3; i6 += 1) {
      let sum = null;
      for (const l3 of lanes2) {
        const pt = l3[l3.length - n3 + i6];
        if (pt) sum = (sum || 0) + pt.load;
      }
      out.push(sum);
    }
    return out;
  }
  function totalPath(values, w3, h4, ticks, top) {
    const step = w3 / ticks;
    const x0 = w3 - values.length * step;
    let d3 = "";
    let open = false;
    values.forEach((v4, i6) => {
      if (v4 === null) {
        if (open) d3 += `V${h4}Z`;
        open = false;
        return;
      }
      const x3 = (x0 + i6 * step).toFixed(1);
      const y3 = (h4 - Math.min(v4, top) / top * h4).toFixed(1);
      d3 += open ? `L${x3},${y3}` : `M${x3},${h4}L${x3},${y3}`;
      open = true;
      d3 += `L${(x0 + (i6 + 1) * step).toFixed(1)},${y3}`;
    });
    if (open) d3 += `V${h4}Z`;
    return d3;
  }
  function laneGeometry(W2, H3, procs, selectedPid, bookTicks) {
    const phone = W2 < PHONE_W;
    const headH = phone ? 64 : 56;
    const noteH = phone ? 96 : 60;
    const sizes = phone ? { fs: MIN_TEXT_PHONE + 1, minRow: 46, maxRow: 60 } : { fs: 0, minRow: LANE_MIN_ROW, maxRow: LANE_MAX_ROW };
    const { rows, rowH, height } = laneRows(procs, H3 - headH - noteH, selectedPid, sizes.minRow, sizes.maxRow);
    const fs = phone ? sizes.fs : Math.max(MIN_TEXT, Math.min(20, Math.round(rowH * 0.5)));
    const labelW = phone ? 0 : Math.max(200, Math.round(W2 * 0.22));
    const colFs = Math.max(MIN_TEXT, Math.round(fs * 0.8));
    const heading = Math.max(fitWidth(t("lanes.col_kinds"), colFs), fitWidth(t("lanes.col_switches"), colFs));
    const figW = phone ? 0 : Math.ceil(fs * 3.4 + Math.max(heading, fs * 6) + 16);
    const stripX = phone ? 4 : labelW + 8;
    const stripW = phone ? W2 - 8 : Math.max(40, W2 - labelW - figW - 24);
    const stripY = phone ? fs + 8 : 2;
    const figX = phone ? W2 - 4 : stripX + stripW + 12;
    const ticks = Math.min(bookTicks, Math.floor(stripW));
    return {
      W: W2,
      phone,
      headH,
      rows,
      rowH,
      height,
      fs,
      colFs,
      stripX,
      stripW,
      stripY,
      figX,
      ticks,
      stripH: phone ? rowH - stripY - 4 : rowH - 4,
      textY: phone ? fs * 0.7 + 2 : rowH / 2,
      swX: figX + fs * 3.4,
      seconds: Math.round(ticks / bookTicks * LANE_SECONDS)
    };
  }
  function figures(g3, load, rates) {
    const sw = rates ? `${perSecond(rates[0])} · ${perSecond(rates[1])}` : "…";
    if (g3.phone) {
      return w`<text class="lane-fig" x=${g3.figX} y=${g3.textY} font-size=${g3.fs} text-anchor="end">${cores(load)} · ${sw} ${t("lanes.per_s")}</text>`;
    }
    return w`<text class="lane-fig" x=${g3.figX} y=${g3.textY} font-size=${g3.fs}>${cores(load)}</text>
    <text class="lane-fig sw" x=${g3.swX} y=${g3.textY} font-size=${g3.fs}>${sw}</text>`;
  }
  var LanesView = class {
    constructor(el, { state: state2, book: book2, onPick }) {
      this.el = el;
      this.state = state2;
      this.book = book2;
      this.onPick = onPick;
      el.addEventListener("click", (e5) => {
        const row = e5.target.closest("[data-pid]");
        if (row) this.onPick(Number(row.dataset.pid), row.dataset.tid ? Number(row.dataset.tid) : null);
      });
    }
    render(selection) {
      const W2 = this.el.clientWidth;
      const H3 = this.el.clientHeight;
      if (!W2 || !H3) return;
      const cpus = this.state.server ? this.state.server.cpus : 1;
      const procs = this.state.staged().filter((p4) => p4.status === "running").map((p4) => ({ pid: p4.pid, tids: p4.threads.map((th) => th.tid), p: p4 }));
      const g3 = laneGeometry(W2, H3, procs, selection.pid, this.book.ticks);
      const byPid = new Map(procs.map((x3) => [x3.pid, x3]));
      const seen = new Set(procs.flatMap((x3) => x3.p.threads.map((th) => th.cpu)));
      const legend = [...Array(cpus).keys()].filter((c4) => seen.has(c4) || cpus <= 8);
      const row = (r3) => {
        const { p: p4 } = byPid.get(r3.pid);
        const selected = selection.pid === r3.pid && (r3.kind === "process" ? selection.tid === null : selection.tid === r3.tid);
        return r3.kind === "process" ? this.processRow(r3, p4, g3, selected, Math.max(1, cpus)) : this.threadRow(r3, p4, g3, selected);
      };
      D(
        b`<div class="lanes-head" style="min-height:${g3.headH}px">
          <h2>${t("lanes.title", { s: g3.seconds })}</h2>
          <ul class="lanes-legend">
            ${legend.map((c4) => b`<li><span class=${`swatch cpu-${c4 % 8}`}></span>${t("lanes.cpu", { n: c4 })}</li>`)}
          </ul>
          ${g3.phone ? "" : b`<span class="lanes-col" style="left:${g3.figX}px;font-size:${g3.colFs}px">${t("lanes.col_cores")}</span>
                <span class="lanes-col" style="left:${g3.swX}px;font-size:${g3.colFs}px">${t("lanes.col_switches")}<br />${t("lanes.col_kinds")}</span>`}
        </div>
        ${procs.length ? b`<svg class="lanes-svg" width=${W2} height=${Math.max(g3.height, LANE_MIN_ROW)} role="img" aria-label=${t("lanes.title", { s: g3.seconds })}>
              ${c2(g3.rows, (r3) => r3.key, row)}
            </svg>` : b`<p class="hint">${t("lanes.empty")}</p>`}
        <p class="lanes-note">${t("lanes.note")}</p>`,
        this.el
      );
    }
    /** A process's row: its threads' use added up, against a dashed line at one core. */
    processRow(r3, p4, g3, selected, top) {
      const total = p4.threads.reduce((sum, th) => sum + (th.load || 0), 0);
      const vals = totals(this.book, p4.threads.map((th) => th.tid));
      const one = g3.stripH - g3.stripH / top;
      const label = r3.collapsed ? t("lanes.process_more", { pid: p4.pid, n: p4.threads.length }) : t("lanes.process", { pid: p4.pid });
      return w`<g class="lane process${selected ? " selected" : ""}" transform="translate(0,${r3.y})" data-pid=${p4.pid} data-total=${total.toFixed(2)}>
      <rect class="lane-bg" x="0" y="1" width=${g3.W} height=${g3.rowH - 2}></rect>
      <text class="lane-label" x="8" y=${g3.textY} font-size=${g3.fs}>${label}</text>
      <g transform="translate(${g3.stripX},${g3.stripY})">
        <rect class="strip-bg" width=${g3.stripW} height=${g3.stripH}></rect>
        <path class="total" d=${totalPath(vals.slice(-g3.ticks), g3.stripW, g3.stripH, g3.ticks, top)}></path>
        ${top > 1 ? w`<line class="one-core" x1="0" x2=${g3.stripW} y1=${one} y2=${one}></line>` : ""}
      </g>
      <text class="lane-fig total-fig" x=${g3.figX} y=${g3.textY} font-size=${g3.fs} text-anchor=${g3.phone ? "end" : "start"}>${t("lanes.cores", { n: cores(total) })}</text>
    </g>`;
    }
    /** A thread's row: one bar per tick, coloured by the CPU it ran on, and its figures. */
    threadRow(r3, p4, g3, selected) {
      const th = p4.threads.find((x3) => x3.tid === r3.tid);
      const bars = laneBars(this.book.points(r3.tid).slice(-g3.ticks), g3.stripW, g3.stripH, g3.ticks);
      const name = threadName(th);
      return w`<g class="lane thread${selected ? " selected" : ""}" transform="translate(0,${r3.y})" data-pid=${p4.pid} data-tid=${th.tid} data-load=${(th.load || 0).toFixed(2)} data-cpu=${th.cpu}>
      <text class="lane-label" x=${g3.phone ? 8 : 24} y=${g3.textY} font-size=${g3.fs}>${th.tid} ${name}</text>
      <g transform="translate(${g3.stripX},${g3.stripY})">
        <rect class="strip-bg" width=${g3.stripW} height=${g3.stripH}></rect>
        ${bars.map((b3) => w`<path class=${`bar cpu-${b3.cpu % 8}`} data-cpu=${b3.cpu} d=${b3.d}></path>`)}
      </g>
      ${figures(g3, th.load || 0, this.book.rates(r3.tid))}
    </g>`;
    }
  };

  // vendor/codejar/codejar.js
  var globalWindow = window;
  function CodeJar(editor, highlight, opt = {}) {
    const options = {
      tab: "	",
      indentOn: /[({\[]$/,
      moveToNewLine: /^[)}\]]/,
      spellcheck: false,
      catchTab: true,
      preserveIdent: true,
      addClosing: true,
      history: true,
      window: globalWindow,
      autoclose: {
        open: `([{'"`,
        close: `)]}'"`
      },
      ...opt
    };
    const window2 = options.window;
    const document2 = window2.document;
    const listeners2 = [];
    const history = [];
    let at = -1;
    let focus = false;
    let onUpdate = () => void 0;
    let prev;
    editor.setAttribute("contenteditable", "plaintext-only");
    editor.setAttribute("spellcheck", options.spellcheck ? "true" : "false");
    editor.style.outline = "none";
    editor.style.overflowWrap = "break-word";
    editor.style.overflowY = "auto";
    editor.style.whiteSpace = "pre-wrap";
    const doHighlight = (editor2, pos) => {
      highlight(editor2, pos);
    };
    const matchFirefoxVersion = window2.navigator.userAgent.match(/Firefox\/([0-9]+)\./);
    const firefoxVersion = matchFirefoxVersion ? parseInt(matchFirefoxVersion[1]) : 0;
    let isLegacy = false;
    if (editor.contentEditable !== "plaintext-only" || firefoxVersion >= 136)
      isLegacy = true;
    if (isLegacy)
      editor.setAttribute("contenteditable", "true");
    const debounceHighlight = debounce(() => {
      const pos = save();
      doHighlight(editor, pos);
      restore(pos);
    }, 30);
    let recording = false;
    const shouldRecord = (event) => {
      return !isUndo(event) && !isRedo(event) && event.key !== "Meta" && event.key !== "Control" && event.key !== "Alt" && !event.key.startsWith("Arrow");
    };
    const debounceRecordHistory = debounce((event) => {
      if (shouldRecord(event)) {
        recordHistory();
        recording = false;
      }
    }, 300);
    const on = (type, fn) => {
      listeners2.push([type, fn]);
      editor.addEventListener(type, fn);
    };
    on("keydown", (event) => {
      if (event.defaultPrevented)
        return;
      prev = toString();
      if (options.preserveIdent)
        handleNewLine(event);
      else
        legacyNewLineFix(event);
      if (options.catchTab)
        handleTabCharacters(event);
      if (options.addClosing)
        handleSelfClosingCharacters(event);
      if (options.history) {
        handleUndoRedo(event);
        if (shouldRecord(event) && !recording) {
          recordHistory();
          recording = true;
        }
      }
      if (isLegacy && !isCopy(event))
        restore(save());
    });
    on("keyup", (event) => {
      if (event.defaultPrevented)
        return;
      if (event.isComposing)
        return;
      if (prev !== toString())
        debounceHighlight();
      debounceRecordHistory(event);
      onUpdate(toString());
    });
    on("focus", (_event) => {
      focus = true;
    });
    on("blur", (_event) => {
      focus = false;
    });
    on("paste", (event) => {
      recordHistory();
      handlePaste(event);
      recordHistory();
      onUpdate(toString());
    });
    on("cut", (event) => {
      recordHistory();
      handleCut(event);
      recordHistory();
      onUpdate(toString());
    });
    function save() {
      const s4 = getSelection();
      const pos = { start: 0, end: 0, dir: void 0 };
      let { anchorNode, anchorOffset, focusNode, focusOffset } = s4;
      if (!anchorNode || !focusNode)
        throw "error1";
      if (anchorNode === editor && focusNode === editor) {
        pos.start = anchorOffset > 0 && editor.textContent ? editor.textContent.length : 0;
        pos.end = focusOffset > 0 && editor.textContent ? editor.textContent.length : 0;
        pos.dir = focusOffset >= anchorOffset ? "->" : "<-";
        return pos;
      }
      if (anchorNode.nodeType === Node.ELEMENT_NODE) {
        const node = document2.createTextNode("");
        anchorNode.insertBefore(node, anchorNode.childNodes[anchorOffset]);
        anchorNode = node;
        anchorOffset = 0;
      }
      if (focusNode.nodeType === Node.ELEMENT_NODE) {
        const node = document2.createTextNode("");
        focusNode.insertBefore(node, focusNode.childNodes[focusOffset]);
        focusNode = node;
        focusOffset = 0;
      }
      visit(editor, (el) => {
        if (el === anchorNode && el === focusNode) {
          pos.start += anchorOffset;
          pos.end += focusOffset;
          pos.dir = anchorOffset <= focusOffset ? "->" : "<-";
          return "stop";
        }
        if (el === anchorNode) {
          pos.start += anchorOffset;
          if (!pos.dir) {
            pos.dir = "->";
          } else {
            return "stop";
          }
        } else if (el === focusNode) {
          pos.end += focusOffset;
          if (!pos.dir) {
            pos.dir = "<-";
          } else {
            return "stop";
          }
        }
        if (el.nodeType === Node.TEXT_NODE) {
          if (pos.dir != "->")
            pos.start += el.nodeValue.length;
          if (pos.dir != "<-")
            pos.end += el.nodeValue.length;
        }
      });
      editor.normalize();
      return pos;
    }
    function restore(pos) {
      const s4 = getSelection();
      let startNode, startOffset = 0;
      let endNode, endOffset = 0;
      if (!pos.dir)
        pos.dir = "->";
      if (pos.start < 0)
        pos.start = 0;
      if (pos.end < 0)
        pos.end = 0;
      if (pos.dir == "<-") {
        const { start, end } = pos;
        pos.start = end;
        pos.end = start;
      }
      let current = 0;
      visit(editor, (el) => {
        if (el.nodeType !== Node.TEXT_NODE)
          return;
        const len = (el.nodeValue || "").length;
        if (current + len > pos.start) {
          if (!startNode) {
            startNode = el;
            startOffset = pos.start - current;
          }
          if (current + len > pos.end) {
            endNode = el;
            endOffset = pos.end - current;
            return "stop";
          }
        }
        current += len;
      });
      if (!startNode)
        startNode = editor, startOffset = editor.childNodes.length;
      if (!endNode)
        endNode = editor, endOffset = editor.childNodes.length;
      if (pos.dir == "<-") {
        [startNode, startOffset, endNode, endOffset] = [endNode, endOffset, startNode, startOffset];
      }
      {
        const startEl = uneditable(startNode);
        if (startEl) {
          const node = document2.createTextNode("");
          startEl.parentNode?.insertBefore(node, startEl);
          startNode = node;
          startOffset = 0;
        }
        const endEl = uneditable(endNode);
        if (endEl) {
          const node = document2.createTextNode("");
          endEl.parentNode?.insertBefore(node, endEl);
          endNode = node;
          endOffset = 0;
        }
      }
      s4.setBaseAndExtent(startNode, startOffset, endNode, endOffset);
      editor.normalize();
    }
    function uneditable(node) {
      while (node && node !== editor) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          const el = node;
          if (el.getAttribute("contenteditable") == "false") {
            return el;
          }
        }
        node = node.parentNode;
      }
    }
    function beforeCursor() {
      const s4 = getSelection();
      const r0 = s4.getRangeAt(0);
      const r3 = document2.createRange();
      r3.selectNodeContents(editor);
      r3.setEnd(r0.startContainer, r0.startOffset);
      return r3.toString();
    }
    function afterCursor() {
      const s4 = getSelection();
      const r0 = s4.getRangeAt(0);
      const r3 = document2.createRange();
      r3.selectNodeContents(editor);
      r3.setStart(r0.endContainer, r0.endOffset);
      return r3.toString();
    }
    function handleNewLine(event) {
      if (event.key === "Enter") {
        const before = beforeCursor();
        const after = afterCursor();
        let [padding] = findPadding(before);
        let newLinePadding = padding;
        if (options.indentOn.test(before)) {
          newLinePadding += options.tab;
        }
        if (newLinePadding.length > 0) {
          preventDefault(event);
          event.stopPropagation();
          insert("\n" + newLinePadding);
        } else {
          legacyNewLineFix(event);
        }
        if (newLinePadding !== padding && options.moveToNewLine.test(after)) {
          const pos = save();
          insert("\n" + padding);
          restore(pos);
        }
      }
    }
    function legacyNewLineFix(event) {
      if (isLegacy && event.key === "Enter") {
        preventDefault(event);
        event.stopPropagation();
        if (afterCursor() == "") {
          insert("\n ");
          const pos = save();
          pos.start = --pos.end;
          restore(pos);
        } else {
          insert("\n");
        }
      }
    }
    function handleSelfClosingCharacters(event) {
      const open = options.autoclose.open;
      const close = options.autoclose.close;
      if (open.includes(event.key)) {
        preventDefault(event);
        const pos = save();
        const wrapText = pos.start == pos.end ? "" : getSelection().toString();
        const text2 = event.key + wrapText + (close[open.indexOf(event.key)] ?? "");
        insert(text2);
        pos.start++;
        pos.end++;
        restore(pos);
      }
    }
    function handleTabCharacters(event) {
      if (event.key === "Tab") {
        preventDefault(event);
        if (event.shiftKey) {
          const before = beforeCursor();
          let [padding, start] = findPadding(before);
          if (padding.length > 0) {
            const pos = save();
            const len = Math.min(options.tab.length, padding.length);
            restore({ start, end: start + len });
            document2.execCommand("delete");
            pos.start -= len;
            pos.end -= len;
            restore(pos);
          }
        } else {
          insert(options.tab);
        }
      }
    }
    function handleUndoRedo(event) {
      if (isUndo(event)) {
        preventDefault(event);
        at--;
        const record = history[at];
        if (record) {
          editor.innerHTML = record.html;
          restore(record.pos);
        }
        if (at < 0)
          at = 0;
      }
      if (isRedo(event)) {
        preventDefault(event);
        at++;
        const record = history[at];
        if (record) {
          editor.innerHTML = record.html;
          restore(record.pos);
        }
        if (at >= history.length)
          at--;
      }
    }
    function recordHistory() {
      if (!focus)
        return;
      const html = editor.innerHTML;
      const pos = save();
      const lastRecord = history[at];
      if (lastRecord) {
        if (lastRecord.html === html && lastRecord.pos.start === pos.start && lastRecord.pos.end === pos.end)
          return;
      }
      at++;
      history[at] = { html, pos };
      history.splice(at + 1);
      const maxHistory = 300;
      if (at > maxHistory) {
        at = maxHistory;
        history.splice(0, 1);
      }
    }
    function handlePaste(event) {
      if (event.defaultPrevented)
        return;
      preventDefault(event);
      const originalEvent = event.originalEvent ?? event;
      const text2 = originalEvent.clipboardData.getData("text/plain").replace(/\r\n?/g, "\n");
      const pos = save();
      insert(text2);
      doHighlight(editor);
      restore({
        start: Math.min(pos.start, pos.end) + text2.length,
        end: Math.min(pos.start, pos.end) + text2.length,
        dir: "<-"
      });
    }
    function handleCut(event) {
      const pos = save();
      const selection = getSelection();
      const originalEvent = event.originalEvent ?? event;
      originalEvent.clipboardData.setData("text/plain", selection.toString());
      document2.execCommand("delete");
      doHighlight(editor);
      restore({
        start: Math.min(pos.start, pos.end),
        end: Math.min(pos.start, pos.end),
        dir: "<-"
      });
      preventDefault(event);
    }
    function visit(editor2, visitor) {
      const queue = [];
      if (editor2.firstChild)
        queue.push(editor2.firstChild);
      let el = queue.pop();
      while (el) {
        if (visitor(el) === "stop")
          break;
        if (el.nextSibling)
          queue.push(el.nextSibling);
        if (el.firstChild)
          queue.push(el.firstChild);
        el = queue.pop();
      }
    }
    function isCtrl(event) {
      return event.metaKey || event.ctrlKey;
    }
    function isUndo(event) {
      return isCtrl(event) && !event.shiftKey && getKeyCode(event) === "Z";
    }
    function isRedo(event) {
      return isCtrl(event) && event.shiftKey && getKeyCode(event) === "Z";
    }
    function isCopy(event) {
      return isCtrl(event) && getKeyCode(event) === "C";
    }
    function getKeyCode(event) {
      let key = event.key || event.keyCode || event.which;
      if (!key)
        return void 0;
      return (typeof key === "string" ? key : String.fromCharCode(key)).toUpperCase();
    }
    function insert(text2) {
      text2 = text2.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#039;");
      document2.execCommand("insertHTML", false, text2);
    }
    function debounce(cb, wait) {
      let timeout = 0;
      return (...args) => {
        clearTimeout(timeout);
        timeout = window2.setTimeout(() => cb(...args), wait);
      };
    }
    function findPadding(text2) {
      let i6 = text2.length - 1;
      while (i6 >= 0 && text2[i6] !== "\n")
        i6--;
      i6++;
      let j3 = i6;
      while (j3 < text2.length && /[ \t]/.test(text2[j3]))
        j3++;
      return [text2.substring(i6, j3) || "", i6, j3];
    }
    function toString() {
      return editor.textContent || "";
    }
    function preventDefault(event) {
      event.preventDefault();
    }
    function getSelection() {
      return editor.getRootNode().getSelection();
    }
    return {
      updateOptions(newOptions) {
        Object.assign(options, newOptions);
      },
      updateCode(code2, callOnUpdate = true) {
        editor.textContent = code2;
        doHighlight(editor);
        callOnUpdate && onUpdate(code2);
      },
      onUpdate(callback) {
        onUpdate = callback;
      },
      toString,
      save,
      restore,
      recordHistory,
      destroy() {
        for (let [type, fn] of listeners2) {
          editor.removeEventListener(type, fn);
        }
      }
    };
  }

  // vendor/highlight.js/core.min.js
  function e4(t6) {
    return t6 instanceof Map ? t6.clear = t6.delete = t6.set = () => {
      throw Error("map is read-only");
    } : t6 instanceof Set && (t6.add = t6.clear = t6.delete = () => {
      throw Error("set is read-only");
    }), Object.freeze(t6), Object.getOwnPropertyNames(t6).forEach((n3) => {
      const i6 = t6[n3], s4 = typeof i6;
      "object" !== s4 && "function" !== s4 || Object.isFrozen(i6) || e4(i6);
    }), t6;
  }
  var t5 = class {
    constructor(e5) {
      void 0 === e5.data && (e5.data = {}), this.data = e5.data, this.isMatchIgnored = false;
    }
    ignoreMatch() {
      this.isMatchIgnored = true;
    }
  };
  function n2(e5) {
    return e5.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function i5(e5, ...t6) {
    const n3 = /* @__PURE__ */ Object.create(null);
    for (const t7 in e5) n3[t7] = e5[t7];
    return t6.forEach((e6) => {
      for (const t7 in e6) n3[t7] = e6[t7];
    }), n3;
  }
  var s3 = (e5) => !!e5.scope;
  var r2 = class {
    constructor(e5, t6) {
      this.buffer = "", this.classPrefix = t6.classPrefix, e5.walk(this);
    }
    addText(e5) {
      this.buffer += n2(e5);
    }
    openNode(e5) {
      if (!s3(e5)) return;
      const t6 = ((e6, { prefix: t7 }) => {
        if (e6.startsWith("language:")) return e6.replace("language:", "language-");
        if (e6.includes(".")) {
          const n3 = e6.split(".");
          return [`${t7}${n3.shift()}`, ...n3.map((e7, t8) => `${e7}${"_".repeat(t8 + 1)}`)].join(" ");
        }
        return `${t7}${e6}`;
      })(e5.scope, { prefix: this.classPrefix });
      this.span(t6);
    }
    closeNode(e5) {
      s3(e5) && (this.buffer += "</span>");
    }
    value() {
      return this.buffer;
    }
    span(e5) {
      this.buffer += `<span class="${e5}">`;
    }
  };
  var o2 = (e5 = {}) => {
    const t6 = { children: [] };
    return Object.assign(t6, e5), t6;
  };
  var a2 = class _a {
    constructor() {
      this.rootNode = o2(), this.stack = [this.rootNode];
    }
    get top() {
      return this.stack[this.stack.length - 1];
    }
    get root() {
      return this.rootNode;
    }
    add(e5) {
      this.top.children.push(e5);
    }
    openNode(e5) {
      const t6 = o2({ scope: e5 });
      this.add(t6), this.stack.push(t6);
    }
    closeNode() {
      if (this.stack.length > 1) return this.stack.pop();
    }
    closeAllNodes() {
      for (; this.closeNode(); ) ;
    }
    toJSON() {
      return JSON.stringify(this.rootNode, null, 4);
    }
    walk(e5) {
      return this.constructor._walk(e5, this.rootNode);
    }
    static _walk(e5, t6) {
      return "string" == typeof t6 ? e5.addText(t6) : t6.children && (e5.openNode(t6), t6.children.forEach((t7) => this._walk(e5, t7)), e5.closeNode(t6)), e5;
    }
    static _collapse(e5) {
      "string" != typeof e5 && e5.children && (e5.children.every((e6) => "string" == typeof e6) ? e5.children = [e5.children.join("")] : e5.children.forEach((e6) => {
        _a._collapse(e6);
      }));
    }
  };
  var c3 = class extends a2 {
    constructor(e5) {
      super(), this.options = e5;
    }
    addText(e5) {
      "" !== e5 && this.add(e5);
    }
    startScope(e5) {
      this.openNode(e5);
    }
    endScope() {
      this.closeNode();
    }
    __addSublanguage(e5, t6) {
      const n3 = e5.root;
      t6 && (n3.scope = "language:" + t6), this.add(n3);
    }
    toHTML() {
      return new r2(this, this.options).value();
    }
    finalize() {
      return this.closeAllNodes(), true;
    }
  };
  function l2(e5) {
    return e5 ? "string" == typeof e5 ? e5 : e5.source : null;
  }
  function g2(e5) {
    return h3("(?=", e5, ")");
  }
  function u4(e5) {
    return h3("(?:", e5, ")*");
  }
  function d2(e5) {
    return h3("(?:", e5, ")?");
  }
  function h3(...e5) {
    return e5.map((e6) => l2(e6)).join("");
  }
  function f2(...e5) {
    const t6 = ((e6) => {
      const t7 = e6[e6.length - 1];
      return "object" == typeof t7 && t7.constructor === Object ? (e6.splice(e6.length - 1, 1), t7) : {};
    })(e5);
    return "(" + (t6.capture ? "" : "?:") + e5.map((e6) => l2(e6)).join("|") + ")";
  }
  function p3(e5) {
    return RegExp(e5.toString() + "|").exec("").length - 1;
  }
  var b2 = RegExp(f2(/\[(?:[^\\\]]|\\.)*\]/, /\(\?<(?![=!])[^>]+>/, /\(\?'[^']+'/, /\(\??/, /\\([1-9][0-9]*)/, /\\./));
  function m3(e5, { joinWith: t6 }) {
    let n3 = 0;
    return e5.map((e6) => {
      n3 += 1;
      const t7 = n3;
      let i6 = l2(e6), s4 = "";
      for (; i6.length > 0; ) {
        const e7 = b2.exec(i6);
        if (!e7) {
          s4 += i6;
          break;
        }
        s4 += i6.substring(0, e7.index), i6 = i6.substring(e7.index + e7[0].length), "\\" === e7[0][0] && e7[1] ? s4 += "\\" + (Number(e7[1]) + t7) : (s4 += e7[0], ("(" === e7[0] || /^\(\?[<']/.test(e7[0])) && n3++);
      }
      return s4;
    }).map((e6) => `(${e6})`).join(t6);
  }
  var E2 = "[a-zA-Z]\\w*";
  var x2 = "[a-zA-Z_]\\w*";
  var _2 = "\\b\\d+(\\.\\d+)?";
  var y2 = "(-?)(\\b0[xX][a-fA-F0-9]+|(\\b\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?)";
  var w2 = "\\b(0b[01]+)";
  var O = {
    begin: "\\\\[\\s\\S]",
    relevance: 0
  };
  var k2 = {
    scope: "string",
    begin: "'",
    end: "'",
    illegal: "\\n",
    contains: [O]
  };
  var N2 = {
    scope: "string",
    begin: '"',
    end: '"',
    illegal: "\\n",
    contains: [O]
  };
  var S2 = (e5, t6, n3 = {}) => {
    const s4 = i5({
      scope: "comment",
      begin: e5,
      end: t6,
      contains: []
    }, n3);
    s4.contains.push({
      scope: "doctag",
      begin: "[ ]*(?=(TODO|FIXME|NOTE|BUG|OPTIMIZE|HACK|XXX):)",
      end: /(TODO|FIXME|NOTE|BUG|OPTIMIZE|HACK|XXX):/,
      excludeBegin: true,
      relevance: 0
    });
    const r3 = f2("I", "a", "is", "so", "us", "to", "at", "if", "in", "it", "on", /[A-Za-z]+['](d|ve|re|ll|t|s|n)/, /[A-Za-z]+[-][a-z]+/, /[A-Za-z][a-z]{2,}/);
    return s4.contains.push({ begin: h3(/[ ]+/, "(", r3, /[.]?[:]?([.][ ]|[ ])/, "){3}") }), s4;
  };
  var v3 = S2("//", "$");
  var M3 = S2("/\\*", "\\*/");
  var R2 = S2("#", "$");
  var A2 = Object.freeze({
    __proto__: null,
    APOS_STRING_MODE: k2,
    BACKSLASH_ESCAPE: O,
    BINARY_NUMBER_MODE: {
      scope: "number",
      begin: w2,
      relevance: 0
    },
    BINARY_NUMBER_RE: w2,
    COMMENT: S2,
    C_BLOCK_COMMENT_MODE: M3,
    C_LINE_COMMENT_MODE: v3,
    C_NUMBER_MODE: {
      scope: "number",
      begin: y2,
      relevance: 0
    },
    C_NUMBER_RE: y2,
    END_SAME_AS_BEGIN: (e5) => Object.assign(e5, {
      "on:begin": (e6, t6) => {
        t6.data._beginMatch = e6[1];
      },
      "on:end": (e6, t6) => {
        t6.data._beginMatch !== e6[1] && t6.ignoreMatch();
      }
    }),
    HASH_COMMENT_MODE: R2,
    IDENT_RE: E2,
    MATCH_NOTHING_RE: /\b\B/,
    METHOD_GUARD: { begin: "\\.\\s*" + x2, relevance: 0 },
    NUMBER_MODE: { scope: "number", begin: _2, relevance: 0 },
    NUMBER_RE: _2,
    PHRASAL_WORDS_MODE: {
      begin: /\b(a|an|the|are|I'm|isn't|don't|doesn't|won't|but|just|should|pretty|simply|enough|gonna|going|wtf|so|such|will|you|your|they|like|more)\b/
    },
    QUOTE_STRING_MODE: N2,
    REGEXP_MODE: {
      scope: "regexp",
      begin: /\/(?=[^/\n]*\/)/,
      end: /\/[gimuy]*/,
      contains: [O, { begin: /\[/, end: /\]/, relevance: 0, contains: [O] }]
    },
    RE_STARTERS_RE: "!|!=|!==|%|%=|&|&&|&=|\\*|\\*=|\\+|\\+=|,|-|-=|/=|/|:|;|<<|<<=|<=|<|===|==|=|>>>=|>>=|>=|>>>|>>|>|\\?|\\[|\\{|\\(|\\^|\\^=|\\||\\|=|\\|\\||~",
    SHEBANG: (e5 = {}) => {
      const t6 = /^#![ ]*\//;
      return e5.binary && (e5.begin = h3(t6, /.*\b/, e5.binary, /\b.*/)), i5({
        scope: "meta",
        begin: t6,
        end: /$/,
        relevance: 0,
        "on:begin": (e6, t7) => {
          0 !== e6.index && t7.ignoreMatch();
        }
      }, e5);
    },
    TITLE_MODE: { scope: "title", begin: E2, relevance: 0 },
    UNDERSCORE_IDENT_RE: x2,
    UNDERSCORE_TITLE_MODE: { scope: "title", begin: x2, relevance: 0 }
  });
  function j2(e5, t6) {
    "." === e5.input[e5.index - 1] && t6.ignoreMatch();
  }
  function I2(e5, t6) {
    void 0 !== e5.className && (e5.scope = e5.className, delete e5.className);
  }
  function T2(e5, t6) {
    t6 && e5.beginKeywords && (e5.begin = "\\b(" + e5.beginKeywords.split(" ").join("|") + ")(?!\\.)(?=\\b|\\s)", e5.__beforeBegin = j2, e5.keywords = e5.keywords || e5.beginKeywords, delete e5.beginKeywords, void 0 === e5.relevance && (e5.relevance = 0));
  }
  function L2(e5, t6) {
    Array.isArray(e5.illegal) && (e5.illegal = f2(...e5.illegal));
  }
  function B2(e5, t6) {
    if (e5.match) {
      if (e5.begin || e5.end) throw Error("begin & end are not supported with match");
      e5.begin = e5.match, delete e5.match;
    }
  }
  function P2(e5, t6) {
    void 0 === e5.relevance && (e5.relevance = 1);
  }
  var D2 = (e5, t6) => {
    if (!e5.beforeMatch) return;
    if (e5.starts) throw Error("beforeMatch cannot be used with starts");
    const n3 = Object.assign({}, e5);
    Object.keys(e5).forEach((t7) => {
      delete e5[t7];
    }), e5.keywords = n3.keywords, e5.begin = h3(n3.beforeMatch, g2(n3.begin)), e5.starts = {
      relevance: 0,
      contains: [Object.assign(n3, { endsParent: true })]
    }, e5.relevance = 0, delete n3.beforeMatch;
  };
  var H2 = ["of", "and", "for", "in", "not", "or", "if", "then", "parent", "list", "value"];
  function C2(e5, t6, n3 = "keyword") {
    const i6 = /* @__PURE__ */ Object.create(null);
    return "string" == typeof e5 ? s4(n3, e5.split(" ")) : Array.isArray(e5) ? s4(n3, e5) : Object.keys(e5).forEach((n4) => {
      Object.assign(i6, C2(e5[n4], t6, n4));
    }), i6;
    function s4(e6, n4) {
      t6 && (n4 = n4.map((e7) => e7.toLowerCase())), n4.forEach((t7) => {
        const n5 = t7.split("|");
        i6[n5[0]] = [e6, $2(n5[0], n5[1])];
      });
    }
  }
  function $2(e5, t6) {
    return t6 ? Number(t6) : ((e6) => H2.includes(e6.toLowerCase()))(e5) ? 0 : 1;
  }
  var U = {};
  var z2 = (e5) => {
    console.error(e5);
  };
  var W = (e5, ...t6) => {
    console.log("WARN: " + e5, ...t6);
  };
  var X = (e5, t6) => {
    U[`${e5}/${t6}`] || (console.log(`Deprecated as of ${e5}. ${t6}`), U[`${e5}/${t6}`] = true);
  };
  var G = Error();
  function K(e5, t6, { key: n3 }) {
    let i6 = 0;
    const s4 = e5[n3], r3 = {}, o3 = {};
    for (let e6 = 1; e6 <= t6.length; e6++) o3[e6 + i6] = s4[e6], r3[e6 + i6] = true, i6 += p3(t6[e6 - 1]);
    e5[n3] = o3, e5[n3]._emit = r3, e5[n3]._multi = true;
  }
  function F(e5) {
    ((e6) => {
      e6.scope && "object" == typeof e6.scope && null !== e6.scope && (e6.beginScope = e6.scope, delete e6.scope);
    })(e5), "string" == typeof e5.beginScope && (e5.beginScope = {
      _wrap: e5.beginScope
    }), "string" == typeof e5.endScope && (e5.endScope = {
      _wrap: e5.endScope
    }), ((e6) => {
      if (Array.isArray(e6.begin)) {
        if (e6.skip || e6.excludeBegin || e6.returnBegin) throw z2("skip, excludeBegin, returnBegin not compatible with beginScope: {}"), G;
        if ("object" != typeof e6.beginScope || null === e6.beginScope) throw z2("beginScope must be object"), G;
        K(e6, e6.begin, { key: "beginScope" }), e6.begin = m3(e6.begin, { joinWith: "" });
      }
    })(e5), ((e6) => {
      if (Array.isArray(e6.end)) {
        if (e6.skip || e6.excludeEnd || e6.returnEnd) throw z2("skip, excludeEnd, returnEnd not compatible with endScope: {}"), G;
        if ("object" != typeof e6.endScope || null === e6.endScope) throw z2("endScope must be object"), G;
        K(e6, e6.end, { key: "endScope" }), e6.end = m3(e6.end, { joinWith: "" });
      }
    })(e5);
  }
  function Z2(e5) {
    function t6(t7, n4) {
      return RegExp(l2(t7), "m" + (e5.case_insensitive ? "i" : "") + (e5.unicodeRegex ? "u" : "") + (n4 ? "g" : ""));
    }
    class n3 {
      constructor() {
        this.matchIndexes = {}, this.regexes = [], this.matchAt = 1, this.position = 0;
      }
      addRule(e6, t7) {
        t7.position = this.position++, this.matchIndexes[this.matchAt] = t7, this.regexes.push([t7, e6]), this.matchAt += p3(e6) + 1;
      }
      compile() {
        0 === this.regexes.length && (this.exec = () => null);
        const e6 = this.regexes.map((e7) => e7[1]);
        this.matcherRe = t6(m3(e6, {
          joinWith: "|"
        }), true), this.lastIndex = 0;
      }
      exec(e6) {
        this.matcherRe.lastIndex = this.lastIndex;
        const t7 = this.matcherRe.exec(e6);
        if (!t7) return null;
        const n4 = t7.findIndex((e7, t8) => t8 > 0 && void 0 !== e7), i6 = this.matchIndexes[n4];
        return t7.splice(0, n4), Object.assign(t7, i6);
      }
    }
    class s4 {
      constructor() {
        this.rules = [], this.multiRegexes = [], this.count = 0, this.lastIndex = 0, this.regexIndex = 0;
      }
      getMatcher(e6) {
        if (this.multiRegexes[e6]) return this.multiRegexes[e6];
        const t7 = new n3();
        return this.rules.slice(e6).forEach(([e7, n4]) => t7.addRule(e7, n4)), t7.compile(), this.multiRegexes[e6] = t7, t7;
      }
      resumingScanAtSamePosition() {
        return 0 !== this.regexIndex;
      }
      considerAll() {
        this.regexIndex = 0;
      }
      addRule(e6, t7) {
        this.rules.push([e6, t7]), "begin" === t7.type && this.count++;
      }
      exec(e6) {
        const t7 = this.getMatcher(this.regexIndex);
        t7.lastIndex = this.lastIndex;
        let n4 = t7.exec(e6);
        if (this.resumingScanAtSamePosition()) if (n4 && n4.index === this.lastIndex) ;
        else {
          const t8 = this.getMatcher(0);
          t8.lastIndex = this.lastIndex + 1, n4 = t8.exec(e6);
        }
        return n4 && (this.regexIndex += n4.position + 1, this.regexIndex === this.count && this.considerAll()), n4;
      }
    }
    if (e5.compilerExtensions || (e5.compilerExtensions = []), e5.contains && e5.contains.includes("self")) throw Error("ERR: contains `self` is not supported at the top-level of a language.  See documentation.");
    return e5.classNameAliases = i5(e5.classNameAliases || {}), (function n4(r3, o3) {
      const a3 = r3;
      if (r3.isCompiled) return a3;
      [I2, B2, F, D2].forEach((e6) => e6(r3, o3)), e5.compilerExtensions.forEach((e6) => e6(r3, o3)), r3.__beforeBegin = null, [T2, L2, P2].forEach((e6) => e6(r3, o3)), r3.isCompiled = true;
      let c4 = null;
      return "object" == typeof r3.keywords && r3.keywords.$pattern && (r3.keywords = Object.assign({}, r3.keywords), c4 = r3.keywords.$pattern, delete r3.keywords.$pattern), c4 = c4 || /\w+/, r3.keywords && (r3.keywords = C2(r3.keywords, e5.case_insensitive)), a3.keywordPatternRe = t6(c4, true), o3 && (r3.begin || (r3.begin = /\B|\b/), a3.beginRe = t6(a3.begin), r3.end || r3.endsWithParent || (r3.end = /\B|\b/), r3.end && (a3.endRe = t6(a3.end)), a3.terminatorEnd = l2(a3.end) || "", r3.endsWithParent && o3.terminatorEnd && (a3.terminatorEnd += (r3.end ? "|" : "") + o3.terminatorEnd)), r3.illegal && (a3.illegalRe = t6(r3.illegal)), r3.contains || (r3.contains = []), r3.contains = [].concat(...r3.contains.map((e6) => ((e7) => (e7.variants && !e7.cachedVariants && (e7.cachedVariants = e7.variants.map((t7) => i5(e7, {
        variants: null
      }, t7))), e7.cachedVariants ? e7.cachedVariants : V2(e7) ? i5(e7, {
        starts: e7.starts ? i5(e7.starts) : null
      }) : Object.isFrozen(e7) ? i5(e7) : e7))("self" === e6 ? r3 : e6))), r3.contains.forEach((e6) => {
        n4(e6, a3);
      }), r3.starts && n4(r3.starts, o3), a3.matcher = ((e6) => {
        const t7 = new s4();
        return e6.contains.forEach((e7) => t7.addRule(e7.begin, {
          rule: e7,
          type: "begin"
        })), e6.terminatorEnd && t7.addRule(e6.terminatorEnd, {
          type: "end"
        }), e6.illegal && t7.addRule(e6.illegal, { type: "illegal" }), t7;
      })(a3), a3;
    })(e5);
  }
  function V2(e5) {
    return !!e5 && (e5.endsWithParent || V2(e5.starts));
  }
  var q = class extends Error {
    constructor(e5, t6) {
      super(e5), this.name = "HTMLInjectionError", this.html = t6;
    }
  };
  var J = n2;
  var Y = i5;
  var Q = /* @__PURE__ */ Symbol("nomatch");
  var ee = (n3) => {
    const i6 = /* @__PURE__ */ Object.create(null), s4 = /* @__PURE__ */ Object.create(null), r3 = [];
    let o3 = true;
    const a3 = "Could not find the language '{}', did you forget to load/include a language module?", l3 = {
      disableAutodetect: true,
      name: "Plain text",
      contains: []
    };
    let p4 = {
      ignoreUnescapedHTML: false,
      throwUnescapedHTML: false,
      noHighlightRe: /^(no-?highlight)$/i,
      languageDetectRe: /\blang(?:uage)?-([\w-]+)\b/i,
      classPrefix: "hljs-",
      cssSelector: "pre code",
      languages: null,
      __emitter: c3
    };
    function b3(e5) {
      return p4.noHighlightRe.test(e5);
    }
    function m4(e5, t6, n4) {
      let i7 = "", s5 = "";
      "object" == typeof t6 ? (i7 = e5, n4 = t6.ignoreIllegals, s5 = t6.language) : (X("10.7.0", "highlight(lang, code, ...args) has been deprecated."), X("10.7.0", "Please use highlight(code, options) instead.\nhttps://github.com/highlightjs/highlight.js/issues/2277"), s5 = e5, i7 = t6), void 0 === n4 && (n4 = true);
      const r4 = { code: i7, language: s5 };
      S3("before:highlight", r4);
      const o4 = r4.result ? r4.result : E3(r4.language, r4.code, n4);
      return o4.code = r4.code, S3("after:highlight", o4), o4;
    }
    function E3(e5, n4, s5, r4) {
      const c4 = /* @__PURE__ */ Object.create(null);
      function l4(e6, t6) {
        return e6.keywords[t6];
      }
      function g3() {
        if (!v4.keywords) return void R3.addText(A3);
        let e6 = 0;
        v4.keywordPatternRe.lastIndex = 0;
        let t6 = v4.keywordPatternRe.exec(A3), n5 = "";
        for (; t6; ) {
          n5 += A3.substring(e6, t6.index);
          const i7 = k4.case_insensitive ? t6[0].toLowerCase() : t6[0], s6 = l4(v4, i7);
          if (s6) {
            const [e7, r5] = s6;
            if (R3.addText(n5), n5 = "", c4[i7] = (c4[i7] || 0) + 1, c4[i7] <= 7 && (j3 += r5), e7.startsWith("_")) n5 += t6[0];
            else {
              const n6 = k4.classNameAliases[e7] || e7;
              d3(t6[0], n6);
            }
          } else n5 += t6[0];
          e6 = v4.keywordPatternRe.lastIndex, t6 = v4.keywordPatternRe.exec(A3);
        }
        n5 += A3.substring(e6), R3.addText(n5);
      }
      function u5() {
        null != v4.subLanguage ? (() => {
          if ("" === A3) return;
          let e6 = null;
          if ("string" == typeof v4.subLanguage) {
            if (!i6[v4.subLanguage]) return void R3.addText(A3);
            e6 = E3(v4.subLanguage, A3, true, M4[v4.subLanguage]), M4[v4.subLanguage] = e6._top;
          } else e6 = x3(A3, v4.subLanguage.length ? v4.subLanguage : null);
          v4.relevance > 0 && (j3 += e6.relevance), R3.__addSublanguage(e6._emitter, e6.language);
        })() : g3(), A3 = "";
      }
      function d3(e6, t6) {
        "" !== e6 && (R3.startScope(t6), R3.addText(e6), R3.endScope());
      }
      function h4(e6, t6) {
        let n5 = 1;
        const i7 = t6.length - 1;
        for (; n5 <= i7; ) {
          if (!e6._emit[n5]) {
            n5++;
            continue;
          }
          const i8 = k4.classNameAliases[e6[n5]] || e6[n5], s6 = t6[n5];
          i8 ? d3(s6, i8) : (A3 = s6, g3(), A3 = ""), n5++;
        }
      }
      function f3(e6, t6) {
        return e6.scope && "string" == typeof e6.scope && R3.openNode(k4.classNameAliases[e6.scope] || e6.scope), e6.beginScope && (e6.beginScope._wrap ? (d3(A3, k4.classNameAliases[e6.beginScope._wrap] || e6.beginScope._wrap), A3 = "") : e6.beginScope._multi && (h4(e6.beginScope, t6), A3 = "")), v4 = Object.create(e6, { parent: {
          value: v4
        } }), v4;
      }
      function b4(e6, n5, i7) {
        let s6 = ((e7, t6) => {
          const n6 = e7 && e7.exec(t6);
          return n6 && 0 === n6.index;
        })(e6.endRe, i7);
        if (s6) {
          if (e6["on:end"]) {
            const i8 = new t5(e6);
            e6["on:end"](n5, i8), i8.isMatchIgnored && (s6 = false);
          }
          if (s6) {
            for (; e6.endsParent && e6.parent; ) e6 = e6.parent;
            return e6;
          }
        }
        if (e6.endsWithParent) return b4(e6.parent, n5, i7);
      }
      function m5(e6) {
        return 0 === v4.matcher.regexIndex ? (A3 += e6[0], 1) : (L3 = true, 0);
      }
      function _4(e6) {
        const t6 = e6[0], i7 = n4.substring(e6.index), s6 = b4(v4, e6, i7);
        if (!s6) return Q;
        const r5 = v4;
        v4.endScope && v4.endScope._wrap ? (u5(), d3(t6, v4.endScope._wrap)) : v4.endScope && v4.endScope._multi ? (u5(), h4(v4.endScope, e6)) : r5.skip ? A3 += t6 : (r5.returnEnd || r5.excludeEnd || (A3 += t6), u5(), r5.excludeEnd && (A3 = t6));
        do {
          v4.scope && R3.closeNode(), v4.skip || v4.subLanguage || (j3 += v4.relevance), v4 = v4.parent;
        } while (v4 !== s6.parent);
        return s6.starts && f3(s6.starts, e6), r5.returnEnd ? 0 : t6.length;
      }
      let y4 = {};
      function w4(i7, r5) {
        const a4 = r5 && r5[0];
        if (A3 += i7, null == a4) return u5(), 0;
        if ("begin" === y4.type && "end" === r5.type && y4.index === r5.index && "" === a4) {
          if (A3 += n4.slice(r5.index, r5.index + 1), !o3) {
            const t6 = Error(`0 width match regex (${e5})`);
            throw t6.languageName = e5, t6.badRule = y4.rule, t6;
          }
          return 1;
        }
        if (y4 = r5, "begin" === r5.type) return ((e6) => {
          const n5 = e6[0], i8 = e6.rule, s6 = new t5(i8), r6 = [i8.__beforeBegin, i8["on:begin"]];
          for (const t6 of r6) if (t6 && (t6(e6, s6), s6.isMatchIgnored)) return m5(n5);
          return i8.skip ? A3 += n5 : (i8.excludeBegin && (A3 += n5), u5(), i8.returnBegin || i8.excludeBegin || (A3 = n5)), f3(i8, e6), i8.returnBegin ? 0 : n5.length;
        })(r5);
        if ("illegal" === r5.type && !s5) {
          const e6 = Error('Illegal lexeme "' + a4 + '" for mode "' + (v4.scope || "<unnamed>") + '"');
          throw e6.mode = v4, e6;
        }
        if ("end" === r5.type) {
          const e6 = _4(r5);
          if (e6 !== Q) return e6;
        }
        if ("illegal" === r5.type && "" === a4) return r5.index === n4.length || (A3 += "\n"), 1;
        if (T3 > 1e5 && T3 > 3 * r5.index) throw Error("potential infinite loop, way more iterations than matches");
        return A3 += a4, a4.length;
      }
      const k4 = O2(e5);
      if (!k4) throw z2(a3.replace("{}", e5)), Error('Unknown language: "' + e5 + '"');
      const N4 = Z2(k4);
      let S4 = "", v4 = r4 || N4;
      const M4 = {}, R3 = new p4.__emitter(p4);
      (() => {
        const e6 = [];
        for (let t6 = v4; t6 !== k4; t6 = t6.parent) t6.scope && e6.unshift(t6.scope);
        e6.forEach((e7) => R3.openNode(e7));
      })();
      let A3 = "", j3 = 0, I3 = 0, T3 = 0, L3 = false;
      try {
        if (k4.__emitTokens) k4.__emitTokens(n4, R3);
        else {
          for (v4.matcher.considerAll(); ; ) {
            T3++, L3 ? L3 = false : v4.matcher.considerAll(), v4.matcher.lastIndex = I3;
            const e6 = v4.matcher.exec(n4);
            if (!e6) break;
            const t6 = w4(n4.substring(I3, e6.index), e6);
            I3 = e6.index + t6;
          }
          w4(n4.substring(I3));
        }
        return R3.finalize(), S4 = R3.toHTML(), {
          language: e5,
          value: S4,
          relevance: j3,
          illegal: false,
          _emitter: R3,
          _top: v4
        };
      } catch (t6) {
        if (t6.message && t6.message.includes("Illegal")) return {
          language: e5,
          value: J(n4),
          illegal: true,
          relevance: 0,
          _illegalBy: {
            message: t6.message,
            index: I3,
            context: n4.slice(I3 - 100, I3 + 100),
            mode: t6.mode,
            resultSoFar: S4
          },
          _emitter: R3
        };
        if (o3) return {
          language: e5,
          value: J(n4),
          illegal: false,
          relevance: 0,
          errorRaised: t6,
          _emitter: R3,
          _top: v4
        };
        throw t6;
      }
    }
    function x3(e5, t6) {
      t6 = t6 || p4.languages || Object.keys(i6);
      const n4 = ((e6) => {
        const t7 = { value: J(e6), illegal: false, relevance: 0, _top: l3, _emitter: new p4.__emitter(p4) };
        return t7._emitter.addText(e6), t7;
      })(e5), s5 = t6.filter(O2).filter(N3).map((t7) => E3(t7, e5, false));
      s5.unshift(n4);
      const r4 = s5.sort((e6, t7) => {
        if (e6.relevance !== t7.relevance) return t7.relevance - e6.relevance;
        if (e6.language && t7.language) {
          if (O2(e6.language).supersetOf === t7.language) return 1;
          if (O2(t7.language).supersetOf === e6.language) return -1;
        }
        return 0;
      }), [o4, a4] = r4, c4 = o4;
      return c4.secondBest = a4, c4;
    }
    function _3(e5) {
      let t6 = null;
      const n4 = ((e6) => {
        let t7 = e6.className + " ";
        t7 += e6.parentNode ? e6.parentNode.className : "";
        const n5 = p4.languageDetectRe.exec(t7);
        if (n5) {
          const t8 = O2(n5[1]);
          return t8 || (W(a3.replace("{}", n5[1])), W("Falling back to no-highlight mode for this block.", e6)), t8 ? n5[1] : "no-highlight";
        }
        return t7.split(/\s+/).find((e7) => b3(e7) || O2(e7));
      })(e5);
      if (b3(n4)) return;
      if (S3("before:highlightElement", {
        el: e5,
        language: n4
      }), e5.dataset.highlighted) return void console.log("Element previously highlighted. To highlight again, first unset `dataset.highlighted`.", e5);
      if (e5.children.length > 0 && (p4.ignoreUnescapedHTML || (console.warn("One of your code blocks includes unescaped HTML. This is a potentially serious security risk."), console.warn("https://github.com/highlightjs/highlight.js/wiki/security"), console.warn("The element with unescaped HTML:"), console.warn(e5)), p4.throwUnescapedHTML)) throw new q("One of your code blocks includes unescaped HTML.", e5.innerHTML);
      t6 = e5;
      const i7 = t6.textContent, r4 = n4 ? m4(i7, { language: n4, ignoreIllegals: true }) : x3(i7);
      e5.innerHTML = r4.value, e5.dataset.highlighted = "yes", ((e6, t7, n5) => {
        const i8 = t7 && s4[t7] || n5;
        e6.classList.add("hljs"), e6.classList.add("language-" + i8);
      })(e5, n4, r4.language), e5.result = {
        language: r4.language,
        re: r4.relevance,
        relevance: r4.relevance
      }, r4.secondBest && (e5.secondBest = {
        language: r4.secondBest.language,
        relevance: r4.secondBest.relevance
      }), S3("after:highlightElement", { el: e5, result: r4, text: i7 });
    }
    let y3 = false;
    function w3() {
      if ("loading" === document.readyState) return y3 || window.addEventListener("DOMContentLoaded", () => {
        w3();
      }, false), void (y3 = true);
      document.querySelectorAll(p4.cssSelector).forEach(_3);
    }
    function O2(e5) {
      return e5 = (e5 || "").toLowerCase(), i6[e5] || i6[s4[e5]];
    }
    function k3(e5, { languageName: t6 }) {
      "string" == typeof e5 && (e5 = [e5]), e5.forEach((e6) => {
        s4[e6.toLowerCase()] = t6;
      });
    }
    function N3(e5) {
      const t6 = O2(e5);
      return t6 && !t6.disableAutodetect;
    }
    function S3(e5, t6) {
      const n4 = e5;
      r3.forEach((e6) => {
        e6[n4] && e6[n4](t6);
      });
    }
    Object.assign(n3, {
      highlight: m4,
      highlightAuto: x3,
      highlightAll: w3,
      highlightElement: _3,
      highlightBlock: (e5) => (X("10.7.0", "highlightBlock will be removed entirely in v12.0"), X("10.7.0", "Please use highlightElement now."), _3(e5)),
      configure: (e5) => {
        p4 = Y(p4, e5);
      },
      initHighlighting: () => {
        w3(), X("10.6.0", "initHighlighting() deprecated.  Use highlightAll() now.");
      },
      initHighlightingOnLoad: () => {
        w3(), X("10.6.0", "initHighlightingOnLoad() deprecated.  Use highlightAll() now.");
      },
      registerLanguage: (e5, t6) => {
        let s5 = null;
        try {
          s5 = t6(n3);
        } catch (t7) {
          if (z2("Language definition for '{}' could not be registered.".replace("{}", e5)), !o3) throw t7;
          z2(t7), s5 = l3;
        }
        s5.name || (s5.name = e5), i6[e5] = s5, s5.rawDefinition = t6.bind(null, n3), s5.aliases && k3(s5.aliases, {
          languageName: e5
        });
      },
      unregisterLanguage: (e5) => {
        delete i6[e5];
        for (const t6 of Object.keys(s4)) s4[t6] === e5 && delete s4[t6];
      },
      listLanguages: () => Object.keys(i6),
      getLanguage: O2,
      registerAliases: k3,
      autoDetection: N3,
      inherit: Y,
      addPlugin: (e5) => {
        ((e6) => {
          e6["before:highlightBlock"] && !e6["before:highlightElement"] && (e6["before:highlightElement"] = (t6) => {
            e6["before:highlightBlock"](Object.assign({ block: t6.el }, t6));
          }), e6["after:highlightBlock"] && !e6["after:highlightElement"] && (e6["after:highlightElement"] = (t6) => {
            e6["after:highlightBlock"](Object.assign({ block: t6.el }, t6));
          });
        })(e5), r3.push(e5);
      },
      removePlugin: (e5) => {
        const t6 = r3.indexOf(e5);
        -1 !== t6 && r3.splice(t6, 1);
      }
    }), n3.debugMode = () => {
      o3 = false;
    }, n3.safeMode = () => {
      o3 = true;
    }, n3.versionString = "11.12.0", n3.regex = {
      concat: h3,
      lookahead: g2,
      either: f2,
      optional: d2,
      anyNumberOfTimes: u4
    };
    for (const t6 in A2) "object" == typeof A2[t6] && e4(A2[t6]);
    return Object.assign(n3, A2), n3;
  };
  var te = ee({});
  te.newInstance = () => ee({});

  // vendor/highlight.js/languages/python.min.js
  var hljsGrammar = (() => {
    "use strict";
    return (e5) => {
      const n3 = e5.regex, a3 = /[\p{XID_Start}_]\p{XID_Continue}*/u, t6 = ["and", "as", "assert", "async", "await", "break", "case", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "lazy", "match", "nonlocal|10", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield"], s4 = {
        $pattern: /[A-Za-z]\w+|__\w+__/,
        keyword: t6,
        built_in: ["__import__", "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint", "bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex", "delattr", "dict", "dir", "divmod", "enumerate", "eval", "exec", "filter", "float", "format", "frozendict", "frozenset", "getattr", "globals", "hasattr", "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass", "iter", "len", "list", "locals", "map", "max", "memoryview", "min", "next", "object", "oct", "open", "ord", "pow", "print", "property", "range", "repr", "reversed", "round", "sentinel", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars", "zip"],
        literal: ["__debug__", "Ellipsis", "False", "None", "NotImplemented", "True"],
        type: ["Any", "Callable", "Coroutine", "Dict", "List", "Literal", "Generic", "Optional", "Sequence", "Set", "Tuple", "Type", "Union"]
      }, i6 = { className: "meta", begin: /^(>>>|\.\.\.) / }, r3 = {
        className: "subst",
        begin: /\{/,
        end: /\}/,
        keywords: s4,
        illegal: /#/
      }, l3 = { begin: /\{\{/, relevance: 0 }, o3 = {
        className: "string",
        contains: [e5.BACKSLASH_ESCAPE],
        variants: [{
          begin: /([uU]|[bB]|[rR]|[bB][rR]|[rR][bB])?'''/,
          end: /'''/,
          contains: [e5.BACKSLASH_ESCAPE, i6],
          relevance: 10
        }, {
          begin: /([uU]|[bB]|[rR]|[bB][rR]|[rR][bB])?"""/,
          end: /"""/,
          contains: [e5.BACKSLASH_ESCAPE, i6],
          relevance: 10
        }, {
          begin: /([fFtT][rR]|[rR][fFtT]|[fFtT])'''/,
          end: /'''/,
          contains: [e5.BACKSLASH_ESCAPE, i6, l3, r3]
        }, {
          begin: /([fFtT][rR]|[rR][fFtT]|[fFtT])"""/,
          end: /"""/,
          contains: [e5.BACKSLASH_ESCAPE, i6, l3, r3]
        }, {
          begin: /([uU]|[rR])'/,
          end: /'/,
          relevance: 10
        }, { begin: /([uU]|[rR])"/, end: /"/, relevance: 10 }, {
          begin: /([bB]|[bB][rR]|[rR][bB])'/,
          end: /'/
        }, {
          begin: /([bB]|[bB][rR]|[rR][bB])"/,
          end: /"/
        }, {
          begin: /([fFtT][rR]|[rR][fFtT]|[fFtT])'/,
          end: /'/,
          contains: [e5.BACKSLASH_ESCAPE, l3, r3]
        }, {
          begin: /([fFtT][rR]|[rR][fFtT]|[fFtT])"/,
          end: /"/,
          contains: [e5.BACKSLASH_ESCAPE, l3, r3]
        }, e5.APOS_STRING_MODE, e5.QUOTE_STRING_MODE]
      }, b3 = "[0-9](_?[0-9])*", c4 = `(\\b(${b3}))?\\.(${b3})|\\b(${b3})\\.`, d3 = "\\b|" + t6.join("|"), m4 = {
        className: "number",
        relevance: 0,
        variants: [{
          begin: `(\\b(${b3})|(${c4}))[eE][+-]?(${b3})[jJ]?(?=${d3})`
        }, { begin: `(${c4})[jJ]?` }, {
          begin: `\\b([1-9](_?[0-9])*|0+(_?0)*)[lLjJ]?(?=${d3})`
        }, {
          begin: `\\b0[bB](_?[01])+[lL]?(?=${d3})`
        }, {
          begin: `\\b0[oO](_?[0-7])+[lL]?(?=${d3})`
        }, { begin: `\\b0[xX](_?[0-9a-fA-F])+[lL]?(?=${d3})` }, {
          begin: `\\b(${b3})[jJ](?=${d3})`
        }]
      }, g3 = {
        className: "comment",
        begin: n3.lookahead(/# type:/),
        end: /$/,
        keywords: s4,
        contains: [{ begin: /# type:/ }, { begin: /#/, end: /\b\B/, endsWithParent: true }]
      }, p4 = {
        className: "params",
        variants: [{ className: "", begin: /\(\s*\)/, skip: true }, {
          begin: /\(/,
          end: /\)/,
          excludeBegin: true,
          excludeEnd: true,
          keywords: s4,
          contains: ["self", i6, m4, o3, e5.HASH_COMMENT_MODE]
        }]
      };
      return r3.contains = [o3, m4, i6], {
        name: "Python",
        aliases: ["py", "gyp", "ipython"],
        unicodeRegex: true,
        keywords: s4,
        illegal: /(<\/|\?)|=>/,
        contains: [i6, m4, {
          scope: "variable.language",
          match: /\bself\b/
        }, { beginKeywords: "if", relevance: 0 }, {
          match: /\bor\b/,
          scope: "keyword"
        }, o3, g3, e5.HASH_COMMENT_MODE, { match: [/\bdef/, /\s+/, a3], scope: {
          1: "keyword",
          3: "title.function"
        }, contains: [p4] }, {
          variants: [{
            match: [/\bclass/, /\s+/, a3, /\s*/, /\(\s*/, a3, /\s*\)/]
          }, { match: [/\bclass/, /\s+/, a3] }],
          scope: { 1: "keyword", 3: "title.class", 6: "title.class.inherited" }
        }, {
          className: "meta",
          begin: /^[\t ]*@/,
          end: /(?=#)|$/,
          contains: [m4, p4, o3]
        }]
      };
    };
  })();
  var python_min_default = hljsGrammar;

  // js/panels/code.js
  te.registerLanguage("python", python_min_default);
  var RUN_TIMEOUT_MS = 2e4;
  function runStatus(run) {
    if (!run) return "";
    if (run.status === "running") return t("code.running", { pid: run.pid, n: run.processes });
    if (run.reason) return t("code.ended_by", { reason: runReason(run.reason) });
    return t("code.exited", { code: run.exit_code ?? "?" });
  }
  function isolationNote(server) {
    const iso = server && server.isolation;
    if (!iso) return "";
    return iso.namespaces ? b`<p class="code-isolation" data-isolated="true">${t("code.isolated")}</p>` : b`<p class="code-isolation warn" data-isolated="false">${t("code.not_isolated", { why: iso.why })}</p>`;
  }
  var CodePanel = class extends Panel {
    constructor(ctx) {
      super(ctx);
      this.examples = [];
      this.name = "main.py";
      this.full = null;
      this.shownRun = null;
      this.codeOf = null;
    }
    get open() {
      return document.body.classList.contains("code-open");
    }
    bind() {
      document.getElementById("toggle-code").addEventListener("click", () => this.toggle());
      document.addEventListener("keydown", (e5) => {
        if (e5.target.closest(".editor")) {
          if (e5.key === "Enter" && (e5.ctrlKey || e5.metaKey)) {
            e5.preventDefault();
            this.run();
          }
          return;
        }
        if (isShortcut(e5) && (e5.key === "x" || e5.key === "X") && this.state.role === "presenter") this.toggle();
      });
    }
    async toggle(force) {
      const open = force ?? !this.open;
      if (open && (!this.state.server || !this.state.server.code)) {
        this.toasts.show(t("code.off"), "error");
        return;
      }
      document.body.classList.toggle("code-open", open);
      document.getElementById("toggle-code").setAttribute("aria-pressed", String(open));
      if (open && !this.jar) await this.build();
      this.render();
      this.changed();
    }
    async build() {
      try {
        this.examples = await (await fetch("/api/runs/examples")).json();
      } catch {
        this.examples = [];
      }
      D(
        b`<div class="code-head">
          <h2>${t("code.title")}</h2>
          <select class="examples" aria-label=${t("code.examples")} @change=${(e5) => this.pick(e5.target.value)}>
            <option value="">${t("code.examples")}</option>
            ${this.examples.map((x3) => b`<option value=${x3.name}>${x3.name}</option>`)}
          </select>
        </div>
        ${isolationNote(this.state.server)}
        <pre class="editor hljs language-python" aria-label=${t("code.editor")}></pre>
        <div class="code-buttons">
          <button type="button" class="run" @click=${() => this.run()}>${t("code.run")} <kbd>Ctrl+Enter</kbd></button>
          <button type="button" class="stop danger" @click=${() => this.stop()}>${t("code.stop")}</button>
          <span class="code-status" aria-live="polite"></span>
        </div>
        <pre class="console" tabindex="0" aria-label=${t("code.console")}></pre>`,
        this.el
      );
      const editor = this.el.querySelector(".editor");
      this.jar = CodeJar(editor, (el) => {
        el.removeAttribute("data-highlighted");
        te.highlightElement(el);
      });
      const first = this.examples.find((x3) => x3.name === "threading_race.py") || this.examples[0];
      if (first && !this.state.run) this.pick(first.name);
    }
    /** Show the source of a run the editor did not start itself (``ptlab run script.py``). */
    follow(run) {
      if (!run || this.codeOf === run.id) return;
      this.codeOf = run.id;
      fetch("/api/runs").then((r3) => r3.json()).then((body) => {
        if (!body.run || body.run.id !== run.id || typeof body.code !== "string" || !this.jar) return;
        if (this.jar.toString() !== body.code) this.jar.updateCode(body.code);
        this.name = body.run.name;
        this.el.querySelector(".examples").value = "";
      }).catch(() => {
      });
    }
    pick(name) {
      const ex = this.examples.find((x3) => x3.name === name);
      if (!ex || !this.jar) return;
      this.name = ex.name;
      this.jar.updateCode(ex.code);
    }
    run() {
      if (!this.jar) return;
      this.full = null;
      this.conn.command({ op: "run_start", code: this.jar.toString(), name: this.name }, RUN_TIMEOUT_MS).catch((err) => this.toasts.show(err.message, "error"));
    }
    stop() {
      this.conn.command({ op: "run_stop" }, RUN_TIMEOUT_MS).catch((err) => this.toasts.show(err.message, "error"));
    }
    /** Show the latest run's status and output (frames carry the console's last 4 KiB; the end fetches it all). */
    render() {
      if (!this.open || !this.jar) return;
      const run = this.state.run;
      this.follow(run);
      const status = this.el.querySelector(".code-status");
      const out = this.el.querySelector(".console");
      status.textContent = runStatus(run);
      status.dataset.status = run ? run.status : "";
      if (run && run.status === "exited" && this.shownRun !== run.id) {
        this.shownRun = run.id;
        fetch("/api/runs").then((r3) => r3.json()).then((body) => {
          this.full = body.run;
          this.render();
        }).catch(() => {
        });
      }
      const shown = this.full && run && this.full.id === run.id ? this.full : run;
      const text2 = shown ? shown.console : "";
      if (out.textContent !== text2) {
        out.textContent = text2;
        out.scrollTop = out.scrollHeight;
      }
      out.dataset.run = run ? String(run.id) : "";
      out.dataset.status = run ? run.status : "";
      this.el.querySelector(".stop").disabled = !run || run.status !== "running";
    }
  };

  // js/layout/scene.js
  var LINES = {
    acquire: "lock.acquire()",
    load: "tmp = counter",
    add: "tmp = tmp + 1",
    store: "counter = tmp",
    release: "lock.release()"
  };
  function codeFor(mode, index) {
    if (mode === "race" || mode === "lock") {
      const steps = mode === "lock" ? ["acquire", "load", "add", "store", "release"] : ["load", "add", "store"];
      return steps.map((step) => ({ step, code: LINES[step] }));
    }
    const [first, second] = mode === "deadlock" && index === 2 ? ["L2", "L1"] : ["L1", "L2"];
    return [
      { step: `acquire ${first}`, code: `${first}.acquire()` },
      { step: `acquire ${second}`, code: `${second}.acquire()` },
      { step: "load", code: "tmp = counter" },
      { step: "store", code: "counter = tmp + 1" },
      { step: "release", code: `${second}.release(); ${first}.release()` }
    ];
  }
  function threadLines(mode, th) {
    const lines = codeFor(mode, th.index);
    const at = lines.findIndex((l3) => l3.step === th.next);
    return lines.map((l3, i6) => ({
      ...l3,
      at: i6 === at,
      done: th.next === "done" || at >= 0 && i6 < at
    }));
  }
  function holderOf(run, lock) {
    const th = run.threads.find((x3) => x3.holds.includes(lock));
    return th ? th.index : null;
  }
  function runStatus2(run) {
    const going = run.threads.filter((x3) => x3.next !== "done");
    const movable = going.filter((x3) => !x3.waiting);
    return { finished: going.length === 0, deadlocked: going.length > 0 && movable.length === 0 };
  }
  function lostUpdates(run) {
    return run.expected === null || run.expected === void 0 ? null : run.expected - run.counter;
  }
  function tally(question) {
    const total = question.options.reduce((n3, o3) => n3 + o3.votes, 0) + (question.outside || 0);
    const most = Math.max(0, ...question.options.map((o3) => o3.votes));
    return question.options.map((o3) => ({
      id: o3.id,
      votes: o3.votes,
      share: total ? o3.votes / total : 0,
      lead: most > 0 && o3.votes === most,
      correct: o3.correct
    }));
  }
  function progress(count2, index) {
    return Array.from({ length: count2 }, (_3, i6) => i6 === index ? "current" : i6 < index ? "passed" : "ahead");
  }

  // js/panels/lesson.js
  var AUTO_MS = 900;
  var say = (text2) => text2 ? text2[getLang()] || text2.en : "";
  var noteParams = (params) => params && params.kind ? { ...params, kind: t(`ipc.${params.kind}`) } : params || {};
  function figureValue(v4) {
    return Number.isInteger(v4) ? count(v4) : String(Math.round(v4 * 100) / 100);
  }
  var LessonBar = class extends Panel {
    /** Besides the panel context: `onScene(pid)`, a scene's lab is ready: the presenter points the class at its first process. */
    constructor(ctx) {
      super(ctx);
      this.sceneShown = null;
      this.mine = /* @__PURE__ */ new Map();
      this.auto = null;
      this.wanted = null;
      this.shown = false;
    }
    onMessage(msg) {
      if (!this.state.lesson && !this.shown && msg.type !== "snapshot") return;
      this.render();
    }
    get presenter() {
      return this.state.role === "presenter" && !document.body.classList.contains("read-only");
    }
    bind() {
      document.getElementById("lesson-start").addEventListener("click", () => this.toggle());
      this.el.addEventListener("submit", (e5) => {
        e5.preventDefault();
        const input = e5.target.querySelector("input[type=number]");
        if (input && input.value !== "") this.vote(Number(input.value));
      });
      document.addEventListener("keydown", (e5) => {
        if (!isShortcut(e5) || !this.presenter) return;
        if (e5.key === "g" || e5.key === "G") this.toggle();
        const lesson2 = this.state.lesson;
        if (!lesson2) return;
        const i6 = this.wanted ?? lesson2.scene.index;
        if (e5.key === "ArrowRight" && i6 + 1 < lesson2.scenes.length) this.go(i6 + 1);
        else if (e5.key === "ArrowLeft" && i6 > 0) this.go(i6 - 1);
        else if (e5.key === "v" || e5.key === "V") this.reveal();
        else if (/^[1-9]$/.test(e5.key) && Number(e5.key) <= this.steppedThreads()) this.step(Number(e5.key)).catch(() => {
        });
        else if (e5.key === "a" || e5.key === "A") this.toggleAuto();
        else return;
        e5.preventDefault();
      });
    }
    // ---- commands (presenter) -------------------------------------------------------------------
    send(command, timeoutMs) {
      return this.conn.command(command, timeoutMs).catch((err) => {
        this.toasts.show(err.message, "error");
        throw err;
      });
    }
    toggle() {
      if (!this.presenter) return;
      const cmd = this.state.lesson ? { op: "lesson_end" } : { op: "lesson_go", index: 0 };
      this.send(cmd, 6e4).catch(() => {
      });
    }
    go(index) {
      this.stopAuto();
      this.wanted = index;
      this.send({ op: "lesson_go", index }, 6e4).catch(() => {
      }).finally(() => {
        if (this.wanted === index) this.wanted = null;
      });
    }
    reveal() {
      const scene = this.state.lesson && this.state.lesson.scene;
      if (!scene || !scene.reveal) return;
      this.send({ op: "lesson_reveal" }, 9e4).catch(() => {
      });
    }
    stepPid() {
      const scene = this.state.lesson && this.state.lesson.scene;
      return scene && scene.kind === "stepped" && scene.pids.length ? scene.pids[0] : null;
    }
    /** How many threads the scene's stepped run has (0: none). */
    steppedThreads() {
      const pid = this.stepPid();
      const p4 = pid === null ? null : this.state.processes.get(pid);
      return p4 && p4.stepped ? p4.stepped.threads.length : 0;
    }
    step(thread) {
      const pid = this.stepPid();
      if (pid === null) return Promise.resolve();
      return this.send({ op: "step", pid, thread });
    }
    toggleAuto() {
      if (this.auto) {
        this.stopAuto();
        return;
      }
      const tick = () => this.step(null).then(() => {
        if (this.auto) this.auto = setTimeout(tick, AUTO_MS);
      }).catch(() => this.stopAuto());
      this.auto = setTimeout(tick, 0);
      this.render();
    }
    stopAuto() {
      clearTimeout(this.auto);
      this.auto = null;
      this.render();
    }
    // ---- votes (viewers) ------------------------------------------------------------------------
    vote(answer) {
      const q2 = this.state.lesson && this.state.lesson.scene.question;
      if (!q2 || !q2.open) return;
      this.conn.vote(q2.id, answer).then(() => {
        this.mine.set(q2.id, answer);
        this.render();
      }).catch((err) => {
        const { text: text2, detail } = errorText(err, false);
        this.toasts.show(text2, "error", detail);
      });
    }
    // ---- drawing ----------------------------------------------------------------------------------
    render() {
      const lesson2 = this.state.lesson;
      const show = Boolean(lesson2);
      document.body.classList.toggle("lesson-open", show);
      const s4 = lesson2 && lesson2.scene;
      const parts = s4 ? 1 + Boolean(s4.question || s4.reveal && s4.reveal !== "stepped") + (s4.kind === "stepped") : 1;
      this.el.dataset.parts = String(parts);
      this.el.dataset.kind = s4 ? s4.kind : "";
      document.getElementById("lesson-start").setAttribute("aria-pressed", String(show));
      if (!lesson2 && this.auto) this.stopAuto();
      D(lesson2 ? this.view(lesson2) : A, this.el);
      const ready = s4 && !lesson2.busy && s4.pids.length ? `${s4.id}:${s4.pids[0]}` : null;
      if (ready && ready !== this.sceneShown && this.presenter && this.state.processes.has(s4.pids[0])) {
        this.sceneShown = ready;
        this.onScene(s4.pids[0]);
      }
      if (show !== this.shown) {
        this.shown = show;
        this.changed();
      }
    }
    view(lesson2) {
      const s4 = lesson2.scene;
      const n3 = lesson2.scenes.length;
      const dots = progress(n3, s4.index);
      return b`<div class="lesson-nav">
          ${this.presenter ? b`<button type="button" class="lesson-prev" ?disabled=${s4.index === 0} @click=${() => this.go(s4.index - 1)}>◀ ${t("lesson.prev")} <kbd>←</kbd></button>` : A}
          <ol class="dots" aria-label=${t("lesson.scene", { i: s4.index + 1, n: n3 })}>
            ${dots.map(
        (d3, i6) => b`<li class=${`dot ${d3}`} data-scene=${lesson2.scenes[i6]} aria-current=${d3 === "current" ? "step" : "false"}>
                ${this.presenter ? b`<button type="button" aria-label=${t("lesson.dot", { i: i6 + 1 })} @click=${() => this.go(i6)}></button>` : A}
              </li>`
      )}
          </ol>
          <span class="lesson-count">${t("lesson.scene", { i: s4.index + 1, n: n3 })}</span>
          ${this.presenter ? b`<button type="button" class="lesson-next" ?disabled=${s4.index + 1 >= n3} @click=${() => this.go(s4.index + 1)}>${t("lesson.next")} ▶ <kbd>→</kbd></button>` : A}
          ${this.presenter && lesson2.aside && lesson2.aside.length ? b`<span class="lesson-aside" data-aside=${lesson2.aside.join(" ")} title=${t("lesson.aside_tip")}>${t("lesson.aside", { n: lesson2.aside.length })}</span>` : A}
          ${lesson2.busy ? b`<span class="lesson-busy" role="status">${t(`lesson.busy_${lesson2.busy}`)}</span>` : A}
          ${this.presenter ? b`<button type="button" class="lesson-end" @click=${() => this.toggle()}>${t("lesson.end")} <kbd>G</kbd></button>` : A}
        </div>
      <div class="lesson-main">
        <h2 class="lesson-headline" data-scene=${s4.id}>${say(s4.headline)}</h2>
        ${this.sweepChart(s4.revealed) || b`<p class="lesson-narration">${say(s4.narration)}</p>`}
        ${lesson2.error && this.presenter ? b`<p class="lesson-error" role="alert">${this.errorLine(lesson2)}</p>` : A}
      </div>
      ${this.questionView(s4, lesson2)}${this.revealOnly(s4, lesson2)}${this.steppedView(s4)}`;
    }
    questionView(s4, lesson2) {
      const q2 = s4.question;
      if (!q2) return A;
      const rows = tally(q2);
      const revealed = s4.revealed;
      const mine = this.mine.get(q2.id);
      const showTally = this.presenter || !q2.open;
      const label = (o3) => say(o3.label);
      const optionView = (o3, r3) => {
        const cls = `option${r3.correct === true ? " right" : r3.correct === false ? " wrong" : ""}${mine === o3.id ? " mine" : ""}`;
        const bar = showTally ? b`<span class="bar" aria-hidden="true"><span class="bar-fill" style=${`width:${(100 * r3.share).toFixed(1)}%`}></span></span>
            <span class="votes" data-votes=${r3.votes}>${r3.votes}</span>` : A;
        const mark = r3.correct === true ? b`<span class="mark">✓ ${t("lesson.right")}</span>` : A;
        if (!this.presenter && q2.open && q2.kind === "choice") {
          return b`<li class=${cls} data-option=${o3.id}>
          <button type="button" class="vote" aria-pressed=${String(mine === o3.id)} @click=${() => this.vote(o3.id)}>${label(o3)}</button>
        </li>`;
        }
        return b`<li class=${cls} data-option=${o3.id} data-correct=${String(r3.correct)}>
        <span class="option-label">${label(o3)}</span>${bar}${mark}
      </li>`;
      };
      return b`<section class="question" data-question=${q2.id} data-open=${String(q2.open)} data-votes=${q2.votes}>
      <h3 class="prompt">${say(q2.prompt)}</h3>
      <ul class="options">${q2.options.map((o3, i6) => optionView(o3, rows[i6]))}</ul>
      ${!this.presenter && q2.open && q2.kind === "number" ? b`<form class="number-vote"><label>${t("lesson.number")} <input type="number" step="any" required inputmode="decimal"></label>
            <button type="submit">${t("lesson.send")}</button></form>` : A}
      <p class="question-foot">
        ${this.presenter && q2.open ? b`<button type="button" class="reveal" ?disabled=${Boolean(lesson2.busy)} @click=${() => this.reveal()}>${t("lesson.reveal")} <kbd>V</kbd></button> ` : A}
        ${showTally ? b`<span class="total">${t("lesson.votes", { n: q2.votes })}</span>` : A}
        ${q2.outside && showTally ? b` · ${t("lesson.outside", { n: q2.outside })}` : A}
        ${q2.open ? this.presenter ? A : mine !== void 0 ? b`<span class="mine-line">${t("lesson.your_vote", { answer: typeof mine === "number" ? mine : label(q2.options.find((o3) => o3.id === mine)) })}</span>` : b`${t("lesson.vote_hint")}` : b` · ${t("lesson.closed")}`}
      </p>
      ${revealed ? this.measuredView(revealed, q2.figure) : A}
    </section>`;
    }
    measuredView(revealed, figure2) {
      const names = figure2 ? [figure2] : Object.keys(revealed.figures);
      return b`<p class="measured" data-experiment=${revealed.experiment} data-value=${revealed.value ?? ""}>
      ${names.map((f3) => b`<span>${t("lesson.measured", { figure: t(`fig.${f3}`), value: figureValue(revealed.figures[f3]) })}</span> `)}
      ${revealed.reliable ? A : b`<strong class="unreliable">${t("lesson.unreliable")}</strong>`}
      <small>${revealed.note ? t(`reveal.note.${revealed.note}`, noteParams(revealed.params)) : revealed.detail}</small>
    </p>`;
    }
    /** Once a switch sweep is revealed, its curves take the narration's place (read by then): the class
     * sees the shape it was asked to predict beside the answer. Null for any other scene. */
    sweepChart(revealed) {
      const sweep = this.state.switchSweep;
      if (!revealed || revealed.experiment !== "switch_sweep" || !sweep || sweep.pid !== revealed.params.pid) return null;
      return b`<div class="lesson-sweep">${chartView(sweep, 470, 220)}</div>`;
    }
    /** Why the last setup or reveal failed, in the page's language when its code has words of its own. */
    errorLine(lesson2) {
      const { text: text2, detail } = errorText({ code: lesson2.error_code, message: lesson2.error }, false);
      if (detail) return detail;
      return lesson2.error_code === "not_finished" ? text2 : b`${text2} <small>${lesson2.error}</small>`;
    }
    revealOnly(s4, lesson2) {
      if (s4.question || !s4.reveal || s4.reveal === "stepped") return A;
      return b`<section class="question run-only">
      ${this.presenter ? b`<button type="button" class="reveal" ?disabled=${Boolean(lesson2.busy)} @click=${() => this.reveal()}>${t("lesson.run")} <kbd>V</kbd></button>` : A}
      ${s4.revealed ? this.measuredView(s4.revealed, null) : A}
    </section>`;
    }
    steppedView(s4) {
      if (s4.kind !== "stepped") return A;
      const p4 = s4.pids.length ? this.state.processes.get(s4.pids[0]) : null;
      const run = p4 && p4.stepped;
      if (!run) return b`<section class="stepped"><p>${t("step.none")}</p></section>`;
      if (p4.status !== "running") return b`<section class="stepped" data-stopped="true"><p class="good">${t("step.stopped", { pid: p4.pid })}</p></section>`;
      const { finished, deadlocked } = runStatus2(run);
      const lost = lostUpdates(run);
      const osState = (tid) => {
        const th = p4.threads.find((x3) => x3.tid === tid);
        return th ? th.state : "?";
      };
      const threadView = (th) => {
        const st = osState(th.tid);
        const holder = th.waiting ? holderOf(run, th.waiting) : null;
        return b`<div class=${`step-thread${th.waiting ? " waiting" : ""}${th.next === "done" ? " done" : ""}`}
          data-index=${th.index} data-tid=${th.tid} data-next=${th.next} data-state=${st} data-tmp=${th.tmp ?? ""}>
        <div class="step-head">
          ${this.presenter ? b`<button type="button" class="step-btn" ?disabled=${Boolean(th.waiting) || th.next === "done"} @click=${() => this.step(th.index).catch(() => {
        })}>
                ${t("step.thread", { i: th.index })} <kbd>${th.index}</kbd></button>` : b`<b>${t("step.thread", { i: th.index })}</b>`}
          <span class="step-tid">TID ${th.tid} · <span class=${`os-state state-${st}`}>${stateWord(st)}</span>${th.next === "done" ? b` · <span class="step-done">${t("step.done")}</span>` : A}</span>
        </div>
        ${th.waiting ? b`<div class="step-wait">${holder ? t("step.waiting", { lock: th.waiting, holder }) : t("step.waiting_free", { lock: th.waiting })}</div>` : A}
        <div class="step-vars"><span class="step-tmp">${th.tmp === null ? t("step.unset") : t("step.tmp", { v: count(th.tmp) })}</span>
          ${th.holds.length ? b`<span class="step-holds">${t("step.holds", { locks: th.holds.join(", ") })}</span>` : A}</div>
        <ol class="code">
          ${threadLines(run.mode, th).map(
          (l3) => b`<li class=${`${l3.at ? "at" : ""}${l3.done ? " ran" : ""}`}><code>${l3.code}</code></li>`
        )}
        </ol>
      </div>`;
      };
      return b`<section class="stepped" data-mode=${run.mode} data-counter=${run.counter} data-lost=${lost ?? ""}>
      <div class="step-title">
        <span><span class="step-counter">${t("step.counter", { v: count(run.counter) })}</span>
          ${finished && lost !== null ? b` · <span class=${`step-verdict ${lost > 0 ? "bad" : "good"}`}>${t("step.lost", { e: count(run.expected), c: count(run.counter), lost })}</span>` : A}
          ${finished && lost === null ? b` · ${t("step.finished")}` : A}
          ${!finished && !deadlocked ? b` · <span class="step-hint">${this.presenter ? t("step.title", { last: run.threads.length }) : t("step.title_viewer")}</span>` : A}
          ${deadlocked ? b` · <strong class="bad deadlock" role="status">${t("step.deadlock")}</strong>` : A}
        </span>
        ${this.presenter && deadlocked ? b`<button type="button" class="danger stop-deadlock" @click=${() => this.send({ op: "stop_process", pid: p4.pid }).catch(() => {
      })}>${t("btn.stop_process")}</button>` : A}
        ${this.presenter && !deadlocked ? b`<button type="button" class="step-auto" aria-pressed=${String(Boolean(this.auto))} @click=${() => this.toggleAuto()}>${t("step.auto")} <kbd>A</kbd></button>` : A}
      </div>
      <div class="step-threads">${run.threads.map(threadView)}</div>
    </section>`;
    }
  };

  // js/panels/pystack.js
  var POLL_MS = 1e3;
  var showLocals = (f3, i6, n3) => f3.file.startsWith("app/") || i6 === n3 - 1;
  var PyStackPanel = class extends Panel {
    constructor(ctx) {
      super(ctx);
      this.target = null;
      this.stack = null;
      this.error = null;
      this.timer = null;
      this.asking = false;
    }
    /** It polls the selected thread's stack on its own: a frame changes nothing here. */
    onMessage() {
    }
    /** Show (or stop showing) the stack of the selected thread. */
    follow(sel) {
      const target = sel && sel.pid !== null && sel.tid !== null ? { pid: sel.pid, tid: sel.tid } : null;
      const same = target && this.target && target.pid === this.target.pid && target.tid === this.target.tid;
      if (same || !target && !this.target) return;
      this.target = target;
      this.stack = null;
      this.error = null;
      clearTimeout(this.timer);
      this.render();
      if (target) this.ask();
    }
    async ask() {
      const target = this.target;
      if (!target || this.asking) return;
      if (document.visibilityState === "visible") {
        this.asking = true;
        try {
          const resp = await fetch(`/api/processes/${target.pid}/threads/${target.tid}/stack`);
          const body = await resp.json();
          if (target !== this.target) return;
          if (resp.ok) {
            this.stack = body;
            this.error = null;
          } else {
            this.error = body.message || resp.statusText;
          }
        } catch (err) {
          this.error = err.message;
        } finally {
          this.asking = false;
        }
        this.render();
      }
      if (target === this.target) this.timer = setTimeout(() => this.ask(), POLL_MS);
    }
    render() {
      document.body.classList.toggle("pystack-open", Boolean(this.target));
      if (!this.target) {
        D(A, this.el);
        return;
      }
      const frames = this.stack ? this.stack.frames : [];
      D(
        b`<h2>${t("stack.title", { tid: this.target.tid })}</h2>
        <p class="hint">${this.error ? t("stack.gone", { why: this.error }) : t("stack.hint")}</p>
        <ol class="frames">
          ${frames.map(
          (f3, i6) => b`<li class="frame" data-function=${f3.function}>
              <div class="frame-head"><code class="fn">${f3.function}</code> <span class="where">${f3.file}:${f3.line ?? "?"}</span></div>
              ${showLocals(f3, i6, frames.length) && Object.keys(f3.locals).length ? b`<dl class="locals">${Object.entries(f3.locals).map(([k3, v4]) => b`<dt>${k3}</dt><dd><code>${v4}</code></dd>`)}</dl>` : A}
            </li>`
        )}
        </ol>`,
        this.el
      );
    }
  };

  // js/state/recording.js
  var FORMAT = "ptlab-recording";
  var VERSION = 1;
  var MAX_FILE_BYTES = 32 << 20;
  var MAX_TEXT_BYTES = 128 << 20;
  var MAX_LINE_BYTES = 4 << 20;
  var MAX_DEPTH = 32;
  var MAX_LINES = 1e6;
  var RecordingError = class extends Error {
  };
  var STRING = /"[^"\\]*(?:\\.[^"\\]*)*"/g;
  var NOT_BRACKET = /[^[\]{}]+/g;
  var INNERMOST = /\[\]|\{\}/g;
  function nestsWithin(text2, max) {
    let opens = 0;
    for (let i6 = text2.indexOf("["); i6 >= 0 && opens <= max; i6 = text2.indexOf("[", i6 + 1)) opens += 1;
    for (let i6 = text2.indexOf("{"); i6 >= 0 && opens <= max; i6 = text2.indexOf("{", i6 + 1)) opens += 1;
    if (opens <= max) return true;
    let brackets = text2.replace(STRING, "").replace(NOT_BRACKET, "");
    for (let round = 0; round < max; round += 1) {
      if (!brackets) return true;
      const shorter = brackets.replace(INNERMOST, "");
      if (shorter === brackets) return false;
      brackets = shorter;
    }
    return !brackets;
  }
  var RecordingParser = class {
    constructor() {
      this.n = 0;
      this.header = null;
      this.messages = [];
    }
    json(line) {
      const n3 = this.n;
      if (line.length > MAX_LINE_BYTES) throw new RecordingError(`line ${n3} is ${line.length} characters long; the limit is ${MAX_LINE_BYTES}`);
      if (!nestsWithin(line, MAX_DEPTH)) throw new RecordingError(`line ${n3} nests deeper than ${MAX_DEPTH} levels; refused`);
      let value;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new RecordingError(`line ${n3} is not valid JSON: ${err.message}`);
      }
      if (!value || typeof value !== "object" || Array.isArray(value)) throw new RecordingError(`line ${n3} is not a JSON object`);
      return value;
    }
    line(line) {
      this.n += 1;
      const n3 = this.n;
      if (n3 === 1) {
        if (!line.trim()) throw new RecordingError("the file is empty: no header line");
        const header = this.json(line);
        if (header.format !== FORMAT) throw new RecordingError(`not a ptlab recording: line 1 says format ${JSON.stringify(header.format)}`);
        if (header.version !== VERSION) {
          throw new RecordingError(`wrong version: the file is version ${JSON.stringify(header.version)}; this page reads version ${VERSION}`);
        }
        this.header = header;
        return;
      }
      if (!line.trim()) return;
      const msg = this.json(line);
      if (msg.type !== "snapshot" && msg.type !== "frame") throw new RecordingError(`line ${n3}: a message of type ${JSON.stringify(msg.type)}`);
      if (!this.messages.length && msg.type !== "snapshot") throw new RecordingError(`line ${n3}: the first message must be a snapshot`);
      if (typeof msg.seq !== "number" || typeof msg.ts !== "number") throw new RecordingError(`line ${n3}: no seq or ts`);
      if (msg.type === "snapshot" ? !Array.isArray(msg.processes) : !Array.isArray(msg.changed) || !Array.isArray(msg.removed)) {
        throw new RecordingError(`line ${n3} is not a valid ${msg.type}`);
      }
      this.messages.push({ keyframe: msg.type === "snapshot", seq: msg.seq, ts: msg.ts, msg });
    }
    finish() {
      if (!this.header) throw new RecordingError("the file is empty: no header line");
      if (!this.messages.length) throw new RecordingError("the file holds a header but no snapshot");
      return { header: this.header, messages: this.messages };
    }
  };
  async function loadRecording(blob) {
    if (blob.size > MAX_FILE_BYTES) throw new RecordingError(`the file is ${blob.size} bytes; recordings may have ${MAX_FILE_BYTES} at most`);
    const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
    if (head[0] !== 31 || head[1] !== 139) throw new RecordingError("not a ptlab recording: the file is not gzip-compressed (.ptlab files are)");
    const reader = blob.stream().pipeThrough(new DecompressionStream("gzip")).getReader();
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const parser = new RecordingParser();
    let unpacked = 0;
    let pending = "";
    try {
      for (; ; ) {
        const { done, value } = await reader.read();
        if (done) break;
        unpacked += value.byteLength;
        if (unpacked > MAX_TEXT_BYTES) throw new RecordingError(`the file unpacks to more than ${MAX_TEXT_BYTES} bytes; refused`);
        const lines = (pending + decoder.decode(value, { stream: true })).split("\n");
        pending = lines.pop();
        if (parser.n + lines.length > MAX_LINES) throw new RecordingError(`the file has more than ${MAX_LINES} lines; refused`);
        for (const line of lines) parser.line(line);
        if (pending.length > MAX_LINE_BYTES) {
          throw new RecordingError(`line ${parser.n + 1} is over ${MAX_LINE_BYTES} characters long; the limit is ${MAX_LINE_BYTES}`);
        }
      }
      pending += decoder.decode();
    } catch (err) {
      reader.cancel().catch(() => {
      });
      if (err instanceof RecordingError) throw err;
      throw new RecordingError(`the file is truncated or corrupted: ${err.message}`);
    }
    if (pending) parser.line(pending);
    return parser.finish();
  }
  function append(rec, msg) {
    const last = rec.messages[rec.messages.length - 1];
    if (last && msg.seq <= last.seq) return;
    rec.messages.push({ keyframe: msg.type === "snapshot", seq: msg.seq, ts: msg.ts, msg });
  }
  function span(rec) {
    return [rec.messages[0].ts, rec.messages[rec.messages.length - 1].ts];
  }
  function marks(rec) {
    const out = [];
    for (const m4 of rec.messages) if (!m4.keyframe) for (const e5 of m4.msg.events || []) out.push({ ...e5, at: m4.ts });
    return out;
  }
  function stateAt(rec, t6) {
    const msgs = rec.messages;
    let lo = 0;
    let hi = msgs.length - 1;
    while (lo < hi) {
      const mid = lo + hi + 1 >> 1;
      if (msgs[mid].ts <= t6) lo = mid;
      else hi = mid - 1;
    }
    let k3 = lo;
    while (k3 > 0 && !msgs[k3].keyframe) k3 -= 1;
    const state2 = new LabState();
    state2.apply(msgs[k3].msg);
    for (let i6 = k3 + 1; i6 < msgs.length && msgs[i6].ts <= t6; i6 += 1) {
      if (!msgs[i6].keyframe) state2.apply(msgs[i6].msg);
    }
    return state2;
  }

  // js/panels/timeline.js
  var TimeMachine = class extends Panel {
    /** Besides the panel context: `onChange()`, the picture (or the mode) changed: redraw, tell the class. */
    constructor(ctx) {
      super(ctx);
      this.live = ctx.state;
      this.rec = null;
      this.at = null;
      this.source = "live";
      this.fileName = "";
      this.range = [null, null];
      this.shown = null;
      this.loading = null;
    }
    get paused() {
      return this.at !== null;
    }
    /** The LabState to draw: the live one, or the one at the paused moment. */
    view() {
      return this.paused && this.shown ? this.shown : this.live;
    }
    bind() {
      const $3 = (id) => this.el.querySelector(`#${id}`);
      this.slider = $3("tm-range");
      this.marksEl = $3("tm-marks");
      this.slider.addEventListener("input", () => this.seek(Number(this.slider.value)));
      $3("tm-prev").addEventListener("click", () => this.step(-1));
      $3("tm-next").addEventListener("click", () => this.step(1));
      $3("tm-live").addEventListener("click", () => this.goLive());
      $3("tm-in").addEventListener("click", () => this.mark(0));
      $3("tm-out").addEventListener("click", () => this.mark(1));
      this.exportEl = $3("tm-export");
      this.exportHtml = $3("tm-export-html");
      document.addEventListener("keydown", (e5) => {
        if (!isShortcut(e5)) return;
        if (e5.key === "k" || e5.key === "K") this.paused ? this.goLive() : this.pause();
        else if (e5.key === ",") this.step(-1);
        else if (e5.key === ".") this.step(1);
        else if (e5.key === "l" || e5.key === "L") this.goLive();
        else if (e5.key === "[") this.mark(0);
        else if (e5.key === "]") this.mark(1);
        else return;
        e5.preventDefault();
      });
      window.addEventListener("dragover", (e5) => e5.preventDefault());
      window.addEventListener("drop", (e5) => {
        const file = e5.dataTransfer && e5.dataTransfer.files[0];
        if (!file) return;
        e5.preventDefault();
        this.openFile(file);
      });
    }
    /** Every live message: kept in the recording while paused, so the timeline runs on. */
    onMessage(msg) {
      this.onLive(msg);
    }
    onLive(msg) {
      if (this.rec && this.source === "live") append(this.rec, msg);
      if (this.paused) this.render();
    }
    async history() {
      if (!this.loading) {
        this.loading = fetch("/api/history/export").then((r3) => r3.ok ? r3.blob() : r3.json().then((b3) => Promise.reject(new RecordingError(b3.message)))).then(loadRecording).finally(() => {
          this.loading = null;
        });
      }
      return this.loading;
    }
    /** Pause at the newest moment (or `at`), with the server's history behind it. */
    async pause(at = null) {
      if (this.source === "live" && (!this.rec || this.rec.messages.length < 2)) {
        try {
          this.rec = await this.history();
        } catch (err) {
          this.toasts.show(t("tm.no_history"), "error", err.message);
          return;
        }
      }
      if (!this.rec) return;
      this.seek(at === null ? span(this.rec)[1] : at);
    }
    /** Follow the presenter's moment (null: live). */
    async follow(at) {
      if (at === null) {
        if (this.source === "live") this.goLive();
        return;
      }
      if (this.rec && at <= span(this.rec)[1]) this.seek(at);
      else {
        this.rec = null;
        await this.pause(at);
      }
    }
    /** Replay a recording the server serves (`ptlab replay`): from its start; there is no live. */
    async replay() {
      this.source = "replay";
      try {
        this.rec = await this.history();
      } catch (err) {
        this.toasts.show(t("tm.no_history"), "error", err.message);
        return;
      }
      this.seek(span(this.rec)[0]);
    }
    /** A recording inside the page itself (the offline HTML export): replayed, with no server behind. */
    async openOffline(blob) {
      this.offline = true;
      this.source = "replay";
      this.rec = await loadRecording(blob);
      this.live.apply(this.rec.messages[0].msg);
      this.seek(span(this.rec)[0]);
    }
    async openFile(file) {
      try {
        const rec = await loadRecording(file);
        this.rec = rec;
        this.source = "file";
        this.fileName = file.name;
        this.seek(span(rec)[0]);
      } catch (err) {
        this.toasts.show(t("tm.bad_file", { name: file.name }), "error", err.message);
      }
    }
    seek(at) {
      if (!this.rec) return;
      const [start, end] = span(this.rec);
      const next2 = Math.min(end, Math.max(start, at));
      if (!this.paused) this.base = this.source === "live" ? Math.max(end, this.live.ts || end) : end;
      if (next2 !== this.at || !this.shown) {
        this.at = next2;
        this.shown = stateAt(this.rec, next2);
      }
      this.render();
      this.onChange();
    }
    /** To the previous (-1) or next (+1) event on the timeline. */
    async step(dir) {
      if (!this.paused) await this.pause();
      if (!this.rec) return;
      const ms2 = marks(this.rec).map((m4) => m4.at);
      const target = dir < 0 ? ms2.filter((x3) => x3 < this.at - 1e-6).pop() : ms2.find((x3) => x3 > this.at + 1e-6);
      if (target !== void 0) this.seek(target);
    }
    /** The last event at or before the paused moment (for the caption), or null. */
    lastEvent() {
      if (!this.paused || !this.rec) return null;
      return marks(this.rec).filter((m4) => m4.at <= this.at).pop() || null;
    }
    mark(which) {
      if (!this.paused) return;
      this.range[which] = this.at;
      this.render();
    }
    goLive() {
      if (this.source === "replay") return;
      this.at = null;
      this.shown = null;
      this.range = [null, null];
      this.source = "live";
      this.rec = null;
      this.render();
      this.onChange();
    }
    /** The badge that replaces "live": PAUSED −12 s, or REPLAY. */
    badge() {
      if (this.source !== "live") return t("tm.replay", { name: this.fileName || t("tm.recording") });
      if (!this.paused) return "";
      return t("tm.paused", { s: this.ago(this.at) });
    }
    /** Seconds from `at` back to the moment the pause began, as the badge and the range show them. */
    ago(at) {
      const behind = Math.max(0, (this.base ?? at) - at);
      return behind < 10 ? behind.toFixed(1) : String(Math.round(behind));
    }
    render() {
      const on = this.paused || this.source !== "live";
      document.body.classList.toggle("tm-open", on);
      if (!on || !this.rec) return;
      const [start, end] = span(this.rec);
      const r3 = this.slider;
      r3.min = String(start);
      r3.max = String(end);
      r3.step = "0.05";
      r3.value = String(this.at ?? end);
      r3.setAttribute("aria-valuetext", this.badge());
      const width = Math.max(end - start, 1e-6);
      const key = `${start}:${end}`;
      if (this.marksKey !== key) {
        this.marksKey = key;
        const title = (m4) => t(`tm.kind.${m4.kind}`, { pid: m4.pid ?? "", tid: m4.tid ?? "" });
        D(
          marks(this.rec).map(
            (m4) => b`<span class=${`tm-mark k-${m4.kind}`} style=${`left:${100 * (m4.at - start) / width}%`} title=${title(m4)}></span>`
          ),
          this.marksEl
        );
      }
      const [a3, b3] = this.range;
      const q2 = new URLSearchParams();
      if (a3 !== null) q2.set("start", String(Math.min(a3, b3 ?? a3)));
      if (b3 !== null) q2.set("end", String(Math.max(b3, a3 ?? b3)));
      const query = q2.size ? `?${q2}` : "";
      this.exportEl.href = `/api/history/export${query}`;
      this.exportHtml.href = `/api/history/export.html${query}`;
      this.exportEl.hidden = this.exportHtml.hidden = this.source === "file" || Boolean(this.offline);
      this.el.querySelector("#tm-range-label").textContent = a3 !== null || b3 !== null ? t("tm.range", { a: a3 === null ? "…" : `−${this.ago(Math.min(a3, b3 ?? a3))}`, b: b3 === null ? "…" : `−${this.ago(Math.max(b3, a3 ?? b3))}` }) : "";
      this.el.querySelector("#tm-live").disabled = this.source === "replay";
    }
  };

  // js/main.js
  var state = new LabState();
  var svg = document.getElementById("diagram");
  var connEl = document.getElementById("conn");
  var roleEl = document.getElementById("role");
  var selEl = document.getElementById("selection");
  var strip2 = new CaptionStrip(document.getElementById("caption"));
  var toasts = new Toasts(document.getElementById("toasts"));
  var tooltip = document.getElementById("tooltip");
  var overlay = document.getElementById("overlay");
  var connStatus = ["connecting"];
  var drawQueued = false;
  function draw2() {
    drawQueued = false;
    if (lanesOpen()) {
      if (!book.seeded) seedLanes();
      lanes.render(controls.selection);
      return;
    }
    render(svg, {
      state: tm.view(),
      selection: controls.selection,
      emptyText: emptyText()
    });
    bringIntoView();
  }
  function emptyText() {
    const start = t(state.role === "presenter" ? "empty.presenter" : "empty.viewer");
    const run = state.run;
    if (!run || run.status !== "exited" || tm.paused) return start;
    const raised = run.traceback ? run.traceback.trim().split("\n").pop() : "";
    return [t("empty.run_ended", { name: run.name, how: runStatus(run) }), ...raised ? [raised] : [], t("empty.run_more")];
  }
  var seeding = false;
  function seedLanes() {
    if (seeding || tm.source !== "live" || state.server && state.server.replay) return;
    seeding = true;
    fetch("/api/state").then((r3) => r3.ok ? r3.json() : null).then((body) => {
      if (body) book.seed(body);
      redraw();
    }).catch(() => {
    }).finally(() => {
      book.seeded = true;
      seeding = false;
    });
  }
  var inView = "";
  function bringIntoView() {
    const pid = controls.selection.pid;
    if (pid === null || svg.dataset.mode !== "stack") return;
    const scroller = svg.parentElement;
    const key = `${pid}:${scroller.clientHeight}`;
    if (key === inView) return;
    const card2 = svg.querySelector(`.card[data-pid="${pid}"]`);
    if (!card2) return;
    inView = key;
    const [y3, h4] = [Number(card2.dataset.y), Number(card2.dataset.h)];
    const top = scroller.scrollTop;
    if (y3 < top || y3 + Math.min(h4, scroller.clientHeight) > top + scroller.clientHeight) {
      scroller.scrollTo({ top: Math.max(0, y3 - 10), behavior: "smooth" });
    }
  }
  function redraw() {
    if (!drawQueued) {
      drawQueued = true;
      requestAnimationFrame(draw2);
    }
  }
  function showSelection(sel) {
    selEl.textContent = sel.pid === null ? t("selected.none") : sel.tid === null ? t("selected.process", { pid: sel.pid }) : t("selected.thread", { pid: sel.pid, tid: sel.tid });
  }
  function showStatus(status, retry) {
    connStatus = [status, retry];
    connEl.dataset.status = status;
    const badge = status === "live" ? tm.badge() : "";
    connEl.textContent = badge || (status === "lost" ? t("conn.lost", { s: retry }) : t(`conn.${status}`));
  }
  function showHost() {
    const { sentence, pill } = hostWords(state.server && state.server.host);
    const pillEl = document.getElementById("host");
    document.getElementById("help-host").textContent = sentence;
    pillEl.textContent = pill;
    pillEl.title = sentence;
    pillEl.hidden = !pill;
    const bar = pillEl.parentElement;
    if (pill && bar.scrollWidth > bar.clientWidth) pillEl.hidden = true;
  }
  window.addEventListener("resize", showHost);
  function showRole() {
    document.body.dataset.role = state.role;
    document.body.classList.toggle("read-only", Boolean(state.server && state.server.replay) || Boolean(tm.offline));
    roleEl.textContent = t(`role.${state.role}`);
    document.querySelectorAll(".controls button, .controls select").forEach((el) => {
      el.disabled = state.role !== "presenter";
    });
  }
  var conn = new Connection({
    onMessage: (msg) => {
      if (msg.type === "snapshot") book.reset();
      const events = state.apply(msg);
      book.record(state);
      if (tm.paused) showStatus(...connStatus);
      if (msg.type === "snapshot" && state.server && state.server.replay && tm.source !== "replay") tm.replay();
      if (msg.type === "snapshot") {
        showRole();
        showHost();
      }
      if (!tm.paused) strip2.take(msg, events);
      if (msg.focus && follow.on && state.role !== "presenter") followPresenter();
      controls.reconcile();
      for (const p4 of panels) p4.onMessage(msg, events);
      redraw();
      if (msg.type === "frame") {
        for (const ev of events.filter((e5) => e5.kind === "ipc_message")) {
          requestAnimationFrame(() => fly(svg, overlay, ev, t(`ipc.${ev.detail}`)));
        }
      }
    },
    onStatus: showStatus
  });
  var controls = new Controls({
    conn,
    state,
    toasts,
    onSelect: (sel) => {
      showSelection(sel);
      pystack.follow(sel);
      panel2.render();
      tellClass();
    },
    redraw
  });
  var follow = { on: localStorage.getItem("ptlab.explore") !== "1" };
  var followBtn = document.getElementById("follow");
  function followPresenter() {
    const f3 = state.focus;
    if (f3.pid !== null && state.processes.has(f3.pid)) controls.selection = { pid: f3.pid, tid: f3.tid };
    if (panel2.open !== f3.panel) panel2.toggle(f3.panel);
    if (lanesOpen() !== Boolean(f3.lanes)) toggleLanes(Boolean(f3.lanes));
    if ((f3.at ?? null) !== tm.at && tm.source !== "file") tm.follow(f3.at ?? null);
    showSelection(controls.selection);
    pystack.follow(controls.selection);
    redraw();
  }
  function showFollow() {
    followBtn.textContent = t(follow.on ? "btn.following" : "btn.exploring");
    followBtn.setAttribute("aria-pressed", String(follow.on));
  }
  followBtn.addEventListener("click", () => {
    follow.on = !follow.on;
    localStorage.setItem("ptlab.explore", follow.on ? "0" : "1");
    showFollow();
    if (follow.on) followPresenter();
  });
  var told = "";
  var telling = null;
  function tellClass() {
    clearTimeout(telling);
    telling = setTimeout(tellClassNow, tm.paused ? 150 : 0);
  }
  function tellClassNow() {
    if (state.role !== "presenter") return;
    const { pid, tid } = controls.selection;
    const focus = {
      op: "focus",
      pid,
      tid,
      panel: document.body.classList.contains("lab-open"),
      lanes: lanesOpen(),
      at: tm.source === "live" ? tm.at : null
    };
    const key = JSON.stringify(focus);
    if (key === told) return;
    told = key;
    conn.command(focus).catch(() => {
      told = "";
    });
  }
  var context = (id, more = {}) => ({
    el: document.getElementById(id),
    conn,
    state,
    controls,
    toasts,
    changed: () => {
      redraw();
      tellClass();
    },
    ...more
  });
  var panel2 = new ExperimentsPanel(context("lab"));
  var tm = new TimeMachine(
    context("timeline", {
      onChange: () => {
        showStatus(...connStatus);
        const ev = tm.lastEvent();
        if (ev) strip2.show(ev);
        redraw();
        tellClass();
      }
    })
  );
  var lesson = new LessonBar(context("lesson", { changed: redraw, onScene: (pid) => controls.select(pid, null) }));
  var pystack = new PyStackPanel(context("pystack"));
  var code = new CodePanel(context("code", { changed: redraw }));
  var panels = [panel2, tm, lesson, pystack, code, new JoinOverlay(context("joindlg"))];
  var book = new LaneBook();
  var lanes = new LanesView(document.getElementById("lanes"), {
    state,
    book,
    onPick: (pid, tid) => {
      if (state.role === "presenter" || !follow.on) controls.select(pid, tid);
    }
  });
  var lanesBtn = document.getElementById("toggle-lanes");
  function lanesOpen() {
    return document.body.classList.contains("lanes-open");
  }
  function toggleLanes(force) {
    document.body.classList.toggle("lanes-open", force);
    lanesBtn.setAttribute("aria-pressed", String(lanesOpen()));
    redraw();
    tellClass();
  }
  lanesBtn.addEventListener("click", () => toggleLanes());
  document.addEventListener("keydown", (e5) => {
    if (!isShortcut(e5)) return;
    if (e5.key === "c" || e5.key === "C") toggleLanes();
  });
  function showTip(e5) {
    const el = e5.target.closest("[data-tip]");
    if (!el) {
      tooltip.hidden = true;
      return;
    }
    tooltip.textContent = tipFor(el, state);
    tooltip.hidden = false;
    const x3 = Math.min(e5.clientX + 16, window.innerWidth - tooltip.offsetWidth - 8);
    const y3 = Math.min(e5.clientY + 16, window.innerHeight - tooltip.offsetHeight - 8);
    tooltip.style.left = `${x3}px`;
    tooltip.style.top = `${y3}px`;
  }
  svg.addEventListener("pointermove", showTip);
  svg.addEventListener("pointerdown", showTip);
  svg.addEventListener("pointerleave", () => {
    tooltip.hidden = true;
  });
  onLangChange(() => {
    showFollow();
    showRole();
    showHost();
    showStatus(...connStatus);
    showSelection(controls.selection);
    strip2.render();
    document.getElementById("lang").textContent = t("lang.switch");
    for (const p4 of panels) p4.relabel();
    redraw();
  });
  window.addEventListener("resize", redraw);
  var menu = document.getElementById("menu");
  function setMenu(open) {
    document.body.classList.toggle("menu-open", open);
    menu.setAttribute("aria-expanded", String(open));
  }
  menu.addEventListener("click", () => setMenu(!document.body.classList.contains("menu-open")));
  document.getElementById("tools").addEventListener("click", (e5) => {
    if (e5.target.closest("button")) setMenu(false);
  });
  document.documentElement.lang = getLang();
  applyStatic();
  document.getElementById("lang").textContent = t("lang.switch");
  showSelection(controls.selection);
  showFollow();
  strip2.render();
  controls.bind();
  for (const p4 of panels) p4.bind();
  var offline = document.getElementById("ptlab-recording");
  if (offline) {
    const bytes = Uint8Array.from(atob(offline.textContent.trim()), (c4) => c4.charCodeAt(0));
    tm.openOffline(new Blob([bytes])).then(() => {
      showRole();
      showHost();
      showStatus("live");
    }).catch((err) => toasts.show(t("tm.bad_file", { name: "" }), "error", err.message));
  } else {
    conn.open();
  }
  window.ptlab = { state, conn, controls, panel: panel2, book, tm, lesson, pystack, code };
})();
/**
 * @license
 * Copyright 2017 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
/**
 * @license
 * Copyright 2018 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
/**
 * @license
 * Copyright 2020 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
/*!
  Highlight.js v11.12.0 (git: f7f7d3803b)
  (c) 2006-2026 Josh Goebel <hello@joshgoebel.com> and other contributors
  License: BSD-3-Clause
 */
/*! `python` grammar compiled for Highlight.js 11.12.0 */
