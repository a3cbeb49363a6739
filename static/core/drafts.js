// The drafts kept in this browser: the labeling tool's copy of each task's work until the server
// has it, under `groundwork.draft.<user>.<task>` as { user, task, base, annotation, at } (base:
// the server's version the work is based on). Pure storage logic: the storage is passed in. A
// copy is only ever given back to the user who wrote it (annotators share computers), and
// signing out removes them all (static/core/page.js).
const PREFIX = "groundwork.draft.";

export const draftKey = (user, task) => `${PREFIX}${user}.${task}`;
const same = (a, b) => String(a) === String(b);

function parse(text) {
  try {
    const entry = JSON.parse(text);
    return entry && typeof entry === "object" && "annotation" in entry ? entry : null;
  } catch {
    return null;
  }
}

// The local copy of one user's task, or null (none, unreadable, or written by someone else: a
// user name holding a "." could otherwise reach another's key).
export function localDraft(storage, { user, task }) {
  const entry = parse(storage?.getItem(draftKey(user, task)) ?? "");
  return entry && same(entry.user, user) && same(entry.task, task) ? entry : null;
}

// Storage can refuse (full, or a private window's): the work then lives in the page alone.
export function writeDraft(storage, entry) {
  try {
    storage?.setItem(draftKey(entry.user, entry.task), JSON.stringify(entry));
    return true;
  } catch {
    return false;
  }
}

export function removeDraft(storage, { user, task }) {
  try {
    storage?.removeItem(draftKey(user, task));
  } catch {
    // nothing kept, nothing to remove
  }
}

// Remove every draft of one user, or with no user every Groundwork draft; returns how many.
export function clearDrafts(storage, { user } = {}) {
  if (!storage) return 0;
  const keys = [];
  for (let index = 0; index < storage.length; index += 1) {
    const key = storage.key(index);
    if (!key?.startsWith(PREFIX)) continue;
    if (user === undefined || same(parse(storage.getItem(key))?.user, user)) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
  return keys.length;
}
