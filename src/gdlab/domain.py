"""Where a 2-D study or figure looks: the objective as a function of two variables, and the
box to show or sample (the library's domain, or one around given points)."""

from __future__ import annotations

import numpy as np

from .errors import ConfigError
from .limits import RANDOM_BOX

__all__ = ["objective_2d", "domain_for", "grid", "log_floor", "start_box", "random_starts",
           "MAX_GRID"]

MAX_GRID = 2000  # points per axis of a grid of values


def objective_2d(f, variables=None):
    """Resolve ``f`` to a 2-D objective (figures with maps need two variables)."""
    from .calculus import resolve

    obj = resolve(f, 2, variables)
    if obj.dim != 2:
        raise ConfigError(f"this figure needs a function of 2 variables; "
                          f"{obj.name} has {obj.dim}")
    return obj


def domain_for(obj, points=None, pad: float = 0.15) -> list[tuple[float, float]]:
    """The library's domain, or a box around the given points and known minima."""
    if obj.named_library is not None:
        dom = [tuple(map(float, b)) for b in obj.named_library.domain(obj.dim)]
        if points is None:
            return dom
        pts = np.asarray(points, dtype=float).reshape(-1, obj.dim)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts):
            lo = np.minimum(np.array(dom)[:, 0], pts.min(axis=0))
            hi = np.maximum(np.array(dom)[:, 1], pts.max(axis=0))
            return list(zip(lo.tolist(), hi.tolist()))
        return dom
    if points is None:
        return [(-3.0, 3.0)] * obj.dim
    pts = np.asarray(points, dtype=float).reshape(-1, obj.dim)
    pts = pts[np.all(np.isfinite(pts) & (np.abs(pts) < 1e6), axis=1)]
    if not len(pts):
        return [(-3.0, 3.0)] * obj.dim
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    center = 0.5 * (lo + hi)
    # at least ±2 (or ±half the distance to the origin) around the points, plus a margin
    half = np.maximum.reduce([0.5 * (hi - lo) * (1 + 2 * pad), np.full_like(lo, 2.0),
                              0.5 * np.abs(center)])
    return list(zip((center - half).tolist(), (center + half).tolist()))


def grid(obj, domain, n: int = 200):
    """``X, Y, Z`` on an ``n × n`` grid; non-finite values are masked."""
    if not 2 <= n <= MAX_GRID:
        raise ConfigError(f"grid size must be in 2..{MAX_GRID}; got {n}")
    (x0, x1), (y0, y1) = domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        Z = obj.value(np.stack([X, Y], axis=-1))
    return X, Y, np.ma.masked_invalid(Z)


def log_floor(Z) -> float | None:
    """Whether a map of ``Z`` needs a log colour scale, as every map of gdlab decides it (the
    figures' levels and the page's colours): where the values span more than three decades
    above the minimum (Rosenbrock, Goldstein–Price) or most of the map lies in the lowest 5% of
    the range (the six-hump camel's walls). Returns the smallest value above the minimum that
    the scale shows (the 1st percentile of ``Z − min``) for a log scale, ``None`` for linear."""
    z = np.asarray(Z.compressed() if np.ma.isMaskedArray(Z) else Z, dtype=float)
    z = z[np.isfinite(z)]
    if z.size == 0 or z.max() <= z.min():
        return None
    lo, hi = float(z.min()), float(z.max())
    rel = z - lo
    positive = rel[rel > 0]
    small = float(np.percentile(positive, 1)) if positive.size else 0.0
    skewed = float(np.median(rel)) < 0.05 * (hi - lo)  # steep walls around a flat floor
    return small if small > 0 and ((hi - lo) / small > 1e3 or skewed) else None


def start_box(obj, box=None) -> list[tuple[float, float]]:
    """Where starts are drawn or gridded: ``box`` (one ``(low, high)`` for every coordinate),
    else the library function's domain, else :data:`~gdlab.limits.RANDOM_BOX`."""
    if box is not None:
        return [(float(box[0]), float(box[1]))] * obj.dim
    if obj.named_library is not None:
        return [tuple(map(float, b)) for b in obj.named_library.domain(obj.dim)]
    return [RANDOM_BOX] * obj.dim


def random_starts(obj, n: int, seed: int | None, box=None) -> np.ndarray:
    """``n`` starts ``(n, D)`` drawn uniformly (``seed``) from :func:`start_box` — what
    ``--random-starts`` draws (descend, compare, sweep), and what the diagnosis tries before
    it suggests it."""
    lo, hi = np.array(start_box(obj, box), dtype=float).T
    return np.random.default_rng(seed).uniform(lo, hi, (n, obj.dim))
