"""Level curves with the gradient at chosen points: ∇f is perpendicular to the level curve."""

from __future__ import annotations

import numpy as np

from ..calculus import gradient
from ..i18n import text
from .common import (MAX_WIDTH, PALETTE, critical_key, domain_for, draw_map, grid, mark_minima,
                     marker_key, moving_point, named, new_figure, objective_2d, Plot)


def level_sets(f, points, *, domain=None, variables=None, more=()) -> Plot:
    """Contour lines; at each point the gradient arrow, the level curve's tangent and the right
    angle between them, on equal axis scales (so a right angle looks like one).

    Args:
        f, points, domain, variables: the function, the points (``(M, 2)``), the view.
        more: further panels beside it, each ``(f, points)`` (the study note's bowl, then
            Himmelblau's function).

    Returns:
        :class:`Plot` with data ``points``, ``gradients``, ``tangents`` (unit,
        ``(−∂f/∂y, ∂f/∂x)/‖∇f‖``) and ``cosines`` (cos of the angle between gradient and
        tangent: 0 up to rounding) of the first panel, and ``panels``: the same for each.
    """
    panels = [(f, points, domain, variables)] + [(g, pts, None, None) for g, pts in more]
    fig = new_figure(min(6.2 * len(panels), MAX_WIDTH), 6.2)
    data = []
    for i, (g, pts, dom, names) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        data.append(_panel(ax, g, pts, dom, names))
    checked = sum(len(d["points"]) for d in data)
    worst = max(float(np.nanmax(np.abs(d["cosines"]))) for d in data)
    fig.suptitle(text("figure.level_sets.title", n=checked,
                      cosine="0" if worst == 0 else f"{worst:.0e}"))
    marker_key(fig, [(text("term.point"), "o", "gray"), ("∇f", "arrow", "gray"),
                     (text("figure.key.tangent"), "dashed", "gray")]
               + critical_key([p for d in data for p in d.pop("shown")]))
    return Plot(fig, {**data[0], "panels": data}, "level-sets")


def _panel(ax, f, points, domain, variables) -> dict:
    obj = objective_2d(f, variables)
    pts = obj.points(np.atleast_2d(np.asarray(points, dtype=float)), "points")
    domain = domain or domain_for(obj, pts)
    draw_map(ax, obj, domain, filled=False, equal=True)
    fine = grid(obj, domain, 300)  # one grid for every point's level curve
    grads = gradient(obj, pts)  # refused at a kink, as `gdlab grad` refuses
    moving_point(pts, grads, "no level curve passes through it with a tangent to check "
                 "(the level set is a point, or crosses itself)")
    norms = np.linalg.norm(grads, axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        units = grads / norms
    tangents = np.stack([-units[:, 1], units[:, 0]], axis=-1)
    cosines = np.sum(units * tangents, axis=-1)
    span = min(domain[0][1] - domain[0][0], domain[1][1] - domain[1][0])
    length = 0.12 * span
    for i, (p, u, t) in enumerate(zip(pts, units, tangents)):
        color = PALETTE[i % len(PALETTE)]
        ax.contour(*fine, levels=[float(obj.value(p))], colors=[color], linewidths=1.6)
        ax.annotate("", xy=p + length * u, xytext=p,
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2})
        ax.plot(*np.array([p - length * t, p + length * t]).T, color=color, linestyle="--",
                linewidth=1.2)
        corner = 0.18 * length
        square = np.array([p + corner * t, p + corner * (t + u), p + corner * u])
        ax.plot(*square.T, color=color, linewidth=1)
        ax.plot(*p, "o", color=color, markeredgecolor="black", zorder=5)
        # the label beside the arrow's middle, clear of its head and of the tangent
        ax.annotate("∇f", p + 0.6 * length * u, xytext=(12 * t[0], 12 * t[1]),
                    textcoords="offset points", ha="center", va="center", color=color,
                    fontsize=10, weight="bold")
    shown = mark_minima(ax, obj, domain)
    ax.set_title(named(obj), fontsize=11)
    return {"points": pts, "gradients": grads, "tangents": tangents, "cosines": cosines,
            "shown": shown}
