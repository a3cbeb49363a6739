// Follows the exports a worker is still building: polls each one's API row every second and
// moves its bar; a finished one gets its size, hash and download link, a failed one its error.
import { api } from "../core/api.js";

const page = document.getElementById("export-page");
const text = JSON.parse(document.getElementById("export-text").textContent);
const POLL_MS = 1000;
const UNITS = [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]];

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
}

// The same words as size_label in exports/views.py.
function sizeLabel(size) {
  const [unit, scale] = UNITS.find(([, scale]) => size >= scale) || ["bytes", 1];
  return format(text.sizes[unit], { size: unit === "bytes" ? String(size) : (size / scale).toFixed(1) });
}

// Whole percent of the items written; only a finished export shows 100 (as percent_done).
function percent(state) {
  if (state.status === "done") return 100;
  return state.total ? Math.min(99, Math.floor((100 * state.done) / state.total)) : 0;
}

function show(row, state) {
  const value = percent(state);
  row.dataset.status = state.status;
  row.querySelector("[role=progressbar]").setAttribute("aria-valuenow", String(value));
  row.querySelector("[role=progressbar] span").style.width = `${value}%`;
  row.querySelector(".percent").textContent = `${value}%`;
  row.querySelector(".status").textContent = text.status[state.status] || state.status;
  const joining = state.status === "running" && state.chunks_total > 0
    && state.chunks_done === state.chunks_total;
  row.querySelector(".count").textContent = joining
    ? format(text.joining, { chunks: state.chunks_total })
    : state.total || state.status !== "running"
      ? format(text.count, { done: state.done, total: state.total })
      : text.waiting;
  if (state.status === "done") {
    row.querySelector(".size").textContent = sizeLabel(state.size);
    const hash = document.createElement("code");
    hash.title = state.sha256;
    hash.textContent = `${state.sha256.slice(0, 12)}…`;
    row.querySelector(".sha").replaceChildren(hash);
    const link = document.createElement("a");
    link.className = "button";
    link.href = state.download;
    link.download = "";
    link.textContent = text.download;
    row.querySelector(".result").replaceChildren(link);
  } else if (state.status === "failed") {
    const error = document.createElement("span");
    error.className = "error";
    error.textContent = state.error;
    row.querySelector(".result").replaceChildren(error);
  }
}

async function follow(row) {
  for (;;) {
    try {
      const state = await api(row.dataset.url);
      show(row, state);
      if (state.status !== "running") return;
    } catch (error) {
      if (error.status === 404) return; // gone, or no longer visible: nothing left to follow
      // anything else (a dropped connection, a restart) is tried again on the next round
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

for (const row of page.querySelectorAll("tr[data-export][data-status=running]")) follow(row);
page.dataset.ready = "true"; // every running export is followed (tests wait for this)
