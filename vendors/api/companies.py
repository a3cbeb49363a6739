"""The API of vendors and their people: companies, members, invites.

What is not visible to the caller is a 404 (another vendor's company, members and invites
alike); visible but not allowed is a 403. An invite's key is in the answer that creates it,
and never again.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from core.schema import ErrorOut
from vendors import policy, selectors, services
from vendors.models import MEMBER_ROLES, Invite, Member, Vendor

# --- serializers ------------------------------------------------------------------------


class VendorOut(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)
    closed = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()

    class Meta:
        model = Vendor
        fields = [
            "id",
            "name",
            "contacts",
            "notes",
            "created_by",
            "created_at",
            "closed",
            "closed_at",
        ]

    def get_closed(self, vendor: Vendor) -> bool:
        return vendor.closed_at is not None

    def get_notes(self, vendor: Vendor) -> str | None:
        """The planners' notes; null for a vendor's own members, who do not read them."""
        request = self.context.get("request")
        if request is None or policy.can_see_vendor_notes(request.user):
            return vendor.notes
        return None


class VendorIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    contacts = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class MemberOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    role = serializers.CharField(source="user.role")
    active = serializers.SerializerMethodField()
    deactivated_by = serializers.CharField(source="deactivated_by.username", default=None)

    class Meta:
        model = Member
        fields = [
            "id",
            "vendor",
            "username",
            "name",
            "role",
            "joined_at",
            "active",
            "deactivated_at",
            "deactivated_by",
        ]

    def get_name(self, member: Member) -> str:
        return member.user.get_full_name() or member.user.username

    def get_active(self, member: Member) -> bool:
        return member.deactivated_at is None


class MemberChangeIn(serializers.Serializer):
    active = serializers.BooleanField(help_text="Only false: a deactivated member stays so.")

    def validate_active(self, value: bool) -> bool:
        if value:
            raise serializers.ValidationError(
                "A deactivated member is not reactivated; invite them again."
            )
        return value


class InviteOut(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)
    used_by = serializers.CharField(source="used_by.username", default=None)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invite
        fields = [
            "id",
            "vendor",
            "role",
            "email",
            "prefix",
            "state",
            "created_by",
            "created_at",
            "expires_at",
            "used_at",
            "used_by",
            "revoked_at",
        ]

    def get_state(self, invite: Invite) -> str:
        """open, used, revoked or expired."""
        return services.invite_state(invite)


class InviteIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=[str(role) for role in MEMBER_ROLES])
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class InviteCreatedOut(serializers.Serializer):
    invite = InviteOut()
    key = serializers.CharField(help_text="The link's key: shown this once, never again.")
    url = serializers.CharField(help_text="The sign-up link to send.")


def join_url(request, key: str) -> str:
    return request.build_absolute_uri(reverse("vendors:join", args=[key]))


# --- views ------------------------------------------------------------------------------


class VendorListApi(ListAPIView):
    serializer_class = VendorOut

    @extend_schema(
        summary="Vendors visible to you: every one for planners, your own for its manager"
    )
    def get(self, request, *args, **kwargs):
        policy.require(policy.can_view_vendors(request.user))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        visible = policy.vendors_visible_to(self.request.user)
        return selectors.vendor_list(visible=visible).select_related("created_by")

    @extend_schema(request=VendorIn, responses={201: VendorOut}, summary="Create a vendor")
    def post(self, request):
        policy.require(policy.can_manage_vendors(request.user))
        data = VendorIn(data=request.data)
        data.is_valid(raise_exception=True)
        vendor = services.vendor_create(**data.validated_data, by=request.user)
        return Response(
            VendorOut(vendor, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


def _vendor(request, vendor_id: int) -> Vendor:
    vendor = policy.vendor_for(request.user, vendor_id)
    policy.require(policy.can_view_vendors(request.user))
    return vendor


class VendorDetailApi(APIView):
    @extend_schema(responses=VendorOut, summary="One vendor")
    def get(self, request, vendor_id: int):
        vendor = _vendor(request, vendor_id)
        return Response(VendorOut(vendor, context={"request": request}).data)

    @extend_schema(
        request=VendorIn(partial=True),
        responses=VendorOut,
        summary="Change a vendor's name, contacts or notes",
    )
    def patch(self, request, vendor_id: int):
        vendor = _vendor(request, vendor_id)
        policy.require(policy.can_manage_vendors(request.user))
        data = VendorIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        vendor = services.vendor_update(vendor=vendor, by=request.user, **data.validated_data)
        return Response(VendorOut(vendor, context={"request": request}).data)


class VendorCloseApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read: send no body, or {}
        responses=VendorOut,
        summary="Close a vendor (never deleted): its open contracts close, its invites end",
    )
    def post(self, request, vendor_id: int):
        vendor = _vendor(request, vendor_id)
        policy.require(policy.can_manage_vendors(request.user))
        vendor = services.vendor_close(vendor=vendor, by=request.user)
        return Response(VendorOut(vendor, context={"request": request}).data)


def _managed_vendor(request, vendor_id: int) -> Vendor:
    vendor = policy.vendor_for(request.user, vendor_id)
    policy.require(policy.can_manage_members(request.user, vendor))
    return vendor


class MemberListApi(ListAPIView):
    serializer_class = MemberOut

    @extend_schema(summary="A vendor's members (planners, and the vendor's own managers)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        vendor = _managed_vendor(self.request, self.kwargs["vendor_id"])
        return selectors.member_list(vendor=vendor)


class MemberDetailApi(APIView):
    def _member(self, request, vendor_id: int, member_id: int) -> Member:
        # Found in its vendor before anything is refused: another vendor's member is a 404.
        vendor = policy.vendor_for(request.user, vendor_id)
        member = get_object_or_404(selectors.member_list(vendor=vendor), pk=member_id)
        policy.require(policy.can_manage_members(request.user, vendor))
        return member

    @extend_schema(responses=MemberOut, summary="One member")
    def get(self, request, vendor_id: int, member_id: int):
        return Response(MemberOut(self._member(request, vendor_id, member_id)).data)

    @extend_schema(
        request=MemberChangeIn,
        responses=MemberOut,
        summary='Deactivate a member ({"active": false}): sign-in stops, sessions end',
    )
    def patch(self, request, vendor_id: int, member_id: int):
        member = self._member(request, vendor_id, member_id)
        data = MemberChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        policy.require(policy.can_deactivate_member(request.user, member))
        member = services.member_deactivate(member=member, by=request.user)
        return Response(MemberOut(member).data)


class InviteListApi(ListAPIView):
    serializer_class = InviteOut

    @extend_schema(summary="A vendor's invites, with their state")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        vendor = _managed_vendor(self.request, self.kwargs["vendor_id"])
        return selectors.invite_list(vendor=vendor)

    @extend_schema(
        request=InviteIn,
        responses={201: InviteCreatedOut, 409: ErrorOut},
        summary="Invite a vendor manager (planners) or an annotator: the link is shown once",
    )
    def post(self, request, vendor_id: int):
        vendor = _managed_vendor(request, vendor_id)
        data = InviteIn(data=request.data)
        data.is_valid(raise_exception=True)
        role = data.validated_data["role"]
        policy.require(
            policy.can_invite(request.user, vendor, role),
            _manager_invite_refusal() if role == Role.VENDOR_MANAGER else None,
        )
        invite, key = services.invite_create(
            vendor=vendor, role=role, email=data.validated_data["email"], by=request.user
        )
        body = {"invite": InviteOut(invite).data, "key": key, "url": join_url(request, key)}
        return Response(body, status=status.HTTP_201_CREATED)


def _manager_invite_refusal() -> str:
    return _("Only a planner invites a vendor manager.")


class InviteDetailApi(APIView):
    def _invite(self, request, vendor_id: int, invite_id: int) -> Invite:
        # Found in its vendor before anything is refused: another vendor's invite is a 404.
        vendor = policy.vendor_for(request.user, vendor_id)
        invite = get_object_or_404(selectors.invite_list(vendor=vendor), pk=invite_id)
        policy.require(policy.can_manage_members(request.user, vendor))
        return invite

    @extend_schema(responses=InviteOut, summary="One invite (never its key)")
    def get(self, request, vendor_id: int, invite_id: int):
        return Response(InviteOut(self._invite(request, vendor_id, invite_id)).data)

    @extend_schema(
        request=None,
        responses={200: InviteOut, 409: ErrorOut},
        summary="Revoke an unused invite: its link stops working",
    )
    def delete(self, request, vendor_id: int, invite_id: int):
        invite = self._invite(request, vendor_id, invite_id)
        policy.require(policy.can_invite(request.user, invite.vendor, invite.role))
        invite = services.invite_revoke(invite=invite, by=request.user)
        return Response(InviteOut(invite).data)
