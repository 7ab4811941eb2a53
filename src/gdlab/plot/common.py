"""What every figure shares: domains, grids, contour levels, the palette, saving.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot state, no GUI), so
they can be made in threads and servers. Every figure function returns a :class:`Plot`: the
figure and the numbers it shows, so tests can check the data and not only the pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..domain import domain_for, grid, objective_2d
from ..errors import ConfigError
from ..palette import LABEL_COLORS, PALETTE

__all__ = ["Plot", "PALETTE", "LABEL_COLORS", "domain_for", "grid", "contour_levels",
           "draw_map", "mark_minima", "new_figure", "objective_2d"]

FORMATS = (".png", ".svg", ".pdf")


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

    def save(self, path: str | Path, dpi: int = 150) -> Path:
        """Write PNG, SVG or PDF (by the suffix)."""
        target = Path(path)
        if target.suffix.lower() not in FORMATS:
            raise ConfigError(f"a figure file must end in {', '.join(FORMATS)}; got "
                              f"{target.name!r}")
        if not target.parent.exists():
            raise ConfigError(f"folder {str(target.parent)!r} does not exist")
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


def new_figure(width: float = 7.0, height: float = 5.5):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def contour_levels(Z, n: int = 25) -> tuple[np.ndarray, bool]:
    """Levels for ``Z``: log-spaced above the minimum where the values span more than three
    decades (Rosenbrock, Goldstein–Price) or most of the map lies in the lowest 5% of the range
    (the six-hump camel's walls), linear otherwise. Returns ``(levels, is_log)``."""
    z = np.asarray(Z.compressed() if np.ma.isMaskedArray(Z) else Z, dtype=float)
    z = z[np.isfinite(z)]
    if z.size == 0:
        return np.linspace(0, 1, n), False
    lo, hi = float(z.min()), float(z.max())
    if hi <= lo:
        return np.array([lo, lo + 1]), False
    rel = z - lo
    positive = rel[rel > 0]
    small = float(np.percentile(positive, 1)) if positive.size else 0.0
    skewed = float(np.median(rel)) < 0.05 * (hi - lo)  # steep walls around a flat floor
    if small > 0 and ((hi - lo) / small > 1e3 or skewed):
        return lo + np.geomspace(small, hi - lo, n), True
    return np.linspace(lo, hi, n), False


def draw_map(ax, obj, domain, n: int = 200, filled: bool = True, colorbar: bool = True):
    """Contour map of f with labelled axes; returns ``(X, Y, Z)``."""
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
            label = "f (log scale)" if low == 0 else f"f − {low:.3g} (log scale)"
        else:
            cs = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=0.85)
            label = "f"
        if colorbar:
            ax.figure.colorbar(cs, ax=ax, label=label, shrink=0.9, format="%.3g")
    ax.contour(X, Y, Z, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    ax.set_xlabel(obj.variables[0])
    ax.set_ylabel(obj.variables[1])
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    ax.set_aspect("equal" if _similar(domain) else "auto")
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
        style = {"global_minimum": ("*", 14, "white"), "local_minimum": ("v", 9, "white"),
                 "saddle": ("X", 9, "#CC79A7"), "maximum": ("^", 9, "#882255")}[p.kind]
        ax.plot(x, y, marker=style[0], markersize=style[1], color=style[2],
                markeredgecolor="black", linestyle="none", zorder=5)
        shown.append(p)
    return shown
