// static/core/errors.js: where an ApiError's messages go.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../../static/core/api.js";
import { errorMessage, placeErrors } from "../../static/core/errors.js";

const body = (message, fields = {}) => ({ error: { code: "unknown_category", message, fields } });
const known = (...names) => (name) => names.includes(name);

test("a field message goes beside its field and nothing to the notice", () => {
  const error = new ApiError(400, body("Unknown category “capture=x”.", { categories: "Unknown category “capture=x”." }));

  assert.deepEqual(placeErrors(error, known("categories")), {
    beside: { categories: "Unknown category “capture=x”." },
    notice: null,
  });
});

test("a message for a field the page does not have goes to the notice, as the whole message", () => {
  const error = new ApiError(400, body("None of the 2 files was accepted.", { "a.jpg": "Not an image.", categories: "One category per axis." }));

  assert.deepEqual(placeErrors(error, known("categories")), {
    beside: { categories: "One category per axis." },
    notice: "None of the 2 files was accepted.",
  });
});

test("an error without fields is a notice", () => {
  const error = new ApiError(409, body("Export 3 is not finished yet."));

  assert.deepEqual(placeErrors(error, known("stage")), { beside: {}, notice: "Export 3 is not finished yet." });
});

test("no answer, an answer without the error shape, and a bug each get a sentence", () => {
  assert.match(errorMessage(new ApiError(0, null)), /could not be reached/);
  assert.match(errorMessage(new ApiError(502, null)), /HTTP 502/);
  assert.equal(new ApiError(502, null).code, "unknown");
  assert.match(errorMessage(new TypeError("x is undefined")), /reload it and try again/);
  assert.match(placeErrors(undefined, known()).notice, /reload it and try again/);
});
