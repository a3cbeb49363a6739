// Figures the server computed (a count, a percent, a size in bytes), written for the reader's
// locale: the page's <html lang>, read when called. The one place the front end formats them.
import { gettext, interpolate, ngettext } from "./i18n.js";

export function pageLocale() {
  return globalThis.document?.documentElement?.lang || "en";
}

export function formatNumber(value, { locale = pageLocale(), digits = 0 } = {}) {
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

// `percent` is a whole percent (0–100) as the server sends it.
export function formatPercent(percent, { locale = pageLocale() } = {}) {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 })
    .format(percent / 100);
}

const UNITS = ["KB", "MB", "GB", "TB"];

function unitText(unit, size) {
  // Each sentence whole, so a translator sees the unit beside its number.
  switch (unit) {
    case "KB": return interpolate(gettext("%(size)s KB"), { size });
    case "MB": return interpolate(gettext("%(size)s MB"), { size });
    case "GB": return interpolate(gettext("%(size)s GB"), { size });
    default: return interpolate(gettext("%(size)s TB"), { size });
  }
}

// `bytes` in the largest unit of 1024 it fills, with one decimal ("1.5 MB"); below a
// kilobyte, whole bytes. A value that would round up to 1024 moves to the next unit.
export function formatSize(bytes, { locale = pageLocale() } = {}) {
  if (bytes < 1024) {
    return interpolate(ngettext("%(size)s byte", "%(size)s bytes", bytes),
      { size: formatNumber(bytes, { locale }) });
  }
  let value = bytes;
  let unit = 0;
  for (;;) {
    value /= 1024;
    if (unit === UNITS.length - 1 || Math.round(value * 10) / 10 < 1024) break;
    unit += 1;
  }
  return unitText(UNITS[unit], formatNumber(value, { locale, digits: 1 }));
}

// A moment the server sent (ISO 8601), as a short date and time in the reader's locale.
export function formatDateTime(iso, { locale = pageLocale() } = {}) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" })
    .format(new Date(iso));
}
