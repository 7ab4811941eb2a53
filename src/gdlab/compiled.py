"""A compiled engine loop: numba kernels generated from the SymPy expression.

For the big batched runs (basin maps, sweeps over 10⁵–10⁶ starts) the NumPy engine spends
its time in temporaries. This module writes, for one objective and one optimizer, the source
of a numba kernel that keeps each block of :data:`BLOCK` points in L1 cache (every per-point
quantity a float64 array, so the loop has one element width and vectorises), loops over the
steps outside and over the block's points inside, in one branch-free pass per step (f and ∇f at
the current points, the stop rules, the step; ‖∇f‖ is compared squared, against
:func:`squared_threshold`, so no square root per step), and spreads blocks over threads.
The objective's value and gradient are printed from the same SymPy expressions (one
common-subexpression elimination over ``[f, ∂f/∂x₀, …]``), and the update repeats the NumPy
transforms' arithmetic operation by operation, so both paths agree to rounding (the tests
hold them to 1e-12) and stop at the same step.

Used by :func:`gdlab.engine.run` when numba is installed (``pip install gdlab[fast]``), the
optimizer is one of :data:`SUPPORTED` with a constant learning rate, no noise and no weight
decay, and only the ends of the paths are recorded. Kernels are cached on disk
(``~/.cache/gdlab/kernels``, or ``$GDLAB_CACHE``), so the few seconds of compilation are paid
once per function and optimizer.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import math
import os
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .engine import OSCILLATION_MEMORY, nonzero

__all__ = ["available", "supports", "ready", "run_block", "SUPPORTED", "BLOCK"]

SUPPORTED = ("gd", "momentum", "nesterov", "adam", "amsgrad")
BLOCK = 128
#: a block's loop asks whether any of its rows still runs every this many steps (a stopped row
#: does not move, so the steps after the last row stopped change nothing)
ALIVE_CHECK = 16
_KERNELS: dict[tuple, Any] = {}


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether numba loads (it is a dependency, but a platform without a build of it, or a
    broken one, falls back to the NumPy engine)."""
    if importlib.util.find_spec("numba") is None:
        return False
    numba_environment()  # before numba is imported
    try:
        importlib.import_module("numba")
    except Exception:  # noqa: BLE001 - any failure to load means: no compiled engine
        return False
    return True


def supports(obj, opt, record) -> bool:
    """Whether the compiled loop can run this objective/optimizer/record combination."""
    return record in ("last", "none") and supports_update(obj, opt)


def supports_update(obj, opt) -> bool:
    """Whether a generated loop can run ``opt`` on ``obj``: a formula, one of
    :data:`SUPPORTED` with a constant learning rate, no noise, weight decay or dampening, and
    no per-row hyper-parameter but the learning rate."""
    if obj.formula is None or opt.name not in SUPPORTED or opt.schedule is not None:
        return False
    if opt.noise or any(nonzero(opt.hyper.get(k, 0.0)) for k in ("weight_decay", "dampening")):
        return False
    per_row = [k for k, v in opt.hyper.items() if isinstance(v, np.ndarray) and k != "lr"
               and not np.all(v == v.flat[0])]
    return not per_row


def cache_dir() -> Path:
    root = os.environ.get("GDLAB_CACHE") or Path.home() / ".cache" / "gdlab"
    path = Path(root) / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _printer_class():
    from sympy.printing.pycode import PythonCodePrinter

    class Printer(PythonCodePrinter):
        """Squares as products: numba then vectorises them (x*x is exact, as np.square)."""

        def _print_Pow(self, expr, rational=False):
            if expr.exp == 2:
                base = self.parenthesize(expr.base, 100)
                return f"({base} * {base})"
            return super()._print_Pow(expr, rational=rational)

        def _print_Function(self, expr):
            from .diff.special import SCALAR_CODE

            code = SCALAR_CODE.get(type(expr).__name__)
            if code is None:
                return super()._print_Function(expr)
            return code.format(a=self._print(expr.args[0]))

        _print_cot = _print_sec = _print_csc = _print_Function

    return Printer


def _Printer(settings):  # noqa: N802 - a class factory, so sympy loads lazily
    return _printer_class()(settings)


def objective_code(obj, printer=None) -> tuple[list[str], str, list[str]]:
    """Lines that compute ``f`` and ``g{j}`` from ``p{j}[i]`` with shared subexpressions
    (printed for numba, or by ``printer``: every generated loop evaluates the same terms in
    the same order)."""
    import sympy as sp

    from .diff.symbolic import machine_numbers

    dim = obj.dim
    coords = [sp.Symbol(f"c{j}", real=True) for j in range(dim)]
    subs = dict(zip(obj.formula.symbols, coords))
    exprs = [obj.formula.expr] + list(obj.gradient_exprs)
    exprs = [machine_numbers(e.xreplace(subs)) for e in exprs]
    temps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t"))
    printer = printer or _Printer({"standard": "python3", "fully_qualified_modules": True})
    lines = [f"c{j} = p{j}[i]" for j in range(dim)]
    lines += [f"{name} = {printer.doprint(e)}" for name, e in temps]
    value = printer.doprint(reduced[0])
    grads = [printer.doprint(e) for e in reduced[1:]]
    return lines, value, grads


# Each update reads the state and the gradient of coordinate j and writes candidates ``n*`` for
# the new state and ``u{j}`` for the step; the caller commits them only for live rows. The
# arithmetic repeats gdlab.optim.transforms operation by operation.
UPDATES = {
    # (state per coordinate, per-step prelude (scalars), update of coordinate j)
    "gd": ([], [], ["u{j} = -lr_i * g{j}[i]"]),
    "momentum": (["b"], [], [
        "nb{j} = g{j}[i] if first else b{j}[i] * mu + g{j}[i] * 1.0",
        "u{j} = -lr_i * nb{j}"]),
    "nesterov": (["b"], [], [
        "nb{j} = g{j}[i] if first else b{j}[i] * mu + g{j}[i] * 1.0",
        "u{j} = -lr_i * (g{j}[i] + nb{j} * mu)"]),
    "adam": (["m", "v"], ["bc1 = 1 - b1 ** cnt", "bc2s = math.sqrt(1 - b2 ** cnt)",
                          "ib1 = 1.0 / bc1"], [
        "LERP",
        "nv{j} = v{j}[i] * b2 + (1 - b2) * g{j}[i] * g{j}[i]",
        "u{j} = -lr_i * (ib1 * nm{j} / (math.sqrt(nv{j}) / bc2s + eps))"]),
    "amsgrad": (["m", "v", "w"], ["bc1 = 1 - b1 ** cnt", "bc2s = math.sqrt(1 - b2 ** cnt)",
                                  "ib1 = 1.0 / bc1"], [
        "LERP",
        "nv{j} = v{j}[i] * b2 + (1 - b2) * g{j}[i] * g{j}[i]",
        "nw{j} = max(w{j}[i], nv{j})",
        "u{j} = -lr_i * (ib1 * nm{j} / (math.sqrt(nw{j}) / bc2s + eps))"]),
}


LERP = {  # torch.lerp's two forms, chosen by the weight 1 − β₁ when the kernel is written
    True: "nm{j} = m{j}[i] + wb1 * (g{j}[i] - m{j}[i])",
    False: "nm{j} = g{j}[i] - (g{j}[i] - m{j}[i]) * (1 - wb1)",
}


#: The kernel's source, filled in by :func:`_source` (``str.format`` fields: the optimizer and
#: function names, the block size, and the generated lines for the objective, the update and
#: the bookkeeping).
_KERNEL = '''# generated by gdlab.compiled for {name} on {fname}; do not edit
import math
import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True, fastmath=False, nogil=True, error_model="numpy")
def kernel(X0, X, steps, tol2, div, lr, mu, b1, b2, eps, half, out_f, out_gn, out_f0, out_gn0,
           out_steps, out_status, out_osc, out_mid, S, step0, step1):
    # steps step0 … step1 − 1 (step1 = steps + 1: to the end; the objective's temporaries are
    # t0, t1, …); S keeps each row's state
    # between calls (p, q, the optimizer's state, done, osc, mid, f_lim, x_lim), so a run cut
    # into calls takes exactly the steps of one call
    N = X0.shape[0]
    nblocks = (N + {BLOCK} - 1) // {BLOCK}
    wb1 = 1 - b1
    for blk in prange(nblocks):
        lo = blk * {BLOCK}
        hi = min(N, lo + {BLOCK})
        n = hi - lo
{allocs}        f_lim = np.empty(n)
        x_lim = np.empty(n)
        done = np.zeros(n)  # 0 while running, then status + 4 * steps taken (one float array)
        osc = np.zeros(n)
        mid = np.full(n, np.nan)
        # the block's learning rates in an array of its own: read from the caller's array,
        # LLVM must assume the stores below may change it, and the step loop ran 1.6× slower
        lrb = lr[lo:hi].copy()
        if step0 == 0:
            for i in range(n):
{start_eval}                gn = math.sqrt(gn2)
{start_copy}                out_f0[lo + i] = f
                out_gn0[lo + i] = gn
                # a start with a non-finite f or ∇f fails every test below: diverged at step 0
                f_lim[i] = div * (1 + abs(f)) if math.isfinite(f) and math.isfinite(gn) else -1.0
                x_lim[i] = (div * (1 + math.sqrt{sq_c})) ** 2  # compared with ‖x‖²
        else:
            for i in range(n):
{load}        for t in range(step0, min(step1, steps + 1)):
            if t == half and half > 0:  # f after half the steps, for the rows running then
                for i in range(n):
{mid_eval}                    mid[i] = f if done[i] == 0 else mid[i]
            code_last = 2.0 if t == steps else 0.0
            stamp = 4.0 * t
            cnt = t + 1.0
            first = t == 0
{prelude}            # one branch-free pass: f and ∇f at the point reached after t steps, the stop
            # rules
            # (diverged, then converged, then the step limit), and the step of running rows
            for i in range(n):
{step_eval}                ok = (abs(f) <= f_lim[i]) & (gn2 < math.inf) & ({sq_c} <= x_lim[i])
                code = 3.0 if not ok else (1.0 if gn2 <= tol2 else code_last)
                d = done[i]
                live = d == 0
                done[i] = code + stamp if live & (code != 0) else d
                go = live & (code == 0)
                lr_i = lrb[i]
{update}                flip = 1.0 if ({dot}) < 0.0 else 0.0
                osc[i] = {MEMORY} * osc[i] + (1 - {MEMORY}) * flip if go else osc[i]
{commit}            if t % {CHECK} == {CHECK} - 1:  # all stopped? (asked each step: 10% slower)
                alive = 0
                for i in range(n):
                    alive += 1 if done[i] == 0 else 0
                if alive == 0:
                    break
        if step1 <= steps:  # more calls to come: keep the state
            for i in range(n):
{store}        for i in range(n):
{end_eval}            out_f[lo + i] = f
            out_gn[lo + i] = math.sqrt(gn2)
            d = done[i]
            out_steps[lo + i] = int(d // 4)
            out_status[lo + i] = int(d - 4 * (d // 4))
            out_osc[lo + i] = osc[i]
            out_mid[lo + i] = mid[i]
'''


def block(code: list[str], depth: int) -> str:
    """Generated lines, indented ``depth`` levels."""
    return "".join(f"{'    ' * depth}{c}\n" for c in code)


def evaluation(dim: int, objective: tuple, source: str, wrap=lambda line: line) -> list[str]:
    """Lines computing f, ``g{j}`` and ``gn2 = ‖g‖²`` at the point read from ``source``
    (formatted with ``j``); ``objective`` is :func:`objective_code`'s answer, ``wrap`` a
    rewriting of its lines (the GPU's float32 constants)."""
    lines, value, grads = objective
    code = [f"c{j} = {source.format(j=j)}" for j in range(dim)]
    code += [wrap(line) for line in lines[dim:]]
    code += [wrap(f"f = {value}")]
    code += [wrap(f"g{j} = {grads[j]}") for j in range(dim)]
    code += ["gn2 = " + " + ".join(f"g{j} * g{j}" for j in range(dim))]
    return code


def _source(obj, name: str, low: bool = True) -> str:
    dim = obj.dim
    lines, value, grads = objective_code(obj)
    state, prelude, update = UPDATES[name]
    update = [LERP[low] if u == "LERP" else u for u in update]
    update = [u.replace("g{j}[i]", "g{j}") for u in update]  # the gradient is a local here

    def evaluate(source: str) -> list[str]:
        return evaluation(dim, (lines, value, grads), source)

    allocs = [f"p{j} = np.empty(n)" for j in range(dim)]
    allocs += [f"q{j} = np.zeros(n)" for j in range(dim)]  # the previous step
    allocs += [f"{s}{j} = np.zeros(n)" for s in state for j in range(dim)]
    # stopped rows may update their optimizer state (never read again) but never move
    kept = state_columns(dim, state)
    commit = [f"p{j}[i] = c{j} + u{j} if go else c{j}" for j in range(dim)]
    commit += [f"q{j}[i] = u{j}" for j in range(dim)]
    commit += [f"{s}{j}[i] = n{s}{j}" for s in state for j in range(dim)]
    return _KERNEL.format(
        name=name, fname=repr(obj.name), BLOCK=BLOCK, MEMORY=repr(OSCILLATION_MEMORY),
        CHECK=ALIVE_CHECK,
        sq_c="(" + " + ".join(f"c{j} * c{j}" for j in range(dim)) + ")",
        dot=" + ".join(f"u{j} * q{j}[i]" for j in range(dim)),
        allocs=block(allocs, 2), start_eval=block(evaluate("X0[lo + i, {j}]"), 4),
        start_copy=block([f"p{j}[i] = c{j}" for j in range(dim)], 4),
        load=block([f"{a}[i] = S[lo + i, {c}]" for c, a in enumerate(kept)], 4),
        store=block([f"S[lo + i, {c}] = {a}[i]" for c, a in enumerate(kept)], 4),
        mid_eval=block(evaluate("p{j}[i]"), 5), prelude=block(prelude, 3),
        step_eval=block(evaluate("p{j}[i]"), 4),
        update=block([t.format(j=j) for j in range(dim) for t in update], 4),
        commit=block(commit, 4),
        end_eval=block(evaluate("p{j}[i]") + [f"X[lo + i, {j}] = c{j}" for j in range(dim)], 3))


def state_columns(dim: int, state: Sequence[str]) -> list[str]:
    """The per-row arrays a kernel keeps between calls, one column of ``S`` each."""
    return ([f"p{j}" for j in range(dim)] + [f"q{j}" for j in range(dim)]
            + [f"{s}{j}" for s in state for j in range(dim)]
            + ["done", "osc", "mid", "f_lim", "x_lim"])


def squared_threshold(tol: float) -> float:
    """The largest ``T`` with ``sqrt(T) <= tol``: ``‖g‖² <= T`` then decides ``‖g‖ <= tol``
    exactly as the NumPy engine does (sqrt is correctly rounded and monotone)."""
    if tol < 0:
        return -1.0
    if tol == math.inf:
        return math.inf
    t = min(tol * tol, sys.float_info.max)
    while math.sqrt(t) > tol:
        t = math.nextafter(t, -math.inf)
    while t < sys.float_info.max and math.sqrt(math.nextafter(t, math.inf)) <= tol:
        t = math.nextafter(t, math.inf)
    return t


def numba_environment(fork_safe: bool = False) -> None:
    """What numba reads when it is first imported, set before that (nothing once numba is
    loaded, nothing the user set): :func:`wide_vectors`, and with ``fork_safe`` the
    ``workqueue`` threading layer — GNU OpenMP's, numba's default here, aborts a forked child
    that runs a kernel once its parent has (``gdlab serve`` forks a process per computation),
    while it wakes its threads sooner for small runs."""
    if "numba" in sys.modules:
        return
    if fork_safe:
        os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
    wide_vectors()


def wide_vectors() -> None:
    """Let LLVM use 512-bit vectors where the CPU has AVX-512 (about 1.4× faster kernels here).

    LLVM prefers 256-bit vectors on these CPUs by default (a frequency penalty on the first
    AVX-512 chips); numba takes its target features from ``NUMBA_CPU_FEATURES`` when it is
    imported. So this only acts when numba is not imported yet and the variable is unset, and
    then adds nothing but ``-prefer-256-bit`` to the host's own features. Results are the same
    bits either way (``fastmath=False``: vector width does not change the arithmetic). Set
    ``GDLAB_VECTOR_WIDTH=256`` (or ``NUMBA_CPU_FEATURES`` yourself) to opt out."""
    if "numba" in sys.modules or os.environ.get("NUMBA_CPU_FEATURES") \
            or os.environ.get("GDLAB_VECTOR_WIDTH") == "256":
        return
    try:
        import llvmlite.binding as llvm

        features = llvm.get_host_cpu_features().flatten()
    except Exception:  # noqa: BLE001 - an unknown host: keep numba's defaults
        return
    if "+avx512f" in features.split(","):
        os.environ["NUMBA_CPU_FEATURES"] = features + ",-prefer-256-bit"


def hyper_scalar(opt, key: str) -> float:
    """One hyper-parameter of a (stacked) optimizer as a number: its first row's value (the
    kernels run optimizers whose rows share it), NaN where the optimizer has none — a
    kernel never reads it then."""
    value = opt.hyper.get(key, math.nan)
    if isinstance(value, (int, float)):
        return float(value)
    return float(np.asarray(value).reshape(-1)[0])


def low_weight(opt) -> bool:
    """torch.lerp's form, chosen by the weight 1 − β₁ (no β₁: the template has no lerp)."""
    return not 1 - hyper_scalar(opt, "beta1") >= 0.5


def source_file(src: str, prefix: str) -> Path:
    """A kernel's source in the cache, named by its digest (the same source, the same file
    and so the same numba cache), written atomically once."""
    key = hashlib.sha256(src.encode()).hexdigest()[:20]
    path = cache_dir() / f"{prefix}_{key}.py"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(src)
        os.replace(tmp, path)
    return path


def load_module(path: Path):
    """Import a generated kernel module from its file (numba caches beside it)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


_PATHS: dict[tuple, Path] = {}


def _kernel_path(obj, name: str, low: bool) -> Path:
    memo = (obj.formula.expr, obj.formula.variables, name, low)
    if memo not in _PATHS:  # SymPy's cse, once per process (ready() then _kernel())
        _PATHS[memo] = source_file(_source(obj, name, low), "gdlab_kernel")
    return _PATHS[memo]


def loaded(obj, opt) -> bool:
    """Whether ``opt``'s kernel for ``obj`` is loaded in this process (no source to write)."""
    return obj.formula is not None and (obj.formula.expr, obj.formula.variables, opt.name,
                                        low_weight(opt)) in _KERNELS


def ready(obj, opt) -> bool:
    """Whether ``opt``'s kernel for ``obj`` is loaded or compiled in numba's disk cache:
    loading it costs milliseconds, compiling it seconds (a server then prefers NumPy)."""
    if obj.formula is None or not supports(obj, opt, "none") or not available():
        return False
    if loaded(obj, opt):
        return True
    path = _kernel_path(obj, opt.name, low_weight(opt))
    return any((path.parent / "__pycache__").glob(f"{path.stem}.kernel-*.nbi"))


def _kernel(obj, name: str, low: bool = True):
    memo = (obj.formula.expr, obj.formula.variables, name, low)  # hashes are cached
    if memo in _KERNELS:  # writing the source (SymPy's cse) costs more than a short run
        return _KERNELS[memo]
    path = _kernel_path(obj, name, low)
    numba_environment()
    _KERNELS[memo] = load_module(path).kernel
    return _KERNELS[memo]


def run_block(obj, opt, x: np.ndarray, steps: int, tol: float, divergence: float,
              into: dict[str, np.ndarray] | None = None, deadline: float | None = None,
              step_calls: int | None = None) -> dict[str, np.ndarray]:
    """Run the compiled loop on rows ``x: (N, D)`` (not modified). Returns end points
    (``final``), values, gradient norms, start values, steps, statuses (0 running, 1
    converged, 2 max_steps, 3 diverged), oscillation and mid values. ``into`` may give
    C-contiguous arrays of the right dtype to write any of them into (no copies then).
    ``deadline`` (``time.monotonic()``) or ``step_calls``: run the steps in several kernel
    calls, the state kept between them — the same results — and raise
    :class:`~gdlab.errors.TimeBudgetError` past the deadline."""
    n = x.shape[0]

    def scalar(key):
        return hyper_scalar(opt, key)

    kernel = _kernel(obj, opt.name, low_weight(opt))
    lr = opt.hyper["lr"]
    lr = np.full(n, float(lr)) if isinstance(lr, (int, float)) else np.ascontiguousarray(
        np.broadcast_to(np.asarray(lr, dtype=np.float64).reshape(-1), (n,)))

    shapes = {"final": ((n, x.shape[1]), np.float64), "steps": ((n,), np.int64),
              "status": ((n,), np.int8)}
    out = dict(into or {})
    for key in ("final", "value", "gradient_norm", "start_value", "start_gradient_norm", "steps",
                "status", "oscillation", "mid_value"):
        shape, dtype = shapes.get(key, ((n,), np.float64))
        if key not in out:
            out[key] = np.empty(shape, dtype=dtype)
        elif out[key].shape != shape or out[key].dtype != dtype \
                or not out[key].flags.c_contiguous:
            raise ValueError(f"run_block: into[{key!r}] must be a C-contiguous {shape} {dtype}")
    x0 = np.ascontiguousarray(x, dtype=np.float64)
    args = (x0, out["final"], int(steps), squared_threshold(float(tol)), float(divergence), lr,
            scalar("momentum"), scalar("beta1"), scalar("beta2"), scalar("eps"), int(steps) // 2,
            out["value"], out["gradient_norm"], out["start_value"], out["start_gradient_norm"],
            out["steps"], out["status"], out["oscillation"], out["mid_value"])
    with _threads_for(n * int(steps)):
        if deadline is None and step_calls is None:  # one call: no state kept between calls
            kernel(*args, np.empty((0, 0)), 0, int(steps) + 1)
        else:
            _in_calls(kernel, args, n, len(state_columns(x.shape[1], UPDATES[opt.name][0])),
                      int(steps), deadline, step_calls)
    return out


#: below this many point-steps a kernel runs on one thread: waking an idle core costs ~4 ms on
#: a shared virtual machine (measured: B = 1000 × 200 steps after 0.2 s idle took 4.1 ms on two
#: threads, 0.8 ms on one), more than such a run takes
SERIAL_WORK = 5_000_000


@contextlib.contextmanager
def _threads_for(work: int):
    """Run the kernels launched inside on one thread when ``work`` is small (this thread's
    setting, restored after)."""
    if work >= SERIAL_WORK:
        yield
        return
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


#: seconds one call of a kernel may take when a deadline is watched (between calls)
CALL_SECONDS = 0.25


def _in_calls(kernel, args, n: int, width: int, steps: int, deadline, step_calls) -> None:
    """Run ``steps`` in several calls — ``step_calls`` steps each, or as many as take about
    :data:`CALL_SECONDS` — checking ``deadline`` (a ``time.monotonic()`` time) between them:
    a server's time budget holds though one kernel call cannot be interrupted."""
    import time

    from .errors import TimeBudgetError

    S = np.empty((n, width))
    t, size = 0, step_calls or 8
    started = time.monotonic()
    while t <= steps:
        began = time.monotonic()
        kernel(*args, S, t, min(t + size, steps + 1))
        t += size
        if t > steps:
            return
        if deadline is not None and time.monotonic() > deadline:
            raise TimeBudgetError(f"the run took longer than its time budget (stopped after "
                                  f"{time.monotonic() - started:.1f} s, {t:,} of {steps:,} "
                                  "steps)")
        if step_calls is None:  # about CALL_SECONDS a call, growing at most fourfold
            took = max(time.monotonic() - began, 1e-6)
            size = max(1, min(4 * size, int(size * CALL_SECONDS / took)))
