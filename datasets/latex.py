"""Decide whether a LaTeX formula parses, and typeset it, with the KaTeX the browser uses.

The npm ``katex`` build is loaded once per thread into an embedded V8 (the ``mini-racer``
package; no Node at run time). The options object lives in
``static/datasets/katex_options.json``, read by the server here and by the browser tool, so
the two never disagree about what parses. ``latex_render`` typesets with the same context and
options (``trust`` off), so a page shows exactly what the validator accepted and needs no
math code of its own: only KaTeX's CSS and fonts, served from the pinned npm package as
static files under ``vendor/katex/``.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from py_mini_racer import DEFAULT_V8_FLAGS, MiniRacer, init_mini_racer

BASE_DIR = Path(__file__).resolve().parent.parent
KATEX_JS = BASE_DIR / "node_modules" / "katex" / "dist" / "katex.min.js"
KATEX_OPTIONS = BASE_DIR / "static" / "datasets" / "katex_options.json"
# KaTeX's own limits (maxExpand, maxSize in the options) bound the work; a length cap keeps one
# check in the millisecond range. No V8 timeout: mini-racer refuses one when the calling thread
# has a running asyncio loop (as under Playwright's sync API), and the limits make it moot.
MAX_SOURCE_LENGTH = 4000

_CHECK_JS = """
var groundworkKatexOptions = %(options)s;
function groundworkLatexCheck(source) {
  var options = Object.assign({}, groundworkKatexOptions, {
    throwOnError: true,
    macros: Object.assign({}, groundworkKatexOptions.macros || {})
  });
  try {
    katex.renderToString(source, options);
    return null;
  } catch (error) {
    if (error instanceof katex.ParseError) {
      return error.message;
    }
    throw error;
  }
}
function groundworkLatexRender(source, displayMode) {
  var options = Object.assign({}, groundworkKatexOptions, {
    displayMode: displayMode,
    throwOnError: true,
    trust: false,
    macros: Object.assign({}, groundworkKatexOptions.macros || {})
  });
  try {
    return {html: katex.renderToString(source, options), error: null};
  } catch (error) {
    if (error instanceof katex.ParseError) {
      return {html: null, error: error.message};
    }
    throw error;
  }
}
"""


@functools.cache
def katex_options() -> dict[str, object]:
    """The KaTeX options shared with the browser tool."""
    return json.loads(KATEX_OPTIONS.read_text(encoding="utf-8"))


@functools.cache
def _katex_source() -> str:
    if not KATEX_JS.exists():
        raise RuntimeError(
            f"KaTeX is missing ({KATEX_JS}). Run `make setup` (it runs `npm ci`) to install it."
        )
    return KATEX_JS.read_text(encoding="utf-8")


def _new_context() -> MiniRacer:
    """A context with KaTeX loaded, on mini-racer's own event-loop thread.

    It is made in a thread of its own, where no asyncio loop runs: made in a thread that runs
    one (Playwright's sync API does), mini-racer would bind it to that loop, and every later
    check would fail once the loop closes.
    """

    def make() -> MiniRacer:
        # V8's memory protection keys (on CPUs with PKU) crash a process whose contexts
        # are made or used in threads V8 did not see start: off, as for a browser's
        # renderer they are a hardening we do not need for one parser
        init_mini_racer(
            flags=(*DEFAULT_V8_FLAGS, "--no-memory-protection-keys"), ignore_duplicate_init=True
        )
        context = MiniRacer()
        context.eval(_katex_source())
        context.eval(_CHECK_JS % {"options": json.dumps(katex_options())})
        return context

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="katex-context") as maker:
        return maker.submit(make).result()


#: One context per process, made once and used by one thread at a time (a check takes well
#: under a millisecond, so threads queuing for it lose little; a context per thread cost a
#: V8 isolate each). Keyed by process: a forked worker makes its own.
_shared: dict[int, MiniRacer] = {}
_using = threading.Lock()


def _call(function: str, *args):
    with _using:
        context = _shared.get(os.getpid())
        if context is None:
            context = _shared[os.getpid()] = _new_context()
            atexit.register(_close)
        return context.call(function, *args)


def _close() -> None:
    """Free this process's context while the interpreter still runs: freed by the garbage
    collector at the very end, V8 waits forever for a thread that is gone."""
    with _using:
        context = _shared.pop(os.getpid(), None)
        if context is not None:
            context.close()


def latex_check(source: str) -> str | None:
    """Return None if *source* parses, otherwise KaTeX's error message."""
    if len(source) > MAX_SOURCE_LENGTH:
        return _("LaTeX longer than %(limit)s characters is refused.") % {
            "limit": MAX_SOURCE_LENGTH
        }
    return _call("groundworkLatexCheck", source)


def latex_is_valid(source: str) -> bool:
    """True if *source* parses in KaTeX with the shared options."""
    return latex_check(source) is None


@dataclass(frozen=True)
class LatexRendering:
    """A formula as a page shows it: KaTeX's HTML, or why it does not parse (then no HTML)."""

    source: str
    html: str | None
    error: str | None

    @property
    def parses(self) -> bool:
        return self.html is not None


def latex_render(source: str, *, display: bool = False) -> LatexRendering:
    """Typeset *source* as HTML with KaTeX and the shared options (``trust`` off), inline or
    as a display formula. A formula that does not parse comes back with its error and no
    HTML, never an exception: the page shows its source marked as not parsing."""
    if len(source) > MAX_SOURCE_LENGTH:
        return LatexRendering(source=source, html=None, error=latex_check(source))
    result = _call("groundworkLatexRender", source, display)
    return LatexRendering(source=source, html=result["html"], error=result["error"])
