"""The field of −∇f over the contour map: arrows point downhill, longer where f is steeper."""

from __future__ import annotations

import numpy as np

from .common import Plot, domain_for, draw_map, mark_minima, new_figure, objective_2d


def field(f, *, domain=None, arrows: int = 21, normalize: bool = False, variables=None) -> Plot:
    """Contour map of f with the vectors −∇f on an ``arrows × arrows`` grid.

    Args:
        f: a 2-D function (formula, library name, Objective).
        domain: ``[(x0, x1), (y0, y1)]``; default the library's.
        arrows: arrows per axis.
        normalize: draw unit arrows (direction only) instead of length ∝ ‖∇f‖.

    Returns:
        :class:`Plot` with data ``X, Y, U, V`` (the arrows, equal to −∇f on the grid unless
        normalised) and ``norm`` (‖∇f‖).
    """
    obj = objective_2d(f, variables)
    domain = domain or domain_for(obj)
    fig = new_figure()
    ax = fig.add_subplot()
    draw_map(ax, obj, domain)
    (x0, x1), (y0, y1) = domain
    X, Y = np.meshgrid(np.linspace(x0, x1, arrows), np.linspace(y0, y1, arrows))
    g = obj.gradient(np.stack([X, Y], axis=-1))
    U, V = -g[..., 0], -g[..., 1]
    norm = np.hypot(U, V)
    if normalize:
        with np.errstate(all="ignore"):
            U, V = np.where(norm > 0, U / norm, 0), np.where(norm > 0, V / norm, 0)
    # length ∝ ‖∇f‖: the longest arrow spans about 1.5 grid cells
    cell = min(x1 - x0, y1 - y0) / (arrows - 1)
    biggest = float(np.nanmax(np.hypot(U, V))) or 1.0
    ax.quiver(X, Y, U, V, angles="xy", scale_units="xy", scale=biggest / (1.5 * cell),
              color="white", edgecolor="black", linewidth=0.3, width=0.004, zorder=4)
    mark_minima(ax, obj, domain)
    what = "unit arrows along −∇f" if normalize else "arrows −∇f, length ∝ ‖∇f‖"
    ax.set_title(f"−∇f points downhill: {obj.name}\n({what})")
    return Plot(fig, {"X": X, "Y": Y, "U": U, "V": V, "norm": norm}, "field")
