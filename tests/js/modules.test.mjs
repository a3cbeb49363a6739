// Every script under static/ is a module that touches nothing when imported: Node has no page,
// so a module reading the DOM (or starting work) at import fails here.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";

const STATIC = new URL("../../static/", import.meta.url);
const modules = readdirSync(STATIC, { recursive: true })
  .filter((path) => path.endsWith(".js"))
  .sort();

test("static/ holds the page modules", () => {
  assert.ok(modules.includes("core/api.js") && modules.includes("datasets/upload.js"), modules.join(", "));
});

for (const path of modules) {
  test(`${path} imports without a page and exports what the page calls`, async () => {
    const exported = await import(new URL(path, STATIC));

    assert.ok(Object.keys(exported).length > 0, `${path} exports nothing`);
  });
}
