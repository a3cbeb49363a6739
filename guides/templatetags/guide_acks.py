"""Template tags of the guide pages' acks part."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def version_actions(context, version):
    """Filled in by the acks slice; the versions pages call it."""
    return ""
