"""Template tags of the guide pages' questions part: the ask panel and the FAQ panel."""

from django import template
from django.template.loader import render_to_string

from guides import policy
from guides.selectors.questions import faq_list
from guides.views.questions import AskForm

register = template.Library()

FAQ_PANEL_ENTRIES = 5


@register.simple_tag(takes_context=True)
def ask_panel(context, guide, form=None):
    """The form a vendor's member asks from (the section, the text); nothing for others."""
    request = context["request"]
    if not policy.can_ask(request.user, guide):
        return ""
    form = form or AskForm(guide, auto_id="ask-%s")
    return render_to_string(
        "guides/question_ask_panel.html", {"guide": guide, "form": form}, request=request
    )


@register.simple_tag(takes_context=True)
def faq_panel(context, guide):
    """The guide's latest FAQ entries and a search box leading to the FAQ page."""
    request = context["request"]
    entries = list(faq_list(guide=guide)[:FAQ_PANEL_ENTRIES])
    return render_to_string(
        "guides/faq_panel.html", {"guide": guide, "entries": entries}, request=request
    )
