"""A guide's markdown as safe HTML, with its math typeset on the server.

The order matters: the math is parsed first (mdit-py-plugins' dollarmath, so ``$a_1$ and
$b_1$`` is two formulas, never italics), each formula leaves a placeholder, the HTML is
sanitized with nh3, and only then are the placeholders replaced by KaTeX's markup from the
one renderer in ``datasets.latex`` (``trust`` off). So the sanitizer never sees KaTeX's markup
and the page needs no math code. Raw HTML in the markdown is shown as text, images come only
from the guide's own attachments (``![caption](attachment:3)``), and a heading may carry a
stable anchor (``## Shadows {#shadows}``) that questions and review reasons link to.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from datasets.selectors import latex_render

#: ``{#shadows}`` at the end of a heading.
ANCHOR_AT_END = re.compile(r"\s*\{#([A-Za-z][A-Za-z0-9_-]{0,79})\}\s*$")
ANCHOR = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")
#: A heading's element id is its anchor behind this prefix, so no anchor can clobber an id
#: the page's own scripts use.
ID_PREFIX = "s-"
ATTACHMENT_SCHEME = "attachment:"

_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "td": {"style"}, "th": {"style"}, "ol": {"start"},
}  # fmt: skip
_ALIGN = re.compile(r"^text-align:(left|right|center)$")


def anchor_fragment(anchor: str) -> str:
    """The URL fragment of a section's anchor: ``shadows`` → ``s-shadows``."""
    return f"{ID_PREFIX}{anchor}"


@dataclass
class Rendered:
    """A guide body as a page shows it."""

    html: str
    #: ``[{"anchor": "shadows", "title": "Shadows"}, …]`` in the order of the text.
    sections: list[dict[str, str]] = field(default_factory=list)
    formulas: int = 0
    #: ``[{"source": "\\frac{", "error": "…"}, …]``: formulas that do not parse.
    formula_errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def anchors(self) -> list[str]:
        return [section["anchor"] for section in self.sections]


def _heading_anchors(state) -> None:
    """Take ``{#anchor}`` off the end of each heading and make it the heading's id."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        children = inline.children or []
        if not children or children[-1].type != "text":
            continue
        match = ANCHOR_AT_END.search(children[-1].content)
        if not match:
            continue
        children[-1].content = children[-1].content[: match.start()]
        inline.content = ANCHOR_AT_END.sub("", inline.content)
        token.attrSet("id", anchor_fragment(match.group(1)))
        token.meta["anchor"] = match.group(1)


def _placeholder(env: dict, source: str, display: bool) -> str:
    env["formulas"].append((source, display))
    return f"gwmath{env['nonce']}n{len(env['formulas']) - 1}x"


def _math_inline(self, tokens, index, options, env) -> str:
    return _placeholder(env, tokens[index].content, False)


def _math_display(self, tokens, index, options, env) -> str:
    return _placeholder(env, tokens[index].content, True)


def _math_block(self, tokens, index, options, env) -> str:
    return f"<p>{_placeholder(env, tokens[index].content, True)}</p>\n"


def _image(self, tokens, index, options, env) -> str:
    """Only the guide's own attachments are shown; any other image leaves its caption."""
    token = tokens[index]
    source = token.attrGet("src") or ""
    url = None
    if source.startswith(ATTACHMENT_SCHEME):
        url = env["attachments"].get(source.removeprefix(ATTACHMENT_SCHEME).strip())
    if url is None:
        alt = self.renderInlineAsText(token.children or [], options, env)
        return f"<em>{html.escape(alt)}</em>"
    token.attrSet("src", url)
    token.attrSet("loading", "lazy")
    return self.image(tokens, index, options, env)


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table").enable("strikethrough")
    parser.use(dollarmath_plugin, allow_labels=False, allow_space=True, double_inline=True)
    parser.core.ruler.push("heading_anchors", _heading_anchors)
    parser.add_render_rule("math_inline", _math_inline)
    parser.add_render_rule("math_inline_double", _math_display)
    parser.add_render_rule("math_block", _math_block)
    parser.add_render_rule("image", _image)
    return parser


_PARSER = _parser()


def _attribute_filter(attachment_urls: dict[str, str]) -> Callable[[str, str, str], str | None]:
    allowed_images = set(attachment_urls.values())

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if value in allowed_images else None
        if tag in ("td", "th") and attribute == "style":
            return value if _ALIGN.match(value.replace(" ", "")) else None
        if attribute == "id":
            return value if value.startswith(ID_PREFIX) else None
        return value

    return keep


def guide_sections(body: str) -> list[dict[str, str]]:
    """The sections a body's headings name with ``{#anchor}``, in order, without rendering
    it (no math is typeset): what a form offers to place an example or a question in."""
    tokens = _PARSER.parse(body, {"nonce": "", "formulas": [], "attachments": {}})
    return [
        {"anchor": token.meta["anchor"], "title": tokens[index + 1].content.strip()}
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and "anchor" in token.meta
    ]


def guide_render(body: str, *, attachment_urls: dict[str, str] | None = None) -> Rendered:
    """Render a guide's markdown. ``attachment_urls`` maps an attachment's id (as text) to the
    URL that serves it; an image whose source is anything else is dropped, its caption kept."""
    attachment_urls = attachment_urls or {}
    env = {"nonce": secrets.token_hex(8), "formulas": [], "attachments": attachment_urls}
    tokens = _PARSER.parse(body, env)
    sections = [
        {"anchor": token.meta["anchor"], "title": tokens[index + 1].content.strip()}
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and "anchor" in token.meta
    ]
    raw = _PARSER.renderer.render(tokens, _PARSER.options, env)
    formulas = env["formulas"]
    nonce = env["nonce"]
    cleaned = nh3.clean(
        raw,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_attribute_filter(attachment_urls),
        strip_comments=True,
    )
    errors: list[dict[str, str]] = []

    def typeset(match: re.Match) -> str:
        source, display = formulas[int(match.group(1))]
        rendering = latex_render(source, display=display)
        if rendering.parses:
            return rendering.html
        errors.append({"source": source, "error": rendering.error or ""})
        return (
            f'<span class="math-error" title="{html.escape(rendering.error or "")}">'
            f"<code>{html.escape(source)}</code> "
            f'<span class="math-error-message">{html.escape(rendering.error or "")}</span></span>'
        )

    final = re.sub(rf"gwmath{nonce}n(\d+)x", typeset, cleaned)
    return Rendered(html=final, sections=sections, formulas=len(formulas), formula_errors=errors)
