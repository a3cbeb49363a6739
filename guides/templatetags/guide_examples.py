"""Template tags of the guide pages' examples part: the examples of a guide by section (the
version page) and one example drawn (the quiz page)."""

from django import template
from django.template.loader import render_to_string

from guides import policy
from guides.models import GuideVersion
from guides.rendering import anchor_fragment
from guides.selectors.examples import example_drawn, examples_by_section

register = template.Library()


@register.simple_tag(takes_context=True)
def examples_panel(context, guide):
    """The guide's examples grouped by section, in the order of the sections of the version
    the page shows (``version`` in its context; otherwise the draft's and the latest's)."""
    version = context.get("version")
    sections = version.sections if isinstance(version, GuideVersion) else None
    groups = examples_by_section(guide, sections)
    for group in groups:
        group["fragment"] = anchor_fragment(group["anchor"]) if group["anchor"] else ""
    request = context.get("request")
    user = getattr(request, "user", None)
    return render_to_string(
        "guides/examples_panel.html",
        {
            "guide": guide,
            "groups": groups,
            "on_version": version is not None,
            "can_edit": user is not None and policy.can_edit_guides(user),
        },
        request=request,
    )


@register.simple_tag(takes_context=True)
def example_figure(context, example, reveal=False):
    """One example drawn: its image with its regions over it. A quiz asks about it, so by
    default nothing tells its verdict or caption (not the words, the mark, a class or an
    attribute); ``reveal=True`` adds them, in words and mark (never colour alone), for a
    page shown after the answer."""
    if example is None:
        return ""
    return render_to_string(
        "guides/example_figure.html",
        {"drawn": example_drawn(example), "standalone": True, "reveal": bool(reveal)},
        request=context.get("request"),
    )
