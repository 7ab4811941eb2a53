"""Figures of runs: learning rates side by side, the traps, optimizer comparisons, loss curves."""

from __future__ import annotations

import numpy as np

from ..i18n import text
from .common import (LABEL_COLORS, MAX_WIDTH, PALETTE, critical_key, label_name, domain_for,
                     draw_map, end_entry, exit_arrow, mark_minima, marker_key, named, new_figure,
                     Plot, start_entry, steps_text, vec, visible_path)


def _draw_path(ax, path, color, label, domain, note: bool = True) -> dict:
    """A run's path as it went: the points inside the view, and where it leaves the view (a
    diverging run) an arrow on the edge, "leaves at step N" — never a point it did not visit.
    Returns what was drawn: ``{"points", "exit", "exit_step"}``."""
    points, exit, step = visible_path(path, domain)
    if len(points):
        ax.plot(points[:, 0], points[:, 1], "-", color=color, linewidth=1.6, label=label,
                zorder=4)
        ax.plot(points[:, 0], points[:, 1], "o", color=color, markersize=2.5, zorder=4)
        ax.plot(*points[0], "o", color="white", markeredgecolor=color, markersize=7, zorder=5)
    if exit is None and step is None:
        ax.plot(*points[-1], "s", color=color, markeredgecolor="black", markersize=6, zorder=5)
    elif exit is not None:
        exit_arrow(ax, points, exit, color)
        if note:  # written inside the view, away from the edge it crosses
            (x0, x1), (y0, y1) = domain
            right, top = exit[0] > (x0 + x1) / 2, exit[1] > (y0 + y1) / 2
            # centred on an exit near the middle of an edge: the text then fits either way
            middle = abs(exit[0] - (x0 + x1) / 2) < 0.25 * (x1 - x0)
            ax.annotate(text("figure.runs.leaves_at", step=step), exit,
                        xytext=(0 if middle else -8 if right else 8, -10 if top else 10),
                        textcoords="offset points",
                        ha="center" if middle else "right" if right else "left",
                        va="top" if top else "bottom", fontsize=8, color=color,
                        zorder=6, bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                        "ec": "none", "alpha": 0.8})
    return {"points": points, "exit": exit, "exit_step": step}


def _verdict(d, result, k: int, b: int) -> str:
    """A run's diagnosis as a figure names it: an oscillating run whose f still fell over its
    second half says so (a damped zig-zag beside a falling loss curve is no contradiction)."""
    name = label_name(d.label)
    if d.label == "oscillating" and result.value[k, b] < result.mid_value[k, b]:
        name += text("figure.runs.still_falling")
    return name


def _mark_events(ax, events, color) -> None:
    """Each event of a run's diagnosis (:mod:`gdlab.events`) where it happened: a diamond and
    a short note (``near saddle, ~80 steps``)."""
    for e in events:
        x, y = e["at"][:2]
        shown = getattr(ax, "_gdlab_events", 0)  # notes of several runs stack, not overlap
        ax._gdlab_events = shown + 1
        ax.plot(x, y, "D", markerfacecolor="none", markeredgecolor=color, markersize=11,
                markeredgewidth=1.8, zorder=6)
        ax.annotate(text(f"figure.runs.event.{e['kind']}", step=e["step"], steps=e["steps"]),
                    (x, y), xytext=(10, -14 - 11 * shown), textcoords="offset points",
                    fontsize=8, color=color, zorder=6,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.8})


def _loss_axis(ax, result, labels, colors, minimum=None):
    """f (or f − f*) per step on a log scale; exact zeros sit on a floor two decades below the
    smallest positive value, and the axis is linear only where f goes negative (symlog).
    Returns the axis's title, which says which."""
    curves = []
    for k in range(len(labels)):
        values = result.values[: len(result.run_path(k, 0)), k, 0]
        curves.append(values - minimum if minimum is not None else values)
    finite = np.concatenate([c[np.isfinite(c)] for c in curves])
    log = finite.size > 0 and finite.min() >= 0
    # exact zeros sit two decades below the smallest positive value (not on it: f = 0 after
    # one step must not look like another run's 1e-4)
    floor = max(float(finite[finite > 0].min()) / 100 if np.any(finite > 0) else 1e-300,
                float(finite.max()) * 1e-30) if log else None
    for k, (label, color) in enumerate(zip(labels, colors)):
        steps = result.recorded_steps[: len(curves[k])]
        shown = np.maximum(curves[k], floor) if log else curves[k]
        ax.plot(steps, shown, color=color, label=label)
        zero = np.flatnonzero(curves[k] == 0) if log else []
        if len(zero):  # on the floor, said so: a log axis has no 0
            ax.annotate(text("figure.runs.zero" if minimum is None else
                             "figure.runs.zero_minimum", step=steps[zero[0]]),
                        (steps[zero[0]], floor), xytext=(6, 4),
                        textcoords="offset points", fontsize=8, color=color)
    ax.set_yscale("log" if log else "symlog")
    ax.set_xlabel(text("term.step"))
    ax.set_ylabel("f − f*" if minimum is not None else "f")
    return text("figure.runs." + ("symlog_title" if not log else "gap_title"
                                  if minimum is not None else "log_title"))


SMALL_MAP = 120  # grid points per axis of a small multiple's map (a quarter of the width)
PANEL_MAP = 150  # … of one of three panels


def learning_rates(study) -> Plot:
    """Draw a :class:`~gdlab.studies.LearningRates`: the same start with learning rates too
    small, about right, near the stability bound and too large — one small map each (on a
    round bowl every path lies on the line to the minimum, so on one map they would hide each
    other) — and their loss curves, with 2/λmax named."""
    obj, x0, lrs, bound, result = (study.objective, study.start, study.lrs, study.bound,
                                   study.result)
    diagnoses = [row[0] for row in result.diagnoses()]
    n = len(lrs)
    fig = new_figure(MAX_WIDTH, 7.4)
    cells = fig.add_gridspec(2, n, height_ratios=[1.2, 1])
    # the start's neighbourhood and the minimum its runs head for (a diverging path leaves it)
    around = [x0, -x0, 1.5 * x0] + ([study.bound_at] if study.bound_at is not None else [])
    domain = obj.library.domain(2) if obj.library is not None else domain_for(
        obj, np.array(around))
    labels, drawn, shown = [], [], []
    colors = [PALETTE[k] for k in range(n)]
    for k, (lr, d) in enumerate(zip(lrs, diagnoses)):
        ax = fig.add_subplot(cells[0, k])
        draw_map(ax, obj, domain, n=SMALL_MAP, colorbar=False)
        shown += mark_minima(ax, obj, domain)
        ratio = text("figure.learning_rates.ratio", ratio=lr / bound) if bound else ""
        verdict = _verdict(d, result, k, 0)
        labels.append(f"lr {lr:.3g}{ratio}: {verdict}")
        drawn.append(_draw_path(ax, result.run_path(k, 0), colors[k], None, domain))
        _mark_events(ax, d.events, colors[k])
        ax.set_title(f"lr {lr:.3g}{ratio}\n{verdict}, {steps_text(int(result.steps[k, 0]))}",
                     fontsize=10, color=colors[k])
        if k:
            ax.set_ylabel("")
    loss_ax = fig.add_subplot(cells[1, :])
    title = _loss_axis(loss_ax, result, labels, colors)
    loss_ax.legend(fontsize=9)
    loss_ax.set_title(title, fontsize=10)
    key = _run_key(drawn, shown, [d.events for d in diagnoses])
    marker_key(fig, key)
    where = "" if study.bound_at is None else text("figure.learning_rates.where",
                                                   point=vec(study.bound_at, 3))
    fig.suptitle(text("figure.learning_rates.title", name=named(obj), point=vec(x0),
                      bound=text("figure.learning_rates.bound", bound=bound, where=where)
                      if bound else ""))
    return Plot(fig, {"lrs": list(lrs), "bound": bound, "labels": [d.label for d in diagnoses],
                      "result": result, "drawn": drawn, "key": [e[0] for e in key]},
                "learning-rates")


def traps(studies) -> Plot:
    """Draw :func:`gdlab.studies.traps`: the failure modes side by side, each run labelled
    with its diagnosis. A run that does not move says so where it stands; starts too close to
    tell apart at the map's scale get a magnified inset around them."""
    cases = list(studies)
    fig = new_figure(min(5 * len(cases), MAX_WIDTH), 4.6)
    labels, drawn, insets, shown, events = [], [], [], [], []
    for i, trap in enumerate(cases):
        obj, result, lr, title = trap.objective, trap.result, trap.lr, trap.title
        ax = fig.add_subplot(1, len(cases), i + 1)
        domain = obj.library.domain(2) if obj.library else domain_for(obj, result.starts)
        draw_map(ax, obj, domain, n=PANEL_MAP, colorbar=False)
        shown += mark_minima(ax, obj, domain)
        row, runs = [], []
        for b in range(result.shape[1]):
            d = result.diagnoses()[0][b]
            row.append(d.label)
            path = result.run_path(0, b)
            runs.append((path, LABEL_COLORS[d.label], d))
            drawn.append(_draw_path(ax, path, LABEL_COLORS[d.label],
                                    text("figure.traps.from", point=vec(path[0]),
                                         label=label_name(d.label)), domain))
            _mark_events(ax, d.events, LABEL_COLORS[d.label])
            events.append(d.events)
            moved = float(np.max(np.linalg.norm(path - path[0], axis=-1)))
            if moved < STILL * (domain[0][1] - domain[0][0]):
                ax.annotate(text("figure.traps.still", moved=moved, n=int(result.steps[0, b]),
                                 norm=result.gradient_norm[0, b],
                                 label=label_name(d.label)), path[0], xytext=(-8, 10),
                            ha="right", textcoords="offset points", fontsize=8, zorder=6,
                            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"})
        insets.append(_inset_if_close(ax, obj, domain, runs))
        labels.append(row)
        ax.set_xlim(*domain[0])
        ax.set_ylim(*domain[1])
        ax.legend(fontsize=8, loc="lower left", framealpha=0.9)
        ax.set_title(f"{title}\n{named(obj)}, gd lr {lr:g}", fontsize=10)
    key = _run_key(drawn, shown, events)
    marker_key(fig, key)
    return Plot(fig, {"labels": labels, "drawn": drawn, "insets": insets,
                      "key": [e[0] for e in key]}, "traps")


def _run_key(drawn, shown, events) -> list:
    """The marker key of figures of runs: start and end, an exit arrow and an event diamond
    where any was drawn, and the kinds of critical points marked."""
    key = [start_entry()]
    if any(d["exit"] is None and d["exit_step"] is None for d in drawn):
        key.append(end_entry())
    if any(d["exit"] is not None for d in drawn):
        key.append((text("figure.key.leaves"), "arrow", "dimgray"))
    if any(events):
        key.append((text("figure.key.lingered"), "D", "none"))
    return key + critical_key(shown)



#: starts closer than this share of the view's width get a magnified inset
CLOSE_STARTS = 0.02
#: a run whose path stays within this share of the view's width is called still
STILL = 0.002


def _inset_if_close(ax, obj, domain, runs):
    """A magnified view around starts that lie too close to tell apart (the saddle's (1, 0)
    and (1, 0.01)), with each run's first steps; returns its ``(x, y)`` limits or ``None``."""
    starts = np.array([path[0][:2] for path, _, _ in runs])
    width = min(domain[0][1] - domain[0][0], domain[1][1] - domain[1][0])
    spread = float(np.max(np.ptp(starts, axis=0))) if len(starts) > 1 else 0.0
    if not 0 < spread < CLOSE_STARTS * width:
        return None
    centre, half = starts.mean(axis=0), 2.5 * spread
    limits = [(centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)]
    # lower right, clear of the runs' key in the lower left; no scale of its own: each start
    # is named beside its marker, which says by how much they differ
    inset = ax.inset_axes([0.64, 0.05, 0.33, 0.33])
    draw_map(inset, obj, limits, n=60, colorbar=False)
    for path, color, _ in runs:
        _draw_path(inset, path, color, None, limits, note=False)
        inset.annotate(vec(path[0]), path[0][:2], xytext=(0, 6), textcoords="offset points",
                       ha="center", fontsize=7, color="black",
                       bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                             "alpha": 0.8})
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.text(0.5, 0.03, text("figure.traps.zoom", zoom=width / (2 * half)), fontsize=8,
               ha="center",
               va="bottom", transform=inset.transAxes,
               bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    ax.indicate_inset_zoom(inset, edgecolor="black")
    return limits


def compare(study) -> Plot:
    """Draw a :class:`~gdlab.studies.Comparison`: several optimizers' paths on one map, and
    f − f* per step on a log scale; one legend under both (the colours are the same)."""
    obj, result = study.objective, study.result
    opts = result.optimizers
    fig = new_figure(MAX_WIDTH, 5.6)
    ax, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    paths = [result.run_path(k, 0) for k in range(len(opts))]
    # the view holds the runs that did not diverge (a diverged one leaves it, with an arrow)
    kept = [p for k, p in enumerate(paths) if result.status[k, 0] != "diverged"]
    domain = domain_for(obj, np.vstack([result.starts[:1]] + kept))
    draw_map(ax, obj, domain)
    shown = mark_minima(ax, obj, domain)
    labels, drawn = [], []
    for k, (o, p) in enumerate(zip(opts, paths)):
        d = result.diagnoses()[k][0]
        label = f"{o.label}: {_verdict(d, result, k, 0)}, {steps_text(int(result.steps[k, 0]))}"
        labels.append(label)
        drawn.append(_draw_path(ax, p, PALETTE[k % len(PALETTE)], label, domain))
        _mark_events(ax, d.events, PALETTE[k % len(PALETTE)])
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    ax.set_title(text("figure.compare.title", point=vec(result.starts[0]), name=named(obj)))
    ax2.set_title(_loss_axis(ax2, result, labels, PALETTE, minimum=study.best))
    runs = ax.get_legend_handles_labels()[0]
    marker_key(fig, [start_entry(), end_entry()] + critical_key(shown),
               lead=runs, ncol=len(runs))
    return Plot(fig, {"result": result, "labels": labels, "drawn": drawn}, "compare")


def loss(result, *, labels=None) -> Plot:
    """Loss curves of every run of a :class:`~gdlab.engine.RunResult` (recorded steps)."""
    if result.values is None:
        raise ValueError("the run recorded no values (record='none')")
    fig = new_figure(7, 4.5)
    ax = fig.add_subplot()
    K, B = result.shape
    n = 0
    for k in range(K):
        for b in range(B):
            values = result.values[: len(result.run_path(k, b)), k, b]
            steps = result.recorded_steps[: len(values)]
            label = (labels[n] if labels else
                     text("figure.from", what=result.optimizers[k].label,
                          point=vec(result.starts[b])))
            if result.status[k, b] == "diverged":  # its curve stops: the key says why
                label += f": {label_name('diverged')}, {steps_text(int(result.steps[k, b]))}"
            ax.plot(steps, values, color=PALETTE[n % len(PALETTE)], label=label)
            n += 1
    finite = result.values[np.isfinite(result.values)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel(text("term.step"))
    ax.set_ylabel("f")
    ax.set_title(text("figure.loss.title", name=named(result.objective)))
    if n <= 12:
        ax.legend(fontsize=8)
    return Plot(fig, {"result": result}, "loss")
