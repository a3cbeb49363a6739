"""Font sets for the two writing styles: printed (matplotlib's Unicode math fonts) and
handwritten (a handwriting-like TrueType font from Debian, used as mathtext's custom set)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from matplotlib import _mathtext
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.ft2font import LoadFlags

# Debian package fonts-dkg-handwriting. Its letters, digits and operators look hand-drawn;
# symbols it lacks (Greek letters, integrals, sums, radicals) come from STIX, as a writer's would
# vary.
HANDWRITING_FONT = Path("/usr/share/fonts/truetype/fifthhorseman/dkg.ttf")
HANDWRITING_PACKAGE = "fonts-dkg-handwriting"


@dataclass(frozen=True)
class FontSet:
    """One way of typesetting: the mathtext font class and the rcParams it reads."""

    name: str
    handwritten: bool
    rc: tuple[tuple[str, str], ...]

    def rc_dict(self) -> dict[str, str]:
        return dict(self.rc)


PRINTED_FONTSETS = (
    FontSet("stix", False, (("mathtext.fontset", "stix"), ("mathtext.fallback", "stix"))),
    FontSet(
        "dejavusans",
        False,
        (("mathtext.fontset", "dejavusans"), ("mathtext.fallback", "stix")),
    ),
)


@functools.cache
def handwriting_family() -> str:
    """Register the handwriting font with matplotlib once and return its family name."""
    if not HANDWRITING_FONT.exists():
        raise RuntimeError(
            f"Handwriting font {HANDWRITING_FONT} is missing: install the Debian package "
            f"{HANDWRITING_PACKAGE} (make setup, or apt-get install {HANDWRITING_PACKAGE})."
        )
    fontManager.addfont(str(HANDWRITING_FONT))
    family = FontProperties(fname=str(HANDWRITING_FONT)).get_name()
    try:
        fontManager.findfont(f"{family}:weight=500", fallback_to_default=False)
    except ValueError as error:
        raise RuntimeError(f"matplotlib cannot find the registered font {family}.") from error
    return family


def handwritten_fontset() -> FontSet:
    family = f"{handwriting_family()}:weight=500"
    return FontSet(
        "handwritten",
        True,
        (
            ("mathtext.fontset", "custom"),
            ("mathtext.rm", family),
            ("mathtext.it", family),
            ("mathtext.bf", family),
            ("mathtext.sf", family),
            ("mathtext.cal", family),
            ("mathtext.fallback", "stix"),
        ),
    )


def fonts_for(fontset: FontSet, *, size_pt: float) -> _mathtext.Fonts:
    """The mathtext font object for *fontset*; call inside ``rc_context(fontset.rc_dict())``."""
    prop = FontProperties(size=size_pt)
    cls = {
        "stix": _mathtext.StixFonts,
        "dejavusans": _mathtext.DejaVuSansFonts,
        "handwritten": _mathtext.UnicodeFonts,
    }[fontset.name]
    return cls(prop, LoadFlags.NO_HINTING)
