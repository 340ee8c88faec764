// The websocket to /ws: reconnects by itself with backoff, matches replies to commands.

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const REPLY_TIMEOUT_MS = 15000;
const PACKED = typeof DecompressionStream === "function";

/** A gzip-packed message (an ArrayBuffer) as text. */
function unpack(buffer) {
  return new Response(new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
}

/**
 * The socket the page opened as it loaded (templates/index.html), once, while it is still usable and
 * to the address this module would use (the head builds it on its own; one that differs is closed).
 */
function takeEarly(url) {
  const early = window.ptlabEarly;
  window.ptlabEarly = null;
  if (!early || early.ws.readyState > WebSocket.OPEN) return null;
  if (early.ws.url === url) return early;
  early.ws.close();
  return null;
}

export class Connection {
  /**
   * @param {object} handlers onMessage(msg), onStatus(status, retryInSeconds)
   */
  constructor({ onMessage, onStatus }) {
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.ws = null;
    this.attempt = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.timer = null;
  }

  url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    // where the browser can unpack gzip, the server sends snapshots packed (binary messages)
    return `${proto}//${location.host}/ws${PACKED ? "?gz=1" : ""}`;
  }

  open() {
    this.onStatus("connecting");
    const url = this.url();
    const early = takeEarly(url);
    const ws = early ? early.ws : new WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    // Messages are handled in the order they came: a packed snapshot is unpacked (asynchronously)
    // before the frames after it are applied; text with nothing ahead of it is handled at once.
    let queue = Promise.resolve();
    let waiting = 0;
    // "live" once the first picture is applied, not when the socket opens: a packed snapshot is
    // unpacked asynchronously, and until it is the page does not know whose it is (a presenter's
    // keys were ignored meanwhile, as a viewer's are)
    let pictured = false;
    const handled = (text) => {
      this.handle(text);
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
      const text = typeof ev.data === "string" ? ev.data : unpack(ev.data);
      waiting += 1;
      queue = queue
        .then(() => text)
        .then(
          (t) => {
            if (this.ws === ws) handled(t);
          },
          () => {}, // a message that cannot be unpacked is dropped, as one that cannot be parsed
        )
        .finally(() => {
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
      // the page's own socket, opened before its code had loaded: what it has already received first
      for (const ev of early.messages) ws.onmessage(ev);
      if (ws.readyState === WebSocket.OPEN) ws.onopen();
    }
  }

  /** One message's text: a reply settles its command, anything else goes to onMessage. */
  handle(text) {
    let msg;
    try {
      msg = JSON.parse(text);
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
}
