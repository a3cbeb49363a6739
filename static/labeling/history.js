// Undo and redo over immutable documents (annotation_doc.js): each entry holds the document
// before and after one gesture, so undo gives back exactly what was there (ids, geometry,
// attributes, parents) however many edits the gesture made. A drag is one entry (begin at
// pointerdown, commit at pointerup); deleting a parent with its children is one entry. A new
// edit after an undo clears what could be redone; the oldest entries go past `limit`.
//
// `restore(target, current)` adapts the document undo or redo returns to the current one
// (annotation_doc's restoreDocument keeps the id counter, so an undone id is never reused);
// `same(a, b)` says whether a gesture changed anything (a drag back to its start did not).

export function createHistory({ limit = 200, restore = (target) => target, same = Object.is } = {}) {
  const undoStack = [];
  let redoStack = [];

  function record(before, after, label = "") {
    if (same(before, after)) return false;
    undoStack.push({ before, after, label });
    if (undoStack.length > limit) undoStack.splice(0, undoStack.length - limit);
    redoStack = [];
    return true;
  }

  return {
    record,

    // A gesture: edits in between are not recorded; commit records the whole as one entry,
    // cancel hands back the document it began from (Esc during a drag).
    begin(before) {
      let open = true;
      return {
        commit(after, label = "") {
          if (!open) return false;
          open = false;
          return record(before, after, label);
        },
        cancel() {
          open = false;
          return before;
        },
        get before() { return before; },
      };
    },

    undo(current) {
      const entry = undoStack.pop();
      if (!entry) return null;
      redoStack.push(entry);
      return restore(entry.before, current);
    },

    redo(current) {
      const entry = redoStack.pop();
      if (!entry) return null;
      undoStack.push(entry);
      return restore(entry.after, current);
    },

    canUndo: () => undoStack.length > 0,
    canRedo: () => redoStack.length > 0,
    // What the undo and redo buttons would do, for their titles ("Undo: delete box").
    undoLabel: () => undoStack.at(-1)?.label ?? null,
    redoLabel: () => redoStack.at(-1)?.label ?? null,
    get depth() { return { undo: undoStack.length, redo: redoStack.length }; },

    clear() {
      undoStack.length = 0;
      redoStack = [];
    },
  };
}
