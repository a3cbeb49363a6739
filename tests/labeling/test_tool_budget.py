"""The labeling tool's own bytes stay within budget: its JavaScript (every module the page's
entry point imports, statically or on demand) and its stylesheets, as production serves them
(minified by collectstatic's storage) and gzipped, under 60 KB. KaTeX is the one
third-party part and is counted by bench/, not here."""

import gzip
import re
from pathlib import Path

from django.contrib.staticfiles import finders

from core.modules import module_graph
from core.static_storage import MINIFIERS

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "labeling" / "work.html"
BUDGET = 60 * 1024


def stylesheets() -> set[str]:
    names = re.findall(r"""static ['"]([^'"]+\.css)['"]""", TEMPLATE.read_text())
    return {name for name in names if not name.startswith("vendor/")} | {"core/base.css"}


def served(name: str) -> bytes:
    source = Path(finders.find(name)).read_text(encoding="utf-8")
    return MINIFIERS[Path(name).suffix](source).encode("utf-8")


def test_the_tools_own_javascript_and_css_fit_in_60_kb_gzipped():
    names = set(module_graph("labeling/work_main.js")) | stylesheets()
    size = sum(len(gzip.compress(served(name), 9)) for name in names)

    assert {"labeling/editor.js", "labeling/viewer.js", "core/api.js"} <= names
    assert size <= BUDGET, f"{size} bytes gzipped over {len(names)} files"


def test_the_page_preloads_every_module_it_loads(db):
    from tests.factories.labeling import make_shop

    shop = make_shop(annotators=1)
    page = shop.clients[0].get("/labeling/work/").content.decode()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)"', page))

    assert preloaded == set(module_graph("labeling/work_main.js"))


def test_collectstatic_minifies_our_files_and_leaves_vendors_alone(tmp_path, settings):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.static_storage.MinifiedStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "-v0")

    served = (tmp_path / "labeling" / "editor.js").read_text()
    katex = (tmp_path / "vendor" / "katex" / "katex.mjs").read_bytes()
    assert "// The box editor" not in served and "export function createEditor" in served
    assert katex == Path(finders.find("vendor/katex/katex.mjs")).read_bytes()
    (hashed,) = (tmp_path / "labeling").glob("editor.*.js")
    assert hashed.read_text() == served
