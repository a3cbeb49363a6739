// The annotation document as the labeling tool edits it, in the canonical format (regions with
// id, type, bbox [x, y, width, height] in upright image pixels, attributes, parent; categories
// by axis), driven by the label schema: which region types exist, which may nest in which,
// which attributes each has (text, latex, boolean, choice, angle). Nothing here names `formula` or
// `char`, so any schema (a `table` holding `cell`s) works without code changes.
//
// A document is a frozen value: every edit returns a new document (or the same one when the
// edit is refused or changes nothing), sharing the untouched regions. Undo keeps documents, so
// it restores ids, geometry, attributes and parents exactly (history.js). The page keeps the
// selection and the tool; this module never touches the DOM.
//
// Regions of types the task kind does not edit (accepted formula boxes during a char pass) are
// locked: every edit of them is refused, though boxes may still be drawn inside them. An
// annotator may also lock a finished box: its geometry and its deletion are refused until it
// is unlocked; its attributes stay editable. Lock and hide flags are the tool's own and are not
// part of the canonical annotation.

export const HANDLES = Object.freeze(["nw", "n", "ne", "e", "se", "s", "sw", "w"]);

const EMPTY = Object.freeze({});

// --- the schema --------------------------------------------------------------------------------

// The label schema as the API gives it (datasets' RegionTypeOut: slug, name, top_level,
// parents, attributes [{name, kind, required, choices}]) and what the task kind edits
// (task_payload's task_kind: types, attributes [{type, name}]). Without a kind everything is
// editable.
export function createRules({ schema, kind = null, limits = {}, axes = null }) {
  const types = new Map();
  for (const entry of schema) {
    types.set(entry.slug, Object.freeze({
      slug: entry.slug,
      name: entry.name ?? entry.slug,
      topLevel: entry.top_level ?? true,
      parents: Object.freeze([...(entry.parents ?? [])]),
      attributes: Object.freeze((entry.attributes ?? []).map((attribute) => Object.freeze({
        name: attribute.name,
        kind: attribute.kind,
        required: Boolean(attribute.required),
        choices: Object.freeze([...(attribute.choices ?? [])]),
      }))),
    }));
  }
  const editableTypes = new Set(kind ? kind.types : types.keys());
  const editableAttributes = new Set(kind?.attributes
    ? kind.attributes.map(({ type, name }) => `${type}.${name}`)
    : [...types.values()].flatMap((type) => type.attributes.map((a) => `${type.slug}.${a.name}`)));
  const axisChoices = axes ? new Map(axes.map((axis) => [axis.slug, new Set(axis.categories)])) : null;
  return Object.freeze({
    types,
    editableTypes,
    editableAttributes,
    axisChoices,
    maxRegions: limits.regions ?? Infinity,
    maxText: limits.text ?? Infinity,
    maxDepth: limits.depth ?? Infinity,
  });
}

// --- geometry (image pixels) ---------------------------------------------------------------

const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

export function contains(bbox, point) {
  const [x, y, width, height] = bbox;
  return point.x >= x && point.x <= x + width && point.y >= y && point.y <= y + height;
}

// The box spanned by two points, inside the image, at least `minSize` on each side (grown in
// the direction of the drag, or back from the image's edge).
export function rectFromPoints(from, to, { width, height, minSize = 1 }) {
  const [x, w] = span(clamp(from.x, 0, width), clamp(to.x, 0, width), width, minSize);
  const [y, h] = span(clamp(from.y, 0, height), clamp(to.y, 0, height), height, minSize);
  return [x, y, w, h];
}

function span(fixed, moved, limit, minSize) {
  let direction = Math.sign(moved - fixed) || 1;
  if (Math.abs(moved - fixed) < minSize) {
    if (fixed + direction * minSize > limit || fixed + direction * minSize < 0) direction = -direction;
    moved = clamp(fixed + direction * minSize, 0, limit);
  }
  return [Math.min(fixed, moved), Math.abs(moved - fixed)];
}

// The box moved by (dx, dy), kept inside the image.
export function moveBox(bbox, dx, dy, { width, height }) {
  const [x, y, w, h] = bbox;
  return [clamp(x + dx, 0, Math.max(0, width - w)), clamp(y + dy, 0, Math.max(0, height - h)), w, h];
}

// The box resized by dragging one handle by (dx, dy) from where the gesture began: the edges
// the handle does not hold stay put, the moved edges stay inside the image, each side stays at
// least `minSize`. Dragging past the opposite edge flips the box; the handle returned is the
// one now under the pointer (`e` dragged past the west edge becomes `w`).
export function resizeBox(bbox, handle, dx, dy, { width, height, minSize = 1 }) {
  const [x, y, w, h] = bbox;
  const across = resizeAxis(x, x + w, handle.includes("e") ? "high" : handle.includes("w") ? "low" : null, dx, width, minSize);
  const down = resizeAxis(y, y + h, handle.includes("s") ? "high" : handle.includes("n") ? "low" : null, dy, height, minSize);
  const name = ({ low: "n", high: "s" }[down.holds] ?? "") + ({ low: "w", high: "e" }[across.holds] ?? "");
  return { bbox: [across.low, down.low, across.high - across.low, down.high - down.low], handle: name };
}

// One axis of a resize: the edges low and high, the one the handle holds ("low", "high" or
// null for an axis it leaves alone), and which one it holds after a flip.
function resizeAxis(low, high, holds, delta, limit, minSize) {
  if (!holds) return { low, high, holds };
  const fixed = holds === "high" ? low : high;
  const moved = resizedEdge(fixed, holds === "high" ? high : low, delta, limit, minSize);
  return { low: Math.min(fixed, moved), high: Math.max(fixed, moved), holds: moved >= fixed ? "high" : "low" };
}

function resizedEdge(fixed, start, delta, limit, minSize) {
  const moved = clamp(start + delta, 0, limit);
  if (Math.abs(moved - fixed) >= minSize) return moved;
  // too small: keep the side the pointer is on (or the side it started on), else the other
  let direction = Math.sign(moved - fixed) || Math.sign(start - fixed) || 1;
  if (fixed + direction * minSize > limit || fixed + direction * minSize < 0) direction = -direction;
  return clamp(fixed + direction * minSize, 0, limit);
}

// Where each handle sits on a box: corners and edge midpoints.
export function handlePoints(bbox) {
  const [x, y, w, h] = bbox;
  const xs = { w: x, "": x + w / 2, e: x + w };
  const ys = { n: y, "": y + h / 2, s: y + h };
  return HANDLES.map((handle) => {
    const vertical = handle.includes("n") ? "n" : handle.includes("s") ? "s" : "";
    const horizontal = handle.includes("w") ? "w" : handle.includes("e") ? "e" : "";
    return { handle, x: xs[horizontal], y: ys[vertical] };
  });
}

// A press becomes a drag only once the pointer has moved more than `threshold` screen pixels
// from where it went down: a press-and-release that wobbles 3 px never moves a box.
export function pastThreshold(start, point, threshold = 3) {
  return Math.hypot(point.x - start.x, point.y - start.y) > threshold;
}

// The same, latched: once past the threshold a gesture stays a drag even if it comes back.
export function createDragGate(start, threshold = 3) {
  let dragging = false;
  return {
    update(point) {
      dragging = dragging || pastThreshold(start, point, threshold);
      return dragging;
    },
    get dragging() { return dragging; },
  };
}

// --- the document ------------------------------------------------------------------------------

const freezeRegion = (region) => Object.freeze({
  id: region.id,
  type: region.type,
  bbox: Object.freeze(region.bbox.map(Number)),
  attributes: Object.freeze({ ...(region.attributes ?? {}) }),
  parent: region.parent ?? null,
});

const SERIAL = /^r(\d+)$/;

function serialOf(regions, floor = 0) {
  let serial = floor;
  for (const region of regions) {
    const match = SERIAL.exec(region.id);
    if (match) serial = Math.max(serial, Number(match[1]));
  }
  return serial;
}

function make(base, changes) {
  return Object.freeze({ ...base, ...changes });
}

// A document from the task's annotation (the canonical format) and the image's size.
export function createDocument({ rules, annotation = {}, width, height }) {
  const regions = Object.freeze((annotation.regions ?? []).map(freezeRegion));
  return Object.freeze({
    rules,
    width,
    height,
    regions,
    categories: Object.freeze({ ...(annotation.categories ?? {}) }),
    locked: EMPTY,
    hidden: EMPTY,
    serial: serialOf(regions),
  });
}

// The canonical annotation to save: plain objects, locked regions included unchanged.
export function toAnnotation(doc) {
  return {
    regions: doc.regions.map((region) => ({
      id: region.id,
      type: region.type,
      bbox: [...region.bbox],
      attributes: { ...region.attributes },
      parent: region.parent,
    })),
    categories: { ...doc.categories },
  };
}

// What undo and redo go back to: the earlier document, but with the id counter of the current
// one, so an id handed out and then undone is never handed out again.
export function restoreDocument(target, current) {
  return target.serial >= current.serial ? target : make(target, { serial: current.serial });
}

// Whether two documents hold the same regions, categories and flags (a drag that came back to
// where it started is no change).
export function sameDocument(a, b) {
  if (a === b) return true;
  if (a.regions.length !== b.regions.length) return false;
  const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  return a.regions.every((region, index) => region === b.regions[index] || same(region, b.regions[index]))
    && same(a.categories, b.categories) && same(a.locked, b.locked) && same(a.hidden, b.hidden);
}

const positions = new WeakMap();

function positionOf(doc, id) {
  let index = positions.get(doc.regions);
  if (!index) {
    index = new Map(doc.regions.map((region, position) => [region.id, position]));
    positions.set(doc.regions, index);
  }
  return index.get(id) ?? -1;
}

export function regionOf(doc, id) {
  const position = id == null ? -1 : positionOf(doc, id);
  return position < 0 ? null : doc.regions[position];
}

export function childrenOf(doc, id) {
  return doc.regions.filter((region) => region.parent === id);
}

// The region's descendants, children before grandchildren.
export function descendantsOf(doc, id) {
  const found = [];
  const ids = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const region of doc.regions) {
      if (!ids.has(region.id) && ids.has(region.parent)) {
        ids.add(region.id);
        found.push(region);
        grew = true;
      }
    }
  }
  return found;
}

function depthOf(doc, id) {
  let depth = 0;
  const seen = new Set();
  for (let region = regionOf(doc, id); region?.parent != null && !seen.has(region.id);) {
    seen.add(region.id);
    region = regionOf(doc, region.parent);
    depth += 1;
  }
  return depth;
}

// Why a region refuses an edit: "kind" (the task kind does not edit its type), "user" (the
// annotator locked it), or null.
export function lockReason(doc, id) {
  const region = regionOf(doc, id);
  if (!region) return null;
  if (!doc.rules.editableTypes.has(region.type)) return "kind";
  return doc.locked[id] ? "user" : null;
}

export const isKindLocked = (doc, id) => lockReason(doc, id) === "kind";
export const isEditable = (doc, id) => regionOf(doc, id) !== null && lockReason(doc, id) === null;
export const isHidden = (doc, id) => Boolean(doc.hidden[id]);

function replaceRegion(doc, id, changes) {
  const position = positionOf(doc, id);
  const region = doc.regions[position];
  const next = freezeRegion({ ...region, ...changes });
  if (JSON.stringify(next) === JSON.stringify(region)) return doc;
  const regions = [...doc.regions];
  regions[position] = next;
  return make(doc, { regions: Object.freeze(regions) });
}

// --- drawing -------------------------------------------------------------------------------

// The types the box tool may draw in this task.
export function drawableTypes(doc) {
  return [...doc.rules.types.keys()].filter((slug) => doc.rules.editableTypes.has(slug));
}

function visibleAt(doc, point) {
  return doc.regions.filter((region) => !doc.hidden[region.id] && contains(region.bbox, point));
}

// Boxes under a point, innermost first: the smallest, then the deepest, then the last drawn.
export function regionsAt(doc, point) {
  const area = (region) => region.bbox[2] * region.bbox[3];
  return visibleAt(doc, point)
    .map((region, order) => ({ region, order, area: area(region), depth: depthOf(doc, region.id) }))
    .sort((a, b) => a.area - b.area || b.depth - a.depth || b.order - a.order)
    .map(({ region }) => region);
}

// The parent a new box of `type` started at `point` gets: the innermost box under the point
// whose type the new type may nest in (locked ones too: chars go inside accepted formulas).
export function parentFor(doc, type, point) {
  const allowed = doc.rules.types.get(type)?.parents ?? [];
  return regionsAt(doc, point).find((region) => allowed.includes(region.type)) ?? null;
}

// The type the box tool draws at a point: one that nests in the innermost box there that takes
// a child, else one that may stand alone; `preferred` (the last type drawn) wins when it fits.
export function typeToDraw(doc, point, preferred = null) {
  const types = drawableTypes(doc);
  const fits = (slug) => parentFor(doc, slug, point) !== null || doc.rules.types.get(slug).topLevel;
  if (preferred && types.includes(preferred) && fits(preferred)) return preferred;
  return types.find((slug) => parentFor(doc, slug, point) !== null)
    ?? types.find((slug) => doc.rules.types.get(slug).topLevel) ?? null;
}

// A new box dragged from `from` to `to`. Returns { doc, id } or, refused, the same document,
// id null and why: "type" (not drawn in this task), "parent" (this type needs a parent under
// the start point), "regions" or "depth" (the annotation's limits).
export function createBox(doc, { type, from, to, minSize = 1 }) {
  const definition = doc.rules.types.get(type);
  if (!definition || !doc.rules.editableTypes.has(type)) return { doc, id: null, reason: "type" };
  if (doc.regions.length >= doc.rules.maxRegions) return { doc, id: null, reason: "regions" };
  const start = { x: clamp(from.x, 0, doc.width), y: clamp(from.y, 0, doc.height) };
  const parent = parentFor(doc, type, start);
  if (!parent && !definition.topLevel) return { doc, id: null, reason: "parent" };
  if (parent && depthOf(doc, parent.id) + 1 > doc.rules.maxDepth) return { doc, id: null, reason: "depth" };
  const serial = doc.serial + 1;
  const id = `r${serial}`;
  const region = freezeRegion({
    id,
    type,
    bbox: rectFromPoints(start, to, { width: doc.width, height: doc.height, minSize }),
    attributes: {},
    parent: parent?.id ?? null,
  });
  return { doc: make(doc, { regions: Object.freeze([...doc.regions, region]), serial }), id, reason: null };
}

// --- editing -------------------------------------------------------------------------------

// The region moved by (dx, dy) image pixels, kept inside the image. Its children stay where
// they are: they mark image content, not positions relative to the parent.
export function moveRegion(doc, id, dx, dy) {
  if (!isEditable(doc, id)) return doc;
  const bbox = moveBox(regionOf(doc, id).bbox, dx, dy, doc);
  return replaceRegion(doc, id, { bbox });
}

// The region resized by dragging `handle` by (dx, dy) image pixels. Call it with the document
// the gesture started from and the whole movement so far, so a flip past the opposite edge and
// back is exact.
export function resizeRegion(doc, id, handle, dx, dy, { minSize = 1 } = {}) {
  if (!isEditable(doc, id) || !HANDLES.includes(handle)) return doc;
  const { bbox } = resizeBox(regionOf(doc, id).bbox, handle, dx, dy, { width: doc.width, height: doc.height, minSize });
  return replaceRegion(doc, id, { bbox });
}

// The region and all its descendants removed, in one edit. Returns { doc, removed }, where
// removed holds what restoreRegions needs to put them back as they were (same ids, places,
// attributes, parents, flags); refused (nothing selected, or a locked region among them),
// the same document and an empty list.
export function deleteRegion(doc, id) {
  const region = regionOf(doc, id);
  if (!region) return { doc, removed: [] };
  const doomed = [region, ...descendantsOf(doc, id)];
  if (doomed.some((each) => lockReason(doc, each.id) !== null)) return { doc, removed: [] };
  const ids = new Set(doomed.map((each) => each.id));
  const removed = doc.regions
    .map((each, index) => ({ index, region: each, locked: Boolean(doc.locked[each.id]), hidden: Boolean(doc.hidden[each.id]) }))
    .filter(({ region: each }) => ids.has(each.id));
  return {
    doc: make(doc, {
      regions: Object.freeze(doc.regions.filter((each) => !ids.has(each.id))),
      locked: without(doc.locked, ids),
      hidden: without(doc.hidden, ids),
    }),
    removed,
  };
}

function without(flags, ids) {
  if (![...ids].some((id) => flags[id])) return flags;
  return Object.freeze(Object.fromEntries(Object.entries(flags).filter(([id]) => !ids.has(id))));
}

// Put back what deleteRegion removed, at the places they had.
export function restoreRegions(doc, removed) {
  if (!removed.length) return doc;
  const regions = [...doc.regions];
  const locked = { ...doc.locked };
  const hidden = { ...doc.hidden };
  for (const { index, region, locked: wasLocked, hidden: wasHidden } of [...removed].sort((a, b) => a.index - b.index)) {
    regions.splice(index, 0, region);
    if (wasLocked) locked[region.id] = true;
    if (wasHidden) hidden[region.id] = true;
  }
  return make(doc, {
    regions: Object.freeze(regions),
    locked: Object.freeze(locked),
    hidden: Object.freeze(hidden),
    serial: Math.max(doc.serial, serialOf(regions)),
  });
}

// The attributes the selected region shows, in schema order, with their values and whether
// this task may change them (a form is built from this; nothing is named in code).
export function attributeFields(doc, id) {
  const region = regionOf(doc, id);
  if (!region) return [];
  const definition = doc.rules.types.get(region.type);
  const editable = lockReason(doc, id) !== "kind";
  return (definition?.attributes ?? []).map((attribute) => ({
    ...attribute,
    value: region.attributes[attribute.name] ?? null,
    editable: editable && doc.rules.editableAttributes.has(`${region.type}.${attribute.name}`),
  }));
}

// An angle: degrees clockwise on the upright photo, -90 < angle <= 90, one decimal place.
export function normalAngle(degrees) {
  let angle = Math.round(degrees * 10) / 10;
  while (angle > 90) angle -= 180;
  while (angle <= -90) angle += 180;
  return Object.is(angle, -0) ? 0 : angle;
}

// The attribute of kind "angle" a region's type has, or null.
export function angleField(doc, id) {
  return attributeFields(doc, id).find((field) => field.kind === "angle" && field.editable) ?? null;
}

function acceptable(attribute, value, maxText) {
  if (attribute.kind === "boolean") return typeof value === "boolean";
  if (attribute.kind === "angle") return typeof value === "number" && Number.isFinite(value) && value > -90 && value <= 90;
  if (typeof value !== "string" || value.length > maxText) return false;
  return attribute.kind !== "choice" || attribute.choices.includes(value);
}

// One attribute set (null or undefined clears it). Refused for a type or an attribute this
// task does not edit, an unknown name, or a value of the wrong kind (a choice not offered).
export function setAttribute(doc, id, name, value) {
  const field = attributeFields(doc, id).find((each) => each.name === name);
  if (!field?.editable) return doc;
  const region = regionOf(doc, id);
  if (value === null || value === undefined) {
    if (!(name in region.attributes)) return doc;
    const { [name]: _gone, ...rest } = region.attributes;
    return replaceRegion(doc, id, { attributes: rest });
  }
  if (!acceptable(field, value, doc.rules.maxText)) return doc;
  return replaceRegion(doc, id, { attributes: { ...region.attributes, [name]: value } });
}

// The image's category on one axis (null clears it); refused for an axis or category the
// taxonomy does not have, when the taxonomy was given.
export function setCategory(doc, axis, category) {
  const known = doc.rules.axisChoices;
  if (category === null || category === undefined) {
    if (!(axis in doc.categories)) return doc;
    const { [axis]: _gone, ...rest } = doc.categories;
    return make(doc, { categories: Object.freeze(rest) });
  }
  if (known && !known.get(axis)?.has(category)) return doc;
  if (doc.categories[axis] === category) return doc;
  return make(doc, { categories: Object.freeze({ ...doc.categories, [axis]: category }) });
}

// The annotator's lock on a box (a finished box cannot be nudged or deleted by accident).
// Regions the task kind does not edit are locked already and stay so.
export function setLocked(doc, id, locked) {
  if (!regionOf(doc, id) || isKindLocked(doc, id) || Boolean(doc.locked[id]) === locked) return doc;
  return make(doc, { locked: flagged(doc.locked, [id], locked) });
}

// Hide or show boxes (all of them in one edit for "hide all"); hidden boxes are not hit.
export function setHidden(doc, ids, hidden) {
  const changing = ids.filter((id) => regionOf(doc, id) && Boolean(doc.hidden[id]) !== hidden);
  if (!changing.length) return doc;
  return make(doc, { hidden: flagged(doc.hidden, changing, hidden) });
}

function flagged(flags, ids, on) {
  const next = { ...flags };
  for (const id of ids) {
    if (on) next[id] = true;
    else delete next[id];
  }
  return Object.freeze(next);
}

// Required attributes still empty, by region, for the editable regions (before a submit).
export function missingRequired(doc) {
  const missing = [];
  for (const region of doc.regions) {
    if (isKindLocked(doc, region.id)) continue;
    for (const field of attributeFields(doc, region.id)) {
      if (field.required && (field.value === null || field.value === "")) missing.push({ id: region.id, name: field.name });
    }
  }
  return missing;
}

// --- copy and paste ------------------------------------------------------------------------

// The regions to copy: the region and its descendants, as plain canonical regions.
export function copyRegions(doc, id) {
  const region = regionOf(doc, id);
  return region ? toAnnotation({ regions: [region, ...descendantsOf(doc, id)], categories: {} }).regions : [];
}

// Copied regions pasted as new regions (new ids, parents remapped among them) moved by
// (dx, dy) and kept inside the image; the top one nests where its type may, under its new
// top-left corner. Returns { doc, ids } (ids empty when refused).
export function pasteRegions(doc, copied, { dx = 0, dy = 0 } = {}) {
  if (!copied.length || copied.some((region) => !doc.rules.editableTypes.has(region.type))) return { doc, ids: [] };
  if (doc.regions.length + copied.length > doc.rules.maxRegions) return { doc, ids: [] };
  const [top] = copied;
  const [x, y] = moveBox(top.bbox, dx, dy, doc);
  const shift = [x - top.bbox[0], y - top.bbox[1]];
  const parent = parentFor(doc, top.type, { x, y });
  if (!parent && !doc.rules.types.get(top.type)?.topLevel) return { doc, ids: [] };
  let serial = doc.serial;
  const renamed = new Map(copied.map((region) => [region.id, `r${(serial += 1)}`]));
  const pasted = copied.map((region, index) => freezeRegion({
    ...region,
    id: renamed.get(region.id),
    bbox: moveBox(region.bbox, shift[0], shift[1], doc),
    parent: index === 0 ? parent?.id ?? null : renamed.get(region.parent) ?? null,
  }));
  return {
    doc: make(doc, { regions: Object.freeze([...doc.regions, ...pasted]), serial }),
    ids: pasted.map((region) => region.id),
  };
}

// --- selection help ------------------------------------------------------------------------

// What a press at `point` (image pixels) hits: { target: "handle", id, handle },
// { target: "body", id } or { target: "canvas" }. Priority: a handle of the selected box
// (within `handleRadius` image units: the caller converts its ≥ 24 CSS px target), the selected
// box's body, the innermost box, an outer box. With a draw tool active (`drawing`), boxes that
// are not selected (and a selected one that is locked) behave as empty canvas, so a press
// inside one starts a new (child) box. Hidden boxes are never hit; locked ones show no handles.
export function hitTest(doc, point, { selected = null, handleRadius = 0, drawing = false } = {}) {
  const current = regionOf(doc, selected);
  if (current && !doc.hidden[current.id]) {
    if (isEditable(doc, current.id) && handleRadius > 0) {
      let best = null;
      for (const spot of handlePoints(current.bbox)) {
        const distance = Math.max(Math.abs(spot.x - point.x), Math.abs(spot.y - point.y));
        if (distance <= handleRadius && (!best || distance < best.distance)) best = { distance, handle: spot.handle };
      }
      if (best) return { target: "handle", id: current.id, handle: best.handle };
    }
    // a locked box cannot be moved, so while drawing its body is canvas too
    const movable = !drawing || isEditable(doc, current.id);
    if (movable && contains(current.bbox, point)) return { target: "body", id: current.id };
  }
  if (drawing) return { target: "canvas" };
  const [innermost] = regionsAt(doc, point);
  return innermost ? { target: "body", id: innermost.id } : { target: "canvas" };
}

// Regions in tree order (each parent, then its children), the order Tab walks.
export function treeOrder(doc) {
  const ordered = [];
  const seen = new Set();
  const visit = (region) => {
    if (seen.has(region.id)) return;
    seen.add(region.id);
    ordered.push(region);
    for (const child of childrenOf(doc, region.id)) visit(child);
  };
  for (const region of doc.regions) {
    if (region.parent === null || !regionOf(doc, region.parent)) visit(region);
  }
  for (const region of doc.regions) visit(region); // a parent loop, should one arrive
  return ordered;
}

// The region Tab (step 1) or Shift+Tab (step -1) goes to from `id`, wrapping; visible only.
export function stepRegion(doc, id, step) {
  const order = treeOrder(doc).filter((region) => !doc.hidden[region.id]);
  if (!order.length) return null;
  const at = order.findIndex((region) => region.id === id);
  if (at < 0) return (step > 0 ? order[0] : order[order.length - 1]).id;
  return order[(at + step + order.length) % order.length].id;
}
