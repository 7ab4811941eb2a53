"""The font with Hangul glyphs that Korean figures and pages use: NanumGothic, shipped by the
pip package ``koreanize-matplotlib`` (a dependency). Its file is only located here — that
package changes matplotlib's settings when imported, so it is never imported."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

__all__ = ["hangul_font", "hangul_face", "has_hangul", "HANGUL_FAMILY", "HANGUL_BLOCKS",
           "HANGUL_RANGE"]

HANGUL_FAMILY = "NanumGothic"
#: the letters a page takes from it — Hangul jamo, CJK punctuation (「 」), compatibility
#: jamo, syllables — which a system without a Korean font lacks: named first in a font list,
#: it draws those and leaves every other letter to the fonts after it
HANGUL_BLOCKS = ((0x1100, 0x11FF), (0x3000, 0x303F), (0x3130, 0x318F), (0xAC00, 0xD7A3))
HANGUL_RANGE = ", ".join(f"U+{a:04X}-{b:04X}" for a, b in HANGUL_BLOCKS)  # CSS unicode-range


def has_hangul(text: str) -> bool:
    """Whether ``text`` has a letter of :data:`HANGUL_BLOCKS`."""
    return any(a <= ord(c) <= b for c in set(text) for a, b in HANGUL_BLOCKS)


@functools.cache
def hangul_font(bold: bool = False) -> Path | None:
    """The NanumGothic (or NanumGothicBold) TrueType file, or ``None`` where the package is
    missing."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    name = f"{HANGUL_FAMILY}{'Bold' if bold else ''}.ttf"
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / name
    return path if path.is_file() else None


def hangul_face(text: str) -> str:
    """CSS ``@font-face`` rules naming :data:`HANGUL_FAMILY` (regular and bold) for the letters
    of :data:`HANGUL_RANGE`, each font
    embedded as a ``data:`` URL holding only the glyphs of ``text`` (a few kB): a page then
    shows Hangul on a system without a Korean font, offline, and from a file — a browser
    refuses a font file beside a ``file://`` page. Empty where the font is missing."""
    import logging

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "TSI0 NOT subset" notes
    letters = "".join(sorted(set(text)))
    rules = []
    for weight, bold in (("normal", False), ("bold", True)):
        path = hangul_font(bold)
        if path is not None:
            rules.append(f'@font-face {{ font-family: "{HANGUL_FAMILY}"; font-weight: {weight}; '
                         f"unicode-range: {HANGUL_RANGE}; "
                         f'src: url("data:font/woff;base64,{_subset(path, letters)}") '
                         'format("woff"); }')
    return "\n".join(rules)


def _subset(path: Path, letters: str) -> str:
    """The font at ``path`` cut to ``letters``, as base64 WOFF."""
    import base64
    import io

    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=letters)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return base64.b64encode(out.getvalue()).decode("ascii")
