"""``{% latex source %}``: a formula typeset on the server, its source one click away.

Any app's template may ``{% load latex %}``; pages that use it link KaTeX's stylesheet with
``{% include "datasets/_katex_css.html" %}`` in their head. No math code runs in the browser.
"""

from django import template

from datasets.selectors import LatexRendering, latex_render

register = template.Library()


@register.inclusion_tag("datasets/_latex.html")
def latex(source, display: bool = False) -> dict:
    """*source* is the LaTeX, or a ``LatexRendering`` the view already made."""
    if isinstance(source, LatexRendering):
        return {"rendering": source}
    source = "" if source is None else str(source)
    return {"rendering": latex_render(source, display=display) if source else None}
