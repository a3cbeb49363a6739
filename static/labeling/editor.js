// The box editor on top of the viewer: draw, select, move, resize, delete, nest, lock, hide,
// copy and paste, nudge, undo and redo — the pointer and the tool keys. The document is
// annotation_doc.js's immutable value and every gesture is one history.js entry; the page
// hears of each change (`onChange`) and of the selection (`onSelect`) and does the rest
// (panels, saving, the task's buttons).
//
// Hit rule (LABELING-TOOL §2, complaints 3 and 4): a handle of the selected box, then its
// body, then the innermost box; with the box tool every box body is empty canvas (only the
// selected box's handles still resize), so a press inside a box starts a new one nested in it. Handles are drawn 10 CSS px
// and hit within 12 CSS px at any zoom. A press moves nothing until it has travelled more
// than 3 screen px.
import { gettext } from "../core/i18n.js";
import * as model from "./annotation_doc.js";
import { createHistory } from "./history.js";
import { imageToScreen } from "./view_math.js";

const SVG = "http://www.w3.org/2000/svg";
const HANDLE_HIT = 13; // CSS px either side: a 26 × 26 target (WCAG 2.5.8 asks 24)
const HANDLE_DRAWN = 10;
const PASTE_OFFSET = 12; // image px

const LABELS = {
  draw: () => gettext("draw a box"),
  move: () => gettext("move a box"),
  resize: () => gettext("resize a box"),
  delete: () => gettext("delete a box"),
  lock: () => gettext("lock a box"),
  hide: () => gettext("hide a box"),
  paste: () => gettext("paste"),
  nudge: () => gettext("nudge a box"),
  angle: () => gettext("turn a box's angle"),
  attribute: () => gettext("change an attribute"),
  category: () => gettext("change a category"),
};

function svg(name, attributes, parent) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  parent.append(element);
  return element;
}

export function createEditor(viewer, { onChange = () => {}, onSelect = () => {}, onRefused = () => {} } = {}) {
  const listening = new AbortController();
  const on = (target, type, handler, options = {}) =>
    target.addEventListener(type, handler, { ...options, signal: listening.signal });
  const stage = viewer.stage;
  const history = createHistory({ restore: model.restoreDocument, same: model.sameDocument });

  let doc = null;
  let selected = null;
  let tool = "select";
  let drawType = null; // the type the box tool draws (the last drawn, or picked by number)
  let gesture = null;
  let clipboard = [];
  let typeOrder = [];

  const handleLayer = svg("g", { class: "editor-handles", "aria-hidden": "true" }, viewer.screenLayer);
  const handles = model.HANDLES.map((handle) => {
    const group = svg("g", { class: "handle", "data-handle": handle }, handleLayer);
    svg("rect", { class: "handle-hit", width: HANDLE_HIT * 2, height: HANDLE_HIT * 2 }, group);
    svg("rect", { class: "handle-mark", width: HANDLE_DRAWN, height: HANDLE_DRAWN, x: HANDLE_HIT - HANDLE_DRAWN / 2, y: HANDLE_HIT - HANDLE_DRAWN / 2 }, group);
    return group;
  });
  // The angle of a selected box whose type has one: a line through its centre and a knob
  // above it to drag (or [ and ] by 1°).
  const angleGuide = svg("line", { class: "angle-guide" }, handleLayer);
  const knob = svg("g", { class: "handle angle-knob", "data-handle": "angle" }, handleLayer);
  svg("rect", { class: "handle-hit", width: HANDLE_HIT * 2, height: HANDLE_HIT * 2 }, knob);
  svg("circle", { class: "handle-mark", cx: HANDLE_HIT, cy: HANDLE_HIT, r: HANDLE_DRAWN / 2 }, knob);
  const preview = svg("rect", { class: "region drawing", "aria-hidden": "true" }, viewer.world);
  preview.style.display = "none";

  function typeNames() {
    return doc ? Object.fromEntries([...doc.rules.types.values()].map((type) => [type.slug, type.name])) : {};
  }

  // --- drawing the document -------------------------------------------------------------

  function render() {
    const focused = document.activeElement?.dataset?.regionId; // redrawn boxes keep the focus
    const flag = (flags) => new Set(Object.keys(flags));
    viewer.setRegions(doc.regions, {
      lockedTypes: [...doc.rules.types.keys()].filter((slug) => !doc.rules.editableTypes.has(slug)),
      locked: flag(doc.locked),
      hidden: flag(doc.hidden),
      typeNames: typeNames(),
      typeOrder,
    });
    if (focused) viewer.regionElement(focused)?.focus({ preventScroll: true });
    markSelection();
  }

  function markSelection() {
    const element = selected ? viewer.regionElement(selected) : null;
    for (const line of stage.querySelectorAll(".region.selected")) {
      if (line === element) continue;
      line.classList.remove("selected");
      line.removeAttribute("aria-current");
    }
    element?.classList.add("selected");
    element?.setAttribute("aria-current", "true");
    placeHandles();
  }

  function placeHandles(view = viewer.view) {
    const region = model.regionOf(doc ?? { regions: [] }, selected);
    const showing = region && model.isEditable(doc, region.id) && !model.isHidden(doc, region.id);
    handleLayer.style.display = showing ? "" : "none";
    if (!showing) return;
    for (const [index, spot] of model.handlePoints(region.bbox).entries()) {
      const at = imageToScreen(view, spot);
      handles[index].setAttribute("transform", `translate(${(at.x - HANDLE_HIT).toFixed(1)} ${(at.y - HANDLE_HIT).toFixed(1)})`);
    }
    const angle = knobAt(region, view);
    knob.style.display = angle ? "" : "none";
    angleGuide.style.display = angle ? "" : "none";
    if (!angle) return;
    knob.setAttribute("transform", `translate(${(angle.knob.x - HANDLE_HIT).toFixed(1)} ${(angle.knob.y - HANDLE_HIT).toFixed(1)})`);
    Object.entries({ x1: angle.from.x, y1: angle.from.y, x2: angle.knob.x, y2: angle.knob.y })
      .forEach(([key, value]) => angleGuide.setAttribute(key, value.toFixed(1)));
  }

  // Where the angle knob of a box sits on screen: past the box's top edge, along its angle
  // (turned with the view); null when its type has no angle this task edits.
  function knobAt(region, view) {
    const field = model.angleField(doc, region.id);
    if (!field) return null;
    const [x, y, width, height] = region.bbox;
    const centre = { x: x + width / 2, y: y + height / 2 };
    const radians = ((field.value ?? 0) * Math.PI) / 180;
    const reach = height / 2 + 28 / view.scale; // image px: 28 CSS px past the edge
    const tip = { x: centre.x + Math.sin(radians) * reach, y: centre.y - Math.cos(radians) * reach };
    return { from: imageToScreen(view, centre), knob: imageToScreen(view, tip), centre, field };
  }

  function onKnob(event) {
    const region = model.regionOf(doc ?? { regions: [] }, selected);
    const angle = region && model.isEditable(doc, region.id) ? knobAt(region, viewer.view) : null;
    if (!angle) return null;
    const at = screenPoint(event);
    return Math.max(Math.abs(at.x - angle.knob.x), Math.abs(at.y - angle.knob.y)) <= HANDLE_HIT ? angle : null;
  }

  function turn(step) {
    const field = selected && model.angleField(doc, selected);
    if (!field) return false;
    change(model.setAttribute(doc, selected, field.name, model.normalAngle((field.value ?? 0) + step)), LABELS.angle());
    return true;
  }
  viewer.onFrame(placeHandles);

  function change(next, label, { record = true, before = doc } = {}) {
    const changed = !model.sameDocument(before, next);
    if (record) history.record(before, next, label);
    doc = next;
    if (selected && !model.regionOf(doc, selected)) select(null, { render: false });
    render();
    if (changed) onChange(doc, { label });
    return changed;
  }

  // --- selection and tools -----------------------------------------------------------------

  function select(id, { focus = false, render: redraw = true } = {}) {
    const next = id && model.regionOf(doc, id) ? id : null;
    const changed = next !== selected;
    selected = next;
    if (redraw) markSelection();
    if (focus && next) viewer.reveal(next);
    if (changed) onSelect(selected);
  }

  function setTool(next, type = drawType) {
    tool = next;
    if (next === "box") drawType = type ?? drawType ?? model.drawableTypes(doc)[0] ?? null;
    viewer.root.dataset.tool = tool;
    viewer.root.dataset.drawType = drawType ?? "";
    viewer.root.dispatchEvent(new CustomEvent("editor:tool", { detail: { tool, type: drawType } }));
  }

  // --- pointer -----------------------------------------------------------------------------

  function screenPoint(event) {
    const box = stage.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  on(stage, "pointerdown", (event) => {
    if (!doc || event.button !== 0 || gesture) return;
    const point = viewer.toImage(event.clientX, event.clientY);
    const start0 = { screen: screenPoint(event), image: point, pointer: event.pointerId, before: doc };
    const knobbed = onKnob(event);
    if (knobbed) {
      gesture = { ...start0, kind: "angle", id: selected, centre: knobbed.centre, field: knobbed.field.name };
      event.preventDefault();
      gesture.gate = model.createDragGate(start0.screen);
      stage.setPointerCapture(event.pointerId);
      return;
    }
    const drawing = tool === "box" || event.ctrlKey || event.metaKey;
    let hit = model.hitTest(doc, point, { selected, handleRadius: HANDLE_HIT / viewer.view.scale, drawing });
    // With the box tool even the selected box's body is canvas, so "draw a formula, then its
    // characters inside it" needs no other key; its handles still resize it.
    if (drawing && hit.target === "body") hit = { target: "canvas" };
    const start = start0;
    if (hit.target === "handle") gesture = { ...start, kind: "resize", id: hit.id, handle: hit.handle };
    else if (hit.target === "body") {
      if (hit.id !== selected) select(hit.id);
      gesture = model.isEditable(doc, hit.id) ? { ...start, kind: "move", id: hit.id } : null;
    } else if (tool === "box" || event.ctrlKey || event.metaKey) {
      const type = model.typeToDraw(doc, point, drawType);
      if (!type) {
        onRefused(gettext("No box of this task may start here."));
        return;
      }
      gesture = { ...start, kind: "draw", type };
    } else {
      select(null);
      return;
    }
    if (!gesture) return;
    event.preventDefault(); // no text selection, no focus jump
    stage.focus({ preventScroll: true });
    gesture.gate = model.createDragGate(start.screen);
    stage.setPointerCapture(event.pointerId);
  });

  on(stage, "pointermove", (event) => {
    if (!gesture || event.pointerId !== gesture.pointer) return;
    if (!gesture.gate.update(screenPoint(event))) return;
    const point = viewer.toImage(event.clientX, event.clientY);
    const dx = point.x - gesture.image.x;
    const dy = point.y - gesture.image.y;
    gesture.to = point;
    if (gesture.kind === "draw") {
      const [x, y, width, height] = model.rectFromPoints(gesture.image, point, doc);
      Object.entries({ x, y, width, height }).forEach(([key, value]) => preview.setAttribute(key, value));
      preview.style.display = "";
      return;
    }
    if (gesture.kind === "angle") {
      const degrees = (Math.atan2(point.x - gesture.centre.x, gesture.centre.y - point.y) * 180) / Math.PI;
      gesture.after = model.setAttribute(gesture.before, gesture.id, gesture.field, model.normalAngle(degrees));
      doc = gesture.after;
      placeHandles();
      return;
    }
    const next = gesture.kind === "move"
      ? model.moveRegion(gesture.before, gesture.id, dx, dy)
      : model.resizeRegion(gesture.before, gesture.id, gesture.handle, dx, dy);
    gesture.after = next;
    doc = next;
    viewer.placeRegion(gesture.id, model.regionOf(next, gesture.id).bbox);
    placeHandles();
  });

  function endGesture(event, { cancelled = false } = {}) {
    if (!gesture || (event && event.pointerId !== gesture.pointer)) return;
    const done = gesture;
    gesture = null;
    preview.style.display = "none";
    if (cancelled || !done.gate.dragging) {
      if (doc !== done.before) { doc = done.before; render(); }
      return;
    }
    if (done.kind === "draw") {
      const made = model.createBox(done.before, { type: done.type, from: done.image, to: done.to });
      if (!made.id) {
        onRefused(refusal(made.reason));
        return;
      }
      drawType = done.type;
      if (!typeOrder.includes(done.type)) typeOrder.push(done.type);
      change(made.doc, LABELS.draw(), { before: done.before });
      select(made.id);
      viewer.regionElement(made.id)?.focus({ preventScroll: true });
      return;
    }
    const label = { move: LABELS.move, resize: LABELS.resize, angle: LABELS.angle }[done.kind]();
    change(done.after ?? done.before, label, { before: done.before });
    viewer.regionElement(done.id)?.focus({ preventScroll: true });
  }
  on(stage, "pointerup", (event) => endGesture(event));
  on(stage, "pointercancel", (event) => endGesture(event, { cancelled: true }));
  // A double-click on a box never fits the view (the viewer fits on the empty photo). The
  // press captured the pointer, so the event's target is the stage: ask the document.
  on(stage, "dblclick", (event) => {
    if (doc && model.regionsAt(doc, viewer.toImage(event.clientX, event.clientY)).length) event.stopPropagation();
  }, { capture: true });

  viewer.root.addEventListener("viewer:focus", (event) => {
    if (event.detail.id !== selected) select(event.detail.id);
  }, { signal: listening.signal });

  function refusal(reason) {
    return {
      type: gettext("This task does not draw boxes of that type."),
      parent: gettext("A box of this type must start inside the box it belongs to."),
      regions: gettext("This photo has as many boxes as a task may hold."),
      depth: gettext("Boxes may not nest deeper here."),
    }[reason] ?? gettext("That box could not be drawn.");
  }

  // --- actions (the page's keymap calls these by name) ---------------------------------------

  function nudge(dx, dy) {
    if (!selected) return;
    const next = model.moveRegion(doc, selected, dx, dy);
    if (next !== doc) change(next, LABELS.nudge());
  }

  // Grows or shrinks the selected box from its right and bottom edges (the keyboard's resize).
  function grow(dx, dy) {
    if (!selected) return;
    const next = model.resizeRegion(doc, selected, dx && dy ? "se" : dx ? "e" : "s", dx, dy);
    if (next !== doc) change(next, LABELS.resize());
  }

  // A box of the type the box tool draws, for the keyboard: inside the selected box when the
  // type nests in it, else in the middle of the view; then arrows move it, Mod+arrows size it.
  function addBox() {
    const type = drawType ?? model.drawableTypes(doc)[0];
    if (!type) return;
    const definition = doc.rules.types.get(type);
    const around = model.regionOf(doc, selected);
    let from;
    let to;
    if (around && definition.parents.includes(around.type)) {
      const [x, y, width, height] = around.bbox;
      from = { x: x + width * 0.35, y: y + height * 0.3 };
      to = { x: x + width * 0.65, y: y + height * 0.7 };
    } else {
      const box = stage.getBoundingClientRect();
      const centre = viewer.toImage(box.left + box.width / 2, box.top + box.height / 2);
      const half = { x: 80 / viewer.view.scale, y: 30 / viewer.view.scale };
      from = { x: centre.x - half.x, y: centre.y - half.y };
      to = { x: centre.x + half.x, y: centre.y + half.y };
    }
    const made = model.createBox(doc, { type, from, to });
    if (!made.id) {
      onRefused(refusal(made.reason));
      return;
    }
    change(made.doc, LABELS.draw());
    select(made.id);
    viewer.regionElement(made.id)?.focus({ preventScroll: true });
  }

  function deleteSelected() {
    if (!selected) return false; // nothing selected: Delete does nothing
    const { doc: next, removed } = model.deleteRegion(doc, selected);
    if (!removed.length) {
      onRefused(gettext("A locked box cannot be deleted; unlock it first (L)."));
      return false;
    }
    const neighbour = model.stepRegion(doc, selected, -1);
    change(next, LABELS.delete());
    select(neighbour && model.regionOf(doc, neighbour) ? neighbour : null);
    if (selected) viewer.regionElement(selected)?.focus({ preventScroll: true });
    else stage.focus({ preventScroll: true });
    return true;
  }

  function paste(copied) {
    const { doc: next, ids } = model.pasteRegions(doc, copied, { dx: PASTE_OFFSET, dy: PASTE_OFFSET });
    if (!ids.length) {
      onRefused(gettext("The copied box cannot be pasted here."));
      return;
    }
    change(next, LABELS.paste());
    select(ids[0]);
    viewer.regionElement(ids[0])?.focus({ preventScroll: true });
  }

  // Tab and Shift+Tab walk the boxes; past the last (or before the first) they let the
  // browser move focus on, so the canvas is no keyboard trap.
  function travel(step, { wrap = false } = {}) {
    const order = model.treeOrder(doc).filter((region) => !doc.hidden[region.id]);
    const at = order.findIndex((region) => region.id === selected);
    const focused = selected && document.activeElement === viewer.regionElement(selected);
    if (!wrap && focused && at === (step > 0 ? order.length - 1 : 0)) return false;
    const id = model.stepRegion(doc, focused ? selected : null, step);
    if (!id) return false;
    select(id, { focus: true });
    return true;
  }

  function undoOrRedo(which) {
    const next = which === "undo" ? history.undo(doc) : history.redo(doc);
    if (!next) return;
    doc = next;
    if (selected && !model.regionOf(doc, selected)) select(null, { render: false });
    render();
    onChange(doc, { label: which });
  }

  const actions = {
    "tool.box": () => setTool("box"),
    "tool.select": () => setTool("select"),
    "tool.repeat": () => setTool("box", drawType),
    cancel: () => {
      if (gesture) return endGesture(null, { cancelled: true });
      if (tool === "box") return setTool("select");
      return select(null);
    },
    "region.next": (chord) => travel(1, { wrap: chord !== "Tab" }),
    "region.previous": (chord) => travel(-1, { wrap: chord !== "Shift+Tab" }),
    "region.delete": deleteSelected,
    "region.lock": () => selected && change(model.setLocked(doc, selected, !doc.locked[selected]), LABELS.lock()),
    "region.hide": () => {
      if (!selected) return;
      const id = selected;
      change(model.setHidden(doc, [id], !doc.hidden[id]), LABELS.hide());
    },
    "region.add": addBox,
    "size.wider": () => grow(1, 0),
    "size.narrower": () => grow(-1, 0),
    "size.taller": () => grow(0, 1),
    "size.shorter": () => grow(0, -1),
    "size.wider10": () => grow(10, 0),
    "size.narrower10": () => grow(-10, 0),
    "size.taller10": () => grow(0, 10),
    "size.shorter10": () => grow(0, -10),
    "angle.less": () => turn(-1),
    "angle.more": () => turn(1),
    "clipboard.copy": () => { if (selected) clipboard = model.copyRegions(doc, selected); },
    "clipboard.paste": () => clipboard.length && paste(clipboard),
    "region.duplicate": () => selected && paste(model.copyRegions(doc, selected)),
    "nudge.left": () => nudge(-1, 0),
    "nudge.right": () => nudge(1, 0),
    "nudge.up": () => nudge(0, -1),
    "nudge.down": () => nudge(0, 1),
    "nudge.left10": () => nudge(-10, 0),
    "nudge.right10": () => nudge(10, 0),
    "nudge.up10": () => nudge(0, -10),
    "nudge.down10": () => nudge(0, 10),
    "history.undo": () => undoOrRedo("undo"),
    "history.redo": () => undoOrRedo("redo"),
  };
  for (let n = 1; n <= 9; n += 1) {
    actions[`pick.${n}`] = () => {
      const type = model.drawableTypes(doc)[n - 1];
      if (type) setTool("box", type);
    };
  }

  return {
    /** Opens a document (a new task): history cleared, nothing selected, select tool. */
    load(next) {
      doc = next;
      history.clear();
      gesture = null;
      selected = null;
      clipboard = [];
      typeOrder = [...doc.rules.types.keys()];
      drawType = model.drawableTypes(doc)[0] ?? null;
      setTool("select");
      render();
      onSelect(null);
    },
    /** An edit made elsewhere (an attribute, a category): one undo step from `before`. */
    apply(next, { label = LABELS.attribute(), before = doc, record = true } = {}) {
      return change(next, label, { before, record });
    },
    /** Replaces the document without an undo step (a conflict resolved, a restored draft). */
    replace(next) {
      doc = next;
      if (selected && !model.regionOf(doc, selected)) select(null, { render: false });
      render();
      onChange(doc, { label: "replace" });
    },
    /** Runs a keymap action; false when it did nothing the browser should not do instead. */
    act(action, chord = null) {
      const run = actions[action];
      if (!run || !doc) return false;
      return run(chord) !== false;
    },
    handles: (action) => action in actions,
    select,
    setTool,
    get doc() { return doc; },
    get selected() { return selected; },
    get tool() { return tool; },
    get drawType() { return drawType; },
    get busy() { return gesture !== null; },
    history,
    destroy() {
      listening.abort();
      handleLayer.remove();
      preview.remove();
    },
  };
}
