// The labeling tool's one keyboard dispatcher: a key map with scopes, matched on plain
// event-like objects ({ key, code, ctrlKey, metaKey, altKey, shiftKey, repeat, isComposing,
// keyCode, timeStamp }), answering with an action name or null. The page calls it from its
// keydown listener, acts on the name and calls preventDefault only then; nothing here touches
// the DOM.
//
// Scopes (what has focus): "canvas" (the image and its boxes: every tool key), "text" (a text
// field: only an allow-list, so typing 1, r or Backspace edits text and Ctrl+Z stays the
// field's own undo), "page" (a button or checkbox elsewhere: chords only, no single keys, so
// Space and Enter keep activating the control), "modal" (a dialog is open: only Esc).
//
// Letters match the letter printed on the key when the layout types Latin letters (AZERTY,
// Dvorak), else the physical key (event.code), so R works with the Korean (or Cyrillic) input
// source on. Digits match Digit1–9 and Numpad1–9. A keydown during IME composition
// (isComposing, or keyCode 229 as Safari and Chrome send around compositionend) and one within
// IME_GRACE_MS after compositionend never act.

import { gettext, interpolate, ngettext } from "../core/i18n.js";

export const SCOPES = Object.freeze(["canvas", "text", "page", "modal"]);
export const IME_GRACE_MS = 200;

const CANVAS = ["canvas"];
const CHORDS = ["canvas", "page"];
const EVERYWHERE = ["canvas", "text", "page"];

// The default bindings (LABELING-TOOL §1). `Mod` is Cmd on macOS, Ctrl elsewhere. `repeat`:
// the action may fire again while the key is held; the others ignore auto-repeat, so holding
// Delete removes one box. `series`: bindings shown as one row of the help.
export const DEFAULT_BINDINGS = Object.freeze([
  { action: "tool.box", keys: ["R"], group: "tools" },
  { action: "tool.repeat", keys: ["N"], group: "tools" },
  { action: "tool.select", keys: ["V"], group: "tools" },
  { action: "region.add", keys: ["A"], group: "tools" },
  { action: "region.edit", keys: ["Enter"], group: "boxes" },
  { action: "cancel", keys: ["Escape"], group: "tools" },
  { action: "region.next", keys: ["Tab", "Alt+."], group: "boxes", repeat: true },
  { action: "region.previous", keys: ["Shift+Tab"], group: "boxes", repeat: true },
  { action: "region.delete", keys: ["Delete", "Backspace"], group: "boxes" },
  { action: "region.lock", keys: ["L"], group: "boxes" },
  { action: "region.hide", keys: ["H"], group: "boxes" },
  { action: "angle.less", keys: ["["], group: "boxes", repeat: true },
  { action: "angle.more", keys: ["]"], group: "boxes", repeat: true },
  { action: "clipboard.copy", keys: ["Mod+C"], group: "boxes" },
  { action: "clipboard.paste", keys: ["Mod+V"], group: "boxes", repeat: true },
  { action: "region.duplicate", keys: ["Mod+D"], group: "boxes" },
  { action: "nudge.left", keys: ["ArrowLeft"], group: "boxes", repeat: true, series: "nudge" },
  { action: "nudge.up", keys: ["ArrowUp"], group: "boxes", repeat: true, series: "nudge" },
  { action: "nudge.right", keys: ["ArrowRight"], group: "boxes", repeat: true, series: "nudge" },
  { action: "nudge.down", keys: ["ArrowDown"], group: "boxes", repeat: true, series: "nudge" },
  { action: "nudge.left10", keys: ["Shift+ArrowLeft"], group: "boxes", repeat: true, series: "nudge10" },
  { action: "nudge.up10", keys: ["Shift+ArrowUp"], group: "boxes", repeat: true, series: "nudge10" },
  { action: "nudge.right10", keys: ["Shift+ArrowRight"], group: "boxes", repeat: true, series: "nudge10" },
  { action: "nudge.down10", keys: ["Shift+ArrowDown"], group: "boxes", repeat: true, series: "nudge10" },
  { action: "size.wider", keys: ["Mod+ArrowRight"], group: "boxes", repeat: true, series: "size" },
  { action: "size.narrower", keys: ["Mod+ArrowLeft"], group: "boxes", repeat: true, series: "size" },
  { action: "size.taller", keys: ["Mod+ArrowDown"], group: "boxes", repeat: true, series: "size" },
  { action: "size.shorter", keys: ["Mod+ArrowUp"], group: "boxes", repeat: true, series: "size" },
  { action: "size.wider10", keys: ["Mod+Shift+ArrowRight"], group: "boxes", repeat: true, series: "size10" },
  { action: "size.narrower10", keys: ["Mod+Shift+ArrowLeft"], group: "boxes", repeat: true, series: "size10" },
  { action: "size.taller10", keys: ["Mod+Shift+ArrowDown"], group: "boxes", repeat: true, series: "size10" },
  { action: "size.shorter10", keys: ["Mod+Shift+ArrowUp"], group: "boxes", repeat: true, series: "size10" },
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({ action: `pick.${n}`, keys: [String(n)], group: "boxes", series: "pick" })),
  { action: "history.undo", keys: ["Mod+Z"], group: "boxes", scopes: CHORDS, repeat: true },
  { action: "history.redo", keys: ["Mod+Shift+Z", "Mod+Y"], group: "boxes", scopes: CHORDS, repeat: true },
  { action: "view.zoomIn", keys: ["+", "="], group: "view", repeat: true },
  { action: "view.zoomOut", keys: ["-"], group: "view", repeat: true },
  { action: "view.pan", keys: ["Space"], group: "view", repeat: true },
  { action: "view.fit", keys: ["Shift+1"], group: "view" },
  { action: "view.actual", keys: ["Shift+2"], group: "view" },
  { action: "view.rotateRight", keys: ["Ctrl+R"], group: "view" },
  { action: "view.rotateLeft", keys: ["Ctrl+Shift+R"], group: "view" },
  { action: "task.submit", keys: ["Mod+Enter"], group: "task", scopes: EVERYWHERE },
  { action: "task.save", keys: ["Mod+S"], group: "task", scopes: EVERYWHERE },
  { action: "help", keys: ["?", "F1"], group: "task", scopes: CHORDS },
  { action: "help", keys: ["F1"], group: "task", scopes: ["text"] },
  { action: "focus.canvas", keys: ["Escape"], group: "task", scopes: ["text", "page"] },
  { action: "modal.close", keys: ["Escape"], group: "task", scopes: ["modal"] },
]);

// Actions that must never have a key: wiping a task (menu and confirm only) and skipping it
// (a button and a reason; LS's Ctrl+Space is the input-source switch on macOS).
export const NO_SHORTCUT = Object.freeze(["region.deleteAll", "task.skip"]);

const MODIFIERS = ["Ctrl", "Alt", "Shift", "Meta"];
const NAMED = new Set([
  "Enter", "Escape", "Tab", "Delete", "Backspace", "Space", "Home", "End", "PageUp", "PageDown",
  "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", ...Array.from({ length: 12 }, (_, n) => `F${n + 1}`),
]);
const PUNCTUATION_CODES = {
  Period: ".", Comma: ",", Minus: "-", Equal: "=", Slash: "/", Semicolon: ";", Quote: "'",
  BracketLeft: "[", BracketRight: "]", Backslash: "\\", Backquote: "`",
  NumpadAdd: "+", NumpadSubtract: "-", NumpadMultiply: "*", NumpadDivide: "/", NumpadDecimal: ".",
};

const isPrintable = (name) => name.length === 1;

// "mac" on macOS and iOS (Cmd is the command key), else "other"; from navigator or alike.
export function platformOf(navigatorLike = {}) {
  const name = navigatorLike.userAgentData?.platform ?? navigatorLike.platform ?? "";
  return /mac|iphone|ipad|ipod/i.test(name) ? "mac" : "other";
}

// The key an event names, or null: { name, printable }.
function keyOf(event) {
  const code = event.code ?? "";
  const key = event.key ?? "";
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(code);
  if (digit) return { name: digit[1], printable: false };
  if (/^[a-z]$/i.test(key)) return { name: key.toUpperCase(), printable: false };
  if (/^Key[A-Z]$/.test(code)) return { name: code.slice(3), printable: false };
  if (/^[0-9]$/.test(key)) return { name: key, printable: false };
  if (key === " " || key === "Spacebar" || (code === "Space" && !key)) return { name: "Space", printable: false };
  if (NAMED.has(key)) return { name: key, printable: false };
  // punctuation as typed ("?" is Shift+/ on one layout and a key of its own on another) …
  if (key.length === 1 && key >= "!" && key <= "~") return { name: key, printable: true };
  // … or, when a modifier made it something else (Option+. is "≥" on a Mac), the physical key
  if (PUNCTUATION_CODES[code]) return { name: PUNCTUATION_CODES[code], printable: false };
  return null;
}

// The canonical chord of an event ("Ctrl+Shift+Z", "Shift+1", "?"), or null for a key with
// no name (a lone modifier, "Process", "Unidentified").
export function chordOf(event) {
  const key = keyOf(event);
  if (!key) return null;
  const held = {
    Ctrl: event.ctrlKey, Alt: event.altKey, Meta: event.metaKey,
    // Shift is part of a typed character ("?", "+"), not a modifier of it
    Shift: event.shiftKey && !key.printable,
  };
  return [...MODIFIERS.filter((modifier) => held[modifier]), key.name].join("+");
}

// A binding's keys in the same canonical form, with Mod resolved for the platform.
export function canonicalChord(keys, platform = "other") {
  const parts = keys === "+" ? ["+"] : keys.endsWith("++") ? [...keys.slice(0, -2).split("+"), "+"] : keys.split("+");
  const name = parts.pop();
  const modifiers = new Set(parts.map((part) => (part === "Mod" ? (platform === "mac" ? "Meta" : "Ctrl") : part)));
  for (const modifier of modifiers) {
    if (!MODIFIERS.includes(modifier)) throw new Error(`Unknown modifier “${modifier}” in “${keys}”.`);
  }
  const known = /^[A-Z0-9]$/.test(name) || NAMED.has(name) || (isPrintable(name) && name >= "!" && name <= "~");
  if (!known) throw new Error(`Unknown key “${name}” in “${keys}”.`);
  return [...MODIFIERS.filter((modifier) => modifiers.has(modifier)), name].join("+");
}

const hasCommandModifier = (chord) => /^(?:Ctrl|Alt|Meta)\+/.test(chord) || /\+(?:Alt|Meta)\+/.test(chord);

// A character key pressed alone or with Shift (WCAG 2.1.4), which a user may switch off.
function isSingleCharacter(chord) {
  if (hasCommandModifier(chord)) return false;
  const name = chord.split("+").pop() || "+";
  return isPrintable(name) || name === "Space";
}

// Ctrl+Space, Shift+Space, Cmd+Space, Alt+Space switch input sources or open system menus.
const isForbidden = (chord) => /\+Space$/.test(chord);

// The bindings with user overrides applied ({ action: ["Shift+B"] }; [] switches one off) and
// single character keys dropped when `singleKeys` is false.
function resolve(bindings, { overrides = {}, singleKeys = true, platform = "other" }) {
  const resolved = [];
  const overridden = new Set();
  for (const binding of bindings) {
    let keys = binding.keys;
    if (Object.hasOwn(overrides, binding.action)) {
      // an override replaces the action's keys once, in its first binding's scopes
      if (overridden.has(binding.action)) continue;
      overridden.add(binding.action);
      keys = overrides[binding.action];
    }
    const scopes = binding.scopes ?? CANVAS;
    for (const keysText of keys) {
      const chord = canonicalChord(keysText, platform);
      if (!singleKeys && isSingleCharacter(chord)) continue;
      resolved.push({ ...binding, scopes, keys: keysText, chord });
    }
  }
  return resolved;
}

// Two actions on one chord in a scope both hold: [{ chord, scope, actions }].
export function findConflicts(bindings, options = {}) {
  const seen = new Map();
  for (const binding of resolve(bindings, options)) {
    for (const scope of binding.scopes) {
      const slot = `${scope} ${binding.chord}`;
      const actions = seen.get(slot) ?? new Set();
      actions.add(binding.action);
      seen.set(slot, actions);
    }
  }
  return [...seen]
    .filter(([, actions]) => actions.size > 1)
    .map(([slot, actions]) => {
      const [scope, chord] = slot.split(" ");
      return { chord, scope, actions: [...actions] };
    });
}

// The dispatcher. Throws when two actions share a chord in a scope, when a chord is one of
// the input-source switches, or when an action that must have no key is given one.
export function createKeymap({
  bindings = DEFAULT_BINDINGS, overrides = {}, singleKeys = true, platform = "other",
  clock = () => performance.now(),
} = {}) {
  const options = { overrides, singleKeys, platform };
  const resolved = resolve(bindings, options);
  for (const binding of resolved) {
    if (isForbidden(binding.chord)) throw new Error(`${binding.keys} switches the input source; bind ${binding.action} elsewhere.`);
    if (NO_SHORTCUT.includes(binding.action)) throw new Error(`${binding.action} must not have a shortcut.`);
  }
  const conflicts = findConflicts(bindings, options);
  if (conflicts.length) {
    const named = conflicts.map(({ chord, scope, actions }) => `${chord} (${scope}): ${actions.join(", ")}`);
    throw new Error(`Shortcuts conflict: ${named.join("; ")}`);
  }
  const table = new Map(SCOPES.map((scope) => [scope, new Map()]));
  for (const binding of resolved) {
    for (const scope of binding.scopes) table.get(scope).set(binding.chord, binding);
  }
  let compositionEndedAt = null;

  return {
    platform,
    bindings: resolved,

    // The action a keydown asks for in a scope, or null (then let the browser have it).
    dispatch(event, scope = "canvas") {
      if (event.isComposing || event.keyCode === 229) return null;
      const now = typeof event.timeStamp === "number" ? event.timeStamp : clock();
      if (compositionEndedAt !== null && now >= compositionEndedAt && now - compositionEndedAt < IME_GRACE_MS) return null;
      const chord = chordOf(event);
      const binding = chord && table.get(scope)?.get(chord);
      if (!binding || (event.repeat && !binding.repeat)) return null;
      return binding.action;
    },

    // Call from the compositionend listener (with its timeStamp): a keydown this soon after
    // confirms the composition and must not act.
    compositionEnd(timeStamp = clock()) {
      compositionEndedAt = timeStamp;
    },

    // The help list (for ? and F1), rendered from the key map itself.
    help() {
      return helpList(resolved, platform);
    },
  };
}

// Which scope a keydown's target is in. `modal`: a dialog is open; `canvas`: the canvas
// element (a target inside it counts). Duck-typed, so plain objects do in tests.
export function scopeOf(target, { modal = false, canvas = null } = {}) {
  if (modal) return "modal";
  if (isTextEntry(target)) return "text";
  if (canvas && target && (target === canvas || canvas.contains?.(target))) return "canvas";
  return "page";
}

const NOT_TEXT_INPUTS = new Set(["button", "checkbox", "color", "file", "image", "radio", "range", "reset", "submit"]);

function isTextEntry(target) {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = (target.tagName ?? "").toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  return tag === "INPUT" && !NOT_TEXT_INPUTS.has((target.type ?? "text").toLowerCase());
}

// --- the help list ----------------------------------------------------------------------------

const KEY_LABELS = {
  ArrowLeft: "←", ArrowRight: "→", ArrowUp: "↑", ArrowDown: "↓", Escape: "Esc",
};
// the order people read chords in: "Cmd+Shift+Z", "Ctrl+Shift+R"
const LABEL_ORDER = ["Ctrl", "Meta", "Alt", "Shift"];
const MAC_MODIFIERS = { Meta: "Cmd", Alt: "Option", Ctrl: "Ctrl", Shift: "Shift" };
const OTHER_MODIFIERS = { Meta: "Win", Alt: "Alt", Ctrl: "Ctrl", Shift: "Shift" };

// A chord as the help shows it on this platform: "Cmd+Shift+Z" on a Mac, "Ctrl+Shift+Z" else.
export function chordLabel(chord, platform = "other") {
  const parts = chord === "+" ? ["+"] : chord.endsWith("++") ? [...chord.slice(0, -2).split("+"), "+"] : chord.split("+");
  const name = parts.pop();
  const names = platform === "mac" ? MAC_MODIFIERS : OTHER_MODIFIERS;
  const ordered = LABEL_ORDER.filter((part) => parts.includes(part));
  return [...ordered.map((part) => names[part]), KEY_LABELS[name] ?? name].join("+");
}

function groupLabels() {
  return {
    tools: gettext("Tools"),
    boxes: gettext("Boxes"),
    view: gettext("View"),
    task: gettext("Task"),
  };
}

function nudgeLabel(pixels) {
  const sentence = ngettext("Move the selected box by %(pixels)s image pixel", "Move the selected box by %(pixels)s image pixels", pixels);
  return interpolate(sentence, { pixels });
}

// What each action (or series of actions) is called in the help.
export function actionLabels() {
  return {
    "tool.box": gettext("Box tool"),
    "tool.repeat": gettext("Draw another box like the last"),
    "tool.select": gettext("Select and move tool"),
    cancel: gettext("Cancel drawing, then deselect"),
    "region.add": gettext("Add a box in the middle of the view (or inside the selected box), for the keyboard"),
    "region.edit": gettext("Edit the selected box's attributes"),
    size: gettext("Resize the selected box by 1 image pixel (right and bottom edges)"),
    size10: gettext("Resize the selected box by 10 image pixels"),
    "region.next": gettext("Next box"),
    "region.previous": gettext("Previous box"),
    "region.delete": gettext("Delete the selected box"),
    "region.lock": gettext("Lock or unlock the selected box"),
    "region.hide": gettext("Hide or show the selected box"),
    "angle.less": gettext("Turn the selected box's angle 1° counter-clockwise"),
    "angle.more": gettext("Turn the selected box's angle 1° clockwise"),
    "clipboard.copy": gettext("Copy the selected box"),
    "clipboard.paste": gettext("Paste the copied box"),
    "region.duplicate": gettext("Duplicate the selected box"),
    nudge: nudgeLabel(1),
    nudge10: nudgeLabel(10),
    pick: gettext("Choose the label or category with that number"),
    "history.undo": gettext("Undo"),
    "history.redo": gettext("Redo"),
    "view.zoomIn": gettext("Zoom in"),
    "view.zoomOut": gettext("Zoom out"),
    "view.pan": gettext("Pan: hold and drag"),
    "view.fit": gettext("Fit the image"),
    "view.actual": gettext("Actual size (100 %)"),
    "view.rotateRight": gettext("Rotate the view clockwise"),
    "view.rotateLeft": gettext("Rotate the view counter-clockwise"),
    "task.submit": gettext("Submit"),
    "task.save": gettext("Save the draft now"),
    help: gettext("Show the shortcuts"),
    "focus.canvas": gettext("Leave the field, back to the image"),
    "modal.close": gettext("Close the dialog"),
  };
}

function helpList(resolved, platform) {
  const labels = actionLabels();
  const groups = groupLabels();
  const rows = new Map();
  for (const binding of resolved) {
    const id = binding.series ?? binding.action;
    const row = rows.get(id) ?? { id, group: binding.group, label: labels[id] ?? id, keys: [] };
    const shown = chordLabel(binding.chord, platform);
    if (!row.keys.includes(shown)) row.keys.push(shown);
    rows.set(id, row);
  }
  return Object.keys(groups)
    .map((group) => ({ group, label: groups[group], rows: [...rows.values()].filter((row) => row.group === group) }))
    .filter((group) => group.rows.length);
}
