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

__all__ = ["GRAD_TOL", "STOPPED_GRAD_TOL", "EIG_TOL", "FLAT", "signs", "kind_of"]

GRAD_TOL = 1e-6
STOPPED_GRAD_TOL = 1e-5
EIG_TOL = 1e-8
FLAT = 1e-6


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
