"""What happened along a recorded path: events a label alone does not tell.

``near_saddle``
    The path lingered by a saddle and then left it: along the recorded path ‖∇f‖ dips to at
    most :data:`LINGER` of its largest value before and after the dip, the Hessian at the
    dip is indefinite (curvature of both signs beyond the zero band of
    :mod:`gdlab.critical`), and afterwards the path moved on (f fell below its value at the
    dip). ``at`` is the saddle: Newton's method on ∇f = 0 from the path's point closest to it
    settles on a critical point whose Hessian is indefinite (or 0 with f lower beside it, a
    degenerate saddle). Where it settles on none (a
    shoulder where f only bends, as tanh x + y² at x ≈ 3), there is no saddle and no event.
    ``step`` the step of the dip, ``steps`` how many
    steps the path spent with f within :data:`BAND` of the run's whole descent of its value at
    the dip (the flat stretch of the loss curve), at least :data:`MIN_STEPS`; of dips in one
    such stretch the longest-lingering is kept.

An event is ``{"kind", "at", "step", "steps"}``. Events need a recorded path (``record`` other
than ``"last"``/``"none"``); without one a run has none. At most :data:`MAX_EVENTS` per run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import critical

__all__ = ["events_of", "LINGER", "BAND", "MAX_EVENTS", "KINDS"]

KINDS = ("near_saddle",)
LINGER = 0.05
BAND = 0.01
MIN_STEPS = 5
MAX_EVENTS = 3


def events_of(result, k: int, b: int, thresholds: dict[str, float]) -> list[dict[str, Any]]:
    """The events of run ``(k, b)`` of a :class:`~gdlab.engine.RunResult`."""
    if result.path is None or result.gradient_norms is None or len(result.recorded_steps) < 4:
        return []
    n = int(np.searchsorted(result.recorded_steps, result.steps[k, b], side="left")) + 1
    g = result.gradient_norms[:n, k, b]
    if n < 4 or not np.all(np.isfinite(g)):
        return []
    dips = _dips(g)
    if not len(dips):
        return []
    obj = result.objective
    points = result.path[dips, k, b]
    with np.errstate(all="ignore"):
        h = obj.hessian(points)
    values = result.values[:n, k, b]
    found = []
    for i, point, hess in zip(dips, points, h):
        if not np.all(np.isfinite(hess)):
            continue
        pos, neg = critical.signs(np.linalg.eigvalsh(0.5 * (hess + hess.T)),
                                  thresholds["eig_tol"], thresholds["flat"])
        left = values[-1] < values[i] - 1e-12 * max(1.0, abs(values[i]))
        saddle = _saddle_near(obj, point, thresholds) if pos.any() and neg.any() and left \
            else None
        if saddle is not None:
            event = _event(result, values, i, saddle)
            if event["steps"] >= MIN_STEPS:
                found.append(event)
    found.sort(key=lambda e: -e["steps"])  # the longest stays first
    distinct: list[dict[str, Any]] = []
    for e in found:  # one event per stretch of the path
        if all(abs(e["step"] - d["step"]) > d["steps"] for d in distinct):
            distinct.append(e)
    return sorted(distinct[:MAX_EVENTS], key=lambda e: e["step"])


def _dips(g: np.ndarray) -> np.ndarray:
    """Interior local minima of ‖∇f‖ along a path that fall to at most LINGER of the largest
    value on each side, deepest first."""
    inner = np.arange(1, len(g) - 1)
    local = (g[inner] <= g[inner - 1]) & (g[inner] <= g[inner + 1])
    before = np.maximum.accumulate(g)[inner]
    after = np.maximum.accumulate(g[::-1])[::-1][inner]
    deep = g[inner] <= LINGER * np.minimum(before, after)
    idx = inner[local & deep]
    return idx[np.argsort(g[idx], kind="stable")][: 4 * MAX_EVENTS]


def _saddle_near(obj, point: np.ndarray, thresholds: dict[str, float]) -> np.ndarray | None:
    """The saddle the path passed: Newton's method on ∇f = 0 from the path's closest point
    (:func:`gdlab.critical.newton`), where it settles near that point on a critical point
    with curvature of both signs (or none, with f lower a step beside it); else None (no
    saddle there: the path only crossed ground that bends both ways)."""
    x = critical.newton(obj, np.asarray(point, dtype=float)[None])[0]
    if not np.all(np.isfinite(x)):
        return None
    with np.errstate(all="ignore"):
        g, h = obj.gradient(x), obj.hessian(x)
    near = np.linalg.norm(x - point) <= 10 * max(1e-3, np.linalg.norm(point) * 1e-2) + \
        np.linalg.norm(point)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(h)) and np.linalg.norm(g) <= 1e-8
            and near):
        return None
    kind = critical.kind_of(np.linalg.eigvalsh(0.5 * (h + h.T)), thresholds["eig_tol"],
                            thresholds["flat"])
    return x if kind == "saddle" or (kind == "degenerate" and _falls_beside(obj, x)) else None


def _falls_beside(obj, x: np.ndarray) -> bool:
    """Whether f is lower a small step away from the critical point ``x`` along ± some axis
    (by more than rounding): a degenerate critical point that is no minimum, as the monkey
    saddle x³ − 3xy² at 0, whose Hessian is 0 there."""
    h = 1e-3 * np.maximum(1.0, np.abs(x))
    steps = np.concatenate([np.eye(len(x)), -np.eye(len(x))]) * h
    with np.errstate(all="ignore"):
        value = float(obj.value(x[None])[0])
        around = np.asarray(obj.value(x[None] + steps), dtype=np.float64)
    return bool(np.any(value - around > 1e-12 * max(1.0, abs(value))))


def _event(result, values: np.ndarray, i: int, point: np.ndarray) -> dict[str, Any]:
    lo = hi = i
    band = BAND * abs(values[0] - values[-1])
    while lo > 0 and abs(values[lo - 1] - values[i]) <= band:
        lo -= 1
    while hi < len(values) - 1 and abs(values[hi + 1] - values[i]) <= band:
        hi += 1
    steps = result.recorded_steps
    return {"kind": "near_saddle", "at": [float(v) for v in point], "step": int(steps[i]),
            "steps": int(steps[hi] - steps[lo])}
