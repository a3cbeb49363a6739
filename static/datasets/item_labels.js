// The item picture's box labels: measured on the page, placed by label_layout.js inside the
// picture and apart from each other, again whenever the picture changes size.
import { placeLabels } from "./label_layout.js";

function sizeOf(label, compact) {
  label.classList.toggle("compact", compact);
  const { width, height } = label.getBoundingClientRect();
  return { width, height };
}

export function initRegionLabels(frame) {
  const image = frame.querySelector("img");
  const layer = frame.querySelector(".region-labels");
  if (!image || !layer) return;
  const labels = [...layer.querySelectorAll(".region-label")];
  const naturalWidth = Number(frame.dataset.width);

  function layout() {
    const area = { width: image.clientWidth, height: image.clientHeight };
    if (!area.width || !area.height) return;
    const scale = area.width / naturalWidth;
    layer.classList.remove("placed");
    for (const label of labels) {
      label.hidden = false;
      label.style.left = "0px";
      label.style.top = "0px";
    }
    const boxes = labels.map((label) => {
      const [x, y, width, height] = label.dataset.box.split(",").map(Number);
      return { x: x * scale, y: y * scale, width: width * scale, height: height * scale };
    });
    const sizes = labels.map((label) => ({ ...sizeOf(label, false), compact: sizeOf(label, true) }));
    const spots = placeLabels({ area, boxes, labels: sizes });
    labels.forEach((label, index) => {
      const spot = spots[index];
      label.hidden = !spot;
      if (!spot) return;
      label.classList.toggle("compact", spot.compact);
      label.style.left = `${spot.x}px`;
      label.style.top = `${spot.y}px`;
    });
    layer.classList.add("placed");
  }

  new ResizeObserver(layout).observe(image);
  document.fonts?.ready.then(layout);
}
