// The labeling page's entry point (no inline script: the page runs under script-src 'self').
import { initWorkPage } from "./work.js";

initWorkPage(document.getElementById("work"), JSON.parse(document.getElementById("work-config").textContent));
