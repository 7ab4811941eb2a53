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

Eigenvalues count as zero within ``max(eig_tol·max(1, max|λ|), flat)``: on a flat region
the signs of 1e-8 curvatures say nothing, so such a point is a plateau, not a saddle. The local stability bound of
gradient descent, ``2/λmax``, uses the largest Hessian eigenvalue at the start and at the end
point (a diverged run: at the start only); momentum's bound is ``2(1 + μ)/λmax`` and
Nesterov's ``2(1 + μ)/((1 + 2μ)λmax)``, and the advice quotes the one that applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Diagnosis", "diagnose", "LABELS", "stability_bound"]

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

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "explanation": self.explanation, "advice": self.advice,
                "stability_bound": self.stability_bound, "lambda_max": self.lambda_max,
                "eigenvalues": self.eigenvalues, "nearest_minimum": self.nearest_minimum}


def stability_bound(lambda_max: float | None, optimizer: str = "gd",
                    momentum: float = 0.0) -> float | None:
    """Largest stable learning rate on a quadratic with top curvature ``lambda_max``.

    >>> stability_bound(2.0)
    1.0
    >>> stability_bound(2.0, "momentum", 0.9)
    1.9
    """
    if lambda_max is None or not np.isfinite(lambda_max) or lambda_max <= 0:
        return None
    if optimizer == "momentum":
        return float(2 * (1 + momentum) / lambda_max)
    if optimizer == "nesterov":
        return float(2 * (1 + momentum) / ((1 + 2 * momentum) * lambda_max))
    return float(2 / lambda_max)


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


def _fmt_point(x) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in x) + ")"


def diagnose(result, *, grad_zero: float = 1e-5, flat: float = 1e-6, value_tol: float = 1e-6,
             oscillation: float = 0.5, eig_tol: float = 1e-8,
             near_point: float = 1e-3) -> list[list[Diagnosis]]:
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
    obj = result.objective
    K, B = result.shape
    D = result.starts.shape[1]
    lam_end = _eigenvalues(obj, result.final.reshape(-1, D)).reshape(K, B, D)
    lam_start = _eigenvalues(obj, result.starts)  # (B, D)
    library = obj.library
    dim = obj.dim
    listed = library.critical_points(dim) if library is not None else []
    minima = [p for p in listed if p.kind.endswith("minimum")]
    known_best = library.minimum_value(dim) if library is not None else None
    unbounded = library is not None and known_best is None

    status = result.status
    near = (status == "converged") | ((status == "max_steps") & (result.gradient_norm <= grad_zero))
    scale = np.maximum(1.0, np.nanmax(np.abs(lam_end), axis=-1, initial=0.0))
    # curvature below `flat` has no sign worth reporting: such a point is flat, not a saddle
    tol_e = np.maximum(eig_tol * scale, flat)
    pos = lam_end > tol_e[..., None]
    neg = lam_end < -tol_e[..., None]
    minimiser = near & ~neg.any(axis=-1) & np.all(np.isfinite(lam_end), axis=-1)
    lowest_found = None
    if library is None and K * B >= 2 and minimiser.any():
        lowest_found = float(np.min(result.value[minimiser]))
    best = known_best if known_best is not None else lowest_found

    rows: list[list[Diagnosis]] = []
    for k, opt in enumerate(result.optimizers):
        row = []
        for b in range(B):
            row.append(_one(result, k, b, opt, lam_start[b], lam_end[k, b], near[k, b],
                            pos[k, b], neg[k, b], best, unbounded, lowest_found is not None,
                            listed, minima, grad_zero, flat, value_tol, oscillation,
                            near_point))
        rows.append(row)
    return rows


def _one(result, k, b, opt, lam_start, lam_end, near, pos, neg, best, unbounded,
         best_is_found, listed, minima, grad_zero, flat, value_tol, oscillation, near_point
         ) -> Diagnosis:
    status = result.status[k, b]
    x = result.final[k, b]
    f = float(result.value[k, b])
    f0 = float(result.start_value[k, b])
    gn = float(result.gradient_norm[k, b])
    steps = int(result.steps[k, b])
    candidates = [np.nanmax(lam_start)] if np.any(np.isfinite(lam_start)) else []
    if status != "diverged" and np.any(np.isfinite(lam_end)):
        candidates.append(np.nanmax(lam_end))
    lam_max = float(max(candidates)) if candidates else None
    bound = stability_bound(lam_max)
    lr = opt.hyper.get("lr")
    lr = float(lr) if lr is not None and np.ndim(lr) == 0 else None
    momentum = float(opt.hyper.get("momentum", 0.0)) if np.ndim(opt.hyper.get("momentum", 0.0)) == 0 else 0.0
    own_bound = stability_bound(lam_max, opt.name, momentum)
    plain_gd = opt.name in ("gd", "momentum", "nesterov")
    eig = None if status == "diverged" or not np.all(np.isfinite(lam_end)) else \
        [float(v) for v in lam_end]
    nearest = None
    if minima and np.all(np.isfinite(x)):
        dists = [float(np.linalg.norm(x - np.array(p.location))) for p in minima]
        i = int(np.argmin(dists))
        nearest = {**minima[i].as_dict(), "distance": dists[i]}

    def verdict(label, explanation, advice):
        return Diagnosis(label, explanation, advice, bound, lam_max, eig, nearest)

    lr_text = f"learning rate {lr:g}" if lr is not None else "the learning rate"
    if status == "diverged":
        explanation = f"f blew up after {steps} step{'s' if steps != 1 else ''}" + (
            f" (|f| reached {abs(f):.3g})." if np.isfinite(f) else " (f became non-finite).")
        if plain_gd and lr is not None and own_bound is not None and lr > own_bound:
            advice = (f"{lr_text} is {lr / own_bound:.3g}× above the stability bound "
                      f"{own_bound:.3g} for this function: try lr < {own_bound:.3g}.")
        else:
            advice = f"{lr_text} is too large here: try one ten times smaller."
        return verdict("diverged", explanation, advice)

    if not near:
        osc = float(result.oscillation[k, b])
        reference = float(result.mid_value[k, b])
        if not np.isfinite(reference):
            reference = f0
        descending = f < reference - 1e-15 * max(1.0, abs(reference))
        if osc >= oscillation or not descending:
            if osc >= oscillation:
                explanation = (f"did not converge in {steps} steps: the step reversed "
                               f"direction in {osc:.0%} of the recent steps")
            else:
                explanation = (f"did not converge in {steps} steps and stopped descending "
                               f"(f = {f:.4g})")
            if plain_gd and lr is not None and lam_max is not None and own_bound is not None:
                explanation += (f"; lr·λmax = {lr * lam_max:.3g}, so the learning rate is "
                                f"{'above' if lr > own_bound else 'near'} the stability bound "
                                f"{own_bound:.3g}.")
                advice = (f"lower the learning rate to about {own_bound / 2:.3g} (half the "
                          "bound damps the zig-zag), or use momentum or Adam.")
            else:
                explanation += "."
                advice = f"lower {lr_text}, or let a schedule decay it."
            return verdict("oscillating", explanation, advice)
        explanation = (f"still descending when the {steps}-step limit was reached: f fell from "
                       f"{f0:.6g} to {f:.6g} (by {f0 - f:.3g}), ‖∇f‖ = {gn:.2g}.")
        if plain_gd and lr is not None and own_bound is not None and lr < own_bound / 10:
            advice = (f"{lr_text} is {own_bound / lr:.3g}× below the stability bound "
                      f"{own_bound:.3g}: try about {own_bound / 2:.3g}, or allow more steps.")
        else:
            advice = ("allow more steps, or use momentum or Adam, which move faster along "
                      "shallow valleys.")
        return verdict("slow", explanation, advice)

    listed_here = None
    for p in listed:
        if np.linalg.norm(x - np.array(p.location)) <= near_point:
            listed_here = p
            break
    where = _fmt_point(x)
    if (pos.any() and neg.any()) or (listed_here is not None and listed_here.kind == "saddle"):
        if pos.any() and neg.any():
            shape = (f"the curvature is positive in some directions and negative in others "
                     f"(λ from {float(np.min(lam_end)):.3g} to {float(np.max(lam_end)):.3g})")
        else:
            shape = ("the Hessian is ≈ 0 there: a degenerate saddle, downhill in some "
                     "directions at higher order")
        return verdict(
            "saddle",
            f"stopped at a saddle point {where}: ∇f ≈ 0 ({gn:.2g}) but {shape}.",
            "a small push along the downhill direction escapes: start elsewhere, add gradient "
            "noise (noise=0.01), or use momentum.")
    if neg.any() or (listed_here is not None and listed_here.kind == "maximum"):
        return verdict(
            "maximum",
            f"stopped at a local maximum {where}: ∇f ≈ 0 and the curvature is negative.",
            "gradient descent rests on a maximum only if it starts exactly there or "
            "symmetrically around it: perturb the start.")
    is_flat = eig is not None and np.all(np.abs(lam_end) <= flat)
    lower_known = unbounded or (best is not None and f > best + value_tol * max(1.0, abs(best)))
    if is_flat and lower_known:
        lower = "the function is unbounded below" if best is None else \
            f"a lower value {best:.4g} is known"
        return verdict(
            "plateau",
            f"stalled on a plateau at {where}: ‖∇f‖ = {gn:.2g} and the curvature is below "
            f"{flat:g} in every direction, while {lower}.",
            "start closer to the valley, use Adam or RMSprop (they rescale tiny gradients), "
            "or add momentum.")
    if best is not None and abs(f - best) <= value_tol * max(1.0, abs(best)):
        source = "the lowest found among this call's runs, not proven global" \
            if best_is_found else "the known global minimum"
        return verdict(
            "global_minimum",
            f"reached a global minimum: f = {f:.6g} at {where} ({source}) in {steps} steps.",
            "nothing to fix; compare optimizers or learning rates to get here in fewer steps.")
    if best is not None:
        return verdict(
            "local_minimum",
            f"reached a local minimum f = {f:.6g} at {where}, but a lower value {best:.6g} "
            "is known.",
            "the start decides the basin: start elsewhere, or use momentum or noise to cross "
            "the barrier.")
    note = " The function is flat here (curvature below " \
        f"{flat:g}): it may be a plateau rather than a minimum." if is_flat else ""
    return verdict(
        "minimum",
        f"reached a minimum f = {f:.6g} at {where} in {steps} steps; there is nothing to "
        f"compare it with.{note}",
        "run several starts (or a library function with known minima) to learn whether it "
        "is the global one.")
