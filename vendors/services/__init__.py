"""The vendors app's writes, re-exported: ``from vendors import services``."""

from vendors.services.ledger import (
    contract_today,
    ledger_accept,
    ledger_release,
    ledger_reserve,
    ledger_reverse,
    price_at,
    units_per_task,
)
from vendors.services.people import (
    invite_accept,
    invite_create,
    invite_for_key,
    invite_revoke,
    invite_state,
    member_add,
    member_deactivate,
    role_label,
    user_sessions_end,
    vendor_close,
    vendor_create,
    vendor_update,
)

__all__ = [
    "contract_today",
    "ledger_accept",
    "ledger_release",
    "ledger_reserve",
    "ledger_reverse",
    "price_at",
    "units_per_task",
    "invite_accept",
    "invite_create",
    "invite_for_key",
    "invite_revoke",
    "invite_state",
    "member_add",
    "member_deactivate",
    "role_label",
    "user_sessions_end",
    "vendor_close",
    "vendor_create",
    "vendor_update",
]
