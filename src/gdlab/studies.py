r"""Studies: the computations behind the figures, as data, for every front end.

A study runs the engine (and whatever else it needs) and returns a frozen record of numbers;
:mod:`gdlab.plot` draws such a record, the CLI prints or plots it, the web API serves it. No
figure runs the engine itself, so a figure and a JSON answer built from the same study show
the same numbers.

==================  =========================================================================
study               what it computes
==================  =========================================================================
basin_map           every start of an n × n grid, labelled by the minimum its run ends in
lr_map              the diagnosis for every (learning rate, start) pair, starts on a line
lr_sweep            one optimizer at many learning rates from the same starts, one pass
learning_rates      one start, four learning rates around the stability bound 2/λmax
traps               the failure modes: local minimum, plateau, saddle point
comparison          several optimizers from the same start, with f* for f − f*
gradient_flow       the continuous path of steepest descent (RK45) beside gradient descent
==================  =========================================================================

Example:
    >>> m = basin_map("himmelblau", n=20, lr=0.01, max_steps=500)
    >>> m.labels.shape, len(m.minima)
    ((20, 20), 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from . import critical
from .diagnose import labels as label_all
from .diagnose import largest_curvature, optimizer_bound, stability_bound
from .domain import domain_for, objective_2d
from .errors import ConfigError, GdlabError
from .engine import RunResult, run
from .i18n import catalogue, language, text
from .optim import Optimizer, make, parse_optimizer

__all__ = ["BasinMap", "LrMap", "LearningRates", "Trap", "Comparison", "GradientFlow",
           "basin_map", "lr_map", "lr_sweep", "sweep_configs", "sweep_bound", "learning_rates",
           "traps", "comparison", "gradient_flow", "TRAP_CASES", "TRAP_TOL", "BASIN_LR"]

Domain = list[tuple[float, float]]
BASIN_LR = 0.01  # learning rate of a basin map's optimizer when none is given


def _as_optimizer(optimizer, **hyper) -> Optimizer:
    return make(optimizer, **hyper) if isinstance(optimizer, str) else optimizer


def _of_minima(opt: Optimizer, what: str) -> Optimizer:
    """``opt`` for a map coloured by the minima of f its runs reach — refused with weight decay
    added to the gradient, whose runs end at minima of f + (wd/2)‖x‖² instead (the map would
    call them all "not converged")."""
    from .engine import nonzero

    if nonzero(opt.coupled_decay):
        raise ConfigError(f"{what} colours each start by the minimum of f it reaches, but "
                          "with weight decay runs end at minima of f + (wd/2)‖x‖²: run them "
                          "to see those")
    return opt


# --- basins of attraction -------------------------------------------------------------------

@dataclass(frozen=True)
class BasinMap:
    """Which minimum each start of an ``n × n`` grid ends in.

    Attributes:
        labels: ``(n, n)`` ints: index into ``minima``, −1 not converged, −2 diverged (row
            ``i`` is the ``i``-th y value, as an image with ``origin="lower"``).
        minima: ``(M, 2)`` the library's known minima, else the distinct end points found.
        final: ``(n, n, 2)`` end points.
        domain: ``[(x0, x1), (y0, y1)]``.
        objective, optimizer, result: what ran.
    """

    labels: np.ndarray
    minima: np.ndarray
    final: np.ndarray
    domain: Domain
    objective: Any
    optimizer: Optimizer
    result: RunResult

    @property
    def n(self) -> int:
        return self.labels.shape[0]

    @property
    def global_minima(self) -> list[bool]:
        """Which of ``minima`` is a known global minimum of the library's function (the
        minima a typed formula's runs found are not known to be global: all ``False``)."""
        lib = self.objective.library
        known = [] if lib is None else [p.location for p in lib.minima(self.objective.dim)
                                        if p.kind == "global_minimum"]
        return [any(np.allclose(m, k, rtol=0, atol=1e-9) for k in known) for m in self.minima]

    @property
    def counts(self) -> dict[str, Any]:
        """How many starts diverged, did not converge, and ended in each minimum."""
        return {"diverged": int(np.sum(self.labels == -2)),
                "not_converged": int(np.sum(self.labels == -1)),
                "per_minimum": [int(np.sum(self.labels == i)) for i in range(len(self.minima))]}


def basin_map(f, *, n: int = 200, optimizer="gd", lr: float = BASIN_LR, max_steps: int = 2000,
              tol: float = 1e-6, domain=None, radius: float = 1e-3, variables=None,
              backend: str = "auto", dtype: str = "float64",
              deadline: float | None = None, scheduler: str | None = None,
              chunk_runs: int | None = None) -> BasinMap:
    """Run from every point of an ``n × n`` grid over ``domain`` (default: the library's) and
    label each start by the minimum its end point lies within ``10·radius·width`` of: the
    library's known minima, else the distinct converged end points (within ``radius·width``).
    10⁶ starts (n = 1000) take seconds with the compiled backend. With ``scheduler`` (as
    :func:`gdlab.sweep.sweep` takes it) or beyond :data:`MAX_MAP_IN_ONE` starts, the grid
    runs in chunks (:func:`gdlab.sweep.map_plan`) on that scheduler: memory is bounded by the
    chunk, and the map keeps the labels only (``final`` and ``result`` are ``None``)."""
    obj = objective_2d(f, variables)
    domain = domain or domain_for(obj)
    (x0, x1), (y0, y1) = domain
    opt = _of_minima(_as_optimizer(optimizer, lr=lr), "a basin map")
    if scheduler is not None or n * n > MAX_MAP_IN_ONE:
        return _basin_map_in_chunks(obj, n, opt, max_steps, tol, domain, radius, backend,
                                    scheduler or "none", chunk_runs)
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    starts = np.stack([X.ravel(), Y.ravel()], axis=-1)
    result = run(obj, starts, opt, max_steps=max_steps, tol=tol, record="none",
                 backend=backend, dtype=dtype, deadline=deadline)
    final = result.final[0]
    status = result.status[0]
    if obj.library is not None and obj.library.minima(2):
        minima = np.array([p.location for p in obj.library.minima(2)])
    else:
        ok = final[status == "converged"]
        minima = _cluster(ok, radius * max(x1 - x0, y1 - y0))
    labels = np.full(len(starts), -1)
    if len(minima):
        d = np.linalg.norm(final[:, None, :] - minima[None], axis=-1)
        nearest = np.argmin(d, axis=1)
        close = d[np.arange(len(starts)), nearest] <= radius * max(x1 - x0, y1 - y0) * 10
        labels = np.where((status == "converged") & close, nearest, -1)
    labels = np.where(status == "diverged", -2, labels).reshape(n, n)
    return BasinMap(labels, minima, final.reshape(n, n, 2), domain, obj, opt, result)


#: a grid with more starts runs in chunks (a 1000 × 1000 grid still runs in one call)
MAX_MAP_IN_ONE = 1_000_000


def _basin_map_in_chunks(obj, n, opt, max_steps, tol, domain, radius, backend, scheduler,
                         chunk_runs) -> BasinMap:
    """:func:`basin_map` chunk by chunk: each chunk's ends are labelled as it comes (by the
    library's minima, else by the distinct converged ends found so far), then forgotten."""
    from .sweep import execute, map_plan

    (x0, x1), (y0, y1) = domain
    width = radius * max(x1 - x0, y1 - y0)
    known = obj.library is not None and bool(obj.library.minima(2))
    centres = [np.array(p.location, dtype=float) for p in obj.library.minima(2)] \
        if known else []
    counts: list[int] = [0] * len(centres)
    labels = np.full(n * n, -1, dtype=np.int32)
    p = map_plan(obj, opt, domain, n, max_steps=max_steps, tol=tol, backend=backend,
                 chunk_runs=chunk_runs)

    def label(_i, frame):
        final = frame[[f"final_{v}" for v in p.names]].to_numpy()
        code = frame["status_code"].to_numpy()
        rows = frame["run"].to_numpy()
        out = np.where(code == 3, -2, -1)
        conv = np.flatnonzero(code == 1)
        reach = (10 if known else 1) * width

        def nearest(points):
            if not centres:
                return np.zeros(len(points), dtype=int), np.full(len(points), np.inf)
            d = np.linalg.norm(points[:, None, :] - np.array(centres)[None], axis=-1)
            return np.argmin(d, axis=1), d.min(axis=1)

        if not known:  # converged ends far from every centre so far start new ones (greedy)
            for r in conv[nearest(final[conv])[1] > reach]:
                if len(centres) < 12 and nearest(final[r:r + 1])[1][0] > reach:
                    centres.append(final[r])
                    counts.append(0)
        j, d = nearest(final[conv])
        hit = d <= reach
        out[conv[hit]] = j[hit]
        for k, c in zip(*np.unique(j[hit], return_counts=True)):
            counts[k] += int(c)
        labels[rows] = out

    execute(p, scheduler=scheduler, on_chunk=label)
    minima = np.array(centres).reshape(-1, 2)
    if not known:  # most visited first, whatever order the chunks came in
        order = np.argsort(counts, kind="stable")[::-1]
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order))
        labels = np.where(labels >= 0, rank[np.maximum(labels, 0)], labels)
        minima = minima[order]
    return BasinMap(labels.reshape(n, n), minima, None, domain, obj, opt, None)


def _cluster(points: np.ndarray, radius: float, limit: int = 12) -> np.ndarray:
    """Distinct end points (greedy, within ``radius``), most visited first."""
    found: list[np.ndarray] = []
    counts: list[int] = []
    for p in points[: 200_000]:
        for i, q in enumerate(found):
            if np.linalg.norm(p - q) <= radius:
                counts[i] += 1
                break
        else:
            if len(found) < limit:
                found.append(p)
                counts.append(1)
    order = np.argsort(counts)[::-1]
    return np.array([found[i] for i in order]) if found else np.zeros((0, 2))


# --- learning rate × start -----------------------------------------------------------------

@dataclass(frozen=True)
class LrMap:
    """The diagnosis for every (learning rate, start) pair; starts on a line across the domain.

    Attributes:
        lrs: ``(L,)`` learning rates.
        positions: ``(S,)`` the varying coordinate of each start.
        labels: ``(L, S)`` diagnosis labels.
        bounds: ``(S,)`` the stability bound 2/λmax at the minimum the runs from each start
            reach — the one that decides whether a learning rate converges (the minimum of
            the largest learning rate that ended at one; NaN where none did).
        start_bounds: ``(S,)`` the local bound 2/λmax at each start (NaN where undefined).
        axis: the coordinate that varies (0 or 1); ``fixed``: the other one's value.
        optimizer: its name; ``max_steps``: the step limit; objective, result: what ran.
    """

    lrs: np.ndarray
    positions: np.ndarray
    labels: np.ndarray
    bounds: np.ndarray
    start_bounds: np.ndarray
    axis: int
    fixed: float
    optimizer: str
    max_steps: int
    objective: Any
    result: RunResult


#: where across the domain the lr map's line of starts lies by default (a share of the other
#: coordinate's range): not 0.5, a symmetric domain's middle, where the starts may sit on a
#: line of symmetry that the steps never leave
LR_MAP_LINE = 0.37


def lr_map(f, *, lrs=None, axis: int = 0, at: float | None = None, starts: int = 60,
           optimizer: str | Optimizer = "gd", max_steps: int = 300, domain=None,
           variables=None, backend: str = "auto", dtype: str = "float64",
           deadline: float | None = None, scheduler: str | None = None) -> LrMap:
    """Run ``optimizer`` at every learning rate from every start on a line (coordinate
    ``axis`` varies across the domain, the other is fixed at ``at``, default
    :data:`LR_MAP_LINE` of the way across: off the middle, which on a symmetric domain is
    often a line the steps never leave — from (x, 0) gradient descent on x² + 10y² never
    feels the y curvature, and converges far above its stability bound).
    ``lrs`` is a list, or a count to space from bound/300 to 10·bound around the median
    bound 2/λmax of the starts (default 40). ``optimizer``: a name, or an optimizer whose
    other hyper-parameters are kept while its learning rate is swept. ``scheduler``: run the
    (learning rate, start) pairs as a sweep's chunks there (:func:`gdlab.sweep.sweep`); the
    map then keeps the labels and bounds, not the runs (``result`` is ``None``)."""
    obj = objective_2d(f, variables)
    domain = domain or domain_for(obj)
    other = 1 - axis
    lo, hi = domain[other]
    fixed = at if at is not None else lo + LR_MAP_LINE * (hi - lo)
    positions = np.linspace(*domain[axis], starts)
    pts = np.empty((starts, 2))
    pts[:, axis] = positions
    pts[:, other] = fixed
    base = _of_minima(_as_optimizer(optimizer), "a learning-rate map")
    mu = float(np.asarray(base.hyper.get("momentum", 0.0)).flat[0])
    lams = largest_curvature(obj, pts)
    scale = np.array([stability_bound(float(v)) or np.nan for v in lams])  # 2/λmax
    # the optimizer's own bound (2(1+μ)/λmax with momentum …; NaN for the adaptive methods)
    tau = float(np.asarray(base.hyper.get("dampening", 0.0)).flat[0])
    start_bounds = np.array([optimizer_bound(float(v), base.name, mu, tau) or np.nan
                             for v in lams])
    if lrs is None or np.ndim(lrs) == 0:  # a count: log-spaced around the median 2/λmax
        finite = scale[np.isfinite(scale)]
        mid = float(np.median(finite)) if finite.size else 0.1
        lrs = np.geomspace(mid / 300, mid * 10, 40 if lrs is None else int(lrs))
    lrs = np.unique(np.asarray(lrs, dtype=float))  # ascending, each once: the map's rows
    if scheduler is not None:
        labels, ends = _lr_map_in_chunks(obj, pts, base, lrs, max_steps, backend, scheduler)
        result = None
    else:
        result = lr_sweep(obj, pts, base, lrs, max_steps=max_steps, tol=1e-8, record="none",
                          backend=backend, dtype=dtype, deadline=deadline)
        labels, ends = label_all(result)  # diagnose()'s labels and bounds, on arrays
    bounds = np.full(starts, np.nan)
    # the bound at the minimum that the largest converging learning rate reached: smaller
    # rates may reach another minimum (a start's basin depends on the rate), but no rate
    # converges above the bound of the minimum it reaches — so none converges above the line
    for s in range(starts):
        k = next((k for k in reversed(range(len(lrs))) if labels[k, s].endswith("minimum")),
                 None)
        if k is not None:
            bounds[s] = ends[k, s]
    return LrMap(lrs, positions, labels, bounds, start_bounds, axis, fixed, base.name,
                 max_steps, obj, result)


def _lr_map_in_chunks(obj, pts, base, lrs, max_steps, backend, scheduler):
    """An lr map's ``(L, S)`` labels and end bounds from a sweep run in chunks."""
    from .compiled import hyper_scalar
    from .sweep import execute, function_text, plan

    hyper = {k: [hyper_scalar(base, k)] for k in base.hyper if k != "lr"}
    p = plan(function_text(obj), optimizers=[base.name], lrs=list(lrs), hyper=hyper, starts=pts,
             max_steps=max_steps, tol=1e-8, backend=backend,
             variables=None if obj.named_library is not None else list(obj.variables))
    frame = execute(p, scheduler=scheduler)
    shape = (len(lrs), len(pts))
    return (frame["diagnosis"].to_numpy().reshape(shape),
            frame["bound"].to_numpy(dtype=float).reshape(shape))


def lr_sweep(f, starts, optimizer: Optimizer, lrs: Sequence[float], **run_options) -> RunResult:
    """One optimizer at every learning rate in ``lrs`` from the same ``starts``, in one
    vectorised pass: configuration ``k`` of the result has ``lrs[k]``."""
    return run(f, starts, sweep_configs(optimizer, lrs), **run_options)


def sweep_configs(optimizer: Optimizer, lrs: Sequence[float]) -> list[Optimizer]:
    """The configurations of a learning-rate sweep: ``optimizer`` at each rate."""
    return [optimizer.with_lr(r) for r in lrs]


def sweep_bound(result: RunResult, own: bool = False) -> float | None:
    """``2/λmax`` for a sweep — with ``own``, the swept optimizer's own bound (momentum's
    2(1+μ)/λmax, …: :data:`gdlab.diagnose.BOUNDS`; ``None`` for an adaptive one) — λmax over
    the starts and the end points of runs that did not diverge."""
    opt = result.optimizers[0]
    every = [d for row in result.diagnoses() for d in row if d.lambda_max is not None]
    # a diverged run's λ is its start's: only where every run diverged does it speak
    lams = [d.lambda_max for d in every if d.label not in ("diverged", "unbounded")] or \
        [d.lambda_max for d in every]
    if not lams:
        return None
    if not own:
        return stability_bound(max(lams))
    mu = float(np.asarray(opt.hyper.get("momentum", 0.0)).reshape(-1)[0])
    tau = float(np.asarray(opt.hyper.get("dampening", 0.0)).reshape(-1)[0])
    return optimizer_bound(max(lams), opt.name, mu, tau)


# --- runs that teach ------------------------------------------------------------------------

@dataclass(frozen=True)
class LearningRates:
    """One start, several learning rates of gradient descent.

    Attributes:
        lrs: the learning rates; ``bound``: 2/λmax where it decides convergence — at the
        minimum the gradient flow from the start reaches (``bound_at``), else at the start
        (``None`` without positive curvature); ``result``: the runs (configuration k has
        ``lrs[k]``); ``labels``: their diagnoses; ``objective``, ``start``.
    """

    lrs: list[float]
    bound: float | None
    labels: list[str]
    result: RunResult
    objective: Any
    start: np.ndarray
    bound_at: np.ndarray | None = None


def learning_rates(f, start, *, lrs=None, max_steps: int = 60, variables=None
                   ) -> LearningRates:
    """Gradient descent from ``start`` with learning rates too small, about right, near the
    stability bound and too large: by default 0.05, 0.5, 0.97 and 1.5 times 2/λmax there."""
    obj = objective_2d(f, variables)
    x0 = obj.points(np.asarray(start, dtype=float), "start")
    bound, at = _bound_where_it_decides(obj, x0)
    if lrs is None:
        if bound is None:
            raise ConfigError("no positive curvature at the start, so no stability bound to "
                              "place learning rates around: give them (--lrs)")
        lrs = [0.05 * bound, 0.5 * bound, 0.97 * bound, 1.5 * bound]
    result = run(obj, [x0], [make("gd", lr=lr) for lr in lrs], max_steps=max_steps, tol=1e-10,
                 record="all")
    labels = [row[0].label for row in result.diagnoses()]
    return LearningRates(list(lrs), bound, labels, result, obj, x0, at)


def _bound_where_it_decides(obj, x0) -> tuple[float | None, np.ndarray | None]:
    """2/λmax at the minimum the gradient flow from ``x0`` reaches — the curvature there
    decides whether a learning rate converges — and that minimum; where the flow finds none
    (no minimum, or not within its time), 2/λmax at the start and ``None``. On a quadratic
    with a positive definite Hessian H the flow ends at the one minimum, x₀ − H⁻¹∇f(x₀): no
    integration (nor SciPy's integrators to load) needed."""
    end = _quadratic_minimum(obj, x0)
    if end is None:
        try:
            end = gradient_flow(obj, x0, max_steps=1).flow[-1]
        except GdlabError:
            end = None
    elif end is False:  # a quadratic with no strict minimum: no flow ends at one
        end = None
    if end is not None and np.all(np.isfinite(end)) and \
            np.linalg.norm(obj.gradient(end)) <= 1e-5:
        known = [np.array(m.location, dtype=float) for m in
                 (obj.library.minima(2) if obj.library is not None else [])]
        near = [m for m in known if np.linalg.norm(m - end) <= 1e-3]
        end = near[0] if near else end  # the library's exact point where the flow ends there
        lams = np.linalg.eigvalsh(obj.hessian(end))
        if lams[0] > 0:
            return stability_bound(float(lams[-1])), end
    return stability_bound(float(largest_curvature(obj, x0)[0])), None


def _quadratic_minimum(obj, x0):
    """For a formula of degree ≤ 2 (a constant Hessian H): its minimum x₀ − H⁻¹∇f(x₀) where H
    is positive definite, else ``False`` (no strict minimum: x + y, x² − y²); ``None`` for any
    other function (the flow has to be followed)."""
    if obj.formula is None or not obj.symbolic_hessian or any(
            e.free_symbols for row in obj.hessian_exprs for e in row):
        return None
    H = obj.hessian(x0)
    if np.linalg.eigvalsh(H)[0] <= 0:
        return False
    return x0 - np.linalg.solve(H, obj.gradient(x0))


#: (function, starts, learning rate, step limit, title) of each trap
TRAP_TOL = 1e-9  # the traps' stop rule (a plateau's gradient is small, not zero)
#: (library function, starts, lr, steps, name): each also a preset of the page under that name,
#: both titled by the message catalogue's ``preset.<name>``
TRAP_CASES = [
    ("double_well", [[2.0, 1.0], [-2.0, 1.0]], 0.01, 3000, "local_vs_global_minimum"),
    ("plateau", [[3.5, 3.0], [1.0, 0.5]], 0.1, 3000, "plateau"),
    ("saddle", [[1.0, 0.0], [1.0, 0.01]], 0.1, 200, "saddle_point"),
]


@dataclass(frozen=True)
class Trap:
    """One failure mode: gradient descent from two starts on a library function."""

    title: str
    lr: float
    objective: Any
    result: RunResult

    @property
    def labels(self) -> list[str]:
        return [d.label for d in self.result.diagnoses()[0]]


def traps(cases=None) -> list[Trap]:
    """Stuck in a local minimum beside a run that reaches the global one, stalled on a plateau,
    parked on a saddle point (:data:`TRAP_CASES`, titled in the language in use; ``cases``
    like them, a case's last item its title)."""
    out = []
    for name, starts, lr, max_steps, title in cases or TRAP_CASES:
        obj = objective_2d(name)
        result = run(obj, starts, make("gd", lr=lr), max_steps=max_steps, tol=TRAP_TOL,
                     record="all")
        known = f"preset.{title}" in catalogue(language())  # a case of TRAP_CASES
        out.append(Trap(text(f"preset.{title}") if known else title, lr, obj, result))
    return out


@dataclass(frozen=True)
class Comparison:
    """Several optimizers from the same start: ``result`` (configuration k is optimizer k)
    and ``best``, the f* that ``f − f*`` curves subtract (the library's minimum value, else
    the minimum found from the runs' lowest end, :func:`_minimum_below`; ``None`` where none
    is: the curves are then f itself)."""

    result: RunResult
    best: float | None
    objective: Any


#: "Deep Learning from Scratch" ch. 6: x²/20 + y² from (−7, 2)
COMPARED = ("gd:0.95", "momentum:0.1", "adagrad:1.5", "adam:0.3")


def comparison(f, start, optimizers=COMPARED, *, max_steps: int = 100, variables=None
               ) -> Comparison:
    """Run every optimizer from ``start`` with the same budget and a tight stop."""
    obj = objective_2d(f, variables)
    x0 = obj.points(np.asarray(start, dtype=float), "start")
    opts = [parse_optimizer(o) if isinstance(o, str) else o for o in optimizers]
    result = run(obj, [x0], opts, max_steps=max_steps, tol=1e-12, record="all")
    best = obj.library.minimum_value(2) if obj.library is not None else _minimum_below(
        obj, result)
    return Comparison(result, best, obj)


def _minimum_below(obj, result) -> float | None:
    """f* for a typed formula: the minimum that a quasi-Newton polish (SciPy's BFGS with ∇f)
    reaches from the end point where the runs got lowest, or that value recorded where a run
    got lower still (to rounding: it reached that minimum); ``None`` where the polish finds
    no minimum (f unbounded below that way, a saddle, no settling). Not the lowest value
    recorded: on x² + 10y² gd at lr 0.001 ended at f ≈ 3.2, and the best run's last value
    would read as "f − f* = 0 exactly" — a minimum it never reached."""
    from scipy.optimize import minimize

    values = np.where(np.isfinite(result.value), result.value, np.inf)
    k, b = np.unravel_index(np.argmin(values), values.shape)
    lowest = float(np.nanmin(np.where(np.isfinite(result.values), result.values, np.nan)))
    if not np.isfinite(values[k, b]):
        return None
    with np.errstate(all="ignore"):
        polish = minimize(lambda x: float(obj.value(x)), result.final[k, b],
                          jac=lambda x: np.asarray(obj.gradient(x), dtype=float),
                          method="BFGS", options={"gtol": 1e-10, "maxiter": 2000})
        x = polish.x
        g, h = np.asarray(obj.gradient(x), dtype=float), obj.hessian(x)
    if not (np.isfinite(polish.fun) and np.all(np.isfinite(h))
            and np.linalg.norm(g) <= 1e-6 * max(1.0, abs(polish.fun))
            and critical.kind_of(np.linalg.eigvalsh(0.5 * (h + h.T))) in ("minimum",
                                                                            "degenerate")):
        return None
    return min(float(polish.fun), lowest)


# --- the continuous path --------------------------------------------------------------------

@dataclass(frozen=True)
class GradientFlow:
    """The gradient flow dx/dt = −∇f from a start, beside gradient descent.

    Attributes:
        flow: ``(M, 2)`` points of the flow, sampled densely at early and late times.
        gd: the discrete path of gradient descent with learning rate ``lr``.
        alignment: cosine between each chord of the flow and −∇f halfway along it (chords of
            at least 1e-6 of the path's length).
        start, objective.
    """

    flow: np.ndarray
    gd: np.ndarray
    lr: float
    alignment: np.ndarray
    start: np.ndarray
    objective: Any


def gradient_flow(f, start, *, lr: float | None = None, max_steps: int = 60,
                  t_max: float = 50.0, variables=None) -> GradientFlow:
    """Integrate dx/dt = −∇f(x) with an adaptive Runge–Kutta solver (scipy's RK45, tight
    tolerances) until ‖∇f‖ ≤ 1e-6 or ``t_max``; run gradient descent with ``lr`` (default:
    half the stability bound at the start) beside it."""
    from scipy.integrate import solve_ivp

    obj = objective_2d(f, variables)
    x0 = obj.points(np.asarray(start, dtype=float), "start")

    def rhs(_t, x):
        return -obj.gradient(x)

    def stop(_t, x):  # ‖∇f‖ small: the flow has (nearly) arrived
        return float(np.linalg.norm(obj.gradient(x))) - 1e-6

    stop.terminal = True
    sol = solve_ivp(rhs, (0.0, t_max), x0, method="RK45", rtol=1e-10, atol=1e-12,
                    events=stop, dense_output=True)
    end = float(sol.t[-1])
    # the flow is fast at first and slow later: sample densely at both scales
    t = np.unique(np.concatenate([[0.0], np.geomspace(end * 1e-8, end, 3000),
                                  np.linspace(0.0, end, 1000)])) if end > 0 else np.array([0.0])
    flow = sol.sol(t).T
    if lr is None:
        bound = stability_bound(float(largest_curvature(obj, x0)[0]))
        lr = 0.5 * bound if bound else 0.01
    r = run(obj, [x0], make("gd", lr=lr), max_steps=max_steps, tol=1e-9, record="all")
    gd = r.run_path(0, 0)
    # each chord against −∇f at the flow's point halfway through it in time (second order)
    d = flow[1:] - flow[:-1]
    g = -obj.gradient(sol.sol(0.5 * (t[1:] + t[:-1])).T)
    chord = np.linalg.norm(d, axis=1)
    with np.errstate(all="ignore"):
        alignment = np.sum(d * g, axis=1) / (chord * np.linalg.norm(g, axis=1))
    # where the flow crawls into the minimum, chords of 1e-8 are below the solver's
    # interpolation accuracy: measure on chords of at least 1e-6 of the path's length
    resolved = chord >= 1e-6 * max(float(chord.sum()), 1e-300)
    alignment = alignment[resolved & np.isfinite(alignment)]
    return GradientFlow(flow, gd, lr, alignment, x0, obj)
