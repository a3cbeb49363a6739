"""The ES modules a page's entry point loads, read from their ``import`` lines, so a page can
name them all up front (``<link rel="modulepreload">``) instead of the browser discovering
them one level at a time. Relative imports only; vendored code (``static/vendor/``) is
left to be fetched when asked for (KaTeX loads on demand)."""

import re
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders

IMPORT = re.compile(
    r"""(?:import\s[^"';]*?from\s*|import\s*\(\s*|import\s+|export\s[^"';]*?from\s*)"""
    r"""["'](\.{1,2}/[^"']+\.js)["']"""
)


def module_graph(entry: str) -> list[str]:
    """``entry`` (a static path such as ``labeling/work_main.js``) and every module it
    imports, statically or on demand, transitively, as static paths in a stable order."""
    return list(_graph(entry))


@lru_cache(maxsize=32)
def _graph(entry: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    todo = [entry]
    while todo:
        name = todo.pop(0)
        if name in seen or name.startswith("vendor/"):
            continue
        found = finders.find(name)
        if not found:
            raise FileNotFoundError(f"static module {name} is not found")
        seen[name] = None
        folder = Path(name).parent
        for imported in IMPORT.findall(Path(found).read_text(encoding="utf-8")):
            todo.append(_normal(folder / imported))
    return tuple(seen)


def _normal(path: Path) -> str:
    parts: list[str] = []
    for part in path.as_posix().split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)
