// static/labeling/keymap.js: one dispatcher with scopes; physical letters; the IME guard.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import {
  DEFAULT_BINDINGS, canonicalChord, chordLabel, chordOf, createKeymap, findConflicts,
  platformOf, scopeOf,
} from "../../static/labeling/keymap.js";

afterEach(() => { delete globalThis.django; });

// a keydown as a browser gives it: letters carry their physical code
function key(keyName, extra = {}) {
  const letter = /^[a-z]$/i.test(keyName) ? { code: `Key${keyName.toUpperCase()}` } : {};
  const digit = /^[0-9]$/.test(keyName) ? { code: `Digit${keyName}` } : {};
  return { key: keyName, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, repeat: false, isComposing: false, keyCode: 0, timeStamp: 1000, ...letter, ...digit, ...extra };
}
const ctrl = (name, extra = {}) => key(name, { ctrlKey: true, ...extra });

const keymap = () => createKeymap();

test("the default bindings follow the table: tools, boxes, view, task", () => {
  const map = keymap();
  const cases = [
    [key("r"), "tool.box"], [key("n"), "tool.repeat"], [key("v"), "tool.select"], [key("Escape"), "cancel"],
    [key("Tab"), "region.next"], [key("Tab", { shiftKey: true }), "region.previous"], [key(".", { altKey: true, code: "Period" }), "region.next"],
    [key("Delete"), "region.delete"], [key("Backspace"), "region.delete"], [key("l"), "region.lock"], [key("h"), "region.hide"],
    [ctrl("z"), "history.undo"], [ctrl("Z", { shiftKey: true }), "history.redo"], [ctrl("y"), "history.redo"],
    [ctrl("c"), "clipboard.copy"], [ctrl("v"), "clipboard.paste"], [ctrl("d"), "region.duplicate"],
    [key("+", { shiftKey: true, code: "Equal" }), "view.zoomIn"], [key("=", { code: "Equal" }), "view.zoomIn"],
    [key("+", { code: "NumpadAdd" }), "view.zoomIn"], [key("-", { code: "Minus" }), "view.zoomOut"],
    [key(" ", { code: "Space" }), "view.pan"], [key("!", { shiftKey: true, code: "Digit1" }), "view.fit"],
    [key("@", { shiftKey: true, code: "Digit2" }), "view.actual"], [ctrl("r"), "view.rotateRight"],
    [ctrl("R", { shiftKey: true }), "view.rotateLeft"], [ctrl("Enter", { code: "Enter" }), "task.submit"],
    [ctrl("s"), "task.save"], [key("?", { shiftKey: true, code: "Slash" }), "help"], [key("F1"), "help"],
    [key("ArrowLeft"), "nudge.left"], [key("ArrowDown", { shiftKey: true }), "nudge.down10"], [key("3"), "pick.3"],
  ];
  for (const [event, action] of cases) assert.equal(map.dispatch(event, "canvas"), action, JSON.stringify(event));
});

test("1: digits typed in a text field insert digits; on the canvas (numpad too) they pick", () => {
  const map = keymap();
  for (let n = 1; n <= 9; n += 1) {
    assert.equal(map.dispatch(key(String(n)), "text"), null);
    assert.equal(map.dispatch(key(String(n)), "canvas"), `pick.${n}`);
    assert.equal(map.dispatch({ key: String(n), code: `Numpad${n}` }, "canvas"), `pick.${n}`);
  }
  // NumLock off: the numpad key still names its digit
  assert.equal(map.dispatch({ key: "End", code: "Numpad1" }, "canvas"), "pick.1");
});

test("2: r, v, h, n, l, Delete and Backspace in a text field only edit text", () => {
  const map = keymap();
  for (const name of ["r", "v", "h", "n", "l", "Delete", "Backspace", "Tab", "ArrowLeft", " ", "?"]) {
    assert.equal(map.dispatch(key(name), "text"), null, name);
  }
});

test("3: Ctrl/Cmd+Z in a text field is the field's own undo; on the canvas it undoes the last action", () => {
  assert.equal(keymap().dispatch(ctrl("z"), "text"), null);
  assert.equal(keymap().dispatch(ctrl("z"), "canvas"), "history.undo");
  const mac = createKeymap({ platform: "mac" });
  assert.equal(mac.dispatch(key("z", { metaKey: true }), "text"), null);
  assert.equal(mac.dispatch(key("z", { metaKey: true }), "canvas"), "history.undo");
  assert.equal(mac.dispatch(ctrl("z"), "canvas"), null, "Ctrl+Z is not the Mac's undo");
});

test("6: with the Hangul input source on, R selects the box tool and digits still pick", () => {
  const map = keymap();

  assert.equal(map.dispatch({ key: "ㄱ", code: "KeyR" }, "canvas"), "tool.box");
  assert.equal(map.dispatch({ key: "ㅍ", code: "KeyV" }, "canvas"), "tool.select");
  assert.equal(map.dispatch({ key: "к", code: "KeyR" }, "canvas"), "tool.box", "Cyrillic too");
  assert.equal(map.dispatch({ key: "1", code: "Digit1" }, "canvas"), "pick.1");
});

test("on a Latin layout that is not QWERTY, the letter printed on the key wins", () => {
  const map = keymap();

  // AZERTY: the key labelled A sits where QWERTY has Q
  assert.equal(map.dispatch({ key: "r", code: "KeyR" }, "canvas"), "tool.box");
  assert.equal(map.dispatch({ key: "z", code: "KeyW", ctrlKey: true }, "canvas"), "history.undo");
  // Dvorak: R is typed by the key QWERTY calls O
  assert.equal(map.dispatch({ key: "r", code: "KeyO" }, "canvas"), "tool.box");
  assert.equal(map.dispatch({ key: "p", code: "KeyR" }, "canvas"), null);
});

test("7: Ctrl/Cmd+Enter submits from a text field when not composing; never while composing", () => {
  const map = keymap();
  const submit = ctrl("Enter", { code: "Enter", timeStamp: 5000 });

  assert.equal(map.dispatch(submit, "text"), "task.submit");
  assert.equal(map.dispatch({ ...submit, isComposing: true }, "text"), null);
  assert.equal(map.dispatch({ ...submit, keyCode: 229 }, "text"), null, "Safari's order: compositionend first, then keyCode 229");
  map.compositionEnd(6000);
  assert.equal(map.dispatch({ ...submit, timeStamp: 6150 }, "text"), null, "a keydown right after compositionend confirms it");
  assert.equal(map.dispatch({ ...submit, timeStamp: 6250 }, "text"), "task.submit");
});

test("the IME guard holds for every scope and key, Esc and Enter included", () => {
  const map = keymap();
  for (const scope of ["canvas", "text", "page", "modal"]) {
    assert.equal(map.dispatch(key("Escape", { isComposing: true }), scope), null);
    assert.equal(map.dispatch(key("r", { keyCode: 229 }), scope), null);
  }
});

test("in a text field only the allow-list passes: submit, save, Esc back to the image, F1", () => {
  const map = keymap();
  const passing = DEFAULT_BINDINGS.filter((binding) => binding.scopes?.includes("text")).map((binding) => binding.action);

  assert.deepEqual([...new Set(passing)].sort(), ["focus.canvas", "help", "task.save", "task.submit"]);
  assert.equal(map.dispatch(key("Escape"), "text"), "focus.canvas");
  assert.equal(map.dispatch(key("Escape"), "canvas"), "cancel");
});

test("elsewhere on the page no single key acts, so Space and Enter stay the buttons'", () => {
  const map = keymap();

  for (const name of ["r", "1", " ", "Enter", "Delete"]) assert.equal(map.dispatch(key(name), "page"), null, name);
  assert.equal(map.dispatch(ctrl("z"), "page"), "history.undo");
  assert.equal(map.dispatch(key("Escape"), "page"), "focus.canvas");
});

test("with a dialog open only Esc acts", () => {
  const map = keymap();

  assert.equal(map.dispatch(key("Escape"), "modal"), "modal.close");
  for (const event of [key("r"), key("Delete"), ctrl("Enter", { code: "Enter" }), ctrl("z"), key("F1")]) assert.equal(map.dispatch(event, "modal"), null);
});

test("20: no chord deletes everything, and no key may be bound to it or to skipping", () => {
  const destructive = DEFAULT_BINDINGS.filter((binding) => /delete|clear|skip|wipe/i.test(binding.action));
  assert.deepEqual(destructive.map((binding) => binding.action), ["region.delete"]);

  assert.throws(() => createKeymap({ bindings: [...DEFAULT_BINDINGS, { action: "region.deleteAll", keys: ["Mod+Backspace"] }] }), /must not have a shortcut/);
  assert.throws(() => createKeymap({ bindings: [{ action: "task.skip", keys: ["Alt+Enter"] }] }), /must not have a shortcut/);
});

test("holding Delete removes one box: auto-repeat fires only actions meant to repeat", () => {
  const map = keymap();

  assert.equal(map.dispatch(key("Delete", { repeat: true }), "canvas"), null);
  assert.equal(map.dispatch(key("ArrowLeft", { repeat: true }), "canvas"), "nudge.left");
});

test("Ctrl+Space, Shift+Space and the other input-source switches are refused", () => {
  for (const keys of ["Ctrl+Space", "Shift+Space", "Mod+Space", "Alt+Space"]) {
    assert.throws(() => createKeymap({ bindings: [{ action: "x", keys: [keys] }] }), /input source/, keys);
  }
});

test("a conflict is caught at registration; the same chord in separate scopes is none", () => {
  const bindings = [...DEFAULT_BINDINGS, { action: "label.formula", keys: ["R"] }];

  assert.deepEqual(findConflicts(bindings), [{ chord: "R", scope: "canvas", actions: ["tool.box", "label.formula"] }]);
  assert.throws(() => createKeymap({ bindings }), /R \(canvas\): tool.box, label.formula/);
  assert.deepEqual(findConflicts(DEFAULT_BINDINGS), []);
  assert.deepEqual(findConflicts(DEFAULT_BINDINGS, { platform: "mac" }), []);
});

test("a user's remap replaces an action's keys, [] switches one off, and conflicts are named", () => {
  const map = createKeymap({ overrides: { "tool.box": ["B"], "region.hide": [] } });

  assert.equal(map.dispatch(key("b"), "canvas"), "tool.box");
  assert.equal(map.dispatch(key("r"), "canvas"), null);
  assert.equal(map.dispatch(key("h"), "canvas"), null);
  assert.throws(() => createKeymap({ overrides: { "tool.box": ["V"] } }), /V \(canvas\)/);
});

test("single character keys can be switched off (WCAG 2.1.4); chords and named keys stay", () => {
  const map = createKeymap({ singleKeys: false });

  for (const event of [key("r"), key("1"), key("?", { shiftKey: true }), key(" "), key("!", { shiftKey: true, code: "Digit1" })]) {
    assert.equal(map.dispatch(event, "canvas"), null, event.key);
  }
  assert.equal(map.dispatch(ctrl("z"), "canvas"), "history.undo");
  assert.equal(map.dispatch(key("Delete"), "canvas"), "region.delete");
  assert.equal(map.dispatch(key("F1"), "canvas"), "help");
});

test("chords are canonical whichever way they are written; Mod is Cmd on a Mac", () => {
  assert.equal(canonicalChord("Shift+Mod+z".replace("z", "Z")), "Ctrl+Shift+Z");
  assert.equal(canonicalChord("Mod+Shift+Z", "mac"), "Shift+Meta+Z");
  assert.equal(canonicalChord("+"), "+");
  assert.equal(canonicalChord("Ctrl++"), "Ctrl++");
  assert.throws(() => canonicalChord("Hyper+R"), /modifier/);
  assert.throws(() => canonicalChord("Ctrl+Frobnicate"), /key/);
  assert.equal(chordOf({ key: "Shift", code: "ShiftLeft", shiftKey: true }), null);
  assert.equal(chordOf({ key: "Process", code: "KeyR" }), "R");
  assert.equal(chordOf({ key: "Unidentified", code: "" }), null);
});

test("the scope comes from the focused element", () => {
  const canvas = { tagName: "svg", contains: (node) => node === box };
  const box = { tagName: "rect" };

  assert.equal(scopeOf({ tagName: "TEXTAREA" }, { canvas }), "text");
  assert.equal(scopeOf({ tagName: "INPUT", type: "search" }, { canvas }), "text");
  assert.equal(scopeOf({ tagName: "DIV", isContentEditable: true }, { canvas }), "text");
  assert.equal(scopeOf({ tagName: "INPUT", type: "checkbox" }, { canvas }), "page");
  assert.equal(scopeOf({ tagName: "BUTTON" }, { canvas }), "page");
  assert.equal(scopeOf(box, { canvas }), "canvas");
  assert.equal(scopeOf(canvas, { canvas }), "canvas");
  assert.equal(scopeOf({ tagName: "TEXTAREA" }, { canvas, modal: true }), "modal");
  assert.equal(platformOf({ platform: "MacIntel" }), "mac");
  assert.equal(platformOf({ userAgentData: { platform: "Windows" }, platform: "Win32" }), "other");
});

test("the help list comes from the key map, with the platform's key names, translated", () => {
  globalThis.django = { gettext: (msgid) => ({ Undo: "실행 취소", Boxes: "상자" })[msgid] ?? msgid };

  const mac = createKeymap({ platform: "mac" }).help();
  const boxes = mac.find((group) => group.group === "boxes");
  assert.equal(boxes.label, "상자");
  assert.deepEqual(boxes.rows.find((row) => row.id === "history.undo"), { id: "history.undo", group: "boxes", label: "실행 취소", keys: ["Cmd+Z"] });
  assert.deepEqual(boxes.rows.find((row) => row.id === "history.redo").keys, ["Cmd+Shift+Z", "Cmd+Y"]);
  assert.deepEqual(boxes.rows.find((row) => row.id === "pick").keys, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.deepEqual(boxes.rows.find((row) => row.id === "nudge10").keys, ["Shift+←", "Shift+↑", "Shift+→", "Shift+↓"]);
  assert.deepEqual(mac.map((group) => group.group), ["tools", "boxes", "view", "task"]);

  const other = createKeymap().help();
  assert.deepEqual(other.flatMap((group) => group.rows).find((row) => row.id === "region.next").keys, ["Tab", "Alt+."]);
  assert.equal(chordLabel("Ctrl+R", "mac"), "Ctrl+R");
  assert.equal(chordLabel("Alt+.", "mac"), "Option+.");
  // every action has a label, not its id
  for (const row of other.flatMap((group) => group.rows)) assert.notEqual(row.label, row.id, row.id);
});
