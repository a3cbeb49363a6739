// What the upload page says about each file and each zip, and the running totals. Pure: the
// figures come from the upload API as it sends them; nothing here touches the page.
import { formatNumber } from "../core/format.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";

export const TOTALS = ["added", "duplicate", "refused", "ready"];

export function isArchive({ name, type }) {
  return type === "application/zip" || type === "application/x-zip-compressed" || /\.zip$/i.test(name);
}

export const waitingText = () => gettext("Waiting");
export const uploadingText = () => gettext("Uploading");
export const unpackingText = () => gettext("Unpacking");
export const processedText = () => gettext("Added and processed");

// One image's entry as the server registered it: the row's outcome and sentence, the total it
// counts towards, and whether its row waits for a worker to make the thumbnail.
export function fileOutcome(entry) {
  if (entry.outcome === "refused") {
    return { outcome: "refused", message: entry.message, total: "refused", waits: false };
  }
  if (entry.outcome === "duplicate") {
    return { outcome: "duplicate", message: gettext("Already in the dataset"), total: "duplicate", waits: false };
  }
  return { outcome: "added", message: gettext("Added; making thumbnail"), total: "added", waits: true };
}

// A zip's row while a worker unpacks it: the upload API's figures, written as a sentence.
export function archiveView(state) {
  const done = state.entries_done || 0;
  const total = state.entries_total || 0;
  const failed = state.status === "failed";
  const numbers = { done, total, added: state.added || 0, refused: state.refused || 0, processed: state.processed || 0 };
  const message = failed
    ? state.error
    : interpolate(
      gettext("%(done)s of %(total)s files: %(added)s added, %(refused)s refused, %(processed)s processed"),
      Object.fromEntries(Object.entries(numbers).map(([name, value]) => [name, formatNumber(value)])),
    );
  return {
    outcome: failed ? "refused" : "added",
    message,
    done,
    total,
    unpacked: failed || state.status === "done",
    processing: !failed && (state.processed || 0) < (state.added || 0),
  };
}

// What an unpacked zip adds to the page's totals.
export function archiveTotals(state) {
  return { added: state.added || 0, duplicate: state.duplicates || 0, refused: state.refused || 0, ready: state.processed || 0 };
}

// The page's totals: one per outcome, and the processed ones.
export function createTally() {
  const totals = Object.fromEntries(TOTALS.map((name) => [name, 0]));
  return {
    add(name, delta = 1) {
      totals[name] += delta;
      return totals[name];
    },
    get: (name) => totals[name],
  };
}

// The entries (of one page of the upload's added entries) whose row waits and whose item a
// worker has since processed.
export function processedEntries(results, waiting) {
  return results.filter((entry) => waiting.has(entry.item) && entry.processing !== "queued");
}

export function uploadStatusLabel(status) {
  switch (status) {
    case "receiving": return gettext("Receiving");
    case "unpacking": return gettext("Unpacking");
    case "done": return gettext("Done");
    case "failed": return gettext("Failed");
    default: return status;
  }
}

// One row of the "Recent uploads" table, from the upload API's fields: its cells' text, and
// whether a worker still has work on it (unpacking, or added files not yet processed).
export function uploadRowView(state) {
  const files = state.entries_total || state.entries_done || 0;
  const label = uploadStatusLabel(state.status);
  const running = state.status === "receiving" || state.status === "unpacking";
  return {
    who: state.created_by || "—",
    what: state.kind === "zip"
      ? state.archive_name
      : interpolate(ngettext("%(count)s file", "%(count)s files", files), { count: formatNumber(files) }),
    added: formatNumber(state.added || 0),
    duplicates: formatNumber(state.duplicates || 0),
    refused: formatNumber(state.refused || 0),
    processed: formatNumber(state.processed || 0),
    status: state.error ? `${label}: ${state.error}` : label,
    following: running || (state.status === "done" && (state.processed || 0) < (state.added || 0)),
  };
}
