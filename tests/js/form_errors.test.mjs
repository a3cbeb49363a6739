// The refused-form script focuses the first field in error, or scrolls to the form's refusal.
import assert from "node:assert/strict";
import { test } from "node:test";

import { showRefusal, showRefusalOnLoad } from "../../static/core/form_errors.js";

function element(log, name) {
  return {
    focus: () => log.push(`focus ${name}`),
    scrollIntoView: () => log.push(`scroll ${name}`),
  };
}

function page(found) {
  return { querySelector: (selector) => found[selector] ?? null };
}

test("the first field in error is scrolled to and takes the focus", () => {
  const log = [];
  const root = page({
    'form [aria-invalid="true"]': element(log, "quota"),
    'form .error[role="alert"]': element(log, "alert"),
  });

  showRefusal(root);

  assert.deepEqual(log, ["scroll quota", "focus quota"]);
});

test("a refusal of the whole form is scrolled to", () => {
  const log = [];

  showRefusal(page({ 'form .error[role="alert"]': element(log, "alert") }));

  assert.deepEqual(log, ["scroll alert"]);
});

test("on a page still loading it waits for the load event", () => {
  const log = [];
  const listeners = {};
  const win = {
    document: { readyState: "interactive", ...page({ 'form [aria-invalid="true"]': element(log, "name") }) },
    addEventListener: (name, listener) => { listeners[name] = listener; },
    requestAnimationFrame: (callback) => callback(),
  };

  showRefusalOnLoad(win);
  assert.deepEqual(log, []);
  listeners.load();

  assert.deepEqual(log, ["scroll name", "focus name"]);
});
