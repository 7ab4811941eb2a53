"""The directional derivative D_u f(a) as the unit vector u turns around a point."""

from __future__ import annotations

import numpy as np

from .common import Plot, new_figure, objective_2d


def directional(f, at, *, samples: int = 721, variables=None) -> Plot:
    """Polar plot of ``D_u f(a) = ∇f(a)·u(θ)``: largest along ∇f (value ‖∇f‖), smallest
    against it (−‖∇f‖), zero perpendicular to it — the note's three statements in one picture.

    Returns:
        :class:`Plot` with data ``theta``, ``values``, ``gradient``, ``theta_max``,
        ``theta_min``, ``theta_zero`` (the two angles where D_u f = 0).
    """
    obj = objective_2d(f, variables)
    a = obj.points(np.asarray(at, dtype=float), "at")
    g = obj.gradient(a)
    norm = float(np.linalg.norm(g))
    theta = np.linspace(0, 2 * np.pi, samples)
    u = np.stack([np.cos(theta), np.sin(theta)], axis=-1)
    values = u @ g
    theta_max = float(np.arctan2(g[1], g[0]) % (2 * np.pi))
    theta_min = (theta_max + np.pi) % (2 * np.pi)
    theta_zero = [(theta_max + np.pi / 2) % (2 * np.pi), (theta_max - np.pi / 2) % (2 * np.pi)]
    fig = new_figure(9, 4.6)
    ax = fig.add_subplot(1, 2, 1, projection="polar")
    ax.plot(theta, np.abs(values), color="#0072B2", linewidth=0.8, alpha=0.4)
    positive = values >= 0
    ax.scatter(theta[positive], values[positive], s=3, color="#009E73", label="D_u f > 0 (uphill)")
    ax.scatter(theta[~positive], -values[~positive], s=3, color="#D55E00",
               label="D_u f < 0 (downhill), |value| shown")
    box = {"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "linewidth": 0}
    ax.plot([theta_max], [norm], "o", color="#009E73", markeredgecolor="black")
    ax.annotate(f"max = ‖∇f‖ = {norm:.3g}\n(along ∇f)", (theta_max, norm), fontsize=8,
                xytext=(-60, 18), textcoords="offset points", bbox=box)
    ax.plot([theta_min], [norm], "o", color="#D55E00", markeredgecolor="black")
    ax.annotate(f"min = −‖∇f‖ = {-norm:.3g}\n(against ∇f)", (theta_min, norm), fontsize=8,
                xytext=(-20, -30), textcoords="offset points", bbox=box)
    for tz in theta_zero:  # D_u f = 0 perpendicular to ∇f
        ax.plot([tz, tz], [0, norm], color="black", linestyle=":", linewidth=1.2)
    ax.set_rlabel_position(np.degrees(theta_max) + 90)
    ax.set_title("|D_u f(a)| around a (polar)", fontsize=10)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.32), fontsize=8)
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.plot(np.degrees(theta), values, color="#0072B2")
    ax2.axhline(0, color="black", linewidth=0.6)
    for t_, v_, text in ((theta_max, norm, "along ∇f"), (theta_min, -norm, "against ∇f")):
        ax2.plot(np.degrees(t_), v_, "o", color="black")
        ax2.annotate(f"{text}: {v_:.3g}", (np.degrees(t_), v_), textcoords="offset points",
                     xytext=(5, 5), fontsize=8)
    for tz in theta_zero:
        ax2.axvline(np.degrees(tz), color="gray", linestyle=":", linewidth=1)
    ax2.set_xlabel("direction θ of u (degrees)")
    ax2.set_ylabel("D_u f(a)")
    ax2.set_xlim(0, 360)
    ax2.set_title("zero at ±90° from ∇f (dotted)", fontsize=10)
    point = ", ".join(f"{v:g}" for v in a)
    fig.suptitle(f"Directional derivative of {obj.name} at ({point})")
    return Plot(fig, {"theta": theta, "values": values, "gradient": g, "theta_max": theta_max,
                      "theta_min": theta_min, "theta_zero": theta_zero}, "directional")
