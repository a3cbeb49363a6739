"""Work guides: their versions, attachments and examples, acknowledgements, quizzes, and the
annotators' questions with their answers and the FAQ.

A guide belongs to a dataset and optionally to one task kind of it. Labeling is above this
app, so a task kind is an opaque id (``task_kind_id``), never a foreign key. A guide has one
draft (``Guide.draft_body``, saved with ``draft_revision`` for optimistic concurrency) and
published versions, which are immutable: body, the HTML rendered at publish time, its section
anchors, change note and whether it was minor (a minor version needs no new
acknowledgement).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: A guide body's own limit (the request limit is wider).
BODY_LIMIT = 200_000
#: A question's and an answer's own limit.
QUESTION_LIMIT = 5_000


def _user_fk(verbose_name, **extra):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **extra,
    )


class Guide(models.Model):
    """The work guide of a dataset, or of one task kind of it, with its one draft."""

    dataset = models.ForeignKey(
        "datasets.Dataset", on_delete=models.CASCADE, related_name="+", verbose_name=_("dataset")
    )
    task_kind_id = models.PositiveBigIntegerField(_("task kind"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    draft_body = models.TextField(_("draft"), blank=True)
    draft_revision = models.PositiveIntegerField(_("draft revision"), default=1)
    draft_saved_at = models.DateTimeField(_("draft saved at"), auto_now_add=True)
    draft_saved_by = _user_fk(_("draft saved by"))
    #: The pass score of the draft's quiz, in percent; none = the next version has no quiz.
    draft_pass_score = models.PositiveSmallIntegerField(_("quiz pass score"), null=True, blank=True)
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        ordering = ["dataset", "task_kind_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset"],
                condition=models.Q(task_kind_id__isnull=True),
                name="guide_one_per_dataset",
            ),
            models.UniqueConstraint(
                fields=["dataset", "task_kind_id"],
                condition=models.Q(task_kind_id__isnull=False),
                name="guide_one_per_task_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GuideVersion(models.Model):
    """A published version of a guide: immutable once written."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="versions", verbose_name=_("guide")
    )
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    html = models.TextField(_("rendered text"))
    #: ``[{"anchor": "shadows", "title": "Shadows"}, …]`` in the order of the text.
    sections = models.JSONField(_("sections"), default=list)
    change_note = models.TextField(_("change note"))
    minor = models.BooleanField(
        _("minor change"),
        default=False,
        help_text=_("A typo fix: annotators need not acknowledge it again."),
    )
    pass_score = models.PositiveSmallIntegerField(_("quiz pass score"), null=True, blank=True)
    published_by = _user_fk(_("published by"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        ordering = ["guide", "number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="guide_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.guide} v{self.number}"


class Attachment(models.Model):
    """An image of a guide, stored without metadata; the only images a guide may show."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("guide")
    )
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("file"), upload_to="guides/attachments/%Y/%m/", max_length=300)
    content_type = models.CharField(_("type"), max_length=40)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_by = _user_fk(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["guide", "id"]

    def __str__(self) -> str:
        return self.name


class Example(models.Model):
    """A good or bad example placed in a section of a guide: an item of the dataset or an
    uploaded image, its caption, and the regions drawn over it (a good item's from its
    ground truth, a bad one's from an uploaded canonical annotation)."""

    class Verdict(models.TextChoices):
        GOOD = "good", _("Good")
        BAD = "bad", _("Bad")

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="examples", verbose_name=_("guide")
    )
    verdict = models.CharField(_("verdict"), max_length=4, choices=Verdict.choices)
    caption = models.CharField(_("caption"), max_length=500)
    anchor = models.CharField(_("section"), max_length=80, blank=True)
    item = models.ForeignKey(
        "datasets.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
    )
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded image"),
    )
    #: The canonical annotation drawn over the image (``{"regions": [...]}``).
    annotation = models.JSONField(_("regions"), default=dict)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("example")
        verbose_name_plural = _("examples")
        ordering = ["guide", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False) | models.Q(attachment__isnull=False),
                name="example_has_image",
            )
        ]

    def __str__(self) -> str:
        return self.caption


class Acknowledgement(models.Model):
    """An annotator opened a version and said they read it."""

    version = models.ForeignKey(
        GuideVersion,
        on_delete=models.CASCADE,
        related_name="acknowledgements",
        verbose_name=_("version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("annotator"),
    )
    at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["version", "at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="acknowledgement_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.version}"


class QuizQuestion(models.Model):
    """A multiple-choice question of a quiz: the draft's (``version`` empty) or a published
    version's (copied at publish, then immutable). ``correct`` never leaves the server
    before an attempt is submitted."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="quiz_questions", verbose_name=_("guide")
    )
    version = models.ForeignKey(
        GuideVersion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quiz_questions",
        verbose_name=_("version"),
    )
    example = models.ForeignKey(
        Example,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("example"),
    )
    prompt = models.CharField(_("question"), max_length=500)
    choices = models.JSONField(_("choices"), default=list)
    correct = models.PositiveSmallIntegerField(_("right choice"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["guide", "version", "position", "id"]

    def __str__(self) -> str:
        return self.prompt


class QuizAttempt(models.Model):
    """One annotator's answers to a version's quiz, scored when submitted."""

    version = models.ForeignKey(
        GuideVersion, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("version")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("annotator"),
    )
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score"))
    passed = models.BooleanField(_("passed"))
    at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["version", "-at"]
        indexes = [models.Index(fields=["version", "user"], name="quiz_attempt_version_user")]

    def __str__(self) -> str:
        return f"{self.user}: {self.score}%"


class Question(models.Model):
    """An annotator's question about a guide, optionally pinned to an item and region with a
    crop. Who asked and from which vendor is never shown outside the planners and that
    vendor."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        MERGED = "merged", _("Merged")
        DECISION = "decision", _("Sent to the service owner")

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="questions", verbose_name=_("guide")
    )
    version = models.ForeignKey(
        GuideVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version read"),
    )
    anchor = models.CharField(_("section"), max_length=80, blank=True)
    body = models.TextField(_("question"))
    asked_by = _user_fk(_("asked by"))
    vendor = models.ForeignKey(
        "vendors.Vendor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vendor"),
    )
    item = models.ForeignKey(
        "datasets.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
    )
    region_id = models.CharField(_("region"), max_length=64, blank=True)
    crop = models.FileField(_("crop"), upload_to="guides/questions/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = _user_fk(_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    #: When a member of the asker's vendor last opened the answer (new answers are notices).
    answer_seen_at = models.DateTimeField(_("answer seen at"), null=True, blank=True)
    decision = models.ForeignKey(
        "datasets.RequirementDecision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requirement decision"),
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["guide", "asked_at", "id"]
        indexes = [models.Index(fields=["guide", "status"], name="question_guide_status")]

    def __str__(self) -> str:
        return self.body[:80]


class MeToo(models.Model):
    """Another annotator asking the same question."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="me_too", verbose_name=_("question")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("“me too”")
        verbose_name_plural = _("“me too”s")
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="me_too_once")]

    def __str__(self) -> str:
        return f"{self.user} on {self.question_id}"


class FaqEntry(models.Model):
    """A question and answer the planner published for every annotator of the dataset, in
    wording they may have edited; never names who asked. ``promoted_version`` is the version
    the answer was promoted into (empty while it waits in the draft)."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="faq", verbose_name=_("guide")
    )
    source = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faq_entries",
        verbose_name=_("question"),
    )
    anchor = models.CharField(_("section"), max_length=80, blank=True)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    #: Question and answer in one lower-cased text the search reads (trigrams or LIKE).
    search_text = models.TextField(_("search text"), editable=False, default="")
    published_by = _user_fk(_("published by"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    promoted_version = models.ForeignKey(
        GuideVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("promoted into"),
    )

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["guide", "-published_at", "id"]

    def __str__(self) -> str:
        return self.question[:80]
