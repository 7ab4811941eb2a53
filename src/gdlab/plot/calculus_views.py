"""The calculus pictures: partial derivatives as slopes, the tangent plane, the continuous path
of steepest descent."""

from __future__ import annotations

import numpy as np

from ..calculus import gradient
from ..i18n import text
from .common import (MAX_WIDTH, PALETTE, critical_key, domain_for, draw_map, exit_arrow,
                     grid, mark_minima, marker_key, named, new_figure, num, objective_2d, Plot,
                     pretty, start_entry, steps_text, vec, visible_path)


def partials(f, at, *, domain=None, variables=None) -> Plot:
    """The partial derivative as a slope: the slices f(x, y₀) and f(x₀, y) through a point,
    each with its tangent line (slopes ∂f/∂x and ∂f/∂y), beside the surface.

    Returns:
        :class:`Plot` with data ``point``, ``slopes`` (= ∇f(a)) and the slices.
    """
    obj = objective_2d(f, variables)
    a = obj.points(np.asarray(at, dtype=float), "at")
    domain = domain or domain_for(obj, a[None])
    g = gradient(obj, a)  # refused at a kink, as `gdlab grad` refuses
    fa = float(obj.value(a))
    X, Y, Z = grid(obj, domain, 60)
    fig = new_figure(MAX_WIDTH, 4.2)
    ax3 = fig.add_subplot(1, 3, 1, projection="3d")
    ax3.set_box_aspect(None, zoom=0.85)  # its labels inside its own third of the figure
    ax3.plot_surface(X, Y, Z.filled(np.nan), cmap="viridis", alpha=0.55, linewidth=0)
    xs = np.linspace(*domain[0], 200)
    ys = np.linspace(*domain[1], 200)
    fx = obj.value(np.stack([xs, np.full_like(xs, a[1])], axis=-1))
    fy = obj.value(np.stack([np.full_like(ys, a[0]), ys], axis=-1))
    ax3.plot(xs, np.full_like(xs, a[1]), fx, color=PALETTE[1], linewidth=2.5)
    ax3.plot(np.full_like(ys, a[0]), ys, fy, color=PALETTE[0], linewidth=2.5)
    ax3.plot([a[0]], [a[1]], [fa], "o", color="black")
    ax3.set_xlabel(obj.variables[0])
    ax3.set_ylabel(obj.variables[1])
    ax3.set_zlabel("f")
    ax3.set_title(text("figure.partials.slices"), fontsize=10)
    names = obj.variables
    for k, (ax_i, t, vals, slope, color, var) in enumerate((
            (2, xs, fx, g[0], PALETTE[1], 0), (3, ys, fy, g[1], PALETTE[0], 1))):
        ax = fig.add_subplot(1, 3, ax_i)
        ax.plot(t, vals, color=color, linewidth=2,
                label=text("figure.partials.fixed", variable=names[1 - var],
                           value=num(a[1 - var])))
        span = 0.25 * (t[-1] - t[0])
        tt = np.linspace(a[var] - span, a[var] + span, 2)
        ax.plot(tt, fa + slope * (tt - a[var]), "--", color="black",
                label=text("figure.partials.tangent", variable=names[var], slope=num(slope)))
        ax.plot(a[var], fa, "o", color="black")
        ax.set_xlabel(names[var])
        ax.set_ylabel("f")
        ax.legend(fontsize=8)
        ax.set_title(text("figure.partials.slope", variable=names[var]), fontsize=10)
    fig.suptitle(text("figure.partials.title", name=named(obj), point=vec(a)))
    return Plot(fig, {"point": a, "slopes": g, "x_slice": (xs, fx), "y_slice": (ys, fy)},
                "partials")


def tangent_plane(f, at, *, radius=None, domain=None, variables=None) -> Plot:
    """The tangent plane z = f(a) + ∇f(a)·(x − a) touching the surface at a.

    Returns:
        :class:`Plot` with data ``point``, ``value``, ``gradient``, ``equation`` and
        ``gap`` (max |f − plane| on rings of radius r/8, r/16, r/32: it shrinks like r²).
    """
    from ..calculus import tangent_plane as plane_of

    obj = objective_2d(f, variables)
    a = obj.points(np.asarray(at, dtype=float), "at")
    domain = domain or domain_for(obj, a[None])
    plane = plane_of(obj, a)
    r = radius or 0.3 * min(domain[0][1] - domain[0][0], domain[1][1] - domain[1][0])
    X, Y, Z = grid(obj, domain, 60)
    fig = new_figure(7.5, 6)
    ax = fig.add_subplot(projection="3d")
    ax.plot_surface(X, Y, Z.filled(np.nan), cmap="viridis", alpha=0.6, linewidth=0)
    px, py = np.meshgrid(np.linspace(a[0] - r, a[0] + r, 12), np.linspace(a[1] - r, a[1] + r, 12))
    pz = plane(np.stack([px, py], axis=-1))
    ax.plot_surface(px, py, pz, color=PALETTE[1], alpha=0.55, linewidth=0)
    ax.plot([a[0]], [a[1]], [plane.value], "o", color="black", markersize=6, zorder=10)
    ax.set_xlabel(obj.variables[0])
    ax.set_ylabel(obj.variables[1])
    ax.set_zlabel("f")
    ax.set_title(text("figure.tangent_plane.title", name=named(obj), point=vec(a),
                      equation=pretty(plane.equation)), fontsize=10)
    angles = np.linspace(0, 2 * np.pi, 64)
    gap = []
    for rr in (r / 8, r / 16, r / 32):
        ring = a + rr * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
        gap.append(float(np.max(np.abs(obj.value(ring) - plane(ring)))))
    return Plot(fig, {"point": a, "value": plane.value, "gradient": np.array(plane.gradient),
                      "equation": plane.equation, "gap": gap}, "tangent-plane")


def steepest_path(study, *, domain=None, more=()) -> Plot:
    """Draw a :class:`~gdlab.studies.GradientFlow`: the continuous path of steepest descent
    crossing the level curves at right angles (equal axis scales: a right angle looks like
    one), beside gradient descent's steps. ``more``: further studies, one panel each.

    Returns:
        :class:`Plot` with data ``flow`` (``(M, 2)`` points), ``gd`` (the discrete path) and
        ``alignment`` (the study's cosines between the flow's chords and −∇f) of the first
        panel, and ``panels``: the same for each.
    """
    studies = [(study, domain)] + [(s, None) for s in more]
    fig = new_figure(min(6.4 * len(studies), MAX_WIDTH), 6.2)
    panels, shown = [], []
    for i, (s, dom) in enumerate(studies):
        ax = fig.add_subplot(1, len(studies), i + 1)
        panel = _flow_panel(ax, s, dom)
        shown += panel.pop("shown")
        panels.append(panel)
    chords = sum(len(p["alignment"]) for p in panels)
    worst = min(float(np.min(p["alignment"])) for p in panels)
    fig.suptitle(text("figure.steepest_path.title", worst=np.floor(worst * 1e8) / 1e8,
                      n=chords), fontsize=11)
    marker_key(fig, [start_entry()] + critical_key(shown))
    return Plot(fig, {**panels[0], "panels": panels}, "steepest-path")


def _flow_panel(ax, study, domain) -> dict:
    obj, flow, gd, lr, x0, alignment = (study.objective, study.flow, study.gd, study.lr,
                                        study.start, study.alignment)
    # the view holds the flow, and gradient descent's steps unless they run away (then they
    # leave it, with an arrow where they do)
    runaway = not np.all(np.isfinite(gd)) or np.ptp(gd, axis=0).max() > 10 * max(
        np.ptp(flow, axis=0).max(), 1e-9)
    domain = domain or domain_for(obj, flow if runaway else np.vstack([flow, gd]))
    draw_map(ax, obj, domain, equal=True)
    # the flow under the steps, wide and pale, so that neither hides the other
    from matplotlib.patheffects import withStroke

    ax.plot(flow[:, 0], flow[:, 1], color=PALETTE[0], linewidth=2.5, zorder=3,
            path_effects=[withStroke(linewidth=6, foreground="white")],
            label=text("figure.steepest_path.flow"))
    steps, exit, step = visible_path(gd, domain)
    ax.plot(steps[:, 0], steps[:, 1], "o", color=PALETTE[1], markersize=3.5, zorder=4,
            markeredgecolor="black", markeredgewidth=0.3,
            label=text("figure.steepest_path.descent", lr=lr, steps=steps_text(len(gd) - 1),
                       leaves="" if step is None else
                       "; " + text("figure.runs.leaves_at", step=step)))
    if exit is not None:
        exit_arrow(ax, steps, exit, PALETTE[1], width=1.4)
    ax.plot(*x0, "o", color="white", markeredgecolor="black", markersize=8, zorder=5)
    shown = mark_minima(ax, obj, domain)
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    ax.legend(fontsize=8, loc="best", framealpha=0.9)  # clear of the paths and the start
    ax.set_title(text("figure.from", what=named(obj), point=vec(x0)), fontsize=10)
    return {"flow": flow, "gd": gd, "alignment": alignment, "shown": shown}
