// The websocket to /ws: reconnects by itself with backoff, matches replies to commands.

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const REPLY_TIMEOUT_MS = 15000;

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
    return `${proto}//${location.host}/ws`;
  }

  open() {
    this.onStatus("connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onStatus("live");
    };
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
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
