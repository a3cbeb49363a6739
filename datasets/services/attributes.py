"""Writes of the label schema's attributes: each region type's named values and their kinds.

Like every schema change, each write raises the spec version with one SpecChange row
(``spec_change_record``); an attribute a stage outputs or ground truth carries is kept.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import AttributeDef, RegionType, Stage
from datasets.selectors import ground_truth_versions_using
from datasets.services.spec import spec_change_record

ATTRIBUTE_FIELDS = ("name", "kind", "required", "choices")


def _require_valid_attribute(
    region_type: RegionType, *, name: str, kind: str, choices, exclude=None
) -> None:
    if region_type.attributes.exclude(pk=exclude).filter(name=name).exists():
        raise DomainError(
            _("Region type “%(type)s” already has an attribute “%(name)s”.")
            % {"type": region_type.slug, "name": name},
            code="duplicate_name",
            fields={"name": _("This name is taken.")},
        )
    if kind not in AttributeDef.Kind.values:
        raise DomainError(
            _("“%(kind)s” is not a kind of attribute.") % {"kind": kind},
            code="invalid_kind",
            fields={"kind": _("Pick text, latex, boolean, choice or angle.")},
        )
    if kind == AttributeDef.Kind.ANGLE:
        _require_no_other_angle(region_type, exclude=exclude)
    if kind == AttributeDef.Kind.CHOICE:
        if not choices:
            raise DomainError(
                _("A choice attribute needs its choices."),
                code="choices_missing",
                fields={"choices": _("List the choices.")},
            )
        if any(not isinstance(c, str) or not c.strip() for c in choices) or len(
            set(choices)
        ) != len(choices):
            raise DomainError(
                _("Choices must be distinct, non-empty words."),
                code="invalid_choices",
                fields={"choices": _("Each choice once, none empty.")},
            )
    elif choices:
        raise DomainError(
            _("Only a choice attribute has choices; this one is %(kind)s.") % {"kind": kind},
            code="choices_not_allowed",
            fields={"choices": _("Leave the choices empty, or make it a choice.")},
        )


def _require_no_other_angle(region_type: RegionType, *, exclude=None) -> None:
    """A type has one angle at most: a crop is turned by one number."""
    other = region_type.attributes.exclude(pk=exclude).filter(kind=AttributeDef.Kind.ANGLE).first()
    if other is not None:
        raise DomainError(
            _("Region type “%(type)s” already has an angle, “%(name)s”; a type has one at most.")
            % {"type": region_type.slug, "name": other.name},
            code="angle_taken",
            fields={"kind": _("This type already has an angle.")},
        )


@transaction.atomic
def attribute_create(
    *,
    region_type: RegionType,
    name: str,
    kind: str,
    required: bool = False,
    choices: Iterable[str] = (),
    by: User | None,
) -> AttributeDef:
    choices = list(choices)
    _require_valid_attribute(region_type, name=name, kind=kind, choices=choices)
    attribute = AttributeDef.objects.create(
        region_type=region_type,
        name=name,
        kind=kind,
        required=required,
        choices=choices,
        position=region_type.attributes.count(),
    )
    spec_change_record(
        dataset=region_type.dataset,
        by=by,
        change={
            "kind": "attribute_created",
            "region_type": region_type.slug,
            "attribute": name,
            "attribute_kind": kind,
            "type_name": region_type.name,
            "required": required,
            "choices": choices,
        },
    )
    return attribute


@transaction.atomic
def attribute_update(*, attribute: AttributeDef, by: User | None, **changes) -> AttributeDef:
    """Rename an attribute or change its kind, whether it is required, its choices."""
    region_type = attribute.region_type
    changes = {field: value for field, value in changes.items() if field in ATTRIBUTE_FIELDS}
    if "choices" in changes:
        changes["choices"] = list(changes["choices"])
    before = {field: getattr(attribute, field) for field in changes}
    after = {field: value for field, value in changes.items() if value != before[field]}
    if not after:
        return attribute
    merged = {field: after.get(field, getattr(attribute, field)) for field in ATTRIBUTE_FIELDS}
    if merged["kind"] != AttributeDef.Kind.CHOICE and "kind" in after and "choices" not in after:
        merged["choices"] = after["choices"] = []  # leaving choice drops its choices
        before["choices"] = attribute.choices
    _require_valid_attribute(
        region_type,
        name=merged["name"],
        kind=merged["kind"],
        choices=merged["choices"],
        exclude=attribute.pk,
    )
    if "name" in after:
        _require_not_carried(
            attribute,
            _(
                "%(count)s ground-truth versions carry attribute “%(type)s.%(name)s”: its name "
                "is its key there, so it stays."
            ),
        )
    if "kind" in after and Stage.objects.filter(output_attribute=attribute).exists():
        raise DomainError(
            _("A stage outputs attribute “%(name)s”; its kind cannot change.")
            % {"name": attribute.name},
            code="attribute_in_use",
            status=409,
        )
    for field, value in after.items():
        setattr(attribute, field, value)
    attribute.save(update_fields=list(after))
    spec_change_record(
        dataset=region_type.dataset,
        by=by,
        change={
            "kind": "attribute_changed",
            "region_type": region_type.slug,
            "attribute": before.get("name", attribute.name),
            "before": {field: before[field] for field in after},
            "after": after,
        },
    )
    return attribute


def _require_not_carried(attribute: AttributeDef, message: str) -> None:
    """Refuse (409) a change that would strand the attribute's values in any version of the
    ground truth; ``message`` names the count, the type and the attribute."""
    region_type = attribute.region_type
    count = ground_truth_versions_using(
        dataset=region_type.dataset, type_slug=region_type.slug, attribute=attribute.name
    )
    if count:
        raise DomainError(
            message % {"count": count, "type": region_type.slug, "name": attribute.name},
            code="attribute_in_use",
            status=409,
            fields={"name": _("Used by the ground truth.")},
        )


@transaction.atomic
def attribute_delete(*, attribute: AttributeDef, by: User | None) -> None:
    """Delete an attribute no stage outputs and no ground truth carries; otherwise 409."""
    region_type = attribute.region_type
    used_by = sorted(
        set(Stage.objects.filter(output_attribute=attribute).values_list("name", flat=True))
    )
    if used_by:
        raise DomainError(
            _("Attribute “%(name)s” is the output of the stages %(stages)s; change them first.")
            % {"name": attribute.name, "stages": ", ".join(used_by)},
            code="attribute_in_use",
            status=409,
        )
    _require_not_carried(
        attribute,
        _(
            "%(count)s ground-truth versions carry attribute “%(type)s.%(name)s”; it cannot be "
            "deleted."
        ),
    )
    name = attribute.name
    attribute.delete()
    spec_change_record(
        dataset=region_type.dataset,
        by=by,
        change={"kind": "attribute_deleted", "region_type": region_type.slug, "attribute": name},
    )
