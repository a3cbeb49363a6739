// The selected box's attributes, built from the schema (attributeFields): text and LaTeX as one
// line — LaTeX with a KaTeX preview of its own, the parse error as text in a polite live line,
// the last good rendering dimmed —, yes/no a checkbox, a choice radios or a list, an angle a
// number. `onEdit(id, name, value)` on each input (after compositionend, never during one),
// `onCommit(id, name)` on change or blur: one undo step. A field that has focus or composes is
// never rewritten by `show` (CVAT #1870). Keys (Esc, Enter) are the page's keymap's.

import { gettext } from "../core/i18n.js";
import { attributeFields, lockReason, regionOf } from "./annotation_doc.js";
import { controlOf, formKey, shownValue, valueOf, valuesToWrite } from "./attribute_form.js";
import { createPreviewScheduler, errorText, inputModeHint, nextPreview, renderLatex } from "./latex_preview.js";

let serial = 0;

function make(name, properties = {}, ...children) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(properties)) {
    if (key === "text") element.textContent = value;
    else if (key in element && typeof value !== "string") element[key] = value;
    else element.setAttribute(key, value);
  }
  element.append(...children);
  return element;
}

function labelText(field) {
  const label = make("span", { text: field.name, class: "attr-name" });
  if (field.required) label.append(" ", make("span", { class: "attr-required", text: gettext("(required)") }));
  return label;
}

// `katex()` → Promise<{ katex, options }>; `schedule`, `cancel`, `now` go to the preview's
// scheduler (a fake clock in tests).
export function createAttributePanel(container, {
  onEdit = () => {}, onCommit = () => {}, katex = null, schedule, cancel, now,
} = {}) {
  const clock = Object.fromEntries(Object.entries({ schedule, cancel, now }).filter(([, v]) => v));
  let key = null;
  let rules = null;
  let regionId = null;
  let entries = new Map(); // name → { field, root, control, read(), write(), scheduler, … }
  let renders = 0;

  function empty(text) {
    dispose();
    key = null;
    container.replaceChildren(make("p", { class: "empty", text }));
  }

  function dispose() {
    for (const entry of entries.values()) {
      entry.gone = true;
      entry.scheduler?.dispose();
    }
    entries = new Map();
  }

  function focusedName() {
    const active = container.ownerDocument.activeElement;
    for (const [name, entry] of entries) if (entry.root.contains(active)) return name;
    return null;
  }

  function build(doc, region, fields, lock) {
    const refocus = region.id === regionId ? focusedName() : null;
    dispose();
    regionId = region.id;
    const form = make("div", { class: "attr-form", "data-region": region.id });
    const typeName = doc.rules.types.get(region.type)?.name ?? region.type;
    form.append(make("p", { class: "attr-region", text: typeName }));
    if (lock === "kind") form.append(make("p", { class: "attr-lock", text: gettext("From an earlier pass: shown here, not editable.") }));
    if (!fields.length) form.append(make("p", { class: "empty", text: gettext("This box has no attributes.") }));
    for (const field of fields) {
      const entry = fieldEntry(doc, region.id, field);
      entries.set(field.name, entry);
      form.append(entry.root);
    }
    container.replaceChildren(form);
    for (const entry of entries.values()) entry.write(shownValue(entry.field));
    if (refocus) entries.get(refocus)?.focusable()?.focus({ preventScroll: true });
  }

  function fieldEntry(doc, id, field) {
    const uid = `attr-${++serial}`;
    const entry = { field, dirty: false, composing: false, gone: false, uid };
    const edit = (raw) => {
      const value = valueOf(entry.field, raw);
      if (value === undefined) return;
      entry.dirty = true;
      onEdit(id, field.name, value);
    };
    entry.commit = () => {
      if (!entry.dirty) return;
      entry.dirty = false;
      onCommit(id, field.name);
    };
    const kind = controlOf(field);
    if (kind === "checkbox") buildCheckbox(entry, edit);
    else if (kind === "radios") buildRadios(entry, edit);
    else if (kind === "select") buildSelect(entry, edit);
    else buildLine(entry, edit, kind, doc.rules.maxText);
    entry.root.dataset.attribute = field.name;
    entry.root.dataset.kind = field.kind;
    return entry;
  }

  function buildLine(entry, edit, kind, maxText) {
    const { field, uid } = entry;
    const input = make("input", {
      id: uid, type: kind === "number" ? "number" : "text", class: "attr-input",
      autocomplete: "off", autocapitalize: "off", spellcheck: "false",
    });
    if (kind === "number") Object.assign(input, { step: "0.1", min: "-89.9", max: "90", inputMode: "decimal" });
    else if (Number.isFinite(maxText)) input.maxLength = maxText;
    if (field.kind === "latex") input.lang = "en";
    if (!field.editable) input.readOnly = true;
    const label = make("label", { for: uid, class: "attr-label" }, labelText(field));
    const row = make("div", { class: "attr-line" }, input);
    if (kind === "number") row.append(make("span", { class: "attr-unit", text: "°" }));
    entry.root = make("div", { class: "attr-field" }, label, row);
    entry.read = () => input.value;
    entry.focusable = () => (field.editable ? input : null);
    entry.write = (value) => {
      input.value = value;
      entry.preview?.(value);
    };
    if (field.kind === "latex") addPreview(entry, input);
    if (!field.editable) return;
    input.addEventListener("compositionstart", () => {
      entry.composing = true;
      entry.scheduler?.compositionStart();
    });
    input.addEventListener("compositionend", () => {
      entry.composing = false;
      edit(input.value);
      entry.hint?.(input.value);
      entry.scheduler?.compositionEnd(input.value);
    });
    input.addEventListener("input", (event) => {
      entry.hint?.(input.value);
      if (event.isComposing || entry.composing) {
        entry.scheduler?.input(input.value, { composing: true });
        return;
      }
      edit(input.value);
      entry.scheduler?.input(input.value);
    });
    input.addEventListener("change", entry.commit);
    input.addEventListener("blur", () => {
      entry.scheduler?.flush();
      entry.commit();
    });
  }

  function addPreview(entry, input) {
    const preview = make("div", { class: "attr-preview", "data-preview": "" });
    const error = make("p", { id: `${entry.uid}-error`, class: "attr-error", "aria-live": "polite" });
    const hint = make("p", { id: `${entry.uid}-hint`, class: "attr-hint", "aria-live": "polite" });
    input.setAttribute("aria-describedby", `${error.id} ${hint.id}`);
    entry.root.append(preview, error, hint);
    let state = null;
    let shown = null;
    let token = 0;
    const paint = (next) => {
      state = next;
      if (state.html !== shown) {
        shown = state.html;
        preview.innerHTML = shown ?? ""; // KaTeX's own output, trust off (latex_preview.js)
      }
      preview.classList.toggle("stale", state.stale);
      error.textContent = state.error ? errorText(state.error) : "";
      input.setAttribute("aria-invalid", String(state.invalid));
    };
    const render = (source) => {
      renders += 1;
      const mine = ++token;
      if (!source) return paint({ html: null, error: null, stale: false, invalid: false });
      Promise.resolve()
        .then(() => katex())
        .then(({ katex: module, options }) => {
          if (mine === token && !entry.gone) paint(nextPreview(state, renderLatex(module, options, source)));
        })
        .catch(() => {
          if (mine === token && !entry.gone) error.textContent = gettext("The formula preview could not be loaded.");
        });
    };
    entry.scheduler = createPreviewScheduler({ render, ...clock });
    entry.hint = (value) => {
      const text = inputModeHint(value) ?? "";
      if (hint.textContent !== text) hint.textContent = text;
    };
    entry.preview = (value) => {
      entry.hint(value);
      entry.scheduler.input(value);
      entry.scheduler.flush();
    };
  }

  function buildCheckbox(entry, edit) {
    const { field, uid } = entry;
    const box = make("input", { id: uid, type: "checkbox", class: "attr-check", disabled: !field.editable });
    entry.root = make("div", { class: "attr-field attr-boolean" },
      make("label", { for: uid, class: "attr-label" }, box, " ", labelText(field)));
    settled(entry, edit, box, "checked");
  }

  // A control whose every change is a whole edit (a checkbox, a list): edited and committed.
  function settled(entry, edit, control, property) {
    entry.read = () => control[property];
    entry.write = (value) => { control[property] = value; };
    entry.focusable = () => (entry.field.editable ? control : null);
    control.addEventListener("change", () => {
      edit(control[property]);
      entry.commit();
    });
  }

  function buildRadios(entry, edit) {
    const { field, uid } = entry;
    const group = make("fieldset", { class: "attr-field attr-choices", disabled: !field.editable },
      make("legend", { class: "attr-label" }, labelText(field)));
    const options = field.required ? [...field.choices] : ["", ...field.choices];
    const radios = options.map((choice, index) => {
      const radio = make("input", { id: `${uid}-${index}`, type: "radio", name: uid, value: choice });
      const text = choice === "" ? gettext("Not set") : choice;
      group.append(make("label", { for: radio.id, class: "attr-choice" }, radio, " ", make("span", { text })));
      radio.addEventListener("change", () => {
        if (!radio.checked) return;
        edit(radio.value);
        entry.commit();
      });
      return radio;
    });
    entry.root = group;
    entry.read = () => radios.find((radio) => radio.checked)?.value ?? "";
    entry.write = (value) => {
      for (const radio of radios) radio.checked = radio.value === value;
    };
    entry.focusable = () => (field.editable ? radios.find((r) => r.checked) ?? radios[0] ?? null : null);
  }

  function buildSelect(entry, edit) {
    const { field, uid } = entry;
    const select = make("select", { id: uid, class: "attr-select", disabled: !field.editable },
      make("option", { value: "", text: gettext("Not set") }),
      ...field.choices.map((choice) => make("option", { value: choice, text: choice })));
    entry.root = make("div", { class: "attr-field" },
      make("label", { for: uid, class: "attr-label" }, labelText(field)), select);
    settled(entry, edit, select, "value");
  }

  // Bring the controls in line with the document, leaving the one being typed in alone.
  function sync(fields) {
    const composing = [...entries].find(([, entry]) => entry.composing)?.[0] ?? null;
    const stale = valuesToWrite(fields, (name) => entries.get(name).read(), { focused: focusedName(), composing });
    for (const field of fields) entries.get(field.name).field = field;
    for (const field of stale) entries.get(field.name).write(shownValue(field));
  }

  return {
    // The form for region `id` of `doc` (the empty state when there is none).
    show(doc, id) {
      const region = doc && id != null ? regionOf(doc, id) : null;
      if (!region) {
        if (key !== "") empty(gettext("Select a box to see its attributes."));
        key = "";
        regionId = null;
        return;
      }
      const fields = attributeFields(doc, id);
      const lock = lockReason(doc, id);
      const next = formKey(id, fields, lock);
      if (next !== key || doc.rules !== rules) {
        build(doc, region, fields, lock);
        key = next;
        rules = doc.rules;
      } else {
        sync(fields);
      }
    },
    // Focus the first field that may be edited; false when there is none.
    focusFirst() {
      for (const entry of entries.values()) {
        const target = entry.focusable();
        if (target) {
          target.focus();
          return true;
        }
      }
      return false;
    },
    // Render what the LaTeX fields have pending now (before a submit).
    flush() {
      for (const entry of entries.values()) entry.scheduler?.flush();
    },
    // KaTeX renders so far (check 21 counts them).
    get renders() { return renders; },
    dispose() {
      dispose();
      key = null;
    },
  };
}
