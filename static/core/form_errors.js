// A page that comes back with a refused form shows it in view: the first field in error
// takes the focus (and so scrolls into view); a refusal of the whole form is scrolled to.
const field = document.querySelector('form [aria-invalid="true"]');
if (field) {
  field.focus();
  field.scrollIntoView({ block: "center" });
} else {
  const alert = document.querySelector('form .error[role="alert"]');
  alert?.scrollIntoView({ block: "center" });
}
