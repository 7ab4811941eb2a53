r"""Batched descent: ``B`` starting points × ``K`` optimizer configurations in one pass.

Every (configuration, start) pair is a row of one ``(N, D)`` array, ``N = K·B``.
Configurations of the same optimizer (say, a learning-rate sweep) share one vectorised
update with per-row hyper-parameters. Each row stops on its own:

* ``converged`` — ``‖∇f‖ ≤ tol`` (checked before every step, and after the last);
* ``diverged`` — a non-finite value, or ``|f| > divergence·(1 + |f(x₀)|)``, or
  ``‖x‖ > divergence·(1 + ‖x₀‖)`` (default ``divergence = 1e12``);
* ``max_steps`` — the step limit.

Finished rows leave the working set, so they cost nothing afterwards and a diverging row never
touches the others (floating-point warnings are silenced with ``np.errstate``: a diverging
start is a result, not an exception).

What is recorded is the caller's choice (``record``): ``"all"`` steps, every ``k``-th step
(an int), or only the start and the end (``"last"``). The default ``"auto"`` records every step
while that fits in :data:`AUTO_RECORD_BYTES` and thins the record otherwise. The memory needed
is estimated before anything runs; a request over the limits is refused with advice.

Example:
    >>> r = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd", lr=0.1, max_steps=100, tol=0)
    >>> r.final[0, 0]
    array([-6.11110793e-10,  8.14814391e-10])
    >>> str(r.status[0, 0]), int(r.steps[0, 0])
    ('max_steps', 100)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

import numpy as np

from .errors import ConfigError, TimeBudgetError
from .limits import COMPILED_WORK, CUDA_WORK
from .objective import Objective
from .optim import Optimizer
from .optim.transforms import Context, tree_take
from .spec import (DIVERGENCE_DEFAULT, MAX_RECORD_BYTES, MAX_STEPS_DEFAULT, TOL_DEFAULT,
                   RunSpec)

__all__ = ["run", "execute", "choose_engine", "RunSpec", "RunResult", "STATUSES",
           "AUTO_RECORD_BYTES", "MAX_RECORD_BYTES"]

STATUSES = ("converged", "max_steps", "diverged")
AUTO_RECORD_BYTES = 256 * 2**20
OSCILLATION_MEMORY = 0.9  # EMA factor of the "step reversed direction" indicator


@dataclass
class RunResult:
    """Everything a batched run produced. Shapes: ``K`` configurations, ``B`` starts,
    ``D`` dimensions, ``T`` recorded steps.

    Attributes:
        objective: the function.
        optimizers: the ``K`` configurations.
        starts: ``(B, D)``.
        max_steps, tol, divergence: the stopping rule (``steps`` is what each run took).
        final: ``(K, B, D)`` end points.
        value, gradient_norm: ``(K, B)`` f and ‖∇f‖ at the end points.
        start_value: ``(K, B)`` f at the starts.
        steps: ``(K, B)`` steps actually taken.
        status_code: ``(K, B)`` int8: 1 converged, 2 max_steps, 3 diverged; the property
            ``status`` gives the names (``STATUSES``), made on first use.
        recorded_steps: ``(T,)`` the step index of each record.
        path: ``(T, K, B, D)`` or ``None``; a finished row stays at its end point.
        values, gradient_norms: ``(T, K, B)`` or ``None``.
        oscillation: ``(K, B)`` in [0, 1], recent share of steps that reversed direction
            (an exponential average over about ten steps).
        mid_value: ``(K, B)`` f after ``max_steps // 2`` steps (NaN for rows that stopped
            before).
        seconds: wall time of the run.

    Treat the arrays as read-only: the compiled backend with ``record="last"`` writes the end
    of each run once, so ``final``, ``value`` and ``gradient_norm`` share memory with the last
    row of ``path``, ``values`` and ``gradient_norms``.
    """

    objective: Objective
    optimizers: list[Optimizer]
    starts: np.ndarray
    max_steps: int
    tol: float
    divergence: float
    final: np.ndarray
    value: np.ndarray
    gradient_norm: np.ndarray
    start_value: np.ndarray
    steps: np.ndarray
    status_code: np.ndarray
    recorded_steps: np.ndarray
    path: np.ndarray | None
    values: np.ndarray | None
    gradient_norms: np.ndarray | None
    oscillation: np.ndarray
    mid_value: np.ndarray
    seconds: float
    _diagnoses: Any = field(default=None, repr=False)
    _status: Any = field(default=None, repr=False)

    @property
    def status(self) -> np.ndarray:
        """``(K, B)`` ``converged``, ``max_steps`` or ``diverged``."""
        if self._status is None:  # 36 bytes per run: made only when asked for
            self._status = STATUS_NAMES[self.status_code]
        return self._status

    @property
    def shape(self) -> tuple[int, int]:
        """``(K, B)``."""
        return self.status_code.shape

    def diagnoses(self, **thresholds):
        """One :class:`~gdlab.diagnose.Diagnosis` per run, ``(K, B)`` nested lists; their
        explanations and advice in the language in use (kept per language)."""
        from .diagnose import diagnose
        from .i18n import language

        if thresholds:
            return diagnose(self, **thresholds)
        if self._diagnoses is None:
            self._diagnoses = {}
        lang = language()
        if lang not in self._diagnoses:
            self._diagnoses[lang] = diagnose(self)
        return self._diagnoses[lang]

    def run_path(self, k: int, b: int) -> np.ndarray:
        """Recorded path of run ``(k, b)`` up to its last step, ``(T_kb, D)``."""
        if self.path is None:
            raise ConfigError("no path was recorded (record='none')")
        last = int(np.searchsorted(self.recorded_steps, self.steps[k, b], side="left"))
        return self.path[: last + 1, k, b]


def _record_plan(record, max_steps: int, rows: int, dim: int,
                 max_record_bytes: int) -> np.ndarray | None:
    per_record = rows * (dim + 2) * 8
    if record == "none":
        return None
    if record == "last":
        return np.array(sorted({0, max_steps}))
    if record == "auto":
        every = max(1, math.ceil(per_record * (max_steps + 1) / AUTO_RECORD_BYTES))
    elif record == "all":
        every = 1
    elif isinstance(record, (int, np.integer)) and not isinstance(record, bool) and record >= 1:
        every = int(record)
    else:
        raise ConfigError(f"`record` must be 'auto', 'all', 'last', 'none' or a positive "
                          f"integer k (every k-th step); got {record!r}")
    plan = np.arange(0, max_steps + 1, every)
    if plan[-1] != max_steps:
        plan = np.append(plan, max_steps)
    need = per_record * len(plan)
    if need > max_record_bytes:
        fit = max(1, math.ceil(per_record * (max_steps + 1) / max_record_bytes))
        raise ConfigError(
            f"recording {len(plan):,} steps of {rows:,} runs needs {need / 2**30:.1f} GiB "
            f"(limit {max_record_bytes / 2**30:.1f} GiB); record every {fit}th step "
            f"(record={fit}) or only the ends (record='last')")
    return plan


def _groups(optimizers: list[Optimizer]) -> list[list[int]]:
    """Indices of configurations that can share one vectorised update."""
    keys: dict[tuple, list[int]] = {}
    for i, o in enumerate(optimizers):
        flags = tuple(sorted((k, v) for k, v in o.hyper.items()
                             if isinstance(v, bool) or k == "max_backtracks"))
        spec = None if o.schedule is None else o.schedule.spec
        keys.setdefault((o.name, spec, o.noise, o.seed, flags), []).append(i)
    return list(keys.values())


def _stacked(optimizers: list[Optimizer], per_config: int) -> Optimizer:
    """One optimizer whose numeric hyper-parameters are ``(N, 1)`` row arrays (each
    configuration's value, a number or already one per start, for its ``per_config`` rows)."""
    first = optimizers[0]
    hyper = {}
    for k, v in first.hyper.items():
        values = [o.hyper[k] for o in optimizers]
        if isinstance(v, bool) or all(np.array_equal(values[0], w) for w in values[1:]):
            hyper[k] = v
        else:
            hyper[k] = np.concatenate([np.broadcast_to(np.asarray(w, dtype=np.float64)
                                                       .reshape(-1), (per_config,))
                                       for w in values])[:, None]
    return replace(first, hyper=hyper)


def run(f, starts, optimizers: Sequence[str | Optimizer] | str | Optimizer = "gd", *,
        max_steps: int = MAX_STEPS_DEFAULT, tol: float = TOL_DEFAULT,
        record: str | int = "auto", divergence: float = DIVERGENCE_DEFAULT,
        max_record_bytes: int = MAX_RECORD_BYTES,
        progress: Callable[[int, int], None] | None = None,
        variables: Sequence[str] | str | None = None, backend: str = "auto",
        dtype: str = "float64", deadline: float | None = None, **hyper) -> RunResult:
    """Run every optimizer configuration from every start.

    Args:
        f: objective, formula, library name or callable (see :func:`gdlab.resolve`).
        starts: ``(B, D)`` starting points (or one ``(D,)``).
        optimizers: names (``"adam"``, ``"adam:0.1"``) or :class:`~gdlab.optim.Optimizer`
            objects; ``K`` of them.
        max_steps: step limit per run.
        tol: stop a run when ``‖∇f‖ ≤ tol`` (with weight decay added to the gradient,
            ``‖∇f + wd·x‖ ≤ tol``: the gradient its steps follow); ``0`` runs exactly
            ``max_steps`` steps.
        record: ``"auto"``, ``"all"``, ``"last"``, ``"none"`` or ``k`` (every k-th step).
        divergence: blow-up factor that counts as diverged.
        max_record_bytes: refuse a record larger than this.
        progress: ``progress(step, steps)`` called as the run goes.
        variables: variable order for a formula.
        backend: ``"numpy"``; ``"compiled"`` (the numba loop of :mod:`gdlab.compiled`; needs
            numba, a supported optimizer and ``record`` ``"last"``/``"none"``; ``"numba"`` is
            read as this); ``"cuda"`` (the same loop as a CUDA kernel, :mod:`gdlab.gpu`; needs
            a GPU and numba-cuda, same conditions); or ``"auto"``: cuda where a GPU is and the
            run has at least :data:`~gdlab.limits.CUDA_WORK` point-steps, else compiled where
            numba loads and it has :data:`~gdlab.limits.COMPILED_WORK`, else NumPy. All give
            the same results to rounding.
        dtype: ``"float64"``, or ``"float32"`` (the cuda backend only).
        deadline: a :func:`time.monotonic` time; a run still going then stops with
            :class:`~gdlab.errors.TimeBudgetError` (checked after every block of steps of
            the generated NumPy loop, every 50 steps of the step-by-step one, between the
            compiled kernel's calls of about 0.25 s each, and between optimizer groups), so a
            server can bound the time of one request.
        **hyper: hyper-parameters for optimizers given by name (``lr=0.1``, ``momentum=0.5``);
            they fill what an optimizer text leaves out; one that no optimizer of the call
            takes (``"gd", momentum=0.5``; ``"gd:0.001", lr=0.1``) is refused.

    Returns:
        :class:`RunResult`.

    Raises:
        ConfigError, PointError: for bad arguments, before any work is done.
        TimeBudgetError: past ``deadline``.
    """
    spec = RunSpec.build(f, starts, optimizers, max_steps=max_steps, tol=tol, record=record,
                         divergence=divergence, max_record_bytes=max_record_bytes,
                         variables=variables, backend=backend, dtype=dtype, **hyper)
    return execute(spec, progress=progress, deadline=deadline)


def execute(spec: RunSpec, *, progress: Callable[[int, int], None] | None = None,
            deadline: float | None = None) -> RunResult:
    """Run a validated :class:`~gdlab.spec.RunSpec` (``progress`` and ``deadline`` as in
    :func:`run`)."""
    from . import blocks

    obj, start_arr, opts = spec.objective, spec.starts, list(spec.optimizers)
    steps, tol, divergence, record = spec.max_steps, spec.tol, spec.divergence, spec.record
    backend, max_record_bytes = spec.backend, spec.max_record_bytes
    # tol 0 stops no run, even at an exact critical point (‖∇f‖ = 0 ≤ 0): exactly max_steps
    # steps, as documented — with gradient noise the steps still move
    stop = float(tol) if tol > 0 else -1.0
    K, (B, D) = len(opts), start_arr.shape
    rows = K * B
    plan = _record_plan(record, int(steps), rows, D, max_record_bytes)

    out = _Outputs(K, B, D, plan)
    t0 = time.perf_counter()
    done_rows = 0
    for group in _groups(opts):
        opt = _stacked([opts[i] for i in group], B)
        whole = group == list(range(K))  # every row, in order: no index array needed
        rows_idx = np.arange(rows) if whole else \
            np.concatenate([np.arange(i * B, (i + 1) * B) for i in group])

        def report(work, _offset=done_rows):  # work: point-steps of this group done
            if deadline is not None and time.monotonic() > deadline:
                raise TimeBudgetError(f"the run took longer than its time budget (stopped "
                                      f"after {time.perf_counter() - t0:.1f} s)")
            if progress is not None:
                progress(_offset * steps + work, rows * steps)

        x = start_arr if len(group) == 1 else np.tile(start_arr, (len(group), 1))
        engine = choose_engine(backend, obj, opt, record, len(rows_idx) * steps)
        if engine != "numpy":
            _run_group_compiled(obj, opt, x, None if whole else rows_idx, int(steps),
                                stop, float(divergence), out, engine, spec.dtype,
                                deadline)
            report(steps * len(rows_idx))
        elif blocks.supports(obj, opt):
            blocks.run_group(obj, opt, x, rows_idx, int(steps), stop, float(divergence),
                             out, report, lambda chunk: _Recorder(out, chunk))
        else:
            _run_group(obj, opt, x, rows_idx, int(steps), stop, float(divergence), out,
                       report)
        done_rows += len(rows_idx)
    seconds = time.perf_counter() - t0
    return out.result(obj, opts, start_arr, int(steps), float(tol), float(divergence), seconds)


class _Outputs:
    """Row-major (N = K·B) output buffers, reshaped to (K, B) at the end."""

    def __init__(self, K: int, B: int, D: int, plan: np.ndarray | None):
        n = K * B
        self.K, self.B, self.D = K, B, D
        self.final = np.empty((n, D))
        self.value = np.empty(n)
        self.gradient_norm = np.empty(n)
        self.start_value = np.empty(n)
        self.steps = np.zeros(n, dtype=np.int64)
        self.status = np.zeros(n, dtype=np.int8)  # codes, named in result()
        self.oscillation = np.zeros(n)
        self.mid_value = np.full(n, np.nan)
        self.plan = plan
        if plan is not None:
            self.path = np.empty((len(plan), n, D))
            self.values = np.empty((len(plan), n))
            self.gradient_norms = np.empty((len(plan), n))

    def finish(self, done, x, f, gn, taken, status, osc) -> None:
        """Rows ``done`` (global indices) stopped: write their end states."""
        self.final[done] = x
        self.value[done] = f
        self.gradient_norm[done] = gn
        self.steps[done] = taken
        self.status[done] = status
        self.oscillation[done] = osc

    def result(self, obj, opts, starts, steps, tol, divergence, seconds) -> RunResult:
        K, B, D = self.K, self.B, self.D
        path = values = gradient_norms = None
        recorded = np.array([], dtype=np.int64) if self.plan is None else self.plan
        if self.plan is not None:
            # drop trailing records after the last row stopped
            keep = int(np.searchsorted(self.plan, self.steps.max(), side="left")) + 1
            recorded = self.plan[:keep]
            path = self.path[:keep].reshape(keep, K, B, D)
            values = self.values[:keep].reshape(keep, K, B)
            gradient_norms = self.gradient_norms[:keep].reshape(keep, K, B)
        return RunResult(
            objective=obj, optimizers=opts, starts=starts, max_steps=steps, tol=tol,
            divergence=divergence, final=self.final.reshape(K, B, D),
            value=self.value.reshape(K, B), gradient_norm=self.gradient_norm.reshape(K, B),
            start_value=self.start_value.reshape(K, B), steps=self.steps.reshape(K, B),
            status_code=self.status.reshape(K, B), recorded_steps=recorded, path=path,
            values=values, gradient_norms=gradient_norms,
            oscillation=self.oscillation.reshape(K, B),
            mid_value=self.mid_value.reshape(K, B), seconds=seconds)


def _row_sqsum(a: np.ndarray) -> np.ndarray:
    """‖a‖² per row, summing the squares left to right (as the compiled loop does)."""
    total = a[:, 0] * a[:, 0]
    for j in range(1, a.shape[1]):
        total += a[:, j] * a[:, j]
    return total


def _row_norm(a: np.ndarray) -> np.ndarray:
    return np.sqrt(_row_sqsum(a))


def _row_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    total = a[:, 0] * b[:, 0]
    for j in range(1, a.shape[1]):
        total += a[:, j] * b[:, j]
    return total


_RUNNING, _CONVERGED, _AT_LIMIT, _DIVERGED = 0, 1, 2, 3  # status codes
STATUS_NAMES = np.array(["", "converged", "max_steps", "diverged"], dtype="<U9")


def _run_group(obj: Objective, opt: Optimizer, x: np.ndarray, rows: np.ndarray, steps: int,
               tol: float, divergence: float, out: _Outputs, report) -> None:
    transform = opt.transform()
    value, gradient = obj.value_function(), obj.gradient_function()
    ctx = Context(value=lambda p: np.asarray(value(p), dtype=np.float64),
                  hessian=lambda p: obj.hessian(p))
    recorder = _Recorder(out, rows)
    with np.errstate(all="ignore"):
        f = np.asarray(value(x), dtype=np.float64)
        g = np.asarray(gradient(x), dtype=np.float64)
        gn = _row_norm(g)
        out.start_value[rows] = f
        x_limit = (divergence * (1 + _row_norm(x))) ** 2  # compared with ‖x‖²
        f_limit = divergence * (1 + np.abs(f))
        state = transform.init(x)
        prev_u = np.zeros_like(x)
        osc = np.zeros(len(rows))
        taken = np.zeros(len(rows), dtype=np.int64)
        live = rows.copy()  # global row index of each working row
        status = np.zeros(len(rows), dtype=np.int8)
        status[~np.isfinite(f) | ~np.isfinite(gn)] = _DIVERGED  # non-finite at the start

        recorder.at(0, live, x, f, gn)
        for t in range(steps + 1):
            status[(status == _RUNNING) & (_followed_norm(opt, g, x, gn) <= tol)] = _CONVERGED
            if t == steps:
                status[status == _RUNNING] = _AT_LIMIT
            finished = status != _RUNNING
            if finished.any():
                out.finish(live[finished], x[finished], f[finished], gn[finished],
                           taken[finished], status[finished], osc[finished])
                keep = ~finished
                if not keep.any():
                    break
                x, f, g, gn = x[keep], f[keep], g[keep], gn[keep]
                x_limit, f_limit = x_limit[keep], f_limit[keep]
                prev_u, osc, taken = prev_u[keep], osc[keep], taken[keep]
                live, status = live[keep], status[keep]
                state = tree_take(state, np.flatnonzero(keep))
                if any(isinstance(v, np.ndarray) for v in opt.hyper.values()):
                    # per-row hyper-parameters travel with their rows
                    opt = replace(opt, hyper={k: v[keep] if isinstance(v, np.ndarray) else v
                                              for k, v in opt.hyper.items()})
                    transform = opt.transform()
            u, state = transform.update(g, state, x, ctx)
            x = x + u
            f = np.asarray(value(x), dtype=np.float64)
            g = np.asarray(gradient(x), dtype=np.float64)
            gn = _row_norm(g)
            taken += 1
            # did this step reverse the previous one? (cos < 0 between consecutive steps)
            flip = _row_dot(u, prev_u) < 0
            osc *= OSCILLATION_MEMORY
            osc += (1 - OSCILLATION_MEMORY) * flip
            prev_u = u
            # not (≤ limit) is also true for nan and inf
            blown = ~(np.abs(f) <= f_limit) | ~(gn < np.inf) | ~(_row_sqsum(x) <= x_limit)
            status[blown] = _DIVERGED
            if t + 1 == steps // 2:
                out.mid_value[live] = f
            recorder.at(t + 1, live, x, f, gn)
            if (t + 1) % 50 == 0:
                report((t + 1) * len(rows))
        recorder.finish()
        report(steps * len(rows))


def _followed_norm(opt: Optimizer, g: np.ndarray, x: np.ndarray, gn: np.ndarray) -> np.ndarray:
    """The norm of the gradient the steps follow — ``‖∇f + wd·x‖`` with weight decay added to
    the gradient (:attr:`~gdlab.optim.Optimizer.coupled_decay`), else ‖∇f‖ (``gn``): the
    run converges where f + (wd/2)‖x‖², the function it descends, has a critical point."""
    wd = opt.coupled_decay
    if not nonzero(wd):
        return gn
    return _row_norm(g + np.reshape(wd, (-1, 1)) * x if np.ndim(wd) else g + wd * x)


def nonzero(value) -> bool:
    """Whether a hyper-parameter (a number, or a stacked optimizer's column) is anywhere not 0."""
    if isinstance(value, (int, float)):
        return value != 0
    return bool(np.any(np.asarray(value) != 0))


class _Recorder:
    """Writes one group's working rows into the record at the planned steps; the group's rows
    that already stopped hold their end point in every later record (also where they stopped
    between two planned steps: a thinned record ends where the run ended)."""

    def __init__(self, out: _Outputs, rows: np.ndarray):
        self.out, self.rows, self.next = out, rows, 0

    def _carry(self, r) -> None:
        """Records ``r`` (an index or a slice): every row's end state, the working rows' to be
        written over (a row's end is written when it stops, before any later record)."""
        out, rows = self.out, self.rows
        out.path[r, rows] = out.final[rows]
        out.values[r, rows] = out.value[rows]
        out.gradient_norms[r, rows] = out.gradient_norm[rows]

    def at(self, t: int, live: np.ndarray, x, f, gn) -> None:
        """Step ``t`` reached by the working rows ``live`` (global row indices)."""
        out, plan = self.out, self.out.plan
        while plan is not None and self.next < len(plan) and plan[self.next] == t:
            if self.next > 0:
                self._carry(self.next)
            out.path[self.next, live] = x
            out.values[self.next, live] = f
            out.gradient_norms[self.next, live] = gn
            self.next += 1

    def many(self, m: int, live: np.ndarray, x, f, gn) -> None:
        """The next ``m`` planned steps, reached by the same working rows ``live``:
        ``x: (m, len(live), D)``, ``f, gn: (m, len(live))``."""
        out, a = self.out, self.next
        b = a + m
        if a > 0:  # rows that stopped before hold their end point
            self._carry(slice(a, b))
        out.path[a:b, live] = x
        out.values[a:b, live] = f
        out.gradient_norms[a:b, live] = gn
        self.next = b

    def finish(self) -> None:
        """Fill the records planned after every row stopped."""
        plan = self.out.plan
        while plan is not None and 0 < self.next < len(plan):
            self._carry(self.next)
            self.next += 1


def choose_engine(backend: str, obj, opt: Optimizer, record, work: int) -> str:
    """The engine that runs one optimizer group of ``work`` point-steps, asked for as
    ``backend``: ``"numpy"``, ``"compiled"`` or ``"cuda"`` (what ``"auto"`` picks; one that
    cannot run the group is refused with a :class:`~gdlab.errors.ConfigError`)."""
    from . import compiled, gpu

    if backend == "numpy":
        return "numpy"
    fits = compiled.supports(obj, opt, record)
    needs = (f"a formula, one of {', '.join(compiled.SUPPORTED)} with a constant learning "
             "rate, no noise or weight decay, and record='last' or 'none'")
    if backend == "cuda":
        if not (fits and (gpu.simulated() or gpu.available())):
            raise ConfigError("the cuda backend needs a CUDA GPU with numba-cuda (pip install "
                              f"gdlab[cuda]), {needs}")
        return "cuda"
    if backend == "compiled":
        if not (fits and compiled.available()):
            raise ConfigError(f"the compiled backend needs numba, {needs}")
        return "compiled"
    if fits and work >= CUDA_WORK and gpu.available():
        return "cuda"
    return "compiled" if fits and work >= COMPILED_WORK and compiled.available() else "numpy"


def _run_group_compiled(obj: Objective, opt: Optimizer, x: np.ndarray, rows: np.ndarray | None,
                        steps: int, tol: float, divergence: float, out: "_Outputs",
                        engine: str = "compiled", dtype: str = "float64",
                        deadline: float | None = None) -> None:
    from . import compiled, gpu

    if engine == "cuda":
        got = gpu.run_block(obj, opt, x, steps, tol, divergence, dtype)
    elif rows is None:
        # the whole run: the kernel writes straight into the outputs (fresh pages cost more
        # than the copies themselves), and with record="last" the end of the record *is* the
        # result: final, value and gradient_norm are views of path[-1], values[-1] and
        # gradient_norms[-1]
        into = {"steps": out.steps, "status": out.status, "oscillation": out.oscillation,
                "mid_value": out.mid_value}
        if out.plan is not None:
            into.update(final=out.path[-1], value=out.values[-1],
                        gradient_norm=out.gradient_norms[-1], start_value=out.values[0],
                        start_gradient_norm=out.gradient_norms[0])
            out.path[0] = x
        else:
            into.update(final=out.final, value=out.value, gradient_norm=out.gradient_norm,
                        start_value=out.start_value)
        compiled.run_block(obj, opt, x, steps, tol, divergence, into=into, deadline=deadline)
        out.final, out.value = into["final"], into["value"]
        out.gradient_norm = into["gradient_norm"]
        out.start_value = into["start_value"]
        return
    else:
        got = compiled.run_block(obj, opt, x, steps, tol, divergence, deadline=deadline)
    rows = slice(None) if rows is None else rows  # (the GPU's whole run)
    for attr in ("final", "value", "gradient_norm", "start_value", "steps", "status",
                 "oscillation", "mid_value"):
        getattr(out, attr)[rows] = got[attr]
    if out.plan is not None:  # record == "last": the start and the end
        out.path[0, rows] = x
        out.values[0, rows] = got["start_value"]
        out.gradient_norms[0, rows] = got["start_gradient_norm"]
        out.path[-1, rows] = got["final"]
        out.values[-1, rows] = got["value"]
        out.gradient_norms[-1, rows] = got["gradient_norm"]
