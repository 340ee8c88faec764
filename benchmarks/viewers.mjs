// N websocket viewers in one Node process (lighter than Python's for 1 000 of them): count frames and
// measure delivery lag. Run by benchmarks/run.py as `node --experimental-websocket viewers.mjs URL N SECONDS`
// (Node >= 20.10; its built-in WebSocket). Prints one JSON line, as viewers.py does.
// SETTLE (optional, seconds): frames a viewer gets this soon after it opened are counted but not timed
// (a relay's joiner gets its keyframe's few seconds of frames at once: a catch-up, not a delivery lag).

const [url, n, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const settle = Number(process.argv[5] || 0);
const TS = /"ts":([0-9.]+)/;
const lags = [];
const counts = [];
const errors = [];

function viewer() {
  return new Promise((resolve) => {
    let frames = 0;
    let done = false;
    const ws = new WebSocket(url);
    let opened = Infinity;
    const finish = (err) => {
      if (done) return;
      done = true;
      if (err) errors.push(String(err));
      counts.push(frames);
      try {
        ws.close();
      } catch {}
      resolve();
    };
    ws.onopen = () => {
      opened = Date.now() / 1000;
      setTimeout(() => finish(), seconds * 1000);
    };
    ws.onmessage = (ev) => {
      const now = Date.now() / 1000;
      const head = ev.data.slice(0, 120);
      const m = TS.exec(head);
      if (m && head.startsWith('{"type":"frame"') && now - opened >= settle) lags.push(now - Number(m[1]));
      frames += 1;
    };
    ws.onerror = (e) => finish(e.message || "error");
    ws.onclose = () => finish(done ? null : "closed early");
  });
}

// open them in batches, as a class would join, not all in one instant
const all = [];
for (let i = 0; i < n; i += 1) {
  all.push(viewer());
  if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
}
await Promise.all(all);
lags.sort((a, b) => a - b);
const pct = (p) => (lags.length ? 1000 * lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] : NaN);
console.log(
  JSON.stringify({
    viewers: n,
    frames: counts.reduce((a, b) => a + b, 0),
    min_frames: counts.length ? Math.min(...counts) : 0,
    lag_p50_ms: pct(0.5),
    lag_p99_ms: pct(0.99),
    errors: errors.slice(0, 3),
    error_count: errors.length,
    client: "node",
  }),
);
