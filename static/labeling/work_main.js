// The labeling page's entry point (no inline script: the page runs under script-src 'self').
// Without the page (Node's module test) it does nothing.
import { initWorkPage } from "./work.js";

export function start(page = globalThis.document) {
  const root = page?.getElementById("work");
  if (!root) return null;
  return initWorkPage(root, JSON.parse(page.getElementById("work-config").textContent));
}

start();
