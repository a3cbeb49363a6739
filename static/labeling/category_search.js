// The categories panel's search, pure: what a query finds (names planners typed, or slugs) and
// whether an Enter picks (never one that confirms an IME composition). Korean matches letter by
// letter, so 글 — 그림자 half typed, ㄹ a final until ㅣ comes — finds 그림자 (ㄱㅡㄹ…).

import { IME_GRACE_MS } from "./keymap.js";

const LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
const VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ";
const TAILS = ["", ..."ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"];
// compound letters typed as two keys, read as the two
const SPLIT = {
  "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ", "ㄾ": "ㄹㅌ",
  "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ", "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ",
  "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
};
const SYLLABLE_FIRST = 0xac00;
const SYLLABLE_LAST = 0xd7a3;

// Text as it is compared: NFC (NFKC would turn typed jamo into conjoining ones), lower case,
// spaces squeezed.
export function plain(text) {
  return String(text ?? "").normalize("NFC").toLocaleLowerCase().replace(/\s+/g, " ").trim();
}

// `plain` text with each syllable spelled as the letters typed for it (compounds split).
export function letters(text) {
  let out = "";
  for (const char of plain(text)) {
    const code = char.codePointAt(0);
    if (code >= SYLLABLE_FIRST && code <= SYLLABLE_LAST) {
      const index = code - SYLLABLE_FIRST;
      const parts = LEADS[Math.floor(index / 588)] + VOWELS[Math.floor((index % 588) / 28)] + TAILS[index % 28];
      for (const part of parts) out += SPLIT[part] ?? part;
    } else {
      out += SPLIT[char] ?? char;
    }
  }
  return out;
}

// [{ axis, category }] (slugs) a query finds in `axes` (the tool API's), taxonomy order: names or
// slugs holding it as typed first, then names holding it letter by letter; "" finds all.
export function matchCategories(axes, query) {
  const wanted = plain(query);
  const all = (axes ?? []).flatMap((axis) => (axis.categories ?? []).map((category) => ({ axis, category })));
  const found = ({ axis, category }) => ({ axis: axis.slug, category: category.slug });
  if (!wanted) return all.map(found);
  const spelled = letters(wanted);
  const direct = [];
  const byLetters = [];
  for (const entry of all) {
    const { name, slug } = entry.category;
    if (plain(name).includes(wanted) || plain(slug).includes(wanted)) direct.push(found(entry));
    else if (letters(name).includes(spelled)) byLetters.push(found(entry));
  }
  return [...direct, ...byLetters];
}

// Whether a keydown picks: a plain Enter (Ctrl/Cmd+Enter is the page's submit), not composing
// (isComposing, keyCode 229) and not within IME_GRACE_MS of compositionend (call compositionEnd).
export function createEnterGuard({ graceMs = IME_GRACE_MS, now = () => performance.now() } = {}) {
  let endedAt = null;
  return {
    compositionEnd(timeStamp = now()) {
      endedAt = timeStamp;
    },
    picks(event) {
      if (event.key !== "Enter" || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return false;
      if (event.isComposing || event.keyCode === 229) return false;
      const time = typeof event.timeStamp === "number" ? event.timeStamp : now();
      return endedAt === null || time < endedAt || time - endedAt >= graceMs;
    },
  };
}
