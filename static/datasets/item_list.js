// The item browser's selection: tick the whole page, or hand the choice to the filter.
// The item checkboxes sit in the grid and belong to the bulk form through form="bulk-form".
export function initItemSelection(form) {
  const page = form.querySelector("#select-page");
  const allMatching = form.querySelector("#all-matching");
  const picks = () => [...form.elements].filter((element) => element.matches("input.item-pick"));

  page.addEventListener("change", () => {
    for (const box of picks()) box.checked = page.checked;
  });

  allMatching.addEventListener("change", () => {
    // Every item matching the filter is changed: the ticks on this page do not matter then.
    for (const box of picks()) box.disabled = allMatching.checked;
    page.disabled = allMatching.checked;
  });
}
