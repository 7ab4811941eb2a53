"""Learning rate × starting point: the phase diagram of the diagnosis."""

from __future__ import annotations

import numpy as np

from ..diagnose import LABELS
from ..i18n import text
from .common import LABEL_COLORS, Plot, label_name, named, new_figure


def lr_map(study) -> Plot:
    """Draw a :class:`~gdlab.studies.LrMap`: the diagnosis for every (learning rate, start)
    pair, the starts on a line across the domain, with the stability bound 2/λmax at the
    minimum the runs reach (the one that decides convergence) as a line, and the local bound
    at each start dashed.

    Returns:
        :class:`Plot` with data ``lrs``, ``positions``, ``labels`` (``(len(lrs), starts)``
        strings), ``bounds`` and ``start_bounds`` (per start, NaN where undefined) and
        ``result``.
    """
    obj, lrs, positions, labels, bounds, fixed, result = (
        study.objective, study.lrs, study.positions, study.labels, study.bounds, study.fixed,
        study.result)
    axis, other = study.axis, 1 - study.axis
    index = np.vectorize(LABELS.index)(labels)
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    fig = new_figure(8, 5.5)
    ax = fig.add_subplot()
    cmap = ListedColormap([LABEL_COLORS[label] for label in LABELS])
    edges_x = np.concatenate([[positions[0]], 0.5 * (positions[1:] + positions[:-1]),
                              [positions[-1]]])
    edges_y = _log_edges(np.asarray(lrs, dtype=float))
    ax.pcolormesh(edges_x, edges_y, index, cmap=cmap, vmin=-0.5, vmax=len(LABELS) - 0.5)
    from ..diagnose import BOUNDS

    rule = BOUNDS[study.optimizer][0] if study.optimizer in BOUNDS else \
        text("figure.lr_map.none")
    ax.plot(positions, bounds, color="black", linewidth=2,
            label=text("figure.lr_map.bound", rule=rule))
    ax.plot(positions, study.start_bounds, color="black", linewidth=1, linestyle="--",
            label=text("figure.lr_map.local", rule=rule))
    ax.set_yscale("log")
    ax.set_ylim(edges_y[0], edges_y[-1])
    ax.set_xlabel(text("figure.lr_map.start", variable=obj.variables[axis],
                       other=obj.variables[other], fixed=fixed))
    ax.set_ylabel(text("term.learning_rate"))
    present = [label for label in LABELS if label in set(labels.ravel())]
    handles = [Patch(color=LABEL_COLORS[label], label=label_name(label))
               for label in present]
    handles += ax.get_lines()[:2]
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(text("figure.lr_map.title", optimizer=study.optimizer, name=named(obj),
                      steps=study.max_steps))
    return Plot(fig, {"lrs": lrs, "positions": positions, "labels": labels, "bounds": bounds,
                      "start_bounds": study.start_bounds, "result": result}, "lr-map")


def _log_edges(lrs: np.ndarray) -> np.ndarray:
    """The cell edges of the rates ``lrs`` (ascending) on a log axis: each row spans from the
    geometric midpoint with the rate below to that with the rate above — any spacing (0.15,
    0.2, 0.24, 0.26 had been drawn as if log-spaced by the first ratio, each row at another
    rate)."""
    if len(lrs) == 1:  # one rate: a thin band at it (a wide one would claim its neighbours)
        return np.array([lrs[0] / 1.1, lrs[0] * 1.1])
    mid = np.sqrt(lrs[1:] * lrs[:-1])
    return np.concatenate([[lrs[0] ** 2 / mid[0]], mid, [lrs[-1] ** 2 / mid[-1]]])
