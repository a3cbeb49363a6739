// A form with data-confirm asks before it posts: cancelling tasks cannot be undone.

/** Make every ``form[data-confirm]`` under ``root`` ask its question before it posts. */
export function initConfirms(root = document) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}
