// The one wrapper around fetch: sends the CSRF token and turns an answer that is not 2xx into
// an ApiError carrying the error body (core/errors.py): its message, code and field messages.
// A request that got no answer at all is an ApiError with status 0.
import { gettext, interpolate } from "./i18n.js";

function csrfToken() {
  const match = (globalThis.document?.cookie || "").match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function fallbackMessage(status) {
  if (status === 0) return gettext("The server could not be reached; check the connection and try again.");
  return interpolate(gettext("The server answered with an error (HTTP %(status)s); try again later."), { status });
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || fallbackMessage(status));
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || (status === 0 ? "network" : "unknown");
    this.fields = error.fields || {};
    // The whole error object, with what a refusal carries beside code, message and fields
    // (a stale save's `current` text, a publish's dropped `links`).
    this.error = error;
  }
}

function parse(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null; // a proxy's HTML error page: the status still says what happened
  }
}

// `keepalive`: the request outlives the page (a draft saved as the tab closes).
export async function api(path, { method = "GET", body, headers = {}, keepalive = false } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin", keepalive };
  if (method !== "GET" && method !== "HEAD") init.headers["X-CSRFToken"] = csrfToken();
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, null);
  }
  const data = parse(await response.text());
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// An upload with progress: fetch cannot report bytes sent, XMLHttpRequest can.
// onProgress(sent, total) is called with the bytes sent so far.
export function upload(path, formData, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", path);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.withCredentials = true;
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener("load", () => {
      const data = parse(request.responseText);
      if (request.status >= 200 && request.status < 300) resolve(data);
      else reject(new ApiError(request.status, data));
    });
    request.addEventListener("error", () => reject(new ApiError(0, null)));
    request.send(formData);
  });
}
