// The item browser's selection: tick the whole page, or hand the choice to the filter.
const page = document.getElementById("select-page");
const allMatching = document.getElementById("all-matching");
const picks = () => Array.from(document.querySelectorAll("input.item-pick"));

page?.addEventListener("change", () => {
  for (const box of picks()) box.checked = page.checked;
});

allMatching?.addEventListener("change", () => {
  // Every item matching the filter is changed: the ticks on this page do not matter then.
  for (const box of picks()) box.disabled = allMatching.checked;
  if (page) page.disabled = allMatching.checked;
});
