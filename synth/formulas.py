"""A corpus of textbook formulas, school algebra to calculus.

Every formula is LaTeX that matplotlib's mathtext renders and KaTeX parses: no environments,
``\\leq``/``\\geq`` rather than ``\\le``/``\\ge``, braces on every ``\\frac`` argument, no
``\\tfrac`` or ``\\displaystyle``. Hand-written classics come first; the rest are drawn from
templates with a fixed seed, so the corpus is the same on every machine.
"""

from __future__ import annotations

import functools
import random

CLASSICS: tuple[str, ...] = (
    r"x = \frac{-b \pm \sqrt{b^{2}-4ac}}{2a}",
    r"a^{2} + b^{2} = c^{2}",
    r"(a+b)^{2} = a^{2} + 2ab + b^{2}",
    r"(a-b)^{2} = a^{2} - 2ab + b^{2}",
    r"a^{2} - b^{2} = (a+b)(a-b)",
    r"(a+b)^{3} = a^{3} + 3a^{2}b + 3ab^{2} + b^{3}",
    r"a^{3} - b^{3} = (a-b)(a^{2}+ab+b^{2})",
    r"(a+b)^{n} = \sum_{k=0}^{n} \binom{n}{k} a^{n-k} b^{k}",
    r"\binom{n}{k} = \frac{n!}{k!\,(n-k)!}",
    r"\binom{n}{k} = \binom{n-1}{k-1} + \binom{n-1}{k}",
    r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}",
    r"\sum_{k=1}^{n} k^{2} = \frac{n(n+1)(2n+1)}{6}",
    r"\sum_{k=1}^{n} k^{3} = \left( \frac{n(n+1)}{2} \right)^{2}",
    r"\sum_{k=0}^{n-1} ar^{k} = a \frac{1-r^{n}}{1-r}",
    r"\sum_{n=0}^{\infty} x^{n} = \frac{1}{1-x}",
    r"\sum_{n=1}^{\infty} \frac{1}{n^{2}} = \frac{\pi^{2}}{6}",
    r"e^{x} = \sum_{n=0}^{\infty} \frac{x^{n}}{n!}",
    r"\sin x = \sum_{n=0}^{\infty} \frac{(-1)^{n} x^{2n+1}}{(2n+1)!}",
    r"\cos x = 1 - \frac{x^{2}}{2!} + \frac{x^{4}}{4!} - \cdots",
    r"\ln(1+x) = x - \frac{x^{2}}{2} + \frac{x^{3}}{3} - \cdots",
    r"e^{i\pi} + 1 = 0",
    r"e^{i\theta} = \cos\theta + i\sin\theta",
    r"\sin^{2}\theta + \cos^{2}\theta = 1",
    r"\tan\theta = \frac{\sin\theta}{\cos\theta}",
    r"1 + \tan^{2}\theta = \sec^{2}\theta",
    r"\sin(\alpha+\beta) = \sin\alpha\cos\beta + \cos\alpha\sin\beta",
    r"\cos(\alpha+\beta) = \cos\alpha\cos\beta - \sin\alpha\sin\beta",
    r"\sin 2\theta = 2\sin\theta\cos\theta",
    r"\cos 2\theta = \cos^{2}\theta - \sin^{2}\theta",
    r"\tan(\alpha+\beta) = \frac{\tan\alpha + \tan\beta}{1 - \tan\alpha\tan\beta}",
    r"\frac{a}{\sin A} = \frac{b}{\sin B} = \frac{c}{\sin C}",
    r"c^{2} = a^{2} + b^{2} - 2ab\cos\gamma",
    r"S = \frac{1}{2} ab \sin C",
    r"A = \pi r^{2}",
    r"V = \frac{4}{3} \pi r^{3}",
    r"V = \frac{1}{3} \pi r^{2} h",
    r"d = \sqrt{(x_{2}-x_{1})^{2} + (y_{2}-y_{1})^{2}}",
    r"m = \frac{y_{2}-y_{1}}{x_{2}-x_{1}}",
    r"y - y_{1} = m(x - x_{1})",
    r"(x-a)^{2} + (y-b)^{2} = r^{2}",
    r"\frac{x^{2}}{a^{2}} + \frac{y^{2}}{b^{2}} = 1",
    r"\frac{x^{2}}{a^{2}} - \frac{y^{2}}{b^{2}} = 1",
    r"a_{n} = a_{1} + (n-1)d",
    r"S_{n} = \frac{n(a_{1}+a_{n})}{2}",
    r"a_{n} = a_{1} r^{n-1}",
    r"\log_{a} xy = \log_{a} x + \log_{a} y",
    r"\log_{a} \frac{x}{y} = \log_{a} x - \log_{a} y",
    r"\log_{a} x^{n} = n \log_{a} x",
    r"\log_{a} b = \frac{\log_{c} b}{\log_{c} a}",
    r"a^{m} a^{n} = a^{m+n}",
    r"(a^{m})^{n} = a^{mn}",
    r"a^{-n} = \frac{1}{a^{n}}",
    r"a^{\frac{m}{n}} = \sqrt[n]{a^{m}}",
    r"\sqrt{ab} = \sqrt{a}\,\sqrt{b}",
    r"\frac{a+b}{2} \geq \sqrt{ab}",
    r"|a+b| \leq |a| + |b|",
    r"\lim_{x \to 0} \frac{\sin x}{x} = 1",
    r"\lim_{x \to 0} \frac{1-\cos x}{x^{2}} = \frac{1}{2}",
    r"\lim_{n \to \infty} \left( 1 + \frac{1}{n} \right)^{n} = e",
    r"\lim_{x \to 0} \frac{e^{x}-1}{x} = 1",
    r"\lim_{x \to 0} \frac{\ln(1+x)}{x} = 1",
    r"\lim_{h \to 0} \frac{f(x+h) - f(x)}{h}",
    r"f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}",
    r"\frac{d}{dx} x^{n} = n x^{n-1}",
    r"\frac{d}{dx} \sin x = \cos x",
    r"\frac{d}{dx} \cos x = -\sin x",
    r"\frac{d}{dx} e^{x} = e^{x}",
    r"\frac{d}{dx} \ln x = \frac{1}{x}",
    r"\frac{d}{dx} \tan x = \sec^{2} x",
    r"(fg)' = f'g + fg'",
    r"\left( \frac{f}{g} \right)' = \frac{f'g - fg'}{g^{2}}",
    r"\frac{dy}{dx} = \frac{dy}{du} \cdot \frac{du}{dx}",
    r"\int x^{n}\,dx = \frac{x^{n+1}}{n+1} + C",
    r"\int \frac{1}{x}\,dx = \ln|x| + C",
    r"\int e^{x}\,dx = e^{x} + C",
    r"\int \sin x\,dx = -\cos x + C",
    r"\int \cos x\,dx = \sin x + C",
    r"\int_{a}^{b} f(x)\,dx = F(b) - F(a)",
    r"\int u\,dv = uv - \int v\,du",
    r"\int_{0}^{1} x^{2}\,dx = \frac{1}{3}",
    r"\int_{0}^{\pi} \sin x\,dx = 2",
    r"\int_{-\infty}^{\infty} e^{-x^{2}}\,dx = \sqrt{\pi}",
    r"\int \frac{dx}{1+x^{2}} = \arctan x + C",
    r"\int \frac{dx}{\sqrt{1-x^{2}}} = \arcsin x + C",
    r"\int_{0}^{1} \frac{dx}{1+x^{2}} = \frac{\pi}{4}",
    r"\frac{d}{dx} \int_{a}^{x} f(t)\,dt = f(x)",
    r"V = \pi \int_{a}^{b} f(x)^{2}\,dx",
    r"L = \int_{a}^{b} \sqrt{1 + f'(x)^{2}}\,dx",
    r"f(x) = \sum_{n=0}^{\infty} \frac{f^{(n)}(a)}{n!} (x-a)^{n}",
    r"\Gamma(n) = (n-1)!",
    r"\mu = \frac{1}{n} \sum_{i=1}^{n} x_{i}",
    r"\sigma^{2} = \frac{1}{n} \sum_{i=1}^{n} (x_{i} - \mu)^{2}",
    r"P(A \cup B) = P(A) + P(B) - P(A \cap B)",
    r"P(A|B) = \frac{P(B|A)\,P(A)}{P(B)}",
    r"{}_{n}C_{r} = \frac{n!}{r!\,(n-r)!}",
    r"\vec{a} \cdot \vec{b} = |\vec{a}|\,|\vec{b}| \cos\theta",
    r"|\vec{v}| = \sqrt{v_{1}^{2} + v_{2}^{2} + v_{3}^{2}}",
    r"\overline{z} = a - bi",
    r"|z|^{2} = z\,\overline{z}",
    r"F = G \frac{m_{1} m_{2}}{r^{2}}",
    r"E = mc^{2}",
    r"x_{n+1} = x_{n} - \frac{f(x_{n})}{f'(x_{n})}",
    r"\prod_{k=1}^{n} k = n!",
    r"\sum_{i=1}^{n} (a_{i} + b_{i}) = \sum_{i=1}^{n} a_{i} + \sum_{i=1}^{n} b_{i}",
    r"\sqrt{2} \approx 1.414",
    r"\pi \approx 3.14159",
    r"\frac{1}{\sqrt{2}} = \frac{\sqrt{2}}{2}",
    r"\frac{1}{\sqrt{a}+\sqrt{b}} = \frac{\sqrt{a}-\sqrt{b}}{a-b}",
    r"2x + 3 = 7",
    r"3(x-2) = 2x + 5",
    r"x^{2} - 5x + 6 = 0",
    r"\frac{x}{2} + \frac{x}{3} = 5",
    r"\frac{2}{x-1} = \frac{3}{x+1}",
    r"2^{x} = 32",
    r"\log_{2} x = 5",
    r"|x - 3| < 2",
    r"x^{2} - 4 \geq 0",
    r"-1 \leq \sin x \leq 1",
    r"\sqrt{x+1} = x - 1",
    r"\frac{3}{4} + \frac{5}{6} = \frac{19}{12}",
    r"\frac{2}{3} \times \frac{9}{10} = \frac{3}{5}",
    r"\frac{7}{8} \div \frac{1}{4} = \frac{7}{2}",
    r"0.\overline{3} = \frac{1}{3}",
    r"\sqrt{50} = 5\sqrt{2}",
    r"\sqrt[3]{27} = 3",
    r"f(x) = ax^{2} + bx + c",
    r"f(x) = a(x-p)^{2} + q",
    r"f^{-1}(f(x)) = x",
    r"(f \circ g)(x) = f(g(x))",
    r"y = \frac{k}{x}",
    r"\frac{\partial f}{\partial x} = 2xy + y^{3}",
    r"\nabla f = \left( \frac{\partial f}{\partial x}, \frac{\partial f}{\partial y} \right)",
    r"\iint_{D} f(x,y)\,dA",
    r"\oint_{C} \vec{F} \cdot d\vec{r}",
    r"\int_{0}^{2\pi} \int_{0}^{R} r\,dr\,d\theta = \pi R^{2}",
    r"\frac{dy}{dx} = ky",
    r"y = Ce^{kx}",
    r"\frac{d^{2}y}{dx^{2}} + \omega^{2} y = 0",
    r"\sum_{n=1}^{\infty} \frac{(-1)^{n+1}}{n} = \ln 2",
    r"\lim_{x \to \infty} \frac{3x^{2}+1}{x^{2}-2} = 3",
    r"\lim_{x \to 2} \frac{x^{2}-4}{x-2} = 4",
    r"\lim_{x \to 0^{+}} x \ln x = 0",
    r"\lim_{n \to \infty} \sqrt[n]{n} = 1",
    r"\alpha + \beta = -\frac{b}{a}",
    r"\alpha\beta = \frac{c}{a}",
    r"\Delta = b^{2} - 4ac",
    r"\theta = \frac{s}{r}",
    r"\lambda = \frac{v}{f}",
    r"\omega = 2\pi f",
    r"\varphi = \frac{1+\sqrt{5}}{2}",
    r"F_{n} = F_{n-1} + F_{n-2}",
    r"n! = n \cdot (n-1)!",
    r"x \in \mathbb{R}",
    r"\forall \epsilon > 0, \exists \delta > 0",
    r"A \subseteq B \Rightarrow A \cap B = A",
    r"\neg(p \wedge q) \Leftrightarrow \neg p \vee \neg q",
)

_LETTERS = "abcmnpqrstuvxyz"
_VARIABLES = "xyt"
_GREEK = (
    r"\alpha",
    r"\beta",
    r"\gamma",
    r"\theta",
    r"\lambda",
    r"\mu",
    r"\phi",
    r"\omega",
)
_FUNCTIONS = (r"\sin", r"\cos", r"\tan", r"\ln", r"\log", r"e^")


def _number(rng: random.Random, low: int = 1, high: int = 9) -> int:
    return rng.randint(low, high)


def _signed(rng: random.Random, value: int | str) -> str:
    return f"- {value}" if rng.random() < 0.4 else f"+ {value}"


def _polynomial(rng: random.Random, var: str) -> str:
    degree = rng.randint(2, 4)
    terms = [f"{_number(rng, 2)}{var}^{{{degree}}}"]
    for power in range(degree - 1, -1, -1):
        if rng.random() < 0.6:
            coefficient = _number(rng)
            shown = "" if coefficient == 1 and power > 0 else str(coefficient)
            body = {0: f"{coefficient}", 1: f"{shown}{var}"}.get(power, f"{shown}{var}^{{{power}}}")
            terms.append(_signed(rng, body))
    return " ".join(terms)


def _linear_equation(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    a = _number(rng, 2)
    b = rng.choice([n for n in range(1, 10) if n != a])
    return (
        f"{a}{x} {_signed(rng, _number(rng))} = "
        f"{'' if b == 1 else b}{x} {_signed(rng, _number(rng, 1, 20))}"
    )


def _fraction_equation(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    a, b, c, d = (_number(rng, 2) for _ in range(4))
    return rf"\frac{{{x} {_signed(rng, a)}}}{{{b}}} = \frac{{{x} {_signed(rng, c)}}}{{{d}}}"


def _fraction_arithmetic(rng: random.Random) -> str:
    a, b, c, d = (_number(rng, 1, 12) for _ in range(4))
    op = rng.choice(["+", "-", r"\times", r"\div"])
    return rf"\frac{{{a}}}{{{b}}} {op} \frac{{{c}}}{{{d}}}"


def _power_rule(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    n = _number(rng, 2)
    a = _number(rng, 2)
    power = f"^{{{n - 1}}}" if n > 2 else ""
    return rf"\frac{{d}}{{d{x}}} {a}{x}^{{{n}}} = {a * n}{x}{power}"


def _derivative(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    return rf"\frac{{d}}{{d{x}}} \left( {_polynomial(rng, x)} \right)"


def _definite_integral(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    a = _number(rng, 0, 3)
    b = a + _number(rng, 1, 5)
    return rf"\int_{{{a}}}^{{{b}}} \left( {_polynomial(rng, x)} \right) d{x}"


def _function_integral(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    k = _number(rng, 2)
    func = rng.choice(_FUNCTIONS[:3])
    upper = rng.choice([r"\pi", r"\frac{\pi}{2}", r"\frac{\pi}{4}", r"2\pi"])
    return rf"\int_{{0}}^{{{upper}}} {func} {k}{x}\,d{x}"


def _limit(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    a = _number(rng)
    b = _number(rng)
    target = rng.choice(["0", r"\infty", str(a)])
    fraction = rf"\frac{{{x}^{{2}} {_signed(rng, b)}{x}}}{{{x} {_signed(rng, a)}}}"
    return rf"\lim_{{{x} \to {target}}} {fraction}"


def _series(rng: random.Random) -> str:
    k = rng.choice("knij")
    p = _number(rng, 2, 4)
    upper = rng.choice([r"\infty", "n", str(_number(rng, 5, 20))])
    body = rng.choice(
        [
            rf"\frac{{1}}{{{k}^{{{p}}}}}",
            rf"\frac{{{k}}}{{{p}^{{{k}}}}}",
            rf"({k}^{{{p}}} + {k})",
            rf"\frac{{(-1)^{{{k}}}}}{{{k}+1}}",
        ]
    )
    return rf"\sum_{{{k}=1}}^{{{upper}}} {body}"


def _root(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    a, b = _number(rng), _number(rng, 2)
    index = rng.choice(["", "[3]", "[4]"])
    return rf"\sqrt{index}{{{x}^{{2}} {_signed(rng, a)}}} = {b}"


def _exponential(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    base = rng.choice(["2", "3", "e", "10"])
    return rf"{base}^{{{_number(rng)}{x} {_signed(rng, _number(rng))}}} = {_number(rng, 2, 81)}"


def _greek_identity(rng: random.Random) -> str:
    g1, g2 = rng.sample(_GREEK, 2)
    a = _number(rng, 2)
    return rf"{g1} = \frac{{{a}{g2}}}{{1 + {g2}^{{2}}}}"


def _inequality(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    op = rng.choice([r"\leq", r"\geq", "<", ">"])
    return f"{_number(rng, 2)}{x}^{{2}} {_signed(rng, _number(rng))}{x} {op} {_number(rng, 1, 30)}"


def _binomial(rng: random.Random) -> str:
    n = _number(rng, 4, 12)
    k = rng.randint(1, n - 1)
    return rf"\binom{{{n}}}{{{k}}} = \frac{{{n}!}}{{{k}!\,{n - k}!}}"


def _sequence(rng: random.Random) -> str:
    letter = rng.choice("abu")
    a, d = _number(rng), _number(rng, 2)
    return rf"{letter}_{{n}} = {a} {_signed(rng, d)}(n-1), \quad {letter}_{{1}} = {a}"


def _system_line(rng: random.Random) -> str:
    a, b, c = _number(rng), _number(rng), _number(rng, 1, 30)
    return f"{a}x {_signed(rng, b)}y = {c}"


def _absolute(rng: random.Random) -> str:
    x = rng.choice(_VARIABLES)
    return rf"\left| {_number(rng, 2)}{x} {_signed(rng, _number(rng))} \right| \leq {_number(rng)}"


_TEMPLATES = (
    _linear_equation,
    _fraction_equation,
    _fraction_arithmetic,
    _power_rule,
    _derivative,
    _definite_integral,
    _function_integral,
    _limit,
    _series,
    _root,
    _exponential,
    _greek_identity,
    _inequality,
    _binomial,
    _sequence,
    _system_line,
    _absolute,
)
GENERATED_COUNT = 200
CORPUS_SEED = 20240604


@functools.cache
def formulas() -> tuple[str, ...]:
    """The whole corpus: the classics, then the generated formulas, without repeats."""
    rng = random.Random(CORPUS_SEED)
    seen = set(CLASSICS)
    generated: list[str] = []
    while len(generated) < GENERATED_COUNT:
        formula = _TEMPLATES[len(generated) % len(_TEMPLATES)](rng)
        if formula not in seen:
            seen.add(formula)
            generated.append(formula)
    return CLASSICS + tuple(generated)
