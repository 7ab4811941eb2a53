"""``softplus`` and ``sigmoid`` as SymPy functions that know their derivatives and evaluate
without overflow.

Written out, ``log(1 + exp(a))`` overflows to ``inf`` at a = 750 (its value is 750) and the
derivative of ``1/(1 + exp(−a))`` reads ``inf/inf`` at a = −750 (its value is 0). As functions
of their own, ``softplus′ = sigmoid`` and ``sigmoid′(a) = sigmoid(a)·sigmoid(−a)`` (which is
``σ·(1 − σ)`` without its cancellation), and each is
evaluated by the form that cannot overflow on its side of 0:

* ``softplus(a) = max(a, 0) + log1p(exp(−|a|))``;
* ``sigmoid(a) = 1/(1 + exp(−a))`` for a ≥ 0, ``exp(a)/(1 + exp(a))`` below.

The NumPy forms (:data:`NUMPY`) take real and complex arrays (the complex step); the numba
kernels print the same forms (:data:`SCALAR_CODE`). ``expr.rewrite(sympy.exp)`` gives the
written-out forms back, and ``evalf`` evaluates through them at any precision.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> softplus(x).diff(x)
sigmoid(x)
>>> float(NUMPY["softplus"](750.0)), float(NUMPY["sigmoid"](-750.0))
(750.0, 0.0)
"""

from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["softplus", "sigmoid", "NUMPY", "SCALAR_CODE"]


class sigmoid(sp.Function):  # noqa: N801 - SymPy prints the class name
    """The logistic function ``1/(1 + exp(−a))``."""

    nargs = 1

    @classmethod
    def eval(cls, a):
        if a.is_Number:
            return 1 / (1 + sp.exp(-a))
        return None

    def fdiff(self, argindex=1):
        # σ(a)·(1 − σ(a)), written σ(a)·σ(−a): 1 − σ(40) would round to 0 (it is 4.2e-18)
        return sigmoid(self.args[0]) * sigmoid(-self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_rewrite_as_exp(self, a, **kwargs):
        return 1 / (1 + sp.exp(-a))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)


class softplus(sp.Function):  # noqa: N801
    """``log(1 + exp(a))``."""

    nargs = 1

    @classmethod
    def eval(cls, a):
        if a.is_Number:
            return sp.log(1 + sp.exp(a))
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_rewrite_as_exp(self, a, **kwargs):
        return sp.log(1 + sp.exp(a))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)


def _softplus(a):
    a = np.asarray(a)
    positive = a.real > 0
    with np.errstate(all="ignore"):
        return np.where(positive, a, 0) + np.log1p(np.exp(np.where(positive, -a, a)))


def _sigmoid(a):
    a = np.asarray(a)
    positive = a.real >= 0
    with np.errstate(all="ignore"):
        t = np.exp(np.where(positive, -a, a))
        return np.where(positive, 1 / (1 + t), t / (1 + t))


def _reciprocal(fn):
    def reciprocal(a):
        with np.errstate(all="ignore"):
            return 1 / fn(a)

    return reciprocal


#: NumPy implementations by name, for :func:`sympy.lambdify`. ``cot``, ``sec`` and ``csc`` are
#: here because SymPy's printers otherwise rewrite them — and every function inside them — in
#: terms of ``tan``, ``cos``, ``sin``: ``cot(tanh(x))`` became ``-1/tan(1j*tan(1j*x))``, complex
#: code for a real function.
NUMPY = {"softplus": _softplus, "sigmoid": _sigmoid, "cot": _reciprocal(np.tan),
         "sec": _reciprocal(np.cos), "csc": _reciprocal(np.sin)}

#: Scalar Python (numba) code by name; ``{a}`` is the printed argument.
SCALAR_CODE = {
    "cot": "(1.0 / math.tan({a}))", "sec": "(1.0 / math.cos({a}))",
    "csc": "(1.0 / math.sin({a}))",
    "softplus": "(({a}) + math.log1p(math.exp(-({a}))) if ({a}) > 0 "
                "else math.log1p(math.exp({a})))",
    "sigmoid": "(1.0 / (1.0 + math.exp(-({a}))) if ({a}) >= 0 "
               "else math.exp({a}) / (1.0 + math.exp({a})))",
}
