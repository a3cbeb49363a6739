"""Per-stage exports: one stage's ground truth projected into files a trainer loads directly.

``rows`` is what a chunk reads of each pinned ground-truth version and the geometry every
layout shares; ``projections`` says what a stage makes of one item (COCO, YOLO, crops,
labels.jsonl, the Hugging Face imagefolder layout) and in which order the final zip lists it;
``parts`` keeps what one chunk of items became until the final step joins the chunks;
``archive`` writes a zip deterministically to a temporary file and stores it only when
complete; ``manifest`` writes the manifest last. ``exports.services`` requests exports
(``requests``) and runs the steps (``building``).

An export reads the ground-truth versions its plan pinned, and its manifest names each one
with its provenance (source, task and annotation ids, guide versions, who accepted it).
Downloads are served by ``core.files`` (ranges, ETag, a short-lived signed URL on S3).
"""

#: The Groundwork version written into every manifest.
GROUNDWORK_VERSION = "0.1"
#: The version of the export layout and manifest described here (2: the manifest names each
#: item's ground-truth version and its provenance; 3: a crop stage's YOLO and COCO pictures
#: are ``images/<split>/…`` beside ``labels/<split>/…``, and data.yaml names no ``path``).
SPEC_VERSION = 3
