// The photo viewer: a task's photo with its boxes, zoomed, panned and turned. It only shows;
// the labeling tool adds editing on top and the review pages use it as it is.
//
// The photo is drawn on one viewport-sized canvas (× devicePixelRatio) with one drawImage per
// frame; the boxes are SVG rects in one <g transform> carrying the same matrix
// (view_math.js), so they never drift from the pixels under them. Everything is redrawn on
// requestAnimationFrame only. The screen rendition paints first; the full image is fetched
// when the zoom needs more pixels than the rendition has, or at idle after the first paint,
// decoded with createImageBitmap and swapped in.
//
// For the editor: `viewer.world` (image-pixel SVG group), `viewer.screenLayer` (screen-pixel
// SVG group, for handles), `viewer.toImage(clientX, clientY)`, `viewer.onFrame(fn)`, and the
// events "viewer:view", "viewer:source" and "viewer:focus" dispatched on the root element.
// Pan gestures (Space+drag, middle button) are taken in the capture phase and never reach it.
import { formatPercent } from "../core/format.js";
import { gettext, interpolate } from "../core/i18n.js";
import * as geometry from "./view_math.js";

const SVG = "http://www.w3.org/2000/svg";
const KEY_ZOOM_STEP = 1.25;
// The attribute whose text a box's name carries, when its type has one.
const TEXT_ATTRIBUTES = ["latex", "symbol", "text"];

/** Regions parents first, each followed by its children (depth first, in the order given),
 * numbered per type from 1: [{ region, depth, number }]. A region whose parent is missing
 * stands at the top; a loop is broken where it closes. */
export function regionsInTreeOrder(regions) {
  const ids = new Set(regions.map((region) => region.id));
  const children = new Map();
  for (const region of regions) {
    const parent = region.parent && ids.has(region.parent) && region.parent !== region.id ? region.parent : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(region);
  }
  const ordered = [];
  const seen = new Set();
  const counts = new Map();
  const walk = (parent, depth) => {
    for (const region of children.get(parent) || []) {
      if (seen.has(region.id)) continue;
      seen.add(region.id);
      const number = (counts.get(region.type) || 0) + 1;
      counts.set(region.type, number);
      ordered.push({ region, depth, number });
      walk(region.id, depth + 1);
    }
  };
  walk(null, 0);
  for (const region of regions) { // inside a loop: none of them reached from the top
    if (!seen.has(region.id)) {
      seen.add(region.id);
      const number = (counts.get(region.type) || 0) + 1;
      counts.set(region.type, number);
      ordered.push({ region, depth: 0, number });
    }
  }
  return ordered;
}

/** A region's short label (shown on its box) and its accessible name (type, number, text). */
export function regionNames(region, number, { locked = false, typeName = null } = {}) {
  const values = { type: typeName ?? region.type, number };
  const label = interpolate(gettext("%(type)s %(number)s"), values);
  const attributes = region.attributes || {};
  const key = TEXT_ATTRIBUTES.find((name) => typeof attributes[name] === "string" && attributes[name]);
  let name;
  if (key) {
    values.text = attributes[key];
    name = locked
      ? interpolate(gettext("%(type)s %(number)s (locked): %(text)s"), values)
      : interpolate(gettext("%(type)s %(number)s: %(text)s"), values);
  } else {
    name = locked ? interpolate(gettext("%(type)s %(number)s (locked)"), values) : label;
  }
  return { label, name };
}

// About how wide a label is drawn (12 px bold): wide letters (Hangul, CJK) count double.
function labelWidth(text) {
  let width = 4;
  for (const letter of text) width += /[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff]/.test(letter) ? 12 : 7;
  return width;
}

function svg(name, attributes = {}, parent = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (parent) parent.append(element);
  return element;
}

function button(toolbar, { action, label, keys, text }) {
  const element = document.createElement("button");
  element.type = "button";
  element.dataset.action = action;
  element.setAttribute("aria-label", label);
  element.title = keys ? `${label} (${keys})` : label;
  if (keys) element.setAttribute("aria-keyshortcuts", keys.replace(/ \/ /g, " "));
  element.textContent = text;
  toolbar.append(element);
  return element;
}

function typing(target) {
  return target instanceof Element && (target.closest("input, textarea, select, [contenteditable]") !== null);
}

// A photo's bytes, decoded; a dropped connection is tried once more before it counts.
async function decoded(url, signal) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    response = await fetch(url, { credentials: "same-origin", signal });
  }
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return createImageBitmap(await response.blob());
}

const idle = (callback) => (globalThis.requestIdleCallback
  ? globalThis.requestIdleCallback(callback, { timeout: 1500 })
  : setTimeout(callback, 200));

/** Builds the viewer inside ``root`` (an empty element sized by the page's CSS). */
export function createViewer(root) {
  const listening = new AbortController();
  const on = (target, type, handler, options = {}) =>
    target.addEventListener(type, handler, { ...options, signal: listening.signal });

  root.classList.add("viewer");
  root.dataset.source = "none";
  const toolbar = document.createElement("div");
  toolbar.className = "viewer-tools";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", gettext("View"));
  button(toolbar, { action: "zoom-out", label: gettext("Zoom out"), keys: "-", text: "−" });
  const readout = document.createElement("output");
  readout.className = "viewer-zoom";
  readout.setAttribute("aria-label", gettext("Zoom"));
  toolbar.append(readout);
  button(toolbar, { action: "zoom-in", label: gettext("Zoom in"), keys: "+", text: "+" });
  button(toolbar, { action: "fit", label: gettext("Fit the photo"), keys: "Shift+1", text: gettext("Fit") });
  button(toolbar, { action: "actual", label: gettext("1:1, actual size"), keys: "Shift+2", text: "1:1" });
  button(toolbar, { action: "rotate-left", label: gettext("Turn the view left"), keys: "Control+Shift+R", text: "⟲" });
  button(toolbar, { action: "rotate-right", label: gettext("Turn the view right"), keys: "Control+R", text: "⟳" });

  const stage = document.createElement("div");
  stage.className = "viewer-stage";
  stage.tabIndex = 0;
  stage.setAttribute("role", "group");
  stage.setAttribute("aria-roledescription", gettext("photo"));
  stage.setAttribute("aria-label", gettext("The task's photo: wheel or + and - to zoom, Space and drag to pan"));
  const canvas = document.createElement("canvas");
  canvas.className = "viewer-photo";
  canvas.setAttribute("aria-hidden", "true");
  const overlay = svg("svg", { class: "viewer-overlay" });
  const world = svg("g", { class: "viewer-world" }, overlay);
  const frame = svg("rect", { class: "viewer-frame", "aria-hidden": "true" }, world);
  const regionLayer = svg("g", { class: "viewer-regions" }, world);
  const labelLayer = svg("g", { class: "viewer-labels", "aria-hidden": "true" }, overlay);
  const screenLayer = svg("g", { class: "viewer-screen" }, overlay);
  stage.append(canvas, overlay);
  root.replaceChildren(toolbar, stage);
  const context = canvas.getContext("2d", { alpha: false });

  let image = null; // { width, height } in upright image px
  let urls = {};
  let view = { scale: 1, rotation: 0, x: 0, y: 0 };
  let viewport = { width: 0, height: 0 };
  let fitted = true; // the view follows the viewport's size until the user zooms or pans
  let source = null; // { bitmap, kind: "rendition" | "full" }
  let full = null; // the full image's loading: a promise, once asked
  let loading = new AbortController();
  let painted = false;
  let shown = []; // [{ region, line, halo, label }]
  let frameAsked = false;
  let spaceHeld = false;
  let pan = null; // { pointer, x, y } while a pan drags
  const frameHooks = new Set();
  const prefetched = new Map(); // url → Promise<Blob>

  const limits = () => geometry.zoomLimits(image, viewport, view.rotation);

  function emit(type, detail) {
    root.dispatchEvent(new CustomEvent(type, { detail }));
  }

  function requestDraw() {
    if (frameAsked) return;
    frameAsked = true;
    requestAnimationFrame(draw);
  }

  function setView(next, { byUser = true } = {}) {
    view = next;
    if (byUser) fitted = false;
    requestDraw();
    emit("viewer:view", { ...view });
  }

  function fit() {
    if (!image || !viewport.width) return;
    setView(geometry.fitView(image, viewport, view.rotation), { byUser: false });
    fitted = true;
  }

  function centre() {
    return { x: viewport.width / 2, y: viewport.height / 2 };
  }

  function zoomBy(factor, at = centre()) {
    if (image) setView(geometry.zoomBy(view, at, factor, limits()));
  }

  function actualSize() {
    if (image) setView(geometry.zoomAt(geometry.actualSizeView(view, viewport), centre(), 1, limits()));
  }

  function rotate(degrees) {
    if (!image) return;
    const wasFitted = fitted;
    setView(geometry.rotateView(view, degrees, image, viewport));
    if (wasFitted) fit();
  }

  function local(event) {
    const box = stage.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  function drawPhoto() {
    const ratio = globalThis.devicePixelRatio || 1;
    const width = Math.round(viewport.width * ratio);
    const height = Math.round(viewport.height * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = "#2b2f33";
    context.fillRect(0, 0, width, height);
    if (!source || !image) return false;
    const rects = geometry.drawRects(geometry.visibleImageRect(view, viewport, image), source.bitmap, image);
    if (!rects) return true;
    const [a, b, c, d, e, f] = geometry.viewMatrix(view);
    context.setTransform(a * ratio, b * ratio, c * ratio, d * ratio, e * ratio, f * ratio);
    context.imageSmoothingEnabled = geometry.smoothingAt(view.scale);
    context.drawImage(source.bitmap, rects.sx, rects.sy, rects.sw, rects.sh, rects.dx, rects.dy, rects.dw, rects.dh);
    return true;
  }

  function placeLabels() {
    const visible = geometry.visibleImageRect(view, viewport, image);
    for (const entry of shown) {
      const bbox = entry.region.bbox;
      const onScreen = geometry.boxMeets(bbox, visible);
      const rect = onScreen ? geometry.screenRect(view, bbox) : null;
      // a label wider than its box would cover its neighbours': it shows once zoomed in
      const show = rect && rect.width + 16 >= entry.labelWidth && rect.height >= 6;
      entry.label.style.display = show ? "" : "none";
      if (!show) continue;
      const y = rect.y >= 16 ? rect.y - 4 : rect.y + 13;
      entry.label.setAttribute("x", (rect.x + 2).toFixed(1));
      entry.label.setAttribute("y", y.toFixed(1));
    }
  }

  function draw() {
    frameAsked = false;
    if (!viewport.width || !viewport.height) return;
    const drawn = drawPhoto();
    if (!image) return;
    world.setAttribute("transform", `matrix(${geometry.viewMatrix(view).map((n) => +n.toFixed(6)).join(" ")})`);
    placeLabels();
    readout.textContent = formatPercent(Math.round(view.scale * 100));
    root.dataset.zoom = view.scale.toFixed(4);
    root.dataset.rotation = String(view.rotation);
    for (const hook of frameHooks) hook(view);
    if (drawn && source && !painted) {
      painted = true;
      root.dataset.painted = source.kind;
      performance.mark("viewer:first-paint", { detail: { source: source.kind } }); // for bench/ and tests
      idle(() => loadFull());
    }
    if (painted && source?.kind === "rendition" && geometry.needsFullImage({
      scale: view.scale,
      devicePixelRatio: globalThis.devicePixelRatio || 1,
      renditionWidth: source.bitmap.width,
      imageWidth: image.width,
    })) loadFull();
  }

  function useSource(bitmap, kind) {
    const old = source;
    source = { bitmap, kind };
    if (old && old.bitmap !== bitmap) old.bitmap.close();
    root.dataset.source = kind;
    requestDraw();
    emit("viewer:source", { kind });
  }

  function loadFull() {
    if (full || !image || !urls.full || source?.kind === "full") return full;
    const signal = loading.signal;
    full = decoded(urls.full, signal).then((bitmap) => {
      if (signal.aborted) { bitmap.close(); return; }
      useSource(bitmap, "full");
    }).catch((error) => {
      if (!signal.aborted) {
        full = null; // asked again the next time the zoom needs it
        console.warn("The full image could not be loaded", error);
      }
    });
    return full;
  }

  function rendition(url, signal) {
    const kept = prefetched.get(url);
    prefetched.delete(url);
    if (!kept) return decoded(url, signal);
    return kept.then((blob) => createImageBitmap(blob), () => decoded(url, signal));
  }

  function releaseSource() {
    loading.abort();
    loading = new AbortController();
    if (source) source.bitmap.close();
    source = null;
    full = null;
    painted = false;
    root.dataset.source = "none";
    delete root.dataset.painted;
  }

  /** Draws the boxes. Options: lockedTypes (types shown locked), locked (ids the annotator
   * locked), hidden (ids not drawn), typeNames ({slug: name}), typeOrder (slugs, for the
   * tones: the same type keeps its colour as boxes come and go). */
  function setRegions(regions, { lockedTypes = [], locked: lockedIds = null, hidden = null, typeNames = {}, typeOrder = [] } = {}) {
    const locked = new Set(lockedTypes);
    const types = [...typeOrder];
    regionLayer.replaceChildren();
    labelLayer.replaceChildren();
    shown = regionsInTreeOrder(regions).filter(({ region }) => !hidden?.has(region.id)).map(({ region, number }) => {
      if (!types.includes(region.type)) types.push(region.type);
      const isLocked = locked.has(region.type) || Boolean(lockedIds?.has(region.id));
      const { label, name } = regionNames(region, number, { locked: isLocked, typeName: typeNames[region.type] });
      const [x, y, width, height] = region.bbox;
      const geometryOf = { x, y, width, height };
      const tone = `tone-${types.indexOf(region.type) % 4}`;
      const halo = svg("rect", { ...geometryOf, class: "region-halo", "aria-hidden": "true" }, regionLayer);
      const line = svg("rect", {
        ...geometryOf,
        class: `region ${tone}${isLocked ? " locked" : ""}`,
        tabindex: "0",
        role: "img",
        "aria-label": name,
        "data-region-id": region.id,
        "data-parent-id": region.parent || "",
        "data-type": region.type,
      }, regionLayer);
      const text = svg("text", { class: `region-label ${tone}` }, labelLayer);
      text.textContent = label;
      return { region, line, halo, label: text, labelWidth: labelWidth(label) };
    });
    requestDraw();
  }

  function regionElement(id) {
    return shown.find((entry) => entry.region.id === id)?.line || null;
  }

  /** Moves one drawn box (during a drag: nothing else is redrawn). */
  function placeRegion(id, bbox) {
    const entry = shown.find((item) => item.region.id === id);
    if (!entry) return;
    entry.region = { ...entry.region, bbox };
    const [x, y, width, height] = bbox;
    for (const element of [entry.line, entry.halo]) {
      element.setAttribute("x", x);
      element.setAttribute("y", y);
      element.setAttribute("width", width);
      element.setAttribute("height", height);
    }
    requestDraw();
  }

  /** Brings a region into view (centred when any of it is off screen) and focuses it. */
  function reveal(id) {
    const entry = shown.find((item) => item.region.id === id);
    if (!entry || !image) return;
    const rect = geometry.screenRect(view, entry.region.bbox);
    const inside = rect.x >= 0 && rect.y >= 0 && rect.x + rect.width <= viewport.width && rect.y + rect.height <= viewport.height;
    if (!inside) {
      const [x, y, width, height] = entry.region.bbox;
      setView(geometry.viewShowing(view, { x: x + width / 2, y: y + height / 2 }, centre()));
    }
    entry.line.focus({ preventScroll: true });
  }

  /** Shows a task's photo and regions: { image: {width, height}, rendition, full, regions,
   * lockedTypes }. The previous photo's bitmaps are closed. */
  function show(task) {
    releaseSource();
    image = { width: task.image.width, height: task.image.height };
    urls = { rendition: task.rendition, full: task.full };
    view = { scale: 1, rotation: 0, x: 0, y: 0 };
    fitted = true;
    frame.setAttribute("width", image.width);
    frame.setAttribute("height", image.height);
    root.dataset.imageWidth = String(image.width);
    root.dataset.imageHeight = String(image.height);
    setRegions(task.regions || [], { lockedTypes: task.lockedTypes });
    fit();
    const signal = loading.signal;
    return rendition(urls.rendition, signal).then((bitmap) => {
      if (signal.aborted) { bitmap.close(); return; }
      // A small photo's rendition is the image itself: nothing more to fetch.
      useSource(bitmap, bitmap.width >= image.width ? "full" : "rendition");
    });
  }

  /** Fetches a rendition ahead (the next task's), so showing it does not wait. */
  function prefetch(url) {
    if (!url || prefetched.has(url)) return;
    prefetched.clear(); // one ahead is enough
    const blob = fetch(url, { credentials: "same-origin", priority: "low" }).then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.blob();
    });
    blob.catch(() => prefetched.delete(url));
    prefetched.set(url, blob);
  }

  // --- input --------------------------------------------------------------------------

  const actions = {
    "zoom-in": () => zoomBy(KEY_ZOOM_STEP),
    "zoom-out": () => zoomBy(1 / KEY_ZOOM_STEP),
    fit: () => fit(),
    actual: () => actualSize(),
    "rotate-left": () => rotate(-90),
    "rotate-right": () => rotate(90),
  };

  on(toolbar, "click", (event) => {
    const action = event.target.closest("button[data-action]")?.dataset.action;
    if (action) actions[action]();
  });

  on(stage, "wheel", (event) => {
    if (!image) return;
    event.preventDefault(); // the page does not scroll under the photo; a pinch is ctrlKey
    zoomBy(geometry.wheelFactor(event.deltaY, event.deltaMode), local(event));
  }, { passive: false });

  on(stage, "pointerdown", (event) => {
    const middle = event.button === 1;
    if (!(middle || (event.button === 0 && spaceHeld)) || !image) return;
    event.preventDefault();
    event.stopPropagation(); // a pan never reaches the editor's handlers
    stage.focus({ preventScroll: true });
    stage.setPointerCapture(event.pointerId);
    pan = { pointer: event.pointerId, x: event.clientX, y: event.clientY };
    root.classList.add("panning");
  }, { capture: true });

  on(stage, "pointermove", (event) => {
    if (!pan || event.pointerId !== pan.pointer) return;
    event.stopPropagation();
    const dx = event.clientX - pan.x;
    const dy = event.clientY - pan.y;
    pan.x = event.clientX;
    pan.y = event.clientY;
    if (dx || dy) setView(geometry.panBy(view, dx, dy));
  }, { capture: true });

  const endPan = (event) => {
    if (!pan || event.pointerId !== pan.pointer) return;
    event.stopPropagation();
    pan = null;
    root.classList.remove("panning");
  };
  on(stage, "pointerup", endPan, { capture: true });
  on(stage, "pointercancel", endPan, { capture: true });
  on(stage, "mousedown", (event) => { if (event.button === 1) event.preventDefault(); }); // no autoscroll
  on(stage, "auxclick", (event) => { if (event.button === 1) event.preventDefault(); }); // no paste

  on(stage, "dblclick", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-region-id]")) return;
    fit();
  });

  on(stage, "keydown", (event) => {
    if (event.isComposing || event.keyCode === 229 || typing(event.target)) return;
    if (event.code === "Space") {
      event.preventDefault(); // no page scroll
      if (!spaceHeld) root.classList.add("pan-ready");
      spaceHeld = true;
      return;
    }
    if (event.altKey) return;
    const command = event.ctrlKey || event.metaKey;
    let action = null;
    if (command) {
      if (event.code === "KeyR") action = event.shiftKey ? "rotate-left" : "rotate-right";
    } else if (event.code === "Equal" || event.code === "NumpadAdd") action = "zoom-in";
    else if (event.code === "Minus" || event.code === "NumpadSubtract") action = "zoom-out";
    else if (event.shiftKey && event.code === "Digit1") action = "fit";
    else if (event.shiftKey && event.code === "Digit2") action = "actual";
    if (!action) return;
    event.preventDefault();
    actions[action]();
  });

  const spaceUp = () => {
    spaceHeld = false;
    root.classList.remove("pan-ready");
  };
  on(stage, "keyup", (event) => { if (event.code === "Space") spaceUp(); });
  on(stage, "blur", spaceUp);

  on(regionLayer, "focusin", (event) => {
    const id = event.target.dataset?.regionId;
    const entry = shown.find((item) => item.region.id === id);
    if (!entry) return;
    entry.halo.classList.add("focused");
    emit("viewer:focus", { id });
  });
  on(regionLayer, "focusout", (event) => {
    const entry = shown.find((item) => item.line === event.target);
    entry?.halo.classList.remove("focused");
  });

  const resized = new ResizeObserver(([entry]) => {
    viewport = { width: entry.contentRect.width, height: entry.contentRect.height };
    if (!image) return;
    if (fitted) fit();
    else setView({ ...view, scale: geometry.clampScale(view.scale, limits()) }, { byUser: false });
  });
  resized.observe(stage);

  return {
    root,
    stage,
    world,
    screenLayer,
    show,
    setRegions,
    prefetch,
    fit,
    actualSize,
    zoomBy,
    rotate,
    reveal,
    regionElement,
    placeRegion,
    requestDraw,
    get image() { return image ? { ...image } : null; },
    get source() { return source; },
    get view() { return { ...view }; },
    setView: (next) => setView(next),
    toImage: (clientX, clientY) => geometry.screenToImage(view, local({ clientX, clientY })),
    onFrame(hook) { frameHooks.add(hook); return () => frameHooks.delete(hook); },
    destroy() {
      listening.abort();
      resized.disconnect();
      releaseSource();
      prefetched.clear();
      frameHooks.clear();
    },
  };
}
