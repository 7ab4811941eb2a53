"""The field of −∇f over the contour map: arrows point downhill, longer where f is steeper."""

from __future__ import annotations

import numpy as np

from ..i18n import text
from .common import (Plot, critical_key, domain_for, draw_map, mark_minima, marker_key, named,
                     new_figure, objective_2d)


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
    draw_map(ax, obj, domain, equal=True)
    (x0, x1), (y0, y1) = domain
    X, Y = np.meshgrid(np.linspace(x0, x1, arrows), np.linspace(y0, y1, arrows))
    g = obj.gradient(np.stack([X, Y], axis=-1))
    U, V = -g[..., 0], -g[..., 1]
    norm = np.hypot(U, V)
    if normalize:
        with np.errstate(all="ignore"):
            U, V = np.where(norm > 0, U / norm, 0), np.where(norm > 0, V / norm, 0)
    # length ∝ ‖∇f‖, scaled so the 90th-percentile arrow spans one grid cell; the few
    # arrows that would be longer than 2.5 cells are drawn at 2.5 cells, in orange
    cell = min(x1 - x0, y1 - y0) / (arrows - 1)
    length = np.hypot(U, V)
    reference = float(np.nanpercentile(length, 90)) or 1.0
    scale = reference / cell
    cap = 2.5 * cell * scale
    capped = length > cap
    with np.errstate(all="ignore"):
        shrink = np.where(capped, cap / length, 1.0)
    ax.quiver(X[~capped], Y[~capped], U[~capped], V[~capped], angles="xy", scale_units="xy",
              scale=scale, color="white", edgecolor="black", linewidth=0.3, width=0.004,
              zorder=4)
    if capped.any():
        ax.quiver(X[capped], Y[capped], (U * shrink)[capped], (V * shrink)[capped],
                  angles="xy", scale_units="xy", scale=scale, color="#E69F00",
                  edgecolor="black", linewidth=0.3, width=0.004, zorder=4)
    shown = mark_minima(ax, obj, domain)
    if shown:
        marker_key(fig, critical_key(shown))
    what = text("figure.field.unit") if normalize else text("figure.field.scaled")
    if not normalize and capped.any():
        what += text("figure.field.capped", n=int(capped.sum()))
    ax.set_title(text("figure.field.title", name=named(obj), what=what))
    return Plot(fig, {"X": X, "Y": Y, "U": U, "V": V, "norm": norm}, "field")
