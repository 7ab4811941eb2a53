"""The CUDA kernels (gdlab.gpu) agree with the NumPy engine for every optimizer they run, on
every library function. Here they run under numba's CUDA simulator (tests/conftest.py sets
NUMBA_ENABLE_CUDASIM=1); with GDLAB_REAL_CUDA=1 on a GPU machine the same tests run on the
device, where the GPU's own math library and fused multiply-adds allow a looser tolerance."""

import numpy as np
import pytest

from gdlab import gpu
from gdlab.compiled import SUPPORTED
from gdlab.engine import run
from gdlab.errors import ConfigError
from gdlab.functions import all_functions
from gdlab.optim import make

pytest.importorskip("numba")
if not (gpu.simulated() or gpu.available()):
    pytest.skip("no CUDA device and the simulator is off", allow_module_level=True)

RTOL = 1e-12 if gpu.simulated() else 1e-8
RATES = {"gd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adam": 1e-2, "amsgrad": 1e-2}
assert set(RATES) == set(SUPPORTED)  # every optimizer the kernels run


def _starts(fn, n, seed=0):
    low, high = np.array(fn.domain(fn.default_dim)).T
    return np.random.default_rng(seed).uniform(low, high, (n, fn.default_dim))


def _agree(a, b):
    same = a.steps == b.steps
    if gpu.simulated():
        assert same.all()
    else:  # fused multiply-adds may move a run across the tolerance a step sooner or later
        assert same.mean() >= 0.97, f"{(~same).sum()} of {same.size} runs stopped elsewhere"
    np.testing.assert_array_equal(a.status[same], b.status[same])
    ok = same & (b.status != "diverged")
    np.testing.assert_allclose(a.final[ok], b.final[ok], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(a.value[ok], b.value[ok], rtol=RTOL * 100, atol=1e-12)
    np.testing.assert_allclose(a.gradient_norm[ok], b.gradient_norm[ok], rtol=RTOL * 1e3,
                               atol=1e-10)
    np.testing.assert_allclose(a.oscillation[same], b.oscillation[same], atol=1e-12)
    np.testing.assert_allclose(a.mid_value[same], b.mid_value[same], rtol=RTOL * 100)
    labels = [[d.label for d in r] for r in a.diagnoses()], \
        [[d.label for d in r] for r in b.diagnoses()]
    assert np.mean(np.array(labels[0]) == np.array(labels[1])) >= (1 if gpu.simulated() else .97)


@pytest.mark.parametrize("fn", all_functions(), ids=lambda fn: fn.name)
def test_kernel_equals_the_numpy_engine_on_every_library_function(fn):
    starts = _starts(fn, 5)
    smooth = [p for p in fn.points(fn.default_dim) if p.smooth]
    if smooth:  # a critical point: stops at step 0 (the simulator raises on x/0, a GPU not)
        starts[0] = smooth[0].location
    opts = [make(name, lr=lr) for name, lr in RATES.items()]
    kwargs = dict(max_steps=40, tol=1e-6, record="last")
    a = run(fn.name, starts, opts, backend="cuda", **kwargs)
    b = run(fn.name, starts, opts, backend="numpy", **kwargs)
    _agree(a, b)
    np.testing.assert_array_equal(a.path[0], b.path[0])


def test_every_stop_rule_and_per_row_rates():
    # converged at the start, diverged by a large rate, f overflowing at the start, the limit
    starts = np.array([[3.0, 2.0], [0.0, 0.0], [1e200, 1.0], [1e160, 1.0], [-1.0, 1.0]])
    opts = [make("gd", lr=lr) for lr in (1e-2, 0.5)] + [make("adam", lr=0.1)]
    for opt in opts:
        a = run("himmelblau", starts, opt, max_steps=60, tol=1e-8, record="last",
                backend="cuda")
        b = run("himmelblau", starts, opt, max_steps=60, tol=1e-8, record="last",
                backend="numpy")
        _agree(a, b)
    assert set(b.status.ravel()) >= {"converged", "diverged", "max_steps"}


def test_hyper_parameters_and_lerp_forms_are_read_from_the_optimizer():
    starts = _starts(all_functions()[2], 4, seed=3)  # rosenbrock
    for opt in (make("momentum", lr=1e-3, momentum=0.5), make("nesterov", lr=1e-3, momentum=0.7),
                make("adam", lr=1e-2, beta1=0.3, beta2=0.9, eps=1e-3),
                make("amsgrad", lr=1e-2, beta1=0.6)):
        kwargs = dict(max_steps=50, tol=0, record="none")
        _agree(run("rosenbrock", starts, opt, backend="cuda", **kwargs),
               run("rosenbrock", starts, opt, backend="numpy", **kwargs))


def test_float32_runs_in_single_precision_near_the_float64_result():
    starts = _starts(all_functions()[5], 6, seed=4)  # himmelblau
    a = run("himmelblau", starts, "adam", lr=0.05, max_steps=200, tol=0, record="last",
            backend="cuda", dtype="float32")
    b = run("himmelblau", starts, "adam", lr=0.05, max_steps=200, tol=0, record="last",
            backend="numpy")
    np.testing.assert_allclose(a.final, b.final, rtol=1e-3, atol=1e-3)
    # and single precision it is: not the float64 bits
    assert np.any(a.final != b.final)
    source = gpu._source(run.__globals__["RunSpec"].build("himmelblau", starts).objective,
                         "adam", True, "float32")
    assert "F = float32" in source and "float64" not in source


def test_backend_choice():
    from gdlab.engine import choose_engine

    obj = run.__globals__["RunSpec"].build("sphere", [[1.0, 1.0]]).objective
    # auto picks a real device for a large run, never the simulator
    chosen = choose_engine("auto", obj, make("gd", lr=0.1), "last", 10**12)
    assert (chosen == "cuda") == gpu.available() and gpu.available() != gpu.simulated()
    with pytest.raises(ConfigError, match="cuda backend needs"):
        run("sphere", [[1.0, 1.0]], "rmsprop", backend="cuda", record="last")
    with pytest.raises(ConfigError, match="`backend` must be one of auto, numpy, compiled, cuda"):
        run("sphere", [[1.0, 1.0]], "gd", backend="gpu")
    with pytest.raises(ConfigError, match="float32 runs on the cuda backend only"):
        run("sphere", [[1.0, 1.0]], "gd", backend="numpy", dtype="float32")
