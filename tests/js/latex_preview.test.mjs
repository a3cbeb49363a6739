// static/labeling/latex_preview.js: the live preview with the server's KaTeX and options.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, test } from "node:test";

import katex from "../../node_modules/katex/dist/katex.mjs";
import {
  createPreviewScheduler, errorText, hangulOutsideText, inputModeHint, loadKatex,
  loadKatexOptions, nextPreview, renderLatex,
} from "../../static/labeling/latex_preview.js";

// the very file the server's validator reads (datasets/latex.py)
const OPTIONS_URL = new URL("../../static/datasets/katex_options.json", import.meta.url);
const OPTIONS = JSON.parse(readFileSync(OPTIONS_URL, "utf8"));

afterEach(() => { delete globalThis.django; });

test("a formula that parses comes back as KaTeX's HTML, with MathML for screen readers", () => {
  const result = renderLatex(katex, OPTIONS, "\\frac{a+b}{2}");

  assert.deepEqual(Object.keys(result), ["html"]);
  assert.match(result.html, /class="katex-display"/);
  assert.match(result.html, /<math/);
});

test("21: a half-typed \\frac{1}{ is a ParseError with its position, as data", () => {
  const result = renderLatex(katex, OPTIONS, "\\frac{1}{");

  assert.deepEqual(result, { error: { message: "Unexpected end of input in a macro argument, expected '}'", position: 9, length: 0 } });
  assert.equal(errorText(result.error), "Unexpected end of input in a macro argument, expected '}' (at character 10)");
});

test("21: an error keeps the last good rendering, dimmed and marked invalid; a fix clears it", () => {
  const good = nextPreview(null, renderLatex(katex, OPTIONS, "\\frac{1}{2}"));
  const broken = nextPreview(good, renderLatex(katex, OPTIONS, "\\frac{1}{"));
  const fixed = nextPreview(broken, renderLatex(katex, OPTIONS, "\\frac{1}{3}"));

  assert.deepEqual([broken.html, broken.stale, broken.invalid], [good.html, true, true]);
  assert.equal(broken.error.position, 9);
  assert.deepEqual([fixed.error, fixed.stale, fixed.invalid], [null, false, false]);
  assert.deepEqual(nextPreview(null, renderLatex(katex, OPTIONS, "\\frac{")), {
    html: null, error: renderLatex(katex, OPTIONS, "\\frac{").error, stale: false, invalid: true,
  });
});

test("22: \\href{javascript:…} renders no link, \\htmlData no attribute, whatever the options say", () => {
  const trusting = { ...OPTIONS, trust: true, strict: "ignore" };

  const link = renderLatex(katex, trusting, "\\href{javascript:alert(1)}{x}");
  assert.ok(!/<a[\s>]|href="/i.test(link.html), link.html);
  const url = renderLatex(katex, trusting, "\\url{javascript:alert(1)}");
  assert.ok(!/<a[\s>]|href="/i.test(url.html), url.html);
  const data = renderLatex(katex, trusting, "\\htmlData{x=1}{y}");
  assert.ok(!("html" in data && /data-x/.test(data.html)), JSON.stringify(data));
  // with the shared options (strict), the HTML extension is a parse error outright
  assert.match(renderLatex(katex, OPTIONS, "\\htmlData{x=1}{y}").error.message, /htmlExtension/);
});

test("22: an error holding <img onerror> source is text to show as text, never HTML", () => {
  const result = renderLatex(katex, OPTIONS, "\\text{<img src=x onerror=alert(1)>} \\frac{");

  assert.ok(!("html" in result));
  assert.equal(typeof result.error.message, "string");
  const environment = renderLatex(katex, OPTIONS, "\\begin{<img src=x onerror=alert(1)>}x\\end{a}");
  assert.deepEqual(environment.error, { message: "No such environment: <img src=x onerror=alert(1)>", position: 6, length: 30 });
  assert.equal(errorText(environment.error), "No such environment: <img src=x onerror=alert(1)> (at character 7)",
    "the source stays literal, neither escaped nor parsed: the page sets it as textContent");
});

test("only a ParseError is an answer; any other failure is thrown on", () => {
  const broken = { ParseError: katex.ParseError, renderToString() { throw new TypeError("bug"); } };

  assert.throws(() => renderLatex(broken, OPTIONS, "x"), TypeError);
});

test("renders use the server's options: strict refuses Korean in math mode; macros never leak", () => {
  assert.match(renderLatex(katex, OPTIONS, "가+1").error.message, /unicodeTextInMathMode/);
  assert.ok("html" in renderLatex(katex, OPTIONS, "\\text{가}+1"));

  const options = { ...OPTIONS, macros: {} };
  renderLatex(katex, options, "\\gdef\\leak{1}\\leak");
  assert.deepEqual(options.macros, {});
  assert.ok("error" in renderLatex(katex, options, "\\leak"));
});

test("a source longer than the server takes is refused unrendered, as the server refuses it", () => {
  const katexNeverCalled = { ParseError: katex.ParseError, renderToString() { throw new Error("rendered"); } };

  assert.deepEqual(renderLatex(katexNeverCalled, OPTIONS, "x".repeat(4001)).error,
    { message: "LaTeX longer than 4000 characters is refused.", position: 4000, length: 1 });
  assert.ok("html" in renderLatex(katex, OPTIONS, "x".repeat(4000)));
});

test("Korean letters outside \\text{…} are found; inside it they are fine", () => {
  assert.equal(hangulOutsideText("\\ㄹㄱㅁㅊ{1}{2}"), 1);
  assert.equal(hangulOutsideText("x + 가"), 4);
  assert.equal(hangulOutsideText("\\text{가나} + \\mbox {다} = \\textbf{{라}}"), null);
  assert.equal(hangulOutsideText("\\text{가} 나"), 9);
  assert.equal(hangulOutsideText("\\{ \\frac{1}{2} \\}"), null);
  assert.equal(hangulOutsideText("\\text{a\\}b} ㅎ"), 12);
  assert.equal(hangulOutsideText("\\text{unclosed 가"), null);

  globalThis.django = { gettext: (msgid) => (msgid.startsWith("Check your input mode") ? "한/영 입력 상태를 확인하세요" : msgid) };
  assert.equal(inputModeHint("\\ㄹㄱㅁㅊ"), "한/영 입력 상태를 확인하세요");
  assert.equal(inputModeHint("\\frac{1}{2}"), null);
});

// A clock and timers that move only when the test says so.
function fakeTime() {
  let time = 0;
  let next = 1;
  const timers = new Map();
  return {
    now: () => time,
    schedule: (callback, ms) => { timers.set(next, { at: time + ms, callback }); return next++; },
    cancel: (handle) => timers.delete(handle),
    advance(ms) {
      const end = time + ms;
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        time = due[1].at;
        due[1].callback();
      }
      time = end;
    },
  };
}

test("21: a 20-keystroke burst renders at most a few times, the last within 300 ms of the last key", () => {
  const clock = fakeTime();
  const rendered = [];
  const preview = createPreviewScheduler({ render: (source) => rendered.push([source, clock.now()]), ...clock });
  const formula = "\\frac{a+b}{c+d}+e^{2}";

  for (let n = 1; n <= 20; n += 1) {
    preview.input(formula.slice(0, n));
    clock.advance(60);
  }
  const lastKey = clock.now() - 60;
  clock.advance(1000);

  assert.ok(preview.renders >= 1 && preview.renders <= 3, `${preview.renders} renders`);
  const [source, at] = rendered.at(-1);
  assert.equal(source, formula.slice(0, 20));
  assert.ok(at - lastKey <= 300, `rendered ${at - lastKey} ms after the last key`);
});

test("no render during IME composition; one at once on compositionend", () => {
  const clock = fakeTime();
  const rendered = [];
  const preview = createPreviewScheduler({ render: (source) => rendered.push(source), ...clock });

  preview.input("\\text{");
  preview.compositionStart();
  preview.input("\\text{ㄱ", { composing: true });
  clock.advance(500);
  preview.input("\\text{가", { composing: true });
  clock.advance(500);
  assert.deepEqual(rendered, [], "the timer set before composition began is cancelled too");

  preview.compositionEnd("\\text{가");
  assert.deepEqual(rendered, ["\\text{가"]);
  assert.equal(preview.composing, false);
});

test("an unchanged source is not rendered again; flush renders what is pending; dispose drops it", () => {
  const clock = fakeTime();
  const rendered = [];
  const preview = createPreviewScheduler({ render: (source) => rendered.push(source), ...clock });

  preview.input("x");
  clock.advance(200);
  preview.input("x");
  clock.advance(200);
  preview.input("y");
  preview.flush();
  preview.input("z");
  preview.dispose();
  clock.advance(1000);

  assert.deepEqual(rendered, ["x", "y"]);
  assert.equal(preview.renders, 2);
});

test("the browser loads the pinned KaTeX and the shared options beside the static files", async () => {
  const asked = [];
  const module = await loadKatex(async (url) => { asked.push(url); return { default: "katex" }; });
  const options = await loadKatexOptions(async (url) => { asked.push(url); return { json: async () => OPTIONS }; });

  assert.equal(module, "katex");
  assert.deepEqual(options, OPTIONS);
  assert.match(asked[0], /\/static\/vendor\/katex\/katex\.mjs$/);
  assert.equal(asked[1], OPTIONS_URL.href);
});
