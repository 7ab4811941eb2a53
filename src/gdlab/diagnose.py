r"""Why each run ended where it did: one label, an explanation and advice per run.

Labels, in order of precedence (the first that fits wins):

=================  =========================================================================
label              rule (thresholds are keyword arguments of :func:`diagnose`)
=================  =========================================================================
diverged           the engine stopped the run: a non-finite value, or \|f\| or ‖x‖ blew up
oscillating        not at a critical point and the step reversed direction in at least
                   ``oscillation`` (0.5) of the recent steps — or the run stopped descending
slow               hit the step limit while f was still going down
saddle             ‖∇f‖ ≈ 0 (converged, or ≤ ``grad_zero``) and Hessian eigenvalues of both
                   signs (or the end point is a saddle the library lists)
maximum            ‖∇f‖ ≈ 0 and no positive curvature
plateau            ‖∇f‖ ≈ 0, every \|λ\| ≤ ``flat`` (1e-6), and a lower value is known
global_minimum     a minimiser whose value is within ``value_tol`` (relative, 1e-6) of the
                   lowest known: the library's global minimum, or for a typed formula the
                   lowest minimiser reached by any run of the call (when there are two or more)
local_minimum      a minimiser, and a lower value is known
minimum            a minimiser with nothing to compare against
=================  =========================================================================

Deciding is apart from wording: :func:`facts` gathers one :class:`RunFacts` record per run,
:func:`classify` turns it into a label (the rules above, nothing else) and :func:`explain`
into the explanation and advice. Eigenvalues count as zero as :mod:`gdlab.critical` says (the
same rule as the calculus at a point): within ``max(eig_tol·max(1, max|λ|), flat)``. The
local stability bound of
gradient descent, ``2/λmax``, uses the largest Hessian eigenvalue at the start and at the end
point (a diverged run: at the start only); momentum's bound is ``2(1 + μ)/λmax`` and
Nesterov's ``2(1 + μ)/((1 + 2μ)λmax)``, and the advice quotes the one that applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import critical

__all__ = ["Diagnosis", "RunFacts", "diagnose", "facts", "classify", "explain", "LABELS",
           "stability_bound", "optimizer_bound", "largest_curvature", "BOUNDS"]

LABELS = ("diverged", "oscillating", "slow", "saddle", "maximum", "plateau", "global_minimum",
          "local_minimum", "minimum")
_HESSIAN_CHUNK = 20_000


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on one run.

    Attributes:
        label: one of :data:`LABELS`.
        explanation: what happened, in one or two sentences with the numbers.
        advice: what to try.
        stability_bound: ``2/λmax`` (``None`` where λmax ≤ 0 or unknown).
        lambda_max: the λmax behind it.
        optimizer_bound: the run's own optimizer's bound (:data:`BOUNDS`: with momentum
            ``2(1+μ)/λmax``, …); ``None`` for an optimizer without one (the adaptive ones).
        eigenvalues: Hessian eigenvalues at the end point (``None`` for a diverged run).
        nearest_minimum: the closest known minimum ``{location, value, kind, distance}`` or
            ``None``.
    """

    label: str
    explanation: str
    advice: str
    stability_bound: float | None
    lambda_max: float | None
    eigenvalues: list[float] | None
    nearest_minimum: dict[str, Any] | None
    optimizer_bound: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "explanation": self.explanation, "advice": self.advice,
                "stability_bound": self.stability_bound, "lambda_max": self.lambda_max,
                "optimizer_bound": self.optimizer_bound, "eigenvalues": self.eigenvalues,
                "nearest_minimum": self.nearest_minimum}


#: The largest stable learning rate on a quadratic with top curvature λ, per optimizer that
#: has one (the adaptive methods rescale their steps and have none): formula text and rule.
BOUNDS = {
    "gd": ("2/λmax", lambda lam, mu: 2 / lam),
    "momentum": ("2(1+μ)/λmax", lambda lam, mu: 2 * (1 + mu) / lam),
    "nesterov": ("2(1+μ)/((1+2μ)λmax)", lambda lam, mu: 2 * (1 + mu) / ((1 + 2 * mu) * lam)),
}


def optimizer_bound(lambda_max: float | None, optimizer: str, momentum: float = 0.0
                    ) -> float | None:
    """The optimizer's own bound (:data:`BOUNDS`), ``None`` for one without a bound."""
    return stability_bound(lambda_max, optimizer, momentum) if optimizer in BOUNDS else None


def stability_bound(lambda_max: float | None, optimizer: str = "gd",
                    momentum: float = 0.0) -> float | None:
    """Largest stable learning rate on a quadratic with top curvature ``lambda_max``
    (:data:`BOUNDS`; gradient descent's 2/λmax for an optimizer without a bound of its own).

    >>> stability_bound(2.0)
    1.0
    >>> stability_bound(2.0, "momentum", 0.9)
    1.9
    """
    if lambda_max is None or not np.isfinite(lambda_max) or lambda_max <= 0:
        return None
    return float(BOUNDS.get(optimizer, BOUNDS["gd"])[1](lambda_max, momentum))


def _eigenvalues(obj, points: np.ndarray) -> np.ndarray:
    """Hessian eigenvalues ``(M, D)`` (NaN rows where not finite), in chunks."""
    out = np.full(points.shape, np.nan)
    finite = np.all(np.isfinite(points), axis=-1)
    idx = np.flatnonzero(finite)
    for lo in range(0, len(idx), _HESSIAN_CHUNK):
        part = idx[lo:lo + _HESSIAN_CHUNK]
        with np.errstate(all="ignore"):
            h = obj.hessian(points[part])
        ok = np.all(np.isfinite(h), axis=(-1, -2))
        if ok.any():
            out[part[ok]] = np.linalg.eigvalsh(0.5 * (h[ok] + np.swapaxes(h[ok], -1, -2)))
    return out


@dataclass(frozen=True)
class RunFacts:
    """What the diagnosis of one run rests on: numbers, no wording.

    Attributes:
        status: the engine's ``converged``, ``max_steps`` or ``diverged``.
        final, value, start_value, gradient_norm, steps, oscillation, mid_value: the run's.
        eigenvalues: Hessian eigenvalues at the end point (``None`` if not all finite or the
            run diverged); ``positive``/``negative``: curvature beyond the zero band.
        near_critical: ‖∇f‖ ≈ 0 (converged, or stopped with ‖∇f‖ ≤ ``grad_zero``).
        lambda_max: the largest curvature at the start and (unless diverged) the end.
        bound: gradient descent's 2/λmax; ``own_bound``: the optimizer's own bound
            (:func:`optimizer_bound`: ``None`` for an optimizer without one).
        optimizer, lr (``None`` when not one number).
        best: the lowest known value (``None``: nothing to compare with); ``best_is_found``:
            it is the lowest found among the call's runs; ``unbounded``: the library says f
            has no minimum.
        listed_kind: the kind of the library's critical point at the end point, if any.
        nearest_minimum: the closest known minimum as a dict with ``distance``.
        thresholds: the keyword thresholds of :func:`diagnose`.
    """

    status: str
    final: np.ndarray
    value: float
    start_value: float
    gradient_norm: float
    steps: int
    oscillation: float
    mid_value: float
    eigenvalues: list[float] | None
    lam_end: np.ndarray
    positive: bool
    negative: bool
    near_critical: bool
    lambda_max: float | None
    bound: float | None
    own_bound: float | None
    optimizer: str
    lr: float | None
    best: float | None
    best_is_found: bool
    unbounded: bool
    listed_kind: str | None
    nearest_minimum: dict[str, Any] | None
    thresholds: dict[str, float]

    @property
    def flat(self) -> bool:
        return self.eigenvalues is not None and \
            bool(np.all(np.abs(self.lam_end) <= self.thresholds["flat"]))

    @property
    def descending(self) -> bool:
        """f still fell in the second half of the budget (from the start if it stopped
        earlier)."""
        ref = self.mid_value if np.isfinite(self.mid_value) else self.start_value
        return self.value < ref - 1e-15 * max(1.0, abs(ref))


def diagnose(result, *, grad_zero: float = critical.STOPPED_GRAD_TOL,
             flat: float = critical.FLAT, value_tol: float = 1e-6, oscillation: float = 0.5,
             eig_tol: float = critical.EIG_TOL, near_point: float = 1e-3
             ) -> list[list[Diagnosis]]:
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

    Returns:
        ``(K, B)`` nested lists of :class:`Diagnosis`.
    """
    thresholds = {"grad_zero": grad_zero, "flat": flat, "value_tol": value_tol,
                  "oscillation": oscillation, "eig_tol": eig_tol, "near_point": near_point}
    return [[_verdict(f) for f in row] for row in facts(result, **thresholds)]


def _verdict(f: RunFacts) -> Diagnosis:
    label = classify(f)
    explanation, advice = explain(label, f)
    return Diagnosis(label, explanation, advice, f.bound, f.lambda_max, f.eigenvalues,
                     f.nearest_minimum, f.own_bound)


def facts(result, **thresholds) -> list[list[RunFacts]]:
    """``(K, B)`` :class:`RunFacts` of a run; ``thresholds`` as :func:`diagnose` takes them."""
    obj = result.objective
    K, B = result.shape
    D = result.starts.shape[1]
    lam_end = _eigenvalues(obj, result.final.reshape(-1, D)).reshape(K, B, D)
    lam_start = _eigenvalues(obj, result.starts)  # (B, D)
    library = obj.library
    listed = library.critical_points(obj.dim) if library is not None else []
    minima = [p for p in listed if p.kind.endswith("minimum")]
    known_best = library.minimum_value(obj.dim) if library is not None else None
    status = result.status
    near = (status == "converged") | ((status == "max_steps")
                                      & (result.gradient_norm <= thresholds["grad_zero"]))
    pos, neg = critical.signs(lam_end, thresholds["eig_tol"], thresholds["flat"])
    minimiser = near & ~neg.any(axis=-1) & np.all(np.isfinite(lam_end), axis=-1)
    lowest_found = None
    if library is None and K * B >= 2 and minimiser.any():
        lowest_found = float(np.min(result.value[minimiser]))
    shared = {"best": known_best if known_best is not None else lowest_found,
              "best_is_found": lowest_found is not None,
              "unbounded": library is not None and known_best is None}
    return [[_facts(result, k, b, lam_start[b], lam_end[k, b], bool(near[k, b]),
                    bool(pos[k, b].any()), bool(neg[k, b].any()), listed, minima, shared,
                    thresholds)
             for b in range(B)] for k in range(K)]


def _scalar(value) -> float | None:
    return float(value) if value is not None and np.ndim(value) == 0 else None


def _facts(result, k, b, lam_start, lam_end, near, positive, negative, listed, minima, shared,
           thresholds) -> RunFacts:
    status = str(result.status[k, b])
    x = result.final[k, b]
    opt = result.optimizers[k]
    candidates = [np.nanmax(lam_start)] if np.any(np.isfinite(lam_start)) else []
    if status != "diverged" and np.any(np.isfinite(lam_end)):
        candidates.append(np.nanmax(lam_end))
    lam_max = float(max(candidates)) if candidates else None
    momentum = _scalar(opt.hyper.get("momentum", 0.0)) or 0.0
    nearest = None
    if minima and np.all(np.isfinite(x)):
        dists = [float(np.linalg.norm(x - np.array(p.location))) for p in minima]
        i = int(np.argmin(dists))
        nearest = {**minima[i].as_dict(), "distance": dists[i]}
    listed_kind = next((p.kind for p in listed if np.linalg.norm(x - np.array(p.location))
                        <= thresholds["near_point"]), None)
    eig = None if status == "diverged" or not np.all(np.isfinite(lam_end)) else \
        [float(v) for v in lam_end]
    return RunFacts(
        status=status, final=x, value=float(result.value[k, b]),
        start_value=float(result.start_value[k, b]),
        gradient_norm=float(result.gradient_norm[k, b]), steps=int(result.steps[k, b]),
        oscillation=float(result.oscillation[k, b]), mid_value=float(result.mid_value[k, b]),
        eigenvalues=eig, lam_end=lam_end, positive=positive, negative=negative,
        near_critical=near, lambda_max=lam_max, bound=stability_bound(lam_max),
        own_bound=optimizer_bound(lam_max, opt.name, momentum), optimizer=opt.name,
        lr=_scalar(opt.hyper.get("lr")), listed_kind=listed_kind,
        nearest_minimum=nearest, thresholds=thresholds, **shared)


def classify(f: RunFacts) -> str:
    """The label of one run: the first rule of the table above that fits."""
    t = f.thresholds
    if f.status == "diverged":
        return "diverged"
    if not f.near_critical:
        if f.oscillation >= t["oscillation"] or not f.descending:
            return "oscillating"
        return "slow"
    if (f.positive and f.negative) or f.listed_kind == "saddle":
        return "saddle"
    if f.negative or f.listed_kind == "maximum":
        return "maximum"
    best = f.best
    lower_known = f.unbounded or (best is not None
                                  and f.value > best + t["value_tol"] * max(1.0, abs(best)))
    if f.flat and lower_known:
        return "plateau"
    if best is not None and abs(f.value - best) <= t["value_tol"] * max(1.0, abs(best)):
        return "global_minimum"
    return "local_minimum" if best is not None else "minimum"


def largest_curvature(obj, points) -> np.ndarray:
    """λmax, the largest Hessian eigenvalue, at each point ``(M, D)`` → ``(M,)`` (NaN where
    the Hessian is not finite): what every stability bound divides by."""
    return _eigenvalues(obj, np.atleast_2d(np.asarray(points, dtype=np.float64)))[:, -1]


def _fmt_point(x) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in x) + ")"


def _lr_text(f: RunFacts) -> str:
    return f"learning rate {f.lr:g}" if f.lr is not None else "the learning rate"


def _explain_diverged(f):
    explanation = f"f blew up after {f.steps} step{'s' if f.steps != 1 else ''}" + (
        f" (|f| reached {abs(f.value):.3g})." if np.isfinite(f.value)
        else " (f became non-finite).")
    bound = f.own_bound
    if f.lr is not None and bound is not None and f.lr > bound:
        advice = (f"{_lr_text(f)} is {f.lr / bound:.3g}× above the stability bound "
                  f"{bound:.3g} for this function: try lr < {bound:.3g}.")
    else:
        advice = f"{_lr_text(f)} is too large here: try one ten times smaller."
    return explanation, advice


def _explain_oscillating(f):
    if f.oscillation >= f.thresholds["oscillation"]:
        explanation = (f"did not converge in {f.steps} steps: the step reversed direction in "
                       f"{f.oscillation:.0%} of the recent steps")
    else:
        explanation = (f"did not converge in {f.steps} steps and stopped descending "
                       f"(f = {f.value:.4g})")
    bound = f.own_bound
    if f.lr is not None and f.lambda_max is not None and bound is not None:
        explanation += (f"; lr·λmax = {f.lr * f.lambda_max:.3g}, so the learning rate is "
                        f"{'above' if f.lr > bound else 'near'} the stability bound "
                        f"{bound:.3g}.")
        advice = (f"lower the learning rate to about {bound / 2:.3g} (half the bound damps "
                  "the zig-zag), or use momentum or Adam.")
    else:
        explanation += "."
        advice = f"lower {_lr_text(f)}, or let a schedule decay it."
    return explanation, advice


def _explain_slow(f):
    explanation = (f"still descending when the {f.steps}-step limit was reached: f fell from "
                   f"{f.start_value:.6g} to {f.value:.6g} (by {f.start_value - f.value:.3g}), "
                   f"‖∇f‖ = {f.gradient_norm:.2g}.")
    bound = f.own_bound
    if f.lr is not None and bound is not None and f.lr < bound / 10:
        advice = (f"{_lr_text(f)} is {bound / f.lr:.3g}× below the stability bound "
                  f"{bound:.3g}: try about {bound / 2:.3g}, or allow more steps.")
    else:
        advice = ("allow more steps, or use momentum or Adam, which move faster along "
                  "shallow valleys.")
    return explanation, advice


def _explain_saddle(f):
    if f.positive and f.negative:
        shape = (f"the curvature is positive in some directions and negative in others "
                 f"(λ from {float(np.min(f.lam_end)):.3g} to {float(np.max(f.lam_end)):.3g})")
    else:
        shape = ("the Hessian is ≈ 0 there: a degenerate saddle, downhill in some directions "
                 "at higher order")
    return (f"stopped at a saddle point {_fmt_point(f.final)}: ∇f ≈ 0 ({f.gradient_norm:.2g}) "
            f"but {shape}.",
            "a small push along the downhill direction escapes: start elsewhere, add gradient "
            "noise (noise=0.01), or use momentum.")


def _explain_maximum(f):
    return (f"stopped at a local maximum {_fmt_point(f.final)}: ∇f ≈ 0 and the curvature is "
            "negative.",
            "gradient descent rests on a maximum only if it starts exactly there or "
            "symmetrically around it: perturb the start.")


def _explain_plateau(f):
    lower = "the function is unbounded below" if f.best is None else \
        f"a lower value {f.best:.4g} is known"
    return (f"stalled on a plateau at {_fmt_point(f.final)}: ‖∇f‖ = {f.gradient_norm:.2g} and "
            f"the curvature is below {f.thresholds['flat']:g} in every direction, while "
            f"{lower}.",
            "start closer to the valley, use Adam or RMSprop (they rescale tiny gradients), "
            "or add momentum.")


def _explain_global(f):
    source = "the lowest found among this call's runs, not proven global" \
        if f.best_is_found else "the known global minimum"
    return (f"reached a global minimum: f = {f.value:.6g} at {_fmt_point(f.final)} ({source}) "
            f"in {f.steps} steps.",
            "nothing to fix; compare optimizers or learning rates to get here in fewer steps.")


def _explain_local(f):
    return (f"reached a local minimum f = {f.value:.6g} at {_fmt_point(f.final)}, but a lower "
            f"value {f.best:.6g} is known.",
            "the start decides the basin: start elsewhere, or use momentum or noise to cross "
            "the barrier.")


def _explain_minimum(f):
    note = " The function is flat here (curvature below " \
        f"{f.thresholds['flat']:g}): it may be a plateau rather than a minimum." if f.flat else ""
    return (f"reached a minimum f = {f.value:.6g} at {_fmt_point(f.final)} in {f.steps} steps; "
            f"there is nothing to compare it with.{note}",
            "run several starts (or a library function with known minima) to learn whether it "
            "is the global one.")


_EXPLAIN = {"diverged": _explain_diverged, "oscillating": _explain_oscillating,
            "slow": _explain_slow, "saddle": _explain_saddle, "maximum": _explain_maximum,
            "plateau": _explain_plateau, "global_minimum": _explain_global,
            "local_minimum": _explain_local, "minimum": _explain_minimum}


def explain(label: str, f: RunFacts) -> tuple[str, str]:
    """``(explanation, advice)`` for a run with these facts and this label."""
    return _EXPLAIN[label](f)
