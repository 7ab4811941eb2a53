"""Level curves with the gradient at chosen points: ∇f is perpendicular to the level curve."""

from __future__ import annotations

import numpy as np

from .common import (PALETTE, Plot, domain_for, draw_map, grid, mark_minima, new_figure,
                     objective_2d)


def level_sets(f, points, *, domain=None, variables=None) -> Plot:
    """Contour lines; at each point the gradient arrow, the level curve's tangent and the right
    angle between them.

    Returns:
        :class:`Plot` with data ``points``, ``gradients``, ``tangents`` (unit,
        ``(−∂f/∂y, ∂f/∂x)/‖∇f‖``) and ``cosines`` (cos of the angle between gradient and
        tangent: 0 up to rounding).
    """
    obj = objective_2d(f, variables)
    pts = obj.points(np.atleast_2d(np.asarray(points, dtype=float)), "points")
    domain = domain or domain_for(obj, pts)
    fig = new_figure()
    ax = fig.add_subplot()
    draw_map(ax, obj, domain, filled=False)
    fine = grid(obj, domain, 300)  # one grid for every point's level curve
    grads = obj.gradient(pts)
    norms = np.linalg.norm(grads, axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        units = grads / norms
    tangents = np.stack([-units[:, 1], units[:, 0]], axis=-1)
    cosines = np.sum(units * tangents, axis=-1)
    span = min(domain[0][1] - domain[0][0], domain[1][1] - domain[1][0])
    length = 0.12 * span
    for i, (p, u, t) in enumerate(zip(pts, units, tangents)):
        color = PALETTE[i % len(PALETTE)]
        values = obj.value(p)
        ax.contour(*fine, levels=[float(values)], colors=[color],
                   linewidths=1.6)
        ax.annotate("", xy=p + length * u, xytext=p,
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2})
        ax.plot(*np.array([p - length * t, p + length * t]).T, color=color, linestyle="--",
                linewidth=1.2)
        corner = 0.18 * length
        square = np.array([p + corner * t, p + corner * (t + u), p + corner * u])
        ax.plot(*square.T, color=color, linewidth=1)
        ax.plot(*p, "o", color=color, markeredgecolor="black", zorder=5)
        ax.text(*(p + length * u * 1.1), "∇f", color=color, fontsize=10, weight="bold")
    mark_minima(ax, obj, domain)
    ax.set_title("The gradient is perpendicular to the level curve\n"
                 f"{obj.name}: max |cos∠(∇f, tangent)| = {np.nanmax(np.abs(cosines)):.1e}")
    return Plot(fig, {"points": pts, "gradients": grads, "tangents": tangents,
                      "cosines": cosines}, "level-sets")

