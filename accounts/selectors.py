from django.db import connection
from django.db.models import QuerySet

from accounts.models import ApiToken, User
from core.rows import model_columns, model_from_row, model_width


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def token_for_key(*, prefix: str) -> ApiToken | None:
    """The live token of ``prefix`` with its user, in one plain statement: every API call
    asks (the prefix is unique)."""
    token_table, user_table = ApiToken._meta.db_table, User._meta.db_table
    statement = (
        f"SELECT {model_columns(ApiToken, 't')}, {model_columns(User, 'u')} "  # noqa: S608 - ours
        f"FROM {token_table} t JOIN {user_table} u ON u.id = t.user_id "
        "WHERE t.prefix = %s AND t.revoked_at IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    width = model_width(ApiToken)
    token = model_from_row(ApiToken, row[:width])
    token.user = model_from_row(User, row[width:])
    return token
