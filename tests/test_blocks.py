"""The NumPy engine's block loop (gdlab.blocks) against the generic step-by-step loop, the
compiled kernels and the oscillation average's recurrence."""

import ast

import numpy as np
import pytest
import sympy as sp

import gdlab.blocks as blocks
from gdlab.blocks import BLOCK_STEPS, Emitter, oscillation_weights
from gdlab.compiled import SUPPORTED
from gdlab.engine import OSCILLATION_MEMORY, run
from gdlab.optim import make


def generic(f, starts, opts, **kw):
    """The same run on the generic loop of gdlab.engine (one step at a time)."""
    original = blocks.supports
    blocks.supports = lambda obj, opt: False
    try:
        return run(f, starts, opts, backend="numpy", **kw)
    finally:
        blocks.supports = original


def assert_same_runs(a, b):
    """Same stopping step and status for every row; the same numbers to rounding where the run
    did not blow up (a diverging run amplifies a last-bit difference)."""
    np.testing.assert_array_equal(a.status_code, b.status_code)
    np.testing.assert_array_equal(a.steps, b.steps)
    ok = a.status_code != 3
    for key in ("final", "value", "gradient_norm", "start_value", "mid_value"):
        np.testing.assert_allclose(getattr(a, key)[ok], getattr(b, key)[ok], rtol=1e-9,
                                   atol=1e-12, err_msg=key)
    np.testing.assert_allclose(a.oscillation[ok], b.oscillation[ok], atol=1e-12)
    np.testing.assert_array_equal(a.recorded_steps, b.recorded_steps)
    if a.path is not None:
        keep = ok[None, :, :, None]
        np.testing.assert_allclose(np.where(keep, a.path, 0), np.where(keep, b.path, 0),
                                   rtol=1e-9, atol=1e-12)


FUNCTIONS = ["rosenbrock", "himmelblau", "exp(x) + sin(y) + x**2", "abs(x) + 2*y**2",
             "x**2 + y**2 + z**2 + x*y*z"]


@pytest.mark.parametrize("name", SUPPORTED)
@pytest.mark.parametrize("f", FUNCTIONS)
def test_the_block_loop_runs_as_the_generic_loop(name, f):
    dim = 3 if "z" in f else 2
    rng = np.random.default_rng(7)
    starts = rng.uniform(-2.5, 2.5, (150, dim))
    starts[0] = 0.0 if f.startswith("x**2 + y**2 + z") else starts[0]  # converged at step 0
    starts[1] = 40.0  # blows up with the larger rates
    lrs = (0.3, 1e-2, 1e-3) if name in ("adam", "amsgrad") else (2e-2, 1e-3, 1e-4)
    opts = [make(name, lr=lr) for lr in lrs]
    for record, steps in (("last", 61), ("all", 2 * BLOCK_STEPS), (7, 45)):
        a = run(f, starts, opts, backend="numpy", max_steps=steps, tol=1e-6, record=record)
        assert_same_runs(a, generic(f, starts, opts, max_steps=steps, tol=1e-6,
                                    record=record))


@pytest.mark.parametrize("steps", [0, 1, BLOCK_STEPS - 1, BLOCK_STEPS, BLOCK_STEPS + 1])
def test_step_limits_around_a_block(steps):
    starts = np.random.default_rng(1).uniform(-2, 2, (40, 2))
    for tol in (0.0, 1e-2):
        a = run("himmelblau", starts, "momentum", lr=1e-2, backend="numpy", max_steps=steps,
                tol=tol, record="all")
        assert_same_runs(a, generic("himmelblau", starts, "momentum", lr=1e-2,
                                    max_steps=steps, tol=tol, record="all"))


def test_starts_where_f_is_not_finite_diverge_at_step_zero():
    starts = np.array([[-1.0, 1.0], [1.0, 1.0], [0.0, 2.0]])
    a = run("log(x) + y**2", starts, "gd", lr=0.1, backend="numpy", max_steps=30)
    assert list(a.status[0]) == list(generic("log(x) + y**2", starts, "gd", lr=0.1,
                                             max_steps=30).status[0])
    assert a.status[0, 0] == "diverged" and a.steps[0, 0] == 0


def test_many_chunks_and_rows_stopping_at_different_steps():
    """More rows than one chunk holds; most converge along the way (the working set shrinks)."""
    g = np.linspace(-5, 5, 110)
    starts = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    a = run("himmelblau", starts, "gd", lr=0.01, backend="numpy", max_steps=300, tol=1e-4,
            record=25)
    assert len(starts) > blocks.CHUNK_ELEMENTS // 2
    assert (a.status == "converged").all() and np.ptp(a.steps) > 3 * BLOCK_STEPS
    assert_same_runs(a, generic("himmelblau", starts, "gd", lr=0.01, max_steps=300, tol=1e-4,
                                record=25))


@pytest.mark.parametrize("f", ["rosenbrock", "himmelblau", "x**2 + 10*y**2",
                               "x**4 - 2*x**2 + 0.3*x + y**2", "x**5/5 - x + y**6/6 + y",
                               "x**2*y**3 + x**7/100 + y**2 + 1/(1 + x**2)"])
@pytest.mark.parametrize("name", SUPPORTED)
def test_the_same_bits_as_the_compiled_kernel_on_polynomials(f, name):
    """Both loops print the same subexpressions and do the same operations in the same order
    (an integer power as numba does it: square and multiply): on a polynomial or a ratio of
    them (no library function in between) every number is the same."""
    pytest.importorskip("numba")
    starts = np.random.default_rng(3).uniform(-2, 2, (300, 2))
    lr = 1e-2 if name in ("adam", "amsgrad") else 1e-3
    kw = dict(max_steps=130, tol=1e-7, record="last")
    a = run(f, starts, make(name, lr=lr), backend="numpy", **kw)
    b = run(f, starts, make(name, lr=lr), backend="compiled", **kw)
    for key in ("final", "value", "gradient_norm", "start_value", "mid_value", "steps",
                "status_code"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)
    np.testing.assert_allclose(a.oscillation, b.oscillation, atol=1e-15)


def test_oscillation_weights_give_the_recurrence():
    """``M[s]·o + W[s] @ flips`` equals ``o ← m·o + (1 − m)·flip`` applied ``s`` times."""
    K = 12
    M, W = oscillation_weights(K)
    rng = np.random.default_rng(0)
    m = OSCILLATION_MEMORY
    for _ in range(50):
        o0, flips = rng.uniform(), rng.integers(0, 2, K)
        o = o0
        for s in range(K + 1):
            assert M[s] * o0 + W[s] @ flips == pytest.approx(o, abs=1e-15)
            if s < K:
                o = m * o + (1 - m) * flips[s]


EXPRESSIONS = ["(1 - c0)**2 + 100*(c1 - c0**2)**2", "exp(c0)*abs(c1) - c0**2/c1",
               "sqrt(c0**2 + c1**2) + Max(c0, c1) + sign(c1)", "softplus(c0) * sigmoid(c1)",
               "cos(c0 - c1)/(1 + c0**2) - 2*pi*c1", "-c0 + 3"]


@pytest.mark.parametrize("numbers", [False, True], ids=["literal", "arrays"])
@pytest.mark.parametrize("text", EXPRESSIONS)
def test_three_address_code_computes_what_numpy_computes(text, numbers):
    """The emitted code (every operation into a scratch array; its numbers written in place
    or made 0-d arrays once, as the generated loop does) gives the same bits as NumPy
    evaluating the printed expression, and leaves its inputs alone (integer powers above 2,
    computed as numba does, are held to the kernel above)."""
    from gdlab.diff import special

    c0, c1 = sp.symbols("c0 c1", real=True)
    expr = sp.sympify(text, locals={"softplus": special.softplus, "sigmoid": special.sigmoid,
                                    "c0": c0, "c1": c1})
    printed = blocks._printer().doprint(expr)
    namespace = blocks._namespace()
    made = blocks.Numbers() if numbers else None
    em = Emitter("_s", namespace, 1, made)
    em.statements([f"f = {printed}"], {"f": "F"})
    source = blocks.Numbers.lines(made.module, "") if numbers else ""
    if numbers:  # no ufunc computing in float64 is handed a Python number
        calls = [n for n in ast.walk(ast.parse("\n".join(c.strip() for c in em.code)))
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                 and isinstance(namespace.get(n.func.id), np.ufunc)
                 and "dd->d" in namespace[n.func.id].types]
        assert not [ast.unparse(c) for c in calls for a in c.args
                    if isinstance(a, (ast.Constant, ast.UnaryOp))], em.code
    source += "def value(c0, c1, F, S):\n"
    source += f"    {', '.join(em.slots)}, = S\n" if em.slots else ""
    source += "\n".join(em.code) + "\n    return F\n"
    ast.parse(source)
    exec(compile(source, "<test>", "exec"), namespace)  # noqa: S102
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.1, 3, 50), rng.uniform(-3, 3, 50)
    keep = x.copy(), y.copy()
    got = namespace["value"](x, y, np.empty(50), [np.empty(50) for _ in em.slots])
    with np.errstate(all="ignore"):
        want = eval(printed, namespace, {"c0": x, "c1": y})  # noqa: S307 - printed by SymPy
    np.testing.assert_array_equal(got, np.broadcast_to(want, (50,)))
    np.testing.assert_array_equal(x, keep[0])
    np.testing.assert_array_equal(y, keep[1])
    assert len(em.slots) <= len(list(ast.walk(ast.parse(printed))))


def test_the_steps_allocate_nothing_large():
    """Every operation of a step writes into an array made beforehand: tracing NumPy's
    allocations over a long run sees no more memory than the buffers themselves."""
    import tracemalloc

    starts = np.random.default_rng(0).uniform(-2, 2, (4000, 2))
    kw = dict(backend="numpy", max_steps=40, tol=0, record="last")
    run("rosenbrock", starts, "adam", lr=1e-2, **kw)
    tracemalloc.start()
    run("rosenbrock", starts, "adam", lr=1e-2, **kw)
    short = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    tracemalloc.start()
    run("rosenbrock", starts, "adam", lr=1e-2, **{**kw, "max_steps": 400})
    long = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert long < 1.2 * short


def test_a_thinned_record_ends_where_each_run_ended():
    """A run that stops between two recorded steps holds its end point (not its last recorded
    one) in the records after: the path drawn ends where the run ended, on every engine."""
    starts = [[0.0, 0.0], [50.0, 50.0], [3.0, 2.0], [-1.0, 4.0]]  # converges, blows up, …
    kw = dict(lr=0.01, max_steps=100, tol=1e-6)
    results = [run("himmelblau", starts, "gd", record=record, backend="numpy", **kw)
               for record in ("last", 7)]
    results += [generic("himmelblau", starts, "gd", record=record, **kw)
                for record in ("last", 7)]
    results.append(run("himmelblau", starts, "gd", record="last", backend="compiled", **kw))
    assert {str(s) for s in results[0].status[0]} >= {"converged", "diverged"}
    for r in results:
        for b in range(len(starts)):
            np.testing.assert_array_equal(r.run_path(0, b)[-1], r.final[0, b])
            last = len(r.run_path(0, b)) - 1
            np.testing.assert_array_equal(r.values[last, 0, b], r.value[0, b])
            np.testing.assert_array_equal(r.gradient_norms[last, 0, b], r.gradient_norm[0, b])
            np.testing.assert_array_equal(r.path[-1, 0, b], r.final[0, b])


@pytest.mark.parametrize("engine", ["generic", "numpy", "compiled"])
def test_integers_past_int64_are_computed_as_floats(engine):
    """SymPy folds ``2**70`` to an integer NumPy cannot hold: every loop computes with its
    nearest float64 (``machine_numbers``) — the run is the closed form of GD on
    ``c·x + y²`` (x falls by lr·c each step, y shrinks by 1 − 2·lr), and a gradient past
    float64 (``2·10**308``) is a run diverged at its start, not an internal error."""
    if engine == "compiled":
        pytest.importorskip("numba")
    go = generic if engine == "generic" else \
        lambda *a, **kw: run(*a, backend=engine, **kw)
    lr, k, c = 1e-3, 37, 70 * np.log(2)
    r = go("x*log(2**70) + y**2", np.array([[1.0, 1.0]]), make("gd", lr=lr), max_steps=k,
           tol=0, record="last")
    np.testing.assert_allclose(r.final[0, 0], [1 - k * lr * c, (1 - 2 * lr) ** k], rtol=1e-12)
    r = go("(2**70)**(x/100) + y**2", np.array([[1.0, 1.0]]), make("gd", lr=lr), max_steps=k,
           tol=0, record="last")
    same = go("exp(7*log(2)*x/10) + y**2", np.array([[1.0, 1.0]]), make("gd", lr=lr),
              max_steps=k, tol=0, record="last")
    np.testing.assert_allclose(r.final, same.final, rtol=1e-12)
    r = go("10**308*x**2 + y**2", np.array([[1.0, 1.0]]), make("gd", lr=lr), max_steps=k,
           tol=0, record="last")
    assert r.status[0, 0] == "diverged" and r.steps[0, 0] == 0
