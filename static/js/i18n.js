// Every string the page shows, in English and Korean. The choice is remembered.

const TABLE = {
  en: {
    "app.title": "Process & Thread Lab",
    "lang.switch": "한국어",
    "conn.connecting": "connecting…",
    "conn.live": "live",
    "conn.lost": "connection lost — retrying in {s} s",
    "role.presenter": "presenter",
    "role.viewer": "viewer (read-only)",
    "btn.spawn_process": "Spawn process",
    "btn.fork": "Fork",
    "btn.spawn_thread": "Spawn thread",
    "btn.stop_thread": "Stop thread",
    "btn.stop_process": "Stop process",
    "btn.reset": "Reset",
    "btn.theme": "Theme",
    "btn.fullscreen": "Full screen",
    "btn.help": "Help",
    "activity.idle": "idle",
    "activity.count": "count",
    "activity.busy": "busy",
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
    "selected.process": "selected: PID {pid}",
    "selected.thread": "selected: PID {pid} · TID {tid}",
    "empty.presenter": "No lab processes yet. Press P or click “Spawn process”.",
    "empty.viewer": "No lab processes yet. The teacher will start some.",
    "tip.region": "{kind}: {start} – {end} ({size}) {perms} {path}",
    "tip.band": "{kind}: {count} regions, {size} in all",
    "tip.stack": "stack of thread {tid}: {start} – {end} ({size})",
    "cap.process_started": "New process {pid}: its own Code, Data, Heap and Stack, and one (main) thread.",
    "cap.process_forked": "fork(): process {pid} is a copy of {parent} — same addresses, separate memory.",
    "cap.thread_started": "New thread {tid} in process {pid}: its own Stack; Code, Data and Heap shared with its siblings.",
    "cap.thread_stopped": "Thread {tid} of process {pid} ended ({detail}); its stack is unmapped.",
    "cap.process_exited": "Process {pid} ended: {detail}. The OS reclaims all its memory.",
    "cap.reset": "Reset: every lab process ended.",
    "cap.welcome": "Each box is a real process read from /proc; each stripe a real memory region.",
    "err.no_selection": "Select a process first (click its card).",
    "err.no_thread": "Select a thread first (click it).",
    "err.not_connected": "Not connected to the server.",
    "err.forbidden": "Only the presenter can do that.",
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
    "exit.normal": "exit code 0",
    "exit.code": "exit code {code}",
    "exit.signal": "killed by {sig}",
  },
  ko: {
    "app.title": "프로세스와 스레드 실험실",
    "lang.switch": "English",
    "conn.connecting": "연결 중…",
    "conn.live": "실시간",
    "conn.lost": "연결 끊김 — {s}초 후 다시 시도",
    "role.presenter": "발표자",
    "role.viewer": "보기 전용",
    "btn.spawn_process": "프로세스 생성",
    "btn.fork": "포크",
    "btn.spawn_thread": "스레드 생성",
    "btn.stop_thread": "스레드 종료",
    "btn.stop_process": "프로세스 종료",
    "btn.reset": "초기화",
    "btn.theme": "테마",
    "btn.fullscreen": "전체 화면",
    "btn.help": "도움말",
    "activity.idle": "대기",
    "activity.count": "카운트",
    "activity.busy": "계산",
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
    "card.forked": "{pid}에서 포크",
    "card.rss": "RSS {size}",
    "card.threads": "스레드 {n}개가 코드·데이터·힙 공유",
    "card.thread1": "스레드 1개 (메인)",
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
    "selected.process": "선택: PID {pid}",
    "selected.thread": "선택: PID {pid} · TID {tid}",
    "empty.presenter": "아직 실험 프로세스가 없습니다. P 키나 “프로세스 생성”을 누르세요.",
    "empty.viewer": "아직 실험 프로세스가 없습니다. 선생님이 곧 시작합니다.",
    "tip.region": "{kind}: {start} – {end} ({size}) {perms} {path}",
    "tip.band": "{kind}: 영역 {count}개, 모두 {size}",
    "tip.stack": "스레드 {tid}의 스택: {start} – {end} ({size})",
    "cap.process_started": "새 프로세스 {pid}: 자신만의 코드·데이터·힙·스택과 (메인) 스레드 하나.",
    "cap.process_forked": "fork(): 프로세스 {pid}는 {parent}의 복사본 — 주소는 같고 메모리는 따로.",
    "cap.thread_started": "새 스레드 {tid} (프로세스 {pid}): 자기 스택만 새로; 코드·데이터·힙은 형제 스레드와 공유.",
    "cap.thread_stopped": "프로세스 {pid}의 스레드 {tid} 종료 ({detail}); 그 스택은 해제됨.",
    "cap.process_exited": "프로세스 {pid} 종료: {detail}. 운영체제가 메모리를 모두 회수.",
    "cap.reset": "초기화: 모든 실험 프로세스 종료.",
    "cap.welcome": "각 상자는 /proc에서 읽은 실제 프로세스, 각 줄은 실제 메모리 영역입니다.",
    "err.no_selection": "먼저 프로세스를 선택하세요 (카드 클릭).",
    "err.no_thread": "먼저 스레드를 선택하세요 (클릭).",
    "err.not_connected": "서버에 연결되어 있지 않습니다.",
    "err.forbidden": "발표자만 할 수 있습니다.",
    "help.title": "키보드",
    "help.P": "프로세스 생성",
    "help.T": "선택한 프로세스에 스레드 생성",
    "help.F": "선택한 프로세스 포크",
    "help.Del": "선택한 스레드, 없으면 선택한 프로세스 종료",
    "help.R": "초기화: 모든 실험 프로세스 종료",
    "help.ShiftF": "발표 모드 (전체 화면)",
    "help.q": "이 도움말",
    "help.legend": "색맹 안전 팔레트를 쓰며, 모든 영역에 고유 무늬와 이름표가 있습니다.",
    "help.close": "닫기",
    "legend.title": "메모리",
    "detail.stopped": "종료 요청",
    "detail.error": "예외 발생: {error}",
    "exit.normal": "종료 코드 0",
    "exit.code": "종료 코드 {code}",
    "exit.signal": "{sig} 시그널로 강제 종료",
  },
};

const KEY = "ptlab.lang";
const stored = localStorage.getItem(KEY);
let lang = TABLE[stored] ? stored : (navigator.language || "en").startsWith("ko") ? "ko" : "en";
const listeners = new Set();

/** Translate `key`, filling {placeholders} from `params`. Unknown keys show themselves, loudly. */
export function t(key, params = {}) {
  const s = TABLE[lang][key] ?? TABLE.en[key] ?? `⟦${key}⟧`;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in params ? String(params[k]) : `{${k}}`));
}

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!TABLE[next]) return;
  lang = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  applyStatic();
  listeners.forEach((fn) => fn(next));
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/** Fill every element marked data-i18n (text) or data-i18n-title (tooltip). */
export function applyStatic(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n);
  });
  root.querySelectorAll("[data-i18n-title]").forEach((el) => {
    el.title = t(el.dataset.i18nTitle);
    el.setAttribute("aria-label", el.title);
  });
}

export const KEYS = Object.keys(TABLE.en);
export const LANGS = Object.keys(TABLE);
