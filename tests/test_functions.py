"""The test-function library: every listed point verified, and every formula checked against
an independent NumPy implementation written from the published definitions."""

import numpy as np
import pytest

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


@pytest.mark.parametrize("name, dim", CASES)
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
    # Rosenbrock's coefficient is 100 (a well-known library once shipped 105)
    assert NUMPY["rosenbrock"](np.array([0.0, 1.0])) == 101.0
    assert functions.get("rosenbrock").objective(2).value([0.0, 1.0]) == 101.0


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
