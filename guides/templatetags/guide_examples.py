"""Template tags of the guide pages' examples part."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def examples_panel(context, guide):
    """Filled in by the examples slice; the versions pages call it."""
    return ""
