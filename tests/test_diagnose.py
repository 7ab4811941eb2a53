"""Diagnosis: a case built for every label, the precedence between them, and the numbers the
explanations quote (checked against closed forms)."""

import numpy as np
import pytest

from gdlab.diagnose import LABELS, diagnose, stability_bound
from gdlab.engine import run
from gdlab.optim import make
from gdlab.optim.schedules import parse_schedule


def labels(result):
    return [[d.label for d in row] for row in result.diagnoses()]


def test_learning_rate_too_large_diverges_with_the_bound_in_the_advice():
    r = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd", lr=10, max_steps=100)
    d = r.diagnoses()[0][0]
    assert d.label == "diverged"
    assert d.lambda_max == pytest.approx(2.0)
    assert d.stability_bound == pytest.approx(1.0)  # 2/λmax, λmax = 2
    assert "learning rate 10 is 10× above the stability bound 1" in d.advice


def test_learning_rate_too_small_is_slow():
    r = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd", lr=1e-10, max_steps=100)
    d = r.diagnoses()[0][0]
    assert d.label == "slow"
    assert "1e+10× below the stability bound 1" in d.advice


@pytest.mark.parametrize("scale, start", [(1e-6, 3.0), (1e-4, 0.04)])
def test_a_small_gradient_on_a_very_flat_bowl_is_slow_not_a_minimum(scale, start):
    """scale·x², lr 0.1, 2000 steps: x = start·(1 − 0.2·scale)²⁰⁰⁰ and ‖∇f‖ = 2·scale·x is
    under grad_zero (1e-5), but the minimum is at 0, x away — far more than the run went
    (1e-6·x² from 3: 0.0012). Slow, and the advice raises the rate under the bound
    2/λ = 1/scale; with it the run does reach 0."""
    r = run(f"{scale}*x**2", [[start]], "gd", lr=0.1, max_steps=2000)
    d = r.diagnoses()[0][0]
    end = start * (1 - 0.2 * scale) ** 2000
    np.testing.assert_allclose(r.final[0, 0], end, rtol=1e-12)
    assert r.gradient_norm[0, 0] == pytest.approx(2 * scale * end) and 2 * scale * end < 1e-5
    assert d.label == "slow" and "minimum" not in d.explanation
    assert d.stability_bound == pytest.approx(1 / scale)
    assert 0.1 < d.suggestion["lr"] < 1 / scale
    again = run(f"{scale}*x**2", [[start]], "gd", lr=d.suggestion["lr"], max_steps=2000)
    assert abs(again.final[0, 0]) < 1e-6 and again.diagnoses()[0][0].label == "minimum"


def test_a_bowl_flat_in_one_direction_is_slow_and_momentum_is_advised():
    """x² + 1e-6·y² from (1, 1), lr 0.4: x is done, y has shrunk by (1 − 0.8e-6) a step —
    the run went 1 along x but 0.004 along y, while the minimum is still ~1 away along y.
    Slow, not a minimum; the steepest curvature (2) holds the rate under its bound 1, so the
    lesson is the narrow bowl, and the momentum it suggests gets there: on x² + 0.001·y²
    within the same 1000 steps that plain GD needs ~20000 for."""
    r = run("x**2 + 1e-6*y**2", [[1.0, 1.0]], "gd", lr=0.4, max_steps=5000)
    d = r.diagnoses()[0][0]
    assert d.label == "slow" and d.suggestion["optimizer"] == "momentum"
    r = run("x**2 + 0.001*y**2", [[1.0, 1.0]], "gd", lr=0.4, max_steps=1000)
    d = r.diagnoses()[0][0]
    # a step shrinks y's error by 1 − lr·λmin = 1 − 0.0008; the suggestion keeps the rate
    assert d.label == "slow" and "factor 1 − 0.0008" in d.explanation
    s = d.suggestion
    assert s["optimizer"] == "momentum" and 0 < s["momentum"] < 1 and s["lr"] == 0.4
    again = run("x**2 + 0.001*y**2", [[1.0, 1.0]], "momentum", lr=s["lr"],
                momentum=s["momentum"], max_steps=1000)
    assert labels(again) == [["minimum"]]


def test_a_gentle_slope_beside_a_bowl_is_no_critical_point():
    """x² + 5e-6·y has no minimum: ∇f = (2x, 5e-6) never vanishes, yet ‖∇f‖ ends under
    grad_zero. With no curvature along y the Newton step that way is endless: not a critical
    point, and the probe finds the fall along −y (f far along it the closed form's)."""
    from gdlab.diagnose import facts

    r = run("x**2 + 5e-6*y", [[1.0, 3.0]], "gd", lr=0.1, max_steps=2000)
    f, d = facts(r)[0][0], r.diagnoses()[0][0]
    assert r.gradient_norm[0, 0] < 1e-5 and d.label == "unbounded"
    np.testing.assert_allclose(f.descent, [0.0, -1.0], atol=1e-6)
    x, y = f.final
    np.testing.assert_allclose(f.falls_to, x * x + 5e-6 * (y - f.falls_distance), rtol=1e-6)
    assert labels(run("x**2 + 1e-7*y**2", [[1.0, 1.0]], "gd", lr=0.4,
                      max_steps=2000)) == [["slow"]]  # its minimum (0, 0) is 1 away


def test_the_momentum_advised_for_a_narrow_valley_was_tried_from_each_start():
    """Rosenbrock's valley is narrow (curvatures 0.4 and 1000 at its minimum), but steeper
    still at many starts: a momentum tuned to the minimum carried some runs up a wall and
    over. Each run is advised momentum only where that momentum, run from its start with the
    same budget, ended lower and did not diverge."""
    starts = np.random.default_rng(1).uniform(-2, 2, (40, 2))
    r = run("rosenbrock", starts, "gd", lr=1e-3, max_steps=2000)
    advised = 0
    for b, d in enumerate(r.diagnoses()[0]):
        s = d.suggestion or {}
        if s.get("optimizer") != "momentum":
            continue
        advised += 1
        again = run("rosenbrock", starts[b:b + 1], "momentum", lr=s["lr"],
                    momentum=s["momentum"], max_steps=2000)
        assert again.status[0, 0] != "diverged" and again.value[0, 0] < r.value[0, b]
    assert advised >= 10


def test_a_suggestion_that_backfires_from_the_start_is_withdrawn_and_said_so():
    """Beale from (1.126, 3.575), lr 1e-3: slow, 40.8× below the bound at the minimum, so
    the advice names lr = 0.01 — but the curvature at this start is far larger (the run
    begins at f = 3062), and lr = 0.01 blows up in two steps. The diagnosis tries it from
    the start before offering it."""
    start = [[1.1258592, 3.57492421]]
    d = run("beale", start, "gd", lr=1e-3, max_steps=500).diagnoses()[0][0]
    assert d.label == "slow" and "try lr=0.01" in d.advice and d.suggestion is None
    assert "Tried from this start, that diverged after 2 steps" in d.advice
    tried = run("beale", start, "gd", lr=0.01, max_steps=500)
    assert tried.status[0, 0] == "diverged" and tried.steps[0, 0] == 2
    fine = run("sphere", [[3.0, 4.0]], "gd", lr=1e-3, max_steps=500).diagnoses()[0][0]
    assert fine.suggestion == {"lr": 0.01} and "Tried" not in fine.advice
    # a schedule is tried too: abs(x) + y² from (2, 1) rattles at the kink, but a rate that
    # falls tenfold over 300 steps covers only 0.01·ln 10/0.03 ≈ 0.77 of the 2 to go
    kink = run("abs(x) + y**2", [[2.0, 1.0]], "gd", lr=0.01, max_steps=300).diagnoses()[0][0]
    assert "schedule=inverse_time:0.03" in kink.advice and kink.suggestion is None
    assert "Tried from this start, that ended higher" in kink.advice
    # with gradient noise the rows of a call share the draws: a try of some rows would get
    # another run's noise, so nothing is tried
    noisy = run("x**2 + 10*y**2", [[0.01, 0.01], [0.2, 0.1]], make("adam", lr=0.1, noise=2.0),
                max_steps=30).diagnoses()[0]
    assert all(d.suggestion is not None and "Tried" not in d.advice for d in noisy)


def test_momentum_far_below_the_bound_is_told_to_raise_the_rate():
    """1e-6·x² with momentum 0.9, lr 0.1: the bound 2(1 + μ)/λ is 1.9e6 — the rate, not the
    momentum, holds it back; half the bound reaches the minimum."""
    r = run("1e-6*x**2", [[3.0]], "momentum", lr=0.1, momentum=0.9, max_steps=2000)
    d = r.diagnoses()[0][0]
    assert d.label == "slow" and d.suggestion == {"lr": pytest.approx(9.5e5)}
    again = run("1e-6*x**2", [[3.0]], "momentum", lr=9.5e5, momentum=0.9, max_steps=2000)
    assert labels(again) == [["minimum"]]


def test_momentum_far_below_the_bound_of_a_narrow_bowl_is_told_to_raise_the_rate():
    """x² + 100y² from (5, 1), momentum 0.9 at lr 1e-6, 300 steps: the bound 2(1 + μ)/200 is
    0.019, 19,000× above. The retuning within a tenfold rate (lr 1e-5, momentum 0.99) still
    crawls, so it was offered as "momentum limits the speed"; half the bound, 0.0095, is what
    holds the run back, and it reaches the minimum in the same steps."""
    f, start = "x**2 + 100*y**2", [[5.0, 1.0]]
    d = run(f, start, "momentum", lr=1e-6, max_steps=300).diagnoses()[0][0]
    assert d.suggestion == {"lr": 0.0095} and "below the stability bound 0.019" in d.advice
    half = run(f, start, "momentum", lr=0.0095, max_steps=300)
    retuned = run(f, start, "momentum", lr=1e-5, momentum=0.99, max_steps=300)
    assert half.value[0, 0] < 1e-9 < 1 < retuned.value[0, 0]


def test_an_oscillating_run_far_below_its_bound_is_told_its_momentum_swings_it():
    """x² + y² from (5, 1), momentum 0.999 at lr 1e-3: the bound 2(1 + μ)/λ = 1.999 is 2000×
    above the rate, yet the run swings (√0.999 ≈ 1 − 0.0005 a step). It was told the rate is
    "near the stability bound … the learning rate is right; allow more steps" (5000 steps end
    at f = 0.115). The momentum swings it: the retuning lowers it, and converges."""
    f, start = "x**2 + y**2", [[5.0, 1.0]]
    r = run(f, start, "momentum", lr=1e-3, momentum=0.999, max_steps=500)
    d = r.diagnoses()[0][0]
    assert d.label == "oscillating" and "well below the stability bound 2" in d.explanation
    assert "Momentum 0.999 makes each step overshoot" in d.explanation
    assert "the learning rate is right" not in d.advice
    assert d.suggestion["momentum"] < 0.999
    again = run(f, start, "momentum", **d.suggestion, max_steps=500)
    assert again.status[0, 0] == "converged" and r.status[0, 0] == "max_steps"


@pytest.mark.parametrize("optimizer, lr, bound", [
    ("momentum", 0.019, 2 * 1.9 / 200),  # at momentum's bound 2(1 + μ)/λmax: undamped
    ("gd", 0.0102, 2 / 200)])  # just above gd's: the swing grows
def test_a_run_that_rose_at_or_above_its_bound_is_told_the_bound_not_a_pole(
        optimizer, lr, bound):
    """x² + 100y² is a polynomial, with no pole; a run at or above its stability bound ends
    higher than it started because each swing grows. It was told "a step overshot (perhaps
    across a pole of f)" and a tenth of its rate; now the bound, and half of it."""
    r = run("x**2 + 100*y**2", [[5.0, 1.0]], optimizer, lr=lr, max_steps=300)
    d = r.diagnoses()[0][0]
    assert r.value[0, 0] > r.start_value[0, 0] and r.status[0, 0] != "diverged"
    assert "pole" not in d.explanation and f"stability bound {bound:.3g}" in d.explanation
    assert d.suggestion == {"lr": float(f"{bound / 2:.3g}")}


def test_a_pole_is_offered_as_a_cause_of_a_rise_only_where_f_can_have_one():
    """NAdam at lr 0.5 on Rosenbrock (a polynomial) ends higher than it started; no bound
    explains it (adaptive), and no pole can: the lesson says the step overshot. Whether f is
    finite everywhere is read from the formula (SymPy)."""
    from gdlab.calculus import resolve
    from gdlab.diagnose import finite_everywhere

    r = run("rosenbrock", [[-1.0, 1.0]], "nadam", lr=0.5, max_steps=2000)
    d = r.diagnoses()[0][0]
    assert r.value[0, 0] > r.start_value[0, 0] and d.label == "oscillating"
    assert "overshot" in d.explanation and "pole" not in d.explanation
    finite = {f: finite_everywhere(resolve(f, 2, None)) for f in (
        "rosenbrock", "exp(x) + sin(y)**3", "1/x + y**2", "log(x) + y", "x**(-2) + y",
        "sqrt(x**2 + 1) + y", "log(1 + x**2) + y", "x**2.0 + y", "1/(1 + x**2) + y",
        "ackley", "sqrt(x) + y", "x**1.5 + y", "x**y")}
    # √(x² + 1) ≥ 1, 1 + x² ≥ 1 and √(x² + y²) ≥ 0 everywhere: no pole; √x, x^1.5 and x^y are
    # not real for x < 0, 1/x and x⁻² blow up at 0
    assert finite == {"rosenbrock": True, "exp(x) + sin(y)**3": True, "1/x + y**2": False,
                      "log(x) + y": False, "x**(-2) + y": False, "sqrt(x**2 + 1) + y": True,
                      "log(1 + x**2) + y": True, "x**2.0 + y": True, "1/(1 + x**2) + y": True,
                      "ackley": True, "sqrt(x) + y": False, "x**1.5 + y": False,
                      "x**y": False}


def test_the_number_a_retuning_changes_is_the_one_said_to_limit_the_speed():
    """Beale from (1, 1), momentum 0.9 at lr 1e-3: the best retuning keeps momentum 0.9 and
    raises the rate ninefold — "the learning rate limits the speed", and only the rate is
    suggested (it said "momentum limits the speed, not the learning rate"). Applied, it
    converges within the steps; the run does not."""
    start = [[1.0, 1.0]]
    r = run("beale", start, "momentum", lr=1e-3, max_steps=1000)
    d = r.diagnoses()[0][0]
    assert d.advice.startswith("the learning rate limits the speed here, not momentum 0.9")
    assert set(d.suggestion) == {"lr"}
    again = run("beale", start, "momentum", **d.suggestion, max_steps=1000)
    assert r.status[0, 0] == "max_steps" and again.status[0, 0] == "converged"


def test_a_slow_tail_into_a_degenerate_minimum_is_still_that_minimum():
    """x⁴ from 1, lr 0.1: after 2·10⁴ steps x ≈ 1/√(0.8·2·10⁴) ≈ 0.0079, ‖∇f‖ = 4x³ ≈ 2e-6;
    the quadratic model's minimiser is x/3 away — less than the whole way the run went, so
    the flat-bowl rule above leaves it at the minimum it reached. A bowl of ordinary
    curvature stopped by the step limit likewise."""
    r = run("x**4", [[1.0]], "gd", lr=0.1, max_steps=20_000)
    assert r.final[0, 0] == pytest.approx((0.8 * 20_000) ** -0.5, rel=0.01)
    assert r.gradient_norm[0, 0] < 1e-5
    assert labels(r) == [["minimum"]]
    r = run("(x - 1)**2 + 0.01*(y + 2)**2", [[0.0, 0.0]], "gd", lr=0.1, max_steps=8000,
            tol=0)
    assert r.gradient_norm[0, 0] <= 1e-5 and labels(r) == [["minimum"]]


def test_saddle_of_the_hyperbolic_paraboloid_from_1_0():
    r = run("x**2 - y**2", [[1.0, 0.0]], "gd", lr=0.1, max_steps=1000)
    d = r.diagnoses()[0][0]
    assert d.label == "saddle"
    assert sorted(d.eigenvalues) == pytest.approx([-2.0, 2.0])


def test_local_and_global_minimum_in_one_call():
    r = run("x**4 - 3*x**2 + x + 2*y**2", [[2.0, 1.0], [-2.0, 1.0]], "gd", lr=0.01,
            max_steps=5000)
    assert labels(r) == [["local_minimum", "global_minimum"]]
    # minima of x⁴ − 3x² + x: roots of 4x³ − 6x + 1 (closed form by numpy.roots)
    roots = np.sort(np.roots([4, 0, -6, 1]).real)
    np.testing.assert_allclose(r.final[0, :, 0], [roots[2], roots[0]], atol=1e-7)
    assert "lowest found" in r.diagnoses()[0][1].explanation
    # with y² it is the library's double_well: one run is enough, and the text says why
    alone = run("x**4 - 3*x**2 + x + y**2", [[2.0, 1.0]], "gd", lr=0.01, max_steps=5000)
    named = run("double_well", [[2.0, 1.0]], "gd", lr=0.01, max_steps=5000)
    assert labels(alone) == labels(named) == [["local_minimum"]]
    glob = run("x**4 - 3*x**2 + x + y**2", [[-2.0, 1.0]], "gd", lr=0.01, max_steps=5000)
    assert "double_well, the library function this formula is" in \
        glob.diagnoses()[0][0].explanation


def test_plateau_beside_a_run_that_reaches_the_minimum():
    r = run("1 - exp(-(x**2 + y**2))", [[4.0, 4.0], [1.0, 0.5]], "gd", lr=0.1, max_steps=2000)
    assert labels(r) == [["plateau", "global_minimum"]]


def test_plateau_from_the_library_needs_no_second_run():
    r = run("plateau", [[4.0, 4.0]], "gd", lr=0.1, max_steps=2000)
    assert labels(r) == [["plateau"]]


def test_oscillation_just_under_the_stability_bound():
    """x²/20 + y²: λmax = 2, bound 1. At lr 0.95 the y-part of each step is multiplied by
    1 − 2·0.95 = −0.9: it flips sign every step."""
    r = run("x**2/20 + y**2", [[-7.0, 2.0]], "gd", lr=0.95, max_steps=30)
    d = r.diagnoses()[0][0]
    assert d.label == "oscillating"
    assert d.stability_bound == pytest.approx(1.0)
    assert "lr·λmax = 1.9" in d.explanation
    calm = run("x**2/20 + y**2", [[-7.0, 2.0]], "gd", lr=0.3, max_steps=30)
    assert calm.diagnoses()[0][0].label == "slow"


def test_himmelblau_minima_are_all_global():
    starts = [[1.0, 1.0], [-1.0, 4.0], [-4.0, -4.0], [4.0, -4.0]]
    r = run("himmelblau", starts, "gd", lr=0.01, max_steps=2000)
    assert labels(r) == [["global_minimum"] * 4]
    found = {tuple(np.round(d.nearest_minimum["location"], 3)) for d in r.diagnoses()[0]}
    assert len(found) == 4
    assert all(d.nearest_minimum["distance"] < 1e-7 for d in r.diagnoses()[0])


def test_six_hump_camel_local_minimum_from_the_library():
    r = run("six_hump_camel", [[1.7, -0.8], [0.0, -0.7]], "gd", lr=0.01, max_steps=5000)
    assert labels(r) == [["local_minimum", "global_minimum"]]


def test_maximum():
    r = run("-(x**2) - y**2", [[0.0, 0.0]], "gd", lr=0.1, max_steps=10)
    assert labels(r) == [["maximum"]]
    r = run("himmelblau", [[-0.27084459066734761, -0.92303855647998146]], "gd", lr=0.01,
            max_steps=10, tol=1e-6)
    assert labels(r) == [["maximum"]]


def test_minimum_with_nothing_to_compare():
    r = run("(x - 1)**2 + 3*(y + 2)**2", [[0.0, 0.0]], "gd", lr=0.1, max_steps=1000)
    assert labels(r) == [["minimum"]]


def test_newton_parks_on_a_saddle_where_gd_does_not():
    r = run("himmelblau", [[0.0, 2.8]], ["newton", "gd:0.01"], max_steps=500)
    assert labels(r) == [["saddle"], ["global_minimum"]]


def test_precedence_diverged_beats_oscillating():
    r = run("x**2/20 + y**2", [[-7.0, 2.0]], "gd", lr=1.05, max_steps=2000)
    assert labels(r) == [["diverged"]]  # it also oscillates on the way out


def test_oscillating_beats_slow_within_the_budget():
    r = run("x**2/20 + y**2", [[-7.0, 2.0]], "gd", lr=0.99, max_steps=200)
    d = r.diagnoses()[0][0]
    assert d.label == "oscillating"
    assert r.value[0, 0] < r.start_value[0, 0]  # it was also still descending


def test_every_label_has_a_case_above():
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    for label in LABELS:
        assert f'"{label}"' in source


def test_thresholds_are_keywords():
    r = run("1 - exp(-(x**2 + y**2))", [[3.5, 3.5], [1.0, 0.5]], "gd", lr=0.1, max_steps=3000)
    default = [d.label for d in r.diagnoses()[0]]
    strict = [d.label for d in diagnose(r, flat=1e-12, plateau=1e-12)[0]]
    assert default[0] == "plateau"
    assert strict[0] != "plateau"


def test_stability_bounds_of_momentum_methods():
    """Heavy ball on λx²/2 is stable for lr·λ < 2(1 + μ): check by running it."""
    lam, mu = 2.0, 0.5
    bound = stability_bound(lam, "momentum", mu)
    assert bound == pytest.approx(1.5)
    below = run("x**2", [[1.0]], make("momentum", lr=0.97 * bound, momentum=mu), max_steps=3000)
    above = run("x**2", [[1.0]], make("momentum", lr=1.03 * bound, momentum=mu), max_steps=3000)
    assert below.status[0, 0] != "diverged" and above.status[0, 0] == "diverged"
    nb = stability_bound(lam, "nesterov", mu)
    below = run("x**2", [[1.0]], make("nesterov", lr=0.97 * nb, momentum=mu), max_steps=3000)
    above = run("x**2", [[1.0]], make("nesterov", lr=1.03 * nb, momentum=mu), max_steps=3000)
    assert below.status[0, 0] != "diverged" and above.status[0, 0] == "diverged"


def test_classify_decides_from_the_facts_alone():
    """Deciding is apart from wording: the label follows the facts record, rule by rule."""
    from dataclasses import replace

    from gdlab.diagnose import classify, explain, facts

    r = run("x**2 - 2*y**2", [[1.0, 0.0]], "gd", lr=0.1, max_steps=1000)
    f = facts(r, grad_zero=1e-5, flat=1e-6, value_tol=1e-6, oscillation=0.5, eig_tol=1e-8,
              near_point=1e-3)[0][0]
    assert f.positive and f.negative and f.near_critical
    assert classify(f) == "saddle" == r.diagnoses()[0][0].label
    assert classify(replace(f, negative=False, unbounded=False)) == "minimum"  # none to compare
    assert classify(replace(f, negative=False, best=-1.0)) == "local_minimum"
    assert classify(replace(f, positive=False)) == "maximum"
    assert classify(replace(f, near_critical=False, oscillation=0.9)) == "oscillating"
    assert classify(replace(f, status="diverged")) == "diverged"
    assert classify(replace(f, status="diverged", falls_to=-1e30)) == "unbounded"
    text, advice = explain("saddle", f)
    assert text.startswith("stopped at a saddle point (")
    assert f.escape_unbounded and "f is unbounded below" in advice  # x² − 2y² has no minimum


# --- unbounded, events, summary, where the bound was taken -----------------------------------


@pytest.mark.parametrize("formula, start, lr, direction", [
    # x² − y² escaping its saddle: y grows by (1 + 2·lr) per step, the descent is along +y
    ("x**2 - y**2", [1.0, 0.01], 0.1, [0.0, 1.0]),
    # x − 2y: ∇f = (1, −2) everywhere, the descent direction is (−1, 2)/√5
    ("x - 2*y", [1.0, 1.0], 0.1, [-1 / 5**0.5, 2 / 5**0.5]),
    # x³ from −0.5: f′ = 3x² > 0, the descent is along −x and f → −∞
    ("x**3", [-0.5], 0.1, [-1.0]),
    # a slope beside a bowl: f → −∞ along −x, while the ray along −∇f bends into y²'s bowl
    # (found along −∇f's part where f does not curve up: exactly −x)
    ("48.5*x + y**2", [1.0, 1.0], 0.1, [-1.0, 0.0]),
    ("x + y**2 + z**2", [1.0, 1.0, 1.0], 0.1, [-1.0, 0.0, 0.0]),
    # x − y falls along (−1, 1)/√2, where (x + y)² is level
    ("x - y + (x + y)**2", [1.0, 1.0], 0.1, [-1 / 2**0.5, 1 / 2**0.5]),
])
def test_a_function_without_minimum_is_unbounded_never_a_learning_rate_problem(
        formula, start, lr, direction):
    for rate in (lr, lr / 10, lr / 100):  # the label does not depend on the step size
        d = run(formula, [start], "gd", lr=rate, max_steps=1000).diagnoses()[0][0]
        assert d.label == "unbounded"
        assert d.suggestion is None
        assert "learning rate" not in d.advice.replace("no learning rate", "")
        assert d.bound_at == start  # a run that fell without bound: its bound is the start's
    r = run(formula, [start], "gd", lr=lr, max_steps=1000)
    from gdlab.diagnose import facts

    f = facts(r, grad_zero=1e-5, flat=1e-6, value_tol=1e-6, oscillation=0.5, eig_tol=1e-8,
              near_point=1e-3)[0][0]
    np.testing.assert_allclose(f.descent, direction, atol=1e-6)


def test_a_bowl_blown_up_by_a_large_step_is_still_diverged():
    d = run("x**2 + y**2", [[3.0, 4.0]], "gd", lr=1.5, max_steps=200).diagnoses()[0][0]
    assert d.label == "diverged" and d.suggestion == {"lr": 0.5}  # half the bound 2/λmax = 1


def test_near_saddle_event_where_the_path_lingers_and_leaves():
    """f = x² + y⁴/4 − y²/2: a saddle at (0, 0), minima at (0, ±1). From (1, 1e-4) gradient
    descent with lr 0.1 shrinks x by 0.8 and grows y by 1.1 per step: ‖∇f‖ is smallest where
    2·0.8ᵗ = 1e-4·1.1ᵗ, t = ln(2e4)/ln(1.375) ≈ 31, next to the saddle; then it leaves for
    (0, 1)."""
    r = run("x**2 + y**4/4 - y**2/2", [[1.0, 1e-4]], "gd", lr=0.1, max_steps=400,
            record="all")
    d = r.diagnoses()[0][0]
    (event,) = d.events
    assert event["kind"] == "near_saddle"
    assert np.linalg.norm(event["at"]) < 5e-3
    assert abs(event["step"] - np.log(2e4) / np.log(1.375)) <= 2
    assert event["steps"] > 10
    assert "slowed down beside a saddle at (" in d.explanation
    assert f"for about {event['steps']} steps (around step {event['step']})" in d.explanation
    assert np.allclose(r.final[0, 0], [0.0, 1.0], atol=1e-6)
    none = run("x**2 + y**2", [[1.0, 1.0]], "gd", lr=0.1, max_steps=400, record="all")
    assert none.diagnoses()[0][0].events == []


def test_no_saddle_event_where_f_has_no_critical_point():
    """tanh x + y² has ∇f = (sech² x, 2y), never zero: no saddle anywhere. From (3, 1) the
    path's ‖∇f‖ dips where y ≈ 0 and x ≈ 3 (sech² 3 ≈ 0.01), on ground that bends both ways
    (∂²f/∂x² = −2 tanh x sech² x < 0), then rises toward x = 0: no event names a saddle."""
    r = run("tanh(x) + y**2", [[3.0, 1.0]], "gd", lr=0.1, max_steps=1000, record="all")
    g = r.gradient_norms[:, 0, 0]
    assert g.min() < 0.05 * g.max() and np.argmin(g[:200]) > 10  # the dip is there
    d = r.diagnoses()[0][0]
    assert d.events == [] and "saddle" not in d.explanation


def test_a_degenerate_saddle_is_still_a_saddle_event():
    """The monkey saddle x³ − 3xy² has ∇f = 0 and a zero Hessian at the origin, yet f(−h, 0) =
    −h³ < 0 = f(0, 0): a saddle. From (0.5, 1e-3) x creeps toward 0 (x ← x − 0.3x²) while y
    grows slowly, then the path leaves along a valley; the event names the origin."""
    r = run("x**3 - 3*x*y**2", [[0.5, 1e-3]], "gd", lr=0.1, max_steps=500, record="all")
    (event,) = r.diagnoses()[0][0].events
    assert event["kind"] == "near_saddle" and np.linalg.norm(event["at"]) < 1e-5


def test_summary_counts_every_label_once_with_an_example():
    from gdlab.diagnose import summary

    starts = np.random.default_rng(0).uniform(-5, 5, (200, 2))
    r = run("himmelblau", starts, "gd", lr=0.02, max_steps=300)
    flat = r.diagnoses()[0]
    s = summary(flat)
    counts = {}
    for d in flat:
        counts[d.label] = counts.get(d.label, 0) + 1
    assert {k: v["count"] for k, v in s.items()} == counts
    for label, entry in s.items():
        example = flat[entry["example"]]
        assert example.label == label and example.explanation == entry["explanation"]
        assert entry["suggestion"] == example.suggestion


def test_the_bound_is_taken_at_the_minimum_the_run_reaches():
    """Himmelblau at lr 0.02 from (4, −2): the run rattles around the minimum near
    (3.584, −1.848), whose λmax (SymPy's Hessian there) makes 2/λmax < 0.02."""
    import sympy as sp

    from gdlab import functions

    r = run("himmelblau", [[4.0, -2.0]], "gd", lr=0.02, max_steps=300)
    d = r.diagnoses()[0][0]
    x, y = sp.symbols("x y")
    f = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
    loc = min((p.location for p in functions.get("himmelblau").minima()),
              key=lambda p: np.hypot(p[0] - 3.584, p[1] + 1.848))
    lam = max(np.linalg.eigvalsh(np.array(sp.hessian(f, (x, y)).subs({x: loc[0], y: loc[1]})
                                          .evalf(30), dtype=float)))
    assert d.label == "oscillating"
    assert d.bound_at == pytest.approx(list(loc))
    assert d.stability_bound == pytest.approx(2 / lam, rel=1e-12) and d.stability_bound < 0.02
    assert f"at the minimum ({loc[0]:.4g}, {loc[1]:.4g})" in d.explanation
    assert d.suggestion == {"lr": float(f"{1 / lam:.3g}")}


# --- honest about underflow, poles and runs that did not move ------------------------------


def test_a_run_of_zero_steps_says_so():
    d = run("x**2 + y**2", [[1.0, 1.0]], "gd", lr=0.1, max_steps=0).diagnoses()[0][0]
    assert d.label == "slow" and d.explanation == "no step was taken: the step limit is 0."
    assert d.suggestion == {"max_steps": 1000}


@pytest.mark.parametrize("lr", [1e-300, 1e-50])
def test_steps_too_small_to_move_x_are_slow_not_oscillating(lr):
    """x0² + x1² from (1, 1): lr·‖∇f‖ = 2.8·lr is below the spacing of doubles at 1 (2.2e-16),
    so x never changes; the bound 2/λmax = 1, half of it is suggested."""
    d = run("x0**2 + x1**2", [[1.0, 1.0]], "gd", lr=lr, max_steps=100).diagnoses()[0][0]
    assert d.label == "slow" and "did not move x at all" in d.explanation
    assert d.suggestion == {"lr": 0.5}


@pytest.mark.parametrize("formula, start, lr", [
    ("sigmoid(x)", -800.0, 0.1),  # σ(−800) = e^−800 underflows to 0, and so does σ′
    ("exp(x)", 10.0, 1000.0),  # the first step lands at 10 − 1000·e^10 ≈ −2.2e7
])
def test_an_underflowed_tail_is_a_plateau_not_a_minimum(formula, start, lr):
    d = run(formula, [[start]], "gd", lr=lr, max_steps=100).diagnoses()[0][0]
    assert d.label == "plateau" and "the gradient underflowed" in d.explanation
    assert d.suggestion is None
    true = run("x**4", [[0.0]], "gd", lr=0.1, max_steps=10).diagnoses()[0][0]
    assert true.label == "minimum"  # ∇f = 0 exactly too, but f = h⁴ > 0 beside it


def test_a_step_across_a_pole_is_not_called_a_descent():
    """f = −1/x from 0.5 with lr 5: ∇f = 1/x² = 4, the first step lands at −19.5, across the
    pole at 0, where f = 1/19.5 > f(0.5) = −2. The tenfold smaller rate the advice names
    crosses it too (0.5 − 0.5·4 = −1.5): tried from the start, it is withdrawn, and said so."""
    d = run("0 - 1/x", [[0.5]], "gd", lr=5, max_steps=1000).diagnoses()[0][0]
    assert d.label == "oscillating"
    assert d.explanation.startswith("f ended higher than it started, from -2 to")
    assert "try lr=0.5" in d.advice and d.suggestion is None
    assert "Tried from this start, that ended higher" in d.advice
    again = run("0 - 1/x", [[0.5]], "gd", lr=0.5, max_steps=1000)
    assert again.path[1, 0, 0, 0] == pytest.approx(-1.5)


def test_slow_momentum_is_told_to_lower_its_momentum_with_the_closed_form_rates():
    """Heavy ball on x²/20 + y² (λ = 0.1, 2) at lr 0.1, μ = 0.9: both modes are complex, so
    the error shrinks by √μ = 0.949 per step whatever the learning rate."""
    r = run("ill_conditioned", [[-7.0, 2.0]], make("momentum", lr=0.1, momentum=0.9),
            max_steps=100, tol=1e-6)
    d = r.diagnoses()[0][0]
    assert d.label == "slow"
    assert f"shrinks the error by {0.9 ** 0.5:.3g}" in d.advice
    lr, mu = d.suggestion["lr"], d.suggestion["momentum"]
    assert mu < 0.9 and lr <= 1.0  # at most ten times the learning rate
    # the rate promised, from the characteristic roots z² − (1 + μ − lr·λ)z + μ, is kept
    rate = max(max(abs(np.roots([1, -(1 + mu - lr * lam), mu]))) for lam in (0.1, 2.0))
    assert f"by {rate:.3g}" in d.advice
    after = run("ill_conditioned", [[-7.0, 2.0]], make("momentum", lr=lr, momentum=mu),
                max_steps=100, tol=1e-6)
    assert after.value[0, 0] < r.value[0, 0] / 100


def test_the_cone_tip_is_a_kink():
    d = run("sqrt(x**2 + y**2)", [[1.0, 1.0]], "gd", lr=0.1, max_steps=1000).diagnoses()[0][0]
    assert d.label == "oscillating" and "rattles across a kink" in d.explanation
    assert d.suggestion == {"schedule": "inverse_time:0.009"}


def test_momentum_rattling_about_a_kink_is_told_to_let_the_step_shrink():
    """|x| + y² with momentum 0.9 at lr 0.01 rattles about x = 0 at 0.0203 — a step with
    momentum carries 0.9 of the one before, farther than lr·|f'| = 0.01 — and 5000 steps end
    no lower (0.019): it was told "the learning rate is right; allow more steps". A shrinking
    step (the suggested schedule) ends lower in the same steps."""
    f, start = "abs(x) + y**2", [[-0.7993348603550983, 1.4942137815850476]]
    r = run(f, start, "momentum", lr=0.01, max_steps=500)
    d = r.diagnoses()[0][0]
    assert "rattles across a kink" in d.explanation and set(d.suggestion) == {"schedule"}
    longer = run(f, start, "momentum", lr=0.01, max_steps=5000)
    assert longer.value[0, 0] > 0.9 * r.value[0, 0]
    shrinking = run(f, start, make("momentum", lr=0.01,
                                   schedule=parse_schedule(d.suggestion["schedule"])),
                    max_steps=500)
    assert shrinking.value[0, 0] < r.value[0, 0] / 3


def test_newton_at_a_saddle_is_told_a_gradient_descent_rate_that_holds():
    """x⁴ − 2x² + y² from (0.3, 1): Newton (lr 1) stops at the saddle (0, 0). "Use gd" at the
    command's own lr 1 diverges in a few steps; half gd's bound at the saddle, 2/λmax = 2/2 →
    0.5, is twice the bound 2/8 at the minima (±1, 0), where gd at it only swings. Of 0.5 and
    its halves the largest that converges within the steps is offered: 0.125 (0.25 is the
    bound itself)."""
    f, start = "x**4 - 2*x**2 + y**2", [[0.3, 1.0]]
    d = run(f, start, "newton", lr=1.0, max_steps=100).diagnoses()[0][0]
    assert d.label == "saddle" and "lr=0.5, half its stability bound" in d.advice
    assert d.suggestion == {"optimizer": "gd", "lr": 0.125}
    assert run(f, start, "gd", lr=1.0, max_steps=100).status[0, 0] == "diverged"
    for lr in (0.5, 0.25):
        assert run(f, start, "gd", lr=lr, max_steps=100).status[0, 0] == "max_steps"
    again = run(f, start, "gd", lr=0.125, max_steps=100)
    assert again.status[0, 0] == "converged" and again.value[0, 0] == pytest.approx(-1.0)


def test_newton_to_gd_is_tried_with_the_runs_schedule():
    """The same Newton run with an exponential:0.99 schedule: the user who applies "gd at
    lr=0.5" keeps the schedule, under which the step has shrunk below the minima's bound 0.25
    after ln 2/−ln 0.99 ≈ 69 steps, and gd at 0.5 converges within 200 — so 0.5 stands
    (before, the try ran gd without the schedule and offered 0.125)."""
    f, start = "x**4 - 2*x**2 + y**2", [[0.3, 1.0]]
    schedule = parse_schedule("exponential:0.99")
    d = run(f, start, make("newton", lr=1.0, schedule=schedule), max_steps=200
            ).diagnoses()[0][0]
    assert d.label == "saddle" and d.suggestion == {"optimizer": "gd", "lr": 0.5}
    again = run(f, start, make("gd", lr=0.5, schedule=schedule), max_steps=200)
    assert again.status[0, 0] == "converged" and again.value[0, 0] == pytest.approx(-1.0)


def test_a_scheduled_run_at_a_kink_is_not_said_to_have_a_fixed_step():
    r = run("abs(x) + abs(y)", [[1.05, -2.03]],
            make("gd", lr=0.1, schedule=parse_schedule("inverse_time:0.045")), max_steps=200)
    d = r.diagnoses()[0][0]
    assert "rattles across a kink" in d.explanation and "fixed step" not in d.explanation
    assert "as fast as the schedule shrinks the step" in d.explanation
    ada = run("abs(x) + y**2", [[1.05, 0.33]], "adagrad", lr=0.5).diagnoses()[0][0]
    assert "fixed step" not in ada.explanation and "AdaGrad shrinks its step" in ada.explanation


@pytest.mark.parametrize("f, start, lr, tol, minimum", [
    ("booth", [0.0, 0.0], 0.01, 0.1, [1.0, 3.0]),  # a convex quadratic: one minimum
    ("rosenbrock", [-1.0, 1.0], 0.001, 1e-3, [1.0, 1.0])])
def test_a_run_stopped_by_a_loose_tol_short_of_the_minimum_is_no_local_minimum(
        f, start, lr, tol, minimum):
    """A run stopped by ‖∇f‖ ≤ tol before the bowl's minimum (farther than a thousandth by
    the Newton step) was a "local minimum … but a lower value is known", and told to try
    many starts — on functions with one minimum. It stopped short: tighten tol, which then
    reaches the minimum."""
    r = run(f, [start], "gd", lr=lr, tol=tol, max_steps=20000)
    d = r.diagnoses()[0][0]
    assert r.status[0, 0] == "converged" and np.linalg.norm(r.final[0, 0] - minimum) > 1e-3
    assert d.label == "slow" and f"fell below tol = {tol:g}, short of the minimum" \
        in d.explanation
    assert d.suggestion == {"tol": 1e-8}
    inside = run(f, [r.final[0, 0]], "gd", lr=lr, tol=tol).diagnoses()[0][0]  # at step 0
    assert "short of the minimum" in inside.explanation and "limit is 0" not in inside.advice
    again = run(f, [start], "gd", lr=lr, max_steps=200_000, **d.suggestion)
    np.testing.assert_allclose(again.final[0, 0], minimum, atol=1e-6)



@pytest.mark.parametrize("f, start", [
    ("x**4 - 3*x**2 + x", [0.3]),  # f'(0.3) = −0.692, f'' = −4.92: the maximum is at 0.170
    ("x**2 + y**2 + z**2 - x*y*z", [1.9, 2.0, 2.0]),  # near the saddle (2, 2, 2), not on it
])
def test_a_start_inside_a_loose_tol_where_f_curves_down_is_no_maximum_or_saddle(f, start):
    """With tol 1 these starts take no step (‖∇f‖ < 1), and were "a local maximum (0.3): ∇f ≈ 0
    (0.69)" / "a saddle point", pushed along to start 0.31. They are no critical point: SymPy's
    ∇f is far from 0 there and the Newton step to the nearest critical point is over 0.01;
    the default tol, as advised, reaches a minimum."""
    import sympy as sp

    r = run(f, [start], "gd", lr=0.01, tol=1.0)
    d = r.diagnoses()[0][0]
    names = sp.symbols("x y z")[: len(start)]
    expr = sp.sympify(f)
    g = sp.Matrix([expr]).jacobian(names).subs(dict(zip(names, start)))
    H = sp.hessian(expr, names).subs(dict(zip(names, start)))
    newton = (H.inv() * g.T).norm()
    assert 0.3 < float(g.norm()) < 1 and float(newton) > 0.01
    assert d.label == "slow" and "which is no critical point" in d.explanation
    assert d.suggestion == {"tol": 1e-8}
    again = run(f, [start], "gd", lr=0.01, max_steps=20000, **d.suggestion).diagnoses()[0][0]
    assert again.label.endswith("minimum")

def test_a_run_at_its_noise_floor_is_told_to_let_the_step_shrink():
    """GD on x² + y² (λ = 2) with gradient noise σ = 0.5 at lr 0.1 hovers at the floor
    E f = D·lr·σ²/(4(1 − lr·λ/2)) = 0.0139 (closed form). It was told "the zig-zag shrinks
    every step: use lr=0.5" (whose floor is 0.125) or "try lr=0.1" at lr 0.01. The lesson
    is the floor, and a shrinking step, which ends lower."""
    starts = np.tile([[-3.0, 4.0]], (200, 1))  # each row draws its own noise
    r = run("sphere", starts, make("gd", lr=0.1, noise=0.5, seed=1), max_steps=1000)
    assert r.value.mean() == pytest.approx(2 * 0.1 * 0.25 / (4 * 0.9), rel=0.15)
    d = r.diagnoses()[0]
    at_floor = [x for x in d if "noise floor" in x.explanation]
    assert len(at_floor) >= 190 and all("lr=" not in x.advice for x in at_floor)
    assert {tuple(x.suggestion.items()) for x in at_floor} == {
        (("schedule", "inverse_time:0.009"),)}
    larger = run("sphere", starts, make("gd", lr=0.5, noise=0.5, seed=1), max_steps=1000)
    shrinking = run("sphere", starts, make("gd", lr=0.1, noise=0.5, seed=1,
                                           schedule=parse_schedule("inverse_time:0.009")),
                    max_steps=1000)
    assert larger.value.mean() > 5 * r.value.mean() > 25 * shrinking.value.mean()


def test_adadelta_on_a_plateau_is_told_adam_not_a_smaller_eps():
    """Adadelta's ε also scales its step (√(u + ε)/√(v + ε)·g): a tiny ε left it at (4, 3)
    and was advised again. Adam with the advised rate, tol and ε crosses the plateau."""
    d = run("plateau", [[4.0, 3.0]], "adadelta").diagnoses()[0][0]
    assert d.label == "plateau" and d.suggestion["optimizer"] == "adam"
    tiny = run("plateau", [[4.0, 3.0]], "adadelta", eps=d.suggestion["eps"], tol=0)
    assert np.allclose(tiny.final[0, 0], [4.0, 3.0], atol=1e-3)  # what it had been told
    again = run("plateau", [[4.0, 3.0]], "adam", lr=d.suggestion["lr"],
                eps=d.suggestion["eps"], tol=d.suggestion["tol"], max_steps=1000)
    assert labels(again) == [["global_minimum"]]


def test_a_run_its_schedule_froze_is_told_to_decay_more_slowly():
    """ill_conditioned from (−7, 2) at lr 0.1 with exponential:0.95: by step 500 the rate is
    0.95⁵⁰⁰ ≈ 7e-12 of its start, so the run stopped moving; it was told "allow more steps"
    (ten times the steps end at the same f) and then "use lr=0.952". A slower decay, the one
    suggested, ends lower."""
    f, start = "ill_conditioned", [[-7.0, 2.0]]

    def with_schedule(spec, steps=1000):
        return run(f, start, make("gd", lr=0.1, schedule=parse_schedule(spec)),
                   max_steps=steps)

    r = with_schedule("exponential:0.95")
    d = r.diagnoses()[0][0]
    assert "had shrunk the learning rate to 5.6e-23 of its start" in d.explanation
    assert with_schedule("exponential:0.95", 10_000).value[0, 0] == pytest.approx(
        r.value[0, 0], rel=1e-9)
    assert d.suggestion == {"schedule": "inverse_time:0.009"}
    assert with_schedule("inverse_time:0.009").value[0, 0] < r.value[0, 0] / 10


def test_more_steps_that_end_no_lower_are_withdrawn():
    """|x| + y² with momentum 0.9 at lr 1e-3 cycles about the kink: ten times the steps end
    at the same f, so "allow more steps" — a claim to test — is withdrawn."""
    f, start = "abs(x) + y**2", [[0.5003818664186679, 1.588855203878302]]
    d = run(f, start, "momentum", lr=1e-3, max_steps=500).diagnoses()[0][0]
    assert "allow more steps" in d.advice and "ended no lower" in d.advice
    assert d.suggestion is None
    ends = [run(f, start, "momentum", lr=1e-3, max_steps=n).value[0, 0] for n in (500, 5000)]
    assert ends[1] >= ends[0] * (1 - 1e-6)
    # a gain is measured against the run's own drop, not f's offset
    d = run("x**2/20 + y**2 + 1e6", [[-7.0, 2.0]], "gd", lr=0.95, max_steps=10).diagnoses()
    assert d[0][0].suggestion == {"max_steps": 100}


def test_the_flat_tail_of_tanh_squared_is_a_plateau_not_a_maximum():
    """tanh²x + tanh²y < 2 everywhere, rising outward: at (8, 8) ‖∇f‖ = 1.3e-6 and the
    curvature −1.8e-6 (within the plateau band). It was "a local maximum", with a push of
    the start farther out; it is flat ground, and Adam (the advice) crosses it to 0."""
    d = run("tanh(x)**2 + tanh(y)**2", [[8.0, 8.0]], "gd", lr=0.1).diagnoses()[0][0]
    assert d.label == "plateau" and "unbounded" not in d.explanation
    assert d.suggestion["optimizer"] == "adam"
    again = run("tanh(x)**2 + tanh(y)**2", [[8.0, 8.0]], "adam", lr=d.suggestion["lr"],
                max_steps=1000)
    assert again.value[0, 0] < 1e-6


def test_a_flat_true_maximum_stays_a_maximum():
    """cos(0.003x) + cos(0.003y) near its maximum at 0 (curvature −9e-6, inside the plateau
    band): the quadratic model's critical point, 0.0014 away, has ∇f = 0 — a maximum."""
    d = run("cos(0.003*x) + cos(0.003*y)", [[0.001, 0.001]], "gd", lr=0.1).diagnoses()[0][0]
    assert d.label == "maximum"


def test_a_higher_minimum_is_not_the_lowest_found_when_another_run_is_lower():
    """tanh x + y² from (12, 1) stops at f = 1 (x's slope 1.5e-10 below tol) while the run
    from (0, 1) is already at −0.997: the first was "the global minimum (the lowest found
    among this call's runs)". Any run's value is a value of f."""
    r = run("tanh(x) + y**2", [[12.0, 1.0], [0.0, 1.0]], "gd", lr=0.1)
    first, second = r.diagnoses()[0]
    assert r.value[0, 1] < r.value[0, 0]
    assert first.label != "global_minimum" and "no minimum" in first.explanation


def test_a_run_far_above_its_noise_floor_is_not_told_it_is_at_one():
    """1e-4·x² + y² from (3, 1), σ = 1e-3, lr 0.1: the slow axis is still 2.94 from its
    minimum, thousands of the floor's spreads √(lr·σ²/(λ(2 − lr·λ))) = 0.016; without noise
    the run ends at the same f. It is not told to let the step shrink (which ends higher)."""
    f, start = "1e-4*x**2 + y**2", [[3.0, 1.0]]
    noisy = run(f, start, make("gd", lr=0.1, noise=1e-3, seed=1), max_steps=1000)
    plain = run(f, start, "gd", lr=0.1, max_steps=1000)
    assert noisy.value[0, 0] == pytest.approx(plain.value[0, 0], rel=0.01)
    d = noisy.diagnoses()[0][0]
    assert "noise floor" not in d.explanation and "schedule" not in (d.suggestion or {})


def test_no_random_starts_suggested_to_a_call_that_had_a_hundred():
    starts = np.random.default_rng(3).uniform(-2, 2, (120, 2))
    r = run("six_hump_camel", starts, "gd", lr=0.01, max_steps=50)
    local = [d for d in r.diagnoses()[0] if d.label == "local_minimum"]
    assert all(d.suggestion is None or "random_starts" not in d.suggestion for d in local)


@pytest.mark.parametrize("formula", ["exp(x) + y**2", "x**4 + y**2", "exp(-x) + (x - y)**2",
                                     "sqrt(1 + x**2) + y**2"])
def test_a_function_bounded_below_is_never_unbounded(formula):
    """f ≥ 0 (e^x + y², e^−x + (x − y)²: no minimum, an infimum of 0) or with a minimum:
    however long or short the run, never labelled unbounded."""
    for steps in (20, 2000):
        d = run(formula, [[1.0, 1.0]], "gd", lr=1e-3, max_steps=steps).diagnoses()[0][0]
        assert d.label != "unbounded", (formula, steps, d.explanation)


def test_unbounded_explanation_states_the_distance_probed():
    d = run("x - 2*y", [[1.0, 1.0]], "gd", lr=0.1, max_steps=1000).diagnoses()[0][0]
    end = run("x - 2*y", [[1.0, 1.0]], "gd", lr=0.1, max_steps=1000).final[0, 0]
    assert f"at distance {1e15 * np.linalg.norm(end):.3g}" in d.explanation


def test_minus_exp_is_unbounded_even_when_f_reaches_minus_infinity_on_the_probe():
    d = run("-exp(x)", [[0.0]], "gd", lr=0.1, max_steps=1000).diagnoses()[0][0]
    assert d.label == "unbounded" and d.suggestion is None


def test_a_stationary_inflection_point_is_no_minimum():
    """x³ at 0: ∇f = 0 and f'' = 0, but f(−h) = −h³ < f(0) — a degenerate saddle, and x³ has
    no minimum at all; x⁴ at 0 (f ≥ 0 = f(0) everywhere) stays a minimum."""
    d = diagnose(run("x**3", [[0.0]], "gd:0.1", max_steps=10))[0][0]
    assert d.label == "saddle" and "no minimum" in d.explanation
    assert labels(run("x**4", [[0.0]], "gd:0.1", max_steps=10)) == [["minimum"]]
    # not converged on a flat minimum: lower a step away only by what the gradient explains
    assert labels(run("x**4", [[0.5]], "gd:0.1", max_steps=2000)) != [["saddle"]]


def test_a_start_past_double_range_blames_the_start_not_the_learning_rate():
    """x² at 1e154: ∇f = 2e154 cannot be squared in doubles (1.3e154 is the limit), so no step
    is taken; a smaller learning rate would change nothing."""
    d = diagnose(run("x**2", [[1e154]], "gd:0.001", max_steps=10))[0][0]
    assert d.label == "diverged" and "no step was taken" in d.explanation
    assert "learning rate" not in d.advice and d.suggestion is None


def test_a_ratio_past_double_range_is_written_as_a_power_of_ten():
    # stability bound 2/λ = 1 for x² (λ = 2); lr = 1e-320: 1e320 times below, not "inf×"
    d = diagnose(run("x**2", [[1.0]], make("gd", lr=1e-320), max_steps=10))[0][0]
    assert "10^320×" in d.advice and "inf" not in d.advice


def test_newton_without_curvature_says_why_it_does_not_move():
    """|x| + |y| has ∇²f = 0 off its kinks: Newton's (∇²f)⁻¹∇f is 0 (least squares) while
    ‖∇f‖ = √2 — no rounding is to blame; a first-order method is the fix."""
    d = diagnose(run("abs(x) + abs(y)", [[1.0, 1.0]], "newton", max_steps=5))[0][0]
    assert "Hessian is singular" in d.explanation and "1.41" in d.explanation
    assert d.suggestion == {"optimizer": "gd"}


def test_flat_to_double_precision_is_a_minimum_where_the_curvature_says_so():
    # x² + 1e20 at 0: f's change a step away is below 1e20's last digit, but ∇f = 0 exactly
    # and f'' = 2 > 0: the minimum it is (it was called an underflowed tail)
    d = run("x**2 + 1e20", [[0.0]], "gd", lr=0.1, max_steps=10).diagnoses()[0][0]
    assert d.label == "minimum" and "underflowed" not in d.explanation
    # 0·x: constant, no curvature: flat, and said to be flat (not "underflowed" alone)
    d = run("0*x", [[1.0]], "gd", lr=0.1, max_steps=10).diagnoses()[0][0]
    assert d.label == "plateau" and "f is flat here (constant, or a tail" in d.explanation


def test_at_the_stability_bound_the_zig_zag_is_not_called_damped():
    """lr = 2/λmax exactly on the bowl: x ← −x for ever; the advice halves the rate."""
    from gdlab import run

    d = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd:1", max_steps=1000).diagnoses()[0][0]
    assert d.label == "oscillating" and "at the stability bound 1" in d.explanation
    assert "damped" not in d.explanation and d.suggestion == {"lr": 0.5}


def _corpus_run(argv):
    """The run a ``gdlab descend`` command line of the advice corpus asks for."""
    from gdlab.engine import run

    options, i = {}, 1
    while i < len(argv):
        key, _, value = argv[i].partition("=")
        if not value:
            value, i = argv[i + 1], i + 1
        options[key.lstrip("-").replace("-", "_")] = value
        i += 1
    start = [float(v) for v in options.pop("start").split(",")]
    kwargs = {k: (int(v) if k == "max_steps" else float(v)) for k, v in options.items()
              if k != "optimizer"}
    return run(argv[0].replace("^", "**"), [start], options.get("optimizer", "gd"), **kwargs)


def _same_as_diagnose(r):
    from gdlab.diagnose import labels as labels_at_once

    from gdlab.diagnose import classify, facts

    names, bounds = labels_at_once(r)
    d = r.diagnoses()
    assert names.tolist() == [[x.label for x in row] for row in d]
    # the same rules on one run's RunFacts record (its own numbers and properties)
    assert names.tolist() == [[classify(f) for f in row] for row in facts(r)]
    want = np.array([[np.nan if x.optimizer_bound is None else x.optimizer_bound for x in row]
                     for row in d])
    np.testing.assert_allclose(bounds, want, rtol=1e-14)
    return set(names.ravel())


def test_labels_of_many_runs_at_once_are_the_diagnoses_labels():
    """gdlab.diagnose.labels (the rules on arrays, for sweeps) gives every run the label and
    bound diagnose() gives it, and classify() gives its RunFacts record: on the advice corpus
    (every label) and on batches of random starts, where the lowest value found, the probes
    and the library's points vary."""
    from tests.test_advice import CORPUS

    seen = set()
    for argv, _ in CORPUS:
        seen |= _same_as_diagnose(_corpus_run(argv))
    assert seen == set(LABELS)
    rng = np.random.default_rng(0)
    for f, opts, box in [("himmelblau", ["gd:0.01", "momentum:0.01", "adam:0.1"], 5),
                         ("x**3 - 3*x + y**2", ["gd:0.1", "adam:0.1"], 3),
                         ("x**2 - y**2", ["gd:0.1", "nesterov:0.05"], 1),
                         ("plateau", ["gd:0.1"], 5), ("abs(x) + abs(y)", ["gd:0.3"], 2),
                         ("ill_conditioned", ["gd:1.05", "gd:0.95"], 7)]:
        starts = rng.uniform(-box, box, (60, 2))
        for steps in (40, 400):
            _same_as_diagnose(run(f, starts, opts, max_steps=steps, tol=1e-6))


def test_no_minimum_is_global_where_another_run_of_the_call_shows_f_unbounded():
    """x² + y² + z² + xyz has a minimum at 0 and falls without bound along (−1, −1, −1)·t:
    once a run of the call shows that, a run at 0 reached a local minimum, not the global one."""
    starts = np.random.default_rng(0).uniform(-3, 3, (40, 3))
    r = run("x**2 + y**2 + z**2 + x*y*z", starts, "gd", lr=0.05, max_steps=300)
    d = r.diagnoses()[0]
    assert {x.label for x in d} == {"local_minimum", "unbounded"}
    local = next(x for x in d if x.label == "local_minimum")
    assert "unbounded below" in local.explanation and local.suggestion is None
    assert "0.01*(x^2 + y^2 + z^2)^2" in local.advice
    alone = run("x**2 + y**2 + z**2 + x*y*z", [[0.1, 0.1, 0.1]], "gd", lr=0.05, max_steps=300)
    assert alone.diagnoses()[0][0].label == "minimum"  # nothing known beside it


def test_a_start_outside_the_domain_is_explained_as_such():
    """f = nan at the start is a start outside f's domain (log of a negative number), not a
    number past the double range: no advice to rescale."""
    for f in ("log(x) + y**2", "sqrt(x) + y**2"):
        d = run(f, [[-1.0, 1.0]], "gd", lr=0.1, max_steps=10).diagnoses()[0][0]
        assert d.label == "diverged" and "outside f's domain" in d.explanation
        assert "inside f's domain" in d.advice and "rescale" not in d.advice
    huge = run("exp(x) + y**2", [[800.0, 1.0]], "gd", lr=0.1, max_steps=10).diagnoses()[0][0]
    assert "double precision's range" in huge.explanation  # f = inf: past the range


@pytest.mark.parametrize("formula, lr, steps, along, infimum", [
    # e^−x + y²: f > 0, its infimum 0 as x → ∞; y shrinks by (1 − 2·lr) each step
    ("exp(-x) + y**2", 0.1, 100, [1.0, 0.0], 0.0),
    ("exp(-x) + y**2", 0.1, 2000, [1.0, 0.0], 0.0),
    # atan x + y²: the infimum −π/2 as x → −∞ (−∇f points mostly along −y: found along its
    # part on the lowest curvature, x)
    ("atan(x) + y**2", 0.01, 300, [-1.0, 0.0], -np.pi / 2),
])
def test_a_run_toward_an_infimum_is_told_no_minimum_lies_that_way(formula, lr, steps, along,
                                                                  infimum):
    """Slow, but not for want of steps: f keeps falling along the run's way to an infimum it
    never reaches. The lesson says so (f far along that line = the infimum plus the y² left,
    y = (1 − 2·lr)^steps), and suggests neither more steps nor another rate."""
    from gdlab.diagnose import facts

    r = run(formula, [[3.0, 1.0]], "gd", lr=lr, max_steps=steps)
    f = facts(r)[0][0]
    d = r.diagnoses()[0][0]
    assert d.label == "slow" and d.suggestion is None
    np.testing.assert_allclose(f.levels_along, along, atol=1e-9)
    np.testing.assert_allclose(f.levels_to, infimum + (1 - 2 * lr) ** (2 * steps), atol=1e-9)
    assert f.levels_floor and "levelling off" in d.explanation
    assert "no minimum that way" in d.explanation and "max_steps" not in d.advice


@pytest.mark.parametrize("formula", ["x**2/(1 + x**2) + y**2", "sqrt(1 + x**2) + y**2",
                                     "cosh(x) + y**2", "log(1 + x**2 + y**2)",
                                     "(x - 1)**2 + 10*(y - x**2)**2"])
def test_a_slow_run_toward_a_minimum_is_not_told_there_is_none(formula):
    for start in ([3.0, 1.0], [-2.0, 0.5]):
        d = run(formula, [start], "gd", lr=1e-4, max_steps=300).diagnoses()[0][0]
        assert d.label == "slow" and "no minimum" not in d.explanation, (formula, start)


@pytest.mark.parametrize("formula, closed", [
    ("-log(1 + x**2) + y**2", lambda x, y: -np.log1p(x * x) + y * y),
    ("-(x**2 + 1)**0.05 + y**2", lambda x, y: -(x * x + 1) ** 0.05 + y * y),
    ("-log(log(x**2 + 3)) + y**2", lambda x, y: -np.log(np.log(x * x + 3)) + y * y)])
def test_a_slow_fall_without_floor_is_never_given_a_floor(formula, closed):
    """−log(1 + x²) falls 2·ln 10 every tenfold of x, for ever: f far along the probe is no
    limit, and the lesson must not name it as one — but it must not ask for more steps
    either: there is no minimum that way. f far along x (the lowest curvature, nearly all of
    the descent once y has shrunk) is the closed form's at the probe's reach, 1e15·‖x‖ past
    the end."""
    from gdlab.diagnose import facts

    for steps in (20, 2000):
        r = run(formula, [[3.0, 1.0]], "gd", lr=0.1, max_steps=steps)
        f, d = facts(r)[0][0], r.diagnoses()[0][0]
        assert "levelling off" not in d.explanation and "only approaches" not in d.advice
    # after 2000 steps y is 0.8²⁰⁰⁰: the fall left is all along x
    assert d.label == "slow" and d.suggestion is None and not f.levels_floor
    assert "no minimum that way" in d.explanation and "max_steps" not in d.advice
    np.testing.assert_allclose(f.levels_along, [1.0, 0.0], atol=1e-9)
    (x, y), reach = f.final, 1e15 * np.linalg.norm(f.final)
    np.testing.assert_allclose(f.levels_to, closed(x + reach, y), rtol=1e-12)


def _before_the_end(r):
    """The recorded point one step before the end of the first run."""
    return r.path[list(r.recorded_steps).index(r.steps[0, 0] - 1), 0, 0]


def _crossing(r):
    """Where the first run's last step crosses x = 0 (closed form on the segment)."""
    (ax, ay), (bx, by) = _before_the_end(r), r.final[0, 0]
    return [0.0, ay + (by - ay) * ax / (ax - bx)]


@pytest.mark.parametrize("formula, closed, steps, floor, lesson", [
    # log x + y² from (3, 1): GD falls toward x = 0, where log x → −∞, and a step lands at
    # x < 0 (f not a number): no minimum that way
    ("log(x) + y**2", lambda x, y: np.log(x) + y * y, 1000, False, "no minimum that way"),
    # √x + y²: its lowest values lie on the edge x = 0, where ‖∇f‖ = 1/(2√x) grows without
    # bound, so every fixed step crosses it
    ("sqrt(x) + y**2", lambda x, y: np.sqrt(x) + y * y, 5000, True, "no fixed step can stop")])
def test_a_run_that_falls_off_the_edge_of_the_domain_is_told_no_minimum_lies_that_way(
        formula, closed, steps, floor, lesson):
    """A ten times smaller rate ends the same way, later — so the lesson is the edge, not a
    smaller rate. The edge is x = 0 on the step that crossed it, and f just inside it the
    closed form's at 1e-15 of that step back."""
    from gdlab.diagnose import facts

    r = run(formula, [[3.0, 1.0]], "gd", lr=0.1, max_steps=steps)
    f, d = facts(r)[0][0], r.diagnoses()[0][0]
    assert d.label == "diverged" and d.suggestion is None and f.edge_floor == floor
    assert lesson in d.explanation and "lr=" not in d.advice
    (ex, ey), (ax, ay) = f.edge_at, _before_the_end(r)
    np.testing.assert_allclose([ex, ey], _crossing(r), rtol=1e-12, atol=1e-15)
    inside = (ex + 1e-15 * (ax - ex), ey + 1e-15 * (ay - ey))
    np.testing.assert_allclose(f.edge_to, closed(*inside), rtol=1e-9)
    slower = run(formula, [[3.0, 1.0]], "gd", lr=0.01, max_steps=steps)
    assert slower.status[0, 0] == "diverged" and slower.steps[0, 0] > r.steps[0, 0]


@pytest.mark.parametrize("formula, start, lr, edge, closed", [
    ("log(1 - x) + y**2", [0.5, 0.5], 1e-2, 1.0, lambda x, y: np.log(1 - x) + y * y),
    ("log(1 - x**2) + y**2", [0.35, 0.19], 1e-3, 1.0, lambda x, y: np.log(1 - x * x) + y * y)])
def test_an_edge_at_one_has_no_floor_though_doubles_stop_short_of_it(
        formula, start, lr, edge, closed):
    """log(1 − x): next to x = 1 the doubles are 1.1e-16 apart, so points 10⁻¹⁵ of the way
    into the edge all sit ~1e-16 from it and f seemed to level off at −36 ("the lowest values
    that way lie on that edge"); the probe stops where the doubles still resolve the approach,
    and f there falls without floor — the lesson is "no minimum that way"."""
    from gdlab.diagnose import facts

    r = run(formula, [start], "gd", lr=lr, max_steps=300)
    f, d = facts(r)[0][0], r.diagnoses()[0][0]
    assert f.edge_to is not None and not f.edge_floor and "no floor in sight" in d.explanation
    assert abs(f.edge_at[0] - edge) < 1e-12
    assert f.edge_to < closed(edge - 1e-11, f.edge_at[1]) + 1e-9  # within 1e-11 of the edge


@pytest.mark.parametrize("formula, closed, floor, lesson", [
    ("log(x) + y**2", lambda x, y: np.log(x) + y * y, False, "no minimum that way"),
    ("sqrt(x) + y**2", lambda x, y: np.sqrt(x) + y * y, True, "no fixed step can stop")])
def test_a_slow_run_on_its_way_to_the_edge_of_the_domain_is_told_so_before_it_crosses(
        formula, closed, floor, lesson):
    """GD at lr 1e-3 from (2, 1), 500 steps: still inside the domain, y = (1 − 0.002)⁵⁰⁰
    (closed form) and x on its way to 0, where f falls with no floor (log) or levels off ever
    more steeply (√x). It was told "try lr=0.01" (which diverges); now the edge ahead on the
    negative curvature's way, x = 0 at the end's y, and no rate — and more steps do cross it."""
    from gdlab.diagnose import facts

    r = run(formula, [[2.0, 1.0]], "gd", lr=1e-3, max_steps=500)
    f, d = facts(r)[0][0], r.diagnoses()[0][0]
    assert d.label == "slow" and d.suggestion is None and f.edge_floor == floor
    assert lesson in d.explanation and "on its way to the edge" in d.explanation
    y = 0.998 ** 500
    np.testing.assert_allclose(r.final[0, 0, 1], y, rtol=1e-12)
    np.testing.assert_allclose(f.edge_at, [0.0, y], atol=1e-14)
    (ex, ey), (ax, ay) = f.edge_at, r.final[0, 0]
    inside = (ex + 1e-15 * (ax - ex), ey + 1e-15 * (ay - ey))
    np.testing.assert_allclose(f.edge_to, closed(*inside), rtol=1e-9)
    longer = run(formula, [[2.0, 1.0]], "gd", lr=1e-3, max_steps=20_000)
    assert longer.status[0, 0] == "diverged"


def test_a_slow_run_toward_a_minimum_inside_the_domain_keeps_its_rate_advice():
    """log x + (x − 2)² + y² has its minimum inside the domain (x = 1 + 1/√2): from (3, 1)
    the run heads there, f rises past it toward x = 0, so no edge lesson — and the rate
    advised ends lower."""
    from gdlab.diagnose import facts

    r = run("log(x) + (x - 2)**2 + y**2", [[3.0, 1.0]], "gd", lr=1e-3, max_steps=500)
    d = r.diagnoses()[0][0]
    assert d.label == "slow" and facts(r)[0][0].edge_to is None and "lr" in d.suggestion
    again = run("log(x) + (x - 2)**2 + y**2", [[3.0, 1.0]], "gd", lr=d.suggestion["lr"],
                max_steps=500)
    assert again.value[0, 0] < r.value[0, 0]
    np.testing.assert_allclose(again.final[0, 0, 0], 1 + 0.5 ** 0.5, rtol=1e-3)  # on its way


def test_a_withdrawn_rate_is_replaced_by_a_smaller_change_that_works():
    """Adam on Rosenbrock at lr 0.01 from (0.5004, 1.5889) (a start of the lesson corpus),
    500 steps, is slow; the tenfold rate it is told ends higher, so it is withdrawn. Of the
    rates ¾, ½ and ¼ of the way there (on a log scale) the largest that neither diverges nor
    ends higher is offered: each is run here, and the offer is the first that works."""
    start, lr = [[0.5003818664186679, 1.588855203878302]], 0.01
    r = run("rosenbrock", start, "adam", lr=lr, max_steps=500)
    d = r.diagnoses()[0][0]
    assert d.label == "slow" and "try lr=0.1" in d.advice and "ended higher" in d.advice
    rates = [float(f"{lr * 10 ** share:.3g}") for share in (0.75, 0.5, 0.25)]
    works = []
    for rate in rates:
        again = run("rosenbrock", start, "adam", lr=rate, max_steps=500)
        works.append(again.status[0, 0] != "diverged" and again.value[0, 0] <= r.value[0, 0])
    assert any(works) and d.suggestion == {"lr": rates[works.index(True)]}
    assert f"A smaller change, lr={rates[works.index(True)]:g}" in d.advice


def test_a_withdrawn_rate_and_momentum_are_replaced_by_a_smaller_change_of_both():
    """Nesterov on Rosenbrock at lr 1e-4, momentum 0.9, from (0.6095, -1.062), 500 steps, is
    told lr = 0.001 with momentum 0.96, which diverges, so it is withdrawn (it was then left
    with nothing). Part of the way there — the rate on a log scale, momentum on a log scale of
    1 − μ — each run here: the offer is the largest share that ends lower after 500 steps and
    does not diverge in 1000."""
    start = [[0.6094764463519509, -1.0619591933207042]]
    r = run("rosenbrock", start, "nesterov", lr=1e-4, max_steps=500)
    d = r.diagnoses()[0][0]
    assert "lr=0.001, momentum=0.96" in d.advice and "diverged after" in d.advice
    assert run("rosenbrock", start, "nesterov", lr=0.001, momentum=0.96,
               max_steps=500).status[0, 0] == "diverged"
    works = []
    for share in (0.75, 0.5, 0.25):
        lr = float(f"{1e-4 * 10 ** share:.3g}")
        mu = float(f"{1 - 0.1 * 0.4 ** share:.3g}")
        again = run("rosenbrock", start, "nesterov", lr=lr, momentum=mu, max_steps=1000,
                    record=500)
        ends = again.status[0, 0] != "diverged" and again.values[1, 0, 0] < r.value[0, 0]
        works.append(({"lr": lr, "momentum": mu}, ends))
    offer = next(change for change, ends in works if ends)
    assert offer != works[0][0]  # the largest share did not work: a real choice
    assert d.suggestion == offer
    assert f"A smaller change, lr={offer['lr']:g}, momentum={offer['momentum']:g}" in d.advice


def test_a_suggestion_is_tried_with_the_runs_own_switches():
    """A centered RMSProp run is told lr = 0.1, which ends higher: the value the lesson quotes
    is that of a centered RMSProp run at 0.1 (the uncentered one ends elsewhere)."""
    start = [[1.5, 1.5]]
    r = run("rosenbrock", start, "rmsprop", lr=0.01, centered=True, max_steps=200)
    d = r.diagnoses()[0][0]
    assert "try lr=0.1" in d.advice and "ended higher" in d.advice
    quoted = float(d.advice.split("ended higher (f = ")[1].split(",")[0])
    ends = {c: run("rosenbrock", start, "rmsprop", lr=0.1, centered=c, max_steps=200).value[0, 0]
            for c in (True, False)}
    assert abs(ends[True] - ends[False]) > 0.01  # the test tells them apart
    assert quoted == pytest.approx(ends[True], rel=1e-5)


@pytest.mark.parametrize("formula, lr", [
    # overshot a minimum inside the domain (x = 0.947, x = 0.70): f rises on the way between
    ("log(x) + 10*(x - 1)**2 + y**2", 1.0), ("(x - 1)**2 + sqrt(x) + y**2", 1.5),
    ("x**2 + y**2", 10.0)])  # blew up, defined everywhere
def test_a_run_that_left_the_domain_otherwise_keeps_its_rate_advice(formula, lr):
    from gdlab.diagnose import facts

    r = run(formula, [[3.0, 1.0]], "gd", lr=lr, max_steps=1000)
    d = r.diagnoses()[0][0]
    assert d.label == "diverged" and facts(r)[0][0].edge_to is None
    assert "lr" in d.suggestion and "no minimum" not in d.explanation


@pytest.mark.parametrize("formula, start, lr, steps, slope", [
    # a well between two of the unbounded probe's tenfolds; more steps reach it
    ("-log(1 + x**2) - 3*exp(-(x - 5)**2)", 1.0, 0.01, 50,
     lambda x: -2 * x / (1 + x * x) + 6 * (x - 5) * np.exp(-(x - 5) ** 2)),
    ("exp(-x) - 0.5*exp(-(x - 5)**2)", 1.0, 0.01, 50,
     lambda x: -np.exp(-x) + (x - 5) * np.exp(-(x - 5) ** 2)),
    # ripples: the next minimum 0.004 away
    ("-log(1 + x**2) + 0.2*cos(10*x)", 1.0, 0.0005, 20,
     lambda x: -2 * x / (1 + x * x) - 2 * np.sin(10 * x))])
def test_a_minimum_the_run_heads_for_is_never_called_absent(formula, start, lr, steps, slope):
    """More steps reach a minimum (f′ = 0 there, the closed form's) along the way the run was
    going: it must not have been told there is none that way."""
    d = run(formula, [[start]], "gd", lr=lr, max_steps=steps).diagnoses()[0][0]
    assert d.label == "slow" and "no minimum" not in d.explanation + d.advice
    far = run(formula, [[start]], "gd", lr=lr, max_steps=20_000)
    end = far.final[0, 0, 0]
    assert labels(far)[0][0].endswith("minimum")
    assert abs(slope(end)) < 1e-5


@pytest.mark.parametrize("formula, lr", [("log(x) + (x - 2)**2", 2.0),
                                         ("log(x) + (x - 2)**2", 1.5),
                                         ("sqrt(x)*((x - 1)**2 - 0.1)", 1.0)])
def test_a_step_over_a_minimum_inside_the_domain_keeps_its_rate_advice(formula, lr):
    """One step from x = 3 lands at x < 0 over a minimum inside the domain (x = 1 + 1/√2;
    x ≈ 1.02, below the edge's 0): f rises between, so the edge lesson must not be given —
    and the smaller rate advised does reach that minimum."""
    d = run(formula, [[3.0]], "gd", lr=lr, max_steps=1000).diagnoses()[0][0]
    assert d.label == "diverged" and "no minimum" not in d.explanation
    again = run(formula, [[3.0]], "gd", lr=d.suggestion["lr"], max_steps=1000)
    assert labels(again)[0][0].endswith("minimum")


def test_the_edge_is_the_first_the_run_crossed():
    """log sin x from 1, lr 0.5: the run crosses x = 0 toward −∞; the straight line on to
    where it stopped crosses several pieces of the domain (sin x > 0 on (−2π, −π) too)."""
    from gdlab.diagnose import facts

    r = run("log(sin(x))", [[1.0]], "gd", lr=0.5, max_steps=100)
    f = facts(r)[0][0]
    assert r.status[0, 0] == "diverged" and r.final[0, 0, 0] < -np.pi
    assert f.edge_at is not None and abs(f.edge_at[0]) < 1e-12


def test_no_minimum_that_way_is_not_said_while_the_rest_of_the_fall_lies_elsewhere():
    """e^−x + y² + z² from (0, 1, 1): x has no minimum, but the descent is only a third along
    x — y and z hold most of the fall, and a larger rate (the bound is 1) speeds them."""
    r = run("exp(-x) + y**2 + z**2", [[0.0, 1.0, 1.0]], "gd", lr=1e-4, max_steps=20)
    d = r.diagnoses()[0][0]
    assert d.label == "slow" and "no minimum that way" not in d.explanation
    assert d.suggestion is not None and d.suggestion.get("lr", 0) > 1e-4


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_weight_decay_converges_where_f_plus_its_penalty_has_its_minimum(optimizer):
    """With weight decay wd added to the gradient, each step follows ∇f + wd·x: on
    f = (x − 3)² + (y − 3)² that is the gradient of F = f + (wd/2)‖x‖², whose minimum is
    x = y = 6/(2 + wd) (2.4 for wd = 0.5), where ‖∇f‖ = wd·2.4·√2 ≠ 0. The run stops there
    (‖∇F‖ ≤ tol) — before, it ran to its step limit and was told "oscillating … use
    lr=0.5" — and is diagnosed as F's minimum, with a word that weight decay holds it there."""
    wd, lr = 0.5, 0.1 if optimizer != "adam" else 0.05
    r = run("(x - 3)**2 + (y - 3)**2", [[0.0, 0.0]], optimizer, lr=lr, weight_decay=wd,
            max_steps=5000, tol=1e-8)
    x_star = 6 / (2 + wd)
    assert r.status[0, 0] == "converged"
    np.testing.assert_allclose(r.final[0, 0], [x_star, x_star], atol=1e-7)
    np.testing.assert_allclose(r.gradient_norm[0, 0], wd * x_star * np.sqrt(2), rtol=1e-6)
    d = r.diagnoses()[0][0]
    assert d.label == "minimum"
    F = 2 * (x_star - 3) ** 2 + wd / 2 * 2 * x_star**2
    assert f"minimum F = {F:.2g}" in d.explanation  # F's value, named F: the table shows f's
    assert "minimum f = " not in d.explanation
    assert "F = f + 0.25‖x‖²" in d.explanation
    assert f"‖∇f‖ = {wd * x_star * np.sqrt(2):.3g}" in d.explanation
    assert "oscillat" not in d.explanation


@pytest.mark.parametrize("formula, start, wd, note", [
    # f has no minimum at all: decay makes one at x = −1/wd, where ∇f = (1, 0)
    ("x + y**2", [1.0, 1.0], 0.5, "There f itself still slopes (‖∇f‖ = 1)"),
    # (0, 0) is f's saddle (f'' = −4 along x); decay 5 > 4 makes it F's minimum
    ("(x**2 - 1)**2 + y**2", [0.5, 1.0], 5.0, "its curvature there is -4 along one direction")])
def test_a_minimum_made_by_weight_decay_is_not_called_one_of_f(formula, start, wd, note):
    r = run(formula, [start], "gd", lr=0.05, weight_decay=wd, max_steps=5000)
    d = r.diagnoses()[0][0]
    assert d.label == "minimum" and note in d.explanation
    assert "no critical point of f" in d.explanation or "no minimum" in d.explanation
    if formula == "x + y**2":
        np.testing.assert_allclose(r.final[0, 0], [-1 / wd, 0.0], atol=1e-7)
    else:
        np.testing.assert_allclose(r.final[0, 0], [0.0, 0.0], atol=1e-7)


def test_gd_with_weight_decay_takes_the_steps_of_gd_on_the_penalised_bowl():
    """GD with weight decay wd on (x − 3)² is GD on (x − 3)² + (wd/2)x², curvature 2 + wd:
    ∇F shrinks by |1 − lr(2 + wd)| a step, so it stops after the first k with
    |∇F(x₀)|·|1 − lr(2 + wd)|^k ≤ tol (closed form), as the same run on F without weight
    decay does; ``Objective.with_weight_decay`` is that F (also for a callable f)."""
    from gdlab.objective import Objective

    wd, lr, tol, x0 = 0.3, 0.05, 1e-9, 10.0
    factor = abs(1 - lr * (2 + wd))
    g0 = abs(2 * (x0 - 3) + wd * x0)
    k = int(np.ceil(np.log(tol / g0) / np.log(factor)))
    decayed = run("(x - 3)**2", [[x0]], "gd", lr=lr, weight_decay=wd, tol=tol)
    assert decayed.steps[0, 0] in (k, k + 1)  # the last factor's rounding
    F = Objective.from_formula("(x - 3)**2").with_weight_decay(wd)
    plain = run(F, [[x0]], "gd", lr=lr, tol=tol)
    assert plain.steps[0, 0] == decayed.steps[0, 0]
    np.testing.assert_allclose(plain.final, decayed.final, rtol=1e-12)
    f = Objective.from_callable(lambda x: (x[..., 0] - 3) ** 2, 1, vectorized=True,
                                gradient=lambda x: 2 * (x - 3))
    G = f.with_weight_decay(wd)
    np.testing.assert_allclose(G.value([[1.0]]), 4 + wd / 2)
    np.testing.assert_allclose(G.gradient([[1.0]]), [[-4 + wd]])
    np.testing.assert_allclose(G.hessian([1.0]), [[2 + wd]], rtol=1e-6)


def test_weight_decay_lessons_are_of_the_function_descended_and_others_keep_theirs():
    """A Gaussian well at (3, 3) from (1, 1) with weight decay 0.1 and lr 1e-3 for 50 steps:
    the decay's pull 0.1·x outweighs the well's slope there, so f *rises* along the run (was:
    "oscillating: a step overshot, perhaps across a pole"); F = f + 0.05‖x‖² falls, and that is
    the lesson. In the same call the configuration without weight decay keeps its own."""
    f = "-exp(-((x-3)**2 + (y-3)**2)/2)"
    r = run(f, [[1.0, 1.0]], [make("gd", lr=1e-3), make("gd", lr=1e-3, weight_decay=0.1)],
            max_steps=50, tol=0)
    assert r.value[1, 0] > r.start_value[1, 0]  # f rose
    plain, decayed = (row[0] for row in r.diagnoses())
    assert decayed.label == "slow" and "F = f + 0.05‖x‖²" in decayed.explanation
    F0 = -np.exp(-4.0) + 0.05 * 2
    assert f"from {F0:.6g}" in decayed.explanation  # F fell from its start value
    assert "weight_decay" not in plain.explanation
    alone = run(f, [[1.0, 1.0]], "gd", lr=1e-3, max_steps=50, tol=0).diagnoses()[0][0]
    assert (plain.label, plain.explanation) == (alone.label, alone.explanation)


def test_adamw_held_where_its_decay_balances_the_adam_step_is_told_so():
    """AdamW shrinks x by lr·wd·x beside Adam's step of about lr per coordinate, so on
    (x − 3)² + (y − 3)² at wd 0.5 it settles at 1/wd = 2 in each coordinate (closed form), where
    f still slopes — not at f's minimum (3, 3). After 2000 steps it is near (1.91, 1.91) and was
    told "allow more steps"; ten times the steps only bring it to (2, 2). The lesson says so,
    quotes the same run without decay (that is Adam), and suggests a tenth of the decay. At
    wd 0.01 the balance (100) lies far beyond the minimum: that run keeps its lesson."""
    f, start = "(x-3)**2 + (y-3)**2", [[0.0, 0.0]]
    r = run(f, start, make("adamw", lr=0.1, weight_decay=0.5), max_steps=2000)
    d = r.diagnoses()[0][0]
    longer = run(f, start, make("adamw", lr=0.1, weight_decay=0.5), max_steps=20000)
    np.testing.assert_allclose(longer.final[0, 0], [2.0, 2.0], atol=1e-3)
    assert longer.gradient_norm[0, 0] > 2.8  # still sloping
    assert "held there, near (1.91, 1.91) (along x, y)" in d.explanation
    assert "±1/0.5 = ±2," in d.explanation
    adam = run(f, start, make("adam", lr=0.1), max_steps=2000)
    assert f"ends at (3, 3), f = {adam.value[0, 0]:.6g}" in d.explanation
    assert d.suggestion == {"weight_decay": 0.05} and "allow more steps" not in d.advice
    small = run(f, start, make("adamw", lr=0.1, weight_decay=0.01), max_steps=2000)
    assert "AdamW takes" not in small.diagnoses()[0][0].explanation


@pytest.mark.parametrize("f, start, steps, balance, along", [
    # y settles at its own minimum −0.5 (a little off it), x is held at 2: still held along x
    ("(x-3)**2 + (y+0.5)**2", [0.0, 0.0], 2000, [2.0, -0.5], "held there, near (1.91, -0.497)"),
    # 2000 steps from −50 reach 1.2 only: on its way to 2, where f still slopes
    ("100*(x-3)**2", [-50.0], 2000, [2.0], "on its way there, to (2)")])
def test_adamw_on_its_way_to_its_balance_or_held_along_some_coordinates(
        f, start, steps, balance, along):
    """Ten times the steps end at the balance the lesson names (within 1e-2)."""
    opt = make("adamw", lr=0.1, weight_decay=0.5)
    d = run(f, [start], opt, max_steps=steps).diagnoses()[0][0]
    assert along in d.explanation and d.suggestion == {"weight_decay": 0.05}
    longer = run(f, [start], opt, max_steps=10 * steps)
    np.testing.assert_allclose(longer.final[0, 0], balance, atol=1e-2)


def test_adamw_held_by_its_decay_where_f_has_no_minimum_is_not_told_to_lower_it():
    """x² − y² from (0.047, 1.8), AdamW at wd 1: y swings about the balance 1 (oscillating)
    and settles there (20000 steps: within 1e-4), past which f falls without bound (−y²): a
    smaller decay only lets the run go farther, so no decay is suggested — f has no minimum
    that way, and that is the lesson."""
    f, start = "x**2 - y**2", [[0.047286498801026866, 1.8018547853037412]]
    opt = make("adamw", lr=0.01, weight_decay=1.0)
    d = run(f, start, opt, max_steps=500).diagnoses()[0][0]
    np.testing.assert_allclose(run(f, start, opt, max_steps=20000).final[0, 0], [0, 1],
                               atol=1e-4)
    assert "on its way there, to (0, 1) (along y)" in d.explanation
    assert "f has no minimum that way" in d.explanation
    assert d.suggestion is None and "unbounded below along (0, 1)" in d.advice


def test_a_run_swinging_far_from_the_minimum_is_held_by_the_curvature_where_it_swings():
    """Beale from (−4.144, 0.257) at lr 0.003 ends hopping across a narrow valley, 6.4 from
    the minimum (3, 0.5): SymPy's Hessian at the end has λmax ≈ 744, so 2/λmax ≈ 0.00269 <
    0.003 — above the bound there (the minimum's 0.041 had been quoted as "well below …
    damped"). Half that bound, tried from the start, ends lower."""
    import sympy as sp

    start = [[-4.144, 0.257]]
    r = run("beale", start, "gd", lr=0.003, max_steps=1000)
    d = r.diagnoses()[0][0]
    x, y = sp.symbols("x y")
    beale = (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    H = sp.hessian(beale, (x, y)).subs({x: r.final[0, 0, 0], y: r.final[0, 0, 1]})
    lam = max(float(v) for v in H.evalf().eigenvals())
    assert d.label == "oscillating" and d.stability_bound == pytest.approx(2 / lam, rel=1e-9)
    assert d.stability_bound < 0.003 and "above the stability bound" in d.explanation
    lr = d.suggestion["lr"]
    assert lr == pytest.approx(1 / lam, rel=1e-2)
    assert run("beale", start, "gd", lr=lr, max_steps=1000).value[0, 0] < r.value[0, 0]


def test_a_swing_about_a_typed_formulas_minimum_is_measured_at_that_minimum():
    """x⁴ − 3x² + x from 0.1 at lr 0.2 swings about the minimum −1.30084 (f'' = 12x² − 6 =
    14.31 there: bound 0.1398 < 0.2) without settling; where it stopped f'' is another
    number, and across any 2-cycle the secant is 2/lr. The lesson finds the minimum it
    circles (Newton from the end) and measures there; its half-bound rate converges. Two runs
    in one 2-cycle, stopped on either side, quote the same bound."""
    f = "x**4 - 3*x**2 + x"
    d = run(f, [[0.1]], "gd", lr=0.2, max_steps=1000).diagnoses()[0][0]
    assert d.label == "oscillating" and d.bound_at[0] == pytest.approx(-1.30084, abs=1e-5)
    assert d.stability_bound == pytest.approx(2 / (12 * 1.30084**2 - 6), rel=1e-4)
    assert "above the stability bound" in d.explanation and "swings about" in d.explanation
    again = run(f, [[0.1]], "gd", lr=d.suggestion["lr"], max_steps=1000)
    assert again.status[0, 0] == "converged" and again.final[0, 0, 0] == pytest.approx(
        -1.30084, abs=1e-4)
    both = run(f + " + 3*y**2", [[-0.801152, -0.309251], [-1.836106, -1.933889]], "gd",
               lr=0.15).diagnoses()[0]
    assert both[0].stability_bound == pytest.approx(both[1].stability_bound, rel=1e-9)
    assert both[0].stability_bound == pytest.approx(0.1398, abs=1e-4)


def test_an_unbounded_run_carried_past_a_minimum_is_told_the_rate_that_stays():
    """x³ − 3x from 2 at lr 0.7: the first step, 2 − 0.7·f'(2) = 2 − 0.7·9 = −4.3, jumps past
    the maximum at −1, and f falls without bound. Smaller steps settle in the minimum x = 1
    (f' = 3x² − 3 = 0, f'' = 6 > 0): a quarter of the rate, 0.175 < 2/6, converges there — so
    "no learning rate or optimizer fixes this" was false. x² − y², unbounded from every
    start off y = 0, keeps that lesson."""
    d = run("x**3 - 3*x", [[2.0]], "gd", lr=0.7, max_steps=500).diagnoses()[0][0]
    assert d.label == "unbounded" and d.suggestion == {"lr": 0.175}
    assert "smaller steps reach a minimum" in d.advice and "no learning rate" not in d.advice
    x = 2.0
    for _ in range(100):  # the suggestion by hand
        x -= 0.175 * (3 * x * x - 3)
    assert x == pytest.approx(1.0, abs=1e-12)
    e = run("x**2 - y**2", [[1.0, 0.1]], "gd", lr=0.1, max_steps=1000).diagnoses()[0][0]
    assert e.label == "unbounded" and e.suggestion is None
    assert e.advice.startswith("no learning rate or optimizer fixes this")


def test_a_maximum_that_f_falls_from_without_bound_makes_no_minimum_global():
    """x³ − 3x from −1 (its maximum) and from 1 (its minimum): f(−3) = −18 < −2 = f(1), and
    f → −∞ as x → −∞. The maximum's lesson says f falls without bound beside it; the minimum
    reached from 1 must then not be "global" (it was, with no run having fallen)."""
    r = run("x**3 - 3*x", [[-1.0], [1.0], [2.0]], "gd", lr=0.01)
    d = r.diagnoses()[0]
    assert d[0].label == "maximum" and "falls without bound" in d[0].explanation
    assert (-3.0) ** 3 - 3 * -3.0 < -2.0
    assert [x.label for x in d[1:]] == ["local_minimum", "local_minimum"]
    assert "no minimum is global" in d[1].explanation


def test_a_stationary_point_with_a_fall_one_way_is_told_the_way_to_a_minimum():
    """x³ − 3x at its maximum −1 falls away to the left, but from −0.99 gradient descent
    (lr 0.001) leaves the maximum to the right and converges to the minimum 1 (f'' = 6 > 0):
    "no option gives this run a minimum" was false. Newton from (1.5, 1.5, 1.5) on
    x² + y² + z² − xyz stops at the saddle (2, 2, 2), whose Hessian 4I − 2J has λ = −2, 4, 4;
    gd at half its bound there (2/4)/2, tried from the start, reaches the minimum 0 at the
    origin. x² − y² at its saddle keeps the lesson: f falls both ways along y."""
    d = run("x**3 - 3*x", [[-1.0]], "gd", lr=0.001, max_steps=1000).diagnoses()[0][0]
    assert d.label == "maximum" and d.suggestion["start"] == "-0.99"
    again = run("x**3 - 3*x", [[-0.99]], "gd", lr=0.001, max_steps=d.suggestion["max_steps"])
    assert again.status[0, 0] == "converged" and again.final[0, 0, 0] == pytest.approx(1.0)
    assert again.steps[0, 0] > 1000  # hence the step limit offered with it
    n = run("x**2 + y**2 + z**2 - x*y*z", [[1.5, 1.5, 1.5]], "newton", lr=1.0,
            max_steps=100).diagnoses()[0][0]
    assert n.label == "saddle" and n.suggestion == {"optimizer": "gd", "lr": 0.25}
    gd = run("x**2 + y**2 + z**2 - x*y*z", [[1.5, 1.5, 1.5]], "gd", lr=0.25, max_steps=100)
    assert gd.status[0, 0] == "converged" and np.linalg.norm(gd.final[0, 0]) < 1e-6
    s = run("x**2 - y**2", [[0.0, 0.0]], "gd", lr=0.1).diagnoses()[0][0]
    assert s.suggestion is None and s.advice.startswith("no option gives this run a minimum")


def test_a_crawl_that_ten_times_the_steps_hardly_shortens_is_told_adam():
    """x² + y² + 1e-6·z² from (1, 1, 1) at lr 0.5: x and y are done in one step, z shrinks by
    1 − 0.5·2e-6 a step — after 9000 more steps (1 − 1e-6)^9000 = 99.1% of its error is left,
    so "allow more steps: max_steps=10000" barely helped (f −1.8%). Adam at the suggested rate
    reaches the minimum 0 within the same 1000 steps."""
    d = run("x**2 + y**2 + 1e-6*z**2", [[1.0, 1.0, 1.0]], "gd", lr=0.5,
            max_steps=1000).diagnoses()[0][0]
    assert d.label == "slow" and "would still leave 99% of it" in d.explanation
    assert (1 - 1e-6) ** 9000 == pytest.approx(0.991, abs=1e-3)
    assert d.suggestion == {"optimizer": "adam", "lr": 0.01}
    adam = run("x**2 + y**2 + 1e-6*z**2", [[1.0, 1.0, 1.0]], "adam", lr=0.01, max_steps=1000)
    assert adam.status[0, 0] == "converged" and adam.value[0, 0] < 1e-12


def test_try_many_starts_is_tried_before_it_is_offered():
    """Rastrigin in 3-D from (1, 0, 0): only the global basin lies lower than 0.995, about
    (2·0.5/10.24)³ ≈ 0.1% of the domain; the 100 starts --random-starts 100 --seed 0 draws
    (uniform over the library's domain) all end no lower, so the suggestion is withdrawn and
    the lesson says so. On double_well (x⁴ − 3x² + x + y²) about half the box leads to the
    lower minimum, and the lesson counts the starts that got there."""
    from gdlab.functions import get

    d = run("rastrigin", [[1.0, 0.0, 0.0]], "gd", lr=0.001, max_steps=5000).diagnoses()[0][0]
    lo, hi = np.array(get("rastrigin").domain(3)).T
    starts = np.random.default_rng(0).uniform(lo, hi, (100, 3))
    ends = run("rastrigin", starts, "gd", lr=0.001, max_steps=5000).value[0]
    assert d.label == "local_minimum" and d.suggestion is None
    assert np.all(ends >= 0.99) and "none of 100 random starts (seed 0)" in d.advice
    w = run("double_well", [[1.0, 1.0]], "gd", lr=0.01, max_steps=1000).diagnoses()[0][0]
    lo, hi = np.array(get("double_well").domain(2)).T
    ends = run("double_well", np.random.default_rng(0).uniform(lo, hi, (100, 2)), "gd",
               lr=0.01, max_steps=1000).value[0]
    lower = int(np.sum(ends < -1.07023 - 1e-6 * 1.07023))
    assert w.suggestion == {"random_starts": 100} and 20 < lower < 80
    assert f"{lower} of 100 random starts reached lower" in w.advice


def test_the_bowl_to_add_outgrows_the_polynomial():
    """x⁵ + y² falls without bound along −x. The quartic bowl the advice used to name leaves it
    so (x⁵ + 0.01x⁴ → −∞); the sextic (x² + y²)³, an even degree above 5, makes the leading
    part 0.01(x² + y²)³ > 0, so f has a minimum — and no "higher power" hedge is needed. For
    e^−x + y², no polynomial, the hedge stays."""
    import sympy as sp

    d = run("x**5 + y**2", [[1.0, 1.0]], "gd", lr=0.01).diagnoses()[0][0]
    assert d.label == "unbounded" and "add 0.01*(x^2 + y^2)^3)" in d.advice
    x, y = sp.symbols("x y", real=True)
    assert sp.limit((x**5 + sp.Rational(1, 100) * x**4).subs(x, -x), x, sp.oo) == -sp.oo
    assert sp.limit(-x**5 + sp.Rational(1, 100) * x**6, x, sp.oo) == sp.oo
    e = run("exp(-x) + y**2", [[1.0, 1.0]], "gd", lr=0.1).diagnoses()[0][0]
    assert "or a higher power where f falls faster" in e.advice


def test_a_run_stopped_on_a_flat_shoulder_is_no_minimum():
    """tanh x + y² from (12, 1): y settles in its bowl, and the run stops by tol at (12, 0),
    where ∂f/∂x = sech² 12 ≈ 1.5e-10 — no critical point: f is flat along x there and falls
    on toward −1 as x → −∞ (tanh → −1), with no minimum anywhere (∇f = (sech² x, 2y) ≠ 0). It
    was "a minimum f = 1". A bowl's minimum stays one (x² + y² from the same start)."""
    r = run("tanh(x) + y**2", [[12.0, 1.0]], "gd", lr=0.1)
    d = r.diagnoses()[0][0]
    assert r.status[0, 0] == "converged" and np.tanh(-40.0) + 0.0 < r.value[0, 0] - 1.9
    assert d.label == "slow" and "so this is no minimum" in d.explanation
    assert "levelling off toward -1" in d.explanation and d.suggestion is None
    bowl = run("x**2 + y**2", [[12.0, 1.0]], "gd", lr=0.1).diagnoses()[0][0]
    assert bowl.label.endswith("minimum")


def test_every_optimizer_of_a_comparison_has_its_suggestion_tried():
    """Nine optimizers from one start on Rosenbrock: each suggestion is run before it is
    offered — adadelta's 'lr=0.1' ends higher (its own run to the same steps says so), and
    the comparison must not print it untried because the first optimizers spent the tries."""
    names = ["gd:0.001", "momentum:0.0001", "nesterov:0.0001", "adam:0.01", "rmsprop:0.001",
             "amsgrad:0.01", "nadam:0.01", "adagrad:0.1", "adadelta"]
    r = run("rosenbrock", [[-1.2, 1.0]], names, max_steps=1000)
    for k, row in enumerate(r.diagnoses()):
        d = row[0]
        lr = (d.suggestion or {}).get("lr")
        if lr is None or set(d.suggestion) != {"lr"}:
            continue
        again = run("rosenbrock", [[-1.2, 1.0]], r.optimizers[k].with_lr(lr), max_steps=1000)
        assert again.status[0, 0] != "diverged" and again.value[0, 0] <= r.value[k, 0], names[k]


def test_two_runs_into_one_basin_do_not_make_its_minimum_global():
    """x⁴ − 3x² + x + 3y² from (2, 1) and (1.5, −1): both runs settle at x = 1.131, a root of
    4x³ − 6x + 1 = 0 whose f is −1.070; another root, −1.301, has f = −3.514 (SymPy). Two
    runs into one basin compare nothing: the label is "minimum", not "global minimum …
    nothing to fix", and the many-starts advice, tried, finds the lower basin."""
    import sympy as sp

    x = sp.symbols("x", real=True)
    f = x**4 - 3 * x**2 + x
    values = sorted(float(f.subs(x, r)) for r in sp.real_roots(sp.diff(f, x)))
    assert values[0] == pytest.approx(-3.51391, abs=1e-5)
    r = run("x**4 - 3*x**2 + x + 3*y**2", [[2.0, 1.0], [1.5, -1.0]], "gd", lr=0.01,
            max_steps=2000)
    d = r.diagnoses()[0]
    assert [e.label for e in d] == ["minimum", "minimum"]
    assert r.value[0, 0] == pytest.approx(-1.07023, abs=1e-5)
    assert d[0].suggestion == {"random_starts": 100} and "random starts reached lower" in \
        d[0].advice
    apart = run("x**4 - 3*x**2 + x + 3*y**2", [[2.0, 1.0], [-1.5, -1.0]], "gd", lr=0.01,
                max_steps=2000).diagnoses()[0]
    assert [e.label for e in apart] == ["local_minimum", "global_minimum"]


def test_momentums_bound_counts_its_dampening():
    """torch's b ← μb + (1 − τ)g scales each gradient by 1 − τ, so heavy ball's bound
    2(1 + μ)/λmax becomes 2(1 + μ)/((1 − τ)λmax): on x² + 10y² (λmax 20) with μ 0.9, τ 0.5
    that is 0.38, not 0.19 — lr 0.37 converges and 0.39 diverges (the engine, run here)."""
    from gdlab.diagnose import stability_bound

    assert stability_bound(20.0, "momentum", 0.9, dampening=0.5) == pytest.approx(0.38)
    runs = {lr: run("x**2 + 10*y**2", [[1.0, 1.0]],
                    make("momentum", lr=lr, momentum=0.9, dampening=0.5), max_steps=3000)
            for lr in (0.37, 0.39)}
    assert runs[0.37].status[0, 0] == "converged" and runs[0.39].status[0, 0] == "diverged"
    d = runs[0.39].diagnoses()[0][0]
    assert d.optimizer_bound == pytest.approx(0.38) and "0.38" in d.explanation + d.advice


def test_the_noise_floor_of_momentum_and_of_a_schedule():
    """Heavy ball with gradient noise σ keeps a spread 1/(1 − μ) wider than gd's: per
    coordinate E x² = (1 + μ)·lr·σ²/((1 − μ)·λ·(2(1 + μ) − lr·λ)) — on x² + y² (λ = 2) at
    lr 0.05, μ 0.9, σ 1, E f = 0.257 (the AR(2) recursion's stationary variance; 40 runs
    here agree). Such a run is at its floor: told to let the step shrink, not "the learning
    rate is right; allow more steps". With inverse_time:0.009 already shrinking gd's step,
    more steps lower the floor (not "use lr=0.5", 5× higher)."""
    from gdlab.optim.schedules import parse_schedule

    starts = [[3.0, 4.0]] * 40  # one call: each row draws its own noise
    mom = run("sphere", starts, make("momentum", lr=0.05, noise=1.0, seed=1), max_steps=1000)
    theory = 2 * 1.9 * 0.05 / (0.1 * 2 * (3.8 - 0.1))
    assert np.mean(mom.value) == pytest.approx(theory, rel=0.3)
    d = run("sphere", [[3.0, 4.0]], make("momentum", lr=0.05, noise=1.0, seed=0),
            max_steps=1000).diagnoses()[0][0]  # as `gdlab descend` runs it
    assert "noise floor" in d.explanation and set(d.suggestion) == {"schedule"}
    shrink = run("sphere", starts, make("momentum", lr=0.05, noise=1.0, seed=1,
                                        schedule=parse_schedule(d.suggestion["schedule"])),
                 max_steps=1000)
    assert np.mean(shrink.value) < 0.5 * np.mean(mom.value)
    sched = parse_schedule("inverse_time:0.009")
    gd = run("sphere", starts, make("gd", lr=0.1, noise=1.0, seed=1, schedule=sched),
             max_steps=1000)
    e = run("sphere", [[3.0, 4.0]], make("gd", lr=0.1, noise=1.0, seed=0, schedule=sched),
            max_steps=1000).diagnoses()[0][0]
    assert e.suggestion == {"max_steps": 10000} and "fastest" not in e.advice
    longer = run("sphere", starts, make("gd", lr=0.1, noise=1.0, seed=1, schedule=sched),
                 max_steps=10000)
    assert np.mean(longer.value) < 0.3 * np.mean(gd.value)


def test_a_run_its_schedule_froze_is_slow_not_oscillating():
    """gd at lr 0.01 on x² + y² from (3, 4) with exponential:0.9: each step shrinks x and y by
    1 − 0.02·0.9ᵗ > 0, so the path only ever steps one way (no reversal), then stops moving
    once 0.9ᵗ underflows the change. It "stopped descending", which had made it
    "oscillating"; it is slow, frozen by its schedule."""
    r = run("x**2 + y**2", [[3.0, 4.0]],
            make("gd", lr=0.01, schedule=parse_schedule("exponential:0.9")), max_steps=1000,
            record="all")
    steps = np.diff(r.path[:, 0, 0], axis=0)
    assert np.all(steps <= 0) and np.all(np.diff(r.path[:, 0, 0, 1]) <= 0)  # never back
    d = r.diagnoses()[0][0]
    assert d.label == "slow" and "exponential:0.9 had shrunk the learning rate" in \
        d.explanation


def test_a_suggestion_too_dear_to_try_says_it_was_not_tried():
    """A try is a run of the suggestion from the start with the run's steps; over the call's
    try budget (TRY_WORK point-steps, a call counted as TRY_ROWS rows) it is offered as it
    stands — and now says so, instead of reading like the tried ones."""
    from gdlab.diagnose import TRY_ROWS, TRY_WORK

    steps = TRY_WORK // TRY_ROWS + 1
    d = run("x**2/20 + y**2", [[-7.0, 2.0]], "gd", lr=1e-4, max_steps=steps,
            tol=1e-12).diagnoses()[0][0]
    assert d.suggestion and "Not tried from this start" in d.advice
    small = run("x**2/20 + y**2", [[-7.0, 2.0]], "gd", lr=1e-4, max_steps=1000).diagnoses()
    assert "Not tried" not in small[0][0].advice


@pytest.mark.parametrize("f, start", [("exp(x) + y**2", [0.0, 1.0]), ("1/x + y**2", [1.0, 1.0])])
def test_the_floor_quoted_is_the_one_f_approaches(f, start):
    """e^x and 1/x (x > 0) fall toward 0 and never reach it; far out along the probe f is
    7e-59 or 2.5e-16 — what the lesson had quoted as the level f approaches. It says 0."""
    d = run(f, [start], "gd", lr=0.1, max_steps=200).diagnoses()[0][0]
    assert "levelling off toward 0:" in d.explanation and "only approaches 0 far" in d.advice


def test_many_starts_that_all_end_at_the_same_minimum_support_it():
    """x² + 3y² has one minimum (a positive-definite quadratic): the 100 starts the advice
    tries all end there, which supports it — not "if f has a lower minimum, its basin is
    small … momentum can cross low barriers"."""
    d = run("x**2 + 3*y**2", [[1.0, 1.0]], "gd", lr=0.1).diagnoses()[0][0]
    assert d.label == "minimum" and d.suggestion is None
    assert "none reached lower and 100 ended at this same value" in d.advice
    assert "barriers" not in d.advice


def test_newton_at_a_maximum_is_told_a_gradient_descent_rate_that_reaches_a_minimum():
    """x³ − 3x: Newton from −0.9 stops at the maximum −1 (f'' = −6), where gd has no bound;
    a step of 1/|f''| = 1/6 from the start, tried, reaches the minimum 1 (f'' = 6 there, bound
    1/3) — "no option gives this run a minimum" was false."""
    d = run("x**3 - 3*x", [[-0.9]], "newton", lr=1.0).diagnoses()[0][0]
    assert d.label == "maximum" and d.suggestion == {"optimizer": "gd", "lr": 0.167}
    gd = run("x**3 - 3*x", [[-0.9]], "gd", lr=0.167)
    assert gd.status[0, 0] == "converged" and gd.final[0, 0, 0] == pytest.approx(1.0)


def test_a_stop_by_tol_on_a_slope_that_barely_curves_is_no_critical_point():
    """e^x + y² from (−40, 1): y settles, and ∂f/∂x = e^−40 = 4e-18 < tol with curvature
    4e-18 too — no critical point (e^x > 0 everywhere), and no tighter tol makes one: the
    lesson had been "tighten the tolerance" again and again. A noisy Nesterov run at its
    floor is told the floor, not "allow more steps" (its spread measured by heavy ball's)."""
    d = run("exp(x) + y**2", [[-40.0, 1.0]], "gd", lr=0.1).diagnoses()[0][0]
    assert d.label == "slow" and "no tighter tol makes it one" in d.explanation
    assert d.suggestion is None
    n = run("x**2 + y**2", [[3.0, 4.0]], make("nesterov", lr=0.05, momentum=0.9, noise=1.0),
            max_steps=1000).diagnoses()[0][0]
    assert "noise floor" in n.explanation and set(n.suggestion) == {"schedule"}


def test_momentums_retuning_counts_its_dampening():
    """Heavy ball with dampening τ steps as with lr·(1 − τ): at lr 1e-4, μ 0.5, τ 0.5 on
    x² + 100y² the slow mode (λ = 2) shrinks by the larger root of z² − (1 + μ − lr'λ)z + μ,
    ≈ 1 − lr'λ/(1 − μ) = 1 − 2e-4 — not the undamped 1 − 4e-4 — and the lesson says so."""
    r = run("x**2 + 100*y**2", [[1.0, 1.0]],
            make("momentum", lr=1e-4, momentum=0.5, dampening=0.5), max_steps=500)
    d = r.diagnoses()[0][0]
    z = max(abs(np.roots([1, -(1.5 - 5e-5 * 2), 0.5])))
    assert 1 - z == pytest.approx(2e-4, rel=1e-3) and "shrinks the error by 1 − 0.0002" in \
        d.advice


def test_flat_ground_that_slopes_down_ahead_is_a_plateau_not_a_minimum():
    """−e^−(x² + y²) from (4, 4): ‖∇f‖ = 8√2·e^−32 ≈ 1.4e-13 < tol, so the run stops at once,
    and every curvature there is ~1e-13 — flat. f is −1 at the origin, 5.7 ahead along −∇f:
    no minimum at (4, 4), though with one run nothing lower is known. A plateau; the Adam it
    suggests gets to the minimum."""
    d = run("-exp(-(x**2+y**2))", [[4.0, 4.0]], "gd", lr=0.1).diagnoses()[0][0]
    assert np.sqrt(2) * 8 * np.exp(-32) == pytest.approx(1.4e-13, rel=0.05)
    assert d.label == "plateau" and "no critical point" in d.explanation
    s = d.suggestion
    again = run("-exp(-(x**2+y**2))", [[4.0, 4.0]], make("adam", lr=s["lr"], eps=s["eps"]),
                tol=s["tol"], max_steps=1000)
    assert again.value[0, 0] == pytest.approx(-1.0, abs=1e-6)
    bowl = run("x**4 + y**4", [[0.01, 0.01]], "gd", lr=0.1).diagnoses()[0][0]
    assert bowl.label != "plateau"  # flat, but f rises every way ahead: a minimum's flat floor


@pytest.mark.parametrize("optimizer, bound", [("gd", 2 / 8), ("nesterov", 2 * 1.9 / (2.8 * 8))])
def test_an_lr_sweeps_bound_is_the_minimums_its_runs_reach(optimizer, bound):
    """(x² − 1)² + (y² − 1)²: at its minima the Hessian is diag(8, 8) — gd's bound 0.25,
    Nesterov's (μ 0.9) 0.1696. The sweep's bound had been taken where a swinging or diverged
    run stopped (0.174, 0.1186), so converging rates read "above the bound"; rates below the
    bound converge here and those above do not."""
    from gdlab.studies import lr_sweep, sweep_bound

    lrs = [0.1, 0.2, 0.24, 0.26, 0.3, 0.35] if optimizer == "gd" else \
        [0.05, 0.1, 0.15, 0.2]
    r = lr_sweep("(x**2-1)**2 + (y**2-1)**2", [[0.547847, -0.920853]], make(optimizer),
                 lrs, max_steps=1000)
    assert sweep_bound(r, own=True) == pytest.approx(bound, rel=1e-6)
    for k, lr in enumerate(lrs):
        assert (r.status[k, 0] == "converged") == (lr < bound), lr


def test_a_run_ending_beside_a_kink_where_f_falls_is_no_minimum():
    """x·|x| + 0.1x² + y² from (0.5, 1): x shrinks toward 0 from the right (f = 1.1x² there)
    and the run converges at the kink; the formula's Hessian there reads (0.2, 2) — "a
    minimum" — but f(−h, 0) = −0.9h² < 0: f falls beside it (and without bound to the left)."""
    d = run("x*abs(x) + 0.1*x^2 + y^2", [[0.5, 1.0]], "gd", lr=0.1).diagnoses()[0][0]
    assert d.label == "saddle" and "kink" in d.explanation and d.suggestion is None
