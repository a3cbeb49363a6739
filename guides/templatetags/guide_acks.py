"""Template tags of the guide pages' acks part: what a version offers its reader (the
acknowledge button or its date, the quiz and its state) and, for planners and vendor
managers, the way to who acknowledged it."""

from django import template

from guides.selectors.acknowledgements import version_state

register = template.Library()


@register.inclusion_tag("guides/ack_version_actions.html", takes_context=True)
def version_actions(context, version):
    """The acknowledge button (or "acknowledged on …"), the quiz link and its state; for a
    minor version, that no new acknowledgement is needed. The versions pages call it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or version is None:
        return {"state": None}
    return {
        "state": version_state(user=user, version=version),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }
