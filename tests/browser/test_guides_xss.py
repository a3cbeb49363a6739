"""Known XSS payloads in a guide, in its published page and in the draft's live preview, in
Chromium: no dialog opens, no script runs (a window flag stays unset), no request leaves
127.0.0.1, while the guide's math is still typeset by the server's KaTeX. The same payloads
as a question, its answer and a FAQ entry stay text."""

import pytest

from accounts.models import Role
from guides import services
from guides.models import Guide
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published

pytestmark = pytest.mark.browser

#: Each would set window.__pwned or open a dialog if it ran; several also reach outside.
PAYLOADS = r"""# Rules {#rules}

<script>window.__pwned = 1; alert(1)</script>

<img src=x onerror="window.__pwned=1;alert(2)">

<svg onload="window.__pwned=1;alert(3)"><script>window.__pwned=1</script></svg>

<iframe src="javascript:window.top.__pwned=1"></iframe>

<a href="javascript:window.__pwned=1">a raw javascript link</a>

<style>body { background: url(https://evil.example/bg.png) }</style>

<div style="background-image: url(https://evil.example/x.png)">styled</div>

[markdown javascript link](javascript:window.__pwned=1;alert(4))

[markdown data link](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)

[vbscript link](vbscript:msgbox(6))

![external image](https://evil.example/track.png)

![data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNyk+)

<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1">
</style></mglyph></table></mtext></math>

<a href="https://evil.example/" onclick="window.__pwned=1"
   onmouseover="window.__pwned=1">hover me</a>

Math-wrapped: $\href{javascript:window.__pwned=1}{click}$ and $\url{javascript:alert(8)}$
and $\htmlId{x}{y}$ and $\includegraphics{https://evil.example/i.png}$
and $<img src=x onerror=alert(9)>$ and $$</span><script>window.__pwned=1</script>$$

`<script>window.__pwned=1</script>` in code stays text.

## Math still works {#math}

Roots: $\sqrt{x}$ and vectors: $\overrightarrow{AB}$.
"""


def _guard(page, outside: list[str], dialogs: list[str]) -> None:
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def seen(request):
        url = request.url
        local = ("http://127.0.0.1", "http://localhost", "data:", "about:", "blob:")
        if not url.startswith(local):
            outside.append(url)

    page.on("request", seen)


def _hover_every_link(page, root: str) -> None:
    """Hover each link (an onmouseover would run) and click those that stay on the page."""
    for link in page.locator(f"{root} a").all():
        link.hover()
        href = (link.get_attribute("href") or "").lower()
        if not href.startswith(("http:", "https:", "mailto:")):
            link.click()


def _assert_typeset_and_inert(page, root: str, outside, dialogs) -> None:
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    assert outside == []
    article = page.locator(root)
    assert article.locator("script, iframe, svg[onload], style, [onerror]").count() == 0
    roots = article.locator(".katex .sqrt")
    arrows = article.locator(".katex-html svg")  # \overrightarrow's arrow is an SVG
    assert roots.count() >= 1 and roots.first.is_visible()
    assert arrows.count() >= 1 and arrows.first.is_visible()
    hrefs = article.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(
        not (h or "").lower().startswith(("javascript:", "data:", "vbscript:")) for h in hrefs
    )


def test_xss_payloads_stay_inert_in_the_published_guide_and_the_live_preview(
    live_server, browser, artifacts
):
    planner = UserFactory(username="planner", role=Role.PLANNER)
    version = guide_published(DatasetFactory(), body=PAYLOADS, by=planner)
    guide = version.guide
    Guide.objects.filter(pk=guide.pk).update(draft_body="# Draft\n\nnothing yet")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside, dialogs = [], []
    _guard(page, outside, dialogs)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "planner")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/guides/{guide.pk}/v1/")
    _hover_every_link(page, "[data-testid=guide-text]")
    _assert_typeset_and_inert(page, "[data-testid=guide-text]", outside, dialogs)
    page.screenshot(path=artifacts / "browser_guides_xss_version.png", full_page=True)

    page.goto(f"{live_server.url}/guides/{guide.pk}/draft/")
    page.fill("#id_body", PAYLOADS)
    page.locator("[data-testid=draft-preview] .katex .sqrt").first.wait_for()
    _hover_every_link(page, "[data-testid=draft-preview]")
    _assert_typeset_and_inert(page, "[data-testid=draft-preview]", outside, dialogs)
    page.screenshot(path=artifacts / "browser_guides_xss_preview.png", full_page=True)
    context.close()


def test_xss_payloads_stay_text_in_a_question_its_answer_and_the_faq(live_server, browser):
    planner = UserFactory(username="planner", role=Role.PLANNER)
    version = guide_published(DatasetFactory(), body="# Rules {#rules}\n\nBox it.", by=planner)
    guide = version.guide
    question = services.question_ask(guide=guide, user=planner, body=PAYLOADS, anchor="rules")
    services.question_answer(question=question, answer=PAYLOADS, by=planner)
    services.faq_publish(
        guide=guide, question_text=PAYLOADS[:400], answer_text=PAYLOADS, anchor="rules", by=planner
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside, dialogs = [], []
    _guard(page, outside, dialogs)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "planner")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    for path in (f"/guides/{guide.pk}/questions/{question.pk}/", f"/guides/{guide.pk}/faq/"):
        page.goto(live_server.url + path)
        page.wait_for_timeout(300)
        main = page.locator("main")
        assert page.evaluate("window.__pwned") is None, path
        assert main.locator("script, iframe, svg, style, [onerror], [onload]").count() == 0, path
        assert "<script>window.__pwned = 1; alert(1)</script>" in main.inner_text(), path
    assert dialogs == []
    assert outside == []
    context.close()
