"""``{% modulepreload "labeling/work_main.js" %}``: a preload link for every module the entry
point loads (core/modules.py), so the browser fetches them in one round, not level by level."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html_join

from core.modules import module_graph

register = template.Library()


@register.simple_tag
def modulepreload(entry: str) -> str:
    return format_html_join(
        "\n",
        '<link rel="modulepreload" href="{}">',
        ((static(name),) for name in module_graph(entry)),
    )
