// The labeling tool's save layer: every change is kept in this browser at once and sent as a
// draft soon after (`delay` after the last change, at most `maxWait` after the first unsent one),
// one request at a time, each based on the version the previous one returned. A save that fails
// keeps the work: no connection (or a 5xx) retries with backoff, signed out waits for retry()
// (the page calls it on online, focus and visible), another tab's save (409 stale_version) holds
// both versions until resolve(), a task no longer theirs (404, another 409) stops. Pure: the
// clock, timers, storage and the request are passed in.
//
// States reported through onState(state, detail): "saved" (detail: the server's answer),
// "saving", "unsaved", "offline", "signed-out", "conflict" ({ mine, theirs: { annotation,
// version } }), "lost" and "refused" (detail: { code, message, error }). The state the saver
// starts in is reported in a microtask, so onState may use the saver.
import { localDraft, removeDraft, writeDraft } from "../core/drafts.js";

export { clearDrafts, localDraft } from "../core/drafts.js";

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
const SIGNED_OUT = new Set(["not_authenticated", "authentication_failed", "csrf", "csrf_failed"]);

// A document's text whatever the order of its keys (the server may write them in another).
function text(value) {
  const sorted = (key, item) => (item && typeof item === "object" && !Array.isArray(item)
    ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : item);
  return JSON.stringify(value, sorted);
}

// What a failed send means. DRF answers an anonymous request 401 (the token scheme is first)
// and a session whose CSRF token is stale 403 "CSRF Failed: …" (code permission_denied).
export function failureOf(error) {
  const status = error?.status ?? 0;
  const message = String(error?.message ?? error?.error?.message ?? "");
  if (status === 0 || status === 429 || status >= 500) return "offline";
  if (status === 401 || (status === 403 && (SIGNED_OUT.has(error.code) || message.startsWith("CSRF")))) return "signed-out";
  if (status === 409 && error.code === "stale_version" && error.error?.current) return "conflict";
  if (status === 403 || status === 404 || status === 409) return "lost";
  return "refused";
}

// Whether the page, opening a task, restores the local copy over the server's document:
// - null: there is none, or it holds what the server has (the copy is dropped);
// - "restore": it is based on the server's version or a later one, so it is the newest work
//   (a save that never arrived, a reload before the debounce): load it and save it;
// - "conflict": the server moved on since the copy's base (another tab, or a save whose answer
//   was lost on the way): show both and let the annotator choose, never drop either.
export function draftToRestore(local, server) {
  if (!local || text(local.annotation) === text(server.annotation)) return null;
  return Number(local.base) >= Number(server.version) ? "restore" : "conflict";
}

export function createSaver({
  user, task, version, annotation, send,
  storage = globalThis.localStorage, delay = 800, maxWait = 2000,
  now = () => Date.now(), schedule = (run, ms) => setTimeout(run, ms), cancel = (id) => clearTimeout(id),
  onState = () => {},
}) {
  const where = { user, task };
  let current = annotation;
  let changes = 0; // changes made …
  let acked = 0; // … and how many of them the server has
  let state = "saved";
  let detail = null;
  let told = false;
  let timer = null;
  let firstUnsent = null;
  let lastChange = 0;
  let flight = null;
  let keepaliveNext = false;
  let failures = 0;
  let stopped = false;
  let paused = false; // a submit is under way: it carries the annotation itself

  const local = localDraft(storage, where);
  const found = draftToRestore(local, { annotation, version });
  if (found) {
    current = local.annotation;
    changes = 1;
    if (found === "conflict") {
      detail = { mine: current, theirs: { annotation, version } };
      state = "conflict";
      version = Number(local.base);
    } else {
      state = "unsaved";
      firstUnsent = lastChange = now();
      plan();
    }
  } else if (local) removeDraft(storage, where);
  queueMicrotask(() => {
    if (!told && !stopped) set(state, detail);
  });

  function set(next, more = null) {
    if (told && next === state && more === detail) return;
    told = true;
    state = next;
    detail = more;
    onState(next, more);
  }

  function keep() {
    writeDraft(storage, { user, task, base: version, annotation: current, at: now() });
  }

  function halt() {
    if (timer !== null) cancel(timer);
    timer = null;
  }

  function wait(ms, run) {
    halt();
    timer = schedule(() => {
      timer = null;
      run();
    }, Math.max(0, ms));
  }

  function plan() {
    if (flight || stopped || paused || changes === acked) return;
    wait(Math.min(lastChange + delay, (firstUnsent ?? lastChange) + maxWait) - now(), push);
  }

  async function attempt(body, keepalive) {
    try {
      const answer = await send(body, { keepalive });
      // an answer without a version is no acknowledgement: keep the work and try again
      return Number.isInteger(answer?.version) ? { answer } : { error: { status: 0, code: "no_version", error: {} } };
    } catch (error) {
      return { error: error ?? {} };
    }
  }

  function push() {
    halt();
    const sent = changes;
    const keepalive = keepaliveNext;
    keepaliveNext = false;
    firstUnsent = null;
    set("saving");
    flight = attempt({ annotation: current, version }, keepalive).then(({ answer, error }) => {
      flight = null;
      if (stopped) return;
      if (error) failed(error);
      else saved(answer, sent);
    });
    return flight;
  }

  function saved(answer, sent) {
    version = answer.version;
    acked = sent;
    failures = 0;
    if (acked === changes) {
      removeDraft(storage, where); // the server has this very annotation
      set("saved", answer);
    } else {
      keep(); // the rest, now based on the new version
      set("unsaved");
      plan();
    }
  }

  function failed(error) {
    const next = failureOf(error);
    const about = { code: error.code, message: error.message, error };
    if (next === "conflict") {
      const theirs = error.error.current;
      // the server already holds this very work (the answer to an earlier save was lost)
      if (text(theirs.annotation) === text(current)) return saved(theirs, changes);
      return set("conflict", { ...about, mine: current, theirs });
    }
    if (next === "offline") {
      wait(BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)], push);
      failures += 1;
    }
    set(next, about);
  }

  function change(next) {
    if (stopped || (changes === acked && text(next) === text(current))) return;
    current = next;
    changes += 1;
    keep();
    if (state === "conflict") detail = { ...detail, mine: next };
    if (state === "conflict" || state === "lost") return;
    lastChange = now();
    firstUnsent ??= lastChange;
    if (state === "offline" || state === "signed-out") return; // the backoff or retry() sends it
    if (!flight) set("unsaved");
    plan();
  }

  // Send what is pending now, after the request in flight; resolves to the state then.
  async function flush({ keepalive = false } = {}) {
    if (keepalive) keepaliveNext = true;
    while (flight) await flight;
    if (!stopped && changes !== acked && state !== "conflict" && state !== "lost") await push();
    keepaliveNext = false;
    return state;
  }

  // Before a submit, which carries the annotation itself: no save starts, the one in flight
  // ends; resolves to the version the submit is based on. resume() when the submit failed.
  async function idle() {
    paused = true;
    halt();
    while (flight) await flight;
    return version;
  }

  function resume() {
    paused = false;
    plan();
  }

  async function resolve(choice) {
    if (state === "conflict") {
      const { theirs } = detail;
      version = theirs.version;
      if (choice === "theirs") {
        current = theirs.annotation;
        acked = changes;
        removeDraft(storage, where);
        set("saved", { ...theirs, adopted: true });
      } else {
        keep(); // mine, now based on theirs
        set("unsaved");
        await flush();
      }
    }
    return { annotation: current, version };
  }

  function dispose() {
    stopped = true;
    halt();
  }

  return {
    change,
    flush,
    idle,
    resume,
    retry: () => (state === "offline" || state === "signed-out" ? flush() : Promise.resolve(state)),
    resolve,
    // The local copy the saver took up on opening ("restore", or "conflict": mine), for the page
    // to load; null when it started from the server's document.
    restorable: () => (found ? { annotation: local.annotation, base: local.base, at: local.at, found } : null),
    forget() {
      dispose();
      removeDraft(storage, where);
    },
    dispose,
    get state() { return state; },
    get detail() { return detail; },
    get version() { return version; },
    get pending() { return changes !== acked; },
    get annotation() { return current; },
  };
}
