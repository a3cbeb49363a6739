"""Vendors in the admin: to look at, never to write (the pages and the API do, through the
services: a ledger line is never edited, a vendor with lines is closed, not deleted)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from vendors.models import Contract, LedgerLine, Member, Statement, Vendor


@admin.register(Vendor)
class VendorAdmin(ReadOnlyAdmin):
    list_display = ["name", "closed_at", "created_at"]
    search_fields = ["name"]


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["user", "vendor", "joined_at"]
    list_filter = ["vendor"]
    search_fields = ["user__username", "vendor__name"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["name", "vendor", "kind", "currency", "starts_on", "ends_on"]
    list_filter = ["kind", "vendor"]
    search_fields = ["name", "vendor__name"]


@admin.register(LedgerLine)
class LedgerLineAdmin(ReadOnlyAdmin):
    list_display = ["contract", "kind", "amount", "units", "at"]
    list_filter = ["kind"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["contract", "period_start", "period_end", "closed_at"]
