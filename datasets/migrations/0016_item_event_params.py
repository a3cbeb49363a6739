"""Item history records what happened, not a sentence: ``params`` replaces ``summary``.

The sentences written so far (in English, or in Korean when the person who caused them read
Korean) are read back into their kind's parameters, so old and new rows are shown alike in
the reader's language. A sentence that cannot be read back (a categories line cut at 300
characters, a wording since changed) is kept as ``{"text": …}`` and shown as written.
Backwards, each row gets its English sentence again.
"""

import re

from django.db import migrations, models
from django.utils import translation

LANGUAGES = ("en", "ko")

# The sentences as services wrote them up to 0013, msgids of the Korean catalogue.
UPLOADED = "Uploaded as “%(name)s”."
REGISTERED = "Registered."
PROCESSED = "Thumbnail and screen rendition made."
STRIPPED = "Metadata removed from the files other roles see."
SPLIT = "Split changed from %(before)s to %(after)s."
TRUTH_TYPES = "Ground truth version %(number)s recorded (%(source)s: %(types)s)."
TRUTH = "Ground truth version %(number)s recorded (%(source)s)."
CATEGORY = "%(axis)s: %(before)s → %(after)s"
NONE = "none"
SPLITS = {"": "Unassigned", "train": "Train", "val": "Validation", "test": "Test"}
SOURCES = {
    "review": "Accepted in review",
    "import": "Imported",
    "generator": "Synthetic generator",
}


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(
        re.escape(part) if n % 2 == 0 else f"(?P<{part}>.*?)" for n, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$", re.DOTALL)


def _translated(template: str) -> list[str]:
    texts = []
    for language in LANGUAGES:
        with translation.override(language):
            texts.append(translation.gettext(template))
    return list(dict.fromkeys(texts))


def _matches(template: str, text: str) -> dict | None:
    for translated in _translated(template):
        match = _pattern(translated).match(text)
        if match:
            return match.groupdict()
    return None


def _value_of(labels: dict[str, str], label: str) -> str | None:
    for value, english in labels.items():
        if label in _translated(english):
            return value
    return None


def _params(kind: str, text: str) -> dict | None:
    """The parameters a sentence of this kind was written from, or None."""
    if kind == "uploaded":
        if text in _translated(REGISTERED):
            return {"name": ""}
        found = _matches(UPLOADED, text)
        return {"name": found["name"]} if found else None
    if kind == "processed":
        return {} if text in _translated(PROCESSED) else None
    if kind == "stripped":
        return {} if text in _translated(STRIPPED) else None
    if kind == "split":
        found = _matches(SPLIT, text)
        if not found:
            return None
        before, after = _value_of(SPLITS, found["before"]), _value_of(SPLITS, found["after"])
        return None if before is None or after is None else {"before": before, "after": after}
    if kind == "ground_truth":
        found = _matches(TRUTH_TYPES, text) or _matches(TRUTH, text)
        if not found or not found["number"].isdigit():
            return None
        source = _value_of(SOURCES, found["source"])
        if source is None:
            return None
        types = found.get("types")
        return {
            "number": int(found["number"]),
            "source": source,
            "types": types.split(", ") if types else [],
        }
    if kind == "categories":
        if len(text) == 300 and text.endswith("…"):  # cut: its last change is lost
            return None
        nones = _translated(NONE)
        changes = []
        for part in text.split("; "):
            found = _matches(CATEGORY, part)
            if not found:
                return None
            changes.append(
                {
                    "axis": found["axis"],
                    "before": None if found["before"] in nones else found["before"],
                    "after": None if found["after"] in nones else found["after"],
                }
            )
        return {"changes": changes}
    return None


def sentences_to_params(apps, schema_editor):
    ItemEvent = apps.get_model("datasets", "ItemEvent")
    batch = []
    for event in ItemEvent.objects.only("id", "kind", "summary").iterator(chunk_size=2000):
        params = _params(event.kind, event.summary)
        event.params = {"text": event.summary} if params is None else params
        batch.append(event)
        if len(batch) == 2000:
            ItemEvent.objects.bulk_update(batch, ["params"])
            batch = []
    ItemEvent.objects.bulk_update(batch, ["params"])


def _sentence(kind: str, params: dict) -> str:
    if "text" in params:
        return params["text"]
    if kind == "uploaded":
        return UPLOADED % params if params.get("name") else REGISTERED
    if kind == "processed":
        return PROCESSED
    if kind == "stripped":
        return STRIPPED
    if kind == "split":
        return SPLIT % {
            "before": SPLITS.get(params.get("before"), params.get("before")),
            "after": SPLITS.get(params.get("after"), params.get("after")),
        }
    if kind == "ground_truth":
        values = {**params, "source": SOURCES.get(params.get("source"), params.get("source"))}
        if params.get("types"):
            return TRUTH_TYPES % {**values, "types": ", ".join(params["types"])}
        return TRUTH % values
    if kind == "categories":
        return "; ".join(
            CATEGORY
            % {
                "axis": change["axis"],
                "before": change["before"] or NONE,
                "after": change["after"] or NONE,
            }
            for change in params.get("changes", [])
        )
    return kind


def params_to_sentences(apps, schema_editor):
    ItemEvent = apps.get_model("datasets", "ItemEvent")
    batch = []
    for event in ItemEvent.objects.only("id", "kind", "params").iterator(chunk_size=2000):
        sentence = _sentence(event.kind, event.params or {})
        event.summary = sentence if len(sentence) <= 300 else sentence[:299] + "…"
        batch.append(event)
        if len(batch) == 2000:
            ItemEvent.objects.bulk_update(batch, ["summary"])
            batch = []
    ItemEvent.objects.bulk_update(batch, ["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0015_spec_history_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="itemevent",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="summary",
            field=models.CharField(default="", max_length=300, verbose_name="summary"),
        ),
        migrations.RunPython(sentences_to_params, params_to_sentences),
        migrations.RemoveField(
            model_name="itemevent",
            name="summary",
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("uploaded", "Uploaded"),
                    ("processed", "Processed"),
                    ("stripped", "Metadata stripped"),
                    ("split", "Split changed"),
                    ("categories", "Categories changed"),
                    ("ground_truth", "Ground truth recorded"),
                    ("requeued", "Queued again"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
    ]
