"""Basins of attraction: every start of a grid coloured by the minimum it ends in."""

from __future__ import annotations


from ..i18n import text
from ..palette import DIVERGED_COLOR, MINIMUM_COLORS, UNCONVERGED_COLOR
from .common import Plot, critical_key, mark_minima, marker_key, named, new_figure, vec


MAP_WIDTH = 3.9  # inches of the map beside its legend (7 in wide in all)


def basins(study) -> Plot:
    """Draw a :class:`~gdlab.studies.BasinMap`: each start coloured by the minimum it ends
    in, diverged and unconverged starts in their own colours, the counts in the legend.

    >>> from gdlab import studies
    >>> basins(studies.basin_map("himmelblau", n=20, max_steps=500)).data["labels"].shape
    (20, 20)

    Returns:
        :class:`Plot` with data ``labels``, ``minima``, ``final`` and ``result`` (the study's).
    """
    obj, opt, labels, minima = study.objective, study.optimizer, study.labels, study.minima
    (x0, x1), (y0, y1) = study.domain
    # as tall as the map at equal scales (plus title, labels and key): no blank band
    fig = new_figure(7, min(8.0, max(3.5, MAP_WIDTH * (y1 - y0) / (x1 - x0) + 1.4)))
    ax = fig.add_subplot()
    from matplotlib.colors import ListedColormap

    colors = [DIVERGED_COLOR, UNCONVERGED_COLOR] + [MINIMUM_COLORS[i % len(MINIMUM_COLORS)]
                                                    for i in range(len(minima))]
    ax.imshow(labels + 2, origin="lower", extent=(x0, x1, y0, y1), aspect="auto",
              cmap=ListedColormap(colors), vmin=-0.5, vmax=len(colors) - 0.5,
              interpolation="nearest")
    ax.set_aspect("equal")  # true shapes: a basin's boundary meets the level curves truly
    shown = mark_minima(ax, obj, study.domain)
    from matplotlib.patches import Patch

    handles = [Patch(color=colors[i + 2], label=text("figure.basins.ends", point=vec(m, 3)) + (
        text("figure.basins.global") if best else ""))
        for i, (m, best) in enumerate(zip(minima, study.global_minima))]
    counts = study.counts
    handles += [Patch(color=DIVERGED_COLOR, label=text("figure.basins.diverged",
                                                       n=counts["diverged"])),
                Patch(color=UNCONVERGED_COLOR,
                      label=text("figure.basins.unconverged", n=counts["not_converged"]))]
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    if shown:
        marker_key(fig, critical_key(shown))
    ax.set_xlabel(obj.variables[0])
    ax.set_ylabel(obj.variables[1])
    ax.set_title(text("figure.basins.title", name=named(obj), optimizer=opt.label, n=study.n))
    return Plot(fig, {"labels": labels, "minima": minima, "final": study.final,
                      "result": study.result}, "basins")
