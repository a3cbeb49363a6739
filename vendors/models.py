"""Vendors, their members and invites, contracts, the append-only ledger and statements.

Labeling and review are above this app: they refer to their batches and tasks here by opaque
ids (``batch_ref``, ``task_ref``, ``Contract.task_kind_id``), never by foreign keys, so this
app's migrations never depend on theirs. Money is a decimal in the contract's currency;
amounts of two currencies are never added.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

#: Room for any currency's price: 10 digits before the point, 4 after (none has more).
MONEY = {"max_digits": 18, "decimal_places": 4}
#: Counted units (tasks, regions, photos) may be fractional in a reservation: an expected
#: number of regions per item times the tasks cut.
UNITS = {"max_digits": 16, "decimal_places": 4}
ZERO = Decimal(0)


class Vendor(models.Model):
    """An outsourcing company. Closed, never deleted, once it has contracts."""

    name = models.CharField(_("company name"), max_length=200)
    contacts = models.TextField(_("contacts"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("name"), name="vendor_name_unique")]

    def __str__(self) -> str:
        return self.name


#: The roles a vendor's member can have (the user's own ``role``).
MEMBER_ROLES = (Role.VENDOR_MANAGER, Role.ANNOTATOR)


class Member(models.Model):
    """A user's place in a vendor: a user belongs to at most one vendor. The user's ``role``
    says whether they manage the vendor or annotate for it; a deactivated member cannot
    sign in (their user is made inactive with it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vendor_member",
        verbose_name=_("user"),
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="members", verbose_name=_("vendor")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deactivated by"),
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["vendor", "joined_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.vendor}"


class Invite(models.Model):
    """A single-use sign-up link for one role at one vendor, until it expires.

    The link carries a random key; only ``prefix`` (to find the row) and ``key_hash`` are
    stored, and the hash covers the vendor and the role too, so a row whose vendor or role
    was changed no longer matches any link.
    """

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="invites", verbose_name=_("vendor")
    )
    role = models.CharField(
        _("role"), max_length=20, choices=[(r.value, r.label) for r in MEMBER_ROLES]
    )
    email = models.EmailField(_("for"), blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invite")
        verbose_name_plural = _("invites")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invite {self.prefix}… ({self.role} @ {self.vendor_id})"


class Contract(models.Model):
    """What a vendor was contracted for on one dataset: a labeling pass (a task kind of the
    labeling app, by its opaque id) or photos for some categories (``quotas``).

    ``unit_price`` is the price now; ``prices`` keeps every price with the moment it took
    effect, and each accepted ledger line the price it was paid at. ``quantity`` counts the
    price's unit (tasks, regions or photos). Days (dates, statements, throughput) are days in
    ``time_zone``.
    """

    class Kind(models.TextChoices):
        LABELING = "labeling", _("Labeling")
        COLLECTION = "collection", _("Collecting photos")

    class Unit(models.TextChoices):
        TASK = "task", _("per task")
        REGION = "region", _("per region")
        PHOTO = "photo", _("per photo")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("vendor")
    )
    dataset = models.ForeignKey(
        "datasets.Dataset", on_delete=models.PROTECT, related_name="+", verbose_name=_("dataset")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    task_kind_id = models.PositiveBigIntegerField(_("task kind"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("priced"), max_length=8, choices=Unit.choices)
    currency = models.CharField(_("currency"), max_length=3)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    expected_regions = models.DecimalField(
        _("expected regions per item"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a price per region: what a cut reserves for each item."),
    )
    quantity = models.PositiveIntegerField(_("contracted quantity"))
    budget = models.DecimalField(_("budget cap"), **MONEY)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["vendor", "-starts_on", "id"]
        indexes = [models.Index(fields=["dataset", "vendor"], name="contract_dataset_vendor")]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_price__gt=0), name="contract_price"),
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="contract_budget"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="contract_quantity"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="collection") | models.Q(task_kind_id__isnull=False),
                name="contract_labeling_has_task_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContractPrice(models.Model):
    """A unit price and the moment it took effect: work accepted from then on is paid at it."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="prices", verbose_name=_("contract")
    )
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    effective_at = models.DateTimeField(_("effective from"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["contract", "effective_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_price__gt=0), name="contract_price_gt0")
        ]

    def __str__(self) -> str:
        return f"{self.unit_price} from {self.effective_at:%Y-%m-%d}"


class ContractQuota(models.Model):
    """How many photos of one category a collection contract buys."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("contract")
    )
    category = models.ForeignKey(
        "datasets.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    quantity = models.PositiveIntegerField(_("photos"))

    class Meta:
        verbose_name = _("photo quota")
        verbose_name_plural = _("photo quotas")
        ordering = ["contract", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "category"], name="contract_quota_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="contract_quota_gt0"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.quantity}"


class LedgerLine(models.Model):
    """One append-only line of a contract's ledger; lines are never changed or deleted.

    Every line has two signed pairs: ``units``/``amount`` is work accepted (and paid),
    ``reserved_units``/``reserved_amount`` work cut and not yet accepted. A reservation adds
    to the second pair, a release takes from it, an accepted line adds to the first and
    takes its task's share of the reservation from the second; a reversal negates the line
    it names (``reverses``). So room left, cost and budget burned are sums of the ledger.
    """

    class Kind(models.TextChoices):
        RESERVATION = "reservation", _("Reserved")
        RELEASE = "release", _("Released")
        ACCEPTED = "accepted", _("Accepted")
        REVERSAL = "reversal", _("Reversed")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("contract")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    batch_ref = models.PositiveBigIntegerField(_("batch"), null=True, blank=True)
    task_ref = models.PositiveBigIntegerField(_("task"), null=True, blank=True)
    item = models.ForeignKey(
        "datasets.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("item"),
    )
    units = models.DecimalField(_("units"), default=ZERO, **UNITS)
    amount = models.DecimalField(_("amount"), default=ZERO, **MONEY)
    reserved_units = models.DecimalField(_("units reserved"), default=ZERO, **UNITS)
    reserved_amount = models.DecimalField(_("amount reserved"), default=ZERO, **MONEY)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        ordering = ["contract", "id"]
        indexes = [
            models.Index(fields=["contract", "at", "id"], name="ledger_contract_at"),
            models.Index(fields=["contract", "batch_ref"], name="ledger_contract_batch"),
        ]
        constraints = [
            # A task is paid once, and a photo once.
            models.UniqueConstraint(
                fields=["task_ref"],
                condition=models.Q(kind="accepted", task_ref__isnull=False),
                name="ledger_task_paid_once",
            ),
            models.UniqueConstraint(
                fields=["contract", "item"],
                condition=models.Q(kind="accepted", task_ref__isnull=True),
                name="ledger_photo_paid_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.contract_id})"


class LedgerDay(models.Model):
    """The ledger's sums per contract and day (in the contract's time zone), kept by the
    service that appends lines in the same transaction: cost and forecasts read these."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    units = models.DecimalField(default=ZERO, **UNITS)
    amount = models.DecimalField(default=ZERO, **MONEY)
    reserved_units = models.DecimalField(default=ZERO, **UNITS)
    reserved_amount = models.DecimalField(default=ZERO, **MONEY)
    accepted = models.IntegerField(default=0)  # accepted lines less reversals: work items

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "day"], name="ledger_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.day}: {self.amount}"


class Statement(models.Model):
    """A contract's accepted work in one period (days in the contract's time zone, end
    exclusive). Open until closed; a closed statement records its last line, count and
    totals, and never changes."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="statements", verbose_name=_("contract")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until (exclusive)"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    last_line_id = models.BigIntegerField(_("last line"), null=True, blank=True)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total_units = models.DecimalField(_("units"), default=ZERO, **UNITS)
    total_amount = models.DecimalField(_("total"), default=ZERO, **MONEY)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["contract", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start"], name="statement_period_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="statement_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.period_start}–{self.period_end}"
