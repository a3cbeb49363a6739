"""``{% modulepreload "labeling/work_main.js" %}``: a preload link for every module the entry
point loads (core/modules.py), so the browser fetches them in one round, not level by level.

The entry is linked by its hashed name (``static``); the modules it imports are linked by
the URLs their relative imports resolve to, the plain names beside it, or the browser would
preload one file and then fetch another."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html_join

from core.modules import module_graph

register = template.Library()


@register.simple_tag
def modulepreload(entry: str) -> str:
    entry_url, *imported = module_graph(entry)
    urls = [static(entry_url), *(settings.STATIC_URL + name for name in imported)]
    return format_html_join("\n", '<link rel="modulepreload" href="{}">', ((url,) for url in urls))
