// static/labeling/task_info.js: a question checked as the server checks it, today's figures
// written for the reader, and the markers of a returned task's comments.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  CROP_LIMIT, QUESTION_LIMIT, commentMarkers, cropError, cropName, figureRows, formatDuration,
  questionError, returnedLine, textLength,
} from "../../static/labeling/task_info.js";

const repo = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const returnedTask = JSON.parse(repo("tests/js/fixtures/returned_task.json"));
const figures = { done: 1234, released: 2, skipped: 0, median_active_seconds: 200.4 };

test("the limits are the server's own", () => {
  assert.match(repo("guides/models.py"), new RegExp(`^QUESTION_LIMIT = ${QUESTION_LIMIT.toLocaleString("en").replace(",", "_")}$`, "m"));
  assert.match(repo("guides/services/questions.py"), new RegExp(`^CROP_LIMIT = ${CROP_LIMIT.toLocaleString("en").replaceAll(",", "_")}$`, "m"));
});

test("an empty or blank question is refused as the server refuses it", () => {
  assert.equal(questionError("").code, "empty");
  assert.equal(questionError(" \n\t ").code, "empty");
  assert.equal(questionError("   Is this one formula?  "), null);
});

test("the limit counts characters as Python does: a Korean syllable or an emoji is one", () => {
  assert.equal(textLength("수식😀"), 3);
  assert.equal(questionError("가".repeat(QUESTION_LIMIT)), null);
  assert.equal(questionError("😀".repeat(QUESTION_LIMIT)), null, "5,000 emoji are 10,000 UTF-16 units but allowed");

  const refused = questionError("a".repeat(QUESTION_LIMIT + 1), { locale: "en" });

  assert.equal(refused.code, "too_long");
  assert.equal(refused.message, "This text is limited to 5,000 characters.");
});

test("a crop of another type or over the byte limit is refused before it is sent", () => {
  assert.equal(cropError({ type: "image/png", size: CROP_LIMIT }), null);
  assert.match(cropError({ type: "image/png", size: CROP_LIMIT + 1 }, { locale: "en" }), /5,000,000 bytes/);
  assert.match(cropError({ type: "image/svg+xml", size: 10 }), /PNG, JPEG or WebP/);
  assert.equal(cropName({ type: "image/jpeg" }), "crop.jpg");
  assert.equal(cropName({ type: "image/webp" }), "crop.webp");
});

test("durations read as the locale writes them, in English and Korean", () => {
  assert.equal(formatDuration(200.4, { locale: "en" }), "3 min 20 sec");
  assert.equal(formatDuration(200.4, { locale: "ko" }), "3분 20초");
  assert.equal(formatDuration(42, { locale: "en" }), "42 sec");
  assert.equal(formatDuration(180, { locale: "ko" }), "3분");
  assert.equal(formatDuration(3900, { locale: "en" }), "1 hr 5 min");
  assert.equal(formatDuration(0.3, { locale: "en" }), "0 sec");
});

test("today's figures: counts grouped for the locale, the median as a duration", () => {
  const rows = figureRows(figures, { locale: "en" });

  assert.deepEqual(rows.map((row) => row.key), ["done", "released", "skipped", "median"]);
  assert.deepEqual(rows.map((row) => row.value), ["1,234", "2", "0", "3 min 20 sec"]);
  assert.equal(figureRows(figures, { locale: "ko" })[3].value, "3분 20초");
});

test("a day with nothing done has no median, said in words", () => {
  const rows = figureRows({ ...figures, done: 0, median_active_seconds: null }, { locale: "en" });

  assert.equal(rows[3].value, "None yet");
});

test("comment markers group a returned task's comments by region, leaving out the whole-photo ones", () => {
  const markers = commentMarkers(returnedTask.review);

  assert.deepEqual([...markers.keys()], ["r1", "r2"]);
  assert.deepEqual(markers.get("r1"), ["The box cuts the fraction bar.", "<img src=x onerror=alert(1)> stays text"]);
  assert.deepEqual(markers.get("r2"), ["x^2 + 1, not x^2+l."]);
});

test("a task that was not returned has no markers, and the review is left as it was", () => {
  const before = JSON.stringify(returnedTask.review);

  assert.equal(commentMarkers(undefined).size, 0);
  assert.equal(commentMarkers({ comments: [] }).size, 0);
  commentMarkers(returnedTask.review).get("r1").push("x");
  assert.equal(JSON.stringify(returnedTask.review), before);
});

test("the returned line names the reviewer and when", () => {
  const line = returnedLine(returnedTask.review, { locale: "en" });

  assert.match(line, /^Returned by Kim Reviewer, \d+\/\d+\/26, .+\.$/);
  assert.equal(returnedLine({ reviewer: null, returned_at: null }), "Returned by the reviewer.");
});
