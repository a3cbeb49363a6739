// The cut page's preview: reads the form, asks the preview API, shows what the cut would take
// (counts, shortfalls, coverage before → after, a few thumbnails, the cost). The preview's seed
// goes into the form, so the cut takes exactly the items shown.
import { api } from "../core/api.js";
import { formatNumber } from "../core/format.js";
import { gettext, interpolate } from "../core/i18n.js";

// The page's form and which task kind each contract is for; set by initCutForm.
let form;
let contractKinds = {};

function body() {
  const need = {};
  for (const row of form.querySelectorAll("table.need tbody tr[data-key]")) {
    const value = row.querySelector("input").value.trim();
    need[row.dataset.key] = value === "" ? null : Number(value);
  }
  const filters = [...form.querySelectorAll("fieldset input[type=checkbox][data-key]")]
    .filter((box) => box.checked)
    .map((box) => box.dataset.key);
  const contract = form.elements.contract.value;
  return {
    task_kind: Number(form.elements.task_kind.value),
    contract: contract ? Number(contract) : null,
    need,
    filters,
    allow_short: form.elements.allow_short.checked,
  };
}

function cell(row, name, text) {
  row.querySelector(`[data-cell="${name}"]`).textContent = text;
}

function show(preview) {
  for (const line of preview.categories) {
    const row = form.querySelector(`tr[data-key="${CSS.escape(line.key)}"]`);
    if (!row) continue;
    cell(row, "available", formatNumber(line.available));
    cell(row, "taken", formatNumber(line.taken));
    cell(row, "shortfall", line.shortfall ? formatNumber(line.shortfall) : "—");
    cell(row, "coverage", `${formatNumber(line.in_labeling_before)} → ${formatNumber(line.in_labeling_after)}`);
  }
  const box = document.getElementById("preview");
  box.hidden = false;
  box.querySelector('[data-preview="summary"]').textContent = interpolate(
    gettext("The cut would take %(total)s items."),
    { total: formatNumber(preview.total) },
  );
  const cost = box.querySelector('[data-preview="cost"]');
  cost.textContent = preview.cost
    ? interpolate(gettext("It reserves %(amount)s; the contract has %(left)s of its budget and %(quantity)s units left."), {
        amount: preview.cost.amount_text,
        left: preview.room.budget_left_text,
        quantity: preview.room.quantity_left,
      })
    : "";
  const refusal = box.querySelector('[data-preview="refusal"]');
  refusal.hidden = !preview.refusal;
  refusal.textContent = preview.refusal ? preview.refusal.message : "";
  const sample = box.querySelector('[data-preview="sample"]');
  sample.replaceChildren();
  const template = form.dataset.thumbnailUrl;
  for (const line of preview.categories) {
    for (const id of line.sample) {
      const image = document.createElement("img");
      image.src = template.replace("/items/0/", `/items/${id}/`);
      image.alt = interpolate(gettext("Item %(id)s"), { id });
      image.loading = "lazy";
      sample.append(image);
    }
  }
  form.elements.seed.value = preview.seed;
}

async function preview() {
  const error = document.getElementById("preview-error");
  error.hidden = true;
  try {
    show(await api(form.dataset.previewUrl, { method: "POST", body: body() }));
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  }
}

function contractsForKind() {
  const kind = form.elements.task_kind.value;
  for (const option of form.elements.contract.options) {
    if (!option.value) continue;
    option.hidden = Boolean(kind) && String(contractKinds[option.value]) !== kind;
  }
}

/** Wire the cut page: its form, the preview button, the contracts each task kind may use. */
export function initCutForm({ cutForm, previewButton, kinds }) {
  form = cutForm;
  contractKinds = kinds;
  previewButton.addEventListener("click", preview);
  form.elements.task_kind.addEventListener("change", contractsForKind);
  // Anything changed after a preview draws anew: the seed shown no longer applies.
  form.addEventListener("input", (event) => {
    if (event.target.name !== "seed") form.elements.seed.value = "";
  });
  contractsForKind();
}
