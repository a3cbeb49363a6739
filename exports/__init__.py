"""Per-stage exports: one stage's ground truth projected into files a trainer loads directly.

``projections`` says what a stage makes of one item (COCO, YOLO, crops, labels.jsonl, the
Hugging Face imagefolder layout) and in which order the final zip lists it; ``parts`` keeps
what one chunk of items became until the final step joins the chunks; ``archive`` writes a
zip deterministically to a temporary file and stores it only when complete; ``manifest``
writes the manifest last. ``exports.services`` requests exports and runs the steps.

Downloads are served by ``core.files`` (ranges, ETag, a short-lived signed URL on S3).
Not yet: guide versions and annotation ids in the manifest (once guides and review exist).
"""

#: The Groundwork version written into every manifest.
GROUNDWORK_VERSION = "0.1"
#: The version of the export layout and manifest described here.
SPEC_VERSION = 1
