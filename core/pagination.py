from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Cursor pagination on the primary key: stays fast however deep the list goes."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
