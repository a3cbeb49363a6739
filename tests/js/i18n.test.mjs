// static/core/i18n.js: the catalogue is read when a string is asked for, never at import.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { gettext, interpolate, ngettext } from "../../static/core/i18n.js";

afterEach(() => { delete globalThis.django; });

test("without a catalogue the English text comes back", () => {
  assert.equal(gettext("Waiting"), "Waiting");
  assert.equal(ngettext("%(size)s byte", "%(size)s bytes", 1), "%(size)s byte");
  assert.equal(ngettext("%(size)s byte", "%(size)s bytes", 2), "%(size)s bytes");
  assert.equal(ngettext("%(size)s byte", "%(size)s bytes", 0), "%(size)s bytes");
});

test("a catalogue loaded after the import is the one used", () => {
  // the shape of Django's JavaScriptCatalog: django.gettext and django.ngettext
  const catalog = { Waiting: "대기 중", "%(size)s byte": ["%(size)s바이트"] };
  globalThis.django = {
    gettext: (msgid) => catalog[msgid] ?? msgid,
    ngettext: (singular, plural, count) => catalog[singular]?.[0] ?? (count === 1 ? singular : plural),
  };

  assert.equal(gettext("Waiting"), "대기 중");
  assert.equal(gettext("Uploading"), "Uploading");
  assert.equal(ngettext("%(size)s byte", "%(size)s bytes", 5), "%(size)s바이트");
});

test("interpolate fills named placeholders, in any order a translation puts them", () => {
  const korean = "항목 %(total)s개 중 %(done)s개";

  assert.equal(interpolate(korean, { done: 5, total: 14 }), "항목 14개 중 5개");
  assert.equal(interpolate("%(done)s of %(done)s", { done: "1,000" }), "1,000 of 1,000");
});

test("a placeholder without a value stays visible, not 'undefined'", () => {
  assert.equal(interpolate("%(done)s of %(total)s items", { done: 3 }), "3 of %(total)s items");
  assert.equal(interpolate("%(toString)s", {}), "%(toString)s");
});
