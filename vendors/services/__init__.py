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
    deactivation_step_register,
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
from vendors.services.statements import (
    month_of,
    period_bounds,
    statement_close,
    statement_for,
    statement_lines,
    statement_totals,
    statements_ensure,
)

__all__ = [
    "contract_today",
    "ledger_accept",
    "ledger_release",
    "ledger_reserve",
    "ledger_reverse",
    "price_at",
    "units_per_task",
    "month_of",
    "period_bounds",
    "statement_close",
    "statement_for",
    "statement_lines",
    "statement_totals",
    "statements_ensure",
    "invite_accept",
    "invite_create",
    "invite_for_key",
    "invite_revoke",
    "invite_state",
    "member_add",
    "deactivation_step_register",
    "member_deactivate",
    "role_label",
    "user_sessions_end",
    "vendor_close",
    "vendor_create",
    "vendor_update",
]

from vendors.services.contracts import (  # noqa: E402
    contract_close,
    contract_create,
    contract_price_change,
    contract_update,
)

__all__ += ["contract_close", "contract_create", "contract_price_change", "contract_update"]
