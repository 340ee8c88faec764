// Keyboard shortcuts: one rule for every module that has some.

// Where a key press is typing, not a shortcut (the time slider is not typed into: , and . still step).
const FIELDS = "input:not([type=range]), select, textarea";

/** Whether a key press is a shortcut for the page: not typed into a field, no modifier held. */
export function isShortcut(e) {
  return !(e.target.closest(FIELDS) || e.ctrlKey || e.metaKey || e.altKey);
}
