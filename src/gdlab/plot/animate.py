"""A run, or several, as an animation on the contour map: GIF, or MP4 when ffmpeg is there."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..i18n import text
from .common import (PALETTE, critical_key, domain_for, draw_map, mark_minima, marker_key,
                     named, new_figure, visible_path)

MAX_FRAMES = 120


def animation_target(path) -> Path:
    """The file an animation may be written to, or a one-line refusal — asked before the
    runs too."""
    from ..files import output_target

    target = output_target(path, "animation", "an animation")
    if target.suffix.lower() == ".mp4" and shutil.which("ffmpeg") is None:
        raise ConfigError("MP4 needs ffmpeg, which is not installed; write a .gif instead")
    return target


def animate(result, path, *, fps: int = 12, domain=None) -> Path:
    """Write the recorded paths of a 2-D :class:`~gdlab.engine.RunResult` as ``.gif`` or
    ``.mp4`` (needs ffmpeg). At most :data:`MAX_FRAMES` frames (recorded steps thinned).

    Returns:
        The path written.
    """
    from matplotlib.animation import FFMpegWriter, FuncAnimation

    target = animation_target(path)
    suffix = target.suffix.lower()
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
    fig, ax = frame_figure(domain, entries=len(labels) + 2)
    draw_map(ax, obj, domain)
    shown = mark_minima(ax, obj, domain)
    lines, heads, exits = [], [], []
    for i, label in enumerate(labels):
        color = PALETTE[i % len(PALETTE)]
        (line,) = ax.plot([], [], "-", color=color, linewidth=1.6, label=label, animated=True)
        (head,) = ax.plot([], [], "o", color=color, markeredgecolor="black", markersize=7,
                          animated=True)
        (gone,) = ax.plot([], [], linestyle="none", color=color, markersize=11,
                          animated=True, clip_on=False)  # where a run leaves the view
        lines.append(line)
        heads.append(head)
        exits.append(gone)
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    marker_key(fig, critical_key(shown), lead=lines,
               ncol=min(KEY_COLUMNS, len(lines) + len(shown)))
    title = ax.set_title(" ", animated=True)

    def draw(frame):
        for p, line, head, gone in zip(paths, lines, heads, exits):
            upto = min(frame, len(p) - 1)
            shown_part, exit, _ = visible_path(p[: upto + 1], domain)
            line.set_data(shown_part[:, 0], shown_part[:, 1])
            inside = len(shown_part) == upto + 1
            head.set_data([p[upto, 0]] if inside else [], [p[upto, 1]] if inside else [])
            if exit is not None and len(shown_part):  # a triangle on the edge, pointing out
                dx, dy = np.asarray(exit) - shown_part[-1]
                gone.set_marker((3, 0, np.degrees(np.arctan2(dy, dx)) - 90))
                gone.set_data([exit[0]], [exit[1]])
            else:
                gone.set_data([], [])
        title.set_text(text("figure.animate.title", name=named(obj),
                            step=int(result.recorded_steps[frame])))
        return [*lines, *heads, *exits, title]

    from ..files import replace_atomic

    if suffix == ".gif":
        return replace_atomic(target, lambda tmp: _write_gif(fig, draw, frames, fps, tmp))
    anim = FuncAnimation(fig, draw, frames=frames, blit=False)
    return replace_atomic(target, lambda tmp: anim.save(tmp, writer=FFMpegWriter(fps=fps),
                                                        dpi=DPI))


DPI = 90
KEY_COLUMNS = 4
#: the map's width in a frame (inches); the frame is sized around it
MAP_WIDTH = 5.0
MAX_MAP_HEIGHT = 6.0
MIN_WIDTH = 6.4  # a tall map's frame stays wide enough for its key


def frame_figure(domain, entries: int = 1):
    """A figure (and its axes) shaped to the map: equal scales leave no blank bands above or
    below a wide domain, nor beside a tall one; room for the title, the colour bar and a key
    of ``entries`` entries (:data:`KEY_COLUMNS` a row)."""
    (x0, x1), (y0, y1) = domain
    aspect = (y1 - y0) / (x1 - x0)
    width = min(MAP_WIDTH, MAX_MAP_HEIGHT / aspect)
    rows = -(-entries // KEY_COLUMNS)
    fig = new_figure(max(width + 1.5, MIN_WIDTH), width * aspect + 1.0 + 0.28 * rows)
    return fig, fig.add_subplot()


def _write_gif(fig, draw, frames, fps: int, target) -> None:
    """The map drawn once; each frame only the moving artists over it (a figure's full
    redraw per frame costs ~100× more), then one palette for all frames, written by Pillow."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # everything not animated: the map, the key
    background = canvas.copy_from_bbox(fig.bbox)
    images = []
    for frame in frames:
        canvas.restore_region(background)
        for artist in draw(frame):
            fig.draw_artist(artist)
        canvas.blit(fig.bbox)
        images.append(Image.frombuffer("RGBA", canvas.get_width_height(),
                                       bytes(canvas.buffer_rgba())).convert("RGB"))
    palette = images[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    frames_p = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    with open(target, "wb") as out:
        frames_p[0].save(out, format="GIF", save_all=True, append_images=frames_p[1:],
                         duration=round(1000 / fps), loop=0)
