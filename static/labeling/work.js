// The labeling tool's page: the annotator's loop of "next task → label → submit". It asks for
// the next task (or opens the one in ?task=), shows its photo in the viewer with the editor on
// top, the selected box's attributes, the photo's categories, the boxes as a tree and the
// task's facts; it saves drafts as the work goes, submits and shows the next task at once.
// "Nothing left", "read the guide first" and "given back" are states of their own.
//
// One keyboard dispatcher (keymap.js) decides what a key does from where the focus is;
// the viewer keeps its own view keys (zoom, fit, turn, Space to pan) on the photo.
import { api } from "../core/api.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import * as model from "./annotation_doc.js";
import { createAttributePanel } from "./attributes.js";
import { createSaver } from "./autosave.js";
import { createCategoryPanel } from "./categories.js";
import { createEditor } from "./editor.js";
import { chordLabel, chordOf, createKeymap, platformOf, scopeOf } from "./keymap.js";
import { loadKatex, loadKatexOptions } from "./latex_preview.js";
import { commentMarkers, createTaskInfo } from "./task_info.js";
import { createViewer, regionNames, regionsInTreeOrder } from "./viewer.js";

const HEARTBEAT_MS = 60_000;
const KEYS_STORED = "groundwork.keys.";

function showState(root, state) {
  root.dataset.state = state;
  for (const part of root.querySelectorAll("[data-for]")) part.hidden = part.dataset.for !== state;
}

function showMessage(root, state, message) {
  root.querySelector(`[data-for="${state}"] [data-message]`).textContent = message;
  showState(root, state);
}

function showGuides(root, needs) {
  const list = root.querySelector("[data-guides]");
  list.replaceChildren(...needs.map((need) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = need.url;
    link.textContent = need.message; // "Read and acknowledge “…” v2 first.", or pass its quiz
    item.append(link);
    return item;
  }));
  showState(root, "guide");
}

function element(name, { text = null, className = null, ...attributes } = {}) {
  const made = document.createElement(name);
  if (text !== null) made.textContent = text;
  if (className) made.className = className;
  for (const [key, value] of Object.entries(attributes)) made.setAttribute(key, value);
  return made;
}

// --- the annotator's own key settings (WCAG 2.1.4): kept per user in this browser -------------

function keySettings(user) {
  try {
    const kept = JSON.parse(globalThis.localStorage?.getItem(KEYS_STORED + user) ?? "null");
    return { singleKeys: kept?.singleKeys !== false, overrides: kept?.overrides ?? {} };
  } catch {
    return { singleKeys: true, overrides: {} };
  }
}

function keymapFor(settings) {
  const platform = platformOf(globalThis.navigator);
  try {
    return createKeymap({ ...settings, platform });
  } catch {
    return createKeymap({ platform }); // a stored setting that no longer fits: the defaults
  }
}

// The letters a user may remap: the tools and the box keys.
const REMAPPABLE = ["tool.box", "tool.repeat", "tool.select", "region.lock", "region.hide"];

/** A schema for a task when the tool's description could not be read: its kind's types. */
function kindSchema(task) {
  return task.task_kind.types.map((slug) => ({
    slug,
    name: slug,
    top_level: true,
    parents: [],
    attributes: task.task_kind.attributes
      .filter((attribute) => attribute.type === slug)
      .map(({ name }) => ({ name, kind: name === "latex" ? "latex" : "text", required: false, choices: [] })),
  }));
}

export async function initWorkPage(root, config) {
  const viewerRoot = root.querySelector("#viewer");
  const viewer = createViewer(viewerRoot);
  const notice = root.querySelector("[data-notice]");
  const saveLine = root.querySelector("[data-save-state]");
  const tree = root.querySelector("[data-tree]");
  const dialogs = [...root.querySelectorAll("dialog")];
  let keymap = keymapFor(keySettings(config.user));
  let task = null;
  let tool = null;
  let saver = null;
  let busy = false; // a submit, skip or release is under way
  let heartbeat = null;
  let katex = null;
  const parts = {}; // the side bar's panels: attributes, categories, info

  const say = (message) => { notice.textContent = message; };
  const taskUrl = (id, tail = "") => config.task_url.replace("/0/", `/${id}/`) + tail;

  const editor = createEditor(viewer, {
    onChange(doc) {
      saver?.change(model.toAnnotation(doc));
      refresh();
    },
    onSelect() { refresh(); },
    onRefused: say,
  });
  viewerRoot.addEventListener("editor:tool", () => refreshTools());

  // --- what the page shows beside the photo --------------------------------------------

  function refresh() {
    if (!editor.doc) return;
    refreshTree();
    refreshTools();
    parts.attributes?.show(editor.doc, editor.selected);
    parts.categories?.show(editor.doc.categories);
    parts.info?.select(editor.selected);
    // a reviewer's pinned comments badge their boxes (returned work)
    for (const id of commentMarkers(task?.review).keys()) viewer.regionElement(id)?.classList.add("commented");
  }

  function refreshTools() {
    const doc = editor.doc;
    if (!doc) return;
    const toolbar = root.querySelector(".editor-tools");
    const pressed = (action, on) => toolbar.querySelector(`[data-action="${action}"]`)?.setAttribute("aria-pressed", String(on));
    pressed("tool.select", editor.tool === "select");
    pressed("tool.box", editor.tool === "box");
    for (const button of toolbar.querySelectorAll("[data-type]")) {
      button.setAttribute("aria-pressed", String(editor.tool === "box" && editor.drawType === button.dataset.type));
    }
    const id = editor.selected;
    const enable = (action, on) => { toolbar.querySelector(`[data-action="${action}"]`).disabled = !on; };
    enable("history.undo", editor.history.canUndo());
    enable("history.redo", editor.history.canRedo());
    enable("region.delete", id !== null && model.isEditable(doc, id));
    enable("region.lock", id !== null && !model.isKindLocked(doc, id));
    enable("region.hide", id !== null);
    pressed("region.lock", Boolean(id && doc.locked[id]));
    pressed("region.hide", Boolean(id && doc.hidden[id]));
  }

  function typePicker(doc) {
    const picker = root.querySelector("[data-types]");
    picker.replaceChildren(...model.drawableTypes(doc).slice(0, 9).map((slug, index) => {
      const button = element("button", { type: "button", "data-type": slug, "aria-pressed": "false" });
      button.append(doc.rules.types.get(slug).name, " ", element("kbd", { text: String(index + 1) }));
      button.addEventListener("click", () => editor.act(`pick.${index + 1}`));
      return button;
    }));
  }

  // The region list: nested lists in tree order; an entry selects and shows its box.
  function refreshTree() {
    const doc = editor.doc;
    const names = Object.fromEntries([...doc.rules.types.values()].map((type) => [type.slug, type.name]));
    const ordered = regionsInTreeOrder(doc.regions);
    const lists = [tree];
    tree.replaceChildren();
    for (const { region, depth, number } of ordered) {
      while (lists.length > depth + 1) lists.pop();
      let parent = lists[lists.length - 1];
      if (lists.length < depth + 1) {
        const nested = document.createElement("ul");
        parent.lastElementChild.append(nested);
        lists.push(nested);
        parent = nested;
      }
      const locked = model.lockReason(doc, region.id) !== null;
      const entry = element("button", { type: "button", className: "region-entry", "data-entry-for": region.id });
      entry.textContent = regionNames(region, number, { locked, typeName: names[region.type] }).name;
      if (locked) entry.classList.add("locked");
      if (doc.hidden[region.id]) entry.classList.add("hidden-box");
      if (region.id === editor.selected) entry.setAttribute("aria-current", "true");
      entry.addEventListener("click", () => {
        editor.select(region.id);
        if (!doc.hidden[region.id]) viewer.reveal(region.id);
      });
      const item = document.createElement("li");
      item.append(entry);
      parent.append(item);
    }
    root.querySelector("[data-count]").textContent = interpolate(
      ngettext("%(count)s box", "%(count)s boxes", ordered.length), { count: ordered.length });
    root.querySelector("[data-no-regions]").hidden = ordered.length > 0;
  }

  // --- saving -----------------------------------------------------------------------------

  const SAVE_WORDS = {
    saved: () => gettext("All changes saved"),
    saving: () => gettext("Saving…"),
    unsaved: () => gettext("Not saved yet"),
    offline: () => gettext("Not saved: no connection. Your work is kept in this browser and is saved when the connection returns."),
    "signed-out": () => gettext("Not saved: you are signed out. Sign in again in another tab; your work is kept here and saved then."),
    conflict: () => gettext("Not saved: this task was saved in another tab."),
    lost: () => gettext("Not saved: this task is no longer yours."),
    refused: () => gettext("Not saved: the server refused the draft."),
  };

  function showSaveState(state, detail = {}) {
    saveLine.dataset.saveState = state;
    saveLine.textContent = SAVE_WORDS[state]?.() ?? state;
    if ((state === "lost" || state === "refused") && detail.message) say(detail.message);
    if (state === "conflict") showConflict(detail);
  }

  function makeSaver(opened) {
    return createSaver({
      user: config.user,
      task: opened.id,
      version: opened.version,
      annotation: opened.annotation,
      send: ({ annotation, version }, { keepalive = false } = {}) =>
        api(taskUrl(opened.id, "annotation/"), { method: "PUT", body: { annotation, version }, keepalive }),
      onState: showSaveState,
    });
  }

  // --- one task ---------------------------------------------------------------------------

  function documentFor(opened, described) {
    const axes = described?.axes?.map((axis) => ({ slug: axis.slug, categories: axis.categories.map((c) => c.slug) })) ?? null;
    const rules = model.createRules({
      schema: described?.schema ?? kindSchema(opened),
      kind: opened.task_kind,
      limits: opened.limits ?? {},
      axes,
    });
    const annotation = { ...opened.annotation };
    if (!opened.version && !Object.keys(annotation.categories ?? {}).length) {
      annotation.categories = { ...(described?.item_categories ?? {}) }; // to confirm or correct
    }
    return model.createDocument({ rules, annotation, width: opened.item.width, height: opened.item.height });
  }

  async function open(opened, known = null) {
    stopTask();
    task = opened;
    root.dataset.task = String(opened.id);
    root.querySelector("#work-kind").textContent = opened.task_kind.name;
    const url = new URL(globalThis.location.href);
    if (url.searchParams.get("task") !== String(opened.id)) { // a reload reopens this task
      url.searchParams.set("task", String(opened.id));
      history.replaceState(null, "", url);
    }
    const described = known ?? api(taskUrl(opened.id, "tool/")).catch(() => null);
    showState(root, "task");
    const painted = viewer.show({
      image: opened.item,
      rendition: opened.images.screen,
      full: opened.images.full,
      regions: [],
      lockedTypes: opened.locked_types,
    });
    tool = await described;
    if (task !== opened) return;
    const doc = documentFor(opened, tool);
    typePicker(doc);
    editor.load(doc);
    makeParts();
    parts.categories.setAxes(tool?.axes ?? []);
    parts.info?.show({ task: opened, tool, selectedRegion: null });
    saver = makeSaver(opened);
    restoreLocal(opened);
    refresh();
    say("");
    heartbeat = setInterval(beat, HEARTBEAT_MS);
    await painted;
    if (task !== opened) return;
    root.dataset.ready = String(opened.id);
    performance.mark("work:ready", { detail: { task: opened.id } }); // for bench/ and tests
  }

  function restoreLocal(opened) {
    const local = saver?.restorable();
    if (!local) return;
    editor.replace(model.createDocument({
      rules: editor.doc.rules, annotation: local.annotation, width: opened.item.width, height: opened.item.height,
    }));
    say(gettext("Your unsaved work on this task was restored from this browser."));
  }

  function stopTask() {
    clearInterval(heartbeat);
    heartbeat = null;
    saver?.dispose();
    saver = null;
    for (const dialog of dialogs) if (dialog.open) dialog.close();
  }

  function beat() {
    if (!task || document.visibilityState !== "visible") return;
    api(taskUrl(task.id, "heartbeat/"), { method: "POST", body: {} }).catch((error) => {
      if (error.status === 404 || error.status === 409) showSaveState("lost", { message: error.message });
    });
  }

  // The side bar's panels, made once, when the first task opens (the categories need its axes).
  function makeParts() {
    if (parts.attributes) return;
    const side = root.querySelector(".work-side");
    let before = null;
    parts.attributes = createAttributePanel(side.querySelector("[data-attributes]"), {
      katex: katexParts,
      onEdit(id, name, value) {
        before ??= editor.doc;
        editor.apply(model.setAttribute(editor.doc, id, name, value), { record: false });
      },
      // One undo step per field edit. A blur commits: after it, so the box taking the
      // focus is not redrawn under it.
      onCommit() {
        const from = before;
        before = null;
        if (from) setTimeout(() => editor.apply(editor.doc, { before: from, label: gettext("change an attribute") }));
      },
    });
    parts.categories = createCategoryPanel(side.querySelector("[data-categories]"), {
      axes: tool?.axes ?? [],
      onPick: (axis, category) => editor.apply(model.setCategory(editor.doc, axis, category), { label: gettext("change a category") }),
    });
    parts.info = createTaskInfo(side.querySelector("[data-info]"), {
      cropOf,
      onReveal: (id) => { editor.select(id); viewer.reveal(id); },
      nameOf: (id) => viewer.regionElement(id)?.getAttribute("aria-label") ?? id,
    });
  }

  function katexParts() {
    katex ??= Promise.all([loadKatex(), loadKatexOptions()]).then(([module, options]) => ({ katex: module, options }));
    return katex;
  }

  // The selected region cut from the photo as shown (for a question's pinned crop).
  async function cropOf(id) {
    const region = model.regionOf(editor.doc, id);
    const source = viewer.source;
    if (!region || !source) return null;
    const image = viewer.image;
    const ratio = source.bitmap.width / image.width;
    const [x, y, width, height] = region.bbox;
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, Math.round(height * ratio));
    canvas.getContext("2d").drawImage(source.bitmap, x * ratio, y * ratio, width * ratio, height * ratio, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  }

  // --- submit, skip, give back ---------------------------------------------------------------

  function showNext(next) {
    if (!next) return showMessage(root, "empty", gettext("No task is waiting for you."));
    if (next.state === "task") return open(next.task);
    task = null;
    if (next.state === "guide") return showGuides(root, next.needs || []);
    return showMessage(root, "empty", next.message);
  }

  // Before a submit, skip or give-back: no draft save runs beside it (a submit carries the
  // annotation itself); the version to send.
  async function settled() {
    return saver ? saver.idle() : task.version;
  }

  function selectField(fields) {
    const key = Object.keys(fields ?? {}).find((name) => name.startsWith("regions."));
    const id = key?.split(".")[1];
    if (id && model.regionOf(editor.doc, id)) {
      editor.select(id);
      viewer.reveal(id);
    }
  }

  async function submit(annotation = model.toAnnotation(editor.doc)) {
    if (!task || busy) return;
    const missing = model.missingRequired(editor.doc);
    if (missing.length && annotation.regions.length) {
      say(interpolate(ngettext("%(count)s required attribute is still empty.", "%(count)s required attributes are still empty.", missing.length), { count: missing.length }));
      editor.select(missing[0].id);
      viewer.reveal(missing[0].id);
      return;
    }
    busy = true;
    say(gettext("Submitting…"));
    const submitted = task;
    try {
      const version = await settled();
      const answer = await api(taskUrl(submitted.id, "submit/"), { method: "POST", body: { annotation, version } });
      saver?.forget();
      saver = null;
      say(gettext("Submitted."));
      const nextTask = answer.next?.task;
      if (nextTask) viewer.prefetch(nextTask.images.screen);
      parts.info?.refresh();
      await showNext(answer.next);
    } catch (error) {
      saver?.resume();
      if (error.code === "stale_version") showConflict({ mine: annotation, theirs: error.error.current });
      else {
        say(error.message);
        selectField(error.fields);
      }
    } finally {
      busy = false;
    }
  }

  function nothingToLabel() {
    const editable = editor.doc.regions.filter((region) => !model.isKindLocked(editor.doc, region.id));
    const dialog = root.querySelector("#nothing-dialog");
    dialog.querySelector("[data-nothing-message]").textContent = editable.length
      ? interpolate(ngettext("The %(count)s box you drew will be removed, and the task submitted as having nothing to label.", "The %(count)s boxes you drew will be removed, and the task submitted as having nothing to label.", editable.length), { count: editable.length })
      : gettext("The task is submitted with no boxes: this photo has nothing of this kind to label.");
    openDialog(dialog, (value) => {
      if (value !== "submit") return;
      const annotation = model.toAnnotation(editor.doc);
      annotation.regions = annotation.regions.filter((region) => !editor.doc.rules.editableTypes.has(region.type));
      submit(annotation);
    });
  }

  function skip() {
    const dialog = root.querySelector("#skip-dialog");
    const reasons = dialog.querySelector("[data-skip-reasons]");
    reasons.replaceChildren(...(task.skip_reasons ?? []).map(({ code, label }, index) => {
      const choice = element("label", { className: "choice" });
      choice.append(element("input", { type: "radio", name: "reason", value: code, ...(index ? {} : { required: "" }) }), " ", label);
      return choice;
    }));
    dialog.querySelector("[data-skip-error]").textContent = "";
    const form = dialog.querySelector("form");
    form.reset();
    openDialog(dialog, async (value) => {
      if (value !== "skip") return;
      const reason = form.elements.reason?.value;
      if (!reason) return;
      busy = true;
      try {
        const answer = await api(taskUrl(task.id, "skip/"), { method: "POST", body: { reason, note: form.elements.note.value } });
        saver?.forget();
        saver = null;
        say(gettext("Skipped."));
        parts.info?.refresh();
        await showNext(answer.next);
      } catch (error) {
        say(error.message);
      } finally {
        busy = false;
      }
    });
  }

  async function release() {
    if (!task || busy) return;
    busy = true;
    try {
      await settled();
      await api(taskUrl(task.id, "release/"), { method: "POST", body: {} });
      saver?.forget();
      stopTask();
      task = null;
      showState(root, "released");
    } catch (error) {
      saver?.resume();
      say(error.message);
    } finally {
      busy = false;
    }
  }

  async function next() {
    showState(root, "loading");
    try {
      await showNext(await api(config.next_url, { method: "POST", body: {} }));
    } catch (error) {
      failed(error);
    }
  }

  // --- dialogs ---------------------------------------------------------------------------

  function openDialog(dialog, onClose = () => {}) {
    const back = document.activeElement;
    dialog.addEventListener("close", () => {
      onClose(dialog.returnValue);
      if (back instanceof HTMLElement && back.isConnected) back.focus({ preventScroll: true });
    }, { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  }

  function describe(annotation) {
    const regions = annotation?.regions ?? [];
    const lines = regionsInTreeOrder(regions).map(({ region, number }) => regionNames(region, number, {
      typeName: editor.doc?.rules.types.get(region.type)?.name,
    }).name);
    const categories = Object.entries(annotation?.categories ?? {}).map(([axis, category]) => `${axis}: ${category}`);
    return [...lines, ...categories];
  }

  function showConflict({ mine, theirs }) {
    const dialog = root.querySelector("#conflict-dialog");
    if (dialog.open) return;
    dialog.querySelector("[data-conflict-message]").textContent = interpolate(
      gettext("Version %(version)s of this task was saved in another tab or by a script while you worked here. Nothing is lost: choose which to keep."),
      { version: theirs?.version ?? "?" });
    const fill = (list, annotation) => list.replaceChildren(...describe(annotation).map((line) => element("li", { text: line })));
    fill(dialog.querySelector("[data-conflict-mine]"), mine);
    fill(dialog.querySelector("[data-conflict-theirs]"), theirs?.annotation);
    openDialog(dialog, async (value) => {
      if (value === "theirs") {
        const adopted = await saver?.resolve?.("theirs");
        const annotation = adopted?.annotation ?? theirs.annotation;
        editor.replace(model.createDocument({ rules: editor.doc.rules, annotation, width: task.item.width, height: task.item.height }));
      } else {
        await saver?.resolve?.("mine");
      }
    });
  }

  function showHelp() {
    const dialog = root.querySelector("#help-dialog");
    const help = dialog.querySelector("[data-help]");
    help.replaceChildren(...keymap.help().map((group) => {
      const section = element("section", { className: "help-group" });
      const table = element("table");
      table.append(element("caption", { text: group.label }));
      for (const row of group.rows) {
        const line = element("tr");
        const keys = element("td", { className: "keys" });
        row.keys.forEach((key, index) => {
          if (index) keys.append(" ");
          keys.append(element("kbd", { text: key }));
        });
        line.append(element("th", { text: row.label, scope: "row" }), keys);
        table.append(line);
      }
      section.append(table);
      return section;
    }));
    const form = dialog.querySelector("[data-key-settings]");
    const settings = keySettings(config.user);
    form.elements.single_keys.checked = settings.singleKeys;
    const remap = form.querySelector("[data-remap]");
    const labels = keymapLabels();
    remap.replaceChildren(...REMAPPABLE.map((action) => {
      const label = element("label", { className: "remap-row" });
      const current = (settings.overrides[action] ?? keymap.bindings.filter((b) => b.action === action).map((b) => b.keys))[0] ?? "";
      label.append(labels[action] ?? action, " ", element("input", { name: action, value: current, maxlength: "1", size: "2", autocomplete: "off", spellcheck: "false" }));
      return label;
    }));
    form.querySelector("[data-remap-error]").textContent = "";
    openDialog(dialog, (value) => {
      if (value === "reset") saveKeys({ singleKeys: true, overrides: {} });
      if (value !== "save") return;
      const overrides = {};
      for (const action of REMAPPABLE) {
        const typed = form.elements[action].value.trim().toUpperCase();
        overrides[action] = typed ? [typed] : [];
      }
      try {
        createKeymap({ singleKeys: form.elements.single_keys.checked, overrides });
      } catch (error) {
        form.querySelector("[data-remap-error]").textContent = error.message;
        dialog.showModal();
        return;
      }
      saveKeys({ singleKeys: form.elements.single_keys.checked, overrides });
    });
  }

  function keymapLabels() {
    return Object.fromEntries(keymap.help().flatMap((group) => group.rows.map((row) => [row.id, row.label])));
  }

  function saveKeys(settings) {
    globalThis.localStorage?.setItem(KEYS_STORED + config.user, JSON.stringify(settings));
    keymap = keymapFor(settings);
    say(gettext("Your shortcuts are saved in this browser."));
    showKeys();
  }

  function showKeys() {
    for (const badge of root.querySelectorAll("[data-keys]")) {
      const binding = keymap.bindings.find((b) => b.action === badge.dataset.keys);
      badge.textContent = binding ? chordLabel(binding.chord, keymap.platform) : "";
    }
  }

  // --- input ------------------------------------------------------------------------------

  const pageActions = {
    "task.submit": () => submit(),
    "task.save": () => saver?.flush(),
    "task.skip": skip,
    "task.release": release,
    "task.nothing": nothingToLabel,
    "task.next": next,
    help: showHelp,
    "region.edit": () => {
      if (!editor.selected || !parts.attributes) return false;
      return parts.attributes.focusFirst() !== false;
    },
    "focus.canvas": () => {
      const box = editor.selected && viewer.regionElement(editor.selected);
      (box || viewer.stage).focus({ preventScroll: true });
    },
  };

  function run(action, chord = null) {
    if (pageActions[action]) {
      if (action !== "task.next" && !task) return false;
      return pageActions[action]() !== false;
    }
    if (!task || busy) return false;
    const done = editor.act(action, chord);
    if (done && action.startsWith("history.")) refresh();
    return done;
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || button.closest(".viewer-tools")) return; // the viewer's own buttons
    run(button.dataset.action);
  });

  document.addEventListener("keydown", (event) => {
    const modal = dialogs.some((dialog) => dialog.open);
    if (modal) return; // a dialog keeps its keys (Esc closes it)
    const scope = scopeOf(event.target, { modal, canvas: viewer.stage });
    const action = keymap.dispatch(event, scope);
    if (!action || action.startsWith("view.")) return; // the viewer's keys are its own
    if (run(action, chordOf(event))) event.preventDefault();
  });
  document.addEventListener("compositionend", (event) => keymap.compositionEnd(event.timeStamp), true);

  addEventListener("pagehide", () => saver?.flush({ keepalive: true }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saver?.flush({ keepalive: true });
    else saver?.retry();
  });
  addEventListener("online", () => saver?.retry());
  addEventListener("focus", () => saver?.retry());

  function failed(error) {
    const message = error.status === 404
      ? gettext("This task is not yours, or it no longer exists.")
      : error.message || gettext("The photo could not be loaded; reload the page to try again.");
    showMessage(root, "error", message);
  }

  showKeys();
  // For tests and bench/: how many times the LaTeX preview has rendered (check 21).
  root.latexRenders = () => parts.attributes?.renders ?? 0;
  try {
    if (config.opened) await open(config.opened.task, config.opened.tool);
    else if (config.task) await open(await api(taskUrl(config.task)));
    else await showNext(await api(config.next_url, { method: "POST", body: {} }));
  } catch (error) {
    failed(error);
  }
  return { viewer, editor };
}
