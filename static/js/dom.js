// The rendering library, from one place: lit-html 3.3.3, vendored under static/vendor (no build, works offline).

export { html, nothing, render, svg } from "../vendor/lit-html/lit-html.js";
export { guard } from "../vendor/lit-html/directives/guard.js";
export { repeat } from "../vendor/lit-html/directives/repeat.js";
