r"""The calculus of the study note, at a point.

* partial derivatives and the gradient ``∇f(a)``;
* the directional derivative ``D_u f(a) = ∇f(a)·u`` along a unit vector ``u``;
* the directions of steepest ascent (``∇f/‖∇f‖``), steepest descent (``−∇f/‖∇f‖``) and zero
  change (perpendicular to ``∇f``: in 2-D the tangent of the level curve);
* the tangent plane ``z = f(a) + ∇f(a)·(x − a)``;
* the Hessian and the classification of a critical point.

Every function takes ``f`` as an :class:`~gdlab.objective.Objective`, a formula, a library name
or a Python callable of one point (see :func:`resolve`).

Example:
    >>> r = analyze("x0**2 + x1**2", [3, 4], direction=[1, 1])
    >>> r.gradient
    [6.0, 8.0]
    >>> round(r.directional_derivative, 6)
    9.899495
    >>> r.tangent_plane
    'z = 25 + 6*(x0 - 3) + 8*(x1 - 4)'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from .critical import EIG_TOL, FLAT, GRAD_TOL, kind_of
from .errors import ConfigError, PointError
from .jsonsafe import jsonable
from .objective import Objective, as_points

__all__ = [
    "resolve", "gradient", "partial", "hessian", "directional_derivative",
    "steepest_directions", "tangent_plane", "TangentPlane", "classify_critical_point",
    "analyze", "PointReport", "CRITICAL_KINDS",
]

CRITICAL_KINDS = ("minimum", "maximum", "saddle", "degenerate")
#: A point whose curvature cannot classify it is called critical only where ‖∇f‖ is below this.
DEGENERATE_GRAD_TOL = 1e-12


def resolve(f, dim: int | None = None, variables: Sequence[str] | str | None = None
            ) -> Objective:
    """Turn ``f`` into an :class:`Objective`.

    Args:
        f: an Objective; a library name (``"himmelblau"``); a formula (``"x**2 + y**2"``); or
            a Python callable of one point ``(D,)`` (numerical derivatives).
        dim: the dimension, needed for an n-D library function or a callable.
        variables: variable order for a formula.
    """
    if isinstance(f, Objective):
        if dim is not None and dim != f.dim:
            raise PointError(f"the point has {dim} coordinates; the function has {f.dim} "
                             "variables")
        return f
    if isinstance(f, str):
        from . import functions

        if functions.is_known(f) and variables is None:
            return _library_objective(functions.get(f).name,
                                      functions.get(f).resolve_dim(dim))
        functions.refuse_near_miss(f)
        if isinstance(variables, str):
            variables = [v.strip() for v in variables.split(",")]
        return _formula_objective(f, None if variables is None else tuple(variables))
    if callable(f):
        if dim is None:
            raise ConfigError("a callable needs `dim` (or a point to take it from)")
        return Objective.from_callable(f, dim)
    raise ConfigError(f"cannot make a function out of {type(f).__name__}")


@lru_cache(maxsize=64)
def _formula_objective(text: str, variables: tuple[str, ...] | None) -> Objective:
    """Parsed and compiled once per (text, variables): objectives are immutable. A typed
    formula that is a library function (``x0**2 + x1**2`` is ``sphere``) knows its critical
    points: the same run gets the same diagnosis typed or named (:func:`library_match`)."""
    obj = Objective.from_formula(text, variables)
    match = library_match(obj)
    if match is None:
        return obj
    return Objective.from_formula(obj.formula, name=text, library=match)


#: Points (a fixed pseudo-random draw in [−1.3, 1.7], and as many again across the library
#: function's own domain) where a typed formula and a library function must agree to
#: :data:`MATCH_RTOL` to be the same function (variables in order). The second draw catches a
#: formula equal to one only near the origin: x² + y² + z² − 20·relu(|x| − 2) is no sphere.
MATCH_POINTS = 4
MATCH_RTOL = 1e-12


def library_match(obj: Objective):
    """The library function that ``obj`` is (same values, variables in order, at
    :data:`MATCH_POINTS` points to :data:`MATCH_RTOL`), or ``None``."""
    from . import functions

    points = np.random.default_rng(20261127).uniform(-1.3, 1.7, (MATCH_POINTS, obj.dim))
    with np.errstate(all="ignore"):
        mine = obj.value(points)
    if not np.all(np.isfinite(mine)):
        return None
    for f in functions.all_functions():
        if not f.defined_in(obj.dim):
            continue
        library = _library_objective(f.name, obj.dim)
        if not _agree(mine, library.value(points)):
            continue
        (lo, hi) = np.array(f.domain(obj.dim), dtype=float).T
        across = lo + (hi - lo) * np.random.default_rng(20261129).random((MATCH_POINTS, obj.dim))
        with np.errstate(all="ignore"):
            if _agree(np.asarray(obj.value(across), dtype=float), library.value(across)):
                return f
    return None


def _agree(mine: np.ndarray, theirs: np.ndarray) -> bool:
    return bool(np.all(np.abs(mine - theirs) <= MATCH_RTOL * np.maximum(1.0, np.abs(theirs))))


@lru_cache(maxsize=64)
def _library_objective(name: str, dim: int) -> Objective:
    from . import functions

    return functions.get(name).objective(dim)


def _objective_and_point(f, x, variables=None) -> tuple[Objective, np.ndarray]:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise PointError("the point must contain numbers only") from None
    obj = resolve(f, int(arr.shape[-1]) if arr.ndim else 1, variables)
    return obj, obj.points(arr, "point")


def gradient(f, x, method: str | None = None) -> np.ndarray:
    """``∇f(x)``, ``(..., D)``; ``method``: exact (default for formulas), central, forward,
    richardson, complex.

    Raises:
        PointError: "f is not differentiable at (…)" at a kink (``abs(x)`` at 0) or where the
            one-sided derivatives differ or are not finite.

    >>> gradient("x0**2 + x1**2", [3, 4])
    array([6., 8.])
    """
    obj, x = _objective_and_point(f, x)
    return _checked_gradient(obj, x, method)[0]


def partial(f, x, variable: int | str, method: str | None = None) -> np.ndarray:
    """``∂f/∂variable`` at ``x`` (``variable`` by index or name).

    >>> float(partial("x**2 * y", [3, 4], "x"))
    24.0
    """
    obj, x = _objective_and_point(f, x)
    return _checked_gradient(obj, x, method)[0][..., obj.index(variable)]


def hessian(f, x, method: str | None = None) -> np.ndarray:
    """Hessian ``(..., D, D)`` at ``x`` (refused where ``f`` is not differentiable).

    >>> hessian("x**2 * y", [3, 4])
    array([[8., 6.],
           [6., 0.]])
    """
    obj, x = _objective_and_point(f, x)
    _checked_gradient(obj, x, None)
    return obj.hessian(x, method)


#: A point with a small gradient is a critical point only where Newton's step to the critical
#: point of its quadratic model is at most this (× max(1, ‖x‖)): 1e-8·(x² + y²) at (3, 4)
#: has ‖∇f‖ = 1e-7, but its minimum lies 5 away
NEWTON_NEAR = 1e-3

#: One-sided difference step (relative) and the agreement asked of the two sides at a kink.
ONE_SIDED_STEP = 1e-4
ONE_SIDED_RTOL = 1e-4


def _checked_gradient(obj: Objective, x: np.ndarray, method: str | None):
    """``(gradient, error, evaluations)`` at ``x: (..., D)``, checked where it may not exist.

    At a point on a kink of the formula or with a gradient that is not finite, the two
    one-sided derivatives along each axis (second order) are compared: if they differ, or are
    not finite, ``f`` is not differentiable there and :class:`PointError` says so; if they
    agree, their common value is the gradient (``x·sqrt(x² + y²)`` at 0 has ∇f = 0 although
    its formula for ∇f reads 0/0 there).
    """
    g, error, nfev = obj.gradient_with_error(x, method)
    suspect = obj.on_kink(x) | ~np.all(np.isfinite(g), axis=-1)
    if not np.any(suspect):
        return g, error, nfev
    g = np.array(g, dtype=np.float64)
    points = x.reshape(-1, obj.dim)
    flat = g.reshape(-1, obj.dim)
    for k in np.flatnonzero(suspect.ravel()):
        sides = _one_sided(obj, points[k])
        if sides is None:
            raise PointError(f"f is not differentiable at ({_coords(points[k])})")
        if not np.all(np.isfinite(flat[k])):
            flat[k] = sides
    return flat.reshape(g.shape), error, nfev


def _one_sided(obj: Objective, a: np.ndarray) -> np.ndarray | None:
    """The gradient at ``a`` if every axis' forward and backward derivatives agree, else None."""
    f0 = float(obj.value(a))
    slopes = np.empty(obj.dim)
    for i in range(obj.dim):
        forward, backward = _slopes_either_way(obj, a, f0, np.eye(obj.dim)[i],
                                               ONE_SIDED_STEP * max(1.0, abs(a[i])))
        scale = ONE_SIDED_RTOL * (max(abs(forward), abs(backward)) + max(1.0, abs(f0)))
        if not (np.isfinite(forward) and np.isfinite(backward)) or \
                abs(forward - backward) > scale:
            return None
        slopes[i] = 0.5 * (forward + backward)
    # the axes' slopes must also give every diagonal's: √|xy| at 0 is flat along both axes,
    # yet rises as |t|/√2 along (1, 1) — no gradient there
    for i in range(obj.dim):
        for j in range(i + 1, obj.dim):
            for sign in (1.0, -1.0):
                u = np.zeros(obj.dim)
                u[i], u[j] = 1 / np.sqrt(2), sign / np.sqrt(2)
                if _diagonal_kink(obj, a, f0, u, float(slopes @ u)):
                    return None
    return slopes


def _slopes_either_way(obj: Objective, a: np.ndarray, f0: float, u: np.ndarray,
                       h: float) -> tuple[float, float]:
    """f's one-sided slopes at ``a`` along ``u`` (forward) and −``u`` (backward, as a slope
    along ``u``), second-order differences with step ``h``."""
    ahead = obj.value(np.stack([a + h * u, a + 2 * h * u, a - h * u, a - 2 * h * u]))
    return (float((-3 * f0 + 4 * ahead[0] - ahead[1]) / (2 * h)),
            float((3 * f0 - 4 * ahead[2] + ahead[3]) / (2 * h)))


def _diagonal_kink(obj: Objective, a: np.ndarray, f0: float, u: np.ndarray,
                   along: float) -> bool:
    """Whether f's one-sided slopes along ±``u`` at ``a`` stay off ``along`` (∇f·u by the
    axes) as the step shrinks a hundredfold: a kink (√|xy| at 0: 1/√2 at both steps), not the
    slow convergence of a cusp whose slope is 0 (|xy|^(2/3): 0.02, then 0.005)."""
    devs = []
    for h in ONE_SIDED_STEP * max(1.0, float(np.max(np.abs(a)))) * np.array([1.0, 0.01]):
        forward, backward = _slopes_either_way(obj, a, f0, u, h)
        devs.append(max(abs(forward - along), abs(backward - along)))
        if not np.isfinite(devs[-1]):
            return True
    scale = ONE_SIDED_RTOL * (abs(along) + max(1.0, abs(f0)))
    return devs[0] > scale and devs[1] > scale and devs[1] >= 0.5 * devs[0]


def _one_sided_hessian(obj: Objective, a: np.ndarray) -> np.ndarray | None:
    """The Hessian at ``a`` (a point on a kink of a piece of f) from its formula just off the
    kink on every side — four points 1e-9·max(1, ‖a‖) away, each coordinate offset by its own
    amount, so none lies on a kink through ``a`` — where they agree (to 1e-6, and rounding);
    ``None`` where they do not: x·|x| + 0.1x² at 0 has f'' = −1.8 on the left and 2.2 on the
    right — no Hessian, whatever the formula's 2·sign(x) + 0.2 reads at 0 — while
    max(x, 0)² + max(−x, 0)², which is x², has 2 on both sides where its formula at 0 reads 1
    (Heaviside(0) = ½), and |x|³ has 0."""
    spread = 1.0 + 0.3 * np.arange(obj.dim)  # distinct offsets: off |x − y|'s kink too
    signs = np.where(np.arange(obj.dim) % 2 == 0, 1.0, -1.0)
    delta = 1e-9 * max(1.0, vector_norm(a))
    offsets = delta * np.stack([spread, -spread, spread * signs, -spread * signs])
    with np.errstate(all="ignore"):
        sides = np.asarray(obj.hessian(a + offsets), dtype=np.float64)
    if not np.all(np.isfinite(sides)):
        return None
    scale = np.max(np.abs(sides))
    if np.max(np.abs(sides - sides[0])) > 1e-6 * scale + 1e-12:
        return None
    h = sides.mean(axis=0)
    with np.errstate(all="ignore"):
        at = np.asarray(obj.hessian(a), dtype=np.float64)
    # the formula at the kink where it agrees with its sides to their offsets' effect (|x|³:
    # 0, where the sides read 6·offset), else the sides (max(x, 0)²'s Heaviside(0) = ½)
    if np.all(np.isfinite(at)) and np.max(np.abs(at - h)) <= 10 * delta * (1.0 + scale):
        h = at
    return 0.5 * (h + h.T)


def _kind_by_values(obj: Objective, a: np.ndarray) -> str:
    """A critical point's kind from f a small step away along ± each axis: higher every way a
    minimum, lower every way a maximum, both a saddle, else degenerate."""
    f0 = float(obj.value(a))
    steps = np.concatenate([np.eye(obj.dim), -np.eye(obj.dim)]) * ONE_SIDED_STEP * \
        np.maximum(1.0, np.abs(a))
    around = np.asarray(obj.value(a + steps), dtype=np.float64) - f0
    tiny = 1e-15 * max(1.0, abs(f0))
    up, down = np.any(around > tiny), np.any(around < -tiny)
    return "saddle" if up and down else "minimum" if np.all(around > tiny) else \
        "maximum" if np.all(around < -tiny) else "degenerate"


def unit_vector(direction, dim: int) -> np.ndarray:
    """``direction/‖direction‖`` of dimension ``dim``, checked (finite, not zero; no overflow
    for huge entries)."""
    u = as_points(direction, dim, "direction")
    scale = np.max(np.abs(u), axis=-1, keepdims=True)  # so ‖u‖ cannot overflow (1e308, 1e308)
    if np.any(scale == 0):
        raise PointError("`direction` must not be the zero vector")
    u = u / scale
    return u / np.linalg.norm(u, axis=-1, keepdims=True)


def directional_derivative(f, x, direction, method: str | None = None) -> np.ndarray:
    """``D_u f(x) = ∇f(x)·u`` with ``u = direction/‖direction‖``.

    >>> round(float(directional_derivative("x0**2 + x1**2", [3, 4], [1, 0])), 12)
    6.0
    """
    obj, x = _objective_and_point(f, x)
    u = unit_vector(direction, obj.dim)
    return np.sum(_checked_gradient(obj, x, method)[0] * u, axis=-1)


def vector_norm(v) -> float:
    """‖v‖ without overflow: a coordinate of 1e200 squares to inf, its norm is 1e200.

    >>> vector_norm([3e200, -4e200])
    5e+200
    """
    v = np.abs(np.asarray(v, dtype=np.float64).ravel())
    return float(np.hypot.reduce(v)) if v.size else 0.0


def steepest_directions(grad, tol: float = GRAD_TOL) -> dict[str, Any]:
    """Unit directions of steepest ascent, steepest descent and zero change for a gradient
    ``(D,)``. At a critical point (``‖∇f‖ <= tol``) the first two are ``None``.

    ``zero_change`` is an orthonormal basis of the directions perpendicular to ``∇f`` (in 2-D,
    one vector: the tangent of the level curve, ``(−∂f/∂y, ∂f/∂x)/‖∇f‖``).

    >>> steepest_directions([3.0, 4.0])["steepest_descent"]
    [-0.6, -0.8]
    """
    g = np.asarray(grad, dtype=np.float64)
    norm = vector_norm(g)
    if not np.isfinite(norm) or norm <= tol:
        return {"steepest_ascent": None, "steepest_descent": None, "zero_change": None}
    ascent = g / norm
    if g.size == 1:
        return {"steepest_ascent": ascent.tolist(), "steepest_descent": (-ascent).tolist(),
                "zero_change": None}
    if g.size == 2:
        zero = [[-ascent[1], ascent[0]]]
    else:
        _, _, vt = np.linalg.svd(ascent[None, :])
        zero = vt[1:].tolist()
    return {"steepest_ascent": ascent.tolist(), "steepest_descent": (-ascent).tolist(),
            "zero_change": [list(map(float, z)) for z in zero]}


@dataclass(frozen=True)
class TangentPlane:
    """The tangent (hyper)plane ``z = f(a) + ∇f(a)·(x − a)``.

    Attributes:
        point: ``a``, ``(D,)``.
        value: ``f(a)``.
        gradient: ``∇f(a)``, ``(D,)``.
        variables: variable names.
    """

    point: tuple[float, ...]
    value: float
    gradient: tuple[float, ...]
    variables: tuple[str, ...]

    def __call__(self, x) -> np.ndarray:
        """Height of the plane at ``x: (..., D)``."""
        x = np.asarray(x, dtype=np.float64)
        return self.value + np.sum((x - np.asarray(self.point)) * np.asarray(self.gradient),
                                   axis=-1)

    @property
    def height(self) -> str:
        """The name of the plane's height: ``z``, or the first of ``w, u, v, f, height`` that
        is not a variable (``f(x, y, z)``'s plane is ``w = …``)."""
        names = [*("z", "w", "u", "v", "f", "height"),
                 *(f"h{i}" for i in range(len(self.variables)))]
        return next(n for n in names if n not in self.variables)

    @property
    def equation(self) -> str:
        """The plane as ``height = text`` where the text is what :func:`gdlab.parse` reads
        back as the plane."""
        terms = [_number(self.value)]
        for name, a, g in zip(self.variables, self.point, self.gradient):
            if g == 0:
                continue
            shift = name if a == 0 else f"({name} {'-' if a > 0 else '+'} {_number(abs(a))})"
            coefficient = "" if abs(g) == 1 else f"{_number(abs(g))}*"
            terms.append(f"{'-' if g < 0 else '+'} {coefficient}{shift}")
        return f"{self.height} = " + " ".join(terms)

    def __str__(self) -> str:
        return self.equation


def _number(v: float) -> str:
    text = f"{v:.10g}"
    return text.replace("e+", "e") if "e" in text else text


def tangent_plane(f, x, method: str | None = None) -> TangentPlane:
    """The tangent plane of ``f`` at the point ``x: (D,)``.

    >>> tangent_plane("x0**2 + x1**2", [-3, 4]).equation
    'z = 25 - 6*(x0 + 3) + 8*(x1 - 4)'
    """
    obj, x = _objective_and_point(f, x)
    if x.ndim != 1:
        raise PointError("tangent_plane takes one point (D,)")
    return TangentPlane(tuple(map(float, x)), float(obj.value(x)),
                        tuple(map(float, _checked_gradient(obj, x, method)[0])), obj.variables)


def classify_critical_point(grad, hess, grad_tol: float = GRAD_TOL,
                            eig_tol: float = EIG_TOL, flat: float = FLAT) -> str | None:
    """``minimum``, ``maximum``, ``saddle``, ``degenerate``, or ``None`` if not critical.

    ``None`` when ``‖∇f‖ > grad_tol``. Otherwise by the signs of the Hessian's eigenvalues
    (:mod:`gdlab.critical`, shared with the diagnosis of runs), counting
    ``|λ| <= max(eig_tol·max(1, max|λ|), flat)`` as zero: all positive → minimum, all negative →
    maximum, both signs → saddle, any zero and no mixed signs → degenerate (the second
    derivative test cannot decide) — claimed only where ‖∇f‖ ≤ :data:`DEGENERATE_GRAD_TOL`,
    since without curvature a gradient of 1e-9 is a gentle slope, not a critical point.

    >>> classify_critical_point([0, 0], [[2, 0], [0, -2]])
    'saddle'
    >>> classify_critical_point([0, 0], [[0, 0], [0, 0]])
    'degenerate'
    >>> classify_critical_point([1, 0], [[2, 0], [0, 2]]) is None
    True
    """
    g = np.asarray(grad, dtype=np.float64)
    if not np.all(np.isfinite(g)) or vector_norm(g) > grad_tol:
        return None
    h = np.asarray(hess, dtype=np.float64)
    kind = kind_of(np.linalg.eigvalsh(0.5 * (h + h.T)), eig_tol, flat) \
        if np.all(np.isfinite(h)) else "degenerate"  # the second derivative test cannot decide
    if kind == "degenerate" and vector_norm(g) > DEGENERATE_GRAD_TOL:
        return None  # a gentle slope with no curvature (sigmoid at −20), not a critical point
    return kind


@dataclass(frozen=True)
class PointReport:
    """Everything :func:`analyze` finds at a point (the fields of ``gdlab grad --json``)."""

    function: str
    variables: list[str]
    point: list[float]
    value: float
    gradient: list[float]
    partials: dict[str, float]
    gradient_norm: float
    direction: list[float] | None
    directional_derivative: float | None
    steepest_ascent: list[float] | None
    steepest_descent: list[float] | None
    zero_change: list[list[float]] | None
    tangent_plane: str
    hessian: list[list[float]]
    hessian_eigenvalues: list[float]
    critical_point: str | None
    method: str
    error_estimate: list[float] | None
    hessian_error: list[list[float]] | None
    evaluations: int | None
    symbolic: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (non-finite numbers become ``None``)."""
        return jsonable(asdict(self))


def analyze(f, x, direction=None, method: str | None = None,
            variables: Sequence[str] | str | None = None) -> PointReport:
    """Value, gradient, partials, directional derivative, steepest directions, tangent plane,
    Hessian and critical-point class at one point.

    Args:
        f: objective, formula, library name or callable (see :func:`resolve`).
        x: the point ``(D,)``.
        direction: optional direction for ``D_u f`` (normalised here).
        method: ``exact`` (default where available) or a numerical method.
        variables: variable order for a formula.

    Raises:
        PointError: bad point or direction; ``f`` undefined at the point.
    """
    obj, x = _objective_and_point(f, x, variables)
    if x.ndim != 1:
        raise PointError("analyze takes one point (D,)")
    value = float(obj.value(x))
    if np.isinf(value):
        raise PointError(f"f overflows at ({_coords(x)}): its value is past the double range "
                         "(±1.8e308)")
    if not np.isfinite(value):
        raise PointError(f"the function is not defined (not finite) at ({_coords(x)})")
    resolved = obj.resolve_method(method)
    g, error, nfev = _checked_gradient(obj, x, resolved)
    h, h_error = obj.hessian_with_error(x, resolved)
    kind = None
    if obj.on_kink(x):
        sided = _one_sided_hessian(obj, x)
        if sided is None:
            # f'' jumps across the kink (x·|x| at 0: −2 and 2): no Hessian, and the kind of
            # a critical point read from f itself a step away along each axis
            h, h_error = np.full_like(h, np.nan), None
            kind = _kind_by_values(obj, x) if vector_norm(g) <= GRAD_TOL else None
        else:  # both sides agree: their value, not the formula's at the kink (Heaviside(0))
            h, h_error = sided, None
    finite_h = np.all(np.isfinite(h))
    eig = np.linalg.eigvalsh(0.5 * (h + h.T)).tolist() if finite_h else [float("nan")] * obj.dim
    u = dd = None
    if direction is not None:
        u = unit_vector(direction, obj.dim)
        dd = float(np.dot(g, u))
        u = u.tolist()
    kind = classify_critical_point(g, h) if finite_h else kind
    if kind in ("minimum", "maximum", "saddle") and finite_h and \
            vector_norm(np.linalg.lstsq(h, g, rcond=None)[0]) > NEWTON_NEAR * max(
                1.0, vector_norm(x)):
        kind = None  # a small slope on a gentle curvature: the critical point lies farther
    # an exact gradient that is no critical point has its directions, however small
    # (1e-8·(x² + y²)); a numerical one's below GRAD_TOL may be its own error
    directions = steepest_directions(g, tol=0.0 if kind is None and resolved == "exact"
                                     else GRAD_TOL)
    symbolic = None
    if obj.formula is not None:
        symbolic = {
            "expression": str(obj.expr),
            "partials": {n: str(e) for n, e in zip(obj.variables, obj.gradient_exprs)},
            "hessian": [[str(e) for e in row] for row in obj.hessian_exprs]
            if obj.symbolic_hessian else None,
        }
    return PointReport(
        function=obj.name, variables=list(obj.variables), point=x.tolist(), value=value,
        gradient=g.tolist(), partials=dict(zip(obj.variables, g.tolist())),
        gradient_norm=vector_norm(g), direction=u, directional_derivative=dd,
        **directions,
        tangent_plane=TangentPlane(tuple(x.tolist()), value, tuple(g.tolist()),
                                   obj.variables).equation,
        hessian=h.tolist(), hessian_eigenvalues=eig,
        critical_point=kind,
        method=resolved, error_estimate=None if error is None else error.tolist(),
        hessian_error=None if h_error is None else h_error.tolist(),
        evaluations=None if resolved == "exact" else nfev, symbolic=symbolic,
    )


def _coords(x) -> str:
    return ", ".join(f"{v:g}" for v in np.ravel(x))
