// The export form offers only the formats of the chosen stage (each option names its stages);
// without this script every format is offered and the server refuses a mismatch by name.
// A crop stage's crops are always in the zip: for one, "include" is ticked and fixed (the
// server records "include" for a crop stage whatever is sent).
export function initExportForm(form) {
  const stage = form.querySelector("select[name=stage]");
  const formatSelect = form.querySelector("select[name=format]");
  const images = [...form.querySelectorAll("input[name=images]")];
  const cropStages = JSON.parse(images[0]?.dataset.cropStages || "[]");

  function offerImages() {
    const crops = cropStages.includes(stage.value);
    for (const choice of images) {
      if (crops && choice.value === "include") choice.checked = true;
      choice.disabled = crops && choice.value !== "include";
    }
  }

  function offerFormats() {
    const options = [...formatSelect.options];
    for (const option of options) {
      const offered = option.dataset.stages.split(" ").includes(stage.value);
      option.hidden = !offered;
      option.disabled = !offered;
    }
    if (formatSelect.selectedOptions[0]?.disabled) {
      const first = options.find((option) => !option.disabled);
      if (first) formatSelect.value = first.value;
    }
  }

  // a newly chosen stage starts on its own first format
  const firsts = JSON.parse(formatSelect.dataset.first || "{}");
  stage.addEventListener("change", () => {
    if (firsts[stage.value]) formatSelect.value = firsts[stage.value];
    offerFormats();
    offerImages();
  });
  offerFormats();
  offerImages();
  form.dataset.ready = "true"; // the formats follow the stage (tests wait for this)
}
