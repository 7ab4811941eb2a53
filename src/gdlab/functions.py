"""Library of classic test functions with their known minima, saddles and plot domains.

Each entry is a :class:`TestFunction`: its formula (a SymPy expression, so derivatives are
exact), dimension (fixed, or any ``n`` for n-D functions), a domain for plots, and every known
critical point worth showing: global minima, local minima, saddles and maxima, each with its
location and value. Locations that have no closed form are given to 16 digits (refined with
Newton's method at 30 digits) and checked by the test suite (gradient ≈ 0, value as stated,
Hessian of the right signature).

For the polynomial 2-D functions (Beale, Booth, Himmelblau, Matyas, Goldstein–Price, six-hump
camel, the double well, …) the list is complete: every real critical point in the whole plane
(all of them inside the plot domain), found by eliminating one variable (a resultant) and
isolating the real roots exactly, and found again by a multi-start Newton search in the tests.
The n-D functions list what is known in closed form or proved: Rosenbrock every critical point
up to 7-D and beyond its second minimum and a saddle (see :func:`_rosenbrock_points`),
Styblinski–Tang all 3ⁿ up to 4-D and the global minimum, the saddles next to it and the maximum
beyond (see
:func:`_styblinski_points`); Rastrigin and Ackley only their global minimum (they have a local
minimum near every integer point).

Example:
    >>> f = get("himmelblau")
    >>> len(f.global_minima())
    4
    >>> f.objective().value([3.0, 2.0])
    array(0.)
    >>> get("rosenbrock").objective(3).variables
    ('x0', 'x1', 'x2')
"""

from __future__ import annotations

import difflib
import functools
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import ConfigError
from .formula import MAX_VARIABLES
from .i18n import text

__all__ = ["TestFunction", "CriticalPoint", "get", "names", "all_functions"]

KINDS = ("global_minimum", "local_minimum", "saddle", "maximum")


@dataclass(frozen=True)
class CriticalPoint:
    """A known point of interest.

    Attributes:
        location: coordinates ``(D,)``.
        value: ``f(location)``.
        kind: ``global_minimum``, ``local_minimum``, ``saddle`` or ``maximum``.
        smooth: ``False`` where ``f`` is not differentiable at the point (Ackley's minimum is
            the tip of a cone), so "gradient = 0" does not apply there.
    """

    location: tuple[float, ...]
    value: float
    kind: str
    smooth: bool = True

    def as_dict(self) -> dict:
        return {"location": list(self.location), "value": self.value, "kind": self.kind,
                "smooth": self.smooth}


@dataclass(frozen=True)
class TestFunction:
    """One library function.

    Attributes:
        name: lookup name (``gdlab.functions.get(name)``); its human ``title`` and its
            ``description`` (what it is for in gdlab) are the message catalogue's
            ``function.<name>.*``, in the language in use.
        formula: the definition as text (n-D functions use Σ over i).
        build: ``build(symbols) -> SymPy expression``.
        dim: fixed dimension, or ``None`` for n-D (any ``dim >= min_dim``).
        bounds: plot domain ``(low, high)`` per coordinate (one pair for n-D functions).
        points: ``points(dim) -> list[CriticalPoint]``.
        aliases: other names accepted by :func:`get`.
    """

    __test__ = False  # not a pytest class

    name: str
    formula: str
    build: Callable[[tuple], Any]
    dim: int | None
    bounds: tuple
    points: Callable[[int], list[CriticalPoint]]
    default_dim: int = 2
    min_dim: int = 1
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        """Its human name (``Rosenbrock's banana valley``), in the language in use."""
        return text(f"function.{self.name}.title")

    @property
    def description(self) -> str:
        """What it is for in gdlab, in the language in use."""
        return text(f"function.{self.name}.description")

    @property
    def nd(self) -> bool:
        """Whether the function is defined in any dimension."""
        return self.dim is None

    def defined_in(self, dim: int) -> bool:
        """Whether the function is defined in ``dim`` dimensions."""
        return dim == self.dim if self.dim is not None else self.min_dim <= dim <= MAX_VARIABLES

    def resolve_dim(self, dim: int | None = None) -> int:
        """The dimension to use: ``dim`` checked against what the function allows."""
        if dim is None:
            return self.dim or self.default_dim
        if self.dim is not None and dim != self.dim:
            raise ConfigError(f"{self.name} is {self.dim}-D; got {dim} coordinate"
                              f"{'s' if dim != 1 else ''}")
        if dim < self.min_dim:
            raise ConfigError(f"{self.name} needs at least {self.min_dim} dimensions; got {dim}")
        if dim > MAX_VARIABLES:
            raise ConfigError(f"{self.name}: at most {MAX_VARIABLES} dimensions; got {dim}")
        return dim

    def variables(self, dim: int | None = None) -> tuple[str, ...]:
        """Variable names: ``x, y`` for 2-D functions, ``x0 … x{n-1}`` for n-D ones."""
        dim = self.resolve_dim(dim)
        if self.dim == 2:
            return ("x", "y")
        return tuple(f"x{i}" for i in range(dim))

    def domain(self, dim: int | None = None) -> list[tuple[float, float]]:
        """Plot domain: one ``(low, high)`` per coordinate."""
        dim = self.resolve_dim(dim)
        if self.dim is None:
            return [tuple(self.bounds)] * dim
        return [tuple(b) for b in self.bounds]

    def critical_points(self, dim: int | None = None) -> list[CriticalPoint]:
        """Every listed point of interest."""
        return self.points(self.resolve_dim(dim))

    def global_minima(self, dim: int | None = None) -> list[CriticalPoint]:
        return [p for p in self.critical_points(dim) if p.kind == "global_minimum"]

    def minima(self, dim: int | None = None) -> list[CriticalPoint]:
        """Global and local minima."""
        return [p for p in self.critical_points(dim) if p.kind.endswith("minimum")]

    def minimum_value(self, dim: int | None = None) -> float | None:
        """The global minimum's value, or ``None`` (unbounded below)."""
        found = self.global_minima(dim)
        return found[0].value if found else None

    def expression(self, dim: int | None = None):
        """The parsed :class:`~gdlab.formula.Formula` for ``dim``."""
        import sympy as sp

        from .formula import Formula

        names = self.variables(dim)
        symbols = tuple(sp.Symbol(n, real=True) for n in names)
        expr = self.build(symbols)
        return Formula(text=str(expr), expr=expr, variables=names, symbols=symbols)

    def objective(self, dim: int | None = None):
        """An exact :class:`~gdlab.objective.Objective` for this function in ``dim`` dims."""
        from .objective import Objective

        return Objective.from_formula(self.expression(dim), name=self.name, library=self)

    def gradient_formulas(self, dim: int | None = None) -> list[str]:
        """The partial derivatives as text (derived by SymPy), one per variable."""
        formula = self.expression(dim)
        return [str(formula.expr.diff(s)) for s in formula.symbols]

    def as_dict(self, dim: int | None = None) -> dict:
        dim = self.resolve_dim(dim)
        return {
            "name": self.name, "title": self.title, "formula": self.formula,
            "expression": str(self.expression(dim).expr),
            "gradient": self.gradient_formulas(dim),
            "dim": self.dim, "nd": self.nd, "default_dim": dim,
            "variables": list(self.variables(dim)),
            "domain": [list(b) for b in self.domain(dim)],
            "critical_points": [p.as_dict() for p in self.critical_points(dim)],
            "description": self.description, "aliases": list(self.aliases),
        }


# --- definitions ------------------------------------------------------------------------


def _sp():
    import sympy as sp

    return sp


def _fixed(*points: tuple) -> Callable[[int], list[CriticalPoint]]:
    listed = [CriticalPoint(tuple(float(c) for c in loc), float(v), kind)
              for loc, v, kind in points]
    return lambda dim: list(listed)


def _sphere(s):
    return sum(v**2 for v in s)


def _rosenbrock(s):
    return sum(100 * (s[i + 1] - s[i] ** 2) ** 2 + (1 - s[i]) ** 2 for i in range(len(s) - 1))


# Rosenbrock's critical points besides (1, …, 1). ∂f/∂xᵢ = 0 gives xᵢ₊₁ from xᵢ₋₁ and xᵢ (xᵢ
# cannot be 0 there), so the critical points are the real roots of one polynomial in x0, of
# degree 3ⁿ⁻² after clearing denominators; isolating all of them (exactly, with SymPy) for
# n ≤ 7 finds nothing else in 2-D and 3-D, and in 4-D to 7-D exactly one local minimum near
# (−1, 1, …, 1) (Shang & Qiu 2006; Kok & Sandrock 2009) and one saddle (one negative curvature).
# Each refined with Newton's method at 50 digits.
_ROSENBROCK_POINTS = {
    4: (((-0.77565922656535262, 0.61309336548504346, 0.38206284633839315,
          0.14597201855219461), 3.7014286104300173, "local_minimum"),
        ((-0.65612463571944590, 0.44312004097157237, 0.20431224822836433,
          0.041743494776128765), 3.7082419966472617, "saddle")),
    5: (((-0.96205102069475016, 0.93573939597671001, 0.88071360419432059,
          0.77787767585440633, 0.60509367859265284), 3.9308394341330281, "local_minimum"),
        ((-0.55746831589884883, 0.32474004283377625, 0.11656732144533992,
          0.023354396464298222, 0.00054542783421162527), 4.6573714282005743, "saddle")),
    6: (((-0.98657497957099373, 0.98339822883618175, 0.97210667005309191,
          0.94743743682643601, 0.89865118485172963, 0.80757395203541755), 3.9739405009302949,
         "local_minimum"),
        ((-0.55541972717903237, 0.32249327429744497, 0.11520700409890450,
          0.023502770405030752, 0.010447901204664940, 0.00010915863958243911),
         5.6463839665879511, "saddle")),
    7: (((-0.99172257256140554, 0.99355539350337126, 0.99217332159469212,
          0.98689876269031392, 0.97516475660887304, 0.95143198270499267,
          0.90522281771395347), 3.9836005364248540, "local_minimum"),
        ((-0.55537697676058875, 0.32244648022243266, 0.11517879975265272,
          0.023506126928869399, 0.010656973479399591, 0.010013436716574878,
          0.00010026891487684986), 6.6362625075600182, "saddle")),
}


def _rosenbrock_points(dim: int) -> list[CriticalPoint]:
    """Rosenbrock's critical points in ``dim`` dimensions.

    2-D and 3-D: only the global minimum (1, …, 1). 4-D to 7-D: also the local minimum near
    (−1, 1, …, 1) and one saddle, and that is all of them (:data:`_ROSENBROCK_POINTS`). From 8-D
    on: the global minimum and the local minimum, which :func:`_rosenbrock_local_minimum`
    computes (the only two minima found up to 30-D by Shang & Qiu 2006 and up to 100-D by Kok &
    Sandrock 2009), and the saddle that continues the 5- to 7-D one
    (:func:`_rosenbrock_saddle`: f = 7.63 in 8-D, about 0.99 more a dimension). That list is
    not proved complete there: from 12-D on more saddles, of value ≈ 65 and above, appear with
    every dimension (Kok & Sandrock), which no closed list covers.
    """
    points = [CriticalPoint((1.0,) * dim, 0.0, "global_minimum")]
    if dim in _ROSENBROCK_POINTS:
        points += [CriticalPoint(loc, value, kind) for loc, value, kind in _ROSENBROCK_POINTS[dim]]
    elif dim > max(_ROSENBROCK_POINTS):
        points.append(_rosenbrock_local_minimum(dim))
        saddle = _rosenbrock_saddle(dim)
        if saddle is not None:
            points.append(saddle)
    return points


@functools.lru_cache(maxsize=None)
def _rosenbrock_local_minimum(dim: int) -> CriticalPoint:
    """Rosenbrock's local minimum near (−1, 1, …, 1), ``dim >= 8``: Newton's method from that
    point (:func:`_rosenbrock_newton`). It lies within 0.06 of the start, and its value rises
    to 3.98662385430093 as ``dim`` grows."""
    return _rosenbrock_newton((-1.0,) + (1.0,) * (dim - 1), "local_minimum")


@functools.lru_cache(maxsize=None)
def _rosenbrock_saddle(dim: int) -> CriticalPoint | None:
    """Rosenbrock's saddle that continues the 5- to 7-D one, ``dim >= 8``: Newton's method from
    their pattern (−0.555, 0.322, 0.115, 0.024, 0.0105, …, 0.0001) — in 8-D (−0.5554, 0.3224,
    0.1152, 0.0235, 0.0107, 0.0102, 0.0100, 0.0001) with f = 7.6262, one negative curvature,
    and f about 0.99 higher with every dimension. ``None`` where Newton does not settle."""
    start = (-0.5554, 0.3224, 0.1152, 0.0235) + (0.0105,) * (dim - 5) + (0.0001,)
    point = _rosenbrock_newton(start, "saddle")
    return point if point is not None and max(abs(v) for v in point.location) <= 2 else None


def _rosenbrock_newton(start: tuple[float, ...], kind: str) -> CriticalPoint | None:
    """Newton's method at 30 digits on Rosenbrock's ∇f = 0 from ``start`` (the Hessian is
    tridiagonal: a few milliseconds), rounded to doubles; ``None`` where it does not settle."""
    import mpmath

    dim = len(start)
    with mpmath.workdps(30):
        x = [mpmath.mpf(v) for v in start]
        for _ in range(50):
            grad, diag = [mpmath.mpf(0)] * dim, [mpmath.mpf(0)] * dim
            off = [-400 * x[i] for i in range(dim - 1)]
            for i in range(dim - 1):
                gap = x[i + 1] - x[i] ** 2
                grad[i] += -400 * x[i] * gap - 2 * (1 - x[i])
                grad[i + 1] += 200 * gap
                diag[i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
                diag[i + 1] += 200
            step = _tridiagonal_solve(diag, off, grad)
            x = [a - b for a, b in zip(x, step)]
            if max(abs(b) for b in step) < mpmath.mpf(10) ** -25:
                break
        else:
            return None
        value = mpmath.fsum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
                            for i in range(dim - 1))
    return CriticalPoint(tuple(float(v) for v in x), float(value), kind)


def _tridiagonal_solve(diag: list, off: list, rhs: list) -> list:
    """Solve a symmetric tridiagonal system (Thomas' algorithm; fine for a positive definite
    matrix)."""
    n = len(diag)
    d, r = list(diag), list(rhs)
    for i in range(1, n):
        m = off[i - 1] / d[i - 1]
        d[i] -= m * off[i - 1]
        r[i] -= m * r[i - 1]
    out = [r[-1] / d[-1]] * n
    for i in range(n - 2, -1, -1):
        out[i] = (r[i] - off[i] * out[i + 1]) / d[i]
    return out


def _beale(s):
    x, y = s
    r = _sp().Rational
    return (r(3, 2) - x + x * y) ** 2 + (r(9, 4) - x + x * y**2) ** 2 \
        + (r(21, 8) - x + x * y**3) ** 2


def _goldstein_price(s):
    x, y = s
    return ((1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2))
            * (30 + (2 * x - 3 * y) ** 2
               * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)))


def _six_hump_camel(s):
    x, y = s
    r = _sp().Rational
    return (4 - r(21, 10) * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _rastrigin(s):
    sp = _sp()
    return 10 * len(s) + sum(v**2 - 10 * sp.cos(2 * sp.pi * v) for v in s)


def _ackley(s):
    sp = _sp()
    n = len(s)
    return (-20 * sp.exp(-sp.Rational(1, 5) * sp.sqrt(sum(v**2 for v in s) / n))
            - sp.exp(sum(sp.cos(2 * sp.pi * v) for v in s) / n) + 20 + sp.E)


def _styblinski_tang(s):
    return sum(v**4 - 16 * v**2 + 5 * v for v in s) / 2


# Roots of d/dt (t⁴ − 16t² + 5t)/2 = 0, i.e. 4t³ − 32t + 5 = 0 (Styblinski–Tang, per axis): the
# two wells and the hump between them.
_ST_LOW, _ST_MID, _ST_HIGH = -2.9035340277711771, 0.15673125678034010, 2.7468027709908370
_ST_VALUE = {_ST_LOW: -39.166165703771415, _ST_MID: 0.19561235905535807,
             _ST_HIGH: -25.029446655283943}
#: Styblinski–Tang: every one of the 3ⁿ critical points is listed up to this dimension (81 in 4-D)
_ST_LIST_ALL = 4


def _styblinski_points(dim: int) -> list[CriticalPoint]:
    """Styblinski–Tang's critical points: each coordinate at one of the three roots of
    4t³ − 32t + 5 (wells at −2.9035 and 2.7468, the hump at 0.15673), 3^dim combinations. The
    Hessian is diagonal, negative exactly along the coordinates on the hump: every coordinate in
    a well is a minimum (global when all are in the deeper well, −2.9035), every one on the hump
    is the maximum, a mix is a saddle.

    Up to 4-D (:data:`_ST_LIST_ALL`) all 3^dim are listed: 2^dim minima, 3^dim − 2^dim − 1
    saddles and the maximum. Beyond, 3^dim is too many to list (59 049 in 10-D), so only the
    global minimum, the ``dim`` saddles next to it (one coordinate on the hump, the others in the
    deeper well: the lowest saddles, the passes out of its basin) and the maximum.
    """
    def point(combo, kind):
        return CriticalPoint(combo, sum(_ST_VALUE[c] for c in combo), kind)

    if dim > _ST_LIST_ALL:
        low = (_ST_LOW,) * dim
        return ([point(low, "global_minimum")]
                + [point(low[:i] + (_ST_MID,) + low[i + 1:], "saddle") for i in range(dim)]
                + [point((_ST_MID,) * dim, "maximum")])
    combos = list(itertools.product((_ST_LOW, _ST_HIGH, _ST_MID), repeat=dim))
    minima = [c for c in combos if _ST_MID not in c]  # the all-deep-well one first
    return ([point(minima[0], "global_minimum")]
            + [point(c, "local_minimum") for c in minima[1:]]
            + [point(c, "saddle") for c in combos if _ST_MID in c and set(c) != {_ST_MID}]
            + [point((_ST_MID,) * dim, "maximum")])


def _origin(kind: str = "global_minimum", value: float = 0.0, smooth: bool = True):
    return lambda dim: [CriticalPoint((0.0,) * dim, value, kind, smooth)]


_LIBRARY: list[TestFunction] = [
    TestFunction(
        "sphere", "Σ xᵢ²", _sphere, None, (-5.0, 5.0),
        _origin(), min_dim=1, aliases=("bowl", "paraboloid")),
    TestFunction(
        "ill_conditioned", "x²/20 + y²", lambda s: s[0] ** 2 / 20 + s[1] ** 2, 2,
        ((-10.0, 10.0), (-5.0, 5.0)),
        _origin(), aliases=("dlfs_quadratic", "elongated_bowl")),
    TestFunction(
        "rosenbrock", "Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²",
        _rosenbrock, None, (-2.0, 2.0), _rosenbrock_points,
        min_dim=2, aliases=("banana",)),
    TestFunction(
        "beale", "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
        # f = 14.203125 all along the lines x = 0 and y = 1, which cross at the saddle (0, 1)
        _beale, 2, ((-4.5, 4.5), (-4.5, 4.5)), _fixed(
            ((3, 0.5), 0, "global_minimum"),
            ((0.10053793732415836, -2.6445135850231250), 9.8645122847555602, "saddle"),
            ((0, 1), 14.203125, "saddle"))),
    TestFunction(
        "booth", "(x + 2y − 7)² + (2x + y − 5)²",
        lambda s: (s[0] + 2 * s[1] - 7) ** 2 + (2 * s[0] + s[1] - 5) ** 2, 2,
        ((-10.0, 10.0), (-10.0, 10.0)), _fixed(((1, 3), 0, "global_minimum"))),
    TestFunction(
        "himmelblau", "(x² + y − 11)² + (x + y² − 7)²",
        lambda s: (s[0] ** 2 + s[1] - 11) ** 2 + (s[0] + s[1] ** 2 - 7) ** 2, 2,
        ((-5.0, 5.0), (-5.0, 5.0)), _fixed(
            ((3, 2), 0, "global_minimum"),
            ((-2.8051180869527449, 3.1313125182505730), 0, "global_minimum"),
            ((-3.7793102533777469, -3.2831859912861694), 0, "global_minimum"),
            ((3.5844283403304917, -1.8481265269644036), 0, "global_minimum"),
            ((-0.27084459066734761, -0.92303855647998146), 181.61652152258270, "maximum"),
            ((0.086677504555396352, 2.8842547011747761), 67.719150087526140, "saddle"),
            ((-3.0730257507643896, -0.081353044287967511), 104.01516291755811, "saddle"),
            ((3.3851541836070209, 0.073851879837749288), 13.311926270405590, "saddle"),
            ((-0.12796134673068007, -1.9537149802445764), 178.33723920192746, "saddle"))),
    TestFunction(
        "matyas", "0.26(x² + y²) − 0.48xy",
        lambda s: _sp().Rational(13, 50) * (s[0] ** 2 + s[1] ** 2)
        - _sp().Rational(12, 25) * s[0] * s[1], 2, ((-10.0, 10.0), (-10.0, 10.0)),
        _origin()),
    TestFunction(
        "goldstein_price",
        "[1 + (x+y+1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]·"
        "[30 + (2x−3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]",
        _goldstein_price, 2, ((-2.0, 2.0), (-2.0, 2.0)), _fixed(
            ((0, -1), 3, "global_minimum"), ((-0.6, -0.4), 30, "local_minimum"),
            ((1.8, 0.2), 84, "local_minimum"), ((1.2, 0.8), 840, "local_minimum"),
            ((-0.4, -0.6), 35, "saddle"), ((1.2, -0.2), 99, "saddle"),
            ((1.4, 0.6), 980, "saddle"), ((0.6, 0.4), 990, "saddle"),
            ((0.8, 0.2), 1155, "maximum"))),
    TestFunction(
        "six_hump_camel", "(4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²",
        _six_hump_camel, 2, ((-3.0, 3.0), (-2.0, 2.0)), _fixed(
            ((0.089842013100318062, -0.71265640302073963), -1.0316284534898773,
             "global_minimum"),
            ((-0.089842013100318062, 0.71265640302073963), -1.0316284534898773,
             "global_minimum"),
            ((1.7036067149699808, -0.79608356867262512), -0.21546382438371764,
             "local_minimum"),
            ((-1.7036067149699808, 0.79608356867262512), -0.21546382438371764,
             "local_minimum"),
            ((1.6071047529201972, 0.56865145488413137), 2.1042503103112583, "local_minimum"),
            ((-1.6071047529201972, -0.56865145488413137), 2.1042503103112583,
             "local_minimum"),
            ((0, 0), 0, "saddle"),
            ((1.1092053368047864, -0.76826809250953984), 0.54371860097818514, "saddle"),
            ((-1.1092053368047864, 0.76826809250953984), 0.54371860097818514, "saddle"),
            ((1.6380679841897786, 0.22867406904439407), 2.2293571975307147, "saddle"),
            ((-1.6380679841897786, -0.22867406904439407), 2.2293571975307147, "saddle"),
            ((1.2960702671671092, 0.60508438803865850), 2.2294708180298599, "saddle"),
            ((-1.2960702671671092, -0.60508438803865850), 2.2294708180298599, "saddle"),
            ((1.2302298765166526, 0.16233458445899497), 2.4962953510235769, "maximum"),
            ((-1.2302298765166526, -0.16233458445899497), 2.4962953510235769, "maximum"))),
    TestFunction(
        "rastrigin", "10n + Σ (xᵢ² − 10 cos 2πxᵢ)", _rastrigin, None,
        (-5.12, 5.12), _origin(), min_dim=1),
    TestFunction(
        "ackley",
        "−20 exp(−0.2 √(Σxᵢ²/n)) − exp(Σ cos(2πxᵢ)/n) + 20 + e", _ackley, None,
        (-5.0, 5.0), _origin(smooth=False), min_dim=1),
    TestFunction(
        "styblinski_tang", "½ Σ (xᵢ⁴ − 16xᵢ² + 5xᵢ)", _styblinski_tang,
        None, (-5.0, 5.0), _styblinski_points, min_dim=1),
    TestFunction(
        "saddle", "x² − y²", lambda s: s[0] ** 2 - s[1] ** 2, 2,
        ((-2.0, 2.0), (-2.0, 2.0)), _fixed(((0, 0), 0, "saddle")),
        aliases=("hyperbolic_paraboloid",)),
    TestFunction(
        "monkey_saddle", "x³ − 3xy²",
        lambda s: s[0] ** 3 - 3 * s[0] * s[1] ** 2, 2, ((-2.0, 2.0), (-2.0, 2.0)),
        _fixed(((0, 0), 0, "saddle"))),
    TestFunction(
        "plateau", "1 − exp(−(x² + y²))",
        lambda s: 1 - _sp().exp(-(s[0] ** 2 + s[1] ** 2)), 2, ((-5.0, 5.0), (-5.0, 5.0)),
        _origin(), aliases=("gaussian_well",)),
    TestFunction(
        "double_well", "x⁴ − 3x² + x + y²",
        lambda s: s[0] ** 4 - 3 * s[0] ** 2 + s[0] + s[1] ** 2, 2, ((-2.2, 2.2), (-2.0, 2.0)),
        _fixed(((-1.3008395659415771, 0), -3.5139050389347890, "global_minimum"),
               ((1.1309011226299858, 0), -1.0702301817761541, "local_minimum"),
               ((0.16993844331159128, 0), 0.084135220710943075, "saddle")),
        aliases=("tilted_double_well",)),
]

_BY_NAME: dict[str, TestFunction] = {}
for _f in _LIBRARY:
    for _n in (_f.name, *_f.aliases):
        _BY_NAME[_n] = _f


def names() -> list[str]:
    """Names of the library's functions, in library order."""
    return [f.name for f in _LIBRARY]


def all_functions() -> list[TestFunction]:
    """Every library function."""
    return list(_LIBRARY)


def is_known(name: str) -> bool:
    """Whether ``name`` (or an alias) is in the library."""
    return name.strip().lower().replace("-", "_") in _BY_NAME


def refuse_near_miss(text: str) -> None:
    """Refuse a bare name that is a misspelt library function (``himmelbau``): typed as a
    formula it would silently be a function of one variable of that name.

    Raises:
        ConfigError: "unknown function 'himmelbau' — did you mean himmelblau?".
    """
    key = str(text).strip().lower().replace("-", "_")
    if not key.isidentifier() or key in _BY_NAME:
        return
    close = difflib.get_close_matches(key, list(_BY_NAME), n=1, cutoff=0.8)
    if close:
        raise ConfigError(f"unknown function {text.strip()!r} — did you mean {close[0]}?")


def get(name: str) -> TestFunction:
    """Look a function up by name or alias (``-`` and ``_`` are the same; case-insensitive).

    Raises:
        ConfigError: unknown name, with the closest names suggested.
    """
    key = str(name).strip().lower().replace("-", "_")
    if key in _BY_NAME:
        return _BY_NAME[key]
    close = difflib.get_close_matches(key, list(_BY_NAME), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else f"; known: {', '.join(names())}"
    raise ConfigError(f"unknown function {name!r}{hint}")
