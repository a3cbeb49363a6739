// static/labeling/annotation_doc.js: the document the tool edits, driven by the label schema.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  attributeFields, copyRegions, createBox, createDocument, createDragGate, createRules,
  deleteRegion, drawableTypes, hitTest, lockReason, missingRequired, moveRegion, pasteRegions,
  pastThreshold, rectFromPoints, regionOf, regionsAt, resizeBox, resizeRegion, restoreDocument,
  restoreRegions, sameDocument, setAttribute, setCategory, setHidden, setLocked, stepRegion,
  toAnnotation, typeToDraw,
} from "../../static/labeling/annotation_doc.js";

// the demo's schema, as the schema API gives it
const MATH = [
  {
    slug: "formula", name: "Formula", top_level: true, parents: [],
    attributes: [
      { name: "latex", kind: "latex", required: true, choices: [] },
      { name: "handwritten", kind: "boolean", required: false, choices: [] },
    ],
  },
  {
    slug: "char", name: "Character", top_level: false, parents: ["formula"],
    attributes: [{ name: "symbol", kind: "text", required: false, choices: [] }],
  },
];
const AXES = [{ slug: "capture", categories: ["clean", "shadow"] }, { slug: "writing", categories: ["printed", "handwritten"] }];

function mathDoc(regions = [], { kind = null, limits = {} } = {}) {
  const rules = createRules({ schema: MATH, kind, limits, axes: AXES });
  return createDocument({ rules, annotation: { regions, categories: {} }, width: 400, height: 300 });
}

const formula = (id, bbox, extra = {}) => ({ id, type: "formula", bbox, attributes: {}, parent: null, ...extra });
const char = (id, bbox, parent, extra = {}) => ({ id, type: "char", bbox, attributes: {}, parent, ...extra });

test("a box drawn on empty image is a top-level region with a fresh id, in canonical form", () => {
  const doc = mathDoc();

  const { doc: next, id } = createBox(doc, { type: "formula", from: { x: 50, y: 40 }, to: { x: 10, y: 10 } });

  assert.equal(id, "r1");
  assert.deepEqual(toAnnotation(next), {
    regions: [{ id: "r1", type: "formula", bbox: [10, 10, 40, 30], attributes: {}, parent: null }],
    categories: {},
  });
  assert.equal(doc.regions.length, 0, "the earlier document is untouched");
  assert.ok(Object.isFrozen(next.regions[0]) && Object.isFrozen(next.regions[0].bbox));
});

test("new ids never collide with existing ids or with deleted ones", () => {
  let doc = mathDoc([formula("r7", [0, 0, 100, 100]), formula("abc", [200, 0, 50, 50])]);

  const first = createBox(doc, { type: "formula", from: { x: 300, y: 200 }, to: { x: 320, y: 220 } });
  assert.equal(first.id, "r8");
  doc = deleteRegion(first.doc, "r8").doc;
  const second = createBox(doc, { type: "formula", from: { x: 300, y: 200 }, to: { x: 320, y: 220 } });

  assert.equal(second.id, "r9");
});

test("17: with the box tool, a box started inside an unselected box nests in it, which stays as it was", () => {
  const doc = mathDoc([formula("r1", [100, 100, 200, 80])], { kind: { types: ["formula", "char"] } });
  const press = { x: 120, y: 110 };

  assert.deepEqual(hitTest(doc, press, { drawing: true }), { target: "canvas" });
  assert.equal(typeToDraw(doc, press), "char");
  const { doc: next, id } = createBox(doc, { type: "char", from: press, to: { x: 140, y: 150 } });

  assert.equal(regionOf(next, id).parent, "r1");
  assert.deepEqual(regionOf(next, "r1"), regionOf(doc, "r1"));
});

test("the parent is the innermost box under the start point whose type may hold the new one", () => {
  // a formula inside a formula cannot nest: it stands alone; a char goes in the inner formula
  const doc = mathDoc([formula("r1", [0, 0, 300, 200]), formula("r2", [50, 50, 100, 60])]);

  const outer = createBox(doc, { type: "formula", from: { x: 60, y: 60 }, to: { x: 90, y: 90 } });
  const inner = createBox(doc, { type: "char", from: { x: 60, y: 60 }, to: { x: 70, y: 80 } });

  assert.equal(regionOf(outer.doc, outer.id).parent, null);
  assert.equal(regionOf(inner.doc, inner.id).parent, "r2");
});

test("a type that may not stand alone is refused outside any box that may hold it", () => {
  const doc = mathDoc([formula("r1", [0, 0, 50, 50])]);

  const result = createBox(doc, { type: "char", from: { x: 200, y: 200 }, to: { x: 220, y: 230 } });

  assert.deepEqual([result.doc, result.id, result.reason], [doc, null, "parent"]);
});

test("the limits of the annotation are kept: region count and nesting depth", () => {
  const full = mathDoc([formula("r1", [0, 0, 10, 10])], { limits: { regions: 1 } });
  assert.equal(createBox(full, { type: "formula", from: { x: 50, y: 50 }, to: { x: 60, y: 60 } }).reason, "regions");

  const deep = createRules({
    schema: [{ slug: "box", top_level: true, parents: ["box"], attributes: [] }], limits: { depth: 1 },
  });
  const doc = createDocument({
    rules: deep, width: 100, height: 100,
    annotation: { regions: [{ id: "a", type: "box", bbox: [0, 0, 90, 90], parent: null }, { id: "b", type: "box", bbox: [10, 10, 50, 50], parent: "a" }] },
  });
  assert.equal(createBox(doc, { type: "box", from: { x: 20, y: 20 }, to: { x: 30, y: 30 } }).reason, "depth");
});

test("a drawn box stays inside the image and is at least the minimum size", () => {
  assert.deepEqual(rectFromPoints({ x: 390, y: 290 }, { x: 900, y: -50 }, { width: 400, height: 300 }), [390, 0, 10, 290]);
  assert.deepEqual(rectFromPoints({ x: 399.5, y: 10 }, { x: 399.5, y: 10 }, { width: 400, height: 300, minSize: 4 }), [395.5, 10, 4, 4]);
});

test("a move is clamped inside the image", () => {
  const doc = mathDoc([formula("r1", [10, 10, 50, 40])]);

  assert.deepEqual(regionOf(moveRegion(doc, "r1", -100, 5), "r1").bbox, [0, 15, 50, 40]);
  assert.deepEqual(regionOf(moveRegion(doc, "r1", 1000, 1000), "r1").bbox, [350, 260, 50, 40]);
  assert.equal(moveRegion(doc, "r1", 0, 0), doc, "no movement is no change");
});

test("10: the south-east handle of a 10×10 box dragged by 5 px makes it 15×15; the north-west corner stays", () => {
  const doc = mathDoc([formula("r1", [100, 100, 10, 10])]);

  const [x, y, width, height] = regionOf(resizeRegion(doc, "r1", "se", 5, 5), "r1").bbox;

  assert.deepEqual([x, y], [100, 100]);
  assert.ok(Math.abs(width - 15) <= 0.5 && Math.abs(height - 15) <= 0.5, `${width}×${height}`);
});

test("each handle moves only its own edges", () => {
  const box = [100, 100, 40, 20];
  const size = { width: 400, height: 300 };
  const cases = {
    n: [100, 90, 40, 30], s: [100, 100, 40, 30], e: [100, 100, 50, 20], w: [90, 100, 50, 20],
    ne: [100, 90, 50, 30], nw: [90, 90, 50, 30], se: [100, 100, 50, 30], sw: [90, 100, 50, 30],
  };
  for (const [handle, expected] of Object.entries(cases)) {
    const dx = handle.includes("w") ? -10 : 10;
    const dy = handle.includes("n") ? -10 : 10;
    assert.deepEqual(resizeBox(box, handle, dx, dy, size).bbox, expected, handle);
  }
});

test("a resize keeps the minimum size, stays inside the image, and flips past the opposite edge", () => {
  const size = { width: 400, height: 300, minSize: 2 };

  assert.deepEqual(resizeBox([100, 100, 40, 20], "e", -39.5, 0, size).bbox, [100, 100, 2, 20]);
  assert.deepEqual(resizeBox([100, 100, 40, 20], "se", 1000, 1000, size).bbox, [100, 100, 300, 200]);
  const flipped = resizeBox([100, 100, 40, 20], "se", -60, -50, size);
  assert.deepEqual(flipped, { bbox: [80, 70, 20, 30], handle: "nw" });
  assert.deepEqual(resizeBox([100, 100, 40, 20], "nw", 100, 0, size), { bbox: [140, 100, 60, 20], handle: "ne" });
  // at the image's edge the minimum size grows back inside
  assert.deepEqual(resizeBox([390, 0, 10, 10], "w", 20, 0, size).bbox, [398, 0, 2, 10]);
});

test("deleting a parent removes its children in one edit, and restoring puts all back as they were", () => {
  const regions = [
    formula("r1", [0, 0, 200, 100], { attributes: { latex: "x+y" } }),
    formula("r4", [250, 0, 100, 100]),
    char("r2", [10, 10, 20, 30], "r1", { attributes: { symbol: "x" } }),
    char("r3", [40, 10, 20, 30], "r1"),
  ];
  const doc = setLocked(mathDoc(regions), "r4", true);

  const { doc: after, removed } = deleteRegion(doc, "r1");

  assert.deepEqual(after.regions.map((region) => region.id), ["r4"]);
  assert.deepEqual(removed.map((entry) => entry.region.id), ["r1", "r2", "r3"]);
  assert.deepEqual(toAnnotation(restoreRegions(after, removed)), toAnnotation(doc));
});

test("20: deleting nothing changes nothing; a locked box or one holding a locked box is not deleted", () => {
  const doc = setLocked(mathDoc([formula("r1", [0, 0, 200, 100]), char("r2", [10, 10, 20, 30], "r1")]), "r2", true);

  assert.equal(deleteRegion(doc, null).doc, doc);
  assert.equal(deleteRegion(doc, "nope").doc, doc);
  assert.equal(deleteRegion(doc, "r1").doc, doc);
  assert.equal(deleteRegion(doc, "r2").doc, doc);
});

test("attributes follow their kind: text, latex, yes/no; null clears one", () => {
  let doc = mathDoc([formula("r1", [0, 0, 200, 100]), char("r2", [10, 10, 20, 30], "r1")], { limits: { text: 20 } });

  doc = setAttribute(doc, "r1", "latex", "\\frac{1}{2}");
  doc = setAttribute(doc, "r1", "handwritten", true);
  doc = setAttribute(doc, "r2", "symbol", "x");
  assert.deepEqual(regionOf(doc, "r1").attributes, { latex: "\\frac{1}{2}", handwritten: true });
  assert.deepEqual(regionOf(doc, "r2").attributes, { symbol: "x" });

  assert.equal(setAttribute(doc, "r1", "handwritten", "yes"), doc, "a boolean takes true or false");
  assert.equal(setAttribute(doc, "r1", "latex", 3), doc, "latex is text");
  assert.equal(setAttribute(doc, "r1", "latex", "x".repeat(21)), doc, "the text limit holds");
  assert.equal(setAttribute(doc, "r1", "symbol", "x"), doc, "formula has no symbol");
  assert.deepEqual(regionOf(setAttribute(doc, "r1", "handwritten", null), "r1").attributes, { latex: "\\frac{1}{2}" });
  assert.deepEqual(missingRequired(setAttribute(doc, "r1", "latex", "")), [{ id: "r1", name: "latex" }]);
});

test("regions of types the task kind does not edit are locked and refuse every edit", () => {
  // the char pass: formula boxes were accepted earlier
  const kind = { types: ["char"], attributes: [{ type: "char", name: "symbol" }] };
  const doc = mathDoc([formula("r1", [0, 0, 200, 100], { attributes: { latex: "ab" } })], { kind });

  assert.equal(lockReason(doc, "r1"), "kind");
  assert.deepEqual(drawableTypes(doc), ["char"]);
  assert.equal(moveRegion(doc, "r1", 5, 5), doc);
  assert.equal(resizeRegion(doc, "r1", "se", 5, 5), doc);
  assert.equal(deleteRegion(doc, "r1").doc, doc);
  assert.equal(setAttribute(doc, "r1", "latex", "cd"), doc);
  assert.equal(setLocked(doc, "r1", false), doc);
  assert.equal(createBox(doc, { type: "formula", from: { x: 300, y: 200 }, to: { x: 320, y: 220 } }).reason, "type");
  assert.ok(attributeFields(doc, "r1").every((field) => !field.editable));
  assert.deepEqual(hitTest(doc, { x: 0, y: 0 }, { selected: "r1", handleRadius: 5 }), { target: "body", id: "r1" });
  assert.deepEqual(hitTest(doc, { x: 10, y: 10 }, { selected: "r1", drawing: true }), { target: "canvas" }, "selected but locked: draw inside");
  // but chars still go inside, and the save carries the locked box unchanged
  const { doc: next, id } = createBox(doc, { type: "char", from: { x: 10, y: 10 }, to: { x: 20, y: 30 } });
  assert.equal(regionOf(next, id).parent, "r1");
  assert.deepEqual(toAnnotation(next).regions[0], toAnnotation(doc).regions[0]);
  assert.deepEqual(missingRequired(next), [], "the locked formula's attributes are not this task's");
});

test("an attribute the task kind does not list stays read-only on a type it edits", () => {
  const kind = { types: ["formula"], attributes: [{ type: "formula", name: "latex" }] };
  const doc = mathDoc([formula("r1", [0, 0, 200, 100])], { kind });

  assert.deepEqual(attributeFields(doc, "r1").map((field) => [field.name, field.editable]), [["latex", true], ["handwritten", false]]);
  assert.equal(setAttribute(doc, "r1", "handwritten", true), doc);
});

test("a box the annotator locked keeps its geometry until unlocked; its attributes stay editable", () => {
  const doc = setLocked(mathDoc([formula("r1", [10, 10, 50, 40])]), "r1", true);

  assert.equal(lockReason(doc, "r1"), "user");
  assert.equal(moveRegion(doc, "r1", 5, 5), doc);
  assert.equal(resizeRegion(doc, "r1", "e", 5, 0), doc);
  assert.equal(regionOf(setAttribute(doc, "r1", "latex", "y"), "r1").attributes.latex, "y");
  assert.deepEqual(regionOf(moveRegion(setLocked(doc, "r1", false), "r1", 5, 5), "r1").bbox, [15, 15, 50, 40]);
});

test("image categories are set per axis against the taxonomy", () => {
  let doc = mathDoc();
  doc = setCategory(doc, "capture", "shadow");
  doc = setCategory(doc, "writing", "printed");

  assert.deepEqual(toAnnotation(doc).categories, { capture: "shadow", writing: "printed" });
  assert.equal(setCategory(doc, "capture", "crumpled"), doc);
  assert.equal(setCategory(doc, "colour", "red"), doc);
  assert.deepEqual(toAnnotation(setCategory(doc, "capture", null)).categories, { writing: "printed" });
});

test("18: where three boxes overlap, the innermost is hit; the selected box wins over it", () => {
  const doc = mathDoc([
    formula("big", [0, 0, 300, 200]),
    formula("mid", [50, 50, 150, 100]),
    formula("small", [60, 60, 40, 30]),
  ]);
  const point = { x: 70, y: 70 };

  assert.deepEqual(regionsAt(doc, point).map((region) => region.id), ["small", "mid", "big"]);
  assert.deepEqual(hitTest(doc, point), { target: "body", id: "small" });
  assert.deepEqual(hitTest(doc, point, { selected: "big" }), { target: "body", id: "big" });
  assert.deepEqual(hitTest(doc, { x: 350, y: 250 }), { target: "canvas" });
  assert.deepEqual(hitTest(setHidden(doc, ["small"], true), point), { target: "body", id: "mid" });
});

test("a handle of the selected box beats every body; its target is the radius given in image units", () => {
  const doc = mathDoc([formula("outer", [0, 0, 300, 200]), formula("r1", [100, 100, 10, 10])]);

  // 24 CSS px at 800 % is 3 image px; the target is ±1.5 around the corner
  assert.deepEqual(hitTest(doc, { x: 111.4, y: 111.4 }, { selected: "r1", handleRadius: 1.5 }), { target: "handle", id: "r1", handle: "se" });
  assert.deepEqual(hitTest(doc, { x: 105, y: 100.5 }, { selected: "r1", handleRadius: 1.5 }), { target: "handle", id: "r1", handle: "n" });
  assert.deepEqual(hitTest(doc, { x: 105, y: 105 }, { selected: "r1", handleRadius: 1.5 }), { target: "body", id: "r1" });
  assert.deepEqual(hitTest(doc, { x: 112, y: 112 }, { selected: "r1", handleRadius: 1.5 }), { target: "body", id: "outer" });
  // while drawing, the selected box still wins; the others are canvas
  assert.deepEqual(hitTest(doc, { x: 111, y: 111 }, { selected: "r1", handleRadius: 1.5, drawing: true }).target, "handle");
  assert.deepEqual(hitTest(doc, { x: 50, y: 50 }, { selected: "r1", handleRadius: 1.5, drawing: true }), { target: "canvas" });
});

test("19: a press that moves 3 screen px or less is not a drag; once past, it stays one", () => {
  const start = { x: 100, y: 100 };

  assert.ok(!pastThreshold(start, { x: 103, y: 100 }));
  assert.ok(!pastThreshold(start, { x: 102, y: 102 }));
  assert.ok(pastThreshold(start, { x: 103, y: 101 }));

  const gate = createDragGate(start);
  assert.deepEqual([gate.update({ x: 101, y: 101 }), gate.update({ x: 104, y: 100 }), gate.update({ x: 100, y: 100 })], [false, true, true]);
});

test("Tab walks the boxes in tree order, each parent before its children, and wraps", () => {
  const doc = mathDoc([formula("r1", [0, 0, 200, 100]), formula("r4", [250, 0, 100, 100]), char("r2", [10, 10, 20, 30], "r1")]);

  assert.deepEqual([stepRegion(doc, null, 1), stepRegion(doc, "r1", 1), stepRegion(doc, "r2", 1), stepRegion(doc, "r4", 1)], ["r1", "r2", "r4", "r1"]);
  assert.equal(stepRegion(doc, "r1", -1), "r4");
});

test("copy and paste give a subtree new ids, its links kept, offset and inside the image", () => {
  const doc = mathDoc([formula("r1", [0, 0, 100, 50], { attributes: { latex: "ab" } }), char("r2", [10, 10, 20, 30], "r1", { attributes: { symbol: "a" } })]);

  const { doc: next, ids } = pasteRegions(doc, copyRegions(doc, "r1"), { dx: 350, dy: 10 });

  assert.deepEqual(ids, ["r3", "r4"]);
  assert.deepEqual(toAnnotation(next).regions.slice(2), [
    { id: "r3", type: "formula", bbox: [300, 10, 100, 50], attributes: { latex: "ab" }, parent: null },
    { id: "r4", type: "char", bbox: [310, 20, 20, 30], attributes: { symbol: "a" }, parent: "r3" },
  ]);
  // a char pasted alone nests in the formula under its corner
  const single = pasteRegions(next, copyRegions(doc, "r2"), { dx: 300, dy: 0 });
  assert.equal(regionOf(single.doc, single.ids[0]).parent, "r3");
});

test("restoring an earlier document keeps the newer id counter; equal content is the same document", () => {
  const doc = mathDoc();
  const { doc: drawn } = createBox(doc, { type: "formula", from: { x: 0, y: 0 }, to: { x: 10, y: 10 } });

  const back = restoreDocument(doc, drawn);
  assert.equal(back.regions.length, 0);
  assert.equal(createBox(back, { type: "formula", from: { x: 0, y: 0 }, to: { x: 10, y: 10 } }).id, "r2");
  assert.ok(sameDocument(moveRegion(moveRegion(drawn, "r1", 5, 0), "r1", -5, 0), drawn));
  assert.ok(!sameDocument(moveRegion(drawn, "r1", 5, 0), drawn));
});

// A second schema, never named in the module: tables with cells, a choice attribute.
const TABLES = [
  { slug: "table", name: "Table", top_level: true, parents: [], attributes: [{ name: "caption", kind: "text", required: false, choices: [] }] },
  { slug: "cell", name: "Cell", top_level: false, parents: ["table"], attributes: [{ name: "role", kind: "choice", required: true, choices: ["header", "body"] }] },
];

test("a second schema (table > cell with a choice) works without code changes", () => {
  const rules = createRules({ schema: TABLES, kind: { types: ["table", "cell"] } });
  let doc = createDocument({ rules, width: 1000, height: 800 });

  assert.equal(typeToDraw(doc, { x: 10, y: 10 }), "table");
  ({ doc } = createBox(doc, { type: "table", from: { x: 10, y: 10 }, to: { x: 500, y: 400 } }));
  assert.equal(typeToDraw(doc, { x: 20, y: 20 }), "cell");
  const cell = createBox(doc, { type: "cell", from: { x: 20, y: 20 }, to: { x: 100, y: 60 } });
  doc = cell.doc;
  assert.equal(regionOf(doc, cell.id).parent, "r1");
  assert.equal(createBox(doc, { type: "cell", from: { x: 700, y: 700 }, to: { x: 750, y: 750 } }).reason, "parent");

  assert.deepEqual(missingRequired(doc), [{ id: "r2", name: "role" }]);
  assert.equal(setAttribute(doc, "r2", "role", "footer"), doc, "only an offered choice");
  doc = setAttribute(doc, "r2", "role", "header");
  assert.deepEqual(attributeFields(doc, "r2").map(({ name, kind, choices, value }) => ({ name, kind, choices, value })),
    [{ name: "role", kind: "choice", choices: ["header", "body"], value: "header" }]);
  assert.deepEqual(missingRequired(doc), []);
});

test("an angle is degrees clockwise in (-90, 90], one decimal, and only a number is one", async () => {
  const { angleField, normalAngle } = await import("../../static/labeling/annotation_doc.js");
  const schema = [{ ...MATH[0], attributes: [...MATH[0].attributes, { name: "angle", kind: "angle", required: false, choices: [] }] }];
  const rules = createRules({ schema });
  const doc = createDocument({ rules, annotation: { regions: [formula("r1", [0, 0, 10, 10])] }, width: 100, height: 100 });

  assert.deepEqual([normalAngle(91), normalAngle(-90), normalAngle(90), normalAngle(12.34), normalAngle(-0.01)], [-89, 90, 90, 12.3, 0]);
  assert.equal(angleField(doc, "r1").name, "angle");
  assert.equal(setAttribute(doc, "r1", "angle", "12"), doc);
  assert.equal(setAttribute(doc, "r1", "angle", 95), doc);
  assert.equal(regionOf(setAttribute(doc, "r1", "angle", -12.5), "r1").attributes.angle, -12.5);
  assert.equal(angleField(mathDoc([formula("r1", [0, 0, 10, 10])]), "r1"), null);
});
