"""Exact and numerical derivatives against SymPy evaluated at 40 digits."""

import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab import Objective
from gdlab.diff import numeric
from gdlab.errors import ConfigError, PointError

from .problems import SMOOTH, reference, relative_error

x0, x1 = sp.symbols("x0 x1", real=True)
CASES = [(t, e if e is not None else x0**2 + x1**2, box) for t, e, box in SMOOTH]


def _points(n, dim, box, seed=0):
    return np.random.default_rng(seed).uniform(-box, box, (n, dim))


def _setup(text, expr):
    obj = Objective.from_formula(text)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    assert [s.name for s in symbols] == list(obj.variables)
    return obj, symbols


@pytest.mark.parametrize("text, expr, box", CASES, ids=[c[0] for c in CASES])
def test_exact_value_gradient_hessian_match_sympy_at_high_precision(text, expr, box):
    obj, symbols = _setup(text, expr)
    pts = _points(12, obj.dim, box)
    refs = [reference(expr, symbols, p) for p in pts]
    assert relative_error(obj.value(pts)[:, None], np.array([[r[0]] for r in refs])) < 1e-12
    assert relative_error(obj.gradient(pts), np.array([r[1] for r in refs])) < 1e-12
    assert relative_error(obj.hessian(pts), np.array([r[2] for r in refs])) < 1e-12


@pytest.mark.parametrize("method, tolerance", [("central", 1e-8), ("richardson", 1e-11),
                                               ("complex", 1e-14)])
@pytest.mark.parametrize("text, expr, box", CASES, ids=[c[0] for c in CASES])
def test_numerical_gradients_reach_their_accuracy(text, expr, box, method, tolerance):
    obj, symbols = _setup(text, expr)
    pts = _points(200, obj.dim, box, seed=1)
    exact = np.array([reference(expr, symbols, p)[1] for p in pts[:20]])
    approx = obj.gradient(pts[:20], method)
    assert relative_error(approx, exact) <= tolerance
    # and on the whole batch against the exact compiled gradient
    assert relative_error(obj.gradient(pts, method), obj.gradient(pts)) <= tolerance


def test_the_1e4_step_of_deep_learning_from_scratch_is_worse():
    """h = 1e-4 (the book's choice) against the step chosen from machine epsilon."""
    obj = Objective.from_formula("100*(y - x^2)^2 + (1 - x)^2")
    pts = _points(1000, 2, 2.0, seed=2)
    exact = obj.gradient(pts)
    chosen = relative_error(numeric.gradient(obj.value, pts, method="central").value, exact)
    book = relative_error(numeric.gradient(obj.value, pts, method="central", step=1e-4).value,
                          exact)
    forward_book = relative_error(
        numeric.gradient(obj.value, pts, method="forward", step=1e-4).value, exact)
    assert chosen <= 1e-8
    assert book > 50 * chosen
    assert forward_book > 1e-4  # O(h) truncation


def test_richardson_error_estimate_covers_the_actual_error():
    obj = Objective.from_formula("sin(3*x)*exp(y/2) + x*y**3")
    pts = _points(500, 2, 2.0, seed=3)
    d = numeric.gradient(obj.value, pts, method="richardson")
    actual = np.abs(d.value - obj.gradient(pts))
    assert d.error.shape == d.value.shape
    assert np.mean(actual <= d.error) > 0.99
    assert np.median(d.error) < 1e-11


@pytest.mark.parametrize("text, points, derivative", [
    ("log(x)", [0.05, 0.01, 0.003, 1e-5], lambda a: 1 / a),  # the first step 0.07 leaves x > 0
    ("sqrt(x)", [0.03, 0.001], lambda a: 0.5 / np.sqrt(a)),
    ("acos(x)", [0.99, -0.999], lambda a: -1 / np.sqrt(1 - a * a)),
])
def test_richardson_stays_in_the_domain_with_an_honest_error(text, points, derivative):
    obj = Objective.from_formula(text)
    pts = np.array(points)[:, None]
    d = numeric.gradient(obj.value, pts, method="richardson")
    exact = derivative(pts)
    assert np.all(np.isfinite(d.value)) and np.all(np.isfinite(d.error))
    assert np.all(np.abs(d.value - exact) <= d.error)  # the estimate covers the error
    assert np.all(d.error <= 1e-4 * np.abs(exact))  # and it is small: the value is right


@pytest.mark.parametrize("text", ["softplus(x)", "log(1 + exp(x))", "ln(exp(x) + 1)",
                                  "sigmoid(x)", "1/(1 + exp(-x))"])
def test_softplus_and_sigmoid_never_overflow(text):
    import mpmath

    obj = Objective.from_formula(text)
    xs = np.array([-800.0, -750.0, -30.0, -1e-3, 0.0, 2.5, 40.0, 750.0, 800.0])[:, None]
    softplus = "sigmoid" not in text and "1/" not in text
    with mpmath.workdps(50):  # the written-out forms at 50 digits
        def s(a):
            return 1 / (1 + mpmath.exp(-a))
        ref = [(mpmath.log(1 + mpmath.exp(a)), s(a), s(a) * (1 - s(a))) if softplus else
               (s(a), s(a) * (1 - s(a)), s(a) * (1 - s(a)) * (1 - 2 * s(a)))
               for a in map(mpmath.mpf, xs[:, 0])]
    ref = np.array(ref, dtype=float)
    np.testing.assert_allclose(obj.value(xs), ref[:, 0], rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(obj.gradient(xs)[:, 0], ref[:, 1], rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(obj.hessian(xs)[:, 0, 0], ref[:, 2], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(numeric.gradient(obj.value, xs, method="complex").value[:, 0],
                               ref[:, 1], rtol=1e-12, atol=1e-300)


def test_reciprocal_trig_of_hyperbolic_is_real_code():
    """SymPy's printers rewrote cot(tanh(x)) as −1/tan(1j·tan(1j·x)) (complex code); compare
    value and gradient with mpmath's numerical derivative."""
    import mpmath

    obj = Objective.from_formula("atan2(cot(tanh(x)), w) + sec(x)/4 + csc(w + 3)")
    w, x = 1.0, 2.0  # variables in natural order: w, x

    def f(w_, x_):
        return (mpmath.atan2(mpmath.cot(mpmath.tanh(x_)), w_) + mpmath.sec(x_) / 4
                + mpmath.csc(w_ + 3))

    with mpmath.workdps(30):
        ref = [float(mpmath.diff(lambda t: f(t, x), w)), float(mpmath.diff(lambda t: f(w, t), x))]
        value = float(f(w, x))
    assert float(obj.value([w, x])) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(obj.gradient([w, x]), ref, rtol=1e-13)


def test_evaluations_are_counted():
    calls = []

    def f(p):
        calls.append(p.shape[-2] if p.ndim > 1 else 1)
        return np.sum(p**2, axis=-1)

    x = np.array([1.0, 2.0, 3.0])
    expected = {"forward": 4, "central": 6, "richardson": 30, "complex": 3}
    for method, nfev in expected.items():
        calls.clear()
        d = numeric.gradient(f, x, method=method)
        assert d.nfev == nfev
        assert sum(calls) == nfev  # one call of f for all perturbed points (+ f(x) forward)
        np.testing.assert_allclose(d.value, 2 * x, rtol=1e-6)


def test_steps_are_exactly_representable_and_scale_with_x():
    x = np.array([0.1, 1e6])
    h = numeric.default_step(x, "central")
    assert h[1] / h[0] == pytest.approx(1e6)
    rounded = numeric._steps(x, "central", None)
    assert np.all((x + rounded) - x == rounded)


def test_partial_in_one_variable_uses_only_that_variable():
    f = lambda p: p[..., 0] ** 2 * p[..., 1] + np.sin(p[..., 2])  # noqa: E731
    x = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 1.0]])
    d = numeric.partial(f, x, 2, method="richardson")
    np.testing.assert_allclose(d.value, np.cos(x[:, 2]), rtol=1e-12)
    assert d.nfev == 10  # 2 × 5 levels, for one variable only


@pytest.mark.parametrize("method, tolerance", [("central", 1e-5), ("richardson", 1e-8),
                                               ("complex", 1e-8)])
def test_numerical_hessian_from_values(method, tolerance):
    text, expr, _ = CASES[1]
    obj, symbols = _setup(text, expr)
    pts = _points(10, 2, 1.5, seed=4)
    exact = np.array([reference(expr, symbols, p)[2] for p in pts])
    approx = numeric.hessian(obj.value, pts, method=method).value
    assert relative_error(approx, exact) < tolerance
    np.testing.assert_array_equal(approx, np.swapaxes(approx, -1, -2))


def test_hessian_from_an_exact_gradient_is_more_accurate():
    obj = Objective.from_formula("log(1 + x**2 + y**2) * cos(x*y)")
    pts = _points(50, 2, 2.0, seed=5)
    exact = obj.hessian(pts)
    from_grad = numeric.hessian(obj.value, pts, gradient=obj.gradient,
                                method="richardson").value
    assert relative_error(from_grad, exact) < 1e-11


def test_complex_step_refuses_functions_without_complex_support():
    import math

    obj = Objective.from_callable(lambda p: math.sqrt(p[0] ** 2 + 1), 1)
    with pytest.raises(ConfigError, match="complex"):
        obj.gradient([1.0], "complex")
    with pytest.raises(ConfigError, match="analytic"):
        Objective.from_formula("abs(x) + y").gradient([1.0, 2.0], "complex")


def test_check_gradient_reports_the_discrepancy():
    obj = Objective.from_formula("x**3 + x*y")
    pts = _points(20, 2, 2.0)
    good = numeric.check_gradient(obj.value, obj.gradient, pts)
    assert good.ok and good.max_rel_error < 1e-10
    wrong = numeric.check_gradient(obj.value, lambda p: obj.gradient(p) * [1.0, 1.01], pts)
    assert not wrong.ok
    assert wrong.max_rel_error == pytest.approx(np.max(wrong.rel_error))
    assert 1e-4 < wrong.max_rel_error < 1e-2


def test_bad_arguments_name_themselves():
    f = lambda p: np.sum(p**2, axis=-1)  # noqa: E731
    with pytest.raises(ConfigError, match="`method` must be one of"):
        numeric.gradient(f, [1.0], method="centre")
    with pytest.raises(ConfigError, match="`step`"):
        numeric.gradient(f, [1.0], step=-1)
    with pytest.raises(PointError, match="finite"):
        numeric.gradient(f, [np.nan])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=4),
       st.sampled_from(["central", "richardson", "complex"]))
def test_property_numerical_gradient_of_a_cubic_polynomial(coords, method):
    """f = Σ (aᵢ xᵢ³ + xᵢ xᵢ₊₁): the gradient is known in closed form everywhere."""
    x = np.array(coords)
    a = np.arange(1, len(x) + 1, dtype=float)

    def f(p):
        return np.sum(a * p**3, axis=-1) + np.sum(p[..., :-1] * p[..., 1:], axis=-1)

    exact = 3 * a * x**2
    exact[:-1] += x[1:]
    exact[1:] += x[:-1]
    approx = numeric.gradient(f, x, method=method).value
    scale = max(1.0, np.max(np.abs(exact)), np.max(np.abs(x)) ** 3)
    tolerance = {"central": 1e-8, "richardson": 1e-11, "complex": 1e-14}[method]
    assert np.max(np.abs(approx - exact)) <= tolerance * scale


def test_a_large_formulas_hessian_is_the_jacobian_of_its_exact_gradient():
    """sin(sin(…sin(x)…)) 60 deep: its second derivative would take seconds to derive
    symbolically (115,000 operations); the central-difference Jacobian of the exact gradient
    matches mpmath's second derivative at 30 digits to 1e-8."""
    import mpmath

    obj = Objective.from_formula("sin(" * 60 + "x" + ")" * 60)
    assert not obj.symbolic_hessian
    with mpmath.workdps(30):
        def f(t):
            for _ in range(60):
                t = mpmath.sin(t)
            return t
        exact = float(mpmath.diff(f, mpmath.mpf("0.5"), 2))
    start = time.perf_counter()
    value = float(obj.hessian([0.5])[0, 0])
    assert time.perf_counter() - start < 2.0
    assert value == pytest.approx(exact, rel=1e-8)
    assert Objective.from_formula("x**2*y").symbolic_hessian


def test_richardsons_hessian_estimate_covers_its_rounding():
    """x0² + x1² at (3, 4): the mixed partial is exactly 0, and Richardson's second differences
    of f ≈ 25 over steps of ~0.01 carry rounding of ~ε·25/1e-4 — 6.1e-11 here, which the table's
    own gap (5× smaller) did not cover. Every entry's true error is within its estimate."""
    from gdlab.diff.numeric import hessian

    d = hessian(lambda p: p[..., 0] ** 2 + p[..., 1] ** 2, np.array([3.0, 4.0]),
                method="richardson")
    exact = np.array([[2.0, 0.0], [0.0, 2.0]])
    assert np.all(np.abs(d.value - exact) <= d.error)
