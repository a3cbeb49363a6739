// The photo's categories in the side panel: per axis its categories as a radio group (the names
// planners typed), the current one checked, and one search field over all of them (Korean or
// English); Enter there picks the first category found — but never the Enter that confirms an
// IME composition (check 5: the first Enter ends the composition, a second one picks).
// The page owns the document: `onPick(axis, category)` asks it to set one; `show(categories)`
// shows what the document holds.

import { gettext, interpolate } from "../core/i18n.js";
import { createEnterGuard, matchCategories } from "./category_search.js";

let serial = 0;

function make(name, attributes = {}, ...children) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") element.textContent = value;
    else element.setAttribute(key, value);
  }
  element.append(...children);
  return element;
}

// `axes`: [{ slug, name, categories: [{ slug, name }] }] in taxonomy order (the tool API's).
// `now` is the clock the Enter guard falls back on when an event has no timeStamp.
export function createCategoryPanel(container, { axes = [], onPick = () => {}, now } = {}) {
  const uid = `cat-${++serial}`;
  const guard = createEnterGuard(now ? { now } : {});
  let known = [];
  let current = {};
  let radios = new Map(); // "axis\ncategory" → radio
  let groups = new Map(); // axis → fieldset

  const search = make("input", {
    id: `${uid}-search`, type: "search", class: "cat-search", autocomplete: "off",
    spellcheck: "false", "aria-describedby": `${uid}-found`,
  });
  const found = make("p", { id: `${uid}-found`, class: "cat-found", "aria-live": "polite" });
  const list = make("div", { class: "cat-axes" });
  const searchRow = make("div", { class: "cat-search-row" },
    make("label", { for: search.id, class: "cat-search-label", text: gettext("Find a category") }), search);

  search.addEventListener("compositionend", (event) => guard.compositionEnd(event.timeStamp));
  search.addEventListener("input", () => filter());
  search.addEventListener("keydown", (event) => {
    if (!guard.picks(event)) return;
    const first = matchCategories(known, search.value)[0];
    if (!search.value.trim() || !first) return;
    event.preventDefault();
    pick(first.axis, first.category);
  });

  function nameOf(axisSlug, categorySlug) {
    const axis = known.find((a) => a.slug === axisSlug);
    const category = axis?.categories.find((c) => c.slug === categorySlug);
    return { axis: axis?.name ?? axisSlug, category: category?.name ?? categorySlug };
  }

  function pick(axis, category) {
    if (current[axis] !== category) onPick(axis, category);
    found.textContent = interpolate(gettext("%(axis)s: %(category)s chosen."), nameOf(axis, category));
  }

  function build() {
    radios = new Map();
    groups = new Map();
    list.replaceChildren();
    for (const [index, axis] of known.entries()) {
      const group = make("fieldset", { class: "cat-axis", "data-axis": axis.slug },
        make("legend", { text: axis.name }));
      for (const category of axis.categories) {
        const radio = make("input", {
          type: "radio", name: `${uid}-${index}`, value: category.slug, id: `${uid}-${index}-${radios.size}`,
        });
        radio.addEventListener("change", () => { if (radio.checked) pick(axis.slug, category.slug); });
        const label = make("label", { for: radio.id, class: "cat-choice", "data-category": category.slug },
          radio, " ", make("span", { text: category.name }));
        group.append(label);
        radios.set(`${axis.slug}\n${category.slug}`, radio);
      }
      groups.set(axis.slug, group);
      list.append(group);
    }
    const parts = known.length ? [searchRow, found, list] : [make("p", { class: "empty", text: gettext("This dataset sorts its photos into no categories.") })];
    container.replaceChildren(...parts);
    mark();
    filter();
  }

  function mark() {
    for (const [key, radio] of radios) {
      const [axis, category] = key.split("\n");
      const on = current[axis] === category;
      radio.checked = on;
      radio.closest("label").classList.toggle("current", on);
    }
  }

  function filter() {
    const query = search.value;
    const hits = new Set(matchCategories(known, query).map((hit) => `${hit.axis}\n${hit.category}`));
    for (const [key, radio] of radios) radio.closest("label").hidden = !hits.has(key);
    for (const [axis, group] of groups) group.hidden = ![...hits].some((key) => key.startsWith(`${axis}\n`));
    found.textContent = query.trim() && !hits.size
      ? interpolate(gettext("No category matches “%(query)s”."), { query: query.trim() })
      : "";
  }

  const panel = {
    // The taxonomy (another task may be of another dataset).
    setAxes(next) {
      known = (next ?? []).map((axis) => ({ ...axis, categories: [...(axis.categories ?? [])] }));
      build();
    },
    // The photo's categories now: { axis: category }.
    show(categories) {
      current = { ...(categories ?? {}) };
      mark();
    },
    focusSearch() {
      search.focus();
    },
  };
  panel.setAxes(axes);
  return panel;
}
