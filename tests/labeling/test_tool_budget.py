"""The labeling tool's own bytes stay within budget: its JavaScript (every module the page's
entry point imports, statically or on demand) and its stylesheets, gzipped, under 60 KB.
KaTeX is the one third-party part and is counted by bench/, not here."""

import gzip
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "labeling" / "work.html"
IMPORT = re.compile(r"""(?:import\s[^"']*?from\s*|import\s*\(\s*|import\s+)["'](\.{1,2}/[^"']+)["']""")
BUDGET = 60 * 1024


def modules(entry: Path) -> set[Path]:
    """``entry`` and every module it imports by a relative path, transitively."""
    seen: set[Path] = set()
    todo = [entry]
    while todo:
        module = todo.pop().resolve()
        if module in seen:
            continue
        seen.add(module)
        for name in IMPORT.findall(module.read_text()):
            imported = (module.parent / name).resolve()
            if imported.is_relative_to(STATIC / "vendor"):
                continue  # KaTeX, from npm
            todo.append(imported)
    return seen


def stylesheets() -> set[Path]:
    names = re.findall(r"""static ['"]([^'"]+\.css)['"]""", TEMPLATE.read_text())
    return {STATIC / name for name in names if not name.startswith("vendor/")} | {
        STATIC / "core" / "base.css"
    }


def test_the_tools_own_javascript_and_css_fit_in_60_kb_gzipped():
    files = modules(STATIC / "labeling" / "work_main.js") | stylesheets()
    names = {path.relative_to(STATIC).as_posix() for path in files}
    size = sum(len(gzip.compress(path.read_bytes(), 9)) for path in files)

    assert {"labeling/editor.js", "labeling/viewer.js", "labeling/annotation_doc.js"} <= names
    assert size <= BUDGET, f"{size} bytes gzipped over {len(files)} files"
