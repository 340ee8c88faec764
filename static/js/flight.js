// Animates an IPC message as an envelope flying from the sender's card to the receiver's.

const FLIGHT_MS = 1600;

function cardCentre(svg, pid) {
  // the card's box as the layout placed it (its drawing is translated there, so getBBox would say 0,0)
  const card = svg.querySelector(`.card[data-pid="${pid}"]`);
  if (!card) return null;
  const d = card.dataset;
  return { x: Number(d.x) + Number(d.w) / 2, y: Number(d.y) + Number(d.h) / 2 };
}

/** Fly one message over `overlay` (an SVG with the diagram's viewBox). */
export function fly(diagram, overlay, ev, label) {
  const a = cardCentre(diagram, ev.pid);
  const b = cardCentre(diagram, ev.peer);
  if (!a || !b) return;
  overlay.setAttribute("viewBox", diagram.getAttribute("viewBox"));
  const ns = "http://www.w3.org/2000/svg";
  const g = document.createElementNS(ns, "g");
  g.setAttribute("class", `flight kind-${ev.detail}`);
  g.dataset.from = ev.pid;
  g.dataset.to = ev.peer;
  const path = document.createElementNS(ns, "path");
  const mx = (a.x + b.x) / 2;
  const my = Math.min(a.y, b.y) - 60;
  path.setAttribute("d", `M${a.x},${a.y} Q${mx},${my} ${b.x},${b.y}`);
  path.setAttribute("class", "flight-path");
  const env = document.createElementNS(ns, "g");
  env.innerHTML = `<rect x="-26" y="-17" width="52" height="34" rx="4" class="envelope"/><path d="M-26,-17 L0,4 L26,-17" class="envelope-flap"/>`;
  const text = document.createElementNS(ns, "text");
  text.setAttribute("class", "flight-label");
  text.setAttribute("text-anchor", "middle");
  text.setAttribute("y", "-26");
  text.textContent = label;
  env.appendChild(text);
  g.append(path, env);
  overlay.appendChild(g);
  const len = path.getTotalLength();
  const t0 = performance.now();
  const step = (now) => {
    const k = Math.min(1, (now - t0) / FLIGHT_MS);
    const ease = k < 0.5 ? 2 * k * k : 1 - (-2 * k + 2) ** 2 / 2;
    const p = path.getPointAtLength(len * ease);
    env.setAttribute("transform", `translate(${p.x},${p.y})`);
    if (k < 1) requestAnimationFrame(step);
    else setTimeout(() => g.remove(), 400);
  };
  requestAnimationFrame(step);
}
