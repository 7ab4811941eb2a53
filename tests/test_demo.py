"""`gdlab demo`: the walk-through prints the note's numbers and writes an offline page."""

import re

import pytest

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def english_demo(tmp_path_factory):
    """``gdlab demo`` run once as a user runs it, in a process of its own: ``(the finished
    process, its folder)`` (its worker processes and their shutdown included)."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run([sys.executable, "-m", "gdlab.cli", "demo", "--out", str(folder)],
                          capture_output=True, text=True, timeout=300)
    return done, folder


def test_demo_writes_every_figure_and_an_offline_page(english_demo):
    from gdlab.demo import FIGURES

    done, tmp_path = english_demo
    assert done.returncode == 0
    out = done.stdout
    assert "∂f/∂x0 = 2*x0 = 6" in out and "∂f/∂x1 = 2*x1 = 8" in out
    assert "z = 25 + 6*(x0 - 3) + 8*(x1 - 4)" in out
    assert "lr 0.1: ends at (-6.11e-10, 8.15e-10)" in out
    assert "lr 10:" in out and "→ diverged" in out and "→ slow" in out
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 10_000, name
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<figure><a href="([^"]+)"><img alt="[^"]+" style="width: (\d+)px" '
                        r'src="data:image/(png|gif);base64,([^"]+)"></a><figcaption><code>'
                        r"([^<]+)</code>", page)
    assert [name for name, *_ in images] == list(FIGURES)
    assert '<img alt="Partial derivatives are slopes"' in page  # each image says what it shows
    assert "x ← x − η ∇f(x)" in page  # the update rule, stated
    prose = re.sub(r"<code>.*?</code>|<style>.*?</style>", "", page, flags=re.S)
    assert not re.search(r"[(\s,]-\.?\d|\de-\d| - ", prose)  # one minus sign: (−0.6, −0.8)
    for name, width, kind, data, command in images:
        # each figure is shown at one scale, PAGE_PX_PER_INCH: its 10-point text reads at 16 px
        # like the page's (inches = pixels / the dpi it was saved at)
        from base64 import b64decode
        from io import BytesIO

        from PIL import Image

        from gdlab.demo import PAGE_PX_PER_INCH, SAVED_DPI

        inches = Image.open(BytesIO(b64decode(data))).size[0] / SAVED_DPI[kind]
        assert abs(int(width) - inches * PAGE_PX_PER_INCH) <= 1, name
        # and it fits a 1400-px window at that scale (1400 less the page's margins)
        assert int(width) <= 1400 - 48, name
        # the command under it is the one that drew it, and it names this file
        assert command.startswith("gdlab plot ") and command.endswith(f"-o {name}")
    assert not re.search(r"(src|href)=\"https?://", page)  # nothing to fetch: works offline
    assert 'href="interactive.html"' in page
    assert (tmp_path / "interactive.html").stat().st_size > 1_000_000


def test_the_command_under_a_figure_draws_it_again(tmp_path):
    """The demo draws each figure by running the command it prints under it: run that command
    by hand and the file is the same, byte for byte."""
    import shlex

    from gdlab.cli import main
    from gdlab.demo import SECTIONS, _draw

    command = next(c for s in SECTIONS for c in s.commands if " partials " in c)
    (tmp_path / "demo").mkdir()
    assert _draw((command, str(tmp_path / "demo"))) == (command, None)
    argv = shlex.split(command)[1:]
    argv[argv.index("-o") + 1] = str(tmp_path / "by-hand.png")
    assert main(argv) == 0
    assert (tmp_path / "by-hand.png").read_bytes() == \
        (tmp_path / "demo" / "partials.png").read_bytes()


def test_the_demo_prints_no_warning(english_demo):
    """Run as a user runs it: nothing on stderr (its worker processes and their shutdown
    included)."""
    from gdlab.demo import FIGURES

    done, _ = english_demo
    assert done.returncode == 0 and done.stderr == ""
    assert f"wrote {len(FIGURES)} figures" in done.stdout


def test_the_korean_demo_speaks_korean_with_its_own_font(tmp_path, capsys):
    """``gdlab demo --lang ko``: the page is Korean (lang="ko", every statement), each command
    under a figure draws it in Korean (--lang ko), and the page brings a font with a glyph for
    every Hangul letter it shows (this machine's browser has none of its own)."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    from gdlab.cli import main
    from gdlab.demo import FIGURES, SECTIONS
    from gdlab.i18n import text

    assert main(["demo", "--lang", "ko", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "→ 발산" in out and "조언:" in out and "∂f/∂x0 = 2*x0 = 6" in out
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in page
    for section in SECTIONS:
        assert f"<h2>{text(f'demo.{section.key}.title', lang='ko', f='x0² + x1²')}</h2>" in page
    commands = re.findall(r"<figcaption><code>([^<]+)</code>", page)
    assert len(commands) == len(FIGURES) and all(" --lang ko -o " in c for c in commands)
    from gdlab.fonts import has_hangul

    hangul = {c for c in page if has_hangul(c)}  # syllables, jamo, 「 」
    assert len(hangul) > 200 and {"「", "」"} <= hangul
    fonts = re.findall(r'font-weight: (\w+); unicode-range: [^;]+; '
                       r'src: url\("data:font/woff;base64,([^"]+)"\)', page)
    assert [w for w, _ in fonts] == ["normal", "bold"]
    for _, data in fonts:
        cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
        assert not {c for c in hangul if ord(c) not in cmap}
    assert '"NanumGothic"' in re.search(r"body \{ font-family: ([^;]+);", page).group(1)
    # the interactive page beside it: Korean, with the same font cut to its own letters
    inter = (tmp_path / "interactive.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in inter and '\\"NanumGothic\\", ' in inter
    data = re.search(r'font-weight: normal; unicode-range: [^;]+; '
                     r'src: url\("data:font/woff;base64,([^"]+)"\)', inter).group(1)
    cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
    figure = inter[inter.index("const spec = "):]  # the figure's JSON, \\u-escaped
    letters = {c for c in figure.encode().decode("unicode_escape", "ignore") if has_hangul(c)}
    assert letters and not {c for c in letters if ord(c) not in cmap}
