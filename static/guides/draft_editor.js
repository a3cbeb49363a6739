// The draft editor: a Markdown textarea beside a preview the server renders (debounced; no
// math code here), saved with the revision it was edited from. A stale save (409) keeps the
// user's text in the editor and shows the text saved meanwhile; publishing saves first,
// and a publish that drops sections something links to lists those links and asks again.
import { api, upload } from "../core/api.js";
import { errorMessage } from "../core/errors.js";
import { gettext, interpolate } from "../core/i18n.js";

const PREVIEW_DELAY = 400;

function byId(id) {
  return document.getElementById(id);
}

function showFieldError(name, message) {
  const element = byId(`${name}-error`);
  if (!element) return false;
  element.textContent = message || "";
  element.hidden = !message;
  return true;
}

function clearErrors() {
  for (const name of ["body", "change_note", "minor", "file"]) showFieldError(name, "");
}

function notify(message, kind = "info") {
  const box = byId("draft-message");
  box.textContent = message;
  box.className = `messages ${kind}`;
  box.hidden = !message;
}

function showError(error) {
  let placed = true;
  for (const [field, message] of Object.entries(error.fields || {})) {
    placed = showFieldError(field, message) && placed;
  }
  if (!placed || !Object.keys(error.fields || {}).length) notify(errorMessage(error), "error");
}

export function startDraftEditor() {
  const config = JSON.parse(byId("draft-config").textContent);
  const body = byId("id_body");
  const preview = byId("draft-preview");
  const previewState = byId("preview-state");
  let revision = config.revision;
  let saved = body.value;
  let timer = null;
  let asked = 0;

  const state = () => {
    byId("draft-state").textContent = interpolate(gettext("Revision %(revision)s"), { revision });
  };

  async function refreshPreview() {
    const ticket = ++asked;
    previewState.textContent = gettext("updating…");
    try {
      const rendered = await api(config.preview, { method: "POST", body: { body: body.value } });
      if (ticket !== asked) return; // a newer text is on its way
      preview.innerHTML = rendered.html; // sanitized and typeset by the server
      previewState.textContent = rendered.formula_errors.length
        ? interpolate(gettext("%(count)s formulas do not parse"), { count: rendered.formula_errors.length })
        : "";
      showFieldError("body", "");
    } catch (error) {
      if (ticket !== asked) return;
      previewState.textContent = "";
      showError(error);
    }
  }

  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, PREVIEW_DELAY);
  });

  async function save() {
    clearErrors();
    try {
      const draft = await api(config.draft, { method: "PUT", body: { body: body.value, revision } });
      revision = draft.revision;
      saved = body.value;
      byId("stale-draft").hidden = true;
      state();
      notify(gettext("The draft is saved."), "success");
      return true;
    } catch (error) {
      if (error.code === "draft_stale" && error.error?.current) {
        // Keep the user's text where it is; show theirs beside it and take its revision,
        // so the next save is made knowingly over it.
        byId("stale-body").value = error.error.current.body;
        byId("stale-draft").hidden = false;
        revision = error.error.current.revision;
        state();
      }
      showError(error);
      return false;
    }
  }

  byId("draft-form").addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });

  byId("attachment-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const input = byId("id_file");
    if (!input.files.length) {
      showFieldError("file", gettext("Choose an image first."));
      return;
    }
    const form = new FormData();
    form.append("file", input.files[0]);
    try {
      const attachment = await upload(config.attachments, form);
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = attachment.markdown;
      item.append(code);
      byId("attachment-list").append(item);
      input.value = "";
      notify(gettext("The image is uploaded: paste its line into the text."), "success");
    } catch (error) {
      showError(error);
    }
  });

  function showDropped(error) {
    byId("dropped-message").textContent = error.message;
    const list = byId("dropped-list");
    list.replaceChildren();
    for (const link of error.error.links || []) {
      const item = document.createElement("li");
      item.textContent = `§ ${link.anchor}: ${link.text}`;
      list.append(item);
    }
    byId("dropped-links").hidden = false;
  }

  byId("publish-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    if (body.value !== saved && !(await save())) return;
    const minor = byId("id_minor");
    try {
      const version = await api(config.publish, {
        method: "POST",
        body: {
          revision,
          change_note: byId("id_change_note").value,
          minor: minor.checked,
          drop_links: byId("id_drop_links").checked,
        },
      });
      window.location.assign(version.url);
    } catch (error) {
      if (error.code === "anchors_dropped") showDropped(error);
      else if (error.code === "draft_stale" && error.error?.current) {
        byId("stale-body").value = error.error.current.body;
        byId("stale-draft").hidden = false;
        revision = error.error.current.revision;
        state();
      }
      showError(error);
    }
  });
}

