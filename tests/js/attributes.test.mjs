// static/labeling/attribute_form.js: the attribute form built from the schema, and the rule that
// the field being typed in is never rewritten from the document (CVAT #1870).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { attributeFields, createDocument, createRules } from "../../static/labeling/annotation_doc.js";
import { controlOf, formKey, shownValue, valueOf, valuesToWrite } from "../../static/labeling/attribute_form.js";

// a schema that is not the demo's: a table of cells, each with a choice and a flag
const SCHEMA = [
  { slug: "table", name: "표", top_level: true, parents: [], attributes: [{ name: "caption", kind: "text", required: false, choices: [] }] },
  { slug: "cell", name: "칸", top_level: false, parents: ["table"], attributes: [
    { name: "role", kind: "choice", required: true, choices: ["header", "body"] },
    { name: "merged", kind: "boolean", required: false, choices: [] },
    { name: "content", kind: "latex", required: false, choices: [] },
    { name: "tilt", kind: "angle", required: false, choices: [] },
  ] },
];

function doc({ kind = null, attributes = {} } = {}) {
  return createDocument({
    rules: createRules({ schema: SCHEMA, kind }),
    annotation: { regions: [
      { id: "r1", type: "table", bbox: [0, 0, 100, 100], attributes: {}, parent: null },
      { id: "r2", type: "cell", bbox: [10, 10, 20, 20], attributes, parent: "r1" },
    ] },
    width: 200,
    height: 200,
  });
}

const field = (kind, extra = {}) => ({ name: "x", kind, required: false, choices: [], value: null, editable: true, ...extra });

test("each attribute kind of any schema gets its control", () => {
  const controls = attributeFields(doc(), "r2").map((f) => [f.name, controlOf(f)]);

  assert.deepEqual(controls, [["role", "radios"], ["merged", "checkbox"], ["content", "line"], ["tilt", "number"]]);
  assert.equal(controlOf(field("text")), "line");
});

test("a choice among many is a list, among few a radio group", () => {
  assert.equal(controlOf(field("choice", { choices: ["a", "b", "c", "d", "e", "f"] })), "radios");
  assert.equal(controlOf(field("choice", { choices: ["a", "b", "c", "d", "e", "f", "g"] })), "select");
});

test("an empty line or no choice clears the attribute; text is sent as typed", () => {
  assert.equal(valueOf(field("latex"), ""), null);
  assert.equal(valueOf(field("latex"), " \\frac{1}{2} "), " \\frac{1}{2} ");
  assert.equal(valueOf(field("choice", { choices: ["a"] }), ""), null);
  assert.equal(valueOf(field("choice", { choices: ["a"] }), "a"), "a");
  assert.equal(valueOf(field("boolean"), true), true);
});

test("an angle is sent in degrees, one decimal; a half-typed or out-of-range one is not sent", () => {
  assert.equal(valueOf(field("angle"), "12.34"), 12.3);
  assert.equal(valueOf(field("angle"), ""), null);
  assert.equal(valueOf(field("angle"), "-"), undefined);
  assert.equal(valueOf(field("angle"), "-90"), undefined);
  assert.equal(valueOf(field("angle"), "90"), 90);
});

test("controls show the document's values: text for lines, true or false for a checkbox", () => {
  const fields = attributeFields(doc({ attributes: { role: "body", merged: true, tilt: -4.5 } }), "r2");

  assert.deepEqual(fields.map(shownValue), ["body", true, "", "-4.5"]);
});

test("the form is built again for another region or another lock, not for a new value", () => {
  const before = attributeFields(doc(), "r2");
  const typed = attributeFields(doc({ attributes: { content: "x^2" } }), "r2");
  const locked = attributeFields(doc({ kind: { types: ["table"], attributes: [] } }), "r2");

  assert.equal(formKey("r2", typed), formKey("r2", before));
  assert.notEqual(formKey("r1", attributeFields(doc(), "r1")), formKey("r2", before));
  assert.notEqual(formKey("r2", locked, "kind"), formKey("r2", before));
  assert.ok(locked.every((f) => !f.editable));
});

test("7: the focused field keeps what is typed in it; the others follow the document", () => {
  const fields = attributeFields(doc({ attributes: { role: "header", content: "\\frac{1}{2}" } }), "r2");
  const shown = { role: "body", merged: false, content: "\\frac{1}{", tilt: "" };

  const stale = valuesToWrite(fields, (name) => shown[name], { focused: "content" });

  assert.deepEqual(stale.map((f) => f.name), ["role"]);
});

test("a field mid-composition is never rewritten, even without focus", () => {
  const fields = attributeFields(doc({ attributes: { content: "가" } }), "r2");
  const shown = { role: "", merged: false, content: "ㄱ", tilt: "" };

  assert.deepEqual(valuesToWrite(fields, (name) => shown[name], { composing: "content" }), []);
});

test("the panel's code names no region type or attribute: the form comes from the schema", () => {
  for (const file of ["attributes.js", "attribute_form.js", "categories.js", "category_search.js"]) {
    const source = readFileSync(new URL(`../../static/labeling/${file}`, import.meta.url), "utf8");
    assert.doesNotMatch(source, /["'`](formula|char|latex_source|handwritten)["'`]/, file);
  }
});
