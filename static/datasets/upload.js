// Drag-and-drop upload: one request per file (so each has its own progress bar), a zip as one
// archive a worker unpacks; then the worker's progress per file until thumbnails appear.
import { api, upload } from "../core/api.js";

const form = document.getElementById("upload-form");
const zone = document.getElementById("drop-zone");
const input = document.getElementById("file-input");
const list = document.getElementById("upload-files");
const summary = document.getElementById("upload-summary");
const text = JSON.parse(document.getElementById("upload-text").textContent);
const endpoint = form.dataset.endpoint;
const PARALLEL = 3;

let uploadId = null; // the files of one page visit share one upload
const rows = new Map(); // item id → row waiting for the worker

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
}

function count(name, delta = 1) {
  const cell = summary.querySelector(`[data-count="${name}"]`);
  cell.textContent = String(Number(cell.textContent) + delta);
  summary.hidden = false;
}

function row(file) {
  const item = document.createElement("li");
  item.innerHTML = '<img alt=""><span class="name"></span><progress max="1" value="0"></progress><span class="state"></span>';
  item.querySelector(".name").textContent = file.name;
  item.querySelector(".name").title = file.name;
  item.querySelector(".state").textContent = text.waiting;
  list.append(item);
  return item;
}

function show(item, outcome, message) {
  item.dataset.outcome = outcome;
  item.querySelector(".state").textContent = message;
}

function categories() {
  return [...form.querySelectorAll("select[name=category]")].map((s) => s.value).filter(Boolean);
}

function settle(item, entry) {
  if (entry.outcome === "refused") {
    show(item, "refused", entry.message);
    count("refused");
  } else if (entry.outcome === "duplicate") {
    show(item, "duplicate", text.duplicate);
    count("duplicate");
    item.querySelector("progress").value = 1;
  } else {
    show(item, "added", text.processing);
    count("added");
    rows.set(entry.item, item);
  }
}

async function sendImage(file, item) {
  const data = new FormData();
  data.append("files", file);
  categories().forEach((pair) => data.append("categories", pair));
  if (uploadId) data.append("upload", uploadId);
  item.querySelector(".state").textContent = text.uploading;
  try {
    const result = await upload(endpoint, data, (share) => { item.querySelector("progress").value = share; });
    uploadId = uploadId || result.id;
    settle(item, result.entries[0]);
  } catch (error) {
    show(item, "refused", error.message || text.network);
    count("refused");
  }
}

async function sendArchive(file, item) {
  const data = new FormData();
  data.append("archive", file);
  categories().forEach((pair) => data.append("categories", pair));
  try {
    const result = await upload(endpoint, data, (share) => { item.querySelector("progress").value = share; });
    show(item, "added", text.unpacking);
    await followArchive(result.id, item);
  } catch (error) {
    show(item, "refused", error.message || text.network);
    count("refused");
  }
}

async function followArchive(id, item) {
  for (;;) {
    const state = await api(`${endpoint}${id}/`);
    const total = state.entries_total || 0;
    item.querySelector("progress").value = total ? state.entries_done / total : 0;
    show(item, state.status === "failed" ? "refused" : "added", state.status === "failed" ? state.error
      : format(text.archive, { done: state.entries_done, total, added: state.added, refused: state.refused, processed: state.processed }));
    if (state.status === "done" || state.status === "failed") {
      if (state.refused) await listRefused(id, item);
      count("added", state.added); count("duplicate", state.duplicates); count("refused", state.refused); count("ready", state.processed);
      if (state.processed < state.added) followArchiveProcessing(id, item, state.processed);
      return;
    }
    await new Promise((done) => setTimeout(done, 1000));
  }
}

async function followArchiveProcessing(id, item, counted) {
  for (;;) {
    await new Promise((done) => setTimeout(done, 1000));
    const state = await api(`${endpoint}${id}/`);
    count("ready", state.processed - counted);
    counted = state.processed;
    show(item, "added", format(text.archive, { done: state.entries_done, total: state.entries_total, added: state.added, refused: state.refused, processed: state.processed }));
    if (state.processed >= state.added) return;
  }
}

async function listRefused(id, item) {
  const page = await api(`${endpoint}${id}/entries/?outcome=refused&page_size=100`);
  const details = document.createElement("ul");
  details.className = "refusals";
  for (const entry of page.results) {
    const line = document.createElement("li");
    line.textContent = entry.message;
    details.append(line);
  }
  item.after(details);
}

async function pollProcessing() {
  if (rows.size && uploadId) {
    try {
      const page = await api(`${endpoint}${uploadId}/entries/?outcome=added&page_size=500`);
      for (const entry of page.results) {
        const item = rows.get(entry.item);
        if (!item || entry.processing === "queued") continue;
        rows.delete(entry.item);
        if (entry.thumbnail) item.querySelector("img").src = entry.thumbnail;
        show(item, "added", text.ready);
        count("ready");
      }
    } catch { /* the next round tries again */ }
  }
  setTimeout(pollProcessing, 1000);
}

async function sendAll(files) {
  const jobs = [...files].map((file) => ({ file, item: row(file) }));
  const isZip = (file) => file.type === "application/zip" || file.type === "application/x-zip-compressed" || /\.zip$/i.test(file.name);
  const images = jobs.filter(({ file }) => !isZip(file));
  for (const { file, item } of jobs.filter(({ file }) => isZip(file))) sendArchive(file, item);
  if (!uploadId && images.length) {
    const first = images.shift();
    await sendImage(first.file, first.item);
  }
  const workers = Array.from({ length: PARALLEL }, async () => {
    while (images.length) {
      const { file, item } = images.shift();
      await sendImage(file, item);
    }
  });
  await Promise.all(workers);
}

zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  sendAll(event.dataTransfer.files);
});
zone.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") input.click(); });
input.addEventListener("change", () => { sendAll(input.files); input.value = ""; });
pollProcessing();
form.dataset.ready = "true"; // the page is ready for files (tests wait for this)
