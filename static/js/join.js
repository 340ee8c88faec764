// The Join overlay (key J, the presenter's): where students open the lab, in big type, with a QR
// code the server drew (GET /api/join). On a loopback bind it says how to open the lab to the class.

import { t } from "./i18n.js";

export class JoinOverlay {
  constructor(dialog) {
    this.dialog = dialog;
  }

  bind() {
    document.getElementById("join").addEventListener("click", () => this.toggle());
    this.dialog.querySelector(".close").addEventListener("click", () => this.dialog.close());
  }

  async toggle() {
    if (this.dialog.open) return this.dialog.close();
    const resp = await fetch("/api/join");
    const info = await resp.json();
    const body = this.dialog.querySelector(".join-body");
    body.replaceChildren();
    if (!info.urls.length) {
      body.append(Object.assign(document.createElement("p"), { className: "join-how", textContent: t("join.loopback") }));
    } else {
      body.append(Object.assign(document.createElement("p"), { textContent: t("join.open") }));
      for (const url of info.urls) body.append(Object.assign(document.createElement("p"), { className: "join-url", textContent: url }));
      // the QR code is the server's own SVG (segno), of the first URL
      const qr = document.createElement("div");
      qr.className = "join-qr";
      qr.innerHTML = info.qr_svg;
      body.append(qr);
    }
    this.dialog.showModal();
  }
}
