"""The labeling tool's own bytes stay within budget: its JavaScript (every module the page's
entry point imports, statically or on demand) and its stylesheets, gzipped, under 60 KB.
KaTeX is the one third-party part and is counted by bench/, not here."""

import gzip
import re
from pathlib import Path

from django.contrib.staticfiles import finders

from core.modules import module_graph

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "labeling" / "work.html"
BUDGET = 60 * 1024


def stylesheets() -> set[str]:
    names = re.findall(r"""static ['"]([^'"]+\.css)['"]""", TEMPLATE.read_text())
    return {name for name in names if not name.startswith("vendor/")} | {"core/base.css"}


def test_the_tools_own_javascript_and_css_fit_in_60_kb_gzipped():
    names = set(module_graph("labeling/work_main.js")) | stylesheets()
    size = sum(len(gzip.compress(Path(finders.find(name)).read_bytes(), 9)) for name in names)

    assert {"labeling/editor.js", "labeling/viewer.js", "core/api.js"} <= names
    assert size <= BUDGET, f"{size} bytes gzipped over {len(names)} files"


def test_the_page_preloads_every_module_it_loads(db):
    from tests.factories.labeling import make_shop

    shop = make_shop(annotators=1)
    page = shop.clients[0].get("/labeling/work/").content.decode()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)"', page))

    assert preloaded == set(module_graph("labeling/work_main.js"))
