// What every page does besides its own scripts, loaded once by base.html (no inline script: the
// pages run under script-src 'self'): the language menu applies on change (a <noscript> button
// stands in without script), and signing out removes the drafts this browser keeps (a shared
// computer keeps no one's work; each user's shortcut settings stay).
import { clearDrafts } from "./drafts.js";

export function wirePage(page = globalThis.document, storage = globalThis.localStorage) {
  if (!page) return;
  for (const select of page.querySelectorAll("select[data-submit-on-change]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  for (const form of page.querySelectorAll("form[data-sign-out]")) {
    form.addEventListener("submit", () => clearDrafts(storage));
  }
}

wirePage();
