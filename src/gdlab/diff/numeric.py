r"""Numerical derivatives with chosen step sizes, counted evaluations and error estimates.

Every function here differentiates a *vectorised* function ``f`` that maps points ``(..., D)``
to values ``(...)`` (or to arrays ``(..., *out)`` for a Jacobian). All perturbed points of one
call are stacked and handed to ``f`` at once, so a batch of 10⁵ points costs one call.

Methods (``f'`` along coordinate *i*, step *h*):

============  ===================================================  ===========  ==============
method        formula                                              error        evaluations
============  ===================================================  ===========  ==============
forward       (f(x + h eᵢ) − f(x)) / h                             O(h) + ε/h   D + 1
central       (f(x + h eᵢ) − f(x − h eᵢ)) / 2h                     O(h²) + ε/h  2D
richardson    central at h, h/2, …, h/16, extrapolated             up to O(h¹⁰)  10D
complex       Im f(x + i h eᵢ) / h   (f must accept complex x)     O(h²), no    D
                                                                   cancellation
============  ===================================================  ===========  ==============

Step sizes balance truncation against rounding (ε = machine epsilon ≈ 2.2e-16), scaled by
``max(1, |xᵢ|)`` and then rounded so that ``x + h`` is exactly representable
(``h = (x + h) − x``): ``ε^(1/2)`` forward, ``ε^(1/3)`` central, ``ε^(1/9)`` for the first
step of Richardson's four levels, ``1e-20`` for the complex step. A fixed ``step=1e-4`` (the
choice of "Deep Learning from Scratch") is available; it is worse because it is far from the
balance point: forward with 1e-4 has truncation error ≈ 1e-4·|f''| (about 10⁴× larger than
with ε^(1/2) ≈ 1.5e-8), and central with 1e-4 has truncation ≈ 1e-8·|f'''|, about 100× the
error at ε^(1/3) ≈ 6e-6 for typical functions.

Example:
    >>> import numpy as np
    >>> f = lambda x: (x**2).sum(-1)
    >>> d = gradient(f, np.array([3.0, 4.0]), method="richardson")
    >>> np.round(d.value, 12)
    array([6., 8.])
    >>> d.nfev
    20
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import METHODS
from ..errors import ConfigError, PointError

__all__ = ["Derivative", "GradientCheck", "METHODS", "gradient", "partial", "jacobian",
           "hessian", "check_gradient", "default_step"]

EPS = np.finfo(np.float64).eps
RICHARDSON_LEVELS = 5
RICHARDSON_STEP = 0.07
_STEP_POWER = {"forward": 1 / 2, "central": 1 / 3}
_COMPLEX_STEP = 1e-20


@dataclass(frozen=True)
class Derivative:
    """A numerical derivative.

    Attributes:
        value: the derivative: ``(...,)`` partial, ``(..., D)`` gradient, ``(..., D, D)``
            Hessian.
        error: estimated absolute error, same shape as ``value``; ``None`` where the method
            gives no estimate (all but ``richardson``).
        nfev: evaluations of the function per point.
        method: the method used.
    """

    value: np.ndarray
    error: np.ndarray | None
    nfev: int
    method: str


@dataclass(frozen=True)
class GradientCheck:
    """Exact vs numerical gradient at some points.

    Attributes:
        exact, numerical: ``(..., D)`` the two gradients.
        abs_error: ``(..., D)`` ``|exact − numerical|``.
        rel_error: ``(...)`` ``‖exact − numerical‖ / max(‖exact‖, tiny)`` per point.
        max_rel_error: the largest ``rel_error``.
        ok: ``max_rel_error <= tolerance``.
    """

    exact: np.ndarray
    numerical: np.ndarray
    abs_error: np.ndarray
    rel_error: np.ndarray
    max_rel_error: float
    tolerance: float
    ok: bool


def _check_method(method: str, allowed: tuple[str, ...] = METHODS) -> str:
    if method not in allowed:
        raise ConfigError(f"`method` must be one of {', '.join(allowed)}; got {method!r}")
    return method


def _as_points(x) -> np.ndarray:
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise PointError("`x` must be an array of numbers") from None
    if x.ndim == 0:
        raise PointError("`x` must have a last axis of coordinates, shape (..., D)")
    if not np.all(np.isfinite(x)):
        raise PointError("`x` must be finite (no nan or inf)")
    return x


def default_step(x: np.ndarray, method: str) -> np.ndarray:
    """The step chosen for ``method`` at ``x``: ``c · max(1, |x|)``, before rounding.

    >>> default_step(np.array([0.0, 100.0]), "central")
    array([6.05545445e-06, 6.05545445e-04])
    """
    _check_method(method)
    scale = np.maximum(1.0, np.abs(x))
    if method == "complex":
        return _COMPLEX_STEP * scale
    if method == "richardson":
        return RICHARDSON_STEP * scale
    return EPS ** _STEP_POWER[method] * scale


def _steps(x: np.ndarray, method: str, step) -> np.ndarray:
    if step is None:
        h = default_step(x, method)
    else:
        h = np.broadcast_to(np.asarray(step, dtype=np.float64), x.shape).copy()
        if not np.all(np.isfinite(h)) or np.any(h <= 0):
            raise ConfigError(f"`step` must be positive and finite; got {step!r}")
    if method != "complex":
        h = (x + h) - x  # exactly representable steps
        h[h == 0] = np.finfo(np.float64).tiny
    return h


def jacobian(F: Callable, x, *, method: str = "central", step=None,
             axes=None) -> Derivative:
    """Derivative of ``F: (..., D) -> (..., *out)`` along coordinate axes.

    Args:
        F: vectorised function.
        x: ``(..., D)`` points.
        method: one of :data:`METHODS`.
        step: absolute step (scalar or per coordinate); default chosen from ε and ``|x|``.
        axes: coordinates to differentiate along (default all ``D``).

    Returns:
        :class:`Derivative` with ``value`` of shape ``(..., *out, A)`` for ``A`` axes.
    """
    _check_method(method)
    x = _as_points(x)
    dim = x.shape[-1]
    axes = list(range(dim)) if axes is None else [int(a) for a in axes]
    for a in axes:
        if not 0 <= a < dim:
            raise ConfigError(f"variable index {a} out of range for {dim} variables")
    batch = x.shape[:-1]
    na = len(axes)
    h = _steps(x, method, step)[..., axes]  # (..., A)
    # unit displacements: e[a] is the a-th chosen axis
    e = np.zeros((na, dim))
    e[np.arange(na), axes] = 1.0

    def shifted(scale, h=h):  # (..., A, D) points x + scale*h_a*e_a
        return x[..., None, :] + (scale * h)[..., None] * e

    def evaluate(points, k):  # F on (..., k*A, D) -> k arrays (A, ..., *out)
        values = np.moveaxis(np.asarray(F(points)), len(batch), 0)
        return [values[i * na:(i + 1) * na] for i in range(k)]

    def per_step(values, scale=1.0, h=h):  # step broadcast to (A, ..., *out)
        hh = scale * np.moveaxis(h, -1, 0)  # (A, ...)
        return hh.reshape(hh.shape + (1,) * (values.ndim - hh.ndim))

    error = None
    if method == "forward":
        f0 = np.asarray(F(x))
        (fp,) = evaluate(shifted(1.0), 1)
        d = (fp - f0) / per_step(fp)
        nfev = na + 1
    elif method == "central":
        fp, fm = evaluate(np.concatenate([shifted(1.0), shifted(-1.0)], axis=-2), 2)
        d = (fp - fm) / (2 * per_step(fp))
        nfev = 2 * na
    elif method == "richardson":
        d, error, nfev = _richardson_in_domain(shifted, evaluate, per_step, h, na)
    else:  # complex step
        out = _complex_values(F, x.astype(np.complex128)[..., None, :] + 1j * h[..., None] * e)
        out = np.moveaxis(out, len(batch), 0)
        d = out.imag / per_step(out)
        nfev = na
    d = np.moveaxis(d, 0, -1)
    return Derivative(value=d, error=error, nfev=nfev, method=method)


#: How often, and by how much, Richardson's first step shrinks where a value is not finite.
RICHARDSON_SHRINKS = 12
RICHARDSON_SHRINK = 0.25


def _richardson_in_domain(shifted: Callable, evaluate: Callable, per_step: Callable,
                          h: np.ndarray, na: int):
    """Richardson's table with steps that stay where ``f`` is finite: each component whose
    ``2·levels`` values are not all finite (the largest step left the domain: ``log(x)`` at
    0.05 with h = 0.07) has its steps shrunk by :data:`RICHARDSON_SHRINK`, up to
    :data:`RICHARDSON_SHRINKS` times. Returns ``(d (A, ...), error (..., A), evaluations)``."""
    scales = [2.0 ** -k for k in range(RICHARDSON_LEVELS)]
    h = h.copy()
    nfev = 0
    for _ in range(RICHARDSON_SHRINKS + 1):
        pts = [shifted(s, h) for s in scales] + [shifted(-s, h) for s in scales]
        vals = evaluate(np.concatenate(pts, axis=-2), 2 * len(scales))
        nfev += 2 * len(scales) * na
        finite = np.all(np.isfinite(np.stack(vals)), axis=0)  # (A, ..., *out)
        finite = finite.reshape(finite.shape[:h.ndim] + (-1,)).all(axis=-1)  # (A, ...)
        bad = np.moveaxis(~finite, 0, -1)  # (..., A)
        if not bad.any():
            break
        h = np.where(bad, h * RICHARDSON_SHRINK, h)
    d, error = _richardson(vals, scales, lambda v, s=1.0: per_step(v, s, h))
    return d, np.moveaxis(error, 0, -1), nfev


def _richardson(vals: list, scales: list[float], per_step: Callable):
    """Central differences at the steps ``scales`` (``vals``: f at +steps, then −steps),
    Richardson-extrapolated; per component the table entry with the smallest estimated error
    and that estimate."""
    levels = len(scales)
    fmax = np.max(np.abs(np.stack(vals)), axis=0)
    # Richardson table: the central difference's error is a series in h², so column j
    # removes h^(2j): R[j][m] = R[j-1][m+1] + (R[j-1][m+1] − R[j-1][m]) / (4^j − 1).
    table = [[(vals[k] - vals[levels + k]) / (2 * per_step(vals[k], scales[k]))
              for k in range(levels)]]
    for j in range(1, levels):
        prev = table[-1]
        table.append([prev[k] + (prev[k] - prev[k - 1]) / (4.0**j - 1.0)
                      for k in range(1, len(prev))])
    # Pick, per component, the entry with the smallest estimated error: the larger of its
    # distances to its two neighbours in the table, plus the rounding error of its
    # smallest step.
    d = error = None
    for j in range(1, levels):
        for m in range(1, len(table[j])):
            value = table[j][m]
            estimate = (np.maximum(np.abs(value - table[j][m - 1]),
                                   np.abs(value - table[j - 1][m + 1]))
                        + 10 * EPS * fmax / per_step(value, scales[m + j]))
            if d is None:
                d, error = value.copy(), estimate
            else:
                better = (estimate < error) | (np.isnan(error) & ~np.isnan(estimate))
                d[better] = value[better]
                error = np.where(better, estimate, error)
    return d, error


def _complex_values(F: Callable, xc: np.ndarray) -> np.ndarray:
    """``F`` at complex points; refused when ``F`` cannot take or return complex numbers."""
    with warnings.catch_warnings():  # a cast of complex to real would drop Im f
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        try:
            out = F(xc)
        except (TypeError, np.exceptions.ComplexWarning):
            out = None
    if out is None or not np.iscomplexobj(out):
        raise ConfigError("the complex step needs a function that accepts complex input "
                          "and returns complex output; use method='richardson'")
    return np.asarray(out)


def gradient(f: Callable, x, *, method: str = "central", step=None) -> Derivative:
    """Gradient of a scalar function ``f: (..., D) -> (...)``.

    Returns:
        :class:`Derivative` with ``value`` ``(..., D)``.

    Example:
        >>> import numpy as np
        >>> f = lambda x: x[..., 0]**2 * x[..., 1]
        >>> gradient(f, np.array([1.0, 2.0]), method="complex").value
        array([4., 1.])
    """
    return jacobian(f, x, method=method, step=step)


def partial(f: Callable, x, index: int, *, method: str = "central", step=None) -> Derivative:
    """Partial derivative ``∂f/∂x_index`` of ``f: (..., D) -> (...)``; ``value`` is ``(...)``.

    >>> import numpy as np
    >>> round(float(partial(lambda x: x[..., 0] * x[..., 1], np.array([3.0, 4.0]), 1).value), 9)
    3.0
    """
    d = jacobian(f, x, method=method, step=step, axes=[index])
    error = None if d.error is None else d.error[..., 0]
    return Derivative(value=d.value[..., 0], error=error, nfev=d.nfev, method=method)


def hessian(f: Callable, x, *, method: str = "central", step=None,
            gradient: Callable | None = None) -> Derivative:
    """Hessian ``(..., D, D)`` of ``f: (..., D) -> (...)``, symmetrised.

    With ``gradient`` (a vectorised ``(..., D) -> (..., D)``), the Hessian is the Jacobian of the
    gradient by ``method``. Without it, second differences of ``f``:
    ``Hᵢⱼ ≈ [f(x+hᵢ+hⱼ) − f(x+hᵢ−hⱼ) − f(x−hᵢ+hⱼ) + f(x−hᵢ−hⱼ)] / 4hᵢhⱼ`` with ``h = ε^(1/4)``
    (``central``), or that formula at h = ε^(1/6) and h/2 extrapolated (``richardson``); ``complex``
    takes central differences of the complex-step gradient; ``forward`` uses central second
    differences too (a one-sided second difference is rarely what anyone wants).

    >>> import numpy as np
    >>> H = hessian(lambda x: x[..., 0]**2 * x[..., 1], np.array([1.0, 2.0])).value
    >>> np.round(H, 6)
    array([[4., 2.],
           [2., 0.]])
    """
    _check_method(method)
    x = _as_points(x)
    if gradient is not None:
        d = jacobian(gradient, x, method=method, step=step)
        value = 0.5 * (d.value + np.swapaxes(d.value, -1, -2))
        error = None if d.error is None else np.maximum(d.error, np.swapaxes(d.error, -1, -2))
        return Derivative(value=value, error=error, nfev=d.nfev, method=method)
    if method == "complex":
        def complex_grad(p):
            return jacobian(f, p, method="complex", step=None).value
        d = jacobian(complex_grad, x, method="central",
                     step=None if step is None else step)
        value = 0.5 * (d.value + np.swapaxes(d.value, -1, -2))
        return Derivative(value=value, error=None, nfev=2 * x.shape[-1] ** 2, method=method)
    dim = x.shape[-1]
    if step is None:  # truncation O(h²) (O(h⁴) extrapolated) against rounding O(ε/h²)
        power = 1 / 6 if method == "richardson" else 1 / 4
        h = EPS**power * np.maximum(1.0, np.abs(x))
        h = (x + h) - x
    else:
        h = _steps(x, "central", step)
    iu, ju = np.triu_indices(dim)
    npairs = len(iu)
    eye = np.eye(dim)

    def second_differences(scale):
        hi = (scale * h)[..., iu, None] * eye[iu]  # (..., P, D)
        hj = (scale * h)[..., ju, None] * eye[ju]
        xs = x[..., None, :]
        pts = np.concatenate([xs + hi + hj, xs + hi - hj, xs - hi + hj, xs - hi - hj], axis=-2)
        v = np.asarray(f(pts))
        pp, pm, mp, mm = (v[..., k * npairs:(k + 1) * npairs] for k in range(4))
        return (pp - pm - mp + mm) / (4 * scale**2 * h[..., iu] * h[..., ju])

    upper = second_differences(1.0)
    nfev = 4 * npairs
    error_upper = None
    if method == "richardson":
        finer = second_differences(0.5)
        extrapolated = finer + (finer - upper) / 3.0
        # the table's own gap, and rounding: four values of f, each off by ε·|f|, over the
        # finer steps' h_i·h_j (x0² + x1² at (3, 4): 6e-11 off the 0 of its mixed partial)
        fmax = np.abs(np.asarray(f(x)))[..., None]
        error_upper = np.abs(extrapolated - finer) + 10 * EPS * fmax / (
            h[..., iu] * h[..., ju])
        upper = extrapolated
        nfev *= 2
    value = np.empty(x.shape[:-1] + (dim, dim))
    value[..., iu, ju] = upper
    value[..., ju, iu] = upper
    error = None
    if error_upper is not None:
        error = np.empty_like(value)
        error[..., iu, ju] = error_upper
        error[..., ju, iu] = error_upper
    return Derivative(value=value, error=error, nfev=nfev, method=method)


def check_gradient(f: Callable, grad: Callable, x, *, method: str = "richardson",
                   tolerance: float = 1e-6) -> GradientCheck:
    """Compare a gradient function against a numerical gradient of ``f``.

    Args:
        f: vectorised ``(..., D) -> (...)``.
        grad: vectorised ``(..., D) -> (..., D)``, the gradient to check.
        x: ``(..., D)`` points.
        method: numerical method for the reference.
        tolerance: largest relative discrepancy still called ``ok``.

    Example:
        >>> import numpy as np
        >>> f = lambda x: (x**3).sum(-1)
        >>> check_gradient(f, lambda x: 3 * x**2, np.array([1.0, 2.0])).ok
        True
        >>> check_gradient(f, lambda x: 2 * x**2, np.array([1.0, 2.0])).ok
        False
    """
    x = _as_points(x)
    exact = np.asarray(grad(x), dtype=np.float64)
    if exact.shape != x.shape:
        raise ConfigError(f"`grad` returned shape {exact.shape}; expected {x.shape}")
    numerical = gradient(f, x, method=method).value
    abs_error = np.abs(exact - numerical)
    scale = np.maximum(np.linalg.norm(exact, axis=-1), np.finfo(np.float64).tiny)
    rel = np.linalg.norm(exact - numerical, axis=-1) / scale
    worst = float(np.max(rel))
    return GradientCheck(exact=exact, numerical=numerical, abs_error=abs_error, rel_error=rel,
                         max_rel_error=worst, tolerance=tolerance, ok=worst <= tolerance)
