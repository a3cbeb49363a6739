// The live KaTeX preview of a LaTeX attribute, as pure logic: render a source with the same
// KaTeX build and options as the server's validator (static/datasets/katex_options.json, read
// by datasets/latex.py too), keep the last good rendering when the source stops parsing,
// debounce renders while the annotator types (none during IME composition), and notice Korean
// letters outside \text{…} (the Hangul input source left on).
//
// A parse error comes back as plain text fields — KaTeX's message contains the user's source —
// so the page must show it with textContent, never innerHTML. Only the HTML of a successful
// render is KaTeX's own output (trust off: \href, \url and \htmlData stay inert).

import { gettext, interpolate } from "../core/i18n.js";

export const PREVIEW_DELAY_MS = 150;
export const PREVIEW_MAX_WAIT_MS = 1000;
// The server's cap on one formula (MAX_SOURCE_LENGTH in datasets/latex.py).
export const MAX_SOURCE_LENGTH = 4000;

// The pinned npm KaTeX as an ES module and the shared options, fetched when the page asks
// (static files: vendor/katex/ is node_modules/katex/dist, see STATICFILES_DIRS).
export async function loadKatex(load = (url) => import(url)) {
  const module = await load(new URL("../vendor/katex/katex.mjs", import.meta.url).href);
  return module.default ?? module;
}

export async function loadKatexOptions(fetcher = globalThis.fetch) {
  const response = await fetcher(new URL("../datasets/katex_options.json", import.meta.url).href);
  return response.json();
}

// { html } or { error: { message, position, length } } (position: the offset in the source
// where KaTeX stopped, or null when it names none). Only KaTeX's ParseError is an answer;
// anything else is a bug and is thrown on. Options as the server forces them: errors throw,
// trust off, a fresh macros table each time (\gdef must not leak between renders); a source
// longer than the server takes is refused unrendered, as the server refuses it.
export function renderLatex(katex, options, source, { maxLength = MAX_SOURCE_LENGTH } = {}) {
  if (source.length > maxLength) {
    const message = interpolate(gettext("LaTeX longer than %(limit)s characters is refused."), { limit: maxLength });
    return { error: { message, position: maxLength, length: source.length - maxLength } };
  }
  const settings = { ...options, throwOnError: true, trust: false, macros: { ...(options.macros ?? {}) } };
  try {
    return { html: katex.renderToString(source, settings) };
  } catch (error) {
    if (!(error instanceof katex.ParseError)) throw error;
    return {
      error: {
        message: String(error.rawMessage ?? error.message),
        position: Number.isInteger(error.position) ? error.position : null,
        length: Number.isInteger(error.length) ? error.length : null,
      },
    };
  }
}

// The error as one sentence for the status line (text, not HTML): KaTeX's message and the
// character it stopped at, counted from 1.
export function errorText(error) {
  if (error.position === null) return error.message;
  return interpolate(gettext("%(message)s (at character %(position)s)"), { message: error.message, position: error.position + 1 });
}

// The preview after a render: a good one replaces the shown HTML; an error keeps the last good
// HTML, marked stale (shown dimmed) and invalid (aria-invalid on the field).
export function nextPreview(previous, result) {
  if ("html" in result) return { html: result.html, error: null, stale: false, invalid: false };
  const html = previous?.html ?? null;
  return { html, error: result.error, stale: html !== null, invalid: true };
}

// --- Korean input mode -----------------------------------------------------------------

const HANGUL = /[\u1100-\u11FF\u3130-\u318F\uA960-\uA97F\uAC00-\uD7A3\uD7B0-\uD7FF\uFFA0-\uFFDC]/u;
const TEXT_COMMANDS = new Set(["text", "textrm", "textsf", "texttt", "textnormal", "textbf", "textit", "textup", "textmd", "mbox", "hbox"]);

// The offset of the first Korean letter (jamo or syllable) outside \text{…} and its kin, or
// null: `\ㄹㄱㅁㅊ` is `\frac` typed with the Hangul input source on.
export function hangulOutsideText(source) {
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    if (char === "\\") {
      const name = /^[a-zA-Z]+/.exec(source.slice(index + 1))?.[0] ?? "";
      if (TEXT_COMMANDS.has(name)) {
        let at = index + 1 + name.length;
        while (source[at] === " ") at += 1;
        if (source[at] === "{") {
          index = closingBrace(source, at) + 1;
          continue;
        }
      }
      if (name) {
        index += 1 + name.length;
        continue;
      }
      // a control symbol (\{, \\, \,) is skipped whole; \ㄹ leaves the letter to be found
      const next = source[index + 1];
      index += next !== undefined && !HANGUL.test(next) ? 2 : 1;
      continue;
    }
    if (HANGUL.test(char)) return index;
    index += 1;
  }
  return null;
}

function closingBrace(source, open) {
  let depth = 0;
  for (let at = open; at < source.length; at += 1) {
    if (source[at] === "\\") at += 1;
    else if (source[at] === "{") depth += 1;
    else if (source[at] === "}" && --depth === 0) return at;
  }
  return source.length;
}

// The hint the field shows while Korean letters sit outside \text{…}, or null.
export function inputModeHint(source) {
  if (hangulOutsideText(source) === null) return null;
  return gettext("Check your input mode (Korean/English): Korean letters outside \\text{…} are not LaTeX.");
}

// --- debouncing --------------------------------------------------------------------------

// Renders the field's source some `delay` ms after the last input (and at least every
// `maxWait` ms during a long burst); never while an IME composes, at once on compositionend.
// `render(source)` does the work; `renders` counts them (the page exposes it for check 21).
// The clock and timers are injectable, so tests run without waiting.
export function createPreviewScheduler({
  render,
  delay = PREVIEW_DELAY_MS,
  maxWait = PREVIEW_MAX_WAIT_MS,
  now = () => performance.now(),
  schedule = (callback, ms) => setTimeout(callback, ms),
  cancel = (handle) => clearTimeout(handle),
}) {
  let pending = null; // the source not rendered yet
  let lastRendered = null;
  let burstStart = null;
  let timer = null;
  let composing = false;
  let renders = 0;

  function stop() {
    if (timer !== null) cancel(timer);
    timer = null;
  }

  function run() {
    stop();
    burstStart = null;
    if (pending === null) return;
    const source = pending;
    pending = null;
    if (source === lastRendered) return;
    lastRendered = source;
    renders += 1;
    render(source);
  }

  return {
    // On every input event, with the field's value and the event's isComposing.
    input(source, { composing: inComposition = false } = {}) {
      pending = source;
      if (composing || inComposition) return stop();
      const time = now();
      burstStart ??= time;
      stop();
      const wait = Math.max(0, Math.min(delay, burstStart + maxWait - time));
      timer = schedule(run, wait);
    },
    compositionStart() {
      composing = true;
      stop();
    },
    compositionEnd(source) {
      composing = false;
      pending = source;
      run();
    },
    // Render what is pending now (the field loses focus, the task is submitted).
    flush: run,
    dispose() {
      stop();
      pending = null;
    },
    get renders() { return renders; },
    get composing() { return composing; },
  };
}
