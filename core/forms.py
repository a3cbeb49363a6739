"""Small plumbing shared by every app's page forms."""

from django import forms

from core.errors import DomainError


def show_refusal(form: forms.Form, error: DomainError) -> None:
    """Put a refused write on its form: the message on top and each field it names."""
    form.add_error(None, error.message)
    for field, message in error.fields.items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, message)
