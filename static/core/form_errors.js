// A page that comes back with a refused form shows it in view: the first field in error
// takes the focus (and so scrolls into view); a refusal of the whole form is scrolled to.
// It runs once the page has loaded, after the browser has gone to the form's #anchor, which
// would otherwise take the focus back.
function showRefusal() {
  const field = document.querySelector('form [aria-invalid="true"]');
  const shown = field ?? document.querySelector('form .error[role="alert"]');
  shown?.scrollIntoView({ block: "center" });
  field?.focus({ preventScroll: true });
}

if (document.readyState === "complete") {
  requestAnimationFrame(showRefusal);
} else {
  window.addEventListener("load", () => requestAnimationFrame(showRefusal), { once: true });
}
