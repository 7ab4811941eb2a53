"""Basins of attraction: every start of a grid coloured by the minimum it ends in."""

from __future__ import annotations

import numpy as np

from ..engine import run
from ..optim import make
from .common import Plot, domain_for, mark_minima, new_figure, objective_2d

DIVERGED_COLOR = "#D55E00"
UNCONVERGED_COLOR = "#BBBBBB"
#: colours of the minima: the palette without the diverged colour
MINIMUM_COLORS = ["#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
                  "#882255", "#44AA99", "#999933", "#AA4499", "#332288"]


def basin_labels(f, *, n: int = 200, optimizer="gd", lr: float = 0.01, steps: int = 2000,
                 tol: float = 1e-6, domain=None, radius: float = 1e-3, variables=None,
                 backend: str = "auto", deadline: float | None = None) -> dict:
    """The data of :func:`basins` without the drawing (the web API uses it): ``labels``
    (``(n, n)`` ints: index into ``minima``, −1 not converged, −2 diverged), ``minima``,
    ``final`` (``(n, n, 2)``), ``domain``, and the objective, optimizer and run result."""
    obj = objective_2d(f, variables)
    domain = domain or domain_for(obj)
    (x0, x1), (y0, y1) = domain
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    starts = np.stack([X.ravel(), Y.ravel()], axis=-1)
    opt = make(optimizer, lr=lr) if isinstance(optimizer, str) else optimizer
    result = run(obj, starts, opt, steps=steps, tol=tol, record="none", backend=backend,
                 deadline=deadline)
    final = result.final[0]
    status = result.status[0]
    if obj.library is not None and obj.library.minima(2):
        minima = np.array([p.location for p in obj.library.minima(2)])
    else:
        ok = final[status == "converged"]
        minima = _cluster(ok, radius * max(x1 - x0, y1 - y0))
    labels = np.full(len(starts), -1)
    if len(minima):
        d = np.linalg.norm(final[:, None, :] - minima[None], axis=-1)
        nearest = np.argmin(d, axis=1)
        close = d[np.arange(len(starts)), nearest] <= radius * max(x1 - x0, y1 - y0) * 10
        labels = np.where((status == "converged") & close, nearest, -1)
    labels = np.where(status == "diverged", -2, labels).reshape(n, n)
    return {"labels": labels, "minima": minima, "final": final.reshape(n, n, 2),
            "domain": domain, "objective": obj, "optimizer": opt, "result": result}


def basins(f, *, n: int = 200, optimizer="gd", lr: float = 0.01, steps: int = 2000,
           tol: float = 1e-6, domain=None, radius: float = 1e-3, variables=None,
           backend: str = "auto") -> Plot:
    """Run from every point of an ``n × n`` grid and colour it by the end point's minimum:
    the library's known minima (else the distinct end points found), with diverged and
    unconverged starts in their own colours. 10⁶ starts (n = 1000) take seconds with the
    compiled backend.

    Returns:
        :class:`Plot` with data ``labels`` (``(n, n)`` ints: index into ``minima``, −1 not
        converged, −2 diverged), ``minima`` (locations), ``final`` (``(n, n, 2)`` end points).
    """
    d = basin_labels(f, n=n, optimizer=optimizer, lr=lr, steps=steps, tol=tol, domain=domain,
                     radius=radius, variables=variables, backend=backend)
    obj, opt, labels, minima, domain = (d["objective"], d["optimizer"], d["labels"],
                                        d["minima"], d["domain"])
    (x0, x1), (y0, y1) = domain
    fig = new_figure(7, 6)
    ax = fig.add_subplot()
    from matplotlib.colors import ListedColormap

    colors = [DIVERGED_COLOR, UNCONVERGED_COLOR] + [MINIMUM_COLORS[i % len(MINIMUM_COLORS)]
                                                    for i in range(len(minima))]
    ax.imshow(labels + 2, origin="lower", extent=(x0, x1, y0, y1), aspect="auto",
              cmap=ListedColormap(colors), vmin=-0.5, vmax=len(colors) - 0.5,
              interpolation="nearest")
    if (x1 - x0) / (y1 - y0) < 3 and (y1 - y0) / (x1 - x0) < 3:
        ax.set_aspect("equal")
    mark_minima(ax, obj, domain)
    from matplotlib.patches import Patch

    handles = [Patch(color=colors[i + 2], label=f"→ ({m[0]:.3g}, {m[1]:.3g})")
               for i, m in enumerate(minima)]
    counts = {"diverged": int(np.sum(labels == -2)), "not converged": int(np.sum(labels == -1))}
    handles += [Patch(color=DIVERGED_COLOR, label=f"diverged ({counts['diverged']})"),
                Patch(color=UNCONVERGED_COLOR, label=f"not converged ({counts['not converged']})")]
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_xlabel(obj.variables[0])
    ax.set_ylabel(obj.variables[1])
    ax.set_title(f"Basins of attraction: {obj.name}, {opt.label}, {n}×{n} starts")
    return Plot(fig, {"labels": labels, "minima": minima, "final": d["final"],
                      "result": d["result"]}, "basins")


def _cluster(points: np.ndarray, radius: float, limit: int = 12) -> np.ndarray:
    """Distinct end points (greedy, within ``radius``), most visited first."""
    found: list[np.ndarray] = []
    counts: list[int] = []
    for p in points[: 200_000]:
        for i, q in enumerate(found):
            if np.linalg.norm(p - q) <= radius:
                counts[i] += 1
                break
        else:
            if len(found) < limit:
                found.append(p)
                counts.append(1)
    order = np.argsort(counts)[::-1]
    return np.array([found[i] for i in order]) if found else np.zeros((0, 2))
