"""The test-function library: every listed point verified, and every formula checked against
an independent NumPy implementation written from the published definitions."""

import itertools

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from gdlab import functions
from gdlab.calculus import classify_critical_point
from gdlab.errors import ConfigError


def _sum(a):
    return np.sum(a, axis=-1)


# Independent closed forms, written from the literature (Surjanovic & Bingham's library,
# Jamil & Yang 2013), not from gdlab's SymPy expressions.
NUMPY = {
    "sphere": lambda p: _sum(p**2),
    "ill_conditioned": lambda p: p[..., 0] ** 2 / 20 + p[..., 1] ** 2,
    "rosenbrock": lambda p: _sum(100.0 * (p[..., 1:] - p[..., :-1] ** 2) ** 2
                                 + (1 - p[..., :-1]) ** 2),
    "beale": lambda p: ((1.5 - p[..., 0] + p[..., 0] * p[..., 1]) ** 2
                        + (2.25 - p[..., 0] + p[..., 0] * p[..., 1] ** 2) ** 2
                        + (2.625 - p[..., 0] + p[..., 0] * p[..., 1] ** 3) ** 2),
    "booth": lambda p: (p[..., 0] + 2 * p[..., 1] - 7) ** 2 + (2 * p[..., 0] + p[..., 1] - 5) ** 2,
    "himmelblau": lambda p: ((p[..., 0] ** 2 + p[..., 1] - 11) ** 2
                             + (p[..., 0] + p[..., 1] ** 2 - 7) ** 2),
    "matyas": lambda p: 0.26 * (p[..., 0] ** 2 + p[..., 1] ** 2) - 0.48 * p[..., 0] * p[..., 1],
    "goldstein_price": lambda p: (
        (1 + (p[..., 0] + p[..., 1] + 1) ** 2
         * (19 - 14 * p[..., 0] + 3 * p[..., 0] ** 2 - 14 * p[..., 1]
            + 6 * p[..., 0] * p[..., 1] + 3 * p[..., 1] ** 2))
        * (30 + (2 * p[..., 0] - 3 * p[..., 1]) ** 2
           * (18 - 32 * p[..., 0] + 12 * p[..., 0] ** 2 + 48 * p[..., 1]
              - 36 * p[..., 0] * p[..., 1] + 27 * p[..., 1] ** 2))),
    "six_hump_camel": lambda p: ((4 - 2.1 * p[..., 0] ** 2 + p[..., 0] ** 4 / 3) * p[..., 0] ** 2
                                 + p[..., 0] * p[..., 1] + (-4 + 4 * p[..., 1] ** 2)
                                 * p[..., 1] ** 2),
    "rastrigin": lambda p: 10 * p.shape[-1] + _sum(p**2 - 10 * np.cos(2 * np.pi * p)),
    "ackley": lambda p: (-20 * np.exp(-0.2 * np.sqrt(np.mean(p**2, axis=-1)))
                         - np.exp(np.mean(np.cos(2 * np.pi * p), axis=-1)) + 20 + np.e),
    "styblinski_tang": lambda p: 0.5 * _sum(p**4 - 16 * p**2 + 5 * p),
    "saddle": lambda p: p[..., 0] ** 2 - p[..., 1] ** 2,
    "monkey_saddle": lambda p: p[..., 0] ** 3 - 3 * p[..., 0] * p[..., 1] ** 2,
    "plateau": lambda p: 1 - np.exp(-(p[..., 0] ** 2 + p[..., 1] ** 2)),
    "double_well": lambda p: p[..., 0] ** 4 - 3 * p[..., 0] ** 2 + p[..., 0] + p[..., 1] ** 2,
}

# (function, dim) pairs: every function in its default dimension, n-D ones in 2, 3 and 5.
CASES = [(f.name, d) for f in functions.all_functions()
         for d in ((2, 3, 5) if f.nd else (f.dim,))]


def test_every_library_function_has_an_independent_reference():
    assert set(NUMPY) == set(functions.names())


@pytest.mark.parametrize("name, dim", CASES)
def test_formula_matches_the_published_definition(name, dim):
    f = functions.get(name)
    obj = f.objective(dim)
    lo, hi = np.array(f.domain(dim)).T
    pts = np.random.default_rng(0).uniform(lo, hi, (200, dim))
    np.testing.assert_allclose(obj.value(pts), NUMPY[name](pts), rtol=1e-12, atol=1e-12)


# the claims test also runs where the lists hold more: Rosenbrock's second minimum and saddle
# (4-D to 7-D) and beyond (8-D), every Styblinski–Tang point (1-D, 4-D)
CLAIM_CASES = CASES + [("rosenbrock", 4), ("rosenbrock", 7), ("rosenbrock", 8),
                       ("styblinski_tang", 1), ("styblinski_tang", 4)]


def test_the_claims_test_sees_every_kind():
    kinds = {p.kind for name, dim in CLAIM_CASES
             for p in functions.get(name).critical_points(dim)}
    assert kinds == set(functions.KINDS)


@pytest.mark.parametrize("name, dim", CLAIM_CASES)
def test_every_listed_point_is_what_it_claims(name, dim):
    f = functions.get(name)
    obj = f.objective(dim)
    points = f.critical_points(dim)
    assert points, "every function lists at least one point of interest"
    for p in points:
        loc = np.array(p.location)
        assert loc.shape == (dim,)
        # value as stated, by the independent formula
        assert NUMPY[name](loc) == pytest.approx(p.value, rel=1e-12, abs=1e-12)
        if not p.smooth:
            # a non-differentiable minimum (Ackley's cone tip): lower than every neighbour
            rng = np.random.default_rng(1)
            around = loc + rng.normal(scale=1e-6, size=(100, dim))
            assert np.all(NUMPY[name](around) > p.value)
            continue
        g = obj.gradient(loc)
        assert np.linalg.norm(g) < 1e-9 * max(1.0, abs(p.value)), (p, g)
        kind = classify_critical_point(g, obj.hessian(loc))
        expected = {"global_minimum": "minimum", "local_minimum": "minimum",
                    "maximum": "maximum", "saddle": "saddle"}[p.kind]
        if name == "monkey_saddle":
            expected = "degenerate"  # Hessian = 0: the second-derivative test cannot decide
        assert kind == expected, (p, kind)


@pytest.mark.parametrize("name, dim", CASES)
def test_global_minimum_is_the_lowest_listed_and_lowest_sampled(name, dim):
    f = functions.get(name)
    best = f.minimum_value(dim)
    values = [p.value for p in f.critical_points(dim)]
    lo, hi = np.array(f.domain(dim)).T
    sample = NUMPY[name](np.random.default_rng(2).uniform(lo, hi, (20000, dim)))
    if best is None:  # unbounded below: the sample goes lower than any listed point
        assert sample.min() < min(values)
        return
    assert best == min(values)
    assert sample.min() >= best - 1e-12
    globals_ = f.global_minima(dim)
    assert all(p.value == pytest.approx(best, abs=1e-12) for p in globals_)


def test_published_values():
    """Values quoted in the literature, to their printed digits."""
    him = functions.get("himmelblau").global_minima()
    literature = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                  (3.584428, -1.848126)]
    for (a, b), p in zip(literature, him):
        assert p.location == pytest.approx((a, b), abs=1e-6)
    assert functions.get("goldstein_price").minimum_value() == 3.0
    assert functions.get("goldstein_price").global_minima()[0].location == (0.0, -1.0)
    assert functions.get("six_hump_camel").minimum_value() == pytest.approx(-1.0316, abs=1e-4)
    assert len(functions.get("six_hump_camel").minima()) == 6
    st = functions.get("styblinski_tang")
    assert st.minimum_value(4) == pytest.approx(-39.16617 * 4, abs=1e-4)
    assert len(st.minima(2)) == 4

    def count(name, kind):
        return sum(p.kind == kind for p in functions.get(name).critical_points())

    assert (count("beale", "saddle"), count("beale", "maximum")) == (2, 0)
    assert (count("goldstein_price", "saddle"), count("goldstein_price", "maximum")) == (4, 1)
    assert (count("six_hump_camel", "saddle"), count("six_hump_camel", "maximum")) == (7, 2)
    gp = {p.location: p.value for p in functions.get("goldstein_price").critical_points()}
    assert gp[(0.8, 0.2)] == 1155 and gp[(-0.4, -0.6)] == 35
    beale = {p.location: p.value for p in functions.get("beale").critical_points()}
    assert beale[(0.0, 1.0)] == 14.203125  # = 909/64, f all along x = 0 and along y = 1
    # Rosenbrock's coefficient is 100 (a well-known library once shipped 105)
    assert NUMPY["rosenbrock"](np.array([0.0, 1.0])) == 101.0
    assert functions.get("rosenbrock").objective(2).value([0.0, 1.0]) == 101.0


# --- every listed point checked at 30 digits, and nothing missing ---------------------------


def _mp_derivatives(f, dim):
    """``f``, its gradient and its Hessian as mpmath functions (derived exactly by SymPy)."""
    s = sp.symbols(f"x0:{dim}", real=True)
    e = f.build(s)
    value = sp.lambdify(s, e, "mpmath")
    grad = sp.lambdify(s, [e.diff(v) for v in s], "mpmath")
    hess = sp.lambdify(s, sp.hessian(e, s), "mpmath")
    return value, (lambda x: mp.matrix(grad(*x))), (lambda x: mp.matrix(hess(*x)))


def _newton_30(grad, hess, start, steps=40):
    """Newton's method for ∇f = 0 at 30 digits from ``start``: the root, or ``None``."""
    with mp.workdps(30):
        x = mp.matrix([mp.mpf(float(c)) for c in start])
        for _ in range(steps):
            try:
                step = mp.lu_solve(hess(x), grad(x))
            except ZeroDivisionError:
                return None
            x -= step
            if mp.norm(step) <= mp.mpf(10) ** -27 * max(1, mp.norm(x)):
                break
        if not mp.norm(grad(x)) < mp.mpf(10) ** -24 * max(1, mp.norm(x)) ** 3:
            return None
        return x


def _kind_30(hess, x):
    """Minimum, maximum or saddle from the signs of the Hessian's eigenvalues at 30 digits."""
    with mp.workdps(30):
        eig = mp.eigsy(hess(x), eigvals_only=True)
        assert min(abs(v) for v in eig) > mp.mpf(10) ** -12, "degenerate"
        neg = sum(v < 0 for v in eig)
    return "minimum" if neg == 0 else "maximum" if neg == len(eig) else "saddle"


HIGH_PRECISION_CASES = (
    [(f.name, d) for f in functions.all_functions() if f.name not in ("ackley", "monkey_saddle")
     for d in ((1, 2, 3) if f.nd else (f.dim,)) if f.defined_in(d)]
    + [("rosenbrock", d) for d in (4, 5, 6, 7, 8, 12)] + [("styblinski_tang", 4)])


@pytest.mark.parametrize("name, dim", HIGH_PRECISION_CASES)
def test_listed_points_are_critical_points_to_16_digits(name, dim):
    """Newton's method at 30 digits from each listed point stays there (to the last bit or
    two: the listed digits are the root's), and the Hessian's eigenvalues at the 30-digit root
    give the listed kind. (Ackley's minimum is not smooth; the monkey saddle is degenerate.)"""
    f = functions.get(name)
    value, grad, hess = _mp_derivatives(f, dim)
    roots = []
    for p in f.critical_points(dim):
        root = _newton_30(grad, hess, p.location)
        assert root is not None, p
        for listed, exact in zip(p.location, root):
            assert abs(listed - float(exact)) <= 4.5e-16 * abs(exact), (p, exact)
        with mp.workdps(30):
            exact_value = float(value(*root))
        assert abs(p.value - exact_value) <= 1e-15 * max(1.0, abs(p.value)), (p, exact_value)
        assert _kind_30(hess, root) == p.kind.replace("global_", "").replace("local_", ""), p
        roots.append(tuple(float(c) for c in root))
    assert len(set(roots)) == len(roots), "a point listed twice"


SEARCHED = ["beale", "goldstein_price", "six_hump_camel", "himmelblau", "double_well", "booth",
            "matyas", "ill_conditioned", "saddle"]


@pytest.mark.parametrize("name", SEARCHED)
def test_multistart_newton_finds_every_critical_point_and_no_other(name):
    """Newton's method for ∇f = 0 from a 41 × 41 grid over the plot domain (it converges to
    saddles and maxima as readily as to minima), each end point polished at 30 digits: the
    critical points it finds in the domain are exactly the listed ones. (Independent of the
    listed numbers; the resultant of the two partial derivatives gives the same sets exactly.)"""
    f = functions.get(name)
    x, y = sp.symbols("x y", real=True)
    e = f.build((x, y))
    partials = [e.diff(v) for v in (x, y)]
    g_np = [sp.lambdify((x, y), d, "numpy") for d in partials]
    h_np = [[sp.lambdify((x, y), d.diff(v), "numpy") for v in (x, y)] for d in partials]
    (a, b), (c, d) = f.domain()
    gx, gy = np.meshgrid(np.linspace(a, b, 41), np.linspace(c, d, 41))
    px, py = gx.ravel(), gy.ravel()

    def at(fn):
        return np.broadcast_to(fn(px, py), px.shape).astype(float)

    with np.errstate(all="ignore"):
        for _ in range(50):
            g0, g1 = at(g_np[0]), at(g_np[1])
            (h00, h01), (h10, h11) = [[at(h) for h in row] for row in h_np]
            det = h00 * h11 - h01 * h10
            sx, sy = (h11 * g0 - h01 * g1) / det, (h00 * g1 - h10 * g0) / det
            scale = np.minimum(1.0, 0.5 / np.hypot(sx, sy))  # at most half a unit per step
            ok = np.isfinite(scale)
            px = np.where(ok, px - scale * sx, px)
            py = np.where(ok, py - scale * sy, py)
        near = (np.hypot(at(g_np[0]), at(g_np[1])) < 1e-6) & np.isfinite(px) & np.isfinite(py)
    ends = np.unique(np.round(np.stack([px[near], py[near]], axis=1), 6), axis=0)
    assert len(ends) < 60

    _, grad, hess = _mp_derivatives(f, 2)
    found = set()
    for end in ends:
        root = _newton_30(grad, hess, end)
        assert root is not None, end
        if a <= root[0] <= b and c <= root[1] <= d:
            found.add((round(float(root[0]), 12) + 0.0, round(float(root[1]), 12) + 0.0))
    listed = {(round(p.location[0], 12) + 0.0, round(p.location[1], 12) + 0.0)
              for p in f.critical_points()}
    assert found == listed, {"not listed": found - listed, "not found": listed - found}


def _rosenbrock_polynomial(dim):
    """Rosenbrock's critical points as the real roots of one polynomial in x0.

    ∂f/∂x0 = 0 and ∂f/∂xᵢ = 0 give xᵢ₊₁ = xᵢ² + (200(xᵢ − xᵢ₋₁²) − 2(1 − xᵢ)) / (400xᵢ) (no
    xᵢ < x_{n−1} can be 0 at a critical point), so every xᵢ is a rational function Pᵢ/Qᵢ of x0,
    and the last equation, x_{n−1} = x_{n−2}², is a polynomial in x0 once the denominators are
    cleared. Each critical point is a real root; distinct points have distinct x0."""
    t = sp.Symbol("t")
    num, den = [sp.Poly(t, t, domain="ZZ")], [sp.Poly(1, t, domain="ZZ")]
    for i in range(dim - 1):
        p, q = num[-1], den[-1]
        if i == 0:
            top, bottom = 400 * p**3 + q**2 * (2 * p - 2 * q), 400 * p * q**2
        else:
            pp, qq = num[-2], den[-2]
            term = 200 * (p * qq**2 - pp**2 * q) - 2 * (q * qq**2 - p * qq**2)
            top, bottom = 400 * p**3 * qq**2 + q**2 * term, 400 * p * qq**2 * q**2
        common = top.gcd(bottom)
        num.append(top.exquo(common))
        den.append(bottom.exquo(common))
    residual = num[-1] * den[-2] ** 2 - num[-2] ** 2 * den[-1]
    return residual.exquo(residual.gcd(den[-1] * den[-2] ** 2)).sqf_part()


@pytest.mark.parametrize("dim", [2, 3, 4, 5, 6])
def test_rosenbrock_lists_every_critical_point_up_to_6d(dim):
    """Exact count: the polynomial has as many real roots as there are listed points (which the
    30-digit test shows are distinct critical points), so none is missing. (7-D, degree 243:
    also 3, checked the same way once; too slow for the suite.)"""
    listed = functions.get("rosenbrock").critical_points(dim)
    assert len(_rosenbrock_polynomial(dim).intervals()) == len(listed)  # real roots, exactly
    assert [p.kind for p in listed] == (["global_minimum"] if dim < 4 else
                                        ["global_minimum", "local_minimum", "saddle"])


def test_rosenbrock_second_minimum_in_every_dimension():
    """4-D to 64-D: the local minimum near (−1, 1, …, 1), checked with an independent gradient
    and tridiagonal Hessian; the 4-D to 7-D ones typed in the library are what the library's
    30-digit Newton iteration gives from (−1, 1, …, 1)."""
    f = functions.get("rosenbrock")
    values = []
    for dim in range(4, 65):
        p = f.minima(dim)[1]
        x = np.array(p.location)
        assert p.kind == "local_minimum" and x.shape == (dim,)
        gap = x[1:] - x[:-1] ** 2
        grad = np.zeros(dim)
        grad[:-1] += -400 * x[:-1] * gap - 2 * (1 - x[:-1])
        grad[1:] += 200 * gap
        assert np.abs(grad).max() < 1e-11, dim
        diag = np.r_[1200 * x[:-1] ** 2 - 400 * x[1:] + 2, 0.0] + np.r_[0.0, [200] * (dim - 1)]
        hess = np.diag(diag) + np.diag(-400 * x[:-1], 1) + np.diag(-400 * x[:-1], -1)
        assert np.linalg.eigvalsh(hess).min() > 0.3, dim
        assert NUMPY["rosenbrock"](x) == pytest.approx(p.value, rel=1e-13)
        assert np.abs(x - np.r_[-1.0, np.ones(dim - 1)]).max() < 0.9
        values.append(p.value)
        if dim <= 7:
            computed = functions._rosenbrock_local_minimum(dim)
            np.testing.assert_allclose(computed.location, p.location, rtol=1e-15, atol=0)
    assert np.all(np.diff(values) >= 0) and values[-1] == pytest.approx(3.98662385430093)


@pytest.mark.parametrize("dim", [1, 2, 3, 4, 5, 10, 64])
def test_styblinski_tang_points_are_the_3_to_the_n_combinations(dim):
    """Up to 4-D all 3ⁿ combinations of the per-axis roots (2ⁿ minima, the maximum, saddles with
    one negative curvature per coordinate on the hump); beyond, the global minimum, the n
    saddles next to it (the lowest saddles) and the maximum."""
    with mp.workdps(30):
        roots = sorted(mp.polyroots([4, 0, -32, 5]))  # d/dt (t⁴ − 16t² + 5t)/2 = 0
    low, mid, high = (float(r) for r in roots)
    points = functions.get("styblinski_tang").critical_points(dim)
    locations = [p.location for p in points]
    assert len(set(locations)) == len(points)
    for p in points:
        assert set(p.location) <= {low, mid, high}
        on_hump = p.location.count(mid)
        expected = ("maximum" if on_hump == dim else "saddle" if on_hump else
                    "global_minimum" if set(p.location) == {low} else "local_minimum")
        assert p.kind == expected
    if dim <= 4:
        assert set(locations) == set(itertools.product((low, mid, high), repeat=dim))
    else:
        saddles = [p for p in points if p.kind == "saddle"]
        assert len(points) == dim + 2 and len(saddles) == dim
        assert all(p.location.count(mid) == 1 and p.location.count(low) == dim - 1
                   for p in saddles)
    kinds = [p.kind for p in points]  # listed in the order the CLI counts them
    assert kinds == sorted(kinds, key=["global_minimum", "local_minimum", "saddle",
                                       "maximum"].index)


def test_lookup_aliases_and_suggestions():
    assert functions.get("Six-Hump-Camel").name == "six_hump_camel"
    assert functions.get("dlfs_quadratic").name == "ill_conditioned"
    with pytest.raises(ConfigError, match="did you mean himmelblau"):
        functions.get("himmelblaw")
    with pytest.raises(ConfigError, match="2-D; got 3"):
        functions.get("beale").objective(3)
    with pytest.raises(ConfigError, match="at least 2"):
        functions.get("rosenbrock").objective(1)


def test_metadata_is_complete_and_serialisable():
    import json

    for f in functions.all_functions():
        d = f.as_dict()
        json.dumps(d, allow_nan=False)
        assert d["variables"] == list(f.objective().variables)
        for lo, hi in d["domain"]:
            assert lo < hi
        for p in f.critical_points():
            lo, hi = np.array(f.domain()).T
            assert np.all(np.array(p.location) >= lo) and np.all(np.array(p.location) <= hi)


def test_gradient_formulas_read_back_and_match_the_exact_gradient():
    from gdlab import Objective

    for f in functions.all_functions():
        obj = f.objective()
        pts = np.random.default_rng(3).uniform(*np.array(f.domain()).T, (5, obj.dim))
        for i, text in enumerate(f.gradient_formulas()):
            if "Abs" in text or "sign" in text:
                continue  # printed SymPy names outside the formula whitelist
            partial = Objective.from_formula(text, variables=obj.variables)
            np.testing.assert_allclose(partial.value(pts), obj.gradient(pts)[:, i],
                                       rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dim", [8, 9, 12])
def test_rosenbrocks_saddle_beyond_7d_is_a_saddle(dim):
    """The 5- to 7-D saddle continues: in 8-D at (−0.5554, 0.3224, 0.1152, 0.0235, 0.0107,
    0.0102, 0.0100, 0.0001), f = 7.6262 (mpmath, 40 digits) — ∇f = 0 there and the exact
    tridiagonal Hessian has one negative eigenvalue. It had not been listed ('none in 8-D to
    11-D')."""
    from gdlab import functions

    (saddle,) = [p for p in functions.get("rosenbrock").critical_points(dim)
                 if p.kind == "saddle"]
    x = np.array(saddle.location)
    g = np.zeros(dim)
    H = np.zeros((dim, dim))
    for i in range(dim - 1):
        gap = x[i + 1] - x[i] ** 2
        g[i] += -400 * x[i] * gap - 2 * (1 - x[i])
        g[i + 1] += 200 * gap
        H[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H[i + 1, i + 1] += 200
        H[i, i + 1] = H[i + 1, i] = -400 * x[i]
    assert np.linalg.norm(g) < 1e-10 and np.sum(np.linalg.eigvalsh(H) < 0) == 1
    if dim == 8:
        assert saddle.value == pytest.approx(7.6262, abs=1e-4)
