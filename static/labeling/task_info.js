// The tool's side-bar panel about the task at hand: work a reviewer returned (its reasons at
// the top, its comments pinned to boxes), the guide versions it is labelled under with an
// "ask a question" dialog that pins the item, the selected region and its crop, and the
// annotator's figures for today. The pure parts (checking a question as the server will,
// formatting the figures, the comment markers) are exported for node tests; the DOM is
// touched only by createTaskInfo's result, when the page calls it.
import { ApiError, api } from "../core/api.js";
import { clearErrors, showError } from "../core/errors.js";
import { showRefusal } from "../core/form_errors.js";
import { formatDateTime, formatNumber, pageLocale } from "../core/format.js";
import { gettext, interpolate } from "../core/i18n.js";

// The server's limits (guides/models.py QUESTION_LIMIT, guides/services/questions.py
// CROP_LIMIT); tests/js/task_info.test.mjs reads both files so the copies cannot drift.
export const QUESTION_LIMIT = 5000;
export const CROP_LIMIT = 5_000_000;
const CROP_TYPES = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };

// --- pure ----------------------------------------------------------------------------------

// The length the server counts: Python's len(), code points (a Korean syllable or an emoji
// is one), not UTF-16 units.
export function textLength(text) {
  let count = 0;
  for (const _char of text) count += 1;
  return count;
}

// What the server would refuse in a question's body, as { code, message }, or null.
export function questionError(body, { limit = QUESTION_LIMIT, locale = pageLocale() } = {}) {
  if (typeof body !== "string" || !body.trim()) {
    return { code: "empty", message: gettext("Write your question.") };
  }
  if (textLength(body) > limit) {
    return {
      code: "too_long",
      message: interpolate(gettext("This text is limited to %(limit)s characters."),
        { limit: formatNumber(limit, { locale }) }),
    };
  }
  return null;
}

// What the server would refuse in a crop (bytes and type; its pixels are the server's to
// read), or null.
export function cropError(blob, { limit = CROP_LIMIT, locale = pageLocale() } = {}) {
  if (!Object.hasOwn(CROP_TYPES, blob.type)) return gettext("The crop must be a PNG, JPEG or WebP image.");
  if (blob.size > limit) {
    return interpolate(gettext("A crop is limited to %(limit)s bytes."), { limit: formatNumber(limit, { locale }) });
  }
  return null;
}

export function cropName(blob) {
  return `crop.${CROP_TYPES[blob.type] || "png"}`;
}

// A duration in whole seconds as the reader's locale writes it: "3 min 20 sec", "3분 20초",
// "1 hr 5 min"; seconds are dropped from an hour or more.
export function formatDuration(seconds, { locale = pageLocale() } = {}) {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const parts = hours
    ? [["hour", hours], ["minute", minutes]]
    : [["minute", minutes], ["second", total % 60]];
  const shown = parts.filter(([, value]) => value);
  if (!shown.length) shown.push(["second", 0]);
  const words = shown.map(([unit, value]) =>
    new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short" }).format(value));
  return new Intl.ListFormat(locale, { type: "unit", style: "narrow" }).format(words);
}

// /api/v1/me/figures/ (labeling/api/figures.py FiguresOut) as the rows the panel shows.
export function figureRows(figures, { locale = pageLocale() } = {}) {
  const median = figures.median_active_seconds;
  return [
    { key: "done", label: gettext("Done"), value: formatNumber(figures.done, { locale }) },
    { key: "released", label: gettext("Released"), value: formatNumber(figures.released, { locale }) },
    { key: "skipped", label: gettext("Skipped"), value: formatNumber(figures.skipped, { locale }) },
    {
      key: "median",
      label: gettext("Median time per task done"),
      value: median === null || median === undefined ? gettext("None yet") : formatDuration(median, { locale }),
    },
  ];
}

// The comments pinned to regions, by region id in the order given: the page badges those
// boxes. Comments about the whole photo (region null) are not markers.
export function commentMarkers(review) {
  const markers = new Map();
  for (const comment of review?.comments || []) {
    if (comment.region === null || comment.region === undefined || comment.region === "") continue;
    const texts = markers.get(comment.region) || [];
    texts.push(comment.text);
    markers.set(comment.region, texts);
  }
  return markers;
}

export function returnedLine(review, { locale = pageLocale() } = {}) {
  const when = review.returned_at ? formatDateTime(review.returned_at, { locale }) : "";
  if (review.reviewer && when) {
    return interpolate(gettext("Returned by %(reviewer)s, %(when)s."), { reviewer: review.reviewer, when });
  }
  if (review.reviewer) return interpolate(gettext("Returned by %(reviewer)s."), { reviewer: review.reviewer });
  return when ? interpolate(gettext("Returned %(when)s."), { when }) : gettext("Returned by the reviewer.");
}

// --- the page ------------------------------------------------------------------------------

let instances = 0;

function make(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name in node && !name.includes("-") && name !== "role") node[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function newTabLink(href, text) {
  return make("a", { href, target: "_blank", rel: "noopener", class: "ti-link" }, text,
    make("span", { class: "visually-hidden", text: ` ${gettext("(opens in a new tab)")}` }));
}

// The panel in `container`. cropOf(regionId) → Promise<Blob|null> cuts the region from the
// photo; onReveal(regionId) shows a region a comment is about; nameOf(regionId) → its
// accessible name ("formula 2"), the id when not given.
export function createTaskInfo(container, { cropOf = async () => null, onReveal = () => {}, nameOf = (id) => id } = {}) {
  const id = `task-info-${++instances}`;
  let task = null;
  let tool = null;
  let selected = null;
  let guides = [];
  let figuresRequest = 0;
  let figuresShown = false;
  let sending = false;

  const returned = make("section", { class: "ti-returned", hidden: true, "aria-labelledby": `${id}-returned` },
    make("h2", { id: `${id}-returned`, text: gettext("Returned for changes") }));
  const guideList = make("ul", { class: "ti-guides" });
  const noGuide = make("p", { class: "ti-note", hidden: true, text: gettext("No guide is published for this task.") });
  const ask = make("button", { type: "button", class: "ti-ask", text: gettext("Ask a question"), disabled: true });
  const status = make("p", { class: "ti-status", role: "status" });
  const figureList = make("dl", { class: "ti-figures" });
  const figureNote = make("p", { class: "ti-note", hidden: true });

  const guideChoice = make("select", { name: "guide", id: `${id}-guide` });
  const guideField = make("p", { class: "ti-field", hidden: true },
    make("label", { htmlFor: guideChoice.id, text: gettext("Guide") }), guideChoice);
  const itemLine = make("p", { class: "ti-pin", "data-field": "item" });
  const cropBox = make("input", { type: "checkbox", name: "crop", checked: true });
  const cropText = make("span");
  const cropLine = make("p", { class: "ti-pin", "data-field": "crop", hidden: true },
    make("label", {}, cropBox, cropText));
  const body = make("textarea", { name: "body", id: `${id}-body`, rows: 6, "aria-describedby": `${id}-count` });
  const count = make("span", { id: `${id}-count`, class: "ti-count" });
  const notice = make("p", { class: "error", role: "alert", hidden: true });
  const send = make("button", { type: "submit", text: gettext("Send the question") });
  const cancel = make("button", { type: "button", class: "ti-secondary", text: gettext("Cancel") });
  const form = make("form", { id: `${id}-form`, noValidate: true },
    make("h2", { id: `${id}-title`, text: gettext("Ask about the guide") }),
    guideField, itemLine, cropLine,
    make("p", { class: "ti-field" }, make("label", { htmlFor: body.id, text: gettext("Your question") }), body, count),
    notice,
    make("p", { class: "ti-buttons" }, send, cancel));
  const dialog = make("dialog", { class: "ti-dialog", "aria-labelledby": `${id}-title` }, form);

  const root = make("section", { class: "task-info", "aria-label": gettext("About this task") },
    returned,
    make("div", { class: "ti-part" }, make("h2", { text: gettext("Guide") }), guideList, noGuide, ask),
    status,
    make("div", { class: "ti-part" }, make("h2", { text: gettext("Your figures today") }), figureList, figureNote),
    dialog);
  container.append(root);

  function say(...parts) {
    status.replaceChildren(...parts);
  }

  function showGuides() {
    guideList.replaceChildren(...guides.map((guide) => make("li", {},
      newTabLink(guide.url, interpolate(gettext("%(title)s, version %(version)s"), guide)))));
    noGuide.hidden = guides.length > 0;
    ask.disabled = !guides.length || !task;
    guideChoice.replaceChildren(...guides.map((guide, index) =>
      make("option", { value: String(index), text: interpolate(gettext("%(title)s, version %(version)s"), guide) })));
    guideField.hidden = guides.length < 2;
  }

  function showReturned(review) {
    returned.replaceChildren(returned.firstElementChild);
    returned.hidden = !review;
    if (!review) return;
    returned.append(make("p", { class: "ti-note", text: returnedLine(review) }));
    const reasons = review.reasons || [];
    if (reasons.length) {
      returned.append(make("ul", { class: "ti-reasons" },
        ...reasons.map((reason) => make("li", { "data-reason": reason.code, text: reason.label }))));
    }
    const comments = review.comments || [];
    if (!comments.length) return;
    returned.append(make("h3", { text: gettext("Reviewer's comments") }), make("ol", { class: "ti-comments" },
      ...comments.map((comment) => {
        const item = make("li", {}, make("span", { class: "ti-comment", text: comment.text }));
        if (comment.region) {
          item.dataset.region = comment.region;
          item.append(make("button", {
            type: "button",
            class: "ti-reveal",
            text: interpolate(gettext("Show %(region)s"), { region: nameOf(comment.region) }),
            onclick: () => onReveal(comment.region),
          }));
        } else {
          item.append(make("span", { class: "ti-note", text: gettext("About the whole photo") }));
        }
        return item;
      })));
    markSelected();
  }

  function markSelected() {
    for (const item of returned.querySelectorAll("li[data-region]")) {
      if (item.dataset.region === selected) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    }
  }

  function showPins() {
    itemLine.textContent = task?.item
      ? interpolate(gettext("Pinned to photo %(item)s."), { item: task.item.id })
      : gettext("Not pinned to a photo.");
    cropLine.hidden = !selected;
    if (selected) {
      cropText.textContent = interpolate(gettext("Pin %(region)s and attach its picture"), { region: nameOf(selected) });
    }
  }

  function showCount() {
    count.textContent = interpolate(gettext("%(count)s of %(limit)s characters"),
      { count: formatNumber(textLength(body.value)), limit: formatNumber(QUESTION_LIMIT) });
  }

  function refuse(message, field) {
    showError(new ApiError(400, { error: { code: "invalid", message, fields: { [field]: message } } }), { form, notice });
    showRefusal(dialog);
  }

  async function cropFor(regionId) {
    try {
      return await cropOf(regionId);
    } catch {
      return null; // the question still names the region; the planner opens the item
    }
  }

  async function sendQuestion(event) {
    event.preventDefault();
    if (sending || !task) return;
    clearErrors(form, notice);
    const problem = questionError(body.value);
    if (problem) return refuse(problem.message, "body");
    const guide = guides[Number(guideChoice.value) || 0];
    const data = new FormData();
    data.append("body", body.value);
    if (task.item) data.append("item", String(task.item.id));
    sending = true;
    send.disabled = true;
    try {
      if (selected) {
        data.append("region_id", selected);
        const crop = cropBox.checked ? await cropFor(selected) : null;
        const refused = crop && cropError(crop);
        if (refused) return refuse(refused, "crop");
        if (crop) data.append("crop", crop, cropName(crop));
      }
      const question = await api(guide.questions_url, { method: "POST", body: data });
      body.value = "";
      showCount();
      dialog.close();
      say(gettext("Your question was sent. The answer will appear on its page."), " ",
        newTabLink(question.url, gettext("Open your question")));
    } catch (error) {
      showError(error, { form, notice });
      showRefusal(dialog);
    } finally {
      sending = false;
      send.disabled = false;
    }
  }

  ask.addEventListener("click", () => {
    showPins();
    showCount();
    clearErrors(form, notice);
    dialog.showModal();
    body.focus();
  });
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (!ask.disabled && (document.activeElement === document.body || dialog.contains(document.activeElement))) ask.focus();
  });
  form.addEventListener("submit", sendQuestion);
  body.addEventListener("input", showCount);
  // Keys typed in the dialog are the dialog's: the tool's shortcuts (Mod+Enter submits the
  // task) never see them. Mod+Enter here sends the question, never mid-composition.
  dialog.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  async function refresh() {
    const url = tool?.figures_url;
    if (!url) return null;
    const request = ++figuresRequest;
    try {
      const figures = await api(url);
      if (request !== figuresRequest) return null; // a later refresh or dispose won
      figureList.replaceChildren(...figureRows(figures).flatMap((row) => [
        make("dt", { text: row.label }), make("dd", { "data-figure": row.key, text: row.value })]));
      figureNote.hidden = true;
      figuresShown = true;
      return figures;
    } catch {
      if (request !== figuresRequest) return null;
      figureNote.textContent = figuresShown
        ? gettext("The figures could not be updated; these may be behind.")
        : gettext("The figures could not be loaded.");
      figureNote.hidden = false;
      return null;
    }
  }

  return {
    show({ task: nextTask, tool: nextTool, selectedRegion = null }) {
      const changed = nextTask?.id !== task?.id;
      const firstFigures = !tool || nextTool?.figures_url !== tool.figures_url;
      task = nextTask;
      tool = nextTool;
      guides = tool?.guides || [];
      selected = selectedRegion;
      if (changed && dialog.open) dialog.close();
      showGuides();
      showReturned(task?.review);
      if (changed && task?.review) say(gettext("A reviewer returned this task; their reasons are at the top of this panel."));
      if (firstFigures) refresh();
    },
    select(regionId) {
      selected = regionId ?? null;
      markSelected();
      if (dialog.open) showPins();
    },
    refresh,
    dispose() {
      figuresRequest += 1;
      if (dialog.open) dialog.close();
      root.remove();
      task = null;
    },
  };
}
