import pytest

from datasets.latex import katex_options, latex_check, latex_is_valid, latex_render

REFUSED = [
    r"\frac{a}{",
    "x^{2",
    "a+b}",
    r"\left( x",
    "x_",
    r"\foo",
    r"\begin{matrix} a \end{pmatrix}",
]
ACCEPTED = [
    r"x = \frac{-b \pm \sqrt{b^{2}-4ac}}{2a}",
    r"\int_{0}^{1} x^{2}\,dx = \frac{1}{3}",
    r"\lim_{x \to 0} \frac{\sin x}{x} = 1",
    r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}",
    r"\begin{matrix} a & b \end{matrix}",
    r"\text{area}",
    r"\mathbb{R}",
]


@pytest.mark.parametrize("source", REFUSED)
def test_broken_latex_is_refused_with_katex_message(source):
    message = latex_check(source)

    assert message is not None
    assert message.startswith("KaTeX parse error")


def test_undefined_control_sequence_is_named():
    assert "Undefined control sequence" in latex_check(r"x + \foo")


def test_mismatched_environment_is_named():
    assert "Mismatch" in latex_check(r"\begin{matrix} a \end{pmatrix}")


@pytest.mark.parametrize("source", ACCEPTED)
def test_valid_latex_passes(source):
    assert latex_check(source) is None
    assert latex_is_valid(source)


def test_options_forbid_trust_and_throw_on_error():
    options = katex_options()

    assert options["trust"] is False
    assert options["throwOnError"] is True


def test_checks_work_from_another_thread():
    import threading

    results = []
    thread = threading.Thread(target=lambda: results.append(latex_check("x_")))
    thread.start()
    thread.join()

    assert results[0].startswith("KaTeX parse error")


def test_overlong_latex_is_refused_without_running_katex():
    message = latex_check("x+" * 3000)

    assert message is not None
    assert "4000" in message


def test_checks_still_work_after_the_loop_the_first_one_ran_under_is_closed():
    import asyncio
    import threading

    results = []

    def thread_with_a_loop():  # as under Playwright's sync API, which closes its loop later
        async def first():
            results.append(latex_check("x^2"))

        asyncio.run(first())
        results.append(latex_check("x_"))

    thread = threading.Thread(target=thread_with_a_loop)
    thread.start()
    thread.join()

    assert results[0] is None
    assert results[1].startswith("KaTeX parse error")


def test_latex_render_typesets_html_with_the_shared_katex():
    rendering = latex_render(r"\frac{a}{b}")

    assert rendering.parses and rendering.error is None
    assert rendering.html.startswith('<span class="katex">')
    assert '<span class="mfrac">' in rendering.html
    assert '<annotation encoding="application/x-tex">\\frac{a}{b}</annotation>' in rendering.html


def test_latex_render_in_display_mode_wraps_a_display_block():
    assert latex_render("x^2", display=True).html.startswith('<span class="katex-display">')
    assert not latex_render("x^2").html.startswith('<span class="katex-display">')


def test_latex_render_does_not_trust_links_or_raw_html():
    link = latex_render(r"\href{javascript:alert(1)}{x} <b>")
    html_extension = latex_render(r"\htmlClass{a}{b}")

    assert "<a " not in link.html and "href=" not in link.html
    assert "<b>" not in link.html and "&lt;" in link.html
    assert html_extension.html is None and "htmlExtension" in html_extension.error


@pytest.mark.parametrize("source", REFUSED)
def test_latex_render_of_what_the_validator_refuses_gives_the_error_and_no_html(source):
    rendering = latex_render(source)

    assert not rendering.parses and rendering.html is None
    assert rendering.error == latex_check(source)
    assert rendering.source == source


def test_latex_render_refuses_overlong_source_without_running_katex():
    rendering = latex_render("x+" * 3000)

    assert rendering.html is None and "4000" in rendering.error


def test_latex_render_is_part_of_the_public_selectors():
    from datasets import selectors

    assert selectors.latex_render is latex_render
