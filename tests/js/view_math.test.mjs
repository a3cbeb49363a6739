// static/labeling/view_math.js: the one view transform shared by the photo and the boxes.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_SCALE, actualSizeView, boxMeets, clampScale, drawRects, fitScale, fitView, imageToScreen,
  needsFullImage, normalRotation, panBy, rotateView, screenRect, screenToImage, smoothingAt,
  turnedSize, viewMatrix, visibleImageRect, wheelFactor, zoomAt, zoomBy, zoomLimits,
} from "../../static/labeling/view_math.js";

const PHOTO = { width: 4032, height: 3024 };
const PORTRAIT = { width: 3024, height: 4032 };
const VIEWPORT = { width: 1000, height: 600 };
const ROTATIONS = [0, 90, 180, 270];

function near(actual, expected, message, tolerance = 1e-9) {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message}: ${actual} ≠ ${expected}`);
}

function nearPoint(actual, expected, message, tolerance = 1e-9) {
  near(actual.x, expected.x, `${message} (x)`, tolerance);
  near(actual.y, expected.y, `${message} (y)`, tolerance);
}

test("rotations are quarter turns in 0…270, whatever multiple of 90 is asked", () => {
  assert.deepEqual([0, 90, 180, 270, 360, 450, -90, -180, -270].map(normalRotation), [0, 90, 180, 270, 0, 90, 270, 180, 90]);
});

test("the matrix is SVG's and canvas's: a quarter turn clockwise sends the image's top to the right", () => {
  assert.deepEqual(viewMatrix({ scale: 2, rotation: 0, x: 5, y: 7 }), [2, 0, -0, 2, 5, 7]);
  const quarter = { scale: 1, rotation: 90, x: 0, y: 0 };

  // the top-right corner of the image goes below the origin: turned clockwise
  assert.deepEqual(imageToScreen(quarter, { x: 10, y: 0 }), { x: 0, y: 10 });
  assert.deepEqual(imageToScreen(quarter, { x: 0, y: 10 }), { x: -10, y: 0 });
});

test("image → screen → image comes back exactly at every rotation, scale and pan", () => {
  for (const rotation of ROTATIONS) {
    for (const scale of [0.13, 1, 3.7, 8]) {
      const view = { scale, rotation, x: -123.4, y: 56.7 };
      for (const point of [{ x: 0, y: 0 }, { x: 4032, y: 3024 }, { x: 17.25, y: 2999.5 }]) {
        nearPoint(screenToImage(view, imageToScreen(view, point)), point, `${rotation}° ×${scale}`, 1e-9);
      }
    }
  }
});

test("screenToImage inverts the matrix as written", () => {
  const view = { scale: 2.5, rotation: 270, x: 40, y: 900 };
  const [a, b, c, d, e, f] = viewMatrix(view);
  const image = { x: 321, y: 45 };
  const screen = { x: a * image.x + c * image.y + e, y: b * image.x + d * image.y + f };

  nearPoint(screenToImage(view, screen), image, "inverse");
});

test("a quarter turn swaps the sides the fit uses", () => {
  assert.deepEqual(turnedSize(PHOTO, 90), { width: 3024, height: 4032 });
  assert.deepEqual(turnedSize(PHOTO, 180), PHOTO);
  near(fitScale(PHOTO, VIEWPORT, 0), 600 / 3024, "landscape in a wide viewport fits by height");
  near(fitScale(PHOTO, VIEWPORT, 90), 600 / 4032, "turned, it fits by its long side");
});

test("the fitted view shows the whole turned image, centred, touching two edges", () => {
  for (const image of [PHOTO, PORTRAIT, { width: 64, height: 48 }]) {
    for (const rotation of ROTATIONS) {
      const view = fitView(image, VIEWPORT, rotation);
      const rect = screenRect(view, [0, 0, image.width, image.height]);
      const label = `${image.width}×${image.height} at ${rotation}°`;

      assert.ok(rect.x >= -1e-9 && rect.y >= -1e-9, `${label}: inside the top-left`);
      assert.ok(rect.x + rect.width <= VIEWPORT.width + 1e-9, `${label}: inside on the right`);
      assert.ok(rect.y + rect.height <= VIEWPORT.height + 1e-9, `${label}: inside at the bottom`);
      near(rect.x * 2 + rect.width, VIEWPORT.width, `${label}: centred across`, 1e-6);
      near(rect.y * 2 + rect.height, VIEWPORT.height, `${label}: centred down`, 1e-6);
      assert.ok(
        Math.abs(rect.width - VIEWPORT.width) < 1e-6 || Math.abs(rect.height - VIEWPORT.height) < 1e-6,
        `${label}: fills one side`,
      );
    }
  }
});

test("zooming at a point keeps the image point under it where it is, at every rotation", () => {
  const at = { x: 713.2, y: 101.9 };
  for (const rotation of ROTATIONS) {
    let view = { ...fitView(PHOTO, VIEWPORT, rotation) };
    const limits = zoomLimits(PHOTO, VIEWPORT, rotation);
    const under = screenToImage(view, at);
    for (const factor of [1.25, 1.25, 3, 0.5, 10, 0.01]) {
      view = zoomBy(view, at, factor, limits);
      nearPoint(imageToScreen(view, under), at, `${rotation}° after ×${factor}`, 1e-6);
    }
  }
});

test("zoom stops at 800 % and at the fit", () => {
  const limits = zoomLimits(PHOTO, VIEWPORT, 0);
  let view = fitView(PHOTO, VIEWPORT, 0);
  for (let notch = 0; notch < 60; notch += 1) view = zoomBy(view, { x: 10, y: 10 }, wheelFactor(-100), limits);
  assert.equal(view.scale, MAX_SCALE);
  for (let notch = 0; notch < 90; notch += 1) view = zoomBy(view, { x: 10, y: 10 }, wheelFactor(100), limits);
  assert.equal(view.scale, fitScale(PHOTO, VIEWPORT, 0));
});

test("a tiny image fits above 800 % and stays at its fit", () => {
  const tiny = { width: 20, height: 10 };
  const limits = zoomLimits(tiny, VIEWPORT, 0);

  assert.equal(limits.min, 50);
  assert.equal(limits.max, 50);
  assert.equal(clampScale(3, limits), 50);
});

test("a wheel notch towards the screen zooms in by 1.25, away zooms out, lines and pages count more", () => {
  near(wheelFactor(-100), 1.25, "in");
  near(wheelFactor(100), 0.8, "out");
  near(wheelFactor(-3, 1), wheelFactor(-99), "lines");
  assert.ok(wheelFactor(-1) > 1 && wheelFactor(-1) < 1.01, "a pinch's small step");
  near(wheelFactor(-5000), wheelFactor(-300), "one event never jumps far");
});

test("100 % is one image pixel per CSS pixel and keeps the centre's image point", () => {
  for (const rotation of ROTATIONS) {
    const view = zoomAt(fitView(PHOTO, VIEWPORT, rotation), { x: 200, y: 100 }, 3);
    const centre = { x: 500, y: 300 };
    const actual = actualSizeView(view, VIEWPORT);

    assert.equal(actual.scale, 1);
    nearPoint(screenToImage(actual, centre), screenToImage(view, centre), `${rotation}°`, 1e-6);
    const rect = screenRect(actual, [10, 20, 30, 40]);
    const turned = rotation % 180 !== 0;
    near(rect.width, turned ? 40 : 30, `${rotation}° width`, 1e-9);
  }
});

test("turning four times comes back to the same view; the centre's point never moves", () => {
  const start = zoomAt(fitView(PHOTO, VIEWPORT, 0), { x: 300, y: 200 }, 2);
  const centre = { x: 500, y: 300 };
  let view = start;
  for (let step = 0; step < 4; step += 1) {
    const before = screenToImage(view, centre);
    view = rotateView(view, 90, PHOTO, VIEWPORT);
    nearPoint(screenToImage(view, centre), before, `turn ${step + 1}`, 1e-6);
  }
  assert.equal(view.rotation, 0);
  near(view.scale, start.scale, "scale");
  nearPoint(view, start, "pan", 1e-6);
});

test("a box keeps its image content at every rotation: its centre maps back to the same point", () => {
  const box = [100, 200, 300, 50];
  for (const rotation of ROTATIONS) {
    const view = fitView(PHOTO, VIEWPORT, rotation);
    const rect = screenRect(view, box);
    const centre = screenToImage(view, { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 });

    nearPoint(centre, { x: 250, y: 225 }, `${rotation}°`, 1e-6);
  }
});

test("turning clamps the scale to the new fit", () => {
  const fitted = fitView(PHOTO, VIEWPORT, 0); // 600/3024: below the turned fit is 600/4032
  const turned = rotateView(fitted, 90, PHOTO, VIEWPORT);

  near(turned.scale, fitted.scale, "still allowed");
  const small = { ...fitView(PHOTO, VIEWPORT, 90) };
  near(rotateView(small, -90, PHOTO, VIEWPORT).scale, fitScale(PHOTO, VIEWPORT, 0), "raised to the fit");
});

test("panning moves the view by the screen distance", () => {
  const view = panBy({ scale: 2, rotation: 90, x: 1, y: 2 }, 30, -40);

  assert.deepEqual(view, { scale: 2, rotation: 90, x: 31, y: -38 });
});

test("the visible part of the image is clipped to it, and none when the image is off screen", () => {
  const fitted = fitView(PHOTO, VIEWPORT, 90);
  assert.deepEqual(visibleImageRect(fitted, VIEWPORT, PHOTO), { x: 0, y: 0, width: 4032, height: 3024 });
  const close = zoomAt(fitted, { x: 500, y: 300 }, 8);
  const part = visibleImageRect(close, VIEWPORT, PHOTO);
  near(part.width, 600 / 8, "turned: the viewport's height spans the image's width", 1e-6);
  near(part.height, 1000 / 8, "and its width the image's height", 1e-6);
  assert.equal(visibleImageRect(panBy(fitted, 5000, 0), VIEWPORT, PHOTO), null);
});

test("a box is culled only when it misses the visible part", () => {
  const rect = { x: 100, y: 100, width: 50, height: 50 };

  assert.ok(boxMeets([140, 140, 20, 20], rect));
  assert.ok(!boxMeets([150, 100, 10, 10], rect), "touching the edge is outside");
  assert.ok(!boxMeets([0, 0, 10, 10], null));
});

test("the drawn source rectangle covers whole source pixels around the visible part", () => {
  const rects = drawRects({ x: 101.3, y: 50.5, width: 10, height: 20 }, { width: 2048, height: 1536 }, PHOTO);
  const k = 2048 / 4032;

  assert.equal(rects.sx, Math.floor(101.3 * k));
  assert.equal(rects.sx + rects.sw, Math.ceil(111.3 * k));
  near(rects.dx, rects.sx / k, "destination in image px");
  assert.ok(rects.dx <= 101.3 && rects.dx + rects.dw >= 111.3, "covers the visible part");
  assert.deepEqual(drawRects({ x: 0, y: 0, width: 4032, height: 3024 }, PHOTO, PHOTO),
    { sx: 0, sy: 0, sw: 4032, sh: 3024, dx: 0, dy: 0, dw: 4032, dh: 3024 });
});

test("the full image is needed once the screen shows more pixels than the rendition has", () => {
  const sizes = { renditionWidth: 2048, imageWidth: 4032 };

  assert.equal(needsFullImage({ scale: 0.2, ...sizes }), false);
  assert.equal(needsFullImage({ scale: 0.5, ...sizes }), false);
  assert.equal(needsFullImage({ scale: 0.51, ...sizes }), true);
  assert.equal(needsFullImage({ scale: 0.3, devicePixelRatio: 2, ...sizes }), true, "a dense screen needs it sooner");
  assert.equal(needsFullImage({ scale: 8, renditionWidth: 800, imageWidth: 800 }), false, "the rendition is the image");
});

test("smoothing goes off above 4×, so real pixels show", () => {
  assert.equal(smoothingAt(1), true);
  assert.equal(smoothingAt(4), true);
  assert.equal(smoothingAt(4.01), false);
});
