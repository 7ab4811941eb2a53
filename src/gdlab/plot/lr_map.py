"""Learning rate × starting point: the phase diagram of the diagnosis."""

from __future__ import annotations

import numpy as np

from ..diagnose import LABELS, stability_bound
from ..engine import run
from ..optim import make
from .common import LABEL_COLORS, Plot, domain_for, new_figure, objective_2d


def lr_map_data(f, *, lrs=None, axis: int = 0, at: float | None = None, starts: int = 60,
                optimizer: str = "gd", steps: int = 300, domain=None, variables=None,
                backend: str = "auto", deadline: float | None = None) -> dict:
    """The data of :func:`lr_map` without the drawing (the web API uses it); ``lrs`` is a
    list, or a count to space from bound/300 to 10·bound (the median bound 2/λmax). ``lrs``,
    ``positions``, ``labels`` (``(len(lrs), starts)`` strings), ``bounds``, ``axis``,
    ``fixed`` (the other coordinate), and the objective and run result."""
    obj = objective_2d(f, variables)
    domain = domain or domain_for(obj)
    other = 1 - axis
    fixed = at if at is not None else 0.5 * (domain[other][0] + domain[other][1])
    positions = np.linspace(*domain[axis], starts)
    pts = np.empty((starts, 2))
    pts[:, axis] = positions
    pts[:, other] = fixed
    lams = np.max(np.linalg.eigvalsh(obj.hessian(pts)), axis=-1)
    bounds = np.array([stability_bound(float(v)) or np.nan for v in lams])
    if lrs is None or np.ndim(lrs) == 0:  # a count: log-spaced around the median bound
        finite = bounds[np.isfinite(bounds)]
        mid = float(np.median(finite)) if finite.size else 0.1
        lrs = np.geomspace(mid / 300, mid * 10, 40 if lrs is None else int(lrs))
    lrs = np.asarray(lrs, dtype=float)
    result = run(obj, pts, [make(optimizer, lr=lr) for lr in lrs], steps=steps, tol=1e-8,
                 record="none", backend=backend, deadline=deadline)
    labels = np.array([[d.label for d in row] for row in result.diagnoses()])
    return {"lrs": lrs, "positions": positions, "labels": labels, "bounds": bounds,
            "axis": axis, "fixed": fixed, "objective": obj, "result": result}


def lr_map(f, *, lrs=None, axis: int = 0, at: float | None = None, starts: int = 60,
           optimizer: str = "gd", steps: int = 300, domain=None, variables=None) -> Plot:
    """Diagnosis of gradient descent for every (learning rate, start) pair; the starts lie on
    a line across the domain (coordinate ``axis`` varies, the other is fixed at ``at``). The
    stability bound 2/λmax at each start is drawn as a line.

    Returns:
        :class:`Plot` with data ``lrs``, ``positions``, ``labels`` (``(len(lrs), starts)``
        strings) and ``bounds`` (per start, NaN where undefined).
    """
    d = lr_map_data(f, lrs=lrs, axis=axis, at=at, starts=starts, optimizer=optimizer,
                    steps=steps, domain=domain, variables=variables)
    obj, lrs, positions, labels, bounds, fixed, result = (
        d["objective"], d["lrs"], d["positions"], d["labels"], d["bounds"], d["fixed"],
        d["result"])
    other = 1 - axis
    index = np.vectorize(LABELS.index)(labels)
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    fig = new_figure(8, 5.5)
    ax = fig.add_subplot()
    cmap = ListedColormap([LABEL_COLORS[label] for label in LABELS])
    edges_x = np.concatenate([[positions[0]], 0.5 * (positions[1:] + positions[:-1]),
                              [positions[-1]]])
    edges_y = np.geomspace(lrs[0] / np.sqrt(lrs[1] / lrs[0]), lrs[-1] * np.sqrt(lrs[1] / lrs[0]),
                           len(lrs) + 1) if len(lrs) > 1 else np.array([lrs[0] / 2, lrs[0] * 2])
    ax.pcolormesh(edges_x, edges_y, index, cmap=cmap, vmin=-0.5, vmax=len(LABELS) - 0.5)
    ax.plot(positions, bounds, color="black", linewidth=2, label="stability bound 2/λmax")
    ax.set_yscale("log")
    ax.set_ylim(edges_y[0], edges_y[-1])
    ax.set_xlabel(f"start {obj.variables[axis]} (with {obj.variables[other]} = {fixed:g})")
    ax.set_ylabel("learning rate")
    present = [label for label in LABELS if label in set(labels.ravel())]
    handles = [Patch(color=LABEL_COLORS[label], label=label) for label in present]
    handles.append(ax.get_lines()[0])
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(f"What {optimizer} does on {obj.name}, by learning rate and start "
                 f"({steps} steps)")
    return Plot(fig, {"lrs": lrs, "positions": positions, "labels": labels, "bounds": bounds,
                      "result": result}, "lr-map")
