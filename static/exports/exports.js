// Follows the exports a worker is still building: polls each one's API row every second and
// moves its bar; a finished one gets its size, hash and download link, a failed one its error,
// a cancelled one who cancelled it. The row's data-status shows its Cancel or Retry button
// (exports.css), and the "queued" notice of an export goes once it is no longer running.
// exportView (pure) says what a row shows; initExports wires it to the page. The figures are
// the server's (percent, size in bytes); static/core/format.js writes them for the reader.
import { api } from "../core/api.js";
import { formatNumber, formatPercent, formatSize } from "../core/format.js";
import { gettext, interpolate } from "../core/i18n.js";

const POLL_MS = 1000;

export function statusLabel(status) {
  switch (status) {
    case "running": return gettext("Running");
    case "done": return gettext("Done");
    case "failed": return gettext("Failed");
    case "cancelled": return gettext("Cancelled");
    default: return status;
  }
}

// What one export's row shows, from the export API's fields.
export function exportView(state) {
  const joining = state.status === "running" && state.chunks_total > 0
    && state.chunks_done === state.chunks_total;
  let count;
  if (joining) {
    count = interpolate(gettext("Joining %(chunks)s parts into the zip"), { chunks: formatNumber(state.chunks_total) });
  } else if (state.total || state.status !== "running") {
    count = interpolate(gettext("%(done)s of %(total)s items"),
      { done: formatNumber(state.done), total: formatNumber(state.total) });
  } else {
    count = gettext("Waiting for a worker");
  }
  return {
    percent: state.percent,
    percentText: formatPercent(state.percent),
    status: statusLabel(state.status),
    count,
    size: state.status === "done" && state.size ? formatSize(state.size) : "",
    following: state.status === "running",
  };
}

// The figures the server wrote into a row, in the export API's names.
function rowState(row) {
  const number = (name) => Number(row.dataset[name] || 0);
  return {
    status: row.dataset.status,
    percent: number("percent"),
    done: number("done"),
    total: number("total"),
    chunks_done: number("chunksDone"),
    chunks_total: number("chunksTotal"),
    size: number("size"),
  };
}

function showFigures(row, view) {
  const bar = row.querySelector("[role=progressbar]");
  bar.setAttribute("aria-valuenow", String(view.percent));
  bar.querySelector("span").style.width = `${view.percent}%`;
  row.querySelector(".percent").textContent = view.percentText;
  row.querySelector(".status").textContent = view.status;
  row.querySelector(".count").textContent = view.count;
  row.querySelector(".size").textContent = view.size;
}

function showResult(row, state) {
  if (state.status === "done") {
    const hash = document.createElement("code");
    hash.title = state.sha256;
    hash.textContent = `${state.sha256.slice(0, 12)}…`;
    row.querySelector(".sha").replaceChildren(hash);
    const link = document.createElement("a");
    link.className = "button";
    link.href = state.download;
    link.download = "";
    link.textContent = gettext("Download");
    row.querySelector(".outcome").replaceChildren(link);
  } else if (state.status === "failed") {
    const error = document.createElement("span");
    error.className = "error";
    error.textContent = state.error;
    row.querySelector(".outcome").replaceChildren(error);
  } else if (state.status === "cancelled") {
    const note = document.createElement("span");
    note.className = "muted";
    note.textContent = state.cancelled_by
      ? interpolate(gettext("Cancelled by %(name)s"), { name: state.cancelled_by })
      : gettext("Cancelled");
    row.querySelector(".outcome").replaceChildren(note);
  }
}

// The page's "Export N is queued" notice, once export N is no longer running.
function dismissQueued(row) {
  const notice = document.querySelector(`.messages .queued-${row.dataset.export}`);
  if (!notice) return;
  const list = notice.parentElement;
  notice.remove();
  if (!list.children.length) list.remove();
}

async function follow(row) {
  for (;;) {
    try {
      const state = await api(row.dataset.url);
      row.dataset.status = state.status;
      showFigures(row, exportView(state));
      showResult(row, state);
      if (state.status !== "running") {
        dismissQueued(row);
        return;
      }
    } catch (error) {
      if (error.status === 404) return; // gone, or no longer visible: nothing left to follow
      // anything else (a dropped connection, a restart) is tried again on the next round
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

export function initExports(page) {
  for (const row of page.querySelectorAll("tr[data-export]")) {
    const view = exportView(rowState(row));
    showFigures(row, view);
    if (view.following) follow(row);
    else dismissQueued(row);
  }
  page.dataset.ready = "true"; // every running export is followed (tests wait for this)
}
