"""The graph of f as a surface, optionally with run paths lying on it."""

from __future__ import annotations

import numpy as np

from ..i18n import text
from .common import (PALETTE, Plot, domain_for, end_entry, grid, marker_key, named, new_figure,
                     objective_2d, start_entry, steps_text, vec, visible_path)


def surface(f, *, paths=None, domain=None, n: int = 80, variables=None, labels=None) -> Plot:
    """3-D surface z = f(x, y) (the note's bowl for x0² + x1²).

    Args:
        paths: optional list of ``(T, 2)`` paths, drawn on the surface at height f, each
            with its start ○ and end ■; one that leaves the domain up to its edge (▶), the key
            saying at which step (never a point it did not visit).
        labels: what each path is (``"gradient descent, lr 0.1"``), for the key.

    Returns:
        :class:`Plot` with data ``X, Y, Z`` and ``path_heights`` (f along each path).
    """
    obj = objective_2d(f, variables)
    paths = [np.asarray(p, dtype=float) for p in (paths or [])]
    domain = domain or domain_for(obj, np.concatenate(paths) if paths else None)
    X, Y, Z = grid(obj, domain, n)
    fig = new_figure(7, 6)
    ax = fig.add_subplot(projection="3d")
    ax.plot_surface(X, Y, Z.filled(np.nan), cmap="viridis", alpha=0.8, linewidth=0,
                    antialiased=True, rcount=n, ccount=n)
    heights = []
    for i, p in enumerate(paths):
        heights.append(obj.value(p))
        # the part the view holds (a diverging run leaves it: drawn to the edge, said so)
        shown, exit, step = visible_path(p, domain)
        z = obj.value(shown) if len(shown) else np.empty(0)
        color = PALETTE[(i + 1) % len(PALETTE)]
        label = text("figure.from", what=labels[i] if labels else text("figure.surface.run"),
                     point=vec(p[0])) + f", {steps_text(len(p) - 1)}"
        if step is not None:
            label += f", {text('figure.runs.leaves_at', step=step)}"
        if len(shown):
            ax.plot(shown[:, 0], shown[:, 1], z, color=color, linewidth=2, marker="o",
                    markersize=2, zorder=10, label=label)
            ax.plot(*shown[0], z[0], "o", color="white", markeredgecolor="black", markersize=8,
                    zorder=11)
        if step is None:
            ax.plot(*shown[-1], z[-1], "s", color=color, markeredgecolor="black", markersize=7,
                    zorder=11)
        elif exit is not None:
            ax.plot(*exit, z[-1], ">", color=color, markeredgecolor="black", markersize=8,
                    zorder=11)
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    if paths:
        marker_key(fig, [start_entry(), end_entry()],
                   lead=ax.get_legend_handles_labels()[0])
    ax.set_xlabel(obj.variables[0])
    ax.set_ylabel(obj.variables[1])
    ax.set_zlabel("f")
    ax.set_title(text("figure.surface.title", name=named(obj)))
    return Plot(fig, {"X": X, "Y": Y, "Z": Z, "path_heights": heights}, "surface")
