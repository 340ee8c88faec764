// The Join overlay (key J, the presenter's): where students open the lab, in big type, with a QR
// code the server drew (GET /api/join). On a loopback bind it says how to open the lab to the class.

import { html, render } from "../dom.js";
import { t } from "../i18n.js";
import { Panel } from "./panel.js";

/** The URLs students open, and a QR code of the first (the server's own SVG, drawn by segno). */
export function joinView(info) {
  if (!info.urls.length) return html`<p class="join-how">${t("join.loopback")}</p>`;
  // parsed as HTML, as it would be inline in the page (segno's inline SVG has no namespace of its own)
  const qr = info.qr_svg ? new DOMParser().parseFromString(info.qr_svg, "text/html").body.firstElementChild : "";
  return html`<p>${t("join.open")}</p>
    ${info.urls.map((url) => html`<p class="join-url">${url}</p>`)}
    <div class="join-qr">${qr}</div>`;
}

export class JoinOverlay extends Panel {
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
    render(joinView(info), this.dialog.querySelector(".join-body"));
    this.dialog.showModal();
  }
}
