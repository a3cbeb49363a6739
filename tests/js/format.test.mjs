// static/core/format.js: the server's figures written for the reader's locale.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import {
  formatDateTime, formatNumber, formatPercent, formatSize, pageLocale,
} from "../../static/core/format.js";

afterEach(() => { delete globalThis.document; });

test("the locale is the page's <html lang>, read when a figure is formatted", () => {
  assert.equal(pageLocale(), "en"); // no page (Node): English
  globalThis.document = { documentElement: { lang: "de" } };

  assert.equal(pageLocale(), "de");
  assert.equal(formatNumber(12345), "12.345");
  assert.equal(formatSize(1536), "1,5 KB");
});

test("numbers are grouped for the locale", () => {
  assert.equal(formatNumber(1234567, { locale: "en" }), "1,234,567");
  assert.equal(formatNumber(1234567, { locale: "ko" }), "1,234,567");
  assert.equal(formatNumber(2.25, { locale: "en", digits: 1 }), "2.3");
});

test("a whole percent from the server is written as a percent", () => {
  assert.equal(formatPercent(35, { locale: "en" }), "35%");
  assert.equal(formatPercent(100, { locale: "ko" }), "100%");
  assert.match(formatPercent(0, { locale: "fr" }), /^0\s%$/u); // French spaces its sign
});

for (const [bytes, text] of [
  [0, "0 bytes"],
  [1, "1 byte"],
  [900, "900 bytes"],
  [1023, "1,023 bytes"],
  [1024, "1.0 KB"],
  [2048, "2.0 KB"],
  [3 * 1024 ** 2 / 2, "1.5 MB"],
  [5 * 1024 ** 2, "5.0 MB"],
  [3 * 1024 ** 3, "3.0 GB"],
  [2 * 1024 ** 4, "2.0 TB"],
  [5000 * 1024 ** 4, "5,000.0 TB"],
]) {
  test(`${bytes} bytes is written "${text}": the largest unit it fills, one decimal`, () => {
    assert.equal(formatSize(bytes, { locale: "en" }), text);
  });
}

test("a size that would round up to 1024 of a unit is written in the next unit", () => {
  assert.equal(formatSize(1024 ** 2 - 1, { locale: "en" }), "1.0 MB");
  assert.equal(formatSize(1024 ** 2 - 40, { locale: "en" }), "1.0 MB"); // 1,023.96 KB
  assert.equal(formatSize(1024 ** 2 - 200, { locale: "en" }), "1,023.8 KB"); // 1,023.80
});

test("a size's words come from the catalogue", () => {
  const catalog = { "%(size)s byte": ["%(size)s바이트"], "%(size)s MB": "%(size)s 메가" };
  globalThis.django = {
    gettext: (msgid) => catalog[msgid] ?? msgid,
    ngettext: (singular, plural, count) => catalog[singular]?.[0] ?? (count === 1 ? singular : plural),
  };
  try {
    assert.equal(formatSize(7, { locale: "ko" }), "7바이트");
    assert.equal(formatSize(1024 ** 2, { locale: "ko" }), "1.0 메가");
  } finally {
    delete globalThis.django;
  }
});

test("a moment is a short date and time in the reader's locale and time zone", () => {
  const iso = "2026-12-02T01:05:00+00:00";
  const expected = new Intl.DateTimeFormat("ko", { dateStyle: "short", timeStyle: "short" })
    .format(new Date(iso));

  assert.equal(formatDateTime(iso, { locale: "ko" }), expected);
  assert.match(formatDateTime(iso, { locale: "en" }), /\d{1,2}\/\d{1,2}\/\d{2}, \d{1,2}:\d{2}/);
});
