"""What every figure shares: domains, grids, contour levels, the palette, saving.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot state, no GUI), so
they can be made in threads and servers. Every figure function returns a :class:`Plot`: the
figure and the numbers it shows, so tests can check the data and not only the pixels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..domain import domain_for, grid, objective_2d
from ..errors import ConfigError
from ..files import OUTPUTS, output_target
from ..diagnose import label_name
from ..fonts import HANGUL_FAMILY, hangul_font
from ..i18n import text
from ..palette import LABEL_COLORS, PALETTE

__all__ = ["Plot", "PALETTE", "LABEL_COLORS", "domain_for", "grid", "contour_levels",
           "draw_map", "mark_minima", "marker_key", "critical_key", "num", "vec", "new_figure",
           "objective_2d", "pretty", "visible_path", "exit_arrow", "steps_text", "start_entry",
           "end_entry", "label_name", "MAX_WIDTH", "moving_point", "FONT_FAMILY",
           "register_hangul_font"]

FORMATS = OUTPUTS["figure"]  # what a figure is written as


@dataclass
class Plot:
    """A figure and the data it draws.

    Attributes:
        figure: the matplotlib figure.
        data: the numbers shown (arrays by name), for tests and for redrawing.
        kind: which figure this is.
    """

    figure: Any
    data: dict[str, Any] = field(default_factory=dict)
    kind: str = ""

    @staticmethod
    def check_target(path: str | Path) -> Path:
        """The file a figure may be written to (:data:`FORMATS`, in a folder that exists), or
        a one-line refusal — asked before any drawing too."""
        return output_target(path, "figure", "a figure file")

    def save(self, path: str | Path, dpi: int = 150) -> Path:
        """Write PNG, SVG or PDF (by the suffix)."""
        target = self.check_target(path)
        from ..files import replace_atomic

        try:
            return replace_atomic(target, lambda tmp: self.figure.savefig(
                tmp, dpi=dpi, bbox_inches="tight"))
        except ValueError as exc:  # matplotlib: "Image size of … pixels is too large"
            if "Image size" not in str(exc):
                raise
            raise ConfigError("the figure would be too large to draw (a label or point far "
                              "outside the domain)") from None

    def _repr_png_(self):  # inline in Jupyter
        import io

        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        return buf.getvalue()


#: The widest a figure is drawn (inches): shown at its text's own size beside 16-px page text
#: (gdlab.demo.PAGE_PX_PER_INCH), it then fits a 1400-px window; wider panels shrink instead.
MAX_WIDTH = 11.5


def moving_point(points, grads, what: str) -> None:
    """Refuse a point where ∇f is zero (or not finite): ``what`` a figure shows there needs
    a direction of steepest ascent (one ``error:`` line, not a figure of NaNs)."""
    from ..errors import PointError

    for point, g in zip(np.atleast_2d(points), np.atleast_2d(grads)):
        norm = float(np.linalg.norm(g))
        if not (np.isfinite(norm) and norm > 0):
            raise PointError(f"∇f = {vec(g)} at {vec(point)}, a critical point: {what}; "
                             "choose a point where ∇f ≠ 0")


#: the fonts the figures draw with: DejaVu Sans (matplotlib's own: every Latin letter and
#: maths symbol, as always), then NanumGothic for the Hangul it lacks — matplotlib (≥ 3.6)
#: falls back glyph by glyph along the list
FONT_FAMILY = ["DejaVu Sans", HANGUL_FAMILY]


@functools.cache
def register_hangul_font() -> Path | None:
    """Register NanumGothic (:func:`gdlab.fonts.hangul_font`, regular and bold: a bold label
    finds a bold face) with matplotlib, once per process; its regular file, or ``None`` where
    the font is not installed."""
    import dataclasses

    from matplotlib import font_manager

    manager = font_manager.fontManager
    regular, bold = hangul_font(), hangul_font(bold=True)
    for path in (regular, bold):
        if path is not None:
            manager.addfont(str(path))
    # NanumGothicBold calls itself semi-bold (600): matplotlib's bold asks for 700 and would
    # log "Failed to find font weight bold" on every bold label (English figures too, the font
    # being their fallback)
    manager.ttflist = [dataclasses.replace(e, weight=700) if bold is not None and
                       e.fname == str(bold) else e for e in manager.ttflist]
    return regular


def new_figure(width: float = 7.0, height: float = 5.5):
    """A figure with no pyplot state; its texts fall back to NanumGothic for Hangul (where
    the font is installed and the font family is still matplotlib's default)."""
    import matplotlib
    from matplotlib.figure import Figure

    if register_hangul_font() is not None and \
            matplotlib.rcParams["font.family"] == matplotlib.rcParamsDefault["font.family"]:
        matplotlib.rcParams["font.family"] = FONT_FAMILY
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def contour_levels(Z, n: int = 25) -> tuple[np.ndarray, bool]:
    """Levels for ``Z``: log-spaced above the minimum where :func:`gdlab.domain.log_floor`
    asks for a log scale, round linear levels otherwise. Returns ``(levels, is_log)``."""
    from ..domain import log_floor

    z = np.asarray(Z.compressed() if np.ma.isMaskedArray(Z) else Z, dtype=float)
    z = z[np.isfinite(z)]
    if z.size == 0:
        return np.linspace(0, 1, n), False
    lo, hi = float(z.min()), float(z.max())
    if hi <= lo:
        return np.array([lo, lo + 1]), False
    small = log_floor(z)
    if small is not None:
        return lo + np.geomspace(small, hi - lo, n), True
    from matplotlib.ticker import MaxNLocator

    # round levels (a colour bar then reads 0 at zero, not 0.000808)
    return MaxNLocator(nbins=n - 1).tick_values(lo, hi), False


def draw_map(ax, obj, domain, n: int = 200, filled: bool = True, colorbar: bool = True,
             equal: bool | None = None):
    """Contour map of f with labelled axes; returns ``(X, Y, Z)``. ``equal``: one unit is as
    long across as up (``True``: always — wherever angles matter; ``None``: when the sides
    of the domain are within a factor 3). The colour bar is exactly as tall as the map."""
    from matplotlib.colors import LogNorm

    X, Y, Z = grid(obj, domain, n)
    levels, is_log = contour_levels(Z)
    if filled:
        if is_log:
            # colour by f − min f (+ a floor below the first level) on a log scale
            low = float(Z.min())
            floor = (levels[0] - low) / 10
            shifted = Z - low + floor
            cs = ax.contourf(X, Y, shifted, levels=np.geomspace(floor, float(shifted.max()), 26),
                             norm=LogNorm(), cmap="viridis", alpha=0.85)
            label = text("figure.map.log") if low == 0 else \
                text("figure.map.shifted", low=pretty(f"{low:.3g}"))
        else:
            cs = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=0.85)
            label = "f"
        if colorbar:
            bar = ax.figure.colorbar(cs, cax=ax.inset_axes([1.03, 0, 0.035, 1]), label=label)
            from matplotlib.ticker import LogFormatterSciNotation, LogLocator, MaxNLocator

            if is_log:  # powers of ten, not the level boundaries
                bar.locator, bar.formatter = LogLocator(), LogFormatterSciNotation()
            else:
                bar.locator = MaxNLocator(nbins=6)
            bar.update_ticks()
    ax.contour(X, Y, Z, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    ax.set_xlabel(obj.variables[0])
    ax.set_ylabel(obj.variables[1])
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    ax.set_aspect("equal" if equal or (equal is None and _similar(domain)) else "auto")
    return X, Y, Z


def _similar(domain) -> bool:
    (a, b), (c, d) = domain
    ratio = (b - a) / (d - c)
    return 0.33 < ratio < 3


def mark_minima(ax, obj, domain=None) -> list:
    """Mark the library's known minima (★ global, ▼ local) and saddles (✕)."""
    if obj.library is None:
        return []
    shown = []
    for p in obj.library.critical_points(obj.dim):
        x, y = p.location[:2]
        if domain is not None and not (domain[0][0] <= x <= domain[0][1]
                                       and domain[1][0] <= y <= domain[1][1]):
            continue
        marker, size, color, _ = CRITICAL_STYLE[p.kind]
        ax.plot(x, y, marker=marker, markersize=size, color=color,
                markeredgecolor="black", linestyle="none", zorder=5)
        shown.append(p)
    return shown


#: how a known critical point is marked: (marker, size, colour, catalogue key of its name in a
#: key — the minima by their diagnoses' names)
CRITICAL_STYLE = {"global_minimum": ("*", 14, "white", "label.global_minimum"),
                  "local_minimum": ("v", 9, "white", "label.local_minimum"),
                  "saddle": ("X", 9, "#CC79A7", "figure.key.saddle"),
                  "maximum": ("^", 9, "#882255", "figure.key.maximum")}


def critical_key(shown) -> list:
    """:func:`marker_key` entries for the kinds of critical points ``shown`` (in the order of
    :data:`CRITICAL_STYLE`)."""
    kinds = {p.kind for p in shown}
    return [(text(key), marker, color) for kind, (marker, _, color, key) in CRITICAL_STYLE.items()
            if kind in kinds]


def visible_path(path, domain) -> tuple[np.ndarray, np.ndarray | None, int | None]:
    """The part of a run's path a map of ``domain`` can draw truthfully: every point up to the
    first that leaves the view (or is not finite), then the segment towards it cut where it
    crosses the view's edge. Returns ``(points, exit, step)``: ``exit`` is that edge point and
    ``step`` the step that left (``None`` when the path stays inside). Never a point the run
    did not visit except the edge crossing on a segment it did travel.

    >>> pts, exit, step = visible_path([[0, 0], [1, 0], [-4, 0]], [(-2, 2), (-2, 2)])
    >>> pts.tolist(), exit.tolist(), step
    ([[0.0, 0.0], [1.0, 0.0], [-2.0, 0.0]], [-2.0, 0.0], 2)
    """
    p = np.asarray(path, dtype=float)[:, :2]
    (x0, x1), (y0, y1) = domain
    with np.errstate(invalid="ignore"):
        inside = np.all(np.isfinite(p), axis=1) & (p[:, 0] >= x0) & (p[:, 0] <= x1) & \
            (p[:, 1] >= y0) & (p[:, 1] <= y1)
    if inside.all():
        return p, None, None
    i = int(np.argmin(inside))  # the first point outside
    if i == 0:
        return p[:0], None, 0
    a, b = p[i - 1], p[i]
    if not np.all(np.isfinite(b)):
        return p[:i], None, i
    # the largest t in [0, 1] with a + t(b − a) inside the box
    t = 1.0
    for k, (lo, hi) in enumerate(((x0, x1), (y0, y1))):
        d = b[k] - a[k]
        if d > 0 and b[k] > hi:
            t = min(t, (hi - a[k]) / d)
        elif d < 0 and b[k] < lo:
            t = min(t, (lo - a[k]) / d)
    edge = a + t * (b - a)
    return np.vstack([p[:i], edge]), edge, i


_POWERS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def pretty(text: str) -> str:
    """A formula, function or label name as a student reads it: ``x0**2 + x1**2`` →
    ``x0² + x1²``, ``a*b`` → ``a·b``, ``-`` → ``−`` (one minus sign), ``global_minimum`` →
    ``global minimum``.

    >>> pretty("x0**2 - 3*x1**(-1)")
    'x0² − 3·x1⁻¹'
    >>> pretty("0.1*(x0**2+x1**2) + x**2.5 + x**-1")
    '0.1·(x0²+x1²) + x^2.5 + x⁻¹'
    >>> pretty("double_well")
    'double well'
    """
    import re

    # an integer power as a superscript (x**2, x**(-1), x**-1); any other power as ^
    out = re.sub(r"\*\*(?:\((-?\d+)\)|(-?\d+)(?![\d.]))",
                 lambda m: (m.group(1) or m.group(2)).translate(_POWERS), str(text))
    return out.replace("**", "^").replace("*", "·").replace("-", "−").replace("_", " ")


def marker_key(fig, entries, lead=(), ncol: int | None = None) -> None:
    """One legend under the figure naming its markers: ``entries`` of ``(label, marker,
    colour)``, a marker being a matplotlib marker, ``"arrow"``, ``"dashed"`` or ``"line"``;
    ``lead``: legend handles to list first (the runs)."""
    from matplotlib.lines import Line2D

    handles = list(lead)
    for label, marker, color in entries:
        if marker in ("dashed", "line"):
            handles.append(Line2D([], [], color=color, linestyle="--" if marker == "dashed"
                                  else "-", label=label))
        else:
            handles.append(Line2D([], [], color=color, linestyle="none", markersize=10,
                                  marker=r"$\rightarrow$" if marker == "arrow" else marker,
                                  markeredgecolor="black" if marker != "arrow" else color,
                                  label=label))
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol or len(handles),
               fontsize=9, frameon=False)


def named(obj) -> str:
    """How a figure names a function: a typed formula as a student writes it (``x0² + x1²``);
    a library function by its formula where that is short (``x²/20 + y²``), else its title
    (``Himmelblau``)."""
    library = obj.library
    if library is None or obj.name != library.name:
        return pretty(obj.name)
    short = library.formula if len(library.formula) <= 30 and "Σ" not in library.formula \
        else None
    return short or library.title


def num(v, digits: int = 4) -> str:
    """A number as a figure writes it: ``digits`` significant digits, the minus sign −."""
    return f"{float(v):.{digits}g}".replace("-", "−")


def vec(v, digits: int = 4) -> str:
    """A point as a figure writes it: ``(−3, 4)``."""
    return "(" + ", ".join(num(c, digits) for c in v) + ")"


def start_entry() -> tuple[str, str, str]:
    """The :func:`marker_key` entry of a run's start (○), in the language in use."""
    return (text("column.start"), "o", "white")


def end_entry() -> tuple[str, str, str]:
    """The :func:`marker_key` entry of a run's end (■), in the language in use."""
    return (text("figure.key.end"), "s", "gray")


def steps_text(n: int) -> str:
    """``1 step``, ``60 steps`` (``unit.steps`` in the language in use)."""
    return text("unit.steps", n=n)



def exit_arrow(ax, points, exit, color, width: float = 1.6) -> None:
    """The arrow on the view's edge where a path leaves it (:func:`visible_path`): from the
    last point inside to the edge crossing."""
    inward = points[-2] if len(points) > 1 else exit
    ax.annotate("", exit, xytext=inward, zorder=6,
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": width,
                            "mutation_scale": 16})
