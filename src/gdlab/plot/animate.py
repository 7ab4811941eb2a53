"""A run, or several, as an animation on the contour map: GIF, or MP4 when ffmpeg is there."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .common import PALETTE, domain_for, draw_map, mark_minima, new_figure

MAX_FRAMES = 120


def animate(result, path, *, fps: int = 12, domain=None) -> Path:
    """Write the recorded paths of a 2-D :class:`~gdlab.engine.RunResult` as ``.gif`` or
    ``.mp4`` (needs ffmpeg). At most :data:`MAX_FRAMES` frames (recorded steps thinned).

    Returns:
        The path written.
    """
    from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ConfigError(f"an animation must end in .gif or .mp4; got {target.name!r}")
    if suffix == ".mp4" and shutil.which("ffmpeg") is None:
        raise ConfigError("MP4 needs ffmpeg, which is not installed; write a .gif instead")
    obj = result.objective
    if obj.dim != 2 or result.path is None:
        raise ConfigError("animate needs a 2-D run with a recorded path (record='all')")
    K, B = result.shape
    paths = [result.run_path(k, b) for k in range(K) for b in range(B)]
    labels = [f"{result.optimizers[k].label}" + (f" #{b}" if B > 1 else "")
              for k in range(K) for b in range(B)]
    finite = np.vstack([p[np.all(np.isfinite(p) & (np.abs(p) < 1e6), axis=1)] for p in paths])
    domain = domain or domain_for(obj, finite)
    T = len(result.recorded_steps)
    frames = np.unique(np.linspace(0, T - 1, min(T, MAX_FRAMES)).astype(int))
    fig = new_figure(6.5, 5.5)
    ax = fig.add_subplot()
    draw_map(ax, obj, domain)
    mark_minima(ax, obj, domain)
    lines, heads = [], []
    for i, label in enumerate(labels):
        color = PALETTE[i % len(PALETTE)]
        (line,) = ax.plot([], [], "-", color=color, linewidth=1.6, label=label)
        (head,) = ax.plot([], [], "o", color=color, markeredgecolor="black", markersize=7)
        lines.append(line)
        heads.append(head)
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    ax.legend(fontsize=8, loc="upper left")
    title = ax.set_title("")

    def draw(frame):
        for p, line, head in zip(paths, lines, heads):
            upto = min(frame, len(p) - 1)
            line.set_data(p[: upto + 1, 0], p[: upto + 1, 1])
            head.set_data([p[upto, 0]], [p[upto, 1]])
        title.set_text(f"{obj.name}: step {int(result.recorded_steps[frame])}")
        return [*lines, *heads, title]

    anim = FuncAnimation(fig, draw, frames=frames, blit=False)
    writer = PillowWriter(fps=fps) if suffix == ".gif" else FFMpegWriter(fps=fps)
    from ..files import replace_atomic

    return replace_atomic(target, lambda tmp: anim.save(tmp, writer=writer, dpi=90))
