"""The calculus pictures: partial derivatives as slopes, the tangent plane, the continuous path
of steepest descent."""

from __future__ import annotations

import numpy as np

from ..engine import run
from ..optim import make
from .common import (PALETTE, Plot, domain_for, draw_map, grid, mark_minima, new_figure,
                     objective_2d)


def partials(f, at, *, domain=None, variables=None) -> Plot:
    """The partial derivative as a slope: the slices f(x, y₀) and f(x₀, y) through a point,
    each with its tangent line (slopes ∂f/∂x and ∂f/∂y), beside the surface.

    Returns:
        :class:`Plot` with data ``point``, ``slopes`` (= ∇f(a)) and the slices.
    """
    obj = objective_2d(f, variables)
    a = obj.points(np.asarray(at, dtype=float), "at")
    domain = domain or domain_for(obj, a[None])
    g = obj.gradient(a)
    fa = float(obj.value(a))
    X, Y, Z = grid(obj, domain, 60)
    fig = new_figure(14, 4.6)
    ax3 = fig.add_subplot(1, 3, 1, projection="3d")
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
    ax3.set_title("two slices through the point", fontsize=10)
    names = obj.variables
    for k, (ax_i, t, vals, slope, color, var) in enumerate((
            (2, xs, fx, g[0], PALETTE[1], 0), (3, ys, fy, g[1], PALETTE[0], 1))):
        ax = fig.add_subplot(1, 3, ax_i)
        ax.plot(t, vals, color=color, linewidth=2,
                label=f"f with {names[1 - var]} = {a[1 - var]:g} fixed")
        span = 0.25 * (t[-1] - t[0])
        tt = np.linspace(a[var] - span, a[var] + span, 2)
        ax.plot(tt, fa + slope * (tt - a[var]), "--", color="black",
                label=f"tangent, slope ∂f/∂{names[var]} = {slope:.4g}")
        ax.plot(a[var], fa, "o", color="black")
        ax.set_xlabel(names[var])
        ax.set_ylabel("f")
        ax.legend(fontsize=8)
        ax.set_title(f"∂f/∂{names[var]} is the slope of this slice", fontsize=10)
    fig.suptitle(f"Partial derivatives of {obj.name} at ({a[0]:g}, {a[1]:g})")
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
    ax.set_title(f"Tangent plane of {obj.name} at ({a[0]:g}, {a[1]:g})\n{plane.equation}",
                 fontsize=10)
    angles = np.linspace(0, 2 * np.pi, 64)
    gap = []
    for rr in (r / 8, r / 16, r / 32):
        ring = a + rr * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
        gap.append(float(np.max(np.abs(obj.value(ring) - plane(ring)))))
    return Plot(fig, {"point": a, "value": plane.value, "gradient": np.array(plane.gradient),
                      "equation": plane.equation, "gap": gap}, "tangent-plane")


def steepest_path(f, start, *, lr: float | None = None, steps: int = 60, t_max: float = 50.0,
                  domain=None, variables=None) -> Plot:
    """The continuous path of steepest descent — the gradient flow dx/dt = −∇f(x), integrated
    with an adaptive Runge–Kutta solver (scipy's RK45, tight tolerances) — crossing the level
    curves at right angles, beside gradient descent with learning rate ``lr`` (default: half
    the stability bound at the start).

    Returns:
        :class:`Plot` with data ``flow`` (``(M, 2)`` points), ``gd`` (the discrete path) and
        ``alignment`` (cosine between each chord of the flow and −∇f halfway along it, for
        chords of at least 1e-6 of the path's length).
    """
    from scipy.integrate import solve_ivp

    from ..diagnose import stability_bound

    obj = objective_2d(f, variables)
    x0 = obj.points(np.asarray(start, dtype=float), "start")

    def rhs(_t, x):
        return -obj.gradient(x)

    def stop(_t, x):  # ‖∇f‖ small: the flow has (nearly) arrived
        return float(np.linalg.norm(obj.gradient(x))) - 1e-6

    stop.terminal = True
    sol = solve_ivp(rhs, (0.0, t_max), x0, method="RK45", rtol=1e-10, atol=1e-12,
                    events=stop, dense_output=True)
    end = float(sol.t[-1])
    # the flow is fast at first and slow later: sample densely at both scales
    t = np.unique(np.concatenate([[0.0], np.geomspace(end * 1e-8, end, 3000),
                                  np.linspace(0.0, end, 1000)])) if end > 0 else np.array([0.0])
    flow = sol.sol(t).T
    if lr is None:
        bound = stability_bound(float(np.max(np.linalg.eigvalsh(obj.hessian(x0)))))
        lr = 0.5 * bound if bound else 0.01
    r = run(obj, [x0], make("gd", lr=lr), steps=steps, tol=1e-9, record="all")
    gd = r.run_path(0, 0)
    # each chord against −∇f at the flow's point halfway through it in time (second order)
    d = flow[1:] - flow[:-1]
    g = -obj.gradient(sol.sol(0.5 * (t[1:] + t[:-1])).T)
    chord = np.linalg.norm(d, axis=1)
    with np.errstate(all="ignore"):
        alignment = np.sum(d * g, axis=1) / (chord * np.linalg.norm(g, axis=1))
    # where the flow crawls into the minimum, chords of 1e-8 are below the solver's
    # interpolation accuracy: measure on chords of at least 1e-6 of the path's length
    resolved = chord >= 1e-6 * max(float(chord.sum()), 1e-300)
    alignment = alignment[resolved & np.isfinite(alignment)]
    domain = domain or domain_for(obj, np.vstack([flow, gd[np.all(np.isfinite(gd), axis=1)]]))
    fig = new_figure(7.5, 6)
    ax = fig.add_subplot()
    draw_map(ax, obj, domain)
    ax.plot(flow[:, 0], flow[:, 1], color="white", linewidth=3, label="gradient flow (continuous)")
    ax.plot(flow[:, 0], flow[:, 1], color=PALETTE[0], linewidth=1.5)
    ax.plot(gd[:, 0], gd[:, 1], "o-", color=PALETTE[1], markersize=3, linewidth=1,
            label=f"gradient descent, lr {lr:.3g} ({len(gd) - 1} steps)")
    ax.plot(*x0, "o", color="white", markeredgecolor="black", markersize=8)
    mark_minima(ax, obj, domain)
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"Steepest descent crosses the level curves at right angles\n{obj.name}; "
                 f"min cos(path, −∇f) = {np.min(alignment):.8f}", fontsize=10)
    return Plot(fig, {"flow": flow, "gd": gd, "alignment": alignment}, "steepest-path")
