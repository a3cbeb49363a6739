// The viewer's geometry, with no page: one view transform (scale, pan, a rotation of 0, 90,
// 180 or 270 degrees) maps upright image pixels to the viewport's CSS pixels, and the same
// matrix drives the photo's canvas and the boxes' SVG group. Boxes never move: zoom, pan and
// rotation change the view only, so coordinates stay upright image pixels whatever is shown.
//
// A view is { scale, rotation, x, y }: a point (px, py) of the image shows at
//   screen = R(rotation) · scale · (px, py) + (x, y)
// with R turning clockwise on screen (y grows downwards). scale 1 = 1 image px per CSS px.

/** The most the view magnifies: 800 %. */
export const MAX_SCALE = 8;
/** Above this scale the photo is drawn without smoothing, so real pixels show. */
export const PIXELATED_ABOVE = 4;

// cos and sin of each quarter turn, exact (Math.cos(Math.PI / 2) is not 0).
const TURNS = { 0: [1, 0], 90: [0, 1], 180: [-1, 0], 270: [0, -1] };

/** A rotation in degrees as one of 0, 90, 180, 270 (any multiple of 90, negative too). */
export function normalRotation(degrees) {
  const turned = ((Math.round(degrees / 90) * 90) % 360 + 360) % 360;
  return turned;
}

function turn(rotation) {
  return TURNS[normalRotation(rotation)];
}

/** The view's matrix [a, b, c, d, e, f] as SVG's matrix() and canvas's setTransform take it:
 * screen x = a·px + c·py + e, screen y = b·px + d·py + f. */
export function viewMatrix({ scale, rotation, x, y }) {
  const [cos, sin] = turn(rotation);
  return [scale * cos, scale * sin, -scale * sin, scale * cos, x, y];
}

/** The image point shown at a screen point → that screen point. */
export function imageToScreen(view, point) {
  const [a, b, c, d, e, f] = viewMatrix(view);
  return { x: a * point.x + c * point.y + e, y: b * point.x + d * point.y + f };
}

/** The screen point (viewport CSS px) → the image point shown there. */
export function screenToImage(view, point) {
  const [cos, sin] = turn(view.rotation);
  const dx = (point.x - view.x) / view.scale;
  const dy = (point.y - view.y) / view.scale;
  // R is a rotation: its inverse is its transpose.
  return { x: cos * dx + sin * dy, y: -sin * dx + cos * dy };
}

/** The image's size as it stands on screen when turned: a quarter turn swaps the sides. */
export function turnedSize(image, rotation) {
  const quarter = normalRotation(rotation) % 180 !== 0;
  return quarter ? { width: image.height, height: image.width } : { width: image.width, height: image.height };
}

/** The scale at which the whole turned image fits the viewport. */
export function fitScale(image, viewport, rotation) {
  const size = turnedSize(image, rotation);
  if (!size.width || !size.height || !viewport.width || !viewport.height) return 1;
  return Math.min(viewport.width / size.width, viewport.height / size.height);
}

/** How far the view may zoom out (the fit) and in (800 %, or the fit when that is more:
 * a tiny image fits above 800 % and is not shrunk below its fit). */
export function zoomLimits(image, viewport, rotation) {
  const fit = fitScale(image, viewport, rotation);
  return { min: fit, max: Math.max(MAX_SCALE, fit) };
}

export function clampScale(scale, limits) {
  return Math.min(limits.max, Math.max(limits.min, scale));
}

/** The view at ``scale`` that shows image point ``at`` at screen point ``on``. */
export function viewShowing({ scale, rotation }, at, on) {
  const [a, b, c, d] = viewMatrix({ scale, rotation, x: 0, y: 0 });
  return { scale, rotation: normalRotation(rotation), x: on.x - (a * at.x + c * at.y), y: on.y - (b * at.x + d * at.y) };
}

function centreOf(viewport) {
  return { x: viewport.width / 2, y: viewport.height / 2 };
}

/** The whole image in the viewport, centred, at the current rotation. */
export function fitView(image, viewport, rotation = 0) {
  const scale = fitScale(image, viewport, rotation);
  return viewShowing({ scale, rotation }, { x: image.width / 2, y: image.height / 2 }, centreOf(viewport));
}

/** 1 image px = 1 CSS px, keeping the image point at the viewport's centre where it is. */
export function actualSizeView(view, viewport) {
  const centre = centreOf(viewport);
  return viewShowing({ scale: 1, rotation: view.rotation }, screenToImage(view, centre), centre);
}

/** The view zoomed to ``scale`` (clamped to ``limits``) keeping the image point under the
 * screen point ``at`` exactly where it is. */
export function zoomAt(view, at, scale, limits) {
  const next = limits ? clampScale(scale, limits) : scale;
  return viewShowing({ scale: next, rotation: view.rotation }, screenToImage(view, at), at);
}

/** The view zoomed by ``factor`` at ``at`` (clamped). */
export function zoomBy(view, at, factor, limits) {
  return zoomAt(view, at, view.scale * factor, limits);
}

/** How much one wheel event zooms: its pixels (or lines, or pages) as a factor, in when the
 * wheel turns towards the screen (negative deltaY). A notch of 100 px is 1.25×; a pinch's
 * small deltas give small steps. */
export function wheelFactor(deltaY, deltaMode = 0) {
  const pixels = deltaY * (deltaMode === 1 ? 33 : deltaMode === 2 ? 800 : 1);
  const clamped = Math.max(-300, Math.min(300, pixels));
  return Math.exp((-clamped * Math.log(1.25)) / 100);
}

export function panBy(view, dx, dy) {
  return { ...view, x: view.x + dx, y: view.y + dy };
}

/** The view turned by ``degrees`` (a multiple of 90) about the viewport's centre: the image
 * point at the centre stays there; the scale is clamped to the new rotation's limits. */
export function rotateView(view, degrees, image, viewport) {
  const rotation = normalRotation(view.rotation + degrees);
  const centre = centreOf(viewport);
  const limits = zoomLimits(image, viewport, rotation);
  return viewShowing({ scale: clampScale(view.scale, limits), rotation }, screenToImage(view, centre), centre);
}

/** The part of the image the viewport shows, in image pixels (clipped to the image), or
 * null when none of it is on screen. */
export function visibleImageRect(view, viewport, image) {
  const corners = [
    { x: 0, y: 0 }, { x: viewport.width, y: 0 },
    { x: 0, y: viewport.height }, { x: viewport.width, y: viewport.height },
  ].map((corner) => screenToImage(view, corner));
  const left = Math.max(0, Math.min(...corners.map((p) => p.x)));
  const top = Math.max(0, Math.min(...corners.map((p) => p.y)));
  const right = Math.min(image.width, Math.max(...corners.map((p) => p.x)));
  const bottom = Math.min(image.height, Math.max(...corners.map((p) => p.y)));
  if (right <= left || bottom <= top) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Whether a box [x, y, width, height] (image px) overlaps a rect {x, y, width, height}. */
export function boxMeets(bbox, rect) {
  if (!rect) return false;
  const [x, y, width, height] = bbox;
  return x < rect.x + rect.width && x + width > rect.x && y < rect.y + rect.height && y + height > rect.y;
}

/** A box's rectangle on screen (its turned corners' bounds), in viewport CSS px. */
export function screenRect(view, bbox) {
  const [x, y, width, height] = bbox;
  const a = imageToScreen(view, { x, y });
  const b = imageToScreen(view, { x: x + width, y: y + height });
  return {
    x: Math.min(a.x, b.x), y: Math.min(a.y, b.y),
    width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y),
  };
}

/** Whether the screen needs more pixels than the rendition holds at this scale: each image
 * pixel covers scale × devicePixelRatio device pixels, and the rendition has
 * renditionWidth / imageWidth of a pixel per image pixel. */
export function needsFullImage({ scale, devicePixelRatio = 1, renditionWidth, imageWidth }) {
  if (!renditionWidth || !imageWidth || renditionWidth >= imageWidth) return false;
  return scale * devicePixelRatio > renditionWidth / imageWidth;
}

/** Whether the photo is drawn smoothed at this scale (not above PIXELATED_ABOVE). */
export function smoothingAt(scale) {
  return scale <= PIXELATED_ABOVE;
}

/** The one drawImage's rectangles for the visible part of the image: the source's pixels
 * (whole ones, so edges never resample a half pixel) and where they go, in image px.
 * ``source`` is the decoded picture's size (the rendition's or the full image's). */
export function drawRects(visible, source, image) {
  if (!visible) return null;
  const kx = source.width / image.width;
  const ky = source.height / image.height;
  const sx = Math.max(0, Math.floor(visible.x * kx));
  const sy = Math.max(0, Math.floor(visible.y * ky));
  const sw = Math.min(source.width, Math.ceil((visible.x + visible.width) * kx)) - sx;
  const sh = Math.min(source.height, Math.ceil((visible.y + visible.height) * ky)) - sy;
  return { sx, sy, sw, sh, dx: sx / kx, dy: sy / ky, dw: sw / kx, dh: sh / ky };
}
