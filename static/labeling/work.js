// The labeling tool's page, first slice: asks for the annotator's next task (or reads the one
// named in ?task=), shows its photo and regions in the viewer and lists the regions as a tree.
// "Nothing left" and "read the guide first" are states of their own. Nothing is edited yet.
import { api } from "../core/api.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { createViewer, regionNames, regionsInTreeOrder } from "./viewer.js";

function showState(root, state) {
  root.dataset.state = state;
  for (const part of root.querySelectorAll("[data-for]")) part.hidden = part.dataset.for !== state;
}

function showMessage(root, state, message) {
  root.querySelector(`[data-for="${state}"] [data-message]`).textContent = message;
  showState(root, state);
}

function showGuides(root, needs) {
  const list = root.querySelector("[data-guides]");
  list.replaceChildren(...needs.map((need) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = need.url;
    link.textContent = need.message; // "Read and acknowledge “…” v2 first.", or pass its quiz
    item.append(link);
    return item;
  }));
  showState(root, "guide");
}

// The region list: nested lists in the viewer's tree order; each entry focuses its box.
function regionTree(root, viewer, task) {
  const locked = new Set(task.locked_types);
  const ordered = regionsInTreeOrder(task.annotation.regions || []);
  const top = root.querySelector("[data-tree]");
  const lists = [top];
  top.replaceChildren();
  for (const { region, depth, number } of ordered) {
    while (lists.length > depth + 1) lists.pop();
    let parent = lists[lists.length - 1];
    if (lists.length < depth + 1) { // the first child of the entry above
      const nested = document.createElement("ul");
      parent.lastElementChild.append(nested);
      lists.push(nested);
      parent = nested;
    }
    const item = document.createElement("li");
    const entry = document.createElement("button");
    entry.type = "button";
    entry.className = "region-entry";
    entry.dataset.entryFor = region.id;
    if (locked.has(region.type)) entry.classList.add("locked");
    entry.textContent = regionNames(region, number, { locked: locked.has(region.type) }).name;
    entry.addEventListener("click", () => viewer.reveal(region.id));
    item.append(entry);
    parent.append(item);
  }
  root.querySelector("[data-count]").textContent = interpolate(
    ngettext("%(count)s region", "%(count)s regions", ordered.length), { count: ordered.length });
  root.querySelector("[data-no-regions]").hidden = ordered.length > 0;
}

function showTask(root, viewer, task) {
  root.querySelector("#work-kind").textContent = task.task_kind.name;
  root.dataset.task = String(task.id);
  showState(root, "task");
  regionTree(root, viewer, task);
  const url = new URL(globalThis.location.href);
  if (url.searchParams.get("task") !== String(task.id)) { // a reload reopens this task
    url.searchParams.set("task", String(task.id));
    history.replaceState(null, "", url);
  }
  return viewer.show({
    image: task.item,
    rendition: task.images.screen,
    full: task.images.full,
    regions: task.annotation.regions || [],
    lockedTypes: task.locked_types,
  });
}

function failed(root, error) {
  const message = error.status === 404
    ? gettext("This task is not yours, or it no longer exists.")
    : error.message || gettext("The photo could not be loaded; reload the page to try again.");
  showMessage(root, "error", message);
}

export async function initWorkPage(root, config) {
  const viewer = createViewer(root.querySelector("#viewer"));
  root.querySelector("#viewer").addEventListener("viewer:focus", (event) => {
    for (const entry of root.querySelectorAll(".region-entry")) {
      if (entry.dataset.entryFor === event.detail.id) entry.setAttribute("aria-current", "true");
      else entry.removeAttribute("aria-current");
    }
  });
  try {
    if (config.task) {
      await showTask(root, viewer, await api(config.task_url.replace("/0/", `/${config.task}/`)));
      return viewer;
    }
    const next = await api(config.next_url, { method: "POST", body: {} });
    if (next.state === "task") await showTask(root, viewer, next.task);
    else if (next.state === "guide") showGuides(root, next.needs || []);
    else showMessage(root, "empty", next.message);
  } catch (error) {
    failed(root, error);
  }
  return viewer;
}
