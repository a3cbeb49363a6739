// A page that comes back with a refused form shows it in view: the first field in error
// takes the focus (and is scrolled to); a refusal of the whole form is scrolled to. The
// shared form include (templates/core/_form_fields.html) calls showRefusalOnLoad.

export function showRefusal(root) {
  const field = root.querySelector('form [aria-invalid="true"]');
  const shown = field ?? root.querySelector('form .error[role="alert"]');
  shown?.scrollIntoView({ block: "center" });
  field?.focus({ preventScroll: true });
}

// Once the page has loaded: after the browser has gone to the form's #anchor, which would
// otherwise take the focus back.
export function showRefusalOnLoad(win = window) {
  const show = () => win.requestAnimationFrame(() => showRefusal(win.document));
  if (win.document.readyState === "complete") {
    show();
  } else {
    win.addEventListener("load", show, { once: true });
  }
}
