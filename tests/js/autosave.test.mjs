// static/labeling/autosave.js: the draft save layer, on a fake clock, a fake server and a fake
// localStorage; the errors are core/api.js's own ApiError, shaped as the server answers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../../static/core/api.js";
import { clearDrafts, createSaver, draftToRestore, failureOf, localDraft } from "../../static/labeling/autosave.js";

const USER = 3;
const TASK = 7;
const KEY = `groundwork.draft.${USER}.${TASK}`;
const doc = (n) => ({ regions: [{ id: `r${n}`, type: "formula", bbox: [n, n, 10, 10] }], categories: {} });
const EMPTY = { regions: [], categories: {} };
const settle = () => new Promise((done) => setImmediate(done));

function fakeClock() {
  let time = 0;
  let last = 0;
  const timers = new Map();
  return {
    now: () => time,
    schedule: (run, ms) => {
      last += 1;
      timers.set(last, { at: time + ms, run });
      return last;
    },
    cancel: (id) => timers.delete(id),
    get timers() { return timers.size; },
    async advance(ms) {
      const end = time + ms;
      await settle();
      for (;;) {
        const [id, due] = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0] ?? [];
        if (!due) break;
        timers.delete(id);
        time = due.at;
        due.run();
        await settle();
      }
      time = end;
    },
  };
}

function fakeStorage(entries = {}) {
  const map = new Map(Object.entries(entries));
  return {
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    setItem: (key, value) => map.set(key, String(value)),
    removeItem: (key) => map.delete(key),
    key: (index) => [...map.keys()][index] ?? null,
    get length() { return map.size; },
    map,
  };
}

// The draft endpoint as labeling/api/handout.py answers it. `down` makes every save fail with
// that error; `hold` keeps answers until release().
function fakeServer({ version = 0, annotation = EMPTY } = {}) {
  const server = { version, annotation, calls: [], down: null, hold: false, held: [] };
  const answer = (body) => {
    if (server.down) throw server.down;
    if (body.version !== server.version) {
      throw new ApiError(409, { error: { code: "stale_version", message: "Someone saved this annotation meanwhile.", current: { annotation: server.annotation, version: server.version }, yours: body.annotation } });
    }
    server.version += 1;
    server.annotation = body.annotation;
    return { task: TASK, version: server.version, saved_at: "2025-01-01T00:00:00Z", annotation: body.annotation };
  };
  server.send = (body, options) => {
    server.calls.push({ ...body, ...options });
    if (!server.hold) return Promise.resolve().then(() => answer(body));
    return new Promise((ok, fail) => server.held.push(() => {
      try { ok(answer(body)); } catch (error) { fail(error); }
    }));
  };
  server.release = async () => {
    server.held.shift()();
    await settle();
  };
  return server;
}

function setup({ server = fakeServer(), storage = fakeStorage(), user = USER } = {}) {
  const clock = fakeClock();
  const states = [];
  const saver = createSaver({
    user, task: TASK, version: server.version, annotation: server.annotation, send: server.send, storage,
    now: clock.now, schedule: clock.schedule, cancel: clock.cancel,
    onState: (state, detail) => states.push({ state, detail }),
  });
  return { saver, server, storage, clock, states };
}

const stored = (storage) => JSON.parse(storage.getItem(KEY));

test("a change is sent 800 ms after the last change, not before", async () => {
  const { saver, server, clock } = setup();

  saver.change(doc(1));
  await clock.advance(500);
  saver.change(doc(2));
  await clock.advance(799);
  assert.equal(server.calls.length, 0);
  await clock.advance(1);

  assert.deepEqual(server.calls.map((call) => call.annotation), [doc(2)]);
  assert.equal(saver.state, "saved");
});

test("changes without a pause still reach the server 2 s after the first", async () => {
  const { saver, server, clock } = setup();

  for (let step = 0; step < 4; step += 1) {
    saver.change(doc(step));
    await clock.advance(500); // typing on: the 800 ms pause never comes
  }

  assert.equal(clock.now(), 2000);
  assert.deepEqual(server.calls.map((call) => call.annotation), [doc(3)]);
});

test("the local copy is written on every change and removed once the server has it", async () => {
  const { saver, storage, clock } = setup();

  saver.change(doc(1));
  assert.deepEqual(stored(storage), { user: USER, task: TASK, base: 0, annotation: doc(1), at: 0 });
  await clock.advance(800);

  assert.equal(storage.getItem(KEY), null);
  assert.equal(saver.pending, false);
});

test("one request at a time: changes during it go after it, based on the version it returned", async () => {
  const server = fakeServer();
  server.hold = true;
  const { saver, storage, clock } = setup({ server });

  saver.change(doc(1));
  await clock.advance(800);
  saver.change(doc(2));
  await clock.advance(5000);
  assert.equal(server.calls.length, 1);
  assert.equal(saver.state, "saving");
  await server.release();
  assert.equal(stored(storage).base, 1); // the rest is kept, now based on version 1
  await clock.advance(0); // 2 s since the first unsent change have passed: sent at once
  await server.release();

  assert.deepEqual(server.calls.map((call) => [call.version, call.annotation]), [[0, doc(1)], [1, doc(2)]]);
  assert.equal(saver.version, 2);
  assert.equal(saver.state, "saved");
});

test("offline: the work stays local, saving retries with backoff and loses nothing", async () => {
  const server = fakeServer();
  server.down = new ApiError(0, null);
  const { saver, storage, clock, states } = setup({ server });

  saver.change(doc(1));
  await clock.advance(800);
  assert.equal(saver.state, "offline");
  saver.change(doc(2)); // kept, and sent by the retry rather than on its own
  assert.deepEqual(stored(storage).annotation, doc(2));
  await clock.advance(999);
  assert.equal(server.calls.length, 1);
  await clock.advance(1);
  assert.equal(server.calls.length, 2);
  server.down = null;
  await clock.advance(2000);

  assert.deepEqual(server.annotation, doc(2));
  assert.equal(saver.state, "saved");
  assert.equal(storage.getItem(KEY), null);
  assert.ok(states.some(({ state }) => state === "offline"));
});

test("offline: retry() sends at once when the connection returns", async () => {
  const server = fakeServer();
  server.down = new ApiError(0, null);
  const { saver, clock } = setup({ server });
  saver.change(doc(1));
  await clock.advance(800);

  server.down = null;
  assert.equal(await saver.retry(), "saved");

  assert.deepEqual(server.annotation, doc(1));
});

test("signed out: the work is kept and saved on retry() after signing in again", async () => {
  const server = fakeServer();
  server.down = new ApiError(401, { error: { code: "not_authenticated", message: "Authentication credentials were not provided." } });
  const { saver, storage, clock } = setup({ server });

  saver.change(doc(1));
  await clock.advance(800);
  assert.equal(saver.state, "signed-out");
  saver.change(doc(2));
  await clock.advance(60_000);
  assert.equal(server.calls.length, 1); // no retries until the page says the session may be back
  assert.deepEqual(stored(storage).annotation, doc(2));
  server.down = null; // signed in again in another tab; api() reads the new CSRF cookie
  await saver.retry();

  assert.equal(saver.state, "saved");
  assert.deepEqual(server.calls.at(-1), { annotation: doc(2), version: 0, keepalive: false });
});

test("a 403 CSRF failure counts as signed out, another 403 or a 404 as lost, a 5xx as offline", () => {
  const csrf = new ApiError(403, { error: { code: "permission_denied", message: "CSRF Failed: CSRF token missing." } });
  const denied = new ApiError(403, { error: { code: "permission_denied", message: "You may not." } });

  assert.equal(failureOf(csrf), "signed-out");
  assert.equal(failureOf(new ApiError(403, { error: { code: "not_authenticated" } })), "signed-out");
  assert.equal(failureOf(denied), "lost");
  assert.equal(failureOf(new ApiError(404, null)), "lost");
  assert.equal(failureOf(new ApiError(502, null)), "offline");
  assert.equal(failureOf(new ApiError(400, { error: { code: "invalid" } })), "refused");
});

function conflicted() {
  const server = fakeServer();
  const setting = setup({ server });
  server.version = 4; // another tab saved meanwhile
  server.annotation = doc(9);
  return setting;
}

test("a 409 from another tab keeps both versions and sends nothing more", async () => {
  const { saver, server, storage, clock, states } = conflicted();

  saver.change(doc(1));
  await clock.advance(800);
  saver.change(doc(2));
  await clock.advance(5000);

  assert.equal(saver.state, "conflict");
  assert.deepEqual(saver.detail.theirs, { annotation: doc(9), version: 4 });
  assert.deepEqual(saver.detail.mine, doc(2));
  assert.deepEqual(states.find(({ state }) => state === "conflict").detail.mine, doc(1));
  assert.equal(server.calls.length, 1);
  assert.deepEqual(stored(storage).annotation, doc(2));
});

test("resolving a conflict with mine sends mine based on their version", async () => {
  const { saver, server, clock } = conflicted();
  saver.change(doc(1));
  await clock.advance(800);

  const kept = await saver.resolve("mine");

  assert.deepEqual(server.calls.at(-1), { annotation: doc(1), version: 4, keepalive: false });
  assert.deepEqual(kept, { annotation: doc(1), version: 5 });
  assert.equal(saver.state, "saved");
});

test("resolving a conflict with theirs hands theirs to the page and drops the local copy", async () => {
  const { saver, server, storage, clock } = conflicted();
  saver.change(doc(1));
  await clock.advance(800);

  const adopted = await saver.resolve("theirs");

  assert.deepEqual(adopted, { annotation: doc(9), version: 4 });
  assert.equal(storage.getItem(KEY), null);
  assert.equal(saver.state, "saved");
  assert.equal(server.calls.length, 1);
  saver.change(doc(10));
  await clock.advance(800);
  assert.deepEqual(server.calls.at(-1), { annotation: doc(10), version: 4, keepalive: false });
});

test("a 409 whose current text is this very work is a save whose answer was lost, not a conflict", async () => {
  const server = fakeServer();
  const { saver, clock } = setup({ server });
  server.version = 1;
  server.annotation = { categories: {}, regions: doc(1).regions }; // the same, keys in another order

  saver.change(doc(1));
  await clock.advance(800);

  assert.equal(saver.state, "saved");
  assert.equal(saver.version, 1);
});

test("a task no longer theirs stops saving and keeps the local copy, with the server's message", async () => {
  const server = fakeServer();
  server.down = new ApiError(409, { error: { code: "task_cancelled", message: "This task was cancelled." } });
  const { saver, storage, clock } = setup({ server });

  saver.change(doc(1));
  await clock.advance(800);
  saver.change(doc(2));
  await clock.advance(60_000);
  await saver.retry();

  assert.equal(saver.state, "lost");
  assert.equal(saver.detail.message, "This task was cancelled.");
  assert.equal(server.calls.length, 1);
  assert.deepEqual(stored(storage).annotation, doc(2));
});

test("a refused draft (400) carries the error and the next change is tried again", async () => {
  const server = fakeServer();
  server.down = new ApiError(400, { error: { code: "locked_region", message: "Region r1 is locked.", fields: { "regions.r1": "locked" } } });
  const { saver, clock } = setup({ server });

  saver.change(doc(1));
  await clock.advance(800);
  assert.equal(saver.state, "refused");
  assert.deepEqual(saver.detail.error.fields, { "regions.r1": "locked" });
  server.down = null;
  saver.change(doc(2));
  await clock.advance(800);

  assert.equal(saver.state, "saved");
});

test("forget() after a submit clears the local copy and sends nothing more", async () => {
  const { saver, server, storage, clock } = setup();
  saver.change(doc(1));

  saver.forget();
  await clock.advance(5000);

  assert.equal(storage.getItem(KEY), null);
  assert.equal(server.calls.length, 0);
  assert.equal(clock.timers, 0);
});

test("flush() sends at once and passes keepalive through, also after a request in flight", async () => {
  const server = fakeServer();
  const { saver, clock } = setup({ server });
  saver.change(doc(1));
  await saver.flush({ keepalive: true });
  server.hold = true;
  saver.change(doc(2));
  await clock.advance(800);
  saver.change(doc(3));

  const flushed = saver.flush({ keepalive: true }); // pagehide while the save of doc(2) is out
  await server.release();
  await server.release();

  assert.equal(await flushed, "saved");
  assert.deepEqual(server.calls.map((call) => [call.annotation, call.keepalive]), [[doc(1), true], [doc(2), false], [doc(3), true]]);
  assert.equal(clock.now(), 800);
});

test("the starting state is reported once, in a microtask", async () => {
  const { states } = setup();
  assert.deepEqual(states, []);

  await settle();

  assert.deepEqual(states, [{ state: "saved", detail: null }]);
});

test("opening a task with a newer local copy restores it and saves it", async () => {
  const storage = fakeStorage({ [KEY]: JSON.stringify({ user: USER, task: TASK, base: 2, annotation: doc(1), at: 5 }) });
  const { saver, server, clock } = setup({ server: fakeServer({ version: 2, annotation: EMPTY }), storage });

  assert.deepEqual(saver.restorable().annotation, doc(1));
  await clock.advance(800);

  assert.deepEqual(server.calls, [{ annotation: doc(1), version: 2, keepalive: false }]);
});

test("opening a task the server saved since the local copy's base shows both", async () => {
  const storage = fakeStorage({ [KEY]: JSON.stringify({ user: USER, task: TASK, base: 1, annotation: doc(1), at: 5 }) });
  const { saver, server, states, clock } = setup({ server: fakeServer({ version: 3, annotation: doc(8) }), storage });
  await clock.advance(5000);

  assert.deepEqual(states, [{ state: "conflict", detail: { mine: doc(1), theirs: { annotation: doc(8), version: 3 } } }]);
  assert.equal(saver.restorable().found, "conflict");
  assert.equal(server.calls.length, 0);
  saver.change(doc(2)); // the page loads mine: a reload still finds the conflict
  assert.equal(stored(storage).base, 1);
});

test("draftToRestore: nothing, the same text, newer work, or a conflict", () => {
  const server = { annotation: doc(1), version: 3 };

  assert.equal(draftToRestore(null, server), null);
  assert.equal(draftToRestore({ base: 1, annotation: doc(1) }, server), null);
  assert.equal(draftToRestore({ base: 3, annotation: doc(2) }, server), "restore");
  assert.equal(draftToRestore({ base: 2, annotation: doc(2) }, server), "conflict");
});

test("another user's local copy is never returned, even under a key that looks like theirs", () => {
  const storage = fakeStorage({
    [KEY]: JSON.stringify({ user: USER, task: TASK, base: 0, annotation: doc(1), at: 0 }),
    "groundwork.draft.a.b.7": JSON.stringify({ user: "a.b", task: 7, base: 0, annotation: doc(2), at: 0 }),
    "groundwork.draft.5.7": JSON.stringify({ user: USER, task: 7, base: 0, annotation: doc(3), at: 0 }),
  });

  assert.equal(localDraft(storage, { user: 4, task: TASK }), null);
  assert.equal(localDraft(storage, { user: "a", task: "b.7" }), null);
  assert.equal(localDraft(storage, { user: 5, task: TASK }), null); // the copy says it is user 3's
  assert.deepEqual(localDraft(storage, { user: USER, task: TASK }).annotation, doc(1));
  const { saver } = setup({ storage, user: 4 });
  assert.equal(saver.restorable(), null);
});

test("clearDrafts removes one user's copies, or all Groundwork drafts, and nothing else", () => {
  const storage = fakeStorage({
    [KEY]: JSON.stringify({ user: USER, task: TASK, annotation: doc(1) }),
    "groundwork.draft.4.7": JSON.stringify({ user: 4, task: 7, annotation: doc(2) }),
    "groundwork.keys.3": "{}",
  });

  assert.equal(clearDrafts(storage, { user: 4 }), 1);
  assert.deepEqual([...storage.map.keys()], [KEY, "groundwork.keys.3"]);
  assert.equal(clearDrafts(storage), 1);
  assert.deepEqual([...storage.map.keys()], ["groundwork.keys.3"]);
});

test("idle before a submit: the save in flight ends, no new one starts until resume", async () => {
  const { createSaver } = await import("../../static/labeling/autosave.js");
  const timers = [];
  const sent = [];
  let answer;
  const saver = createSaver({
    user: 1, task: 2, version: 0, annotation: { regions: [] },
    send: (body) => { sent.push(body); return new Promise((done) => { answer = done; }); },
    storage: memoryStorage(),
    now: () => 0, schedule: (run) => { timers.push(run); return timers.length; }, cancel: () => {},
  });
  saver.change({ regions: [{ id: "r1" }] });
  timers.shift()(); // the debounce fires: one save in flight
  saver.change({ regions: [{ id: "r1" }, { id: "r2" }] });
  const idle = saver.idle();
  answer({ version: 1 });

  assert.equal(await idle, 1);
  assert.equal(sent.length, 1);
  for (const run of timers.splice(0)) run(); // nothing was planned while idle
  assert.equal(sent.length, 1);
  saver.resume();
  assert.equal(timers.length, 1);
});

function memoryStorage() {
  const data = new Map();
  return {
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => data.set(key, String(value)),
    removeItem: (key) => data.delete(key),
    key: (index) => [...data.keys()][index] ?? null,
    get length() { return data.size; },
  };
}
