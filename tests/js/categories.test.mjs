// static/labeling/category_search.js: the categories panel's search and its IME-safe Enter.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createEnterGuard, letters, matchCategories, plain } from "../../static/labeling/category_search.js";
import { IME_GRACE_MS } from "../../static/labeling/keymap.js";

// names as planners typed them, Korean and English mixed
const AXES = [
  { slug: "capture", name: "촬영", categories: [
    { slug: "shadow", name: "그림자" }, { slug: "clean", name: "깨끗함" }, { slug: "glare", name: "Glare (반사)" },
  ] },
  { slug: "writing", name: "Writing", categories: [
    { slug: "print", name: "Printed" }, { slug: "hand", name: "손글씨" },
  ] },
];

const enter = (extra = {}) => ({ key: "Enter", code: "Enter", keyCode: 13, isComposing: false, timeStamp: 10_000, ...extra });

test("an empty query finds every category in taxonomy order", () => {
  assert.deepEqual(matchCategories(AXES, "  ").map((hit) => hit.category), ["shadow", "clean", "glare", "print", "hand"]);
});

test("a query finds categories by the name planners typed, Korean or English, in any case", () => {
  assert.deepEqual(matchCategories(AXES, "그림"), [{ axis: "capture", category: "shadow" }]);
  assert.deepEqual(matchCategories(AXES, "PRINT"), [{ axis: "writing", category: "print" }]);
  assert.deepEqual(matchCategories(AXES, "반사"), [{ axis: "capture", category: "glare" }]);
});

test("a query also finds a category by its slug", () => {
  assert.deepEqual(matchCategories(AXES, "hand"), [{ axis: "writing", category: "hand" }]);
});

test("a syllable still being composed finds what it will become", () => {
  // 그림 typed: 그 → 글 (ㄹ as a final until ㅣ comes) → 그리 → 그림
  // 손글씨 holds 글 as typed and comes first; 그림자 holds it letter by letter
  assert.deepEqual(matchCategories(AXES, "글"), [{ axis: "writing", category: "hand" }, { axis: "capture", category: "shadow" }]);
  assert.deepEqual(matchCategories(AXES, "그리").map((hit) => hit.category), ["shadow"]);
  assert.deepEqual(matchCategories(AXES, "ㄲ").map((hit) => hit.category), ["clean"]);
});

test("a query found nowhere finds nothing", () => {
  assert.deepEqual(matchCategories(AXES, "zebra"), []);
});

test("syllables are spelled as the letters typed for them, compounds split", () => {
  assert.equal(letters("과"), "ㄱㅗㅏ");
  assert.equal(letters("닭"), "ㄷㅏㄹㄱ");
  assert.equal(letters("Ab 글"), "ab ㄱㅡㄹ");
  assert.equal(plain("  Glare   (반사) "), "glare (반사)");
});

test("5: the Enter that confirms a composition never picks; a second, plain Enter does", () => {
  const guard = createEnterGuard();

  assert.equal(guard.picks(enter({ isComposing: true, keyCode: 229, timeStamp: 1000 })), false); // Chrome, CDP path
  guard.compositionEnd(1001);
  assert.equal(guard.picks(enter({ keyCode: 229, timeStamp: 1002 })), false); // Safari: 229 after compositionend
  assert.equal(guard.picks(enter({ timeStamp: 1003 })), false); // Chrome's trailing 13 keydown, same press
  assert.equal(guard.picks(enter({ timeStamp: 1001 + IME_GRACE_MS })), true);
});

test("a plain Enter with no composition picks; Enter with a modifier is the page's", () => {
  const guard = createEnterGuard();

  assert.equal(guard.picks(enter()), true);
  assert.equal(guard.picks(enter({ ctrlKey: true })), false);
  assert.equal(guard.picks(enter({ metaKey: true })), false);
  assert.equal(guard.picks({ key: "a", code: "KeyA", keyCode: 65, timeStamp: 5 }), false);
});

test("without an event time the guard reads its own clock", () => {
  let time = 0;
  const guard = createEnterGuard({ now: () => time });
  guard.compositionEnd();
  time = IME_GRACE_MS - 1;
  assert.equal(guard.picks({ key: "Enter", keyCode: 13 }), false);
  time = IME_GRACE_MS;
  assert.equal(guard.picks({ key: "Enter", keyCode: 13 }), true);
});
