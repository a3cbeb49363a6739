// static/labeling/history.js over annotation_doc.js: one undo step per gesture, exact restores.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createBox, createDocument, createRules, deleteRegion, moveRegion, regionOf, resizeRegion,
  restoreDocument, sameDocument, setAttribute, toAnnotation,
} from "../../static/labeling/annotation_doc.js";
import { createHistory } from "../../static/labeling/history.js";

const SCHEMA = [
  { slug: "formula", top_level: true, parents: [], attributes: [{ name: "latex", kind: "latex", required: true }] },
  { slug: "char", top_level: false, parents: ["formula"], attributes: [{ name: "symbol", kind: "text" }] },
];

function start() {
  const doc = createDocument({
    rules: createRules({ schema: SCHEMA }),
    width: 400,
    height: 300,
    annotation: {
      regions: [
        { id: "r1", type: "formula", bbox: [10.5, 20.25, 200, 80], attributes: { latex: "ab" }, parent: null },
        { id: "r2", type: "char", bbox: [12, 22, 20, 30], attributes: { symbol: "a" }, parent: "r1" },
        { id: "r3", type: "char", bbox: [40, 22, 20, 30], attributes: { symbol: "b" }, parent: "r1" },
        { id: "r4", type: "formula", bbox: [250, 100, 50, 40], attributes: {}, parent: null },
      ],
      categories: { capture: "clean" },
    },
  });
  return { doc, history: createHistory({ restore: restoreDocument, same: sameDocument }) };
}

test("8: undo after a delete restores the box with the same id, box, attributes and parent; redo deletes it again", () => {
  const { doc, history } = start();
  const after = deleteRegion(doc, "r3").doc;
  history.record(doc, after, "delete");

  const undone = history.undo(after);
  assert.deepEqual(toAnnotation(undone), toAnnotation(doc));
  assert.deepEqual(regionOf(undone, "r3"), { id: "r3", type: "char", bbox: [40, 22, 20, 30], attributes: { symbol: "b" }, parent: "r1" });

  const redone = history.redo(undone);
  assert.equal(regionOf(redone, "r3"), null);
  assert.deepEqual(toAnnotation(redone), toAnnotation(after));
});

test("8: deleting a parent with two children is one step; undo restores all three", () => {
  const { doc, history } = start();
  const after = deleteRegion(doc, "r1").doc;
  history.record(doc, after, "delete");
  assert.equal(after.regions.length, 1);

  const undone = history.undo(after);

  assert.deepEqual(toAnnotation(undone), toAnnotation(doc));
  assert.equal(history.canUndo(), false);
});

test("9: a drawn box is one step, however many moves the drag made; undo removes it entirely", () => {
  const { doc, history } = start();
  const gesture = history.begin(doc);
  let current = doc;
  let id = null;
  for (const x of [330, 340, 350, 360]) ({ doc: current, id } = createBox(doc, { type: "formula", from: { x: 320, y: 200 }, to: { x, y: 260 } }));
  gesture.commit(current, "draw");

  assert.equal(history.depth.undo, 1);
  const undone = history.undo(current);
  assert.equal(regionOf(undone, id), null);
  assert.deepEqual(toAnnotation(undone), toAnnotation(doc));
  // the id undone is not handed out again
  assert.notEqual(createBox(undone, { type: "formula", from: { x: 0, y: 200 }, to: { x: 5, y: 210 } }).id, id);
});

test("9: a resize is one step; undo restores the previous rectangle exactly", () => {
  const { doc, history } = start();
  const gesture = history.begin(doc);
  let current = doc;
  for (const step of [1, 2.5, 7.25, 5]) current = resizeRegion(doc, "r1", "se", step, step / 3);
  gesture.commit(current, "resize");

  const undone = history.undo(current);

  assert.deepEqual(regionOf(undone, "r1").bbox, [10.5, 20.25, 200, 80]);
  assert.deepEqual(toAnnotation(history.redo(undone)), toAnnotation(current));
});

test("a press that changed nothing, or a drag back to its start, leaves no step", () => {
  const { doc, history } = start();

  assert.equal(history.begin(doc).commit(doc), false);
  assert.equal(history.begin(doc).commit(moveRegion(moveRegion(doc, "r4", 5, 5), "r4", -5, -5)), false);
  assert.equal(history.canUndo(), false);
});

test("a cancelled gesture hands back where it began and records nothing", () => {
  const { doc, history } = start();
  const gesture = history.begin(doc);

  assert.equal(gesture.cancel(), doc);
  assert.equal(gesture.commit(moveRegion(doc, "r4", 5, 5)), false);
  assert.equal(history.canUndo(), false);
});

test("a new edit after an undo clears redo; the labels name the steps", () => {
  const { doc, history } = start();
  const moved = moveRegion(doc, "r4", 10, 0);
  history.record(doc, moved, "move");
  const typed = setAttribute(moved, "r4", "latex", "x");
  history.record(moved, typed, "type");
  assert.equal(history.undoLabel(), "type");

  const back = history.undo(typed);
  assert.equal(history.redoLabel(), "type");
  history.record(back, setAttribute(back, "r4", "latex", "y"), "type again");

  assert.equal(history.canRedo(), false);
  assert.equal(history.redo(back), null);
});

test("the history keeps at most its limit, dropping the oldest", () => {
  const history = createHistory({ limit: 3 });
  for (let n = 0; n < 5; n += 1) history.record(n, n + 1);

  assert.deepEqual(history.depth, { undo: 3, redo: 0 });
  assert.deepEqual([history.undo(5), history.undo(4), history.undo(3), history.undo(2)], [4, 3, 2, null]);
  history.clear();
  assert.deepEqual(history.depth, { undo: 0, redo: 0 });
});
