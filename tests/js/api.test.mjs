// static/core/api.js against a real HTTP server: what a page gets back for each kind of answer.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { api, ApiError } from "../../static/core/api.js";

let server;
let base;
const seen = [];

before(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (part) => { body += part; });
    request.on("end", () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body });
      const send = (status, text, type = "application/json") => {
        response.writeHead(status, { "Content-Type": type });
        response.end(text);
      };
      if (request.url === "/ok") send(200, JSON.stringify({ id: 7 }));
      else if (request.url === "/empty") send(204, "");
      else if (request.url === "/refused") {
        send(400, JSON.stringify({ error: { code: "unknown_stage", message: "No stage “x”.", fields: { stage: "No stage “x”." } } }));
      } else if (request.url === "/proxy") send(502, "<html>Bad gateway</html>", "text/html");
      else send(404, JSON.stringify({ error: { code: "not_found", message: "Not found." } }));
    });
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test("a 2xx answer is its parsed JSON body, an empty one null", async () => {
  assert.deepEqual(await api(`${base}/ok`), { id: 7 });
  assert.equal(await api(`${base}/empty`), null);
  assert.equal(seen.at(-1).headers.accept, "application/json");
});

test("a refusal is an ApiError with the server's message, code and field messages", async () => {
  const error = await api(`${base}/refused`, { method: "POST", body: { stage: "x" } }).catch((e) => e);

  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 400);
  assert.equal(error.code, "unknown_stage");
  assert.equal(error.message, "No stage “x”.");
  assert.deepEqual(error.fields, { stage: "No stage “x”." });
  const sent = seen.at(-1);
  assert.equal(sent.headers["content-type"], "application/json");
  assert.equal(sent.body, '{"stage":"x"}');
  assert.ok("x-csrftoken" in sent.headers); // every write carries the token (none without a page)
});

test("an answer that is not JSON still gives its status", async () => {
  const error = await api(`${base}/proxy`).catch((e) => e);

  assert.equal(error.status, 502);
  assert.match(error.message, /HTTP 502/);
});

test("no answer at all is an ApiError with status 0", async () => {
  const closed = createServer();
  await new Promise((ready) => closed.listen(0, "127.0.0.1", ready));
  const { port } = closed.address();
  await new Promise((done) => closed.close(done));

  const error = await api(`http://127.0.0.1:${port}/ok`).catch((e) => e);

  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 0);
  assert.equal(error.code, "network");
});
