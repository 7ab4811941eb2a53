"""The compiled (numba) loop agrees with the NumPy engine, row by row."""

import os

import numpy as np
import pytest

from gdlab.compiled import SUPPORTED, squared_threshold
from gdlab.engine import run
from gdlab.errors import ConfigError
from gdlab.optim import make

pytest.importorskip("numba")

CASES = [("gd", 1e-4), ("momentum", 1e-4), ("nesterov", 1e-4), ("adam", 1e-2),
         ("amsgrad", 1e-2)]


@pytest.mark.parametrize("name, lr", CASES)
def test_numba_and_numpy_backends_agree(name, lr):
    rng = np.random.default_rng(0)
    starts = rng.uniform(-2, 2, (700, 2))  # more than two blocks, a partial last block
    starts[0] = [1.0, 1.0]  # the minimum: converged at step 0
    starts[1] = [40.0, -40.0]  # diverges with these learning rates? kept either way
    kwargs = dict(max_steps=300, tol=1e-6, record="last")
    a = run("rosenbrock", starts, make(name, lr=lr), backend="compiled", **kwargs)
    b = run("rosenbrock", starts, make(name, lr=lr), backend="numpy", **kwargs)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.steps, b.steps)
    ok = b.status != "diverged"
    np.testing.assert_allclose(a.final[ok], b.final[ok], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(a.value[ok], b.value[ok], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(a.oscillation, b.oscillation, atol=1e-12)
    np.testing.assert_allclose(a.mid_value, b.mid_value, rtol=1e-10)
    assert [[d.label for d in r] for r in a.diagnoses()] == \
        [[d.label for d in r] for r in b.diagnoses()]
    np.testing.assert_array_equal(a.path[0], b.path[0])


def test_per_row_learning_rates_in_one_kernel():
    starts = np.random.default_rng(1).uniform(-4, 4, (300, 2))
    opts = [make("gd", lr=lr) for lr in (1e-3, 1e-2, 3e-2)]
    a = run("himmelblau", starts, opts, max_steps=400, tol=1e-8, record="last", backend="compiled")
    b = run("himmelblau", starts, opts, max_steps=400, tol=1e-8, record="last", backend="numpy")
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_allclose(a.final, b.final, rtol=1e-12, atol=1e-14)


def test_compiled_backend_refuses_what_it_cannot_run():
    with pytest.raises(ConfigError, match="compiled backend"):
        run("sphere", [[1.0, 1.0]], "rmsprop", backend="compiled", record="last")
    with pytest.raises(ConfigError, match="compiled backend"):
        run("sphere", [[1.0, 1.0]], "gd", backend="compiled", record="all")
    # the old name still works, and float32 is refused off the GPU
    assert run("sphere", [[1.0, 1.0]], "gd", backend="numba", record="last").steps[0, 0] > 0
    with pytest.raises(ConfigError, match="float32 runs on the cuda backend only"):
        run("sphere", [[1.0, 1.0]], "gd", backend="compiled", dtype="float32")


@pytest.mark.parametrize("tol", [0.0, 1e-300, 5e-324, 1e-8, 0.1, 1.0, 3.0, 1e150, 1e160,
                                 1.7e308, -1.0, np.inf])
def test_squared_threshold_decides_the_norm_test_exactly(tol):
    # ‖g‖ ≤ tol in the NumPy engine is sqrt(s) ≤ tol; the kernel tests s ≤ T instead.
    T = squared_threshold(tol)
    assert T == -1.0 if tol < 0 else np.sqrt(T) <= tol
    if 0 <= tol and T < np.finfo(float).max:
        assert np.sqrt(np.nextafter(T, np.inf)) > tol  # T is the largest such value
    rng = np.random.default_rng(7)
    s = np.abs(rng.normal(size=2000)) * min(max(tol, 1e-300), 1e150) ** 2 * 2
    with np.errstate(over="ignore"):
        s = np.concatenate([s, [T, np.nextafter(T, np.inf), np.nextafter(T, -np.inf), 0.0]])
    s = s[np.isfinite(s) & (s >= 0)]
    np.testing.assert_array_equal(s <= T, np.sqrt(s) <= tol)


def test_vector_width_does_not_change_a_bit(tmp_path):
    """The kernels may use 512-bit vectors (AVX-512 hosts) or 256-bit ones; same results."""
    import subprocess
    import sys

    code = ("import numpy as np, os, sys; from gdlab.engine import run; "
            "s = np.random.default_rng(5).uniform(-2, 2, (1000, 2)); "
            "r = run('rosenbrock', s, 'adam', lr=0.01, max_steps=300, tol=1e-7, record='last', "
            "backend='compiled'); np.save(sys.argv[1], np.concatenate([r.final.ravel(), "
            "r.value.ravel(), r.steps.ravel(), r.oscillation.ravel()])); "
            "print(os.environ.get('NUMBA_CPU_FEATURES', '')[-16:])")
    outs = {}
    for width in ("256", "auto"):
        env = dict(os.environ, GDLAB_VECTOR_WIDTH=width)
        env.pop("NUMBA_CPU_FEATURES", None)
        proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / width)], env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outs[width] = (np.load(tmp_path / f"{width}.npy"), proc.stdout.strip())
    assert outs["256"][1] == ""
    np.testing.assert_array_equal(outs["256"][0], outs["auto"][0])


def _changed(name, key, lr):
    """A value of hyper-parameter ``key`` other than its default, inside its range."""
    return {"lr": lr * 3, "momentum": 0.5, "beta1": 0.6, "beta2": 0.9, "eps": 1e-3}[key]


@pytest.mark.parametrize("name", SUPPORTED)
def test_kernel_reads_every_constant_from_the_optimizer_definition(name):
    """No second copy of a default in the kernel: change each hyper-parameter the kernel
    supports away from its default (the defaults live only in the optimizer's signature) and
    the compiled loop still agrees with the NumPy recipe."""
    from gdlab.optim import OPTIMIZERS

    defaults = OPTIMIZERS[name].defaults
    lr = dict(CASES)[name]
    starts = np.random.default_rng(3).uniform(-2, 2, (200, 2))
    kwargs = dict(max_steps=120, tol=1e-6, record="last")
    for key in [k for k in defaults if k not in ("weight_decay", "dampening")]:
        opt = make(name, **{"lr": lr, key: _changed(name, key, lr)})
        assert opt.hyper[key] != defaults[key]
        a = run("rosenbrock", starts, opt, backend="compiled", **kwargs)
        b = run("rosenbrock", starts, opt, backend="numpy", **kwargs)
        np.testing.assert_array_equal(a.steps, b.steps)
        ok = b.status != "diverged"
        np.testing.assert_allclose(a.final[ok], b.final[ok], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(a.oscillation, b.oscillation, atol=1e-12)


@pytest.mark.parametrize("name, lr", CASES)
def test_a_run_cut_into_kernel_calls_takes_exactly_the_steps_of_one_call(name, lr):
    """The kernel keeps each row's state between calls (the server's time budget is checked
    between them): every cut gives the same bits, half-way value and stop steps included."""
    from gdlab import resolve
    from gdlab.compiled import run_block

    obj = resolve("rosenbrock")
    x = np.random.default_rng(4).uniform(-2, 2, (300, 2))
    x[0] = [1.0, 1.0]  # converged at step 0
    whole = run_block(obj, make(name, lr=lr), x, 201, 1e-6, 1e12)
    for calls in (1, 9, 100, 201, 500):
        cut = run_block(obj, make(name, lr=lr), x, 201, 1e-6, 1e12, step_calls=calls)
        for key in whole:
            np.testing.assert_array_equal(cut[key], whole[key], err_msg=f"{key}, {calls}")


def test_a_deadline_stops_a_compiled_run_between_calls():
    import time

    from gdlab.errors import TimeBudgetError

    starts = np.random.default_rng(0).uniform(-2, 2, (20_000, 2))
    with pytest.raises(TimeBudgetError, match="time budget"):
        run("rosenbrock", starts, "gd", lr=1e-4, max_steps=100_000, tol=0, record="last",
            backend="compiled", deadline=time.monotonic())
    a = run("rosenbrock", starts, "gd", lr=1e-4, max_steps=300, tol=0, record="last",
            backend="compiled", deadline=time.monotonic() + 600)
    b = run("rosenbrock", starts, "gd", lr=1e-4, max_steps=300, tol=0, record="last",
            backend="compiled")
    np.testing.assert_array_equal(a.final, b.final)


def test_a_forked_process_runs_kernels_after_its_parent_did():
    """numba's GNU OpenMP threading layer aborts a forked child that runs a parallel kernel
    once the parent has; a server (which forks a process per computation) asks for the
    fork-safe workqueue layer before numba loads."""
    import subprocess
    import sys

    code = ("import os, numpy as np; from gdlab.engine import run\n"
            "from gdlab.compiled import numba_environment; numba_environment(fork_safe=True)\n"
            "f = lambda: run('rosenbrock', np.zeros((50000, 2)), 'gd', lr=1e-4, max_steps=20, "
            "tol=0, record='last', backend='compiled').steps[0, 0]\n"
            "f(); pid = os.fork()\n"
            "if pid == 0:\n    os._exit(0 if f() == 20 else 3)\n"
            "print(os.waitpid(pid, 0)[1])\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.stdout.strip() == "0", out.stderr


def test_a_small_run_on_one_thread_the_same_and_the_threads_restored():
    """Below SERIAL_WORK point-steps a kernel runs on one thread (waking an idle core costs
    more than the run): the same results as on every thread, and the caller's thread count is
    what it was."""
    import numba

    from gdlab import compiled

    x = np.random.default_rng(5).uniform(-2, 2, (300, 2))
    before = numba.get_num_threads()
    small = run("rosenbrock", x, make("adam", lr=0.01), max_steps=50, record="last",
                backend="compiled")
    assert numba.get_num_threads() == before and 300 * 50 < compiled.SERIAL_WORK
    big = run("rosenbrock", np.repeat(x, 400, axis=0), make("adam", lr=0.01), max_steps=50,
              record="last", backend="compiled")
    assert 300 * 400 * 50 >= compiled.SERIAL_WORK
    np.testing.assert_array_equal(big.final[0, ::400], small.final[0])
    np.testing.assert_array_equal(big.steps[0, ::400], small.steps[0])
