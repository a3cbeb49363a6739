// Drag-and-drop upload: one request per file (so each has its own progress bar), a zip as one
// archive a worker unpacks; then the worker's progress per file until thumbnails appear.
// The page calls initUpload; what each row says comes from upload_progress.js.
import { api, upload } from "../core/api.js";
import { clearErrors, errorMessage, showError } from "../core/errors.js";
import { formatDateTime, formatNumber } from "../core/format.js";
import {
  archiveTotals, archiveView, createTally, fileOutcome, isArchive, processedEntries,
  processedText, unpackingText, uploadRowView, uploadingText, waitingText,
} from "./upload_progress.js";

const PARALLEL = 3;
const POLL_MS = 1000;
const pause = (ms) => new Promise((done) => setTimeout(done, ms));

function fill(bar, value, max) {
  bar.max = Math.max(max, 1);
  bar.value = Math.min(value, bar.max);
}

const CELLS = ["who", "what", "added", "duplicates", "refused", "processed", "status"];

// The "Recent uploads" table: a row per upload, newest first, kept up to date from the API
// while a worker still has work on it (the server wrote the rows there were at page load).
function recentUploads(table, endpoint) {
  const followed = new Set();

  function newRow(state) {
    const row = document.createElement("tr");
    row.dataset.upload = String(state.id);
    const when = document.createElement("time");
    when.dateTime = state.created_at;
    row.append(document.createElement("td"));
    row.firstChild.append(when);
    for (const name of CELLS) {
      const cell = document.createElement("td");
      cell.className = name;
      row.append(cell);
    }
    table.querySelector("tr.empty")?.remove();
    table.prepend(row);
    return row;
  }

  function show(state) {
    const row = table.querySelector(`tr[data-upload="${state.id}"]`) || newRow(state);
    const view = uploadRowView(state);
    row.querySelector("time").textContent = formatDateTime(row.querySelector("time").dateTime);
    for (const name of CELLS) row.querySelector(`.${name}`).textContent = view[name];
    if (view.following) follow(state.id); // at most one loop per upload
    return view;
  }

  async function follow(id) {
    if (followed.has(id)) return;
    followed.add(id);
    for (;;) {
      await pause(POLL_MS);
      try {
        if (!show(await api(`${endpoint}${id}/`)).following) break;
      } catch (error) {
        if (error.status === 404) break; // gone: nothing left to follow
      }
    }
    followed.delete(id);
  }

  for (const time of table.querySelectorAll("time")) time.textContent = formatDateTime(time.dateTime);
  for (const row of table.querySelectorAll("tr[data-following=true]")) follow(Number(row.dataset.upload));
  return { show };
}

export function initUpload({ form, list, summary, recent }) {
  const zone = form.querySelector("#drop-zone");
  const input = form.querySelector("#file-input");
  const endpoint = form.dataset.endpoint; // where files are sent
  // where an upload's state is read: `${uploads}${id}/` and `${uploads}${id}/entries/`
  // (the dataset's uploads API by default; a collection contract's photos have their own)
  const uploads = form.dataset.uploads || endpoint;
  const tally = createTally();
  const waiting = new Map(); // item id → row waiting for the worker
  let uploadId = null; // the files of one page visit share one upload
  const table = recentUploads(recent, uploads);

  function count(name, delta = 1) {
    summary.querySelector(`[data-count="${name}"]`).textContent = formatNumber(tally.add(name, delta));
    summary.hidden = false;
  }

  function row(file) {
    const item = document.createElement("li");
    item.innerHTML = '<img alt=""><span class="name"></span><progress max="1" value="0"></progress><span class="state"></span>';
    item.querySelector(".name").textContent = file.name;
    item.querySelector(".name").title = file.name;
    item.querySelector(".state").textContent = waitingText();
    list.append(item);
    return item;
  }

  function show(item, outcome, message) {
    item.dataset.outcome = outcome;
    item.querySelector(".state").textContent = message;
  }

  function refuse(item, error) {
    show(item, "refused", errorMessage(error));
    showError(error, { form }); // a category the server does not know is named beside them
    count("refused");
  }

  function categories() {
    return [...form.querySelectorAll("select[name=category]")].map((s) => s.value).filter(Boolean);
  }

  function request(field, file) {
    const data = new FormData();
    data.append(field, file);
    categories().forEach((pair) => data.append("categories", pair));
    return data;
  }

  async function sendImage(file, item) {
    const data = request("files", file);
    if (uploadId) data.append("upload", uploadId);
    item.querySelector(".state").textContent = uploadingText();
    const bar = item.querySelector("progress");
    try {
      const result = await upload(endpoint, data, (sent, total) => fill(bar, sent, total));
      uploadId = uploadId || result.id;
      table.show(result);
      clearErrors(form);
      const entry = result.entries[0];
      const outcome = fileOutcome(entry);
      show(item, outcome.outcome, outcome.message);
      count(outcome.total);
      fill(bar, bar.max, bar.max);
      if (outcome.waits) waiting.set(entry.item, item);
    } catch (error) {
      refuse(item, error);
    }
  }

  async function sendArchive(file, item) {
    const bar = item.querySelector("progress");
    try {
      const result = await upload(endpoint, request("archive", file), (sent, total) => fill(bar, sent, total));
      table.show(result);
      show(item, "added", unpackingText());
      await followArchive(result.id, item);
    } catch (error) {
      refuse(item, error);
    }
  }

  async function followArchive(id, item) {
    const bar = item.querySelector("progress");
    for (;;) {
      const state = await api(`${uploads}${id}/`);
      const view = archiveView(state);
      fill(bar, view.done, view.total);
      show(item, view.outcome, view.message);
      if (view.unpacked) {
        if (state.refused) await listRefused(id, item);
        for (const [name, delta] of Object.entries(archiveTotals(state))) count(name, delta);
        if (view.processing) followArchiveProcessing(id, item, state.processed);
        return;
      }
      await pause(POLL_MS);
    }
  }

  async function followArchiveProcessing(id, item, counted) {
    for (;;) {
      await pause(POLL_MS);
      const state = await api(`${uploads}${id}/`);
      count("ready", state.processed - counted);
      counted = state.processed;
      const view = archiveView(state);
      show(item, view.outcome, view.message);
      if (!view.processing) return;
    }
  }

  async function listRefused(id, item) {
    const page = await api(`${uploads}${id}/entries/?outcome=refused&page_size=100`);
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
    for (;;) {
      if (waiting.size && uploadId) {
        try {
          const page = await api(`${uploads}${uploadId}/entries/?outcome=added&page_size=500`);
          for (const entry of processedEntries(page.results, waiting)) {
            const item = waiting.get(entry.item);
            waiting.delete(entry.item);
            if (entry.thumbnail) item.querySelector("img").src = entry.thumbnail;
            show(item, "added", processedText());
            count("ready");
          }
        } catch { /* the next round tries again */ }
      }
      await pause(POLL_MS);
    }
  }

  async function sendAll(files) {
    const jobs = [...files].map((file) => ({ file, item: row(file) }));
    const images = jobs.filter(({ file }) => !isArchive(file));
    for (const { file, item } of jobs.filter(({ file }) => isArchive(file))) sendArchive(file, item);
    if (!uploadId && images.length) {
      const first = images.shift(); // the first answer names the upload the others join
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
}
