"""Figures of runs: learning rates side by side, the traps, optimizer comparisons, loss curves."""

from __future__ import annotations

import numpy as np

from .common import LABEL_COLORS, PALETTE, Plot, domain_for, draw_map, mark_minima, new_figure


def _draw_path(ax, path, color, label):
    ax.plot(path[:, 0], path[:, 1], "-", color=color, linewidth=1.6, label=label, zorder=4)
    ax.plot(path[:, 0], path[:, 1], "o", color=color, markersize=2.5, zorder=4)
    ax.plot(*path[0], "o", color="white", markeredgecolor=color, markersize=7, zorder=5)
    ax.plot(*path[-1], "s", color=color, markeredgecolor="black", markersize=6, zorder=5)


def _mark_events(ax, events, color) -> None:
    """Each event of a run's diagnosis (:mod:`gdlab.events`) where it happened: a diamond and
    a short note (``near saddle, ~80 steps``)."""
    for e in events:
        x, y = e["at"][:2]
        shown = getattr(ax, "_gdlab_events", 0)  # notes of several runs stack, not overlap
        ax._gdlab_events = shown + 1
        ax.plot(x, y, "D", markerfacecolor="none", markeredgecolor=color, markersize=11,
                markeredgewidth=1.8, zorder=6)
        ax.annotate(f"{e['kind'].replace('_', ' ')} at step {e['step']}, ~{e['steps']} steps",
                    (x, y), xytext=(10, -14 - 11 * shown), textcoords="offset points",
                    fontsize=8, color=color, zorder=6,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.8})


def _loss_axis(ax, result, labels, colors, minimum=None):
    """f (or f − f*) per step on a log scale; exact zeros sit on a floor 1e-20 below the
    largest value, and the axis is linear only where f goes negative."""
    curves = []
    for k in range(len(labels)):
        values = result.values[: len(result.run_path(k, 0)), k, 0]
        curves.append(values - minimum if minimum is not None else values)
    finite = np.concatenate([c[np.isfinite(c)] for c in curves])
    log = finite.size > 0 and finite.min() >= 0
    floor = max(float(finite[finite > 0].min()) if np.any(finite > 0) else 1e-300,
                float(finite.max()) * 1e-20) if log else None
    for k, (label, color) in enumerate(zip(labels, colors)):
        steps = result.recorded_steps[: len(curves[k])]
        shown = np.maximum(curves[k], floor) if log else curves[k]
        ax.plot(steps, shown, color=color, label=label)
    ax.set_yscale("log" if log else "symlog")
    ax.set_xlabel("step")
    ax.set_ylabel("f − f*" if minimum is not None else "f")


def learning_rates(study) -> Plot:
    """Draw a :class:`~gdlab.studies.LearningRates`: the same start with learning rates too
    small, about right, near the stability bound and too large, on one map, with their loss
    curves and 2/λmax named."""
    obj, x0, lrs, bound, result = (study.objective, study.start, study.lrs, study.bound,
                                   study.result)
    diagnoses = [row[0] for row in result.diagnoses()]
    fig = new_figure(12, 5)
    ax, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    # the map shows the start's neighbourhood; a diverging path leaves it
    domain = obj.library.domain(2) if obj.library is not None else domain_for(
        obj, np.array([x0, -x0, 1.5 * x0]))
    draw_map(ax, obj, domain)
    labels = []
    colors = [PALETTE[k] for k in range(len(lrs))]
    for k, (lr, d) in enumerate(zip(lrs, diagnoses)):
        ratio = f" = {lr / bound:.2g}×bound" if bound else ""
        label = f"lr {lr:.3g}{ratio}: {d.label}"
        labels.append(label)
        _draw_path(ax, np.clip(result.run_path(k, 0), -1e6, 1e6), colors[k], label)
        _mark_events(ax, d.events, colors[k])
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    mark_minima(ax, obj, domain)
    ax.legend(fontsize=8, loc="upper left", framealpha=0.9)
    ax.set_title(f"{obj.name}: the learning rate decides (bound 2/λmax = "
                 f"{bound:.3g})" if bound else f"{obj.name}: the learning rate decides")
    _loss_axis(ax2, result, labels, colors)
    ax2.legend(fontsize=8)
    ax2.set_title("loss per step")
    return Plot(fig, {"lrs": list(lrs), "bound": bound, "labels": [d.label for d in diagnoses],
                      "result": result}, "learning-rates")


def traps(studies) -> Plot:
    """Draw :func:`gdlab.studies.traps`: the failure modes side by side, each run labelled
    with its diagnosis."""
    cases = list(studies)
    fig = new_figure(5 * len(cases), 4.8)
    labels = []
    for i, trap in enumerate(cases):
        obj, result, lr, title = trap.objective, trap.result, trap.lr, trap.title
        ax = fig.add_subplot(1, len(cases), i + 1)
        domain = obj.library.domain(2) if obj.library else domain_for(obj, result.starts)
        draw_map(ax, obj, domain, colorbar=False)
        mark_minima(ax, obj, domain)
        row = []
        for b in range(result.shape[1]):
            d = result.diagnoses()[0][b]
            row.append(d.label)
            _draw_path(ax, np.clip(result.run_path(0, b), -1e3, 1e3),
                       LABEL_COLORS[d.label], d.label)
            _mark_events(ax, d.events, LABEL_COLORS[d.label])
        labels.append(row)
        ax.set_xlim(*domain[0])
        ax.set_ylim(*domain[1])
        ax.legend(fontsize=8, loc="lower left", framealpha=0.9)
        ax.set_title(f"{title}\n{obj.name}, gd lr {lr:g}", fontsize=10)
    fig.suptitle("Where gradient descent gets stuck")
    return Plot(fig, {"labels": labels}, "traps")


def compare(study) -> Plot:
    """Draw a :class:`~gdlab.studies.Comparison`: several optimizers' paths on one map, and
    f − f* per step on a log scale."""
    obj, result = study.objective, study.result
    opts = result.optimizers
    fig = new_figure(12, 5)
    ax, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    paths = [result.run_path(k, 0) for k in range(len(opts))]
    domain = domain_for(obj, np.vstack([p[np.all(np.isfinite(p), axis=1)] for p in paths]))
    draw_map(ax, obj, domain)
    mark_minima(ax, obj, domain)
    labels = []
    for k, (o, p) in enumerate(zip(opts, paths)):
        d = result.diagnoses()[k][0]
        label = f"{o.label}: {d.label}, {int(result.steps[k, 0])} steps"
        labels.append(label)
        _draw_path(ax, p, PALETTE[k % len(PALETTE)], label)
        _mark_events(ax, d.events, PALETTE[k % len(PALETTE)])
    ax.set_xlim(*domain[0])
    ax.set_ylim(*domain[1])
    ax.legend(fontsize=8, loc="upper left", framealpha=0.9)
    ax.set_title(f"Optimizers from the same start on {obj.name}")
    _loss_axis(ax2, result, labels, PALETTE, minimum=study.best)
    ax2.legend(fontsize=8)
    ax2.set_title("f − f* per step (log scale)")
    return Plot(fig, {"result": result, "labels": labels}, "compare")


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
                     f"{result.optimizers[k].label} from {np.round(result.starts[b], 3).tolist()}")
            ax.plot(steps, values, color=PALETTE[n % len(PALETTE)], label=label)
            n += 1
    finite = result.values[np.isfinite(result.values)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("f")
    ax.set_title(f"Loss curves on {result.objective.name}")
    if n <= 12:
        ax.legend(fontsize=8)
    return Plot(fig, {"result": result}, "loss")
