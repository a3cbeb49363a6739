"""Item history written as sentences (English or Korean) is carried over into event codes and
parameters by ``datasets.0016_item_event_params``, and is then shown in the reader's language.

The test database is migrated back to the state just before that migration, filled through
the historical models, and migrated forward, on PostgreSQL. It leaves the database at the
latest migrations, even when it fails.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from datasets.models import ItemEvent

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("migrations")]

MIGRATION = ("datasets", "0016_item_event_params")

#: A categories line of many axes, cut at 300 characters as the old service cut it.
CUT = "; ".join(f"axis{n}: clean → shadow" for n in range(20))[:299] + "…"
OLD_ROWS = [
    # (kind, sentence as stored, params expected after the migration)
    ("uploaded", "Uploaded as “p1.jpg”.", {"name": "p1.jpg"}),
    ("uploaded", "Registered.", {"name": ""}),
    ("uploaded", "“사진.jpg”(으)로 올렸습니다.", {"name": "사진.jpg"}),
    ("processed", "Thumbnail and screen rendition made.", {}),
    ("stripped", "다른 역할이 보는 파일에서 메타데이터를 지웠습니다.", {}),
    ("split", "Split changed from Unassigned to Validation.", {"before": "", "after": "val"}),
    (
        "categories",
        "capture: clean → shadow; writing: printed → none",
        {
            "changes": [
                {"axis": "capture", "before": "clean", "after": "shadow"},
                {"axis": "writing", "before": "printed", "after": None},
            ]
        },
    ),
    (
        "ground_truth",
        "Ground truth version 2 recorded (Accepted in review: char, formula).",
        {"number": 2, "source": "review", "types": ["char", "formula"]},
    ),
    (
        "ground_truth",
        "Ground truth version 1 recorded (Synthetic generator).",
        {"number": 1, "source": "generator", "types": []},
    ),
    ("categories", CUT, {"text": CUT}),
]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _before() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return list(executor.loader.get_migration(*MIGRATION).dependencies)


def _latest() -> None:
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_apps(transactional_db):
    before = _before()
    executor = _migrate(before)
    try:
        yield executor.loader.project_state(before).apps
    finally:
        _latest()
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


def _old_events(apps) -> list[int]:
    Dataset = apps.get_model("datasets", "Dataset")
    Item = apps.get_model("datasets", "Item")
    OldEvent = apps.get_model("datasets", "ItemEvent")
    dataset = Dataset.objects.create(name="Before item events had codes")
    item = Item.objects.create(
        dataset=dataset, sha256="0" * 64, original="a.jpg", image="a.jpg", width=2, height=2
    )
    return [
        OldEvent.objects.create(item=item, kind=kind, summary=text).pk
        for kind, text, _params in OLD_ROWS
    ]


def test_old_history_sentences_become_codes_and_parameters_shown_in_either_language(old_apps):
    ids = _old_events(old_apps)

    _latest()

    events = [ItemEvent.objects.get(pk=pk) for pk in ids]
    assert [event.params for event in events] == [params for _k, _t, params in OLD_ROWS]
    with translation.override("ko"):
        korean = [event.summary for event in events]
    with translation.override("en"):
        english = [event.summary for event in events]
    assert korean[0] == "“p1.jpg”(으)로 올렸습니다."
    assert korean[5] == "분할을 미배정에서 검증(으)로 바꿨습니다."
    assert english[2] == "Uploaded as “사진.jpg”."
    assert english[4] == "Metadata removed from the files other roles see."
    assert english[6] == "capture: clean → shadow; writing: printed → none"
    assert english[7] == "Ground truth version 2 recorded (Accepted in review: char, formula)."
    assert korean[8].startswith("정답 버전 1")
    assert english[9] == korean[9] == CUT


def test_migrating_back_writes_the_english_sentences_again(old_apps):
    ids = _old_events(old_apps)
    _latest()

    executor = _migrate(_before())

    OldEvent = executor.loader.project_state(_before()).apps.get_model("datasets", "ItemEvent")
    sentences = [OldEvent.objects.get(pk=pk).summary for pk in ids]
    assert sentences[0] == "Uploaded as “p1.jpg”."
    assert sentences[2] == "Uploaded as “사진.jpg”."
    assert sentences[5] == "Split changed from Unassigned to Validation."
    assert sentences[6] == "capture: clean → shadow; writing: printed → none"
    assert sentences[9] == CUT
