"""Shared test cases: formulas typed as text beside the same function built directly in SymPy
(the independent reference), and high-precision reference derivatives."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

x, y, z = sp.symbols("x y z", real=True)

#: (text as a user types it, the same function built in SymPy, sample box)
SMOOTH = [
    ("100*(y - x^2)^2 + (1 - x)^2", 100 * (y - x**2) ** 2 + (1 - x) ** 2, 2.0),
    ("sin(x)*exp(y) + x*y**3", sp.sin(x) * sp.exp(y) + x * y**3, 2.0),
    ("log(1 + x**2 + y**2) * cos(x*y)", sp.log(1 + x**2 + y**2) * sp.cos(x * y), 2.0),
    ("sqrt(1 + x^2 + 2*y^2) - atan(x*y)", sp.sqrt(1 + x**2 + 2 * y**2) - sp.atan(x * y), 2.0),
    ("exp(-(x^2 + y^2)/4) * (x - 2*y + 3)", sp.exp(-(x**2 + y**2) / 4) * (x - 2 * y + 3), 2.0),
    ("tanh(x + 2*y) + sigmoid(x*z) - z^4/4", sp.tanh(x + 2 * y) + 1 / (1 + sp.exp(-x * z))
     - z**4 / 4, 1.5),
    ("x0^2 + x1^2", None, 5.0),  # the study note's example; reference built below
]


def reference(expr, symbols, point, digits: int = 40):
    """Value, gradient and Hessian of a SymPy expression at a point, at high precision."""
    subs = {s: sp.Float(repr(float(v)), digits) for s, v in zip(symbols, point)}
    with mpmath.workdps(digits):
        value = float(expr.evalf(digits, subs=subs))
        grad = [float(expr.diff(s).evalf(digits, subs=subs)) for s in symbols]
        hess = [[float(expr.diff(a).diff(b).evalf(digits, subs=subs)) for b in symbols]
                for a in symbols]
    return value, np.array(grad), np.array(hess)


def relative_error(approx, exact) -> float:
    """‖approx − exact‖ / ‖exact‖ (norm over the last axes), the largest over points."""
    approx, exact = np.asarray(approx, float), np.asarray(exact, float)
    axes = tuple(range(1, exact.ndim)) if exact.ndim > 1 else None
    num = np.sqrt(np.sum((approx - exact) ** 2, axis=axes))
    den = np.maximum(np.sqrt(np.sum(exact**2, axis=axes)), 1e-300)
    return float(np.max(num / den))


#: Shared problems for the optimizer suite: a library function, a start, the minimum the start
#: leads to, a step budget and how close the end point must be.
OPTIMIZER_PROBLEMS = [
    {"name": "sphere", "start": [3.0, 4.0], "minimum": [0.0, 0.0], "steps": 10000,
     "distance": 1e-3},
    {"name": "ill_conditioned", "start": [-7.0, 2.0], "minimum": [0.0, 0.0], "steps": 10000,
     "distance": 1e-3},
    {"name": "booth", "start": [0.0, 0.0], "minimum": [1.0, 3.0], "steps": 10000,
     "distance": 1e-3},
    {"name": "himmelblau", "start": [2.5, 2.5], "minimum": [3.0, 2.0], "steps": 10000,
     "distance": 1e-3},
]

#: One learning rate per optimizer that suits the shared problems ...
TUNED_LR = {"gd": 0.02, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.5, "rmsprop": 0.01,
            "adam": 0.05, "adamw": 0.05, "amsgrad": 0.05, "nadam": 0.05, "adadelta": 0.5,
            "backtracking": 1.0, "newton": 1.0}
#: ... except where a problem needs its own: Adadelta's step tends to lr·g near a minimum, so
#: it needs lr < 2/λmax there (Booth: λmax = 18).
PROBLEM_LR = {("adadelta", "booth"): 0.1}
#: AdamW's default weight decay (1e-2) moves the minimum by about 3e-3; the suite checks the
#: unregularised minimum.
EXTRA_HYPER = {"adamw": {"weight_decay": 1e-4}}


def tuned(name: str, problem: str | None = None):
    """The optimizer ``name`` with the suite's hyper-parameters for ``problem``."""
    from gdlab.optim import make

    lr = PROBLEM_LR.get((name, problem), TUNED_LR[name])
    return make(name, lr=lr, **EXTRA_HYPER.get(name, {}))
