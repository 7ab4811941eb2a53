"""Optimizers: torch.optim's recorded trajectories, one table-driven suite over every optimizer
and every shared problem, schedules, validation and gradient noise."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from gdlab import functions
from gdlab.engine import run
from gdlab.errors import ConfigError
from gdlab.optim import OPTIMIZERS, make, parse_optimizer, parse_schedule
from gdlab.optim.transforms import Context

from .problems import OPTIMIZER_PROBLEMS, TUNED_LR, tuned

REFERENCE = json.loads((Path(__file__).parent / "reference" / "torch_trajectories.json")
                       .read_text())
CASES = REFERENCE["cases"]


def _case_id(c):
    extra = ",".join(f"{k}={v}" for k, v in c["hyper"].items() if k != "lr")
    return f"{c['function']}-{c['optimizer']}({extra})-{c['schedule']}-{c['start']}"


def test_reference_covers_every_torch_optimizer_on_the_four_functions():
    covered = {(c["function"], c["optimizer"]) for c in CASES}
    torch_like = [n for n, r in OPTIMIZERS.items() if r.torch]
    for fn in ("rosenbrock", "beale", "himmelblau", "ill_conditioned"):
        for name in torch_like:
            assert (fn, name) in covered


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_reproduces_torch_optim_trajectories(case):
    opt = make(case["optimizer"], schedule=parse_schedule(case["schedule"]), **case["hyper"])
    steps = len(case["path"]) - 1
    r = run(case["function"], [case["start"]], opt, max_steps=steps, tol=0, record="all")
    ours = r.path[:, 0, 0]
    ref = np.array(case["path"])
    if r.status[0, 0] == "converged":  # ∇f = 0 exactly: torch's later steps stay put
        assert r.gradient_norm[0, 0] == 0
        ours = np.concatenate([ours, np.repeat(ours[-1:], len(ref) - len(ours), axis=0)])
    assert ours.shape == ref.shape
    assert np.all(np.abs(ours - ref) <= 1e-10 * np.maximum(np.abs(ref), 1e-3))


# --- one table: every optimizer × every shared problem ----------------------------------

TABLE = [(name, p) for name in OPTIMIZERS for p in OPTIMIZER_PROBLEMS]


@pytest.mark.parametrize("name, problem", TABLE,
                         ids=[f"{n}-{p['name']}" for n, p in TABLE])
def test_every_optimizer_converges_on_every_shared_problem(name, problem):
    r = run(problem["name"], [problem["start"]], tuned(name, problem["name"]),
            max_steps=problem["steps"], tol=1e-6)
    end = r.final[0, 0]
    assert np.linalg.norm(end - problem["minimum"]) < problem["distance"], (end, r.status)
    assert r.status[0, 0] in ("converged", "max_steps")


@pytest.mark.parametrize("name, problem", TABLE,
                         ids=[f"{n}-{p['name']}" for n, p in TABLE])
def test_update_is_pure(name, problem):
    obj = functions.get(problem["name"]).objective()
    t = tuned(name, problem["name"]).transform()
    x = np.array([problem["start"], [0.3, -0.2]], dtype=float)
    state = t.init(x)
    ctx = Context(value=obj.value, hessian=obj.hessian)
    for _ in range(3):  # a few steps so that every state buffer is non-trivial
        u, state = t.update(obj.gradient(x), state, x, ctx)
        x = x + u
    g = obj.gradient(x)
    copies = [np.copy(a) for a in (x, g)]
    flat_state = _flatten(state)
    state_copies = [np.copy(a) for a in flat_state]
    u1, s1 = t.update(g, state, x, ctx)
    u2, s2 = t.update(g, state, x, ctx)
    np.testing.assert_array_equal(u1, u2)
    for a, b in zip(_flatten(s1), _flatten(s2)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip((x, g), copies):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(flat_state, state_copies):
        np.testing.assert_array_equal(a, b)


def _flatten(state):
    if isinstance(state, tuple):
        return [a for s in state for a in _flatten(s)]
    return [state]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_row_in_a_batch_equals_the_row_alone(name):
    starts = np.array([[1.0, 1.0], [-3.0, 2.5], [4.0, -4.0], [0.1, 0.2]])
    opt = tuned(name)
    batch = run("himmelblau", starts, opt, max_steps=60, tol=1e-9, record="all")
    for b, start in enumerate(starts):
        alone = run("himmelblau", [start], opt, max_steps=60, tol=1e-9, record="all")
        np.testing.assert_array_equal(batch.final[0, b], alone.final[0, 0])
        assert batch.steps[0, b] == alone.steps[0, 0]
        np.testing.assert_array_equal(batch.run_path(0, b), alone.run_path(0, 0))


# --- schedules ----------------------------------------------------------------------------


SCHEDULE_REFERENCE = json.loads((Path(__file__).parent / "reference" / "torch_schedules.json")
                                .read_text())


@pytest.mark.parametrize("case", SCHEDULE_REFERENCE["cases"],
                         ids=[c["schedule"] for c in SCHEDULE_REFERENCE["cases"]])
def test_every_schedule_equals_its_torch_scheduler_past_t_and_warmup(case):
    steps = SCHEDULE_REFERENCE["steps"]  # 300: past every T, period and warm-up of the table
    schedule = parse_schedule(case["schedule"])
    ours = np.array([case["lr"] * schedule(t) for t in range(steps)])
    np.testing.assert_allclose(ours, case["lrs"], rtol=1e-13, atol=1e-17)
    opt = make("momentum", lr=case["lr"], momentum=case["momentum"], schedule=schedule)
    r = run(case["function"], [case["start"]], opt, max_steps=steps, tol=0, record="all")
    np.testing.assert_allclose(r.path[:, 0, 0], case["path"], rtol=1e-10, atol=1e-12)


def test_schedules_follow_their_closed_forms():
    t = np.arange(0, 50)
    assert [parse_schedule("step:10:0.5")(i) for i in t] == [0.5 ** (i // 10) for i in t]
    assert [parse_schedule("exponential:0.9")(i) for i in t] == pytest.approx(0.9**t)
    assert [parse_schedule("inverse_time:0.1")(i) for i in t] == pytest.approx(1 / (1 + 0.1 * t))
    cos = [parse_schedule("cosine:40:0.1")(i) for i in t]
    assert cos[0] == 1.0 and cos[40] == pytest.approx(0.1) and cos[20] == pytest.approx(0.55)
    assert cos[49] == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi * 49 / 40)) / 2)
    warm = parse_schedule("warmup:5:0.2+exponential:0.5")
    assert [warm(i) for i in range(8)] == pytest.approx([0.2, 0.36, 0.52, 0.68, 0.84, 1.0,
                                                         0.5, 0.25])
    assert parse_schedule(None) is None


def test_a_schedule_changes_every_optimizers_step():
    for name in OPTIMIZERS:
        plain = run("himmelblau", [[1.0, 1.0]], make(name, lr=TUNED_LR[name]), max_steps=10,
                    tol=0)
        decayed = run("himmelblau", [[1.0, 1.0]],
                      make(name, lr=TUNED_LR[name], schedule=parse_schedule("exponential:0.5")),
                      max_steps=10, tol=0)
        assert not np.allclose(plain.final, decayed.final), name


@pytest.mark.parametrize("text", ["step", "step:0:0.5", "step:10:2", "cosine:-1", "foo:1",
                                  "warmup:5:0.1+step:x", "exponential:x", "constant+step:1:0.5"])
def test_bad_schedules_are_refused(text):
    with pytest.raises(ConfigError):
        parse_schedule(text)


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, hyper, message", [
    ("gd", {"lr": -0.1}, "`lr` must be in (0, inf)"),
    ("gd", {"lr": 0}, "`lr`"),
    ("gd", {"lr": 2**1100}, "`lr` must be a number within double precision's range"),
    ("gd", {"lr": math.nan}, "`lr`"),
    ("momentum", {"momentum": -0.5}, "`momentum` must be in [0, inf)"),
    ("adam", {"beta1": 1.0}, "`beta1` must be in [0, 1)"),
    ("adam", {"beta2": 1.5}, "`beta2`"),
    ("adam", {"eps": 0}, "`eps`"),
    ("rmsprop", {"alpha": 1.0}, "`alpha`"),
    ("adam", {"momentum": 0.9}, "adam has no hyper-parameter 'momentum'"),
])
def test_out_of_range_hyper_parameters_are_refused(name, hyper, message):
    with pytest.raises(ConfigError) as info:
        make(name, **hyper)
    assert message in str(info.value)


def test_unknown_optimizer_suggests_the_closest():
    with pytest.raises(ConfigError, match="did you mean adam"):
        make("adma")
    with pytest.raises(ConfigError, match="known: gd, momentum"):
        make("zzz")


def test_optimizer_text_forms():
    assert parse_optimizer("adam:0.3").hyper["lr"] == 0.3
    o = parse_optimizer("rmsprop:lr=0.1:centered=true:alpha=0.9")
    assert o.hyper["centered"] is True and o.hyper["alpha"] == 0.9
    assert parse_optimizer("momentum", lr=0.02, momentum=0.5).hyper == {
        "lr": 0.02, "momentum": 0.5, "dampening": 0.0, "weight_decay": 0.0}
    with pytest.raises(ConfigError, match="must be a number"):
        parse_optimizer("adam:fast")


def test_hyper_parameters_are_torch_defaults():
    torch_defaults = {"gd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 1e-2,
                      "rmsprop": 1e-2, "adam": 1e-3, "adamw": 1e-3, "amsgrad": 1e-3,
                      "nadam": 2e-3, "adadelta": 1.0}
    for name, lr in torch_defaults.items():
        assert make(name).hyper["lr"] == lr
    assert make("adamw").hyper["weight_decay"] == 1e-2
    assert make("adagrad").hyper["eps"] == 1e-10
    assert make("adadelta").hyper["eps"] == 1e-6


# --- the textbook forms ---------------------------------------------------------------------


def test_deep_learning_from_scratch_momentum_is_the_same_trajectory():
    """The book: v ← αv − lr·g; x ← x + v. torch: b ← μb + g; x ← x − lr·b."""
    obj = functions.get("ill_conditioned").objective()
    lr, alpha = 0.1, 0.9
    x, v = np.array([-7.0, 2.0]), np.zeros(2)
    book = [x.copy()]
    for _ in range(30):
        v = alpha * v - lr * obj.gradient(x)
        x = x + v
        book.append(x.copy())
    r = run(obj, [[-7.0, 2.0]], make("momentum", lr=lr, momentum=alpha), max_steps=30, tol=0,
            record="all")
    np.testing.assert_allclose(r.path[:, 0, 0], np.array(book), rtol=1e-12, atol=1e-14)


def test_newton_jumps_to_the_nearest_critical_point_of_any_kind():
    # one Newton step solves a quadratic exactly, saddle or not
    r = run("x**2 - y**2 + 2*x + 4*y", [[5.0, 7.0]], "newton", max_steps=1, tol=0)
    np.testing.assert_allclose(r.final[0, 0], [-1.0, 2.0], atol=1e-12)


def test_backtracking_satisfies_armijo_and_converges_where_fixed_lr_diverges():
    r = run("rosenbrock", [[-1.2, 1.0]], make("backtracking", lr=1.0), max_steps=5000, tol=1e-6)
    assert r.status[0, 0] != "diverged"
    assert r.value[0, 0] < r.start_value[0, 0]
    fixed = run("rosenbrock", [[-1.2, 1.0]], make("gd", lr=1.0), max_steps=50)
    assert fixed.status[0, 0] == "diverged"
    path = run("rosenbrock", [[-1.2, 1.0]], make("backtracking", lr=1.0), max_steps=200, tol=0,
               record="all")
    values = path.values[:, 0, 0]
    assert np.all(np.diff(values) <= 0)  # Armijo: every step decreases f


# --- gradient noise -------------------------------------------------------------------------


def test_noise_is_reproducible_and_escapes_a_saddle():
    f = "x**4/4 - x**2/2 + y**2"  # saddle at 0, minima at (±1, 0)
    clean = run(f, [[0.0, 1.0]], make("gd", lr=0.1), max_steps=3000, tol=1e-10)
    assert clean.diagnoses()[0][0].label == "saddle"
    noisy = [run(f, [[0.0, 1.0]], make("gd", lr=0.1, noise=0.01, seed=s), max_steps=3000,
                 tol=1e-10) for s in (1, 1, 2)]
    np.testing.assert_array_equal(noisy[0].final, noisy[1].final)
    assert not np.array_equal(noisy[0].final, noisy[2].final)
    for r in noisy:
        assert abs(abs(r.final[0, 0, 0]) - 1) < 0.05  # it left the saddle for a minimum
