// The one shape of a panel. main.js builds every panel from the same context and drives them all
// alike, so adding one is one line in its list:
//
//   new SomePanel({ el, conn, state, controls, toasts, changed, ...its own hooks })
//   bind()                  once, at start: wire its buttons and keys
//   render()                draw what it shows from `state` (cheap when it is closed)
//   onMessage(msg, events)  a message from the server was applied to `state`
//   relabel()               the language changed
//
// `changed()` tells the page that the panel changed what is on screen (opened, closed, moved the
// moment): the page redraws and tells the class. Every panel draws with lit-html (dom.js).

export class Panel {
  /** @param {object} ctx  el, conn, state, controls, toasts, changed, and the panel's own hooks */
  constructor(ctx) {
    Object.assign(this, ctx);
  }

  bind() {}

  render() {}

  onMessage(_msg, _events) {
    this.render();
  }

  relabel() {
    this.render();
  }
}
