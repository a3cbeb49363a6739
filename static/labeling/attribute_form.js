// The selected box's attribute form, as pure logic: which control each attribute of the schema
// gets, what a control's raw value means as an attribute value, when the form must be built
// again, and which shown values may be brought in line with the document — never the field
// the annotator is typing in (CVAT #1870: re-rendering a field from state moved the caret).
// Fields come from annotation_doc's attributeFields: {name, kind, required, choices, value,
// editable}; nothing here names a region type or an attribute.

// Up to this many choices show as a radio group; more as a drop-down list.
export const RADIO_LIMIT = 6;

// The control for a field: "line" (text and LaTeX; LaTeX adds the preview), "checkbox"
// (yes/no), "radios" or "select" (a choice), "number" (an angle in degrees).
export function controlOf(field, { radioLimit = RADIO_LIMIT } = {}) {
  switch (field.kind) {
    case "boolean": return "checkbox";
    case "choice": return (field.choices?.length ?? 0) <= radioLimit ? "radios" : "select";
    case "angle": return "number";
    default: return "line";
  }
}

// What a control shows for a field's value: text for lines, numbers and choices; true or false
// for a checkbox.
export function shownValue(field) {
  if (controlOf(field) === "checkbox") return field.value === true;
  return field.value === null || field.value === undefined ? "" : String(field.value);
}

// The attribute value a control's raw value stands for: null clears the attribute (an empty
// line, "no choice"); undefined means "not a value yet" (a half-typed angle) and is not sent.
export function valueOf(field, raw) {
  const control = controlOf(field);
  if (control === "checkbox") return Boolean(raw);
  const text = String(raw ?? "");
  if (control === "number") {
    if (!text.trim()) return null;
    const degrees = Number(text);
    if (!Number.isFinite(degrees) || degrees <= -90 || degrees > 90) return undefined;
    return Math.round(degrees * 10) / 10;
  }
  return text === "" ? null : text;
}

// What the form is built from: the region, whether it is locked, and each field's name, kind,
// choices, requirement and editability (not the values: those are brought in line in place).
export function formKey(id, fields, lock = null) {
  return JSON.stringify([id, lock, fields.map((f) => [f.name, f.kind, f.required, f.editable, f.choices ?? []])]);
}

// The fields whose control must be rewritten to match the document: those showing something
// else, except the one with focus or mid-composition (its text is the annotator's, and the
// document follows it). `shown(name)` reads what a control shows now.
export function valuesToWrite(fields, shown, { focused = null, composing = null } = {}) {
  return fields.filter((field) => field.name !== focused && field.name !== composing
    && shown(field.name) !== shownValue(field));
}
