"""What counts as a critical point, and of which kind — one definition for the calculus at a
point (:func:`gdlab.calculus.classify_critical_point`) and the diagnosis of runs
(:mod:`gdlab.diagnose`).

* ‖∇f‖ ≤ :data:`GRAD_TOL` at a point is a critical point; a run that stopped at its step limit
  counts as at one when ‖∇f‖ ≤ :data:`STOPPED_GRAD_TOL` (a run that reached its own ``tol``
  always does).
* A Hessian eigenvalue counts as zero within ``max(EIG_TOL·max(1, max|λ|), FLAT)``: relative
  to the largest curvature, and never below :data:`FLAT`, since on a flat region the signs
  of 1e-8 curvatures say nothing (such a point is flat, not a saddle).

>>> kind_of(np.array([2.0, -2.0]))
'saddle'
>>> kind_of(np.array([2.0, 1e-9]))
'degenerate'
"""

from __future__ import annotations

import numpy as np

__all__ = ["GRAD_TOL", "STOPPED_GRAD_TOL", "EIG_TOL", "FLAT", "signs", "kind_of", "newton",
           "NEWTON_STEPS"]

GRAD_TOL = 1e-6
STOPPED_GRAD_TOL = 1e-5
EIG_TOL = 1e-8
FLAT = 1e-6
#: Newton's steps on ∇f = 0 toward the critical point beside a point (:func:`newton`)
NEWTON_STEPS = 20


def signs(eigenvalues, eig_tol: float = EIG_TOL, flat: float = FLAT
          ) -> tuple[np.ndarray, np.ndarray]:
    """``(positive, negative)`` masks of eigenvalues ``(..., D)`` beyond the zero band."""
    eig = np.asarray(eigenvalues, dtype=np.float64)
    scale = np.maximum(1.0, np.nanmax(np.abs(eig), axis=-1, initial=0.0))
    tol = np.maximum(eig_tol * scale, flat)[..., None]
    return eig > tol, eig < -tol


def kind_of(eigenvalues, eig_tol: float = EIG_TOL, flat: float = FLAT) -> str:
    """``minimum``, ``maximum``, ``saddle`` or ``degenerate`` (some eigenvalue is zero and
    the signs do not mix: the second-derivative test cannot decide) for one point's
    eigenvalues ``(D,)``."""
    pos, neg = signs(eigenvalues, eig_tol, flat)
    if pos.any() and neg.any():
        return "saddle"
    if pos.all():
        return "minimum"
    if neg.all():
        return "maximum"
    return "degenerate"


def newton(obj, x) -> np.ndarray:
    """Newton's method on ∇f = 0 from each point ``(M, D)``, :data:`NEWTON_STEPS` steps (each
    row stops once its step is below 1e-12 of it): the critical point beside each point, for
    the diagnosis to judge; NaN rows where ∇f or the Hessian is not finite or singular."""
    x = np.array(x, dtype=np.float64)
    moving = np.ones(len(x), dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(NEWTON_STEPS):
            if not moving.any():
                break
            g = np.asarray(obj.gradient(x[moving]), dtype=np.float64).reshape(-1, x.shape[1])
            h = np.asarray(obj.hessian(x[moving]), dtype=np.float64).reshape(
                len(g), x.shape[1], x.shape[1])
            step = np.full_like(g, np.nan)
            for i in np.flatnonzero(np.all(np.isfinite(h), axis=(1, 2))
                                    & np.all(np.isfinite(g), axis=-1)):
                try:
                    step[i] = np.linalg.solve(h[i], g[i])
                except np.linalg.LinAlgError:
                    pass
            rows = np.flatnonzero(moving)
            x[rows] = x[rows] - step
            done = ~(np.linalg.norm(step, axis=-1) > 1e-12 * np.maximum(
                1.0, np.linalg.norm(x[rows], axis=-1)))
            moving[rows[done]] = False
    return x
