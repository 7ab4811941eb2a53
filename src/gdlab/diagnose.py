r"""Why each run ended where it did: one label, an explanation and advice per run.

Labels, in order of precedence (the first that fits wins):

=================  =========================================================================
label              rule (thresholds are keyword arguments of :func:`diagnose`)
=================  =========================================================================
unbounded          f has no minimum where the run went: f became −∞, or, from the end point
                   (the start if the end is not finite), f keeps falling along −∇f (or
                   along ± the direction of negative curvature there, where −∇f has at
                   least ``ESCAPE_SHARE`` (1%) of its length along it, or along −∇f's part
                   in the directions where f does not curve up, where that part has) to below
                   ``f(x₀) − 1e9·max(1, |f(x₀)|)`` (:data:`UNBOUNDED_DROP`) at a distance of
                   up to 1e15·max(1, ‖x‖). Never for a library function with a known minimum.
diverged           the engine stopped the run: a non-finite value, or \|f\| or ‖x‖ blew up
                   (with f not falling without bound: the step is too large — or, where the
                   run fell all the way into the edge of f's domain, where f has no floor or
                   approaches a floor ever more steeply, and stepped past it, ``edge_to``: no
                   minimum that way that a step can stop at)
oscillating        not at a critical point and the step reversed direction in at least
                   ``oscillation`` (0.5) of the recent steps — or the run stopped descending
                   (unless its schedule froze it), or ended above its start (a step
                   overshot, e.g. across a pole)
slow               hit the step limit while f was still going down (with ‖∇f‖ ≤ ``grad_zero``
                   too, on a bowl so flat that, along some axis of the Hessian, the minimum
                   x − (∇²f)⁻¹∇f lies farther than ``near_point`` and than the run went
                   that way) — or took no step, or
                   steps too small to change x (``levels_to``: f keeps falling along the run's
                   way out to 1e15·max(1, ‖x‖), levelling off there or not: no minimum that
                   way)
saddle             ‖∇f‖ ≈ 0 (converged, or ≤ ``grad_zero``) and Hessian eigenvalues of both
                   signs (or the end point is a saddle the library lists)
maximum            ‖∇f‖ ≈ 0 and no positive curvature
plateau            ‖∇f‖ ≈ 0, every \|λ\| ≤ ``flat`` (1e-6) — or, unless the library lists a
                   saddle or maximum there, ≤ :data:`PLATEAU_CURVATURE` (1e-4) — and a lower
                   value is known (checked before saddle and maximum); or ∇f is exactly 0
                   and f constant to double precision around the end (an underflowed tail)
global_minimum     a minimiser whose value is within ``value_tol`` (relative, 1e-6) of the
                   lowest known: the library's global minimum, or for a typed formula the
                   lowest minimiser reached by any run of the call (when there are two or more
                   and none of them showed f unbounded below)
local_minimum      a minimiser, and a lower value is known — or f is unbounded below (the
                   library says so, or another run of the call fell without bound)
minimum            a minimiser with nothing to compare against
=================  =========================================================================

Deciding is apart from wording: :func:`facts` gathers one :class:`RunFacts` record per run,
:data:`RULES` (the rules above, in this order, once) gives the label — :func:`classify` for
one record, :func:`labels` for all runs of a call at once on arrays (what :func:`diagnose`
and the sweeps use) — and
:mod:`gdlab.advice` into a ``suggestion`` (options of ``gdlab descend`` that fix or improve the
run, or ``None`` where none can) and the explanation and advice written from it. Along a
recorded path :mod:`gdlab.events` finds ``events`` (``near_saddle``: the path lingered by a
saddle and left it).

Which bound: ``stability_bound`` is 2/λmax at ``bound_at`` — the minimum the run reaches
(whether a step size converges is decided there): the library's minimum nearest the end point,
or for a typed formula the end point itself; the start for a run that diverged or fell without
bound (the only point it had under control). Momentum's bound is
``2(1 + μ)/λmax`` and Nesterov's ``2(1 + μ)/((1 + 2μ)λmax)``, and the advice quotes the one
that applies. Eigenvalues count as zero as :mod:`gdlab.critical` says (the same rule as the
calculus at a point): within ``max(eig_tol·max(1, max|λ|), flat)``.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import numpy as np

from . import critical

__all__ = ["Diagnosis", "RunFacts", "diagnose", "facts", "classify", "explain", "LABELS",
           "label_name", "stability_bound", "optimizer_bound", "largest_curvature", "BOUNDS",
           "UNBOUNDED_DROP", "PLATEAU_CURVATURE", "summary"]

LABELS = ("unbounded", "diverged", "oscillating", "slow", "plateau", "saddle", "maximum",
          "global_minimum", "local_minimum", "minimum")


def label_name(label: str) -> str:
    """A label as a reader says it, in the language in use: ``global_minimum`` →
    ``global minimum``, ``전역 최솟값`` (the message catalogue's ``label.<label>``)."""
    from .i18n import text

    return text(f"label.{label}")
#: How far below f(x₀) (relative to max(1, |f(x₀)|)) a probe along −∇f must fall to call f
#: unbounded below, and the distances of that probe (times max(1, ‖x‖)).
UNBOUNDED_DROP = 1e9
PROBE_DISTANCES = 10.0 ** np.arange(0, 16)
#: The probes for no minimum that way (levels_to, edge_to) look closer and more often: from
#: the point itself, then 1e-3 … 1e15 times max(1, ‖x‖) at this many per tenfold — a well
#: between two tenfolds would hide a minimum (−log(1 + x²) − 3·e^−(x−5)² from x = 1.3).
PER_DECADE = 16
LEVEL_DISTANCES = np.concatenate([[0.0], 10.0 ** np.linspace(-3, 15, 18 * PER_DECADE + 1)])
#: How far below the end's value (relative to max(1, |f|)) f must keep falling, all the way
#: out along the descent, to show that there is no minimum that way (f levels off: e^−x).
LEVEL_DROP = 1e-9
#: A fall whose drop per tenfold of distance shrinks to at most this share of the tenfold
#: before settles on a floor (:func:`_settles`).
SETTLE_RATIO = 0.9
#: How many times ‖∇f‖ must grow into the edge of f's domain (from 10⁻¹ to 10⁻¹⁵ of the way
#: from the start) for a floor there to be one no fixed step can stop at (√x: 10⁷-fold).
EDGE_STEEP = 1e3
#: The share of the descent along the lowest curvature that makes it the run's way there (in
#: exp(−x) + y² + z² from (0, 1, 1) the descent is a third along x: y and z still have most of
#: the fall, and a larger rate helps them).
LEVEL_SHARE = 0.9
#: The share of the descent direction along the negative curvature that counts as moving along
#: it (a path on the stable line of a saddle, x² − y² from (1, 0), does not).
ESCAPE_SHARE = 0.01
#: Curvature below which a critical point with a lower known value is a plateau.
PLATEAU_CURVATURE = 1e-4
VALUE_TOL = 1e-6  # relative: a value this close to the lowest known is "the lowest"
_HESSIAN_CHUNK = 20_000


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on one run.

    Attributes:
        label: one of :data:`LABELS`.
        explanation: what happened, in one or two sentences with the numbers.
        advice: what to try, written from ``suggestion``.
        stability_bound: ``2/λmax`` at ``bound_at`` (``None`` where λmax ≤ 0 or unknown).
        lambda_max: the λmax behind it.
        eigenvalues: Hessian eigenvalues at the end point (``None`` for a diverged run).
        nearest_minimum: the closest known minimum ``{location, value, kind, distance}`` or
            ``None``.
        optimizer_bound: the run's own optimizer's bound (:data:`BOUNDS`: with momentum
            ``2(1+μ)/λmax``, …) at ``bound_at``; ``None`` for an optimizer without one.
        bound_at: the point where λmax (and so both bounds) was taken: the end point, or the
            start for a diverged or unbounded run.
        suggestion: options of ``gdlab descend`` (``lr``, ``optimizer``, ``momentum``,
            ``max_steps``, ``start``, ``schedule``, …) that fix or improve the run when applied
            to the same command, or ``None`` where no option can (:mod:`gdlab.advice`).
        events: what happened along the path (:mod:`gdlab.events`), e.g.
            ``{"kind": "near_saddle", "at": [...], "step": 120, "steps": 80}``.
    """

    label: str
    explanation: str
    advice: str
    stability_bound: float | None
    lambda_max: float | None
    eigenvalues: list[float] | None
    nearest_minimum: dict[str, Any] | None
    optimizer_bound: float | None = None
    bound_at: list[float] | None = None
    suggestion: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The label as a reader says it, in the language in use (:func:`label_name`)."""
        return label_name(self.label)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "explanation": self.explanation, "advice": self.advice,
                "suggestion": self.suggestion, "events": self.events,
                "stability_bound": self.stability_bound, "lambda_max": self.lambda_max,
                "optimizer_bound": self.optimizer_bound, "bound_at": self.bound_at,
                "eigenvalues": self.eigenvalues, "nearest_minimum": self.nearest_minimum}


#: The largest stable learning rate on a quadratic with top curvature λ, per optimizer that
#: has one (the adaptive methods rescale their steps and have none): formula text and rule.
#: (momentum's dampening τ scales each gradient it adds by 1 − τ, torch's b ← μb + (1 − τ)g:
#: the rate then acts as lr·(1 − τ))
BOUNDS = {
    "gd": ("2/λmax", lambda lam, mu, tau: 2 / lam),
    "momentum": ("2(1+μ)/((1−dampening)·λmax)",
                 lambda lam, mu, tau: 2 * (1 + mu) / ((1 - tau) * lam)),
    "nesterov": ("2(1+μ)/((1+2μ)λmax)",
                 lambda lam, mu, tau: 2 * (1 + mu) / ((1 + 2 * mu) * lam)),
}


def optimizer_bound(lambda_max: float | None, optimizer: str, momentum: float = 0.0,
                    dampening: float = 0.0) -> float | None:
    """The optimizer's own bound (:data:`BOUNDS`), ``None`` for one without a bound."""
    return stability_bound(lambda_max, optimizer, momentum, dampening) \
        if optimizer in BOUNDS else None


def stability_bound(lambda_max: float | None, optimizer: str = "gd",
                    momentum: float = 0.0, dampening: float = 0.0) -> float | None:
    """Largest stable learning rate on a quadratic with top curvature ``lambda_max``
    (:data:`BOUNDS`; gradient descent's 2/λmax for an optimizer without a bound of its own).

    >>> stability_bound(2.0)
    1.0
    >>> stability_bound(2.0, "momentum", 0.9)
    1.9
    >>> stability_bound(20.0, "momentum", 0.9, dampening=0.5)
    0.38
    """
    if lambda_max is None or not np.isfinite(lambda_max) or lambda_max <= 0 or dampening >= 1:
        return None
    return float(BOUNDS.get(optimizer, BOUNDS["gd"])[1](lambda_max, momentum, dampening))


def _eigenvalues(obj, points: np.ndarray) -> np.ndarray:
    """Hessian eigenvalues ``(M, D)`` (NaN rows where not finite), in chunks."""
    return _eigensystem(obj, points)[0]


def _eigensystem(obj, points: np.ndarray, vectors: bool = False):
    """``(eigenvalues (M, D), eigenvectors (M, D, D) or None)``, NaN where not finite."""
    out = np.full(points.shape, np.nan)
    vec = np.full(points.shape + points.shape[-1:], np.nan) if vectors else None
    finite = np.all(np.isfinite(points), axis=-1)
    idx = np.flatnonzero(finite)
    dim = points.shape[-1]
    chunk = max(1, min(_HESSIAN_CHUNK, _HESSIAN_CHUNK * 64 // (dim * dim)))  # bounded memory
    for lo in range(0, len(idx), chunk):
        part = idx[lo:lo + chunk]
        with np.errstate(all="ignore"):
            h = obj.hessian(points[part])
        ok = np.all(np.isfinite(h), axis=(-1, -2))
        if ok.any():
            sym = 0.5 * (h[ok] + np.swapaxes(h[ok], -1, -2))
            if vectors:
                out[part[ok]], vec[part[ok]] = np.linalg.eigh(sym)
            else:
                out[part[ok]] = np.linalg.eigvalsh(sym)
    return out, vec


@dataclass(frozen=True)
class RunFacts:
    """What the diagnosis of one run rests on: numbers, no wording.

    Attributes:
        status: the engine's ``converged``, ``max_steps`` or ``diverged``.
        start, final, value, start_value, gradient_norm, steps, max_steps, tol, oscillation,
            mid_value: the run's.
        eigenvalues: Hessian eigenvalues at the end point (``None`` if not all finite or the
            run diverged); ``lam_end`` the same as an array; ``positive``/``negative``:
            curvature beyond the zero band; ``escape``: the unit eigenvector of the lowest
            curvature at the end point (where a push leaves a saddle or maximum).
        near_critical: ‖∇f‖ ≈ 0 (converged, or stopped with ‖∇f‖ ≤ ``grad_zero`` — unless
            f curves up every way there and its quadratic model's minimiser lies farther than
            the run went: a very flat bowl, :func:`_short_of_minimum`).
        lambda_max: the largest curvature at ``bound_at`` (the known minimum nearest the end
            point, else the end point; the start for a diverged or unbounded run);
            ``bound``: gradient descent's 2/λmax there; ``own_bound``: the
            optimizer's own bound (:func:`optimizer_bound`: ``None`` without one);
            ``curvatures``: every Hessian eigenvalue at ``bound_at``.
        optimizer, lr (``None`` when not one number), hyper (its numbers), schedule (its
            text or ``None``), noise.
        runs: how many starts the call had.
        best: the lowest known value (``None``: nothing to compare with); ``best_is_found``:
            it is the lowest found among the call's runs; ``unbounded``: f has no minimum —
            the library says so, a run of the call fell without bound, or f falls without
            bound from a saddle or maximum a run stopped at (``unbounded_beside``: only that);
            ``library``: the library function's name, if any.
        falls_to: f far along the descent direction where that shows f unbounded below,
            else ``None``; ``descent``: that direction (unit); ``falls_distance``: how far
            along it.
        levels_to: where f is not shown unbounded but keeps falling all the way along −∇f (or
            its part along the lowest curvature) out to :func:`probe_reach`: f far along it,
            else ``None`` — there is no minimum that way; ``levels_along``: that direction
            (unit); ``levels_floor``: f levels off there (e^−x + y² from its slow end: toward
            0), else it is still falling (−log(1 + x²) + y²: without floor, too slowly for
            the probe to show).
        edge_to: a run that stepped out of f's domain (f not a number) after falling all
            the way from its start to the edge it crossed, where f keeps falling with no floor
            in sight (log x + y² toward x = 0) — or, ``edge_floor``, levels off ever more
            steeply (√x + y²): f just inside the edge, else ``None``; no minimum lies that
            way that a step can stop at; ``edge_at``: the edge (:func:`_edge_probe`).
        narrow_momentum: for a slow gd run on a narrow bowl, ``(lr, momentum, rate now, rate
            then)`` of :func:`gdlab.advice.narrow_momentum` — only where that momentum, run
            from this start with the same budget, ended lower without diverging
            (:func:`_tried_momentum`), else ``None``.
        escape_unbounded: from a saddle or maximum, f falls without bound along ±``escape``.
        better_start: a start of this call from which the same optimizer reached a lower
            minimum (for a local minimum), else ``None``.
        at_kink: the end point lies within a step of a kink of f (``abs``, ``max``, …).
        numerically_flat: ∇f is exactly 0 and f constant to double precision around the end
            point (an underflowed tail, :func:`_around`).
        falls_nearby: a step away along an axis f is lower than at the end point by more than
            its gradient explains: a stationary point that is no minimum, though its curvature
            may be 0 (``x**3`` at 0; :func:`_around`).
        listed_kind: the kind of the library's critical point at the end point, if any.
        nearest_minimum: the closest known minimum as a dict with ``distance``.
        events: :mod:`gdlab.events` along the recorded path.
        thresholds: the keyword thresholds of :func:`diagnose`.
    """

    status: str
    start: np.ndarray
    final: np.ndarray
    value: float
    start_value: float
    gradient_norm: float
    steps: int
    max_steps: int
    tol: float
    oscillation: float
    mid_value: float
    eigenvalues: list[float] | None
    lam_end: np.ndarray
    positive: bool
    negative: bool
    escape: np.ndarray | None
    near_critical: bool
    lambda_max: float | None
    curvatures: np.ndarray
    bound_at: np.ndarray | None
    bound: float | None
    own_bound: float | None
    optimizer: str
    lr: float | None
    hyper: dict[str, Any]
    schedule: str | None
    noise: float
    best: float | None
    best_is_found: bool
    unbounded: bool
    unbounded_beside: bool  # shown by f's fall beside a saddle or maximum a run stopped at
    library: str | None
    runs: int
    function: str
    variables: tuple[str, ...]
    finite_everywhere: bool
    degree: int | None  # f's degree where f is a polynomial (polynomial_degree)
    falls_to: float | None
    descent: np.ndarray | None
    falls_distance: float | None
    escape_unbounded: bool
    better_start: list[float] | None
    at_kink: bool
    noise_floor: bool
    numerically_flat: bool
    flat_sloping: bool  # flat here, f lower ahead along −∇f (_lower_ahead)
    near_kink: bool  # a kink of f within a probe step (its Hessian may not hold across it)
    falls_nearby: bool
    model_holds: bool
    listed_kind: str | None
    nearest_minimum: dict[str, Any] | None
    events: list[dict[str, Any]]
    thresholds: dict[str, float]
    levels_to: float | None = None
    levels_along: list[float] | None = None
    levels_floor: bool = False
    edge_to: float | None = None
    edge_at: list[float] | None = None
    edge_floor: bool = False
    narrow_momentum: tuple[float, float, float, float] | None = None

    @property
    def flat(self) -> bool:
        return self.eigenvalues is not None and \
            bool(np.all(np.abs(self.lam_end) <= self.thresholds["flat"]))

    @property
    def descending(self) -> bool:
        """f still fell in the second half of the budget (:func:`_descending`)."""
        return bool(_descending(self.value, self.mid_value, self.start_value))

    @property
    def made_no_progress(self) -> bool:
        """The run ended where it started without turning back (:func:`_no_progress`)."""
        return bool(_no_progress(self.final, self.start, self.oscillation, self.thresholds))

    @property
    def lower_known(self) -> bool:
        """A value lower than this run's is known (or f has no minimum)."""
        return bool(_against_best(self.value, self.best, self.unbounded,
                                  self.thresholds["value_tol"])[0])


# The pieces of the rules, on arrays (one run's numbers, or every run's at once).

def _descending(value, mid_value, start_value) -> np.ndarray:
    """f still fell in the second half of the budget (from the start if it stopped
    earlier)."""
    with np.errstate(invalid="ignore"):
        ref = np.where(np.isfinite(mid_value), mid_value, start_value)
        return value < ref - 1e-15 * np.maximum(1.0, np.abs(ref))


def _no_progress(final, start, oscillation, t) -> np.ndarray:
    """The run ended where it started without turning back (an exact 2-cycle, lr·λ = 2, also
    ends where it started): its steps were too small to change x."""
    return np.all(final == start, axis=-1) & (np.asarray(oscillation) < t["oscillation"])


def _plateau_flat(lam_end, known, t) -> np.ndarray:
    """Every curvature at the end within the plateau band (``known``: the eigenvalues are
    finite and the run did not diverge)."""
    with np.errstate(invalid="ignore"):
        return known & np.all(np.abs(lam_end) <= max(t["plateau"], t["flat"]), axis=-1)


def _against_best(value, best: float | None, unbounded: bool, value_tol: float):
    """``(lower_known, lowest)``: a lower value than ``value`` is known (or f has no
    minimum); ``value`` is within ``value_tol`` of the lowest known."""
    value = np.asarray(value, dtype=float)
    if best is None:
        return np.full(value.shape, bool(unbounded)), np.zeros(value.shape, dtype=bool)
    margin = value_tol * max(1.0, abs(best))
    with np.errstate(invalid="ignore"):
        return unbounded | (value > best + margin), np.abs(value - best) <= margin


#: The default of every threshold a diagnosis takes (keywords of :func:`diagnose`).
THRESHOLDS = {"grad_zero": critical.STOPPED_GRAD_TOL, "flat": critical.FLAT,
              "value_tol": VALUE_TOL, "oscillation": 0.5, "eig_tol": critical.EIG_TOL,
              "near_point": 1e-3, "plateau": PLATEAU_CURVATURE}


def _thresholds(given: dict) -> dict:
    """``given`` over :data:`THRESHOLDS`; an unknown name is refused."""
    unknown = set(given) - set(THRESHOLDS)
    if unknown:
        raise TypeError(f"unknown diagnosis threshold(s): {', '.join(sorted(unknown))}")
    return {**THRESHOLDS, **given}


def diagnose(result, *, grad_zero: float = THRESHOLDS["grad_zero"],
             flat: float = THRESHOLDS["flat"], value_tol: float = THRESHOLDS["value_tol"],
             oscillation: float = THRESHOLDS["oscillation"],
             eig_tol: float = THRESHOLDS["eig_tol"], near_point: float = THRESHOLDS["near_point"],
             plateau: float = THRESHOLDS["plateau"], options=None) -> list[list[Diagnosis]]:
    """Label every run of a :class:`~gdlab.engine.RunResult`.

    Args:
        result: the run.
        grad_zero: ‖∇f‖ at or below this counts as a critical point for a run that did not
            reach ``tol``.
        flat: curvature threshold of a plateau.
        value_tol: relative tolerance to call a value "the lowest known".
        oscillation: share of direction reversals that counts as oscillating.
        eig_tol: relative tolerance for a zero eigenvalue.
        near_point: distance within which an end point is a listed library point.
        plateau: curvature below which a critical point with a lower known value is a
            plateau (unless the library lists a saddle or maximum there).
        options: the options a suggestion may use (the front end's; default all of
            :data:`gdlab.advice.OPTIONS`).

    Returns:
        ``(K, B)`` nested lists of :class:`Diagnosis`.
    """
    from .advice import OPTIONS, advise

    thresholds = {"grad_zero": grad_zero, "flat": flat, "value_tol": value_tol,
                  "oscillation": oscillation, "eig_tol": eig_tol, "near_point": near_point,
                  "plateau": plateau}
    decays = [decay_of(opt) for opt in result.optimizers]
    if any(decays):
        return _diagnose_decayed(result, decays, thresholds, options)
    allowed = frozenset(OPTIONS if options is None else options)
    ev = _evidence(result, thresholds)
    names = _labels_of(result, ev, thresholds)[0]  # classify's rules, for all runs at once
    every = _tried_momentum(result, _facts_of(result, ev, thresholds), names)
    said = [[[str(label), *advise(str(label), f, allowed)] for f, label in zip(row, row_names)]
            for row, row_names in zip(every, names)]
    _decoupled_held(result, said, thresholds, allowed)
    _try_suggestions(result, every, said)
    return [[Diagnosis(label, explanation, advice, f.bound, f.lambda_max, f.eigenvalues,
                       f.nearest_minimum, f.own_bound,
                       None if f.bound_at is None else [float(v) for v in f.bound_at],
                       suggestion, f.events)
             for f, (label, explanation, advice, suggestion) in zip(row, said_row)]
            for row, said_row in zip(every, said)]


def decay_of(opt) -> float:
    """The weight decay one configuration adds to the gradient
    (:attr:`~gdlab.optim.Optimizer.coupled_decay`) as a number, 0.0 where none."""
    return _scalar(opt.coupled_decay) or 0.0


#: labels of a run that stopped at a critical point (of the function it descended)
_STOPPED_AT_CRITICAL = ("minimum", "global_minimum", "local_minimum", "saddle", "maximum",
                        "plateau")


def _diagnose_decayed(result, decays: list[float], thresholds: dict, options):
    """Diagnoses where some configurations add weight decay to the gradient: each of those
    runs is the same run on ``f + (wd/2)‖x‖²`` without weight decay
    (:meth:`~gdlab.objective.Objective.with_weight_decay`), run again so and diagnosed as
    that — f's own slope, minima and bounds would tell a wrong story (a run held at
    ∇f = −wd·x is no "oscillation", nor a minimum of f); the others as usual."""
    out: list = [None] * len(decays)
    plain = [k for k, wd in enumerate(decays) if not wd]
    if plain:
        for k, row in zip(plain, diagnose(_configs(result, plain), **thresholds,
                                          options=options)):
            out[k] = row
    for k, wd in enumerate(decays):
        if wd:
            again = without_decay(result, k, wd)
            out[k] = [_decay_said(d, wd, result, k, b, thresholds)
                      for b, d in enumerate(diagnose(again, **thresholds, options=options)[0])]
    return out


def _configs(result, ks: list[int]):
    """``result`` restricted to its configurations ``ks``."""
    along = {name: getattr(result, name)[ks] for name in (
        "final", "value", "gradient_norm", "start_value", "steps", "status_code",
        "oscillation", "mid_value")}
    along.update({name: None if getattr(result, name) is None else getattr(result, name)[:, ks]
                  for name in ("path", "values", "gradient_norms")})
    return replace(result, optimizers=[result.optimizers[k] for k in ks], _diagnoses=None,
                   _status=None, **along)


def without_decay(result, k: int, wd: float):
    """Configuration ``k``'s runs again, on ``f + (wd/2)‖x‖²`` without weight decay (the
    same steps to rounding, and the same stop rule: :func:`gdlab.engine._followed_norm`),
    recorded as ``result`` was: the run that weight decay ``wd`` (added to the gradient)
    makes, as a run of its own to label and diagnose."""
    from .engine import run
    from .errors import ConfigError

    opt = result.optimizers[k]
    opt = replace(opt, hyper={**opt.hyper, "weight_decay": 0.0})
    obj = result.objective.with_weight_decay(wd)

    def again(record):
        return run(obj, result.starts, opt, max_steps=result.max_steps, tol=result.tol,
                   divergence=result.divergence, record=record, backend=_try_backend(obj, opt))

    steps = result.recorded_steps
    try:
        return again("last" if result.path is None or len(steps) < 2
                     else int(steps[1] - steps[0]))
    except ConfigError:  # a record larger than the default allows (the run's was asked for)
        return again("last")


def _decay_said(d: "Diagnosis", wd: float, result, k: int, b: int,
                thresholds: dict) -> "Diagnosis":
    """A diagnosis of run ``(k, b)`` on ``f + (wd/2)‖x‖²``, said as such: what weight decay
    does first; and where the run stopped at a critical point of that function, what the
    point is for f — still sloping (weight decay's pull balances f's slope there), or flat but
    curving down along some direction (a saddle or maximum of f that the decay's bowl turned
    into a minimum of F)."""
    from .i18n import text

    rename = _of_F if "f" not in result.objective.variables else (lambda words: words)
    explanation = text("advice.decay.prefix", wd=wd, half=wd / 2) + rename(d.explanation)
    if d.label in _STOPPED_AT_CRITICAL:
        norm = float(result.gradient_norm[k, b])
        if norm > thresholds["grad_zero"]:
            explanation = explanation.rstrip() + text("advice.decay.held", norm=norm)
        elif d.label not in ("saddle", "maximum"):
            with np.errstate(all="ignore"):
                lam = np.linalg.eigvalsh(np.asarray(
                    result.objective.hessian(result.final[k, b]), dtype=np.float64))
            if np.all(np.isfinite(lam)) and lam[0] < -thresholds["eig_tol"] * max(
                    1.0, float(np.max(np.abs(lam)))):
                explanation = explanation.rstrip() + text("advice.decay.not_f", lam=lam[0],
                                                          wd=wd)
    return replace(d, explanation=explanation, advice=rename(d.advice))


def _of_F(words: str) -> str:  # noqa: N802 - F is the function's name
    """A diagnosis's words about the function a weight-decayed run descends, with its name:
    ``f`` (as in "f = 3.6", "‖∇f‖", "f는") becomes ``F`` — beside a table of f's own values a
    lesson that said "f = 3.6" for F where f = 0.72 taught two values for one point. (Not
    where a variable is named f: its name is in the words too.)"""
    return re.sub(r"(?<![A-Za-z0-9_])f(?![A-Za-z0-9_])", "F", words)


#: how near, relatively, an end point of AdamW lies to its decay's balance (±1/wd along the
#: coordinates f's slope drives) to be held there, not on its way
BALANCE_RTOL = 0.1
#: points on the way from a run's end to that balance where f must slope as at the end
BALANCE_SAMPLES = 16
#: labels a run held by decoupled weight decay can have had (not "unbounded": f's having no
#: minimum that way is the lesson there, whatever holds the run)
_HELD_LABELS = ("slow", "oscillating", "plateau")


def _decoupled_balance(obj, x: np.ndarray, wd: float, floor: float):
    """Where AdamW (decay ``wd``) takes the end points ``x: (n, D)``: along a coordinate whose
    slope exceeds ``floor``, Adam's step (m̂/√v̂ → ±1) pushes against the slope and the decay
    pulls toward 0, so the coordinate settles at −sign(∂f/∂x_j)/wd — if f slopes the same way
    all the way there and at that point. Returns ``(xb, held, near, along, gb)``: the balance
    (the other coordinates kept), whether the run heads there (those coordinates carry most
    of ‖∇f‖²), whether it is within :data:`BALANCE_RTOL` of it, the coordinates held, and ∇f
    at the balance."""
    def grad(points):
        return np.asarray(obj.gradient(points), dtype=np.float64).reshape(points.shape)

    with np.errstate(all="ignore"):
        g = grad(x)
        along = np.abs(g) > floor
        xb = np.where(along, -np.sign(g) / wd, x)
        for share in np.linspace(0.0, 1.0, BALANCE_SAMPLES + 1)[1:]:
            gs = grad(x + share * (xb - x))
            along &= (np.sign(gs) == np.sign(g)) & (np.abs(gs) > floor)
        xb = np.where(along, -np.sign(g) / wd, x)
        gb = grad(xb)
        along &= (np.sign(gb) == np.sign(g)) & (np.abs(gb) > floor)
        held = along.any(axis=1) & (np.sum(np.where(along, g * g, 0.0), axis=1)
                                    >= 0.5 * np.sum(g * g, axis=1))
        near = np.all(~along | (np.abs(x - xb) <= BALANCE_RTOL / wd), axis=1)
    return xb, held, near, along, gb


def _decoupled_held(result, said, thresholds: dict, options: frozenset) -> None:
    """Runs of an optimizer that takes weight decay out of the gradient
    (:data:`~gdlab.optim.aliases.DECOUPLED`: AdamW, ``x ← x − lr·wd·x`` beside Adam's step)
    that stopped at the step limit where f still slopes, held at or on their way to where
    the two balance (:func:`_decoupled_balance`) — e.g. (2, 2) for (x − 3)² + (y − 3)² at
    wd 0.5 — no minimum of f, nor of f + (wd/2)‖x‖². "Allow more steps" only brings such a
    run nearer that point; the lesson says so, quotes the same run without weight decay (as
    far as :data:`TRY_WORK` allows), and suggests a tenth of the decay (``said`` changed in
    place). Not for a run with gradient noise, whose steps m̂/√v̂ stay below 1, nor for one
    labelled other than :data:`_HELD_LABELS`."""
    from .advice import bowl_text, point_text, typed
    from .errors import GdlabError
    from .i18n import text
    from .optim.aliases import DECOUPLED

    obj, budget = result.objective, _TryBudget()
    for k, opt in enumerate(result.optimizers):
        wd, eps = _scalar(opt.hyper.get("weight_decay")), _scalar(opt.hyper.get("eps"))
        if opt.name not in DECOUPLED or not wd or eps is None or opt.noise:
            continue
        bs = np.flatnonzero((result.status[k] == "max_steps")
                            & (result.gradient_norm[k] > thresholds["grad_zero"])
                            & np.isin([row[0] for row in said[k]], _HELD_LABELS))
        if not bs.size:
            continue
        floor = max(thresholds["grad_zero"], 100 * eps)  # m̂/√v̂ ≈ ±1 above it
        xb, held, near, along, g = _decoupled_balance(obj, result.final[k, bs], wd, floor)
        xb, near, along, g, bs = xb[held], near[held], along[held], g[held], bs[held]
        if not bs.size:
            continue
        plain = None
        if budget.take(len(bs), result.max_steps):
            with contextlib.suppress(GdlabError):
                plain = _run_try(result, bs, replace(opt, hyper={**opt.hyper,
                                                                 "weight_decay": 0.0}),
                                 result.max_steps)
        with np.errstate(all="ignore"):
            push = np.where(along, np.sign(xb), 0.0)  # Adam's push: xb_j = ±1/wd that way
            push /= np.linalg.norm(push, axis=1, keepdims=True)
            far = _falls_without_bound(obj, xb, push, np.asarray(obj.value(xb), dtype=float))
        for i, b in enumerate(bs):
            words = text("advice.decoupled.why", wd=wd, balance=1 / wd) + text(
                "advice.decoupled.held" if near[i] else "advice.decoupled.heading",
                point=point_text(result.final[k, b] if near[i] else xb[i]),
                names=", ".join(v for v, a in zip(obj.variables, along[i]) if a),
                norm=float(result.gradient_norm[k, b] if near[i] else np.linalg.norm(g[i])))
            if np.isfinite(far[i]):  # and past it f falls without bound: no minimum that way
                way = point_text(push[i])
                words += text("advice.decoupled.no_minimum", direction=way, to=float(far[i]),
                              distance=probe_reach(xb[i]))
                said[k][b][2] = text("advice.unbounded.advice",
                                     bowl=bowl_text(obj.variables, polynomial_degree(obj)),
                                     direction=text("advice.unbounded.direction", point=way))
                said[k][b][3] = None
            else:
                said[k][b][2] = text("advice.decoupled.lower", wd=wd, lower=typed(wd / 10))
                said[k][b][3] = {"weight_decay": typed(wd / 10)} \
                    if "weight_decay" in options else None
            if plain is not None:
                words += text("advice.decoupled.plain", value=float(plain.value[0, i]),
                              at=point_text(plain.final[0, i]))
            said[k][b][1] = said[k][b][1].rstrip() + words


#: The most point-steps the diagnosis spends trying what it would advise (each of
#: :func:`_tried_momentum` and :func:`_try_suggestions`), a call counted as at least
#: ``TRY_ROWS`` rows (a step of one row costs about as much as of a few hundred).
TRY_WORK = 2_000_000
TRY_ROWS = 256


def _try_suggestions(result, facts_rows, said) -> None:
    """Run each suggestion that sets only the optimizer, its numbers, the step limit or the
    schedule (and the rate, where it names another optimizer) from the run's start with the
    run's schedule (or the one suggested)
    — not for a run with gradient noise, whose draws are shared by the rows of its call —
    as many runs of each kind of suggestion as fit in :data:`TRY_WORK` (a call costs at
    least :data:`TRY_ROWS` rows' worth a step); where it diverges, or ends higher than the run
    did, the advice says so and the suggestion is withdrawn (``said``: ``[label,
    explanation, advice, suggestion]`` per run, changed in place). A tenfold rate worked out
    where the run ended can blow up where the curvature is larger (Beale from (1.13, 3.57) at
    lr 1e-3: lr = 0.01 blows up in two steps); a suggestion is a claim to test."""
    from .errors import GdlabError
    from .i18n import text
    from .optim import OPTIMIZERS
    from .optim.schedules import parse_schedule

    groups: dict[tuple, list[tuple[int, int, dict]]] = {}
    for k, row in enumerate(said):
        for b, (_, _, _, sug) in enumerate(row):
            f, name = facts_rows[k][b], (sug or {}).get("optimizer", facts_rows[k][b].optimizer)
            # another optimizer without a rate: the command's own --lr or the new default?
            numbers = {**({**f.hyper, **_flags(result.optimizers[k])}
                          if name == f.optimizer else {}),
                       **{key: v for key, v in (sug or {}).items()
                          if key not in ("optimizer", "max_steps", "schedule")}}
            if not sug or result.optimizers[k].noise or name not in OPTIMIZERS or \
                    "lr" not in numbers or not set(numbers) <= \
                    set(OPTIMIZERS[name].defaults) or not all(
                        isinstance(v, (int, float)) for v in numbers.values()):
                continue
            key = (k, name, tuple(sorted(numbers)), sug.get("max_steps", result.max_steps),
                   sug.get("schedule"))
            groups.setdefault(key, []).append((k, b, numbers))
    budget, withdrawn = _TryBudget(), []
    # the kinds of suggestion from the same starts with the same steps run in one call, one
    # optimizer each (compare's optimizers share their starts: all tried, not the first few)
    batches: dict[tuple, list[tuple[Any, list]]] = {}
    for (k, name, _, steps, schedule), runs in groups.items():
        try:
            like = result.optimizers[k]
            if schedule is not None:
                like = replace(like, schedule=parse_schedule(schedule))
            opt = _one_per_row(like, name, [n for _, _, n in runs])
        except GdlabError:  # a suggestion the engine refuses is left as it was
            continue
        batches.setdefault((steps, tuple(b for _, b, _ in runs)), []).append((opt, runs))
    for (steps, bs), everything in batches.items():
        items = everything[: budget.rows_left(steps) // max(1, len(bs))]
        if not items or not budget.take(len(bs) * len(items), steps):
            items = []
        for _, runs in everything[len(items):]:  # offered untried: the advice says so
            for k, b, _ in runs:
                said[k][b][2] += text("advice.tried.untried")
        if not items:
            continue
        try:
            tried = _run_try(result, list(bs), [opt for opt, _ in items], steps)
        except GdlabError:
            continue
        for j, (_, runs) in enumerate(items):
            _judge_tries(result, facts_rows, said, runs, tried, j, withdrawn)
    _smaller_changes(result, withdrawn, budget, said)
    _settled_rate(result, facts_rows, budget, said)
    _reachable_minimum(result, facts_rows, budget, said)
    _pushed_to_minimum(result, facts_rows, budget, said)
    _tried_many_starts(result, facts_rows, budget, said)


def _judge_tries(result, facts_rows, said, runs, tried, j: int, withdrawn: list) -> None:
    """Each suggestion of ``runs`` (``(k, b, numbers)``), tried as configuration ``j`` of
    ``tried`` (row ``i`` for run ``i``): where it diverged, ended higher, or — more steps —
    gained nothing, the advice says so and it is withdrawn (a rate change kept in
    ``withdrawn`` for a smaller one)."""
    from .i18n import text

    for i, (k, b, _) in enumerate(runs):
        name = said[k][b][3].get("optimizer", facts_rows[k][b].optimizer)
        tried_status, tried_value = tried.status[j, i], tried.value[j, i]
        was, now = result.status[k, b] == "diverged", tried_status == "diverged"
        if now:
            note = text("advice.tried.diverged" if not was else "advice.tried.again",
                        steps=text("unit.steps", n=int(tried.steps[j, i])))
        elif not was and tried_value > result.value[k, b] + 1e-12 * max(
                1.0, abs(result.value[k, b])):
            note = text("advice.tried.higher", value=float(tried_value),
                        before=float(result.value[k, b]))
        elif not was and set(said[k][b][3]) == {"max_steps"} and tried_value >= \
                result.value[k, b] - 1e-6 * min(abs(result.value[k, b]), max(0.0, float(
                    result.start_value[k, b] - result.value[k, b]))):
            # no gain: not by a millionth of f, nor of what the run itself gained (f's
            # offset, f + 1e6, would hide a real gain; a drop from 63 one near 0)
            note = text("advice.tried.same", value=float(tried_value))
        else:
            continue
        said[k][b][2] += note
        if not was and "lr" in said[k][b][3] and set(said[k][b][3]) <= set(PARTWAY) \
                and name == facts_rows[k][b].optimizer:
            withdrawn.append((k, b, said[k][b][3]))
        said[k][b][3] = None


#: where a suggested change was withdrawn, the shares of it tried instead, the largest first
SMALLER_CHANGES = (0.75, 0.5, 0.25)
#: the numbers a smaller change moves part of the way, each on its natural scale: the rate on
#: a log scale, momentum on a log scale of 1 − μ (the memory 1/(1 − μ) it keeps)
PARTWAY = {"lr": lambda own, to, share: own * (to / own) ** share,
           "momentum": lambda own, to, share: 1 - (1 - own) * ((1 - to) / (1 - own)) ** share}


def _smaller_changes(result, withdrawn, budget: "_TryBudget", said) -> None:
    """For each run whose suggested rate, or rate and momentum, was withdrawn (``(k, b,
    suggestion)``), try the changes :data:`SMALLER_CHANGES` of the way from its own numbers
    toward it (:data:`PARTWAY`), from its start, and offer the largest that ends visibly lower
    (by a millionth) after the run's steps and does not diverge in twice as many (``said``
    changed in place): "change less at a time", done — Adam on Rosenbrock at lr 0.01, whose
    lr = 0.1 ends higher, is offered 0.0562. The second half of the steps keeps a rate that
    only got sooner to an edge of f's domain, or past a minimum on one (x^1.5), from being
    offered."""
    from .advice import typed
    from .errors import GdlabError
    from .i18n import text

    by_config: dict[int, list] = {}
    for k, b, suggested in withdrawn:
        by_config.setdefault(k, []).append((b, suggested))
    for k, runs in by_config.items():
        like, steps = result.optimizers[k], result.max_steps
        own = _numbers(like)
        runs = runs[: budget.rows_left(2 * steps) // len(SMALLER_CHANGES)]
        changes = [{key: typed(PARTWAY[key](own.get(key, 0.0), to, share))
                    for key, to in sug.items()} for _, sug in runs for share in SMALLER_CHANGES]
        if not runs or not budget.take(len(changes), 2 * steps):
            continue
        try:
            opt = _one_per_row(like, like.name, [{**own, **c} for c in changes])
            tried = _run_try(result, [b for b, _ in runs for _ in SMALLER_CHANGES], opt,
                             2 * steps, record=steps)
        except GdlabError:
            continue
        before = result.value[k]
        for i, (b, _) in enumerate(runs):
            for j in range(i * len(SMALLER_CHANGES), (i + 1) * len(SMALLER_CHANGES)):
                value = float(tried.values[min(1, len(tried.recorded_steps) - 1), 0, j])
                if tried.status[0, j] != "diverged" and value < before[b] - 1e-6 * abs(
                        before[b]):
                    said[k][b][2] += text(
                        "advice.tried.smaller", value=value, before=float(before[b]),
                        change=", ".join(f"{key}={v:g}" for key, v in changes[j].items()))
                    said[k][b][3] = changes[j]
                    break


#: the fractions of an unbounded run's rate tried for one that stays by a minimum, largest first
REACHING_SHARES = (0.25, 1 / 16, 1 / 64)


def _reachable_minimum(result, facts_rows, budget: "_TryBudget", said) -> None:
    """A run that fell without bound may have been carried there by its own steps: x³ − 3x
    from 2 at lr 0.7 jumps past the maximum at −1 in its first step, while smaller steps
    settle in the minimum at 1. Try the run's optimizer at :data:`REACHING_SHARES` of its
    rate from its start, and where one converges to a minimum (curvature ≥ 0 there) offer
    the largest, instead of "no learning rate or optimizer fixes this" (``said`` changed in
    place)."""
    from .advice import point_text, typed
    from .errors import GdlabError
    from .i18n import text

    obj, steps = result.objective, result.max_steps
    for k, row in enumerate(said):
        like = result.optimizers[k]
        lr = _scalar(like.hyper.get("lr"))
        if like.noise or not lr or not steps:
            continue
        runs = [b for b, entry in enumerate(row) if entry[0] == "unbounded"]
        runs = runs[: budget.rows_left(steps) // len(REACHING_SHARES)]
        if not runs or not budget.take(len(runs) * len(REACHING_SHARES), steps):
            continue
        rates = [typed(lr * share) for share in REACHING_SHARES]
        own = _numbers(like)
        try:
            tried = _run_try(result, [b for b in runs for _ in rates], _one_per_row(
                like, like.name, [{**own, "lr": r} for _ in runs for r in rates]), steps)
        except GdlabError:
            continue
        ends, reached = tried.final[0], _converged_to_minimum(obj, tried)
        for i, b in enumerate(runs):
            for j in range(i * len(rates), (i + 1) * len(rates)):
                if not reached[j]:
                    continue
                said[k][b][2] = text(
                    "advice.unbounded.reachable", lr=rates[j - i * len(rates)],
                    value=float(tried.value[0, j]), point=point_text(ends[j]),
                    steps=text("unit.steps", n=int(tried.steps[0, j])),
                    direction=text("advice.unbounded.direction",
                                   point=point_text(facts_rows[k][b].descent))
                    if facts_rows[k][b].descent is not None else "")
                said[k][b][3] = {"lr": rates[j - i * len(rates)]}
                break


def _pushed_to_minimum(result, facts_rows, budget: "_TryBudget", said) -> None:
    """A run stopped at a saddle or maximum beside which f falls without bound may still have
    a minimum the other way: x³ − 3x's maximum −1 falls away to the left, and from −0.99 gd
    reaches the minimum at 1. Try the run's optimizer from its start pushed a little (1% of
    its size) each way along the direction of lowest curvature — Newton, which heads for any
    critical point, as gd at half gd's bound there and :data:`SETTLING_SHARES` of it, from its
    own start — with up to ten times the steps (leaving a maximum takes long at a small
    rate), and offer the first that converges to a minimum, with the steps it took, instead
    of "no option gives this run a minimum" (``said`` changed in place)."""
    from .advice import _start_text, point_text, typed
    from .errors import GdlabError
    from .i18n import text

    obj, steps = result.objective, result.max_steps
    for k, row in enumerate(said):
        like = result.optimizers[k]
        for b, entry in enumerate(row):
            f = facts_rows[k][b]
            if entry[0] not in ("saddle", "maximum") or not f.escape_unbounded or \
                    f.escape is None or like.noise or not steps:
                continue
            if like.name == "newton":  # half gd's bound there, or at a maximum (none) a
                # step of 1/max|λ| — the scale of f's curvature there — and its shares
                scale = f.bound / 2 if f.bound is not None and np.isfinite(f.bound) and \
                    f.bound > 0 else 1 / max(np.max(np.abs(f.lam_end)), 1e-300)
                if not np.isfinite(scale):
                    continue
                tries = [(None, typed(scale * share)) for share in SETTLING_SHARES]
                opt = _one_per_row(like, "gd", [{"lr": lr} for _, lr in tries])
            else:
                delta = 0.01 * max(1.0, float(np.linalg.norm(f.start)))
                tries = [(_start_text(np.asarray(f.start) + sign * delta * np.asarray(
                    f.escape)), None) for sign in (1, -1)]
                opt = like
            longest = min(10 * steps, (TRY_WORK - budget.work) // max(len(tries), TRY_ROWS))
            if longest < steps or not budget.take(len(tries), longest):
                return
            points = [f.start if start is None else [float(v) for v in start.split(",")]
                      for start, _ in tries]
            try:
                tried = _run_try(result, None, opt, longest, starts=points)
            except GdlabError:
                continue
            reached = _converged_to_minimum(obj, tried)
            for j, (start, lr) in enumerate(tries):
                if not reached[j]:
                    continue
                taken = int(tried.steps[0, j])
                more = {} if taken <= steps else {"max_steps": _round_up(taken)}
                entry[2] = text(
                    "advice.stationary.falls_push" if start is not None else
                    "advice.stationary.falls_gd", start=start, lr=lr,
                    value=float(tried.value[0, j]), point=point_text(tried.final[0, j]),
                    steps=text("unit.steps", n=taken),
                    more=text("advice.stationary.more", steps=more["max_steps"]) if more
                    else "")
                entry[3] = {**({"optimizer": "gd", "lr": lr} if start is None else
                               {"start": start}), **more}
                break


def _tried_many_starts(result, facts_rows, budget: "_TryBudget", said) -> None:
    """A local minimum told to try many random starts: run them (the draw ``--random-starts``
    makes with seed 0, :func:`gdlab.domain.random_starts`) with the run's optimizer and say
    how many reached lower — or, none reaching lower, withdraw the suggestion: in D
    dimensions a basin's share of the box shrinks like its width to the power D (Rastrigin's
    global basin, about a tenth of each side: 1e-6 of 6-D space), and 100 starts find it by
    luck or not at all (``said`` changed in place)."""
    from .domain import random_starts
    from .errors import GdlabError
    from .i18n import text

    obj, steps = result.objective, result.max_steps
    for k, row in enumerate(said):
        runs = [b for b, entry in enumerate(row) if entry[3] and set(entry[3]) == {
            "random_starts"}]
        like = result.optimizers[k]
        if not runs or like.noise or not steps:
            continue
        n = int(said[k][runs[0]][3]["random_starts"])
        if not budget.take(n, steps):
            return
        try:
            tried = _run_try(result, None, like, steps, starts=random_starts(obj, n, 0))
        except GdlabError:
            continue
        ends = np.where(tried.status[0] == "diverged", np.inf, tried.value[0])
        for b in runs:
            before = float(result.value[k, b])
            margin = VALUE_TOL * max(1.0, abs(before))
            lower = int(np.count_nonzero(ends < before - margin))
            if lower:
                said[k][b][2] += text("advice.local.many_tried", lower=lower, runs=n)
                continue
            # none lower: most at this same value is evidence for it (x² + 3y²); most
            # higher, of a landscape whose lower basins (if any) are small (Rastrigin)
            same = int(np.count_nonzero(np.abs(ends - before) <= margin))
            kind = "many_same" if 2 * same >= n else "many_none" \
                if said[k][b][0] == "local_minimum" else "many_none_unknown"  # lower known?
            said[k][b][2] = text(f"advice.local.{kind}", runs=n, dim=obj.dim, same=same)
            said[k][b][3] = None


#: distances (× max(1, ‖x‖)) at which f is looked at ahead along −∇f from flat ground
AHEAD = 10.0 ** np.arange(-3, 4, 0.5)


def _lower_ahead(obj, result, todo: np.ndarray, value_tol: float) -> np.ndarray:
    """``(K, B)``: for the runs ``todo`` (stopped on flat ground), whether f, falling all the
    way ahead along −∇f (:data:`AHEAD`), gets lower by more than ``value_tol``: −e^−(x² + y²)
    from (4, 4) stops at once (‖∇f‖ = 1.4e-13 < tol) and curves by 1e-13, yet falls steadily
    to −1 5.7 ahead — flat ground, no minimum. At a minimum f rises first (a flat quartic
    minimum beside a deeper basin 10 away is no plateau: f climbs a barrier on the way)."""
    out = np.zeros(todo.shape, dtype=bool)
    ks, bs = np.nonzero(todo & (result.gradient_norm > 0))
    if not len(ks):
        return out
    x, f0 = result.final[ks, bs], result.value[ks, bs]
    with np.errstate(all="ignore"):
        g = np.asarray(obj.gradient(x), dtype=np.float64).reshape(x.shape)
        d = -g / np.linalg.norm(g, axis=-1, keepdims=True)
        scale = np.maximum(1.0, np.linalg.norm(x, axis=-1))[:, None, None]
        ahead = np.asarray(obj.value(x[:, None, :] + AHEAD[None, :, None] * scale * d[:, None]),
                           dtype=np.float64)
        path = np.concatenate([f0[:, None], ahead], axis=1)
        # f falling (to rounding) at every probe up to this one
        falling = np.cumprod(np.diff(path, axis=1) <= 1e-15 * np.maximum(1.0, np.abs(
            path[:, :-1])), axis=1).astype(bool) & np.isfinite(ahead)
        lower = ahead < (f0 - value_tol * np.maximum(1.0, np.abs(f0)))[:, None]
    out[ks, bs] = np.any(falling & lower, axis=1)
    return out


def _converged_to_minimum(obj, tried) -> np.ndarray:
    """For each run of a one-configuration try: it converged where f curves up, or not
    down (a degenerate minimum, x⁴'s) — a minimum to offer."""
    with np.errstate(all="ignore"):
        eig = np.linalg.eigvalsh(np.nan_to_num(np.asarray(obj.hessian(tried.final[0]),
                                                          dtype=float)))
    return (tried.status[0] == "converged") & np.array(
        [critical.kind_of(e) in ("minimum", "degenerate") for e in eig])


def _round_up(n: int) -> int:
    """``n`` rounded up to two significant digits (4130 → 4200): a step limit to offer."""
    unit = 10 ** max(0, len(str(n)) - 2)
    return -(-n // unit) * unit


#: the fractions of a suggested switch to gd's rate tried, the largest first
SETTLING_SHARES = (1.0, 0.5, 0.25, 0.125)


def _settled_rate(result, facts_rows, budget: "_TryBudget", said) -> None:
    """A Newton run told to switch to gd at half gd's bound where it stopped (a saddle): that
    bound may be twice the one at the minimum gd then reaches (x⁴ − 2x² + y²: 0.5 against
    0.25), where gd at it only swings. Try the rate and :data:`SETTLING_SHARES` of it from
    the start and offer the largest that converges within the run's steps (``said`` changed
    in place); none converging, the suggestion stands as tried."""
    from .advice import typed
    from .errors import GdlabError
    from .i18n import text

    for k, row in enumerate(said):
        steps = result.max_steps
        for b, entry in enumerate(row):
            sug = entry[3]
            if facts_rows[k][b].optimizer != "newton" or not sug or set(sug) != {
                    "optimizer", "lr"} or result.optimizers[k].noise or \
                    not budget.take(len(SETTLING_SHARES), steps):
                continue
            rates = [typed(sug["lr"] * share) for share in SETTLING_SHARES]
            try:  # with the run's schedule, as :func:`_try_suggestions` tried the rate
                tried = _run_try(result, [b] * len(rates), _one_per_row(
                    result.optimizers[k], "gd", [{"lr": r} for r in rates]), steps)
            except GdlabError:
                continue
            settles = np.flatnonzero(tried.status[0] == "converged")
            if settles.size and settles[0] > 0:
                j = int(settles[0])
                entry[2] += text("advice.tried.settles", lr=rates[j], before=sug["lr"],
                                 steps=text("unit.steps", n=int(tried.steps[0, j])))
                entry[3] = {"optimizer": "gd", "lr": rates[j]}


def _flags(opt) -> dict:
    """An optimizer's switches (rmsprop's ``centered``: what the diagnosis's numbers leave
    out), so that a try runs the same variant as the run."""
    return {key: bool(v) for key, v in opt.hyper.items() if isinstance(v, (bool, np.bool_))}


def _numbers(opt) -> dict:
    """An optimizer's numeric hyper-parameters (its first row's, for a stacked one)."""
    return {key: v for key, v in ((key, _scalar(np.asarray(v).reshape(-1)[0]))
                                  for key, v in opt.hyper.items()) if v is not None}


class _TryBudget:
    """The work left for tries in one diagnosis: :data:`TRY_WORK` point-steps, a call counted
    as at least :data:`TRY_ROWS` rows."""

    def __init__(self):
        self.work = 0

    def rows_left(self, steps: int) -> int:
        return max(0, (TRY_WORK - self.work) // steps)

    def take(self, rows: int, steps: int) -> bool:
        """Spend the work of ``rows`` runs of ``steps`` if it fits."""
        cost = max(rows, TRY_ROWS) * steps
        if self.work + cost > TRY_WORK:
            return False
        self.work += cost
        return True


def _run_try(result, bs, opt, steps: int, record="last", starts=None):
    """``opt`` from the starts ``bs`` of ``result`` (or the points ``starts``) under its stop
    rules, ends only unless ``record`` says otherwise (:func:`_try_backend`)."""
    from .engine import run

    points = result.starts[bs] if starts is None else np.asarray(starts, dtype=float)
    return run(result.objective, points, opt, max_steps=steps, tol=result.tol,
               divergence=result.divergence, record=record,
               backend=_try_backend(result.objective, opt))


def _try_backend(obj, opt) -> str:
    """The engine for a try: the engine's own choice where the compiled kernel is loaded in
    this process, else NumPy (writing a kernel's source costs up to seconds of SymPy, and
    compiling it more)."""
    from .compiled import loaded

    opts = opt if isinstance(opt, (list, tuple)) else [opt]
    return "auto" if all(loaded(obj, o) for o in opts) else "numpy"


def _one_per_row(like, name: str, numbers: list[dict]):
    """The optimizer ``name`` with ``like``'s schedule and noise and, row by row, the
    hyper-parameters ``numbers`` (each set checked by :func:`gdlab.optim.make`; the engine
    runs ``(N, 1)`` hyper-parameter arrays row by row, as it stacks configurations)."""
    from .optim import make

    opts = [make(name, schedule=like.schedule, noise=like.noise, seed=like.seed, **n)
            for n in numbers]
    hyper = {key: np.array([o.hyper[key] for o in opts], dtype=np.float64)[:, None]
             if any(o.hyper[key] != v for o in opts) else v
             for key, v in opts[0].hyper.items()}
    return replace(opts[0], hyper=hyper)


def _tried_momentum(result, facts_rows, names):
    """``facts_rows`` with ``narrow_momentum`` set on the slow runs where the momentum
    :func:`gdlab.advice.narrow_momentum` tunes, run from the same start with the same budget,
    ends lower than the run did and does not diverge (on Rosenbrock the curvature changes
    along the path, and a momentum tuned to the minimum's can carry a run up a steep wall);
    tried while the work stays within :data:`TRY_WORK`."""
    from .advice import narrow_momentum
    from .optim import make

    todo: dict[tuple[float, float, float], list[tuple[int, int]]] = {}
    for k, row in enumerate(facts_rows):
        for b, f in enumerate(row):
            tuned = narrow_momentum(f) if names[k][b] == "slow" else None
            if tuned is not None:
                wd = float(f.hyper.get("weight_decay") or 0.0)
                todo.setdefault((tuned[0], tuned[1], wd), []).append((k, b))
    budget = _TryBudget()
    for (lr, mu, wd), runs in todo.items():
        if not budget.take(len(runs), result.max_steps):
            continue  # too long to try: not advised
        tried = _run_try(result, [b for _, b in runs],
                         make("momentum", lr=lr, momentum=mu, weight_decay=wd),
                         result.max_steps)
        for i, (k, b) in enumerate(runs):
            if tried.status[0, i] != "diverged" and tried.value[0, i] < result.value[k, b]:
                f = facts_rows[k][b]
                facts_rows[k][b] = replace(f, narrow_momentum=narrow_momentum(f))
    return facts_rows


def summary(diagnoses) -> dict[str, dict[str, Any]]:
    """``{label: {count, explanation, advice, suggestion, example}}`` over runs: one entry per
    label present, in :data:`LABELS` order, with the first run's words and its index as the
    example (``diagnoses``: a flat list of :class:`Diagnosis`)."""
    found: dict[str, dict[str, Any]] = {}
    for i, d in enumerate(diagnoses):
        entry = found.get(d.label)
        if entry is None:
            found[d.label] = {"count": 1, "explanation": d.explanation, "advice": d.advice,
                              "suggestion": d.suggestion, "example": i}
        else:
            entry["count"] += 1
    return {label: found[label] for label in LABELS if label in found}

def facts(result, **thresholds) -> list[list[RunFacts]]:
    """``(K, B)`` :class:`RunFacts` of a run; ``thresholds`` as :func:`diagnose` takes them."""
    thresholds = _thresholds(thresholds)
    return _facts_of(result, _evidence(result, thresholds), thresholds)


def _facts_of(result, ev, thresholds) -> list[list[RunFacts]]:
    """:func:`facts` from the evidence :func:`_evidence` gathered."""
    from .events import events_of

    (K, B), near, neg, pos = result.shape, ev.near, ev.neg, ev.pos
    escape, escapes = ev.escape, ev.escapes
    better = _better_starts(result, ev.minimiser)
    kinks = _at_kink(result, near, ev.kink_values)
    settings = [_settings(opt) for opt in result.optimizers]
    listed, close, close_distance = ev.shared["listed"], ev.close, ev.close_distance
    lam, at, lam_max = _bound_curvatures(result, ev, ev.falls, thresholds["oscillation"])
    return [[_facts(result, k, b, ev.lam_end[k, b], (lam[k, b], at[k, b], lam_max[k, b]),
                    bool(near[k, b]), bool(pos[k, b].any()), bool(neg[k, b].any()),
                    ev.shared, thresholds,
                    extra={**ev.probes[k][b], **settings[k],
                           "nearest": (ev.nearest[k, b], ev.nearest_distance[k, b]),
                           "listed_kind": listed[close[k, b]].kind
                           if close_distance[k, b] <= thresholds["near_point"] else None,
                           "escape": escape[k, b] if np.all(np.isfinite(escape[k, b]))
                           else None, "escape_unbounded": bool(escapes[k, b]),
                           "better_start": better[k][b], "at_kink": bool(kinks[k, b]),
                           "noise_floor": bool(ev.noise_floor[k, b]),
                           "numerically_flat": bool(ev.flat_tail[k, b]),
                           "flat_sloping": bool(ev.sloping[k, b]),
                           "near_kink": bool(ev.near_kink[k, b]),
                           **dict(zip(("edge_to", "edge_at", "edge_floor"), ev.edges[k][b])),
                           "falls_nearby": bool(ev.falls_nearby[k, b]),
                           "model_holds": bool(ev.model_holds[k, b]),
                           "events": events_of(result, k, b, thresholds)})
             for b in range(B)] for k in range(K)]


def _evidence(result, thresholds, levels: bool = True) -> SimpleNamespace:
    """What the labels of all runs rest on, computed for all of them at once: the Hessian's
    eigenvalues at the ends and the starts, which runs stopped at a critical point, the
    probes for f unbounded below, f around each end, the library's points nearest the ends."""
    obj = result.objective
    K, B = result.shape
    D = result.starts.shape[1]
    finals = result.final.reshape(-1, D)
    lam_end, vec_end = _eigensystem(obj, finals, vectors=True)
    lam_end, vec_end = lam_end.reshape(K, B, D), vec_end.reshape(K, B, D, D)
    lam_start = _eigenvalues(obj, result.starts)  # (B, D)
    library = obj.library
    listed = library.critical_points(obj.dim) if library is not None else []
    known_best = library.minimum_value(obj.dim) if library is not None else None
    status = result.status
    pos, neg = critical.signs(lam_end, thresholds["eig_tol"], thresholds["flat"])
    # a small gradient, at the step limit or under tol (tanh x + y² converged at (12, 0):
    # ‖∇f‖ = 1e-8 along x, where f is flat and falls on toward −1 — no minimum)
    small = ((status == "max_steps") | (status == "converged")) & \
        (result.gradient_norm <= thresholds["grad_zero"])
    near = ((status == "converged") & ~_short_by_tol(result, lam_end, vec_end, pos, neg,
                                                       thresholds)) | small
    near &= ~_short_of_minimum(result, lam_end, vec_end,
                               small & pos.any(axis=-1) & ~neg.any(axis=-1),
                               thresholds["near_point"])
    minimiser = near & ~neg.any(axis=-1) & np.all(np.isfinite(lam_end), axis=-1)
    may_be_unbounded = library is None or known_best is None
    escape = vec_end[..., :, 0]  # the eigenvector of the lowest curvature, (K, B, D)
    probes = _unbounded_probe(result, near, may_be_unbounded,
                              np.where(neg.any(axis=-1)[..., None], escape, np.nan),
                              np.where(pos[..., None, :], 0.0, vec_end),
                              escape if levels else None)
    falls = np.array([[p["falls_to"] is not None for p in row] for row in probes],
                     dtype=bool).reshape(K, B)
    # f falls without bound from a saddle or maximum a run stopped at: then no minimum of the
    # call is global either (x³ − 3x: the maximum at −1 shows it, the minimum at 1 is local)
    escapes = _escape_probe(obj, result, near & (neg.any(axis=-1) | ~pos.any(axis=-1)),
                            escape) if may_be_unbounded else np.zeros((K, B), bool)
    best, unbounded, found = lowest_known(obj, result.value, minimiser, falls | escapes,
                                          result.final)
    shared = {"best": best, "best_is_found": found, "unbounded": unbounded,
              "unbounded_beside": bool(unbounded and not falls.any() and escapes.any()),
              "library": None if library is None else library.name, "function": obj.name,
              "listed": listed, "runs": B,
              "variables": obj.variables, "finite_everywhere": finite_everywhere(obj),
              "degree": polynomial_degree(obj)}
    flat_tail, falls_nearby = _around(obj, result, near)
    kink_values = obj.kink_values(result.final.reshape(K * B, D))
    near_kink = np.zeros((K, B), dtype=bool) if kink_values is None else np.any(
        np.abs(kink_values.reshape(K, B, -1)) <= 1e-3 * np.maximum(
            1.0, np.linalg.norm(result.final, axis=-1))[..., None], axis=-1)
    # flat ground f slopes down from, where no critical point lies near by the quadratic model
    # (cos(0.003x) + cos(0.003y) 0.0014 from its flat maximum: that is a maximum)
    on_flat = near & _plateau_flat(lam_end, np.all(np.isfinite(lam_end), axis=-1), thresholds)
    curving_down = near & neg.any(axis=-1)
    holds = _model_holds(obj, result, lam_end, vec_end, on_flat | curving_down, thresholds)
    sloping = _lower_ahead(obj, result, on_flat, thresholds["value_tol"]) & ~holds
    model_holds = holds | ~curving_down  # as the rules read it: True where not asked
    noise_floor = _at_noise_floor(result, lam_end, vec_end, thresholds)
    edges = _edge_probe(result, near, np.where(neg.any(axis=-1)[..., None], escape, np.nan)) \
        if levels else [[(None, None, False)] * B for _ in range(K)]
    minima = [p for p in listed if p.kind.endswith("minimum")]
    lam_minima = _eigenvalues(obj, np.array([p.location for p in minima], dtype=float)
                              .reshape(-1, D))
    shared["minima"] = list(zip(minima, lam_minima))
    nearest, nearest_distance = _closest(result.final, minima)
    close, close_distance = _closest(result.final, listed)
    return SimpleNamespace(
        lam_end=lam_end, lam_start=lam_start, lam_minima=lam_minima, near=near, pos=pos,
        neg=neg, minimiser=minimiser, may_be_unbounded=may_be_unbounded, shared=shared,
        escape=escape, escapes=escapes, probes=probes, falls=falls, flat_tail=flat_tail,
        sloping=sloping, near_kink=near_kink, kink_values=kink_values,
        edges=edges,
        falls_nearby=falls_nearby, model_holds=model_holds, noise_floor=noise_floor,
        nearest=nearest, nearest_distance=nearest_distance, close=close,
        close_distance=close_distance)


#: functions finite wherever their argument is (no pole, no edge of a domain)
_ENTIRE = ("exp", "sin", "cos", "sinh", "cosh", "tanh", "atan", "Abs", "erf", "sign",
           "Heaviside", "Max", "Min", "sigmoid")


def polynomial_degree(obj) -> int | None:
    """f's total degree where f (a formula) is a polynomial in its variables, else None."""
    import sympy as sp

    if obj.formula is None:
        return None
    try:
        poly = sp.Poly(obj.formula.expr, *obj.formula.symbols)
    except sp.PolynomialError:
        return None
    if not all(c.is_number for c in poly.coeffs()):
        return None
    return int(poly.total_degree())


def finite_everywhere(obj) -> bool:
    """Whether f (a formula) is finite at every point: sums, products, :data:`_ENTIRE`
    functions, whole powers, other powers of what SymPy shows never negative (never 0 for a
    negative power: √(x² + 1), 1/(1 + x²), Ackley's √(x² + y²)) and logs of what it shows
    positive (log(1 + x²)) — so a rise is never a step across a pole (Rosenbrock,
    Rastrigin)."""
    import sympy as sp

    if obj.formula is None:
        return False
    for node in sp.preorder_traversal(obj.formula.expr):
        if isinstance(node, sp.Pow) and not _finite_power(node.base, node.exp):
            return False
        if isinstance(node, sp.Function) and type(node).__name__ not in _ENTIRE and not (
                isinstance(node, sp.log) and node.args[0].is_positive):
            return False
    return True


def _finite_power(base, exp) -> bool:
    """Whether ``base**exp`` is finite for every real value of the variables."""
    whole = exp.is_number and float(exp) == int(float(exp))  # 2 and 2.0 alike
    if whole and float(exp) >= 0:
        return True
    if exp.is_number and float(exp) > 0:
        return bool(base.is_nonnegative)
    return bool(base.is_positive)  # a negative or variable power: base never 0 nor negative


def _on_axes(result, vec, todo):
    """For the runs ``todo``: ``(ks, bs, g, along)`` — their indices, ∇f at their ends and its
    parts along each axis of the Hessian there (``vec``: its eigenvectors at the ends): what
    the quadratic model x − (∇²f)⁻¹∇f of each end is built from."""
    ks, bs = np.nonzero(todo)
    with np.errstate(all="ignore"):
        g = np.asarray(result.objective.gradient(result.final[ks, bs]),
                       dtype=np.float64).reshape(len(ks), result.final.shape[-1])
        along = np.einsum("mji,mj->mi", vec[ks, bs], g)
    return ks, bs, g, along


def _short_by_tol(result, lam, vec, pos, neg, thresholds: dict) -> np.ndarray:
    """Runs stopped by a loose ``tol`` (‖∇f‖ ≤ tol but above ``grad_zero``) where f curves
    some way and the quadratic model's critical point x − (∇²f)⁻¹∇f (along each axis that
    curves; endless along a flat one where f slopes) lies farther than ``near_point``: Booth
    at tol 0.1 stops 0.05 short of (1, 3), x⁴ − 3x² + x at tol 1 stops at 0.3, 0.13 from
    its maximum 0.170 — no critical point, let alone a minimum or maximum. Where f curves
    no way at all, the plateau rules say what the flat ground is."""
    todo = (result.status == "converged") & (result.gradient_norm > thresholds["grad_zero"]) \
        & (pos.any(axis=-1) | neg.any(axis=-1))
    out = np.zeros(todo.shape, dtype=bool)
    ks, bs, _, along = _on_axes(result, vec, todo)
    with np.errstate(all="ignore"):
        curve = lam[ks, bs]
        flat = np.abs(curve) <= thresholds["flat"]
        step = np.where(flat, np.where(along == 0, 0.0, np.inf), along / curve)
        out[ks, bs] = np.linalg.norm(step, axis=-1) > thresholds["near_point"]
    return out


def _short_of_minimum(result, lam, vec, todo, near_point: float) -> np.ndarray:
    """For the runs ``todo`` (stopped by the step limit with ‖∇f‖ ≤ grad_zero where f curves
    up some way and down none): along some axis of the Hessian the quadratic model's
    minimiser x − (∇²f)⁻¹∇f lies farther from the end than both ``near_point`` and the whole
    way the run went along that axis — a bowl so flat there that a small gradient is no
    critical point (1e-6·x² after 2000 steps of lr 0.1 from 3: ‖∇f‖ = 6e-6, the minimum 3
    away, 0.0012 gone; x² + 1e-6·y² from (1, 1): x done, y nearly where it began) — or ∇f
    has a part along an axis without curvature (x² + 5e-6·y: a slope, no minimum at all; a
    run flat every way is left to the plateau rules). ``lam, vec``: the Hessian's
    eigensystem at the ends."""
    out = np.zeros(todo.shape, dtype=bool)
    ks, bs, _, along = _on_axes(result, vec, todo)
    with np.errstate(all="ignore"):
        curve = lam[ks, bs]
        # the Newton step, per axis (endless where f does not curve up that way)
        step = np.where(curve > 0, along / curve, np.where(along == 0, 0.0, np.inf))
        went = np.einsum("mji,mj->mi", vec[ks, bs], result.final[ks, bs] - result.starts[bs])
        out[ks, bs] = np.any(np.abs(step) > np.maximum(near_point, np.abs(went)), axis=-1)
    return out


def labels(result, **thresholds) -> tuple[np.ndarray, np.ndarray]:
    """The labels of every run and each optimizer's stability bound where it ended, as
    :func:`diagnose` gives them (``Diagnosis.label`` and ``.optimizer_bound``, NaN for
    ``None``) — for many runs at once: the rules of :func:`classify` on arrays, no words.
    ``thresholds`` as :func:`diagnose` takes them. Returns ``(labels, bounds)``, ``(K, B)``."""
    parts, bounds, best = label_parts(result, **thresholds)
    return finish_labels(parts, best["best"], best["unbounded"],
                         best["value_tol"]), bounds


def label_parts(result, **thresholds):
    """:func:`labels` in two halves, so that runs labelled apart (a sweep's chunks) can be
    finished together against one lowest value: ``(parts, bounds, best)`` where ``parts`` holds
    ``(K, B)`` arrays — each condition of :data:`RULES` that does not need the lowest known
    value (:func:`_conditions`), ``minimiser`` and ``value`` — and ``best`` what this call
    knows of the lowest value (:func:`finish_labels` takes it)."""
    t = _thresholds(thresholds)
    ev = _evidence(result, t, levels=False)  # the labels rest on neither levels_to nor edge_to
    falls = ev.falls
    best = {"best": ev.shared["best"], "unbounded": ev.shared["unbounded"],
            "value_tol": t["value_tol"]}
    bounds = _bounds_all(result, _bound_curvatures(result, ev, falls, t["oscillation"])[2])
    return _classify_parts(result, ev, falls, t), bounds, best


def _labels_of(result, ev, t) -> tuple[np.ndarray, dict]:
    """Every run's label from :func:`_evidence` (and the parts it was finished from)."""
    parts = _classify_parts(result, ev, ev.falls, t)
    return finish_labels(parts, ev.shared["best"], ev.shared["unbounded"],
                         t["value_tol"]), parts


def finish_labels(parts, best: float | None, unbounded: bool,
                  value_tol: float = VALUE_TOL) -> np.ndarray:
    """The labels of runs with :func:`label_parts`' ``parts``, given ``best``, the lowest
    known value (``None``: none known), and ``unbounded`` (f has no minimum): :data:`RULES`
    in order."""
    lower_known, lowest = _against_best(parts["value"], best, unbounded, value_tol)
    held = {**parts, "flat_above": np.asarray(parts["flat"], dtype=bool) & lower_known,
            "lowest": lowest}
    last = "local_minimum" if best is not None or unbounded else "minimum"
    return np.select([np.asarray(held[name], dtype=bool) for name, _ in RULES],
                     [label for _, label in RULES], last)


def lowest_known(obj, value, minimiser, falls=None, finals=None
                 ) -> tuple[float | None, bool, bool]:
    """``(best, unbounded, found)``: the lowest value of ``obj`` known — its library's
    minimum, else, where some run stopped at a ``minimiser``, the lowest finite ``value`` of
    all the runs (``found`` then) — where the runs compared something: they stopped at two
    minima or more apart (``finals``: the end points, ``(N, D)``), or a run still on its way
    is already lower than a minimum (a higher minimum is then not the lowest). Two runs into
    one basin compare nothing: both at x⁴ − 3x² + x's minimum 1.131 had been "the global
    minimum", 2.4 above the one at −1.301. ``None`` where nothing is known; ``unbounded``: f
    has no minimum, as the library says or as a run of the call showed (``falls``: f fell
    without bound from it; then no minimum a run reached is global). Runs labelled apart (a
    sweep's chunks) are finished against all of them (:func:`finish_labels`)."""
    library = obj.library
    if library is not None:
        known = library.minimum_value(obj.dim)
        return known, known is None, False
    if falls is not None and np.any(falls):
        return None, True, False
    value, ok = np.asarray(value, dtype=float).ravel(), np.asarray(minimiser, bool).ravel()
    if value.size < 2 or not ok.any():
        return None, False, False
    lowest = float(np.min(value[np.isfinite(value)]))
    if finals is not None:
        ends = np.asarray(finals, dtype=float).reshape(value.size, -1)[ok]
        apart = np.linalg.norm(ends - ends[0], axis=-1) > 1e-3 * np.maximum(
            1.0, np.linalg.norm(ends[0]))
        lower = lowest < np.min(value[ok]) - VALUE_TOL * max(1.0, abs(float(np.min(value[ok]))))
        if not (apart.any() or lower):
            return None, False, False
    return lowest, False, True


def _classify_parts(result, ev, falls, t) -> dict[str, np.ndarray]:
    """:func:`_conditions` for every run of ``result`` at once (``ev``: :func:`_evidence`)."""
    r = result
    kinds = np.array([p.kind for p in ev.shared["listed"]] + [""], dtype=object)
    diverged = r.status == "diverged"
    flat = _plateau_flat(ev.lam_end, ~diverged & np.all(np.isfinite(ev.lam_end), axis=-1), t)
    parts = _conditions(
        t, falls=falls, diverged=diverged, near=ev.near, steps=r.steps,
        no_progress=_no_progress(r.final, r.starts[None], r.oscillation, t),
        oscillation=r.oscillation,
        descending=_descending(r.value, r.mid_value, r.start_value),
        value=r.value, start_value=r.start_value, flat_tail=ev.flat_tail,
        flat_sloping=ev.sloping, near_kink=ev.near_kink,
        listed_kind=np.where(ev.close_distance <= t["near_point"], kinds[ev.close], ""),
        positive=ev.pos.any(axis=-1), negative=ev.neg.any(axis=-1), flat=flat,
        falls_nearby=ev.falls_nearby, model_holds=ev.model_holds,
        frozen=_frozen(r))
    return {**parts, "minimiser": ev.minimiser, "value": r.value}


def _frozen(result) -> np.ndarray:
    """``(K, B)``: whether each run's schedule froze it over its steps
    (:meth:`~gdlab.optim.schedules.Schedule.froze`; one answer per step count)."""
    out = np.zeros(result.shape, dtype=bool)
    for k, opt in enumerate(result.optimizers):
        if opt.schedule is not None:
            steps = result.steps[k]
            for n in np.unique(steps):
                out[k, steps == n] = opt.schedule.froze(int(n))
    return out



def _bound_curvatures(result, ev, falls, oscillation: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each run's learning-rate bounds are taken, for all runs at once: ``(lam, at,
    lam_max)`` — the curvatures ``(K, B, D)``, the point ``(K, B, D)`` and the largest
    curvature ``(K, B)`` (NaN where none is finite). The known minimum nearest the end where its
    curvatures are finite (the minimum a run reaches decides whether it converges), else the
    end; the end, with the curvature along the swing, where the run swings there held by it
    and that curvature is the larger (:func:`_swings_where_it_ended`); the start where the
    run diverged, f fell without bound, or nothing is finite."""
    lam, at = ev.lam_end.copy(), result.final.copy()
    minima = ev.shared["minima"]
    if minima:
        usable = np.all(np.isfinite(ev.lam_minima), axis=-1)[ev.nearest] & \
            np.isfinite(ev.nearest_distance)
        lam[usable] = ev.lam_minima[ev.nearest[usable]]
        where = np.array([p.location for p, _ in minima], dtype=float)
        at[usable] = where[ev.nearest[usable]]
        circled = np.zeros(result.shape, dtype=bool)
    else:  # a typed formula: the minimum a swinging run circles, found from its end
        circled, lam_c, at_c = _circled_minima(result, ev, oscillation)
        lam[circled], at[circled] = lam_c[circled], at_c[circled]
    start = (result.status == "diverged") | falls | ~np.any(np.isfinite(lam), axis=-1)
    lam = np.where(start[..., None], ev.lam_start[None], lam)
    at = np.where(start[..., None], result.starts[None], at)
    lam_max = _largest(lam)
    with np.errstate(invalid="ignore"):
        swings, swing_max = _swings_where_it_ended(result, ev, oscillation)
        # where the swing is stiffer than the minimum (or the end's own Hessian) says
        swings &= ~start & ~circled & ~(swing_max <= lam_max)
    lam[swings], at[swings] = ev.lam_end[swings], result.final[swings]
    return lam, at, np.where(swings, swing_max, lam_max)


#: at most this many swinging runs of a call are followed to the minimum they circle
CIRCLED_RUNS = 64


def _circled_minima(result, ev, oscillation: float):
    """``(found, lam, at)``, ``(K, B)``, ``(K, B, D)``, ``(K, B, D)``: for runs of a typed
    formula (no listed minima) that reached their step limit swinging, the minimum they
    circle — Newton's method from the end (:func:`gdlab.critical.newton`), kept
    where it settles on a minimum within a swing of the end, a step of
    (1 + μ)·lr·‖∇f‖ — and its curvatures. x⁴ − 3x² + x at lr 0.15 hops between −1.085 and
    −1.445 about the minimum −1.301 (f'' = 14.31: bound 0.1398); either end's Hessian, or the
    swing's secant (2/lr in any 2-cycle), says nothing of it. Up to :data:`CIRCLED_RUNS`."""
    K, B = result.shape
    D = result.final.shape[-1]
    found = np.zeros((K, B), dtype=bool)
    lam, at = np.full((K, B, D), np.nan), np.full((K, B, D), np.nan)
    reach = _hyper_column(result, "lr", np.nan) * (1 + _hyper_column(
        result, "momentum", 0.0)) * result.gradient_norm  # (K, B): one swing
    todo = (result.status == "max_steps") & (result.oscillation >= oscillation) & \
        np.isfinite(reach) & (reach > 0)
    ks, bs = np.nonzero(todo)
    ks, bs = ks[:CIRCLED_RUNS], bs[:CIRCLED_RUNS]
    if not len(ks):
        return found, lam, at
    obj = result.objective
    x = critical.newton(obj, result.final[ks, bs])
    settled = np.all(np.isfinite(x), axis=-1)  # Newton met no singular Hessian (|x|'s kink)
    ks, bs, x = ks[settled], bs[settled], x[settled]
    if not len(ks):
        return found, lam, at
    with np.errstate(all="ignore"):
        g = np.asarray(obj.gradient(x), dtype=np.float64).reshape(x.shape)
        eig = _eigenvalues(obj, x)
    near = np.linalg.norm(x - result.final[ks, bs], axis=-1) <= reach[ks, bs]
    minimum = np.all(eig > 0, axis=-1) & (np.linalg.norm(g, axis=-1) <= critical.GRAD_TOL)
    keep = near & minimum
    found[ks[keep], bs[keep]] = True
    lam[ks[keep], bs[keep]], at[ks[keep], bs[keep]] = eig[keep], x[keep]
    return found, lam, at


def _largest(lam: np.ndarray) -> np.ndarray:
    """The largest finite curvature of each ``(..., D)`` row, NaN where none is finite."""
    some = np.any(np.isfinite(lam), axis=-1)
    with np.errstate(invalid="ignore"):
        return np.where(some, np.nanmax(np.where(some[..., None], lam, 0.0), axis=-1), np.nan)


def _swings_where_it_ended(result, ev, oscillation: float) -> tuple[np.ndarray, np.ndarray]:
    """``(swings, lam_max)``, both ``(K, B)``: the runs that reached their step limit swinging
    (at least ``oscillation`` of the recent steps reversed) at a fixed rate at least half the
    optimizer's bound where they ended — held there by the curvature at the end, not the one
    at a minimum they never reach — and that curvature: λmax of the Hessian at the end or,
    for gd, the larger curvature along its swing, the secant (∇f(x) − ∇f(x'))·s/‖s‖² to one
    more step x' = x − s (in a 2-cycle exactly 2/lr: the two ends' Hessians straddle it).
    Beale from (−4.144, 0.257) at lr 0.003 hops across a valley 6.4 from the minimum (3, 0.5):
    λmax 744 at the end puts the bound at 0.00269, where the minimum's 0.041 had been quoted
    as "well below the bound … the zig-zag is damped"."""
    lam_end = ev.lam_end
    lam_max = _largest(lam_end)
    lr = np.array([(_scalar(o.hyper.get("lr")) if o.schedule is None else None) or np.nan
                   for o in result.optimizers])[:, None]
    mu = _hyper_column(result, "momentum", 0.0)
    # not around a known minimum: one within a step's reach of the end is the one it swings
    # about (Himmelblau at lr 0.02 rattles 0.34 either side of (3.584, −1.848))
    with np.errstate(invalid="ignore"):
        away = ~(ev.nearest_distance <= lr * (1 + mu) * result.gradient_norm)
    candidate = (result.status == "max_steps") & (result.oscillation >= oscillation) & \
        np.isfinite(lr) & away
    plain = np.array([o.name == "gd" and not o.noise and not np.any(o.coupled_decay or 0.0)
                      for o in result.optimizers])[:, None]
    ks, bs = np.nonzero(candidate & plain)
    if len(ks):
        x, rate = result.final[ks, bs], lr[ks, 0][:, None]
        with np.errstate(all="ignore"):
            g = np.asarray(result.objective.gradient(x), dtype=np.float64).reshape(x.shape)
            g2 = np.asarray(result.objective.gradient(x - rate * g),
                            dtype=np.float64).reshape(x.shape)
            secant = np.einsum("md,md->m", g - g2, g) / (rate[:, 0] * np.einsum("md,md->m", g, g))
            lam_max[ks, bs] = np.fmax(lam_max[ks, bs], secant)
    with np.errstate(invalid="ignore"):
        return candidate & (2 * lr >= _bounds_all(result, lam_max)), lam_max


def _bounds_all(result, lam_max) -> np.ndarray:
    """Each run's optimizer bound (:data:`BOUNDS`) from its largest curvature ``(K, B)``
    (:func:`_bound_curvatures`); NaN where it has none."""
    out = np.full(result.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, opt in enumerate(result.optimizers):
            if opt.name not in BOUNDS:
                continue
            mu = _scalar(opt.hyper.get("momentum")) or 0.0
            tau = _scalar(opt.hyper.get("dampening")) or 0.0
            lm = lam_max[k]
            ok = np.isfinite(lm) & (lm > 0) & (tau < 1)
            out[k] = np.where(ok, BOUNDS[opt.name][1](np.where(ok, lm, 1.0), mu, tau), np.nan)
    return out


def _falls_without_bound(obj, base: np.ndarray, directions: np.ndarray, f0: np.ndarray,
                         deep: float = UNBOUNDED_DROP, settled: bool | None = None
                         ) -> np.ndarray:
    """f at the far end of rays ``base + t·max(1, ‖base‖)·direction`` (t = 1 … 1e15, tenfold
    apart; with ``settled`` True or False, :data:`LEVEL_DISTANCES`) where f falls
    monotonically to below ``f0 − deep·max(1, |f0|)`` along it — and, with ``settled``,
    where it settles there or does not (:func:`_settles`) — else NaN; ``base, directions:
    (M, D)``, ``f0: (M,)``."""
    scale = np.maximum(1.0, np.linalg.norm(base, axis=-1))[:, None, None]
    t, per = (PROBE_DISTANCES, 1) if settled is None else (LEVEL_DISTANCES, PER_DECADE)
    pts = base[:, None, :] + t[None, :, None] * scale * directions[:, None, :]
    with np.errstate(all="ignore"):
        vals = np.asarray(obj.value(pts), dtype=np.float64)  # (M, T)
    vals = np.where(np.isnan(vals), np.inf, vals)
    vals = np.where(vals == -np.inf, -np.finfo(np.float64).max, vals)  # −∞ keeps falling
    with np.errstate(invalid="ignore"):  # inf − inf: not falling
        falling = np.all(np.diff(vals, axis=-1) <= 0, axis=-1)
    far = vals[:, -1]
    low = far <= f0 - deep * np.maximum(1.0, np.abs(f0))
    if settled is not None:
        low &= _settles(vals, per) == settled
    return np.where(falling & low, far, np.nan)


def _settles(vals: np.ndarray, per: int) -> np.ndarray:
    """Whether falls sampled ``per`` a tenfold, ``vals: (M, T)``, settle on a floor: the last
    tenfold changes f by at most :data:`LEVEL_DROP` (relative), or by at most
    :data:`SETTLE_RATIO` of the tenfold before (the drops shrink geometrically: e^−x, √x
    toward 0) — not −log(1 + x²), which falls 2·ln 10 every tenfold for ever."""
    with np.errstate(invalid="ignore"):
        last = vals[:, -1 - per] - vals[:, -1]
        before = vals[:, -1 - 2 * per] - vals[:, -1 - per]
        return (last <= LEVEL_DROP * np.maximum(1.0, np.abs(vals[:, -1]))) \
            | (last <= SETTLE_RATIO * before)


def probe_reach(base) -> float:
    """How far the probes for f unbounded below go from the point ``base``: the last of
    :data:`PROBE_DISTANCES` times max(1, ‖base‖)."""
    return float(PROBE_DISTANCES[-1] * max(1.0, float(np.linalg.norm(base))))


def _unbounded_probe(result, near: np.ndarray, allowed: bool, escape: np.ndarray,
                     level: np.ndarray, lowest: np.ndarray | None):
    """Per run, ``{falls_to, descent, falls_distance}`` (each ``None`` where f was not shown
    unbounded): the probe of :func:`_falls_without_bound` from the end point (the start where
    the end point is not finite) along −∇f, then along ± the direction of negative curvature
    (``escape``: NaN where there is none), then along −∇f's part in the directions where f
    does not curve up (``level``: the Hessian's eigenvectors there as columns, the others 0 —
    48.5·x + y² falls without bound along −x, while the ray along −∇f bends into y²'s
    bowl), for runs that are not at a critical point and fell below their start; how far it
    went, and which way. Where none shows it, ``levels_to``/``levels_along``
    (:func:`_levels_off`, along ``lowest``: the lowest curvature's eigenvectors; not
    looked for where it is None)."""
    K, B = result.shape
    none = {"falls_to": None, "descent": None, "falls_distance": None, "levels_to": None,
            "levels_along": None, "levels_floor": False}
    probes = [[none] * B for _ in range(K)]
    fell = (result.value < result.start_value) | (result.value == -np.inf)
    ks, bs = np.nonzero(~near & fell) if allowed else (np.array([], int),) * 2
    if not len(ks):
        return probes
    obj = result.objective
    base = result.final[ks, bs]
    bad = ~np.all(np.isfinite(base), axis=-1)
    base[bad] = result.starts[bs[bad]]
    with np.errstate(all="ignore"):
        g = np.asarray(obj.gradient(base), dtype=np.float64)
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    ok = np.all(np.isfinite(g), axis=-1) & (norm[:, 0] > 0)
    d = np.where(ok[:, None], -g / np.where(norm > 0, norm, 1.0), 0.0)
    f0 = result.start_value[ks, bs]
    far = _falls_without_bound(obj, base, d, f0)
    # where −∇f does not show it, the negative curvature may — if the path moves along it
    moving = np.abs(np.sum(np.nan_to_num(escape[ks, bs]) * d, axis=-1)) >= ESCAPE_SHARE
    for sign in (1.0, -1.0):
        v = sign * escape[ks, bs]
        todo = np.isnan(far) & np.all(np.isfinite(v), axis=-1) & moving
        if todo.any():
            far[todo] = _falls_without_bound(obj, base[todo], v[todo], f0[todo])
            d[todo & ~np.isnan(far)] = v[todo & ~np.isnan(far)]
            ok |= todo & ~np.isnan(far)
    flat_far, v = _along_part(obj, base, d, np.nan_to_num(level[ks, bs]), ESCAPE_SHARE, f0,
                              np.isnan(far) & ok)
    # where the run stopped with its gradient all but gone (by tol, or ‖∇f‖ ≤ the default
    # zero) f may still fall on along a flat direction; a run still descending is not judged
    # by that (atan x + y² mid-descent: the bowl's part is what the steps do now)
    quiet = (result.status[ks, bs] == "converged") | \
        (result.gradient_norm[ks, bs] <= critical.STOPPED_GRAD_TOL)
    found = ~np.isnan(flat_far)
    far[found], d[found] = flat_far[found], v[found]
    level_to, level_d, floor = (np.full(len(ks), np.nan), d, None) if lowest is None else \
        _levels_off(obj, base, d, np.nan_to_num(lowest[ks, bs]), result.value[ks, bs],
                    ok & np.isnan(far), np.where(quiet[:, None, None],
                                                 np.nan_to_num(level[ks, bs]), 0.0))
    for i, (k, b) in enumerate(zip(ks, bs)):
        if not np.isnan(level_to[i]):
            probes[k][b] = {**none, "levels_to": float(level_to[i]),
                            "levels_along": [float(v) for v in level_d[i]],
                            "levels_floor": bool(floor[i])}
        if ok[i] and (np.isfinite(far[i]) or far[i] == -np.inf or
                      result.value[k, b] == -np.inf):
            probes[k][b] = {
                "falls_to": float(far[i]) if not np.isnan(far[i]) else float("-inf"),
                "descent": [float(v) for v in d[i]],
                "falls_distance": probe_reach(base[i])}
    return probes


def _levels_off(obj, base, descent, lowest, value, todo, level=None):
    """For the rows ``todo``: f far along ``descent`` (−∇f, unit), else along its part on the
    lowest-curvature direction ``lowest`` where that part is at least :data:`LEVEL_SHARE` of
    it (the rest of the descent nearly done), else along its part on the directions where f
    does not curve up (``level``, as :func:`_unbounded_probe` takes it) where that part is at
    least :data:`ESCAPE_SHARE` of it (tanh x + y² at (12, 0): ∇f = (1.5e-10, 9e-9), the
    bowl's part nearly done, f flat along x and falling on to −1), where f falls
    monotonically all the way out (to 1e15·max(1, ‖x‖)) to below the end's ``value`` — not
    shown unbounded, but there is no minimum that way; NaN elsewhere. A way where f settles
    there (e^−x: toward 0) is preferred to one where it is still falling (−log(1 + x²), a
    fall without floor too slow to show in the probe). Returns ``(far, direction, floor)``,
    ``(M,)``, ``(M, D)`` and ``(M,)``: floor where f settled."""
    far, way = np.full(len(base), np.nan), descent.copy()
    floor = np.zeros(len(base), dtype=bool)
    for settled in (True, False):
        left = todo & np.isnan(far)
        if left.any():
            far[left] = _falls_without_bound(obj, base[left], descent[left], value[left],
                                             deep=LEVEL_DROP, settled=settled)
        for V, share in ((lowest[:, :, None], LEVEL_SHARE), (level, ESCAPE_SHARE)):
            if V is None:
                continue
            part_far, v = _along_part(obj, base, descent, V, share, value,
                                      left & np.isnan(far), deep=LEVEL_DROP, settled=settled)
            found = ~np.isnan(part_far)
            far[found], way[found] = part_far[found], v[found]
        floor |= settled & left & ~np.isnan(far)
    return far, way, floor


def _edge_probe(result, near, escape) -> list[list[tuple[float | None, list[float] | None,
                                                          bool]]]:
    """Per run, ``(edge_to, edge_at, edge_floor)`` (:class:`RunFacts`), ``(None, None,
    False)`` where not shown: for a run that stopped where f is not a number after some
    steps, the first edge of f's domain on the segment into that point from the last point
    before it (:func:`_last_inside`: the step that crossed, where the path was recorded;
    else from the start); for a run stopped by the step limit away from a critical point
    (``near``) below its start, the first edge on a ray from its end point (:func:`_ray_out`)
    along −∇f, else along the negative curvature (``escape``, NaN where there is none) where
    the descent moves along it (by :data:`ESCAPE_SHARE`), as the unbounded probe goes — log x
    + y² at lr 1e-3, still on its way to x = 0 while y² settles; then :func:`_into_edge`."""
    K, B = result.shape
    out = [[(None, None, False)] * B for _ in range(K)]
    with np.errstate(invalid="ignore"):
        ends = np.all(np.isfinite(result.final), axis=-1) & np.isfinite(result.start_value)
        crossed = (result.status == "diverged") & (result.steps > 0) & np.isnan(result.value)
        heading = (result.status == "max_steps") & ~near & (result.value < result.start_value)
    ways = [(crossed & ends, _last_inside)] + [
        (heading & ends, lambda r, ks, bs, along=along: _ray_out(r, ks, bs, escape, along))
        for along in ("descent", "curvature")]
    obj, found = result.objective, np.zeros((K, B), dtype=bool)
    for todo, way in ways:
        ks, bs = np.nonzero(todo & ~found)
        if not len(ks):
            continue
        with np.errstate(all="ignore"):
            a, b, fell = way(result, ks, bs)
            ks, bs, a, b = ks[fell], bs[fell], a[fell], b[fell]
            if not len(ks):
                continue
            far, edge, floor, shown = _into_edge(obj, a, b)
        for i in np.flatnonzero(shown):
            out[ks[i]][bs[i]] = (float(far[i]), [float(v) for v in edge[i]], bool(floor[i]))
        found[ks[shown], bs[shown]] = True
    return out


def _into_edge(obj, a: np.ndarray, b: np.ndarray):
    """The first edge of f's domain on each segment from ``a`` (f finite) to ``b`` (not),
    found by :func:`_first_edge`, and f along the segment into it — evenly to a tenth of the
    way from the edge, then at :data:`PER_DECADE` points a tenfold to 10⁻¹⁵ of it: shown
    where f falls monotonically all that way, below its first point by
    :data:`LEVEL_DROP`, and either does not settle (:func:`_settles`; no floor: log x toward
    0) or settles while ‖∇f‖ grows at least :data:`EDGE_STEEP`-fold over the tenfolds (√x
    toward 0, where no fixed step can stop). ``(f at the edge, the edge, floor, shown)``."""
    edge = _first_edge(obj, a, b)
    share = np.concatenate([np.linspace(1, 0.1, 8 * PER_DECADE, endpoint=False),
                            10.0 ** -np.linspace(1, 15, 14 * PER_DECADE + 1)])
    # no closer than the doubles allow: the edge found is a double inside the domain, so at
    # 1 − x a point 10⁻¹⁵ of the way from it sits ~1.1e-16 from the true edge whatever the
    # share, and log(1 − x) would seem to level off at −36 (the coordinates that move most)
    move = np.abs(a - edge)
    most = move >= 0.1 * move.max(axis=-1, keepdims=True)
    closest = np.max(np.where(most, 1e3 * np.spacing(np.abs(edge)) / np.where(
        move > 0, move, 1.0), 0.0), axis=-1)
    count = np.sum(share[None, :] >= closest[:, None], axis=1)  # samples that resolve
    take = np.clip(np.arange(len(share))[None, :] - (len(share) - count)[:, None], 0, None)
    pts = edge[:, None, :] + share[take][:, :, None] * (a - edge)[:, None, :]  # the last
    vals = np.asarray(obj.value(pts), dtype=np.float64)  # samples right-aligned (the first
    far = vals[:, -1]  # repeated before them: flat, so neither a fall nor a rise)
    floor = _settles(vals, PER_DECADE)
    # with a floor, only where ‖∇f‖ grows without bound into the edge (√x): every fixed
    # step then crosses it — not x on x ≥ 0, nor x², whose minimum there a step may reach
    tenth = np.minimum(8 * PER_DECADE + len(share) - count, len(share) - 1)  # share 0.1
    rows = np.arange(len(pts))
    norm = np.linalg.norm(np.asarray(obj.gradient(np.stack(
        [pts[rows, tenth], pts[:, -1]], axis=1)), float), axis=-1)
    steep = ~(norm[:, 1] < EDGE_STEEP * norm[:, 0])  # (an infinite gradient is steep)
    shown = np.all(np.isfinite(vals), axis=-1) & np.all(np.diff(vals, axis=-1) <= 0, axis=-1) \
        & (far <= vals[:, 0] - LEVEL_DROP * np.maximum(1.0, np.abs(far))) \
        & (~floor | steep) & ~np.isnan(norm[:, 1]) & (count > 8 * PER_DECADE + 2 * PER_DECADE)
    return far, edge, floor, shown


def _ray_out(result, ks, bs, escape, along: str):
    """For the runs ``(ks, bs)``: the end point, the first point of a ray from it (at
    :data:`LEVEL_DISTANCES` times max(1, ‖x‖)) where f is not a number (the end point itself
    where there is none), and whether f fell monotonically along the ray up to there. The ray
    goes ``along`` −∇f ("descent") or ("curvature") along ±``escape`` — the sign the descent
    takes — where the descent's part on it is at least :data:`ESCAPE_SHARE`."""
    a = result.final[ks, bs]
    g = np.asarray(result.objective.gradient(a), dtype=np.float64)
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    d = -g / np.where(norm > 0, norm, np.inf)
    if along == "curvature":
        v = escape[ks, bs]
        dot = np.sum(v * d, axis=-1, keepdims=True)
        d = np.where(np.abs(dot) >= ESCAPE_SHARE, np.sign(dot) * v, np.nan)
    d = np.where(np.all(np.isfinite(d), axis=-1, keepdims=True), d, 0.0)  # no way: not shown
    scale = np.maximum(1.0, np.linalg.norm(a, axis=-1))[:, None, None]
    pts = a[:, None, :] + LEVEL_DISTANCES[None, :, None] * scale * d[:, None, :]
    vals = np.where(np.all(np.isfinite(pts), axis=-1),
                    np.asarray(result.objective.value(np.nan_to_num(pts)), dtype=np.float64),
                    np.nan)
    first = np.argmax(~np.isfinite(vals), axis=1)  # 0 where none: not shown
    inside = np.arange(vals.shape[1])[None, :] < first[:, None]
    rises = np.where(inside[:, 1:], np.diff(vals, axis=-1), 0.0) > 0
    fell = (first > 1) & np.any(d != 0, axis=-1) & ~np.any(rises, axis=-1)
    return a, pts[np.arange(len(a)), first], fell


def _last_inside(result, ks, bs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the runs ``(ks, bs)``, the point a step before the end where the path recorded it
    (the step from there crossed the edge), else the start; the end point; and whether f fell
    (did not rise) along the recorded path up to that point (True without a record)."""
    a, fell = result.starts[bs].copy(), np.ones(len(ks), dtype=bool)
    if result.path is None or result.values is None:
        return a, result.final[ks, bs], fell
    at = result.recorded_steps
    idx = np.minimum(np.searchsorted(at, result.steps[ks, bs] - 1), len(at) - 1)
    for i in np.flatnonzero(at[idx] == result.steps[ks, bs] - 1):
        a[i] = result.path[idx[i], ks[i], bs[i]]
        with np.errstate(invalid="ignore"):
            fell[i] = bool(np.all(np.diff(result.values[: idx[i] + 1, ks[i], bs[i]]) <= 0))
    return a, result.final[ks, bs], fell


def _first_edge(obj, a: np.ndarray, b: np.ndarray, samples: int = 256) -> np.ndarray:
    """The first point where f stops being a number on each segment from ``a`` (f finite)
    to ``b`` (f not): the segment sampled evenly, then bisected to double precision between
    the last finite sample and the next (log sin x from 1 to −7: the edge at 0, not −2π)."""
    t = np.linspace(0.0, 1.0, samples + 1)
    inside = np.isfinite(np.asarray(obj.value(a[:, None, :] + t[None, :, None]
                                              * (b - a)[:, None, :]), float))
    inside[:, 0] = True
    first = np.argmin(inside, axis=1)  # the first sample outside (b itself if none before)
    first = np.where(inside.all(axis=1), samples, first)
    lo, hi = t[first - 1], t[first]
    for _ in range(64):  # f is finite at lo, not at hi
        mid = 0.5 * (lo + hi)
        ok = np.isfinite(np.asarray(obj.value(a + mid[:, None] * (b - a)), float))
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    return a + lo[:, None] * (b - a)


def _along_part(obj, base, descent, V, share, f0, todo, **probe):
    """The probe of :func:`_falls_without_bound` (``probe``: its keywords) along the part of
    ``descent`` on the columns of ``V`` (``(M, D, C)``, orthonormal or 0), for the rows
    ``todo`` where that part is at least ``share`` of it: ``(far, direction)``, far NaN
    where not probed or not shown, direction the part made unit."""
    part = np.einsum("mij,mj->mi", V, np.einsum("mji,mj->mi", V, descent))
    size = np.linalg.norm(part, axis=-1)
    unit = part / np.where(size > 0, size, 1.0)[:, None]
    far = np.full(len(base), np.nan)
    go = todo & (size >= share)
    if go.any():
        far[go] = _falls_without_bound(obj, base[go], unit[go], f0[go], **probe)
    return far, unit


def _escape_probe(obj, result, mask: np.ndarray, escape: np.ndarray) -> np.ndarray:
    """Whether f falls without bound from each masked end point (a saddle, maximum or flat
    point) along ± its lowest-curvature direction or ± a coordinate axis."""
    out = np.zeros(mask.shape, dtype=bool)
    ks, bs = np.nonzero(mask)
    if not len(ks):
        return out
    D = escape.shape[-1]
    base = result.final[ks, bs]
    dirs = [escape[ks, bs], -escape[ks, bs]] + [
        np.broadcast_to(sign * np.eye(D)[i], base.shape) for i in range(D) for sign in (1, -1)]
    f0 = result.value[ks, bs]
    hit = np.zeros(len(ks), dtype=bool)
    for d in dirs:
        d = np.nan_to_num(d)
        hit |= ~np.isnan(_falls_without_bound(obj, base, d, f0))
    out[ks, bs] = hit
    return out


def _better_starts(result, minimiser: np.ndarray) -> list[list[list[float] | None]]:
    """Per run, the start of the same configuration's run that reached the lowest minimum,
    where that is lower than this run's end (for a local minimum: start there)."""
    K, B = result.shape
    out: list[list] = [[None] * B for _ in range(K)]
    for k in range(K):
        if not minimiser[k].any():
            continue
        values = np.where(minimiser[k], result.value[k], np.inf)
        best = int(np.argmin(values))
        for b in range(B):
            v = result.value[k, b]
            if b != best and minimiser[k, b] and \
                    values[best] < v - 1e-6 * max(1.0, abs(v)):
                out[k][b] = [float(c) for c in result.starts[best]]
    return out


#: how many of its standard deviations at the noise floor an end point may lie from where
#: the quadratic model puts the minimum, along each axis of the Hessian, and be at the floor
FLOOR_SPREAD = 3.0


def _at_noise_floor(result, lam, vec, thresholds: dict) -> np.ndarray:
    """Which runs with gradient noise σ ended at their noise floor: f curves up every way at
    the end and, along each axis of the Hessian (curvature λ; ``lam, vec``: its eigensystem
    at the ends), the quadratic model's minimum lies within :data:`FLOOR_SPREAD` of the
    spread that noisy descent keeps there, √(lr·σ²/(λ(2 − lr·λ))) for gd, heavy-ball
    momentum's √((1 + μ)·lr·σ²/((1 − μ)·λ·(2(1 + μ) − lr·λ))) (the stationary variance of its
    AR(2) recursion: 1/(1 − μ) wider; Nesterov's measured by it), lr the rate its schedule
    left at the end — not x² at 1e-4 from 2.94 with σ = 1e-3, whose slow axis is 3 000 such
    spreads from its minimum (the noise makes no difference to that run)."""
    lr = np.array([_scalar(o.hyper.get("lr")) if o.noise else None
                   for o in result.optimizers], dtype=float)  # NaN: no noise or no one rate
    noise = np.array([o.noise for o in result.optimizers], dtype=float)
    # heavy ball: dampening scales the rate; Nesterov measured by heavy ball's spread
    mu = _hyper_column(result, "momentum", 0.0)[:, 0]
    lr *= 1 - _hyper_column(result, "dampening", 0.0)[:, 0]
    out = np.zeros(result.shape, dtype=bool)
    ks, bs, _, along = _on_axes(result, vec, np.isfinite(lr)[:, None]
                                & (result.status != "diverged"))
    if not len(ks):
        return out
    # the rate where the run ended: its schedule's factor at its last step
    factor = np.array([1.0 if result.optimizers[k].schedule is None else
                       result.optimizers[k].schedule(max(int(result.steps[k, b]) - 1, 0))
                       for k, b in zip(ks, bs)])
    with np.errstate(all="ignore"):
        curve, rate, m = lam[ks, bs], (lr[ks] * factor)[:, None], mu[ks][:, None]
        spread = np.sqrt((1 + m) * rate * noise[ks][:, None] ** 2
                         / ((1 - m) * curve * (2 * (1 + m) - rate * curve)))
        out[ks, bs] = np.all(curve > thresholds["flat"], axis=-1) & np.all(
            np.abs(along / curve) <= FLOOR_SPREAD * spread, axis=-1)
    return out


def _at_kink(result, near: np.ndarray, values: np.ndarray | None) -> np.ndarray:
    """Whether each run that did not converge ended within two steps of a kink of f (a step
    with momentum μ carries μ of the one before, so it is counted as (1 + μ)·lr·‖∇f‖: abs(x)
    with momentum 0.9 at lr 0.01 rattles 0.0203 about its kink); ``values``: the kinks'
    expressions at the ends (:func:`_evidence` reads them once), ``None`` for a smooth f."""
    K, B = result.shape
    if values is None:
        return np.zeros((K, B), dtype=bool)
    lr = _hyper_column(result, "lr", 0.0) * (1 + _hyper_column(result, "momentum", 0.0))
    reach = 2 * lr * np.maximum(1.0, result.gradient_norm)  # (K, B)
    close = np.any(np.abs(values.reshape(K, B, -1)) <= reach[..., None], axis=-1)
    return close & ~near


def _around(obj, result, near: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f a step away from each end point at a critical point, along ± every axis:

    - *flat*: ∇f is exactly 0 and f is the same to double precision at every step away
      (``sigmoid(x)`` at −800, ``exp(x)`` at −2e7: the gradient underflowed) — a flat tail,
      which no rule can tell from a minimum;
    - *falls*: f is lower a step away by more than twice what ‖∇f‖ explains (the first-order
      change) — the point is stationary but no minimum, even where the curvature is 0
      (``x**3`` at 0).
    """
    flat, falls = np.zeros(near.shape, dtype=bool), np.zeros(near.shape, dtype=bool)
    ks, bs = np.nonzero(near & np.all(np.isfinite(result.final), axis=-1))
    if not len(ks):
        return flat, falls
    x, value = result.final[ks, bs], result.value[ks, bs]
    D = x.shape[-1]
    h = 1e-3 * np.maximum(1.0, np.abs(x))  # (M, D)
    steps = np.concatenate([np.eye(D), -np.eye(D)])  # (2D, D)
    with np.errstate(all="ignore"):
        around = np.asarray(obj.value(x[:, None, :] + steps[None] * h[:, None, :]))
        explained = 2 * result.gradient_norm[ks, bs] * h.max(axis=-1) + \
            1e-12 * np.maximum(1.0, np.abs(value))
        falls[ks, bs] = np.any(value[:, None] - around > explained[:, None], axis=-1)
    flat[ks, bs] = (result.gradient_norm[ks, bs] == 0) & np.all(around == value[:, None], -1)
    return flat, falls


def _model_holds(obj, result, lam, vec, todo, thresholds: dict) -> np.ndarray:
    """For the runs ``todo``: at the quadratic model's critical point x − (∇²f)⁻¹∇f (along the
    axes that curve) ‖∇f‖ is at most a tenth of the end's — a critical point is there, as at
    cos(0.003x) + cos(0.003y)'s flat maximum 0.0014 away; not on tanh²x + tanh²y's tail at
    (8, 8), whose model point (8.5, 8.5) slopes half as much again. True elsewhere."""
    out = np.ones(todo.shape, dtype=bool)
    ks, bs, g, along = _on_axes(result, vec, todo)
    if len(ks):
        with np.errstate(all="ignore"):
            curve = lam[ks, bs]
            step = np.where(np.abs(curve) > thresholds["flat"], along / curve, 0.0)
            there = result.final[ks, bs] - np.einsum("mij,mj->mi", vec[ks, bs], step)
            g_there = np.asarray(obj.gradient(there), dtype=np.float64).reshape(g.shape)
            out[ks, bs] = np.linalg.norm(g_there, axis=-1) <= 0.1 * np.linalg.norm(g, axis=-1)
    return out


def _closest(points, listed) -> tuple[np.ndarray, np.ndarray]:
    """For each point ``(..., D)``: the index of the closest ``listed`` critical point and its
    distance (``inf`` where there is none or the point is not finite)."""
    shape = points.shape[:-1]
    if not listed:
        return np.zeros(shape, dtype=int), np.full(shape, np.inf)
    locations = np.array([p.location for p in listed], dtype=float)
    with np.errstate(all="ignore"):
        distances = np.linalg.norm(points[..., None, :] - locations, axis=-1)
    distances[~np.all(np.isfinite(points), axis=-1)] = np.inf
    index = np.argmin(np.where(np.isnan(distances), np.inf, distances), axis=-1)
    return index, np.take_along_axis(distances, index[..., None], -1)[..., 0]


def _settings(opt) -> dict:
    """What a diagnosis reads of an optimizer (the same for all its runs)."""
    return {"optimizer": opt.name, "lr": _scalar(opt.hyper.get("lr")),
            "hyper": {key: _scalar(v) for key, v in opt.hyper.items()
                      if not isinstance(v, bool) and _scalar(v) is not None},
            "schedule": None if opt.schedule is None else opt.schedule.spec,
            "noise": float(opt.noise)}


def _scalar(value) -> float | None:
    return float(value) if value is not None and np.ndim(value) == 0 else None


def _hyper_column(result, key: str, default: float) -> np.ndarray:
    """``(K, 1)``: each configuration's hyper-parameter ``key`` as one number, ``default``
    where it has none, it is 0, or it is one per start."""
    return np.array([_scalar(o.hyper.get(key)) or default for o in result.optimizers],
                    dtype=float)[:, None]


def _all_finite(values) -> bool:
    """``np.all(np.isfinite(values))`` for the few numbers of one run, without NumPy's
    per-call overhead (a sweep asks it for every run)."""
    return all(math.isfinite(v) for v in np.asarray(values, dtype=float).ravel().tolist())


def _any_finite(values) -> bool:
    return any(math.isfinite(v) for v in np.asarray(values, dtype=float).ravel().tolist())


def _facts(result, k, b, lam_end, bound, near, positive, negative, shared, thresholds,
           extra) -> RunFacts:
    """One run's facts; ``bound``: its ``(curvatures, point, λmax)`` from
    :func:`_bound_curvatures`."""
    status = str(result.status[k, b])
    x = result.final[k, b]
    shared = dict(shared)
    minima = shared.pop("minima")
    del shared["listed"]
    nearest = None
    i, distance = extra.pop("nearest")
    if minima and np.isfinite(distance):
        nearest = {**minima[i][0].as_dict(), "distance": float(distance)}
    lam, bound_at, lam_max = bound
    lam_max = None if math.isnan(lam_max) else float(lam_max)
    momentum = extra["hyper"].get("momentum") or 0.0
    eig = None if status == "diverged" or not _all_finite(lam_end) else \
        [float(v) for v in lam_end]
    return RunFacts(
        status=status, start=result.starts[b], final=x, value=float(result.value[k, b]),
        start_value=float(result.start_value[k, b]),
        gradient_norm=float(result.gradient_norm[k, b]), steps=int(result.steps[k, b]),
        max_steps=int(result.max_steps), tol=float(result.tol),
        oscillation=float(result.oscillation[k, b]), mid_value=float(result.mid_value[k, b]),
        eigenvalues=eig, lam_end=lam_end, positive=positive, negative=negative,
        near_critical=near, lambda_max=lam_max, curvatures=np.asarray(lam), bound_at=bound_at,
        bound=stability_bound(lam_max),
        own_bound=optimizer_bound(lam_max, extra["optimizer"], momentum,
                                  extra["hyper"].get("dampening") or 0.0),
        nearest_minimum=nearest, thresholds=thresholds,
        **shared, **extra)


#: The label rules in order of precedence: the first whose condition holds names the run
#: (:func:`_conditions`); where none holds, a minimiser: ``local_minimum`` if a lower value is
#: known, else ``minimum``. The one table for one run (:func:`classify`) and for many
#: (:func:`labels`).
RULES = (("falls", "unbounded"), ("diverged", "diverged"), ("stuck", "slow"),
         ("swings", "oscillating"), ("not_critical", "slow"), ("flat_tail", "plateau"),
         ("flat_sloping", "plateau"),
         ("falls_nearby", "saddle"), ("flat_above", "plateau"), ("mixed_curvature", "saddle"),
         ("flat_down", "plateau"), ("maximum", "maximum"), ("lowest", "global_minimum"))

#: the arrays :func:`label_parts` gives besides ``value``: each condition of :data:`RULES`
#: that does not need the lowest known value, ``flat`` (a plateau if one is) and ``minimiser``
#: (a sweep keeps them per run until all its runs are in)
LABEL_PARTS = tuple(name for name, _ in RULES if name not in ("flat_above", "lowest")) + (
    "flat", "minimiser")


def _conditions(t, *, falls, diverged, near, steps, no_progress, oscillation, descending,
                value, start_value, flat_tail, listed_kind, positive, negative, flat,
                falls_nearby, model_holds=True, frozen=False, flat_sloping=False,
                near_kink=False) -> dict[str, np.ndarray]:
    """The conditions of :data:`RULES` that do not need the lowest known value (arrays, or
    0-d for one run); ``flat``: a plateau where a lower value is known (``flat_above``);
    ``frozen``: the run's schedule froze it (a run that stopped descending for that did not
    swing: exponential:0.9 from (3, 4) only ever steps one way, then not at all)."""
    off = ~np.asarray(near, dtype=bool)
    kind = np.asarray(listed_kind, dtype=object)
    with np.errstate(invalid="ignore"):
        swings = (np.asarray(oscillation) >= t["oscillation"]) \
            | (~np.asarray(descending) & ~np.asarray(frozen, bool)) \
            | (np.asarray(value) > np.asarray(start_value))
    return {"falls": np.asarray(falls, dtype=bool), "diverged": np.asarray(diverged, bool),
            "stuck": off & ((np.asarray(steps) == 0) | np.asarray(no_progress, bool)),
            "swings": off & swings, "not_critical": off,
            "flat_tail": np.asarray(flat_tail, bool) & (kind == "") & ~np.asarray(positive),
            # flat ground that f still slopes down from (−e^−(x² + y²) at (4, 4))
            "flat_sloping": np.asarray(flat_sloping, bool) & np.asarray(flat, bool)
            & (kind == ""),
            "flat": np.asarray(flat, bool) & (kind != "saddle") & (kind != "maximum"),
            "mixed_curvature": (np.asarray(positive) & np.asarray(negative))
            | (kind == "saddle"),
            # f lower a step beside, where no curvature says otherwise: flat, or beside a
            # kink, across which the Hessian does not hold (x·|x| + 0.1x² at 0: f'' is 0.2
            # by the formula, −1.8 to the left)
            "falls_nearby": (np.asarray(flat, bool) | np.asarray(near_kink, bool))
            & np.asarray(falls_nearby, bool) & (kind == ""),
            # curving down by less than the plateau band is flat ground, not a maximum
            # (tanh²x + tanh²y at (8, 8): −1.8e-6)
            "flat_down": np.asarray(flat, bool) & np.asarray(negative, bool) & (kind == "")
            & ~np.asarray(model_holds, bool),
            "maximum": np.asarray(negative, bool) | (kind == "maximum")}


def classify(f: RunFacts) -> str:
    """The label of one run: the first rule of :data:`RULES` that fits."""
    from .optim.schedules import parse_schedule

    t = f.thresholds
    flat = _plateau_flat(f.lam_end, f.eigenvalues is not None, t)
    parts = _conditions(
        t, falls=f.falls_to is not None, diverged=f.status == "diverged",
        near=f.near_critical, steps=f.steps, no_progress=f.made_no_progress,
        oscillation=f.oscillation, descending=f.descending, value=f.value,
        start_value=f.start_value, flat_tail=f.numerically_flat,
        flat_sloping=f.flat_sloping, near_kink=f.near_kink,
        listed_kind=f.listed_kind or "", positive=f.positive, negative=f.negative, flat=flat,
        falls_nearby=f.falls_nearby, model_holds=f.model_holds,
        frozen=f.schedule is not None and parse_schedule(f.schedule).froze(f.steps))
    return str(finish_labels({**parts, "value": np.asarray(f.value)}, f.best,
                             f.unbounded, t["value_tol"]))


def largest_curvature(obj, points) -> np.ndarray:
    """λmax, the largest Hessian eigenvalue, at each point ``(M, D)`` → ``(M,)`` (NaN where
    the Hessian is not finite): what every stability bound divides by."""
    return _eigenvalues(obj, np.atleast_2d(np.asarray(points, dtype=np.float64)))[:, -1]


def explain(label: str, f: RunFacts, options=None) -> tuple[str, str]:
    """``(explanation, advice)`` for a run with these facts and this label
    (:func:`gdlab.advice.advise` without the suggestion)."""
    from .advice import OPTIONS, advise

    return advise(label, f, frozenset(OPTIONS if options is None else options))[:2]
