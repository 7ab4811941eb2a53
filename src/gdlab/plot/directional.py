"""The directional derivative D_u f(a) as the unit vector u turns around a point."""

from __future__ import annotations

import numpy as np

from ..calculus import gradient
from ..i18n import text
from .common import moving_point, named, new_figure, num, objective_2d, Plot, vec


def directional(f, at, *, u=None, samples: int = 721, variables=None) -> Plot:
    """Polar plot of ``D_u f(a) = ∇f(a)·u(θ)``: largest along ∇f (value ‖∇f‖), smallest
    against it (−‖∇f‖), zero perpendicular to it — the note's three statements in one picture.
    ``u``: a direction to mark with its value (normalised: the note's u = (1, 1)).

    Returns:
        :class:`Plot` with data ``theta``, ``values``, ``gradient``, ``theta_max``,
        ``theta_min``, ``theta_zero`` (the two angles where D_u f = 0), and ``u``,
        ``theta_u``, ``value_u`` (``None`` without ``u``).
    """
    obj = objective_2d(f, variables)
    a = obj.points(np.asarray(at, dtype=float), "at")
    g = gradient(obj, a)  # refused at a kink, as `gdlab grad` refuses
    moving_point(a, g, "every directional derivative there is 0, and no direction is "
                 "steepest")
    norm = float(np.linalg.norm(g))
    theta = np.linspace(0, 2 * np.pi, samples)
    units = np.stack([np.cos(theta), np.sin(theta)], axis=-1)
    values = units @ g
    theta_max = float(np.arctan2(g[1], g[0]) % (2 * np.pi))
    theta_min = (theta_max + np.pi) % (2 * np.pi)
    theta_zero = [(theta_max + np.pi / 2) % (2 * np.pi), (theta_max - np.pi / 2) % (2 * np.pi)]
    marked = None
    if u is not None:
        from ..calculus import unit_vector

        u = unit_vector(u, 2)
        marked = (u, float(np.arctan2(u[1], u[0]) % (2 * np.pi)), float(u @ g))
    fig = new_figure(10, 5)
    ax = fig.add_subplot(1, 2, 1, projection="polar")
    ax.plot(theta, np.abs(values), color="#0072B2", linewidth=0.8, alpha=0.4)
    positive = values >= 0
    ax.scatter(theta[positive], values[positive], s=3, color="#009E73",
               label=text("term.uphill"))
    ax.scatter(theta[~positive], -values[~positive], s=3, color="#D55E00",
               label=text("figure.directional.downhill"))
    ax.plot([theta_max], [norm], "o", color="#009E73", markeredgecolor="black")
    ax.plot([theta_min], [norm], "o", color="#D55E00", markeredgecolor="black")
    for i, tz in enumerate(theta_zero):  # D_u f = 0 perpendicular to ∇f
        ax.plot([tz, tz], [0, norm], color="black", linestyle=":", linewidth=1.2,
                label=text("figure.directional.across") if i == 0 else None)
    if marked is not None:
        ax.annotate("", (marked[1], abs(marked[2])), xytext=(0, 0),
                    arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.6})
        ax.annotate("u", (marked[1], abs(marked[2]) / 2), xytext=(6, -10),
                    textcoords="offset points", fontsize=10, weight="bold")
    # the radial scale in the gap between the two lobes, beside the dotted zero line (|D_u f|
    # there is ‖∇f‖·sin 10°, inside the first ring), on a white ground
    ax.set_rlabel_position(np.degrees(theta_max) + 100)
    for label in ax.get_yticklabels():
        label.set_bbox({"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
        label.set_fontsize(8)
    ax.set_title(text("figure.directional.polar"), fontsize=10)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.3), fontsize=8)
    _curve(fig.add_subplot(1, 2, 2), theta, values, norm, (theta_max, theta_min, theta_zero),
           marked)
    fig.suptitle(text("figure.directional.title", name=named(obj), point=vec(a),
                      gradient=vec(g)))
    return Plot(fig, {"theta": theta, "values": values, "gradient": g, "theta_max": theta_max,
                      "theta_min": theta_min, "theta_zero": theta_zero,
                      "u": None if marked is None else marked[0],
                      "theta_u": None if marked is None else marked[1],
                      "value_u": None if marked is None else marked[2]}, "directional")


def _curve(ax2, theta, values, norm, angles, marked) -> None:
    """D_u f against the direction's angle: the largest, the smallest, the zeros, and u."""
    theta_max, theta_min, theta_zero = angles
    ax2.plot(np.degrees(theta), values, color="#0072B2")
    ax2.axhline(0, color="black", linewidth=0.6)
    notes = [(theta_max, norm, text("figure.directional.along", value=num(norm)), (0, 8),
              "center"),
             (theta_min, -norm, text("figure.directional.against", value=num(-norm)),
              (0, -16), "center")]
    for t_, v_, note, offset, ha in notes:
        ax2.plot(np.degrees(t_), v_, "o", color="black", markersize=6, zorder=5)
        ax2.annotate(note, (np.degrees(t_), v_), textcoords="offset points", xytext=offset,
                     fontsize=8, ha=ha)
    if marked is not None:  # u's point: a hollow diamond, named in a key under the plot
        ax2.plot(np.degrees(marked[1]), marked[2], "D", color="white", markeredgecolor="black",
                 markersize=7, zorder=6, linestyle="none",
                 label=f"u = {vec(marked[0])}: D_u f = {num(marked[2])}")
        ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8)
    for tz in theta_zero:
        ax2.axvline(np.degrees(tz), color="gray", linestyle=":", linewidth=1)
    ax2.set_xlabel(text("figure.directional.angle"))
    ax2.set_ylabel("D_u f(a) = ∇f(a)·u")
    ax2.set_xlim(0, 360)
    ax2.set_xticks(range(0, 361, 45))
    ax2.set_ylim(-1.3 * norm, 1.3 * norm)
    ax2.set_title(text("figure.directional.zeros"), fontsize=10)
