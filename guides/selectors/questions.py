"""Reads about questions and the FAQ (helper C)."""


def question_notices(user) -> list[dict]:
    """Unanswered questions (planners), new answers (a vendor's people)."""
    return []
