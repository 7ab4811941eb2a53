"""Where a 2-D study or figure looks: the objective as a function of two variables, and the
box to show or sample (the library's domain, or one around given points)."""

from __future__ import annotations

import numpy as np

from .errors import ConfigError

__all__ = ["objective_2d", "domain_for", "grid", "MAX_GRID"]

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
