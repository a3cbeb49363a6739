"""Template tags of the guide pages' examples part."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def examples_panel(context, guide):
    """Filled in by the examples slice; the versions pages call it."""
    return ""


@register.simple_tag(takes_context=True)
def example_figure(context, example):
    """One example drawn: its image with its regions over it, verdict and caption. Filled in
    by the examples slice; the quiz page calls it."""
    return ""
