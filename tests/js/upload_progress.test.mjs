// static/datasets/upload_progress.js: what the upload page says, from the upload API's figures.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  archiveTotals, archiveView, createTally, fileOutcome, isArchive, processedEntries, uploadRowView,
} from "../../static/datasets/upload_progress.js";

test("a zip is known by its type or its name, whatever the browser calls it", () => {
  assert.ok(isArchive({ name: "photos.zip", type: "" }));
  assert.ok(isArchive({ name: "photos", type: "application/x-zip-compressed" }));
  assert.ok(isArchive({ name: "PHOTOS.ZIP", type: "application/octet-stream" }));
  assert.ok(!isArchive({ name: "zip.jpg", type: "image/jpeg" }));
});

test("each outcome of an image has its sentence and its total; only an added one waits", () => {
  assert.deepEqual(fileOutcome({ outcome: "added", item: 4 }),
    { outcome: "added", message: "Added; making thumbnail", total: "added", waits: true });
  assert.deepEqual(fileOutcome({ outcome: "duplicate", item: 4 }),
    { outcome: "duplicate", message: "Already in the dataset", total: "duplicate", waits: false });
  assert.deepEqual(fileOutcome({ outcome: "refused", message: "notes.jpg is not an image." }),
    { outcome: "refused", message: "notes.jpg is not an image.", total: "refused", waits: false });
});

test("a zip being unpacked shows the worker's figures as one sentence", () => {
  const view = archiveView({
    status: "running", entries_done: 1200, entries_total: 3000, added: 1100, refused: 100, processed: 40,
  });

  assert.equal(view.message, "1,200 of 3,000 files: 1,100 added, 100 refused, 40 processed");
  assert.deepEqual([view.outcome, view.done, view.total, view.unpacked], ["added", 1200, 3000, false]);
});

test("a zip the worker has not opened yet has no total", () => {
  const view = archiveView({ status: "running", entries_done: 0, entries_total: null });

  assert.equal(view.message, "0 of 0 files: 0 added, 0 refused, 0 processed");
  assert.equal(view.total, 0);
});

test("an unpacked zip keeps being followed until every added file is processed", () => {
  const base = { entries_done: 3, entries_total: 3, added: 2, refused: 1, duplicates: 0 };

  assert.deepEqual(
    [archiveView({ ...base, status: "done", processed: 1 }).unpacked, archiveView({ ...base, status: "done", processed: 1 }).processing],
    [true, true],
  );
  assert.equal(archiveView({ ...base, status: "done", processed: 2 }).processing, false);
  assert.deepEqual(archiveTotals({ ...base, status: "done", processed: 1 }),
    { added: 2, duplicate: 0, refused: 1, ready: 1 });
});

test("a failed zip shows the worker's error and is not followed", () => {
  const view = archiveView({ status: "failed", error: "The zip is damaged.", added: 0, processed: 0 });

  assert.deepEqual([view.outcome, view.message, view.unpacked, view.processing],
    ["refused", "The zip is damaged.", true, false]);
});

test("the tally adds up each total on its own", () => {
  const tally = createTally();
  tally.add("added");
  tally.add("added", 4);
  tally.add("refused");

  assert.deepEqual([tally.get("added"), tally.get("refused"), tally.get("ready")], [5, 1, 0]);
});

test("a waiting row is processed once its item is no longer queued, failed or ready", () => {
  const waiting = new Map([[1, "row 1"], [2, "row 2"], [3, "row 3"]]);
  const results = [
    { item: 1, processing: "ready" },
    { item: 2, processing: "queued" },
    { item: 3, processing: "failed" },
    { item: 9, processing: "ready" }, // another tab's file: not this page's row
  ];

  assert.deepEqual(processedEntries(results, waiting).map((entry) => entry.item), [1, 3]);
});

test("a row of recent uploads says what ended how, and is followed while work is left", () => {
  const files = uploadRowView({
    kind: "files", status: "done", entries_total: 3, added: 2, duplicates: 1, refused: 0,
    processed: 1, created_by: "planner", archive_name: "",
  });

  assert.deepEqual(files, {
    who: "planner", what: "3 files", added: "2", duplicates: "1", refused: "0", processed: "1",
    status: "Done", following: true,
  });
  assert.equal(uploadRowView({ ...files, kind: "files", status: "done", entries_total: 1, added: 1, processed: 1 }).what, "1 file");
  assert.equal(uploadRowView({ kind: "files", status: "done", added: 1, processed: 1 }).following, false);
});

test("a failed zip's row shows its error and is no longer followed", () => {
  const view = uploadRowView({
    kind: "zip", status: "failed", archive_name: "photos.zip", error: "The archive cannot be read.",
    created_by: null,
  });

  assert.deepEqual([view.what, view.status, view.who, view.following],
    ["photos.zip", "Failed: The archive cannot be read.", "—", false]);
  assert.equal(uploadRowView({ kind: "zip", status: "unpacking", archive_name: "a.zip" }).following, true);
});
