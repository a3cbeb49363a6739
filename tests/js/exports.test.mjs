// static/exports/exports.js: what an export's row shows, from the export API's fields.
import assert from "node:assert/strict";
import { test } from "node:test";

import { exportView, statusLabel } from "../../static/exports/exports.js";

const running = { status: "running", percent: 0, done: 0, total: 0, chunks_done: 0, chunks_total: 0, size: 0 };

test("an export no worker has started waits for one", () => {
  const view = exportView(running);

  assert.deepEqual([view.percentText, view.status, view.count, view.size, view.following],
    ["0%", "Running", "Waiting for a worker", "", true]);
});

test("a running export shows the server's percent and its counts", () => {
  const view = exportView({ ...running, percent: 35, done: 5000, total: 14000, chunks_total: 3, chunks_done: 1 });

  assert.equal(view.percent, 35);
  assert.equal(view.percentText, "35%");
  assert.equal(view.count, "5,000 of 14,000 items");
});

test("once every chunk is written the export is joining them", () => {
  const view = exportView({ ...running, percent: 99, done: 14, total: 14, chunks_total: 3, chunks_done: 3 });

  assert.equal(view.count, "Joining 3 parts into the zip");
});

test("a finished export shows its size; a failed one is no longer followed", () => {
  const done = exportView({ ...running, status: "done", percent: 100, done: 14, total: 14, size: 3 * 1024 ** 2 / 2 });
  const failed = exportView({ ...running, status: "failed", percent: 20, done: 3, total: 14, size: 0 });

  assert.deepEqual([done.percentText, done.status, done.count, done.size, done.following],
    ["100%", "Done", "14 of 14 items", "1.5 MB", false]);
  assert.deepEqual([failed.status, failed.count, failed.size, failed.following],
    ["Failed", "3 of 14 items", "", false]);
});

test("an unknown status is shown as the server sent it", () => {
  assert.equal(statusLabel("paused"), "paused");
});

test("a cancelled export reads as cancelled and is no longer followed", () => {
  const cancelled = exportView({ ...running, status: "cancelled", percent: 40, done: 6, total: 14 });

  assert.deepEqual([cancelled.status, cancelled.count, cancelled.following],
    ["Cancelled", "6 of 14 items", false]);
});
