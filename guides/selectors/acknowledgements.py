"""Reads about acknowledgements and quizzes (helper B)."""


def version_notices(user) -> list[dict]:
    """New versions ``user`` must acknowledge: ``[{"label", "url", "count"}]``."""
    return []
