// static/datasets/label_layout.js: box labels stay inside the picture and never cover each other.
import assert from "node:assert/strict";
import { test } from "node:test";

import { placeLabels } from "../../static/datasets/label_layout.js";

const area = { width: 400, height: 300 };

function inside(spot) {
  return spot.x >= 0 && spot.y >= 0 && spot.x + spot.width <= area.width && spot.y + spot.height <= area.height;
}

function apart(a, b) {
  return a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
}

test("a label goes above its box when there is room", () => {
  const [spot] = placeLabels({ area, boxes: [{ x: 50, y: 100, width: 80, height: 30 }], labels: [{ width: 60, height: 16 }] });

  assert.deepEqual(spot, { x: 50, y: 82, width: 60, height: 16, compact: false });
});

test("a box at the top edge gets its label below it, one at the right edge pulled inside", () => {
  const [top, right] = placeLabels({
    area,
    boxes: [{ x: 10, y: 0, width: 50, height: 20 }, { x: 380, y: 150, width: 20, height: 20 }],
    labels: [{ width: 40, height: 16 }, { width: 90, height: 16 }],
  });

  assert.equal(top.y, 22);
  assert.ok(inside(right));
  assert.equal(right.x, 310);
});

test("crowded boxes near every edge get labels inside the picture, pairwise apart", () => {
  const boxes = [];
  for (let n = 0; n < 40; n += 1) {
    boxes.push({ x: (n * 37) % 390, y: (n * 53) % 295, width: 12 + (n % 5) * 9, height: 8 + (n % 3) * 6 });
  }
  const labels = boxes.map((_, n) => ({ width: 50 + (n % 4) * 30, height: 18, compact: { width: 22, height: 14 } }));

  const spots = placeLabels({ area, boxes, labels }).filter(Boolean);

  assert.ok(spots.length >= 20, `only ${spots.length} of 40 placed`);
  for (const spot of spots) assert.ok(inside(spot), JSON.stringify(spot));
  for (let i = 0; i < spots.length; i += 1) {
    for (let j = i + 1; j < spots.length; j += 1) assert.ok(apart(spots[i], spots[j]), `${i} covers ${j}`);
  }
});

test("a label with no room left falls back to its short name, and is left out after that", () => {
  const tiny = { width: 60, height: 20 };
  const boxes = [{ x: 0, y: 0, width: 60, height: 20 }, { x: 0, y: 0, width: 60, height: 20 }];
  const labels = [{ width: 60, height: 20 }, { width: 60, height: 20, compact: { width: 60, height: 20 } }];

  const [first, second] = placeLabels({ area: tiny, boxes, labels });

  assert.deepEqual(first, { x: 0, y: 0, width: 60, height: 20, compact: false });
  assert.equal(second, null);
});
