"""Figures in the language in use: every text a Korean figure draws comes from the catalogue
and has a glyph (DejaVu Sans, or NanumGothic for Hangul), and English figures say exactly what
they said before the catalogue."""

import re
import warnings
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")

from gdlab import i18n, plot, studies  # noqa: E402
from gdlab.engine import run  # noqa: E402
from gdlab.plot import common  # noqa: E402

from .test_plot import _drawn_texts  # noqa: E402

HANGUL = re.compile("[\uac00-\ud7a3]")
#: what a Korean figure may still write in Latin letters: function and optimizer names, maths
LATIN = re.compile(r"\$[^$]*\$|\b\w+\(lr=[^)]*\)|D_u|"
                   r"\b(?:sin|cos|exp|log|λmax|max|min|gd|adam)\b")


def _run_path():
    return run("x0**2 + x1**2", [[-3.0, 4.0]], "gd:0.1", max_steps=20,
               record="all").run_path(0, 0)


#: one figure of every kind ``gdlab plot`` draws with matplotlib, drawn in the language in use
FIGURES = {
    "surface": lambda: plot.surface("x0**2 + x1**2", paths=[_run_path()]),
    "partials": lambda: plot.partials("x**2 * y + sin(y)", [1.5, -1.0]),
    "field": lambda: plot.field("himmelblau", arrows=9),
    "directional": lambda: plot.directional("x0**2 + x1**2", [3, 4], u=[1, 1]),
    "level-sets": lambda: plot.level_sets("himmelblau", [[1.0, 1.0], [-2.0, -1.0]]),
    "tangent-plane": lambda: plot.tangent_plane("exp(x/3) * cos(y)", [0.5, 0.3]),
    "steepest-path": lambda: plot.steepest_path(
        studies.gradient_flow("x0**2 + 3*x1**2", [2.0, 2.0], lr=0.4)),
    "learning-rates": lambda: plot.learning_rates(
        studies.learning_rates("x0**2 + x1**2", [-3.0, 4.0])),
    "traps": lambda: plot.traps(studies.traps()),
    "compare": lambda: plot.compare(studies.comparison("himmelblau", [8.0, -7.0],
                                                       ["gd:0.01", "adam:0.5"])),
    "basins": lambda: plot.basins(studies.basin_map("himmelblau", n=20, max_steps=300)),
    "lr-map": lambda: plot.lr_map(studies.lr_map("himmelblau", lrs=[1e-3, 1e-2, 0.05],
                                                 max_steps=100)),
    "loss": lambda: plot.loss(run("himmelblau", [[0.0, 0.0]], ["gd:0.01", "adam:0.1"],
                                  max_steps=50, record="all")),
}


def _glyphs() -> set[int]:
    """Every character DejaVu Sans or NanumGothic has a glyph for."""
    from matplotlib.ft2font import FT2Font

    dejavu = Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
    hangul = common.register_hangul_font()
    assert hangul is not None, "NanumGothic (koreanize-matplotlib) is not installed"
    return set(FT2Font(str(dejavu)).get_charmap()) | set(FT2Font(str(hangul)).get_charmap())


def _titles_and_keys(fig) -> tuple[list[str], list[str]]:
    titles = [ax.get_title() for ax in fig.axes] + (
        [fig._suptitle.get_text()] if fig._suptitle is not None else [])
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return titles, [t.get_text() for legend in legends for t in legend.get_texts()]


@pytest.mark.parametrize("kind", list(FIGURES))
def test_a_korean_figure_has_a_glyph_for_every_letter_and_speaks_korean(tmp_path, kind):
    with i18n.use("ko"):
        p = FIGURES[kind]()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p.save(tmp_path / f"{kind}.png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
    texts = [t for t, _ in _drawn_texts(p.figure)]
    glyphs = _glyphs()
    lacking = {c for t in texts for c in t if not c.isspace() and ord(c) not in glyphs}
    assert not lacking, lacking
    titles, keys = _titles_and_keys(p.figure)
    assert HANGUL.search(" ".join(titles)), titles
    assert not keys or HANGUL.search(" ".join(keys)), keys
    english = [t for t in texts if re.search("[A-Za-z]{3,}", LATIN.sub("", t))]
    assert not english, english  # nothing left untranslated


def test_english_figures_say_what_they_said():
    """Texts drawn before the catalogue, byte for byte (the number formats too)."""
    expected = {
        "partials": ["two slices through the point", "∂f/∂x is the slope of this slice",
                     "f with y = −1 fixed", "tangent, slope ∂f/∂x = −3",
                     "tangent, slope ∂f/∂y = 2.79",
                     "Partial derivatives of x² · y + sin(y) at (1.5, −1)"],
        "surface": ["The graph of f = x0² + x1²", "a run from (−3, 4), 20 steps", "start", "end"],
        "field": ["−∇f points downhill: (x² + y − 11)² + (x + y² − 7)²\n(arrows −∇f, length ∝ "
                  "‖∇f‖)", "global minimum", "saddle point", "local maximum"],
        "directional": ["|D_u f(a)| for every direction u (polar)", "D_u f > 0 (uphill)",
                        "D_u f < 0 (downhill), |D_u f| drawn", "D_u f = 0 (u across ∇f)",
                        "along ∇f: ‖∇f‖ = 10", "against ∇f: −‖∇f‖ = −10",
                        "direction θ of u (degrees)", "zero at ±90° from ∇f (dotted lines)",
                        "Directional derivative of x0² + x1² at (3, 4): ∇f = (6, 8)"],
        "level-sets": ["∇f meets the level curve at a right angle: at all 2 points checked, "
                       "cos∠(∇f, tangent) = 0", "point", "tangent of the level curve"],
        "tangent-plane": ["Tangent plane of exp(x/3) · cos(y) at (0.5, 0.3)\nz = 1.128596709 + "
                          "0.3761989031·(x − 0.5) − 0.3491158734·(y − 0.3)"],
        "steepest-path": ["gradient flow dx/dt = −∇f (continuous)",
                          "gradient descent, lr 0.4 (42 steps; leaves the view at step 1)",
                          "x0² + 3·x1² from (2, 2)", "start"],
        "basins": ["Basins of attraction: (x² + y − 11)² + (x + y² − 7)², gd(lr=0.01), 20×20 "
                   "starts", "ends at (3, 2) (global)", "diverged (0)", "not converged (0)"],
        "lr-map": ["start x (with y = -1.3)", "learning rate", "What gd does on (x² + y − 11)² + "
                   "(x + y² − 7)², by learning rate and start (100 steps)", "diverged",
                   "global minimum", "stability bound 2/λmax\nat the minimum reached",
                   "local bound 2/λmax\nat the start"],
        "loss": ["step", "Loss curves on (x² + y − 11)² + (x + y² − 7)²",
                 "gd(lr=0.01) from (0, 0)", "adam(lr=0.1) from (0, 0)"],
        "compare": ["Optimizers from (8, −7) on (x² + y − 11)² + (x + y² − 7)²",
                    "f − f* per step (log scale)", "leaves the view at step 1",
                    "f − 0.0221 (the lowest f sampled on the map), log scale",
                    "gd(lr=0.01): diverged, 5 steps"],
    }
    for kind, texts in expected.items():
        drawn = [t for t, _ in _drawn_texts(FIGURES[kind]().figure)]
        assert not set(texts) - set(drawn), (kind, set(texts) - set(drawn))


def test_english_letters_come_from_dejavu_sans_as_before():
    p = FIGURES["compare"]()
    from matplotlib.font_manager import fontManager

    fonts = {Path(fontManager.findfont(t.get_fontproperties())).name
             for t in p.figure.findobj(matplotlib.text.Text) if t.get_text().strip()}
    assert fonts == {"DejaVuSans.ttf"}
    assert matplotlib.rcParams["font.family"] == common.FONT_FAMILY


def test_the_language_is_the_one_in_use_when_a_figure_is_drawn():
    """The key's words are looked up per figure, not fixed when gdlab.plot was imported."""
    keys = {}
    for lang in ("ko", "en", "ko"):
        with i18n.use(lang):
            keys.setdefault(lang, []).append(_titles_and_keys(FIGURES["surface"]().figure)[1])
    assert keys["ko"][0] == keys["ko"][1]
    assert {"시작점", "끝점"} <= set(keys["ko"][0]) and {"start", "end"} <= set(keys["en"][0])
    assert keys["en"][0][0].endswith(", 20 steps") and keys["ko"][0][0].endswith(", 20단계")


def test_trap_titles_are_the_presets_in_the_language_in_use():
    """Each trap of studies.TRAP_CASES is titled as the page's preset of the same name, in the
    language in use; a case of one's own keeps its title."""
    from gdlab.presets import presets

    for lang in i18n.LANGUAGES:
        with i18n.use(lang):
            titles = {p["name"]: p["title"] for p in presets()}
            for case in studies.TRAP_CASES:
                trap, = studies.traps([(case[0], case[1][:1], case[2], 5, case[4])])
                assert trap.title == titles[case[4]] == i18n.text(f"preset.{case[4]}")
                assert bool(HANGUL.search(trap.title)) == (lang == "ko")
    own, = studies.traps([("saddle", [[1.0, 0.0]], 0.1, 5, "my saddle")])
    assert own.title == "my saddle"


def test_english_figures_work_without_the_hangul_font(monkeypatch):
    monkeypatch.setattr(common, "hangul_font", lambda bold=False: None)
    common.register_hangul_font.cache_clear()
    try:
        with matplotlib.rc_context({"font.family": ["sans-serif"]}):
            p = FIGURES["surface"]()
            assert matplotlib.rcParams["font.family"] == ["sans-serif"]  # left as it was
            assert "The graph of f = x0² + x1²" in [t for t, _ in _drawn_texts(p.figure)]
    finally:
        monkeypatch.undo()
        common.register_hangul_font.cache_clear()


def test_korean_interactive_figure_and_animation(tmp_path, monkeypatch):
    pytest.importorskip("plotly")
    import importlib

    r = run("himmelblau", [[0.0, 0.0]], ["gd:0.01", "adam:0.1"], max_steps=20, record="all")
    with i18n.use("ko"):
        fig = plot.interactive(None, r)
    names = [t.name for t in fig.data if t.type == "scatter"]
    assert all(HANGUL.search(name) for name in names), names  # the runs and the known minima
    assert [a.text for a in fig.layout.annotations] == ["등위선 지도", "곡면"]
    animate = importlib.import_module("gdlab.plot.animate")
    write_gif, titles = animate._write_gif, []

    def frames_titled(fig, draw, frames, fps, target):  # the last frame's title, then the GIF
        titles.extend(a.get_text() for a in draw(frames[-1]) if hasattr(a, "get_text"))
        return write_gif(fig, draw, frames, fps, target)

    monkeypatch.setattr(animate, "_write_gif", frames_titled)
    with i18n.use("ko"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plot.animate(r, tmp_path / "run.gif")
    assert titles == ["(x² + y − 11)² + (x + y² − 7)²: 20단계"]
    assert not [w for w in caught if "missing from font" in str(w.message)]
