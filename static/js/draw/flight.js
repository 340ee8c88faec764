// Animates an IPC message as an envelope flying from the sender's card to the receiver's.

import { render, repeat, svg } from "../dom.js";

const FLIGHT_MS = 1600;
const flights = new Map(); // id -> the envelopes in the air, drawn together into the overlay
let lastId = 0;

function cardCentre(diagram, pid) {
  // the card's box as the layout placed it (its drawing is translated there, so getBBox would say 0,0)
  const card = diagram.querySelector(`.card[data-pid="${pid}"]`);
  if (!card) return null;
  const d = card.dataset;
  return { x: Number(d.x) + Number(d.w) / 2, y: Number(d.y) + Number(d.h) / 2 };
}

const flightView = (f) => svg`<g class=${`flight kind-${f.kind}`} data-from=${f.from} data-to=${f.to} data-id=${f.id}>
  <path class="flight-path" d=${f.d}></path>
  <g class="envelope-at">
    <rect x="-26" y="-17" width="52" height="34" rx="4" class="envelope"></rect>
    <path d="M-26,-17 L0,4 L26,-17" class="envelope-flap"></path>
    <text class="flight-label" text-anchor="middle" y="-26">${f.label}</text>
  </g>
</g>`;

function draw(overlay) {
  render(repeat([...flights.values()], (f) => f.id, flightView), overlay);
}

/** Fly one message over `overlay` (an SVG with the diagram's viewBox). */
export function fly(diagram, overlay, ev, label) {
  const a = cardCentre(diagram, ev.pid);
  const b = cardCentre(diagram, ev.peer);
  if (!a || !b) return;
  overlay.setAttribute("viewBox", diagram.getAttribute("viewBox"));
  const mx = (a.x + b.x) / 2;
  const my = Math.min(a.y, b.y) - 60;
  lastId += 1;
  const f = { id: lastId, kind: ev.detail, from: ev.pid, to: ev.peer, label, d: `M${a.x},${a.y} Q${mx},${my} ${b.x},${b.y}` };
  flights.set(f.id, f);
  draw(overlay);
  const g = overlay.querySelector(`.flight[data-id="${f.id}"]`);
  const path = g.querySelector(".flight-path");
  const env = g.querySelector(".envelope-at");
  const len = path.getTotalLength();
  const t0 = performance.now();
  const step = (now) => {
    const k = Math.min(1, (now - t0) / FLIGHT_MS);
    const ease = k < 0.5 ? 2 * k * k : 1 - (-2 * k + 2) ** 2 / 2;
    const p = path.getPointAtLength(len * ease);
    env.setAttribute("transform", `translate(${p.x},${p.y})`);
    if (k < 1) requestAnimationFrame(step);
    else
      setTimeout(() => {
        flights.delete(f.id);
        draw(overlay);
      }, 400);
  };
  requestAnimationFrame(step);
}
