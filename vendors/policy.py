"""Who may see vendors, contracts and cost. A vendor never sees another vendor's anything:
what is not visible is a 404 (the ``*_visible_to`` querysets), what is visible but not
allowed a 403 (``can_*``)."""

from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Role, User
from core.permissions import require
from core.rows import model_columns, model_from_row
from vendors.models import Contract, Invite, Member, Statement, Vendor

__all__ = [
    "require",
    "vendor_of",
    "is_in_house",
    "can_view_vendors",
    "can_manage_vendors",
    "can_manage_members",
    "vendors_visible_to",
    "members_visible_to",
    "invites_visible_to",
    "contracts_visible_to",
    "statements_visible_to",
    "can_see_cost",
    "statement_vendors_visible_to",
    "can_close_statement",
    "can_view_contracts",
    "contract_terms_visible_to",
    "vendor_for",
    "can_see_vendor_notes",
    "can_invite",
    "invite_roles_for",
    "can_deactivate_member",
    "can_join_with_own_account",
    "datasets_contracted_by",
]


def is_in_house(user: User) -> bool:
    """Planners, reviewers and staff: the team that hands work out and checks it."""
    return user.is_authenticated and (user.is_staff or user.has_role(Role.PLANNER, Role.REVIEWER))


#: Where ``vendor_of`` keeps its answer on the user object: a request loads its user once,
#: and a page asks the policy about it many times (a guide's version page: 25 times).
_VENDOR_OF = "_vendor_of"


def vendor_of(user: User) -> Vendor | None:
    """The vendor an active member belongs to, else None (read once per user object)."""
    if not user.is_authenticated or not user.has_role(Role.VENDOR_MANAGER, Role.ANNOTATOR):
        return None
    if _VENDOR_OF not in user.__dict__:
        user.__dict__[_VENDOR_OF] = _vendor_read(user.pk)
    return user.__dict__[_VENDOR_OF]


def _vendor_read(user_id: int) -> Vendor | None:
    """The active membership's vendor in one plain statement: every request of a vendor's
    people asks (a user is a member of at most one vendor)."""
    statement = (
        f"SELECT {model_columns(Vendor, 'v')} FROM {Vendor._meta.db_table} v "  # noqa: S608
        f"JOIN {Member._meta.db_table} m ON m.vendor_id = v.id "
        "WHERE m.user_id = %s AND m.deactivated_at IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [user_id])
        row = cursor.fetchone()
    return model_from_row(Vendor, row) if row else None


def can_view_vendors(user: User) -> bool:
    """Planners see every vendor; a vendor manager only their own company."""
    return user.is_authenticated and (
        user.is_staff or user.has_role(Role.PLANNER, Role.VENDOR_MANAGER)
    )


def can_manage_vendors(user: User) -> bool:
    """Create, edit and close vendors and contracts; invite a vendor's first manager."""
    return user.is_authenticated and (user.is_staff or user.has_role(Role.PLANNER))


def can_manage_members(user: User, vendor: Vendor) -> bool:
    """Planners, and the vendor's own managers (who invite and deactivate annotators)."""
    if can_manage_vendors(user):
        return True
    return user.has_role(Role.VENDOR_MANAGER) and vendor_of(user) == vendor


def can_see_cost(user: User, vendor: Vendor) -> bool:
    """Prices, ledger and statements: planners, and the vendor's own managers."""
    return can_manage_members(user, vendor)


def vendors_visible_to(user: User) -> QuerySet[Vendor]:
    if can_manage_vendors(user) or is_in_house(user):
        return Vendor.objects.all()
    vendor = vendor_of(user)
    return Vendor.objects.filter(pk=vendor.pk) if vendor else Vendor.objects.none()


def members_visible_to(user: User) -> QuerySet[Member]:
    """Planners see every member; a vendor's manager their own vendor's; nobody else any."""
    if can_manage_vendors(user):
        return Member.objects.all()
    vendor = vendor_of(user)
    if vendor and user.has_role(Role.VENDOR_MANAGER):
        return Member.objects.filter(vendor=vendor)
    return Member.objects.none()


def invites_visible_to(user: User) -> QuerySet[Invite]:
    if can_manage_vendors(user):
        return Invite.objects.all()
    vendor = vendor_of(user)
    if vendor and user.has_role(Role.VENDOR_MANAGER):
        return Invite.objects.filter(vendor=vendor)
    return Invite.objects.none()


def contracts_visible_to(user: User) -> QuerySet[Contract]:
    """In-house roles see every contract; a vendor's members their own vendor's."""
    if is_in_house(user):
        return Contract.objects.all()
    vendor = vendor_of(user)
    return Contract.objects.filter(vendor=vendor) if vendor else Contract.objects.none()


def statements_visible_to(user: User) -> QuerySet[Statement]:
    """Planners see every statement; a vendor's managers their own vendor's."""
    if can_manage_vendors(user):
        return Statement.objects.all()
    vendor = vendor_of(user)
    if vendor and user.has_role(Role.VENDOR_MANAGER):
        return Statement.objects.filter(contract__vendor=vendor)
    return Statement.objects.none()


# --- statements (helper E) ------------------------------------------------------------------


def statement_vendors_visible_to(user: User) -> QuerySet[Vendor]:
    """The vendors whose statement list a user may open or be refused: every vendor for the
    in-house team (planners read them; the others get a 403), a vendor manager's own; an
    annotator none (a 404: they see no money)."""
    if is_in_house(user) or can_manage_vendors(user):
        return Vendor.objects.all()
    vendor = vendor_of(user)
    if vendor and user.has_role(Role.VENDOR_MANAGER):
        return Vendor.objects.filter(pk=vendor.pk)
    return Vendor.objects.none()


def can_close_statement(user: User, statement: Statement) -> bool:
    """Planners close statements; a vendor manager reads their own."""
    return can_manage_vendors(user)


def can_view_contracts(user: User) -> bool:
    """Contract terms, prices and cost: planners (every vendor's) and vendor managers (their
    own vendor's). Annotators, reviewers and trainers see none of the money."""
    return can_manage_vendors(user) or (
        user.is_authenticated and user.has_role(Role.VENDOR_MANAGER)
    )


def contract_terms_visible_to(user: User) -> QuerySet[Contract]:
    """The contracts whose terms, prices and cost ``user`` may read: every one for planners,
    their own vendor's for a vendor manager, none for anybody else (so another vendor's
    contract, and any contract for an annotator, is a 404). ``contracts_visible_to`` is the
    wider set of contracts a member works under."""
    if can_manage_vendors(user):
        return Contract.objects.all()
    vendor = vendor_of(user)
    if vendor and user.has_role(Role.VENDOR_MANAGER):
        return Contract.objects.filter(vendor=vendor)
    return Contract.objects.none()


# --- companies, members and invites ------------------------------------------------------


def vendor_for(user: User, vendor_id: int) -> Vendor:
    """The vendor ``user`` may see, or 404 (another vendor's is not found, never refused)."""
    return get_object_or_404(vendors_visible_to(user), pk=vendor_id)


def can_see_vendor_notes(user: User) -> bool:
    """The notes are the planners' own about the company; its members do not read them."""
    return can_manage_vendors(user)


def invite_roles_for(user: User, vendor: Vendor) -> list[str]:
    """The roles ``user`` may invite to ``vendor``: planners any (a vendor's first manager
    comes from them), the vendor's own managers annotators only."""
    if can_manage_vendors(user):
        return [Role.VENDOR_MANAGER, Role.ANNOTATOR]
    if can_manage_members(user, vendor):
        return [Role.ANNOTATOR]
    return []


def can_invite(user: User, vendor: Vendor, role: str | None = None) -> bool:
    """Invite someone to ``vendor`` (as ``role``, when it is known yet)."""
    roles = invite_roles_for(user, vendor)
    return bool(roles) if role is None else role in roles


def can_deactivate_member(user: User, member: Member) -> bool:
    """Planners deactivate anyone; a vendor's manager deactivates its annotators, never
    themselves nor another manager."""
    if can_manage_vendors(user):
        return True
    return (
        can_manage_members(user, member.vendor)
        and member.user_id != user.pk
        and member.user.role == Role.ANNOTATOR
    )


def can_join_with_own_account(user: User) -> bool:
    """A signed-in user may take an invite with their own account only when they have no
    role and belong to no vendor (``invite_accept`` holds the same rule)."""
    return (
        user.is_authenticated
        and not user.is_staff
        and not user.role
        and not Member.objects.filter(user=user).exists()
    )


def datasets_contracted_by(vendor: Vendor) -> QuerySet:
    """The ids of the datasets ``vendor`` holds a current contract on: one not closed whose
    end date has not passed (in the deployment's time zone). Their members read those
    datasets' work guides."""
    today = timezone.localdate()
    return (
        Contract.objects.filter(vendor=vendor, closed_at__isnull=True, ends_on__gte=today)
        .values("dataset_id")
        .distinct()
    )
