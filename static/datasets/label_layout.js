// Where each box's label goes on the item picture: inside the picture, never over another label.
// Pure geometry (no DOM): sizes and boxes in the picture's displayed pixels, origin top-left.

function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

// Spots next to the box, best first: above or below its edge, then inside its corners, then beside
// it; each pulled back into the picture when it would stick out, and tried after those that fit.
function candidates(box, size, area, gap) {
  const ys = [box.y - size.height - gap, box.y + box.height + gap, box.y + gap,
    box.y + box.height - size.height - gap];
  const xs = [box.x, box.x + box.width - size.width, box.x - size.width - gap,
    box.x + box.width + gap];
  const fitting = [];
  const pulled = [];
  for (const y of ys) {
    for (const x of xs) {
      const spot = {
        x: Math.min(Math.max(x, 0), area.width - size.width),
        y: Math.min(Math.max(y, 0), area.height - size.height),
        width: size.width,
        height: size.height,
      };
      (spot.x === x && spot.y === y ? fitting : pulled).push(spot);
    }
  }
  return [...fitting, ...pulled];
}

function firstFree(box, size, area, placed, gap) {
  if (!size || size.width > area.width || size.height > area.height) return null;
  return candidates(box, size, area, gap).find((spot) => placed.every((other) => !overlaps(spot, other))) ?? null;
}

/**
 * Place one label per box. `labels[i]` holds the full size (`width`, `height`) of box i's label
 * and, optionally, a `compact` size (a short name) tried when the full label finds no room.
 * Returns, per box, `{x, y, width, height, compact}` or null when neither fits: a label that
 * cannot be shown without covering another is left out, never drawn over it.
 */
export function placeLabels({ area, boxes, labels, gap = 2 }) {
  const placed = [];
  const order = boxes.map((box, index) => index).sort((a, b) => boxes[a].y - boxes[b].y || boxes[a].x - boxes[b].x);
  const result = boxes.map(() => null);
  for (const index of order) {
    const label = labels[index];
    let spot = firstFree(boxes[index], label, area, placed, gap);
    let compact = false;
    if (!spot && label.compact) {
      spot = firstFree(boxes[index], label.compact, area, placed, gap);
      compact = Boolean(spot);
    }
    if (spot) {
      placed.push(spot);
      result[index] = { ...spot, compact };
    }
  }
  return result;
}
