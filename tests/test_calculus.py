"""The study note's calculus at a point, against closed forms."""

import numpy as np
import pytest
import sympy as sp

import gdlab
from gdlab.calculus import analyze, classify_critical_point, steepest_directions
from gdlab.errors import ConfigError, PointError


def test_the_study_notes_example():
    """f = x0² + x1² at (3, 4): ∂f/∂x0 = 2x0 = 6, ∂f/∂x1 = 2x1 = 8."""
    r = analyze("x0**2 + x1**2", [3, 4], direction=[1, 1])
    assert r.value == 25
    assert r.partials == {"x0": 6.0, "x1": 8.0}
    assert r.gradient_norm == 10.0
    assert r.directional_derivative == pytest.approx(14 / np.sqrt(2), rel=1e-15)
    assert r.steepest_descent == pytest.approx([-0.6, -0.8])
    assert r.symbolic["partials"] == {"x0": "2*x0", "x1": "2*x1"}
    assert r.critical_point is None


def test_directional_derivative_is_largest_along_the_gradient_and_zero_across_it():
    f = gdlab.Objective.from_formula("sin(x)*exp(y) + x*y**3")
    a = [0.7, -0.4]
    g = gdlab.gradient(f, a)
    angles = np.linspace(0, 2 * np.pi, 3601)
    dirs = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    d = np.array([gdlab.directional_derivative(f, a, u) for u in dirs])
    assert d.max() == pytest.approx(np.linalg.norm(g), rel=1e-6)
    assert d.min() == pytest.approx(-np.linalg.norm(g), rel=1e-6)
    best = dirs[np.argmax(d)]
    assert best == pytest.approx(g / np.linalg.norm(g), abs=2e-3)
    tangent = steepest_directions(g)["zero_change"][0]
    assert gdlab.directional_derivative(f, a, tangent) == pytest.approx(0, abs=1e-14)


def test_direction_is_normalised_and_zero_direction_refused():
    assert gdlab.directional_derivative("x + 2*y", [0, 0], [10, 0]) == pytest.approx(1.0)
    with pytest.raises(PointError, match="zero vector"):
        gdlab.directional_derivative("x + 2*y", [0, 0], [0, 0])


def test_zero_change_directions_form_an_orthonormal_complement_in_nd():
    g = np.array([1.0, -2.0, 0.5, 3.0])
    basis = np.array(steepest_directions(g)["zero_change"])
    assert basis.shape == (3, 4)
    np.testing.assert_allclose(basis @ g, 0, atol=1e-14)
    np.testing.assert_allclose(basis @ basis.T, np.eye(3), atol=1e-14)


def test_tangent_plane_equation_reads_back_and_touches_the_surface():
    f = "log(1 + x**2) + x*y"
    a = np.array([-1.5, 2.0])
    plane = gdlab.tangent_plane(f, a)
    rhs = plane.equation.split("=", 1)[1]
    reparsed = gdlab.Objective.from_formula(rhs, variables="x,y")
    pts = np.random.default_rng(0).normal(size=(20, 2))
    np.testing.assert_allclose(reparsed.value(pts), plane(pts), rtol=1e-9)
    # f − plane vanishes to second order at a
    obj = gdlab.Objective.from_formula(f)
    for t in (1e-2, 1e-3):
        x = a + t * np.array([0.6, 0.8])
        assert abs(obj.value(x) - plane(x)) < 5 * t**2
    # closed form: f(a) = log(3.25) − 3, ∇f(a) = (2x/(1 + x²) + y, x) = (2 − 3/3.25, −1.5)
    assert plane.value == pytest.approx(np.log(3.25) - 3, rel=1e-15)
    assert plane.gradient == pytest.approx((2 - 3 / 3.25, -1.5), rel=1e-15)
    assert plane.equation == "z = -1.821345004 + 1.076923077*(x + 1.5) - 1.5*(y - 2)"


def test_a_gentle_slope_without_curvature_is_not_a_critical_point():
    r = gdlab.analyze("sigmoid(x)", [-20.0])  # σ′(−20) = 2.06e-9 > 0: no critical point
    assert r.gradient[0] == pytest.approx(np.exp(-20) / (1 + np.exp(-20)) ** 2, rel=1e-12)
    assert r.critical_point is None
    assert gdlab.analyze("x**4", [0.0]).critical_point == "degenerate"  # ∇f = 0 exactly


def test_richardson_hessian_carries_an_error_estimate_that_covers_its_error():
    r = gdlab.analyze("log(x)", [0.01], method="richardson")
    error = abs(r.hessian[0][0] - (-1 / 0.01**2))  # f″ = −1/x²
    assert r.hessian_error is not None and error <= r.hessian_error[0][0]
    assert gdlab.analyze("log(x)", [0.01]).hessian_error is None  # exact


def test_tangent_plane_of_a_function_of_z_is_named_otherwise_and_reads_back():
    plane = gdlab.tangent_plane("x^2 + y^2 + z^2", [1, 2, 3])
    assert plane.equation == "w = 14 + 2*(x - 1) + 4*(y - 2) + 6*(z - 3)"  # ∇f = 2a
    height, rhs = plane.equation.split(" = ", 1)
    reparsed = gdlab.Objective.from_formula(rhs, variables="x,y,z")
    assert height not in reparsed.variables
    pts = np.random.default_rng(1).normal(size=(10, 3))
    np.testing.assert_allclose(reparsed.value(pts), 14 + (pts - [1, 2, 3]) @ [2, 4, 6])
    crowded = gdlab.tangent_plane("z + w + u + v + f + height", [0] * 6)
    assert crowded.equation.startswith("h0 = ")


@pytest.mark.parametrize("formula, point, expected", [
    ("x**2 + y**2", [0, 0], "minimum"),
    ("-(x**2) - 3*y**2", [0, 0], "maximum"),
    ("x**2 - y**2", [0, 0], "saddle"),
    ("x**3 - 3*x*y**2", [0, 0], "degenerate"),
    ("x**4 + y**2", [0, 0], "degenerate"),
    ("x**2 + y**2", [1, 0], None),
    ("cos(x) + cos(y)", [np.pi, 0], "saddle"),
])
def test_critical_points_are_classified(formula, point, expected):
    assert analyze(formula, point).critical_point == expected


def test_hessian_and_partial_match_sympy():
    x, y = sp.symbols("x y", real=True)
    expr = sp.exp(x * y) * sp.sin(x)
    a = {x: 0.3, y: -1.2}
    H = np.array(sp.hessian(expr, (x, y)).subs(a).evalf(), dtype=float)
    np.testing.assert_allclose(gdlab.hessian("exp(x*y)*sin(x)", [0.3, -1.2]), H, rtol=1e-13)
    assert float(gdlab.partial("exp(x*y)*sin(x)", [0.3, -1.2], "y")) == pytest.approx(
        float(expr.diff(y).subs(a)), rel=1e-14)


def test_numerical_method_reports_its_error_and_evaluations():
    r = analyze("rosenbrock", [-1.2, 1.0], method="richardson")
    assert r.method == "richardson"
    assert r.evaluations == 20
    exact = analyze("rosenbrock", [-1.2, 1.0])
    assert np.all(np.abs(np.array(r.gradient) - exact.gradient) <= np.array(r.error_estimate))
    assert exact.error_estimate is None and exact.evaluations is None


def test_callables_get_numerical_derivatives():
    r = analyze(lambda p: p[0] ** 2 * p[1], [2.0, 3.0])
    assert r.method == "central"
    assert r.gradient == pytest.approx([12.0, 4.0], rel=1e-9)
    with pytest.raises(ConfigError, match="no exact gradient"):
        analyze(lambda p: p[0], [1.0], method="exact")


def test_points_are_validated():
    with pytest.raises(PointError, match="has 3 coordinates; the function has 2"):
        analyze("x + y", [1, 2, 3])
    with pytest.raises(PointError, match="finite"):
        analyze("x", [np.inf])
    with pytest.raises(PointError, match="not defined"):
        analyze("log(x)", [-1.0])


def test_classification_tolerances_are_keywords():
    assert classify_critical_point([1e-7, 0], np.eye(2)) == "minimum"
    assert classify_critical_point([1e-7, 0], np.eye(2), grad_tol=1e-8) is None
    assert classify_critical_point([0, 0], np.diag([1.0, 1e-12])) == "degenerate"
    assert classify_critical_point([0, 0], np.diag([1.0, 1e-12]), eig_tol=1e-14,
                                   flat=0) == "minimum"
    # one rule with the diagnosis of runs: curvature within `flat` (1e-6) is no curvature
    assert classify_critical_point([0, 0], np.diag([1.0, 1e-7])) == "degenerate"
    assert classify_critical_point([0, 0], np.diag([1.0, -1e-7])) == "degenerate"  # not saddle


def test_an_objective_is_immutable_and_caches_its_derivatives_explicitly():
    f = gdlab.Objective.from_formula("x**3*y + y**2")
    with pytest.raises(AttributeError, match="immutable"):
        f.name = "g"
    with pytest.raises(AttributeError, match="immutable"):
        f.library = None
    x, y = sp.symbols("x y", real=True)
    assert f.gradient_exprs == [3 * x**2 * y, x**3 + 2 * y]  # SymPy's own derivatives
    assert f.gradient_exprs is f.gradient_exprs  # made once
    np.testing.assert_allclose(f.hessian([1.0, 2.0]), [[12.0, 3.0], [3.0, 2.0]])
    him = gdlab.functions.get("himmelblau").objective()
    assert him.library.name == "himmelblau"  # given to the constructor, not set afterwards
    with pytest.raises(ConfigError, match="only a formula"):
        gdlab.Objective.from_callable(lambda p: p[0] ** 2, 1).gradient_exprs


@pytest.mark.parametrize("formula, dim, name", [
    ("x**2 + y**2 + z**2", 3, "sphere"),
    ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", 2, "himmelblau"),
    ("x**2 + y**2 + z**2 - 20*relu(abs(x) - 2)", 3, None),  # a sphere only for |x| ≤ 2
    ("min(x**2, 1) + y**2 + z**2", 3, None),  # a sphere only for |x| ≤ 1
])
def test_a_typed_formula_is_a_library_function_only_where_they_agree_everywhere(
        formula, dim, name):
    """The piecewise formulas equal the sphere near the origin, where the first draw of
    points lies, and differ beyond: at x = 5, 25 − 20·3 = −35 against 25, and 1 against 25.
    Taken for the sphere, a run at f = −60 was told 'a lower value 0 is known'."""
    from gdlab.calculus import resolve

    obj = resolve(formula, dim)
    assert (obj.library.name if obj.library is not None else None) == name
    if name is None:
        x = np.array([5.0] + [0.0] * (dim - 1))
        assert obj.value(x) != 25.0


@pytest.mark.parametrize("formula, at, kind", [
    ("x*abs(x) + 0.1*x^2 + y^2", [0.0, 0.0], "saddle"),  # f'' = −1.8 left, 2.2 right
    ("0.01*x*abs(x) + 0.001*x^2", [0.0], "saddle"),  # the same, a hundredth as steep
    ("relu(x)^2 - 0.2*x^2", [0.0], "saddle"),  # f'' = −0.4 left, 1.6 right
    ("x**2 + 0.05*x*abs(x)", [0.0], "minimum"),  # f'' = 1.9 and 2.1: none, yet a minimum
    ("abs(x)^3 + y^2", [0.0, 0.0], "degenerate"),  # f'' = 6|x| is continuous: a Hessian
])
def test_no_hessian_where_the_second_derivatives_jump_across_a_kink(formula, at, kind):
    """x·|x| + 0.1x² at 0: the formula's 2·sign(x) + 0.2 reads 0.2 there, and the point was
    'minimum' — but f(−0.1) = −0.009 < 0 = f(0), and the one-sided second derivatives −1.8 and
    2.2 differ. No Hessian is given where they jump, and the kind is read from f beside."""
    from gdlab.calculus import analyze

    r = analyze(formula, at)
    jumps = kind != "degenerate"
    assert all(np.isnan(v) for row in r.hessian for v in row) == jumps
    assert r.critical_point == kind
    f = lambda x: x * abs(x) + 0.1 * x * x  # noqa: E731
    assert f(-0.1) < f(0.0) < f(0.1)


def test_a_small_gradient_far_from_its_critical_point_is_no_critical_point():
    """A small gradient on a gentle curvature is no critical point: 1e-8·(x² + y²) at (3, 4)
    has ‖∇f‖ = 1e-7 (below GRAD_TOL), but Newton's step to its minimum is 5 long; its steepest
    descent (−0.6, −0.8) is shown (it had been '—'). x⁴ at 0 stays degenerate."""
    from gdlab.calculus import analyze

    r = analyze("1e-8*(x**2 + y**2)", [3.0, 4.0])
    assert r.critical_point is None
    np.testing.assert_allclose(r.steepest_descent, [-0.6, -0.8])
    assert analyze("x**4", [0.0]).critical_point == "degenerate"



def test_a_hessian_across_a_kink_is_its_sides_value_not_the_formulas_at_it():
    """max(x, 0)² + max(−x, 0)² is x²: f'' = 2 on both sides of 0, where the formula
    2·Heaviside(−x)² + 2·Heaviside(x)² reads 1 (Heaviside(0) = ½); |x|³'s is 0."""
    from gdlab.calculus import analyze

    assert analyze("max(x,0)^2 + max(-x,0)^2", [0.0]).hessian == [[2.0]]
    assert analyze("abs(x)^3", [0.0]).hessian == [[0.0]]


@pytest.mark.parametrize("formula, differentiable", [
    ("sqrt(abs(x*y))", False),  # 0 along both axes, |t| along (1, 1): no gradient
    ("0.01*sqrt(abs(x*y))", False),
    ("abs(x*y)^(2/3)", True),  # |t|^(4/3) along (1, 1): slope 0, as the axes say
    ("abs(x)*abs(y)", True),  # |f| ≤ (x² + y²)/2: gradient 0
])
def test_a_gradient_at_a_kink_must_hold_along_the_diagonals_too(formula, differentiable):
    """At (0, 0) each of these is flat along both axes; whether f is differentiable there
    depends on the diagonals: √|xy| rises as |t| along (t, t) — D_u f = 1/√2 ≠ ∇f·u = 0."""
    from gdlab.errors import PointError

    t = 1e-6
    f = lambda x, y: abs(x * y) ** 0.5  # noqa: E731
    assert f(t, t) / (t * np.sqrt(2)) == pytest.approx(1 / np.sqrt(2))
    if differentiable:
        np.testing.assert_allclose(gdlab.calculus.gradient(formula, [0.0, 0.0]), [0.0, 0.0])
    else:
        with pytest.raises(PointError, match="not differentiable"):
            gdlab.calculus.gradient(formula, [0.0, 0.0])
