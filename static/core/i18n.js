// The page's strings, from Django's JavaScriptCatalog (base.html loads it before any module).
// Each function reads the catalogue when called, never at import, so a module can be imported
// without it (Node's tests): then the English text comes back. `makemessages -d djangojs`
// finds every gettext("…") and ngettext("…", "…", n) call in static/.

const catalog = () => globalThis.django;

export function gettext(msgid) {
  const django = catalog();
  return django?.gettext ? django.gettext(msgid) : msgid;
}

export function ngettext(singular, plural, count) {
  const django = catalog();
  if (django?.ngettext) return django.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

// Fills the named placeholders of a translated sentence: "%(done)s of %(total)s items".
// A placeholder with no value stays as it is, so a missing value shows rather than "undefined".
export function interpolate(template, values) {
  return template.replace(/%\((\w+)\)s/g, (placeholder, name) =>
    Object.hasOwn(values, name) ? String(values[name]) : placeholder);
}
