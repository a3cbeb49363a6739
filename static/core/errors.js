// Error display: an ApiError's field messages beside their fields, its message in a notice
// area. placeErrors decides where each message goes (pure); showError puts them on the page.
import { gettext } from "./i18n.js";

// The one sentence to show for any failure: the server's own message for an ApiError.
export function errorMessage(error) {
  if (error && error.name === "ApiError" && error.message) return error.message;
  return gettext("Something went wrong on this page; reload it and try again.");
}

// Which messages go beside a field (the fields `hasField` knows) and which sentence goes to
// the notice area: the error's message, unless every field message found its field.
export function placeErrors(error, hasField) {
  const beside = {};
  let unplaced = false;
  for (const [name, message] of Object.entries(error?.fields || {})) {
    if (hasField(name)) beside[name] = String(message);
    else unplaced = true;
  }
  const notice = unplaced || !Object.keys(beside).length ? errorMessage(error) : null;
  return { beside, notice };
}

// A field is the element marked data-field="name" (a fieldset, a wrapper), else the control
// named `name`.
function fieldOf(form, name) {
  if (!form) return null;
  const escaped = CSS.escape(name);
  return form.querySelector(`[data-field="${escaped}"]`) || form.querySelector(`[name="${escaped}"]`);
}

export function clearErrors(form, notice) {
  for (const shown of form?.querySelectorAll("[data-error-for]") || []) {
    const field = fieldOf(form, shown.dataset.errorFor);
    if (field) {
      field.removeAttribute("aria-invalid");
      const rest = (field.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== shown.id);
      if (rest.length) field.setAttribute("aria-describedby", rest.join(" "));
      else field.removeAttribute("aria-describedby");
    }
    shown.remove();
  }
  if (notice) {
    notice.textContent = "";
    notice.hidden = true;
  }
}

// Shows `error` on the page: each field message beside its field in `form`, and the rest in
// `notice` (an element with role="alert"). Without a notice the caller shows the rest itself.
// Returns what was placed.
export function showError(error, { form = null, notice = null } = {}) {
  clearErrors(form, notice);
  const placed = placeErrors(error, (name) => Boolean(fieldOf(form, name)));
  for (const [name, message] of Object.entries(placed.beside)) {
    const field = fieldOf(form, name);
    const text = document.createElement("span");
    text.className = "error";
    text.dataset.errorFor = name;
    text.id = `${form.id || "form"}-error-${name}`;
    text.textContent = message;
    if (field.matches("fieldset, [data-field]")) field.append(text);
    else field.after(text);
    field.setAttribute("aria-invalid", "true");
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? `${described} ${text.id}` : text.id);
  }
  if (notice && placed.notice) {
    notice.textContent = placed.notice;
    notice.hidden = false;
  }
  return placed;
}
