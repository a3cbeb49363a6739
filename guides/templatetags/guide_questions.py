"""Template tags of the guide pages' questions part."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def ask_panel(context, guide):
    """Filled in by the questions slice; the versions pages call it."""
    return ""


@register.simple_tag(takes_context=True)
def faq_panel(context, guide):
    """Filled in by the questions slice; the versions pages call it."""
    return ""
