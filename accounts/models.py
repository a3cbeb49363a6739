from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.zones import validate_time_zone, zone_or_site


class Role(models.TextChoices):
    PLANNER = "planner", _("Planner")
    REVIEWER = "reviewer", _("Reviewer")
    TRAINER = "trainer", _("Trainer")
    ANNOTATOR = "annotator", _("Annotator")
    VENDOR_MANAGER = "vendor_manager", _("Vendor manager")


class User(AbstractUser):
    """A person signed in through the browser; trainers and scripts also use API tokens.

    Staff admins are users with ``is_staff``; every other person has exactly one role.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: follow the browser's language."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        default="",
        db_default="",  # rows written by code that predates the field get the site's zone
        help_text=_("An IANA name such as Asia/Seoul. Empty: the site's time zone."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def zone_name(self) -> str:
        """The zone the user's days are counted in: their own, else the site's."""
        return zone_or_site(self.time_zone)


class ApiToken(models.Model):
    """A named API token. Only its SHA-256 is stored; the key is shown once at creation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
