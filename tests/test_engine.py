"""The batched engine: stopping rules, masking, recording, memory limits."""

import time
import warnings

import numpy as np
import pytest

from gdlab.engine import run
from gdlab.errors import ConfigError, PointError
from gdlab.optim import make


def test_deep_learning_from_scratch_chapter_4():
    """f = x0² + x1², start (−3, 4), lr 0.1, 100 steps → (−6.1e−10, 8.1e−10):
    each step multiplies x by (1 − 2·lr) = 0.8."""
    r = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd", lr=0.1, max_steps=100, tol=0)
    np.testing.assert_allclose(r.final[0, 0], 0.8**100 * np.array([-3.0, 4.0]), rtol=1e-12)
    assert r.final[0, 0] == pytest.approx([-6.1e-10, 8.1e-10], rel=0.01)
    assert r.steps[0, 0] == 100
    big = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd", lr=10, max_steps=100)
    assert big.status[0, 0] == "diverged"
    tiny = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd", lr=1e-10, max_steps=100)
    assert tiny.status[0, 0] == "max_steps"
    np.testing.assert_allclose(tiny.final[0, 0], (1 - 2e-10) ** 100 * np.array([-3.0, 4.0]),
                               rtol=1e-14)  # essentially unmoved: 1e-7 in 100 steps


def test_tolerance_stops_each_row_on_its_own():
    r = run("sphere", [[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], "gd", lr=0.1, max_steps=1000, tol=1e-6)
    # ‖∇f‖ = 2‖x‖·0.8^t ≤ 1e-6  →  t = ceil(log(1e-6 / (2‖x0‖)) / log 0.8)
    expected = [int(np.ceil(np.log(1e-6 / (2 * n)) / np.log(0.8))) for n in (5.0, 0.5)] + [0]
    assert r.steps[0].tolist() == expected
    assert r.status[0].tolist() == ["converged"] * 3
    assert np.all(r.gradient_norm <= 1e-6)


def test_tol_zero_runs_exactly_the_budget():
    r = run("sphere", [[3.0, 4.0]], "gd", lr=0.1, max_steps=37, tol=0)
    assert r.steps[0, 0] == 37 and r.status[0, 0] == "max_steps"


def test_a_diverging_row_never_poisons_the_others_and_warns_nothing():
    starts = np.array([[3.0, 4.0], [1.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mixed = run("sphere", starts, ["gd:1.5", "gd:0.1"], max_steps=200)
    assert mixed.status[0].tolist() == ["diverged", "diverged"]
    alone = run("sphere", starts, "gd:0.1", max_steps=200)
    np.testing.assert_array_equal(mixed.final[1], alone.final[0])
    np.testing.assert_array_equal(mixed.steps[1], alone.steps[0])
    # overflow to inf/nan is a result too
    r = run("exp(x**2)", [[3.0]], "gd:1", max_steps=50)
    assert r.status[0, 0] == "diverged"


def test_k_configurations_in_one_pass_equal_separate_runs():
    lrs = [0.001, 0.01, 0.03]
    starts = [[-1.0, 1.0], [0.5, 0.5]]
    together = run("himmelblau", starts, [make("adam", lr=lr) for lr in lrs], max_steps=300,
                   tol=1e-9)
    for k, lr in enumerate(lrs):
        alone = run("himmelblau", starts, make("adam", lr=lr), max_steps=300, tol=1e-9)
        np.testing.assert_array_equal(together.final[k], alone.final[0])
        np.testing.assert_array_equal(together.steps[k], alone.steps[0])


def test_recording_choices():
    starts = [[3.0, 4.0], [0.01, 0.0]]
    all_ = run("sphere", starts, "gd", lr=0.1, max_steps=50, tol=1e-6, record="all")
    assert all_.path.shape == (51, 1, 2, 2)
    np.testing.assert_array_equal(all_.path[0, 0], starts)
    # a stopped row keeps its end point in later records
    stop = all_.steps[0, 1]
    assert np.all(all_.path[stop:, 0, 1] == all_.final[0, 1])
    np.testing.assert_allclose(all_.values[:, 0, 0],
                               np.sum(all_.path[:, 0, 0] ** 2, axis=-1), rtol=1e-14)
    every = run("sphere", starts, "gd", lr=0.1, max_steps=50, tol=0, record=7)
    assert every.recorded_steps.tolist() == [0, 7, 14, 21, 28, 35, 42, 49, 50]
    np.testing.assert_array_equal(every.path[1, 0, 0], all_.path[7, 0, 0])
    last = run("sphere", starts, "gd", lr=0.1, max_steps=50, tol=0, record="last")
    assert last.recorded_steps.tolist() == [0, 50]
    assert run("sphere", starts, "gd", max_steps=5, record="none").path is None
    np.testing.assert_array_equal(all_.run_path(0, 0)[-1], all_.final[0, 0])


def test_enormous_records_are_refused_before_any_work():
    starts = np.zeros((100_000, 2))
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="record every"):
        run("sphere", starts, "gd", max_steps=10_000, record="all")  # 10⁹ point-steps
    assert time.perf_counter() - t0 < 2
    r = run("sphere", starts[:1000], "gd", max_steps=200_000, record="auto", tol=0.1)
    assert r.path is not None  # auto thins the record instead of refusing


@pytest.mark.parametrize("kwargs, error", [
    ({"max_steps": -1}, ConfigError), ({"max_steps": 1.5}, ConfigError),
    ({"steps": 10}, ConfigError), ({"tol": -1}, ConfigError),
    ({"record": "sometimes"}, ConfigError), ({"lr": -0.1}, ConfigError),
    ({"lr": 0}, ConfigError), ({"optimizers": "adma"}, ConfigError),
])
def test_bad_arguments_are_refused(kwargs, error):
    kwargs = {"optimizers": "gd", **kwargs}
    with pytest.raises(error):
        run("sphere", [[1.0, 2.0]], **kwargs)


def test_a_keyword_that_no_optimizer_of_the_call_takes_is_refused():
    """``run(f, x, "gd:0.001", lr=0.1)`` ran at 0.001, ``run(f, x, "gd", momentum=0.5)`` as
    plain gd: the keyword did nothing. A keyword no optimizer of the call takes is an error
    now; the same value twice, or a keyword that fills what a text leaves out, is not."""
    with pytest.raises(ConfigError, match="lr is given twice"):
        run("sphere", [[1.0, 2.0]], "gd:0.001", lr=0.1)
    with pytest.raises(ConfigError, match="centered is given twice"):
        run("sphere", [[1.0, 2.0]], "rmsprop:centered=true", centered=False)
    with pytest.raises(ConfigError, match="none of the optimizers"):
        run("sphere", [[1.0, 2.0]], "gd", momentum=0.5)  # gd has none: it was dropped
    with pytest.raises(ConfigError, match="lr is given twice"):  # every text sets its own
        run("sphere", [[1.0, 2.0]], ["gd:0.1", "adam:0.2"], lr=0.01)
    same = run("sphere", [[1.0, 2.0]], "gd:1e-1", lr=0.1, max_steps=3)
    filled = run("sphere", [[1.0, 2.0]], "momentum:0.1", momentum=0.5, max_steps=3)
    assert same.optimizers[0].hyper["lr"] == 0.1
    assert filled.optimizers[0].hyper == {**filled.optimizers[0].hyper, "lr": 0.1,
                                          "momentum": 0.5}
    # as the CLI's compare: the keyword fills what a text leaves out, the texts keep theirs
    mixed = run("sphere", [[1.0, 2.0]], ["gd", "adam:0.1"], lr=0.01, max_steps=3)
    assert [o.hyper["lr"] for o in mixed.optimizers] == [0.01, 0.1]
    some = run("sphere", [[1.0, 2.0]], ["gd", "momentum"], momentum=0.5, max_steps=3)
    assert some.optimizers[1].hyper["momentum"] == 0.5


@pytest.mark.parametrize("starts", [[[1.0, 2.0, 3.0]], [[np.nan, 1.0]], [["a", "b"]], []])
def test_bad_starts_are_refused(starts):
    with pytest.raises((PointError, ConfigError)):
        run("himmelblau", starts, "gd")


def test_progress_is_reported_to_the_end():
    seen = []
    run("sphere", np.ones((10, 2)), "gd", lr=0.001, max_steps=200, tol=0,
        progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == 10 * 200


def test_callables_run_with_numerical_gradients():
    r = run(lambda p: (p[0] - 1) ** 2 + (p[1] + 2) ** 2, [[0.0, 0.0]], "gd", lr=0.1,
            max_steps=500, tol=1e-8)
    np.testing.assert_allclose(r.final[0, 0], [1.0, -2.0], atol=1e-8)


def test_paths_of_different_optimizers_in_one_call_equal_their_runs_alone():
    """Configurations of different optimizers run as separate groups; none may overwrite
    another's record."""
    starts = [[-7.0, 2.0], [3.0, -1.0]]
    opts = [make("gd", lr=0.95), make("momentum", lr=0.1), make("adam", lr=0.3)]
    together = run("ill_conditioned", starts, opts, max_steps=60, tol=1e-6, record="all")
    for k, opt in enumerate(opts):
        alone = run("ill_conditioned", starts, opt, max_steps=60, tol=1e-6, record="all")
        for b in range(len(starts)):
            np.testing.assert_array_equal(together.run_path(k, b), alone.run_path(0, b))
            n = len(alone.run_path(0, b))
            np.testing.assert_array_equal(together.values[:n, k, b], alone.values[:n, 0, b])


def test_deadline_stops_a_run_that_is_over_its_time_budget():

    from gdlab.errors import TimeBudgetError

    starts = np.random.default_rng(0).uniform(-2, 2, (50, 2))
    with pytest.raises(TimeBudgetError, match="time budget"):
        run("rosenbrock", starts, "gd", lr=1e-4, max_steps=1000, tol=0, backend="numpy",
            deadline=time.monotonic() - 1)
    a = run("rosenbrock", starts, "gd", lr=1e-4, max_steps=300, backend="numpy",
            deadline=time.monotonic() + 600)
    b = run("rosenbrock", starts, "gd", lr=1e-4, max_steps=300, backend="numpy")
    np.testing.assert_array_equal(a.final, b.final)


def test_a_run_spec_is_validated_once_and_runs_as_run_does():
    from gdlab.spec import Limits, RunSpec

    spec = RunSpec.build("sphere", [[3.0, 4.0], [1.0, 1.0]], ["gd:0.1", "adam:0.3"],
                         max_steps=50, tol=0, record="all")
    assert spec.work == 2 * 2 * 50 and spec.starts.dtype == np.float64
    a, b = spec.run(), run("sphere", [[3.0, 4.0], [1.0, 1.0]], ["gd:0.1", "adam:0.3"],
                           max_steps=50, tol=0, record="all")
    np.testing.assert_array_equal(a.path, b.path)
    # gd: x ← x − 0.1·2x = 0.8x each step
    np.testing.assert_allclose(a.final[0, 0], np.array([3.0, 4.0]) * 0.8**50, rtol=1e-12)
    small = Limits(max_starts=1, max_optimizers=8, max_steps=100, max_work=10**6)
    with pytest.raises(PointError, match="2 starts; the limit is 1"):
        RunSpec.build("sphere", [[3.0, 4.0], [1.0, 1.0]], "gd", limits=small)
    with pytest.raises(ConfigError, match="over the limit 100"):
        RunSpec.build("sphere", [[3.0, 4.0]], "gd", max_steps=101, limits=small)
    with pytest.raises(ConfigError, match="point-steps requested"):
        Limits(max_work=99).check(1, 1, 100)
    for bad in ({"record": "sometimes"}, {"backend": "gpu"}, {"tol": -1}):
        with pytest.raises(ConfigError):
            RunSpec.build("sphere", [[1.0, 1.0]], "gd", **bad)


def test_a_hyper_parameter_is_one_number_per_optimizer():
    """Several learning rates are several optimizers; an array is refused, on every engine."""
    for backend in ("numpy", "compiled"):
        with pytest.raises(ConfigError, match="must be one number"):
            run("himmelblau", [[1.0, 1.0], [2.0, 2.0]], "gd", lr=np.array([0.1, 0.01]),
                backend=backend)
    with pytest.raises(ConfigError, match="must be one number"):
        make("momentum", momentum=[0.5, 0.9])


@pytest.mark.parametrize("backend", ["numpy", "compiled"])
def test_tol_zero_runs_every_step_even_from_an_exact_critical_point(backend):
    """From the saddle (0, 0) of x² − y², ∇f = 0 exactly, so ‖∇f‖ ≤ 0 held at step 0 and the
    run stopped there — also with gradient noise, whose steps would have moved it. tol 0 runs
    exactly max_steps steps: with noise the run leaves; without, it stays (every step is 0)."""
    from gdlab.optim import make

    if backend == "numpy":  # the compiled kernels take no noise
        noisy = run("x**2 - y**2", [[0.0, 0.0]], make("gd", lr=0.01, noise=0.1, seed=1),
                    max_steps=100, tol=0, backend=backend)
        assert noisy.steps[0, 0] == 100 and np.linalg.norm(noisy.final[0, 0]) > 1e-3
    still = run("x**2 - y**2", [[0.0, 0.0]], "gd", lr=0.01, max_steps=100, tol=0,
                record="last", backend=backend)
    assert still.steps[0, 0] == 100 and still.status[0, 0] == "max_steps"
    assert np.all(still.final[0, 0] == 0.0)


def test_configurations_with_a_value_per_start_stack_as_separate_runs():
    """Two gd configurations whose rates are given one per start ((N, 1) arrays, as the
    diagnosis tries suggestions) run in one call exactly as each alone."""
    from dataclasses import replace

    starts = np.array([[1.0, 2.0], [-3.0, 0.5]])
    a = replace(make("gd"), hyper={"lr": np.array([[0.1], [0.01]])})
    b = replace(make("gd"), hyper={"lr": np.array([[0.05], [0.2]])})
    both = run("x**2 + 3*y**2", starts, [a, b], max_steps=50, backend="numpy")
    for k, opt in enumerate((a, b)):
        alone = run("x**2 + 3*y**2", starts, opt, max_steps=50, backend="numpy")
        np.testing.assert_array_equal(both.final[k], alone.final[0])
