"""Objective: value, gradient and Hessian of a function, vectorised over ``(..., D)``.

Three sources, one interface:

* a typed formula (:meth:`Objective.from_formula`): exact derivatives, SymPy differentiation
  compiled to NumPy with common-subexpression elimination;
* a Python callable (:meth:`Objective.from_callable`): numerical derivatives by the chosen
  method, or a gradient/Hessian the user passes;
* the test-function library (:func:`gdlab.functions.get`), which builds formula objectives.

Example:
    >>> f = Objective.from_formula("x0**2 + x1**2")
    >>> f.value([3.0, 4.0])
    array(25.)
    >>> f.gradient([[3.0, 4.0], [1.0, 0.0]])
    array([[6., 8.],
           [2., 0.]])
"""

from __future__ import annotations

from functools import cached_property
from typing import Callable, Sequence

import numpy as np

from .diff import DERIVATIVE_METHODS, numeric
from .errors import ConfigError, FormulaError, PointError

__all__ = ["Objective", "as_points"]



def as_points(x, dim: int, name: str = "x", variables: Sequence[str] | None = None
              ) -> np.ndarray:
    """Validate points: numbers, finite, last axis ``dim``; returns float64 ``(..., dim)``."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise PointError(f"`{name}` must contain numbers only") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.shape[-1] != dim:
        names = f" ({', '.join(variables)})" if variables else ""
        raise PointError(f"`{name}` has {arr.shape[-1]} coordinate"
                         f"{'s' if arr.shape[-1] != 1 else ''}; the function has {dim} "
                         f"variable{'s' if dim != 1 else ''}{names}")
    if not np.all(np.isfinite(arr)):
        raise PointError(f"`{name}` must be finite (no nan or inf)")
    return arr


#: Operations per gradient entry, and gradient operations × dimension, up to which the
#: Hessian is derived symbolically.
HESSIAN_MAX_OPS = 500
HESSIAN_MAX_WORK = 60_000


class _Symbolic:
    """The SymPy derivatives of a formula and their NumPy compilations, each made on first use
    and kept (the objective's explicit cache)."""

    def __init__(self, formula):
        self.formula = formula

    @cached_property
    def gradient_exprs(self) -> list:
        from .diff.symbolic import gradient_exprs
        from .formula import sympy_guard

        with sympy_guard("differentiate"):
            return gradient_exprs(self.formula.expr, self.formula.symbols)

    @cached_property
    def hessian_exprs(self) -> list[list]:
        from .diff.symbolic import hessian_exprs
        from .formula import sympy_guard

        with sympy_guard("differentiate"):
            return hessian_exprs(self.gradient_exprs, self.formula.symbols)

    @cached_property
    def gradient_fn(self) -> Callable:
        from .diff.symbolic import compile_array

        return compile_array(self.gradient_exprs, self.formula.symbols, (self.formula.dim,))

    @cached_property
    def symbolic_hessian(self) -> bool:
        """Whether the Hessian is derived symbolically: only while the gradient is small enough
        that differentiating it again cannot blow up — at most :data:`HESSIAN_MAX_OPS`
        operations per entry, and at most :data:`HESSIAN_MAX_WORK` for all of them times the
        dimension (each entry is differentiated once per variable): Ackley in 64-D took 47 s,
        sin(v0·v1·…·v63) 150 s, sin(sin(…(x)…)) 60 deep 2 s. Otherwise the Hessian is the
        central-difference Jacobian of the exact gradient (relative error ~1e-10)."""
        import sympy as sp

        ops = sum(sp.count_ops(e) for e in self.gradient_exprs)
        dim = self.formula.dim
        return ops <= HESSIAN_MAX_OPS * dim and ops * dim <= HESSIAN_MAX_WORK

    @cached_property
    def hessian_fn(self) -> Callable:
        from .diff.symbolic import compile_array

        dim = self.formula.dim
        if not self.symbolic_hessian:
            gradient = self.gradient_fn
            return lambda x: numeric.hessian(None, x, gradient=gradient, method="central").value
        flat = [e for row in self.hessian_exprs for e in row]
        return compile_array(flat, self.formula.symbols, (dim, dim))

    @cached_property
    def kink_fn(self) -> Callable | None:
        from .diff.symbolic import compile_array, kink_exprs

        kinks = kink_exprs(self.formula.expr)
        return compile_array(kinks, self.formula.symbols, (len(kinks),)) if kinks else None

    def gradient(self, x):
        return self.gradient_fn(x)

    def hessian(self, x):
        return self.hessian_fn(x)


class Objective:
    """A function ``f: R^D -> R`` with its gradient and Hessian, vectorised over points.

    Immutable: every attribute is set by the constructor, and setting one afterwards raises
    ``AttributeError``; a formula objective compiles its derivatives on first use into an
    explicit cache. Prefer the constructors :meth:`from_formula` and :meth:`from_callable`.

    Args:
        value: vectorised ``(..., D) -> (...)``.
        dim: number of variables ``D``.
        gradient: vectorised ``(..., D) -> (..., D)`` or ``None`` for numerical.
        hessian: vectorised ``(..., D) -> (..., D, D)`` or ``None``.
        variables: names of the variables (default ``x0, x1, ...``).
        name: a label for tables and figures.
        method: numerical method used where no exact derivative is given.
        formula: the :class:`~gdlab.formula.Formula` behind an exact objective, if any.
        library: the :class:`~gdlab.functions.TestFunction` behind a library objective, if any.
    """

    def __init__(self, value: Callable, dim: int, *, gradient: Callable | None = None,
                 hessian: Callable | None = None, variables: Sequence[str] | None = None,
                 name: str | None = None, method: str = "central", formula=None,
                 library=None):
        if not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ConfigError(f"`dim` must be a positive integer; got {dim!r}")
        if method not in numeric.METHODS:
            raise ConfigError(f"`method` must be one of {', '.join(numeric.METHODS)}; "
                              f"got {method!r}")
        names = tuple(variables) if variables else tuple(f"x{i}" for i in range(dim))
        if len(names) != dim:
            raise ConfigError(f"{len(names)} variable names for {dim} variables")
        symbolic = _Symbolic(formula) if formula is not None else None
        fields = {
            "_value": value, "_symbolic": symbolic,
            "_gradient": symbolic.gradient if symbolic and gradient is None else gradient,
            "_hessian": symbolic.hessian if symbolic and hessian is None else hessian,
            "dim": int(dim), "variables": names, "name": name or "f", "method": method,
            "formula": formula, "library": library}
        for key, v in fields.items():
            object.__setattr__(self, key, v)

    def __setattr__(self, key, value):
        raise AttributeError(f"an Objective is immutable; cannot set {key!r}")

    def with_weight_decay(self, wd: float) -> "Objective":
        """``f + (wd/2)·‖x‖²``: the function an optimizer with (coupled) weight decay ``wd``
        descends (its steps follow ``∇f + wd·x``), exact where f is a formula.

        >>> Objective.from_formula("(x - 3)**2").with_weight_decay(0.5).gradient([2.4])
        array([0.])
        """
        from .formula import Formula

        wd = float(wd)
        if self.formula is not None:
            import sympy as sp

            fm = self.formula
            expr = fm.expr + sp.Float(wd) / 2 * sp.Add(*[s**2 for s in fm.symbols])
            text = f"{fm.text} + {wd / 2:g}*({' + '.join(f'{v}**2' for v in fm.variables)})"
            return Objective.from_formula(Formula(text, expr, fm.variables, fm.symbols))
        value, gradient = self.value_function(), self.gradient_function()
        eye = np.eye(self.dim)
        return Objective(
            lambda x: value(x) + wd / 2 * np.sum(np.square(x), axis=-1), self.dim,
            gradient=lambda x: gradient(x) + wd * np.asarray(x, dtype=np.float64),
            hessian=lambda x: self.hessian(x) + wd * eye, variables=self.variables,
            name=f"{self.name} + {wd / 2:g}‖x‖²", method=self.method)

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def from_formula(cls, formula, variables: Sequence[str] | str | None = None,
                     name: str | None = None, library=None) -> "Objective":
        """Objective with exact derivatives from a formula (text or parsed :class:`Formula`).

        >>> Objective.from_formula("x*y", variables="y,x").gradient([2.0, 3.0])
        array([3., 2.])
        """
        from .formula import Formula, parse

        if not isinstance(formula, Formula):
            formula = parse(formula, variables)
        elif variables is not None:
            formula = parse(formula.text, variables)
        if formula.dim == 0:
            raise FormulaError("the formula has no variables; name them with `variables`")
        from .diff.symbolic import compile_array

        value = compile_array([formula.expr], formula.symbols, ())
        return cls(value, formula.dim, variables=formula.variables, name=name or formula.text,
                   formula=formula, library=library)

    @classmethod
    def from_callable(cls, f: Callable, dim: int, *, gradient: Callable | None = None,
                      hessian: Callable | None = None, vectorized: bool = False,
                      method: str = "central", variables: Sequence[str] | None = None,
                      name: str | None = None) -> "Objective":
        """Objective from Python code.

        Args:
            f: ``f(x) -> float`` for one point ``x: (D,)``; with ``vectorized=True``,
                ``f(x: (..., D)) -> (...)``.
            dim: number of variables.
            gradient, hessian: optional exact derivatives with the same convention.
            vectorized: whether ``f`` (and ``gradient``, ``hessian``) accept a batch.
            method: numerical method for what is not given: central, forward, richardson,
                complex.

        >>> f = Objective.from_callable(lambda x: x[0]**2 + x[1]**2, 2, method="richardson")
        >>> np.round(f.gradient([[-3.0, 4.0]]), 10)
        array([[-6.,  8.]])
        """
        if not callable(f):
            raise ConfigError("`f` must be callable")
        if not vectorized:
            f = _vectorize(f, ())
            gradient = gradient and _vectorize(gradient, (dim,))
            hessian = hessian and _vectorize(hessian, (dim, dim))
        return cls(f, dim, gradient=gradient, hessian=hessian, variables=variables,
                   name=name or getattr(f, "__name__", "f"), method=method)

    # --- exact derivatives of formulas ---------------------------------------------------

    @property
    def named_library(self):
        """The library function when it was chosen by name (its plot domain applies), ``None``
        for a typed formula — even one that is a library function (``library`` is then set
        for its critical points, but the domain is a typed formula's)."""
        lib = self.library
        return lib if lib is not None and self.name == lib.name else None

    @property
    def exact(self) -> bool:
        """Whether the gradient is exact (symbolic or user-given) rather than numerical."""
        return self._gradient is not None

    @property
    def expr(self):
        """The SymPy expression, for formula objectives (else ``None``)."""
        return None if self.formula is None else self.formula.expr

    @property
    def gradient_exprs(self) -> list:
        """SymPy expressions of the partial derivatives (formula objectives only)."""
        return self._symbolic_parts().gradient_exprs

    @property
    def hessian_exprs(self) -> list[list]:
        """SymPy expressions of the Hessian (formula objectives only)."""
        return self._symbolic_parts().hessian_exprs

    @property
    def symbolic_hessian(self) -> bool:
        """Whether the exact Hessian is symbolic (see ``_Symbolic.symbolic_hessian``); a large
        formula's is the central-difference Jacobian of its exact gradient."""
        return self._symbolic is not None and self._symbolic.symbolic_hessian

    def _symbolic_parts(self) -> _Symbolic:
        if self._symbolic is None:
            raise ConfigError("only a formula objective has symbolic derivatives")
        return self._symbolic

    # --- evaluation ---------------------------------------------------------------------

    def __call__(self, x) -> np.ndarray:
        return self.value(x)

    def value(self, x) -> np.ndarray:
        """``f(x)`` for ``x: (..., D)``; returns ``(...)``. Complex ``x`` (for the complex step)
        is passed through unchecked and gives complex values."""
        if np.iscomplexobj(x):
            with np.errstate(all="ignore"):
                return np.asarray(self._value(np.asarray(x, dtype=np.complex128)))
        x = self.points(x)
        with np.errstate(all="ignore"):
            return np.asarray(self._value(x), dtype=np.float64)

    def gradient(self, x, method: str | None = None) -> np.ndarray:
        """``∇f(x)``, ``(..., D)``. ``method``: ``exact`` (default where available) or a
        numerical method."""
        return self.gradient_with_error(x, method)[0]

    def gradient_with_error(self, x, method: str | None = None
                            ) -> tuple[np.ndarray, np.ndarray | None, int]:
        """``(gradient, error estimate or None, evaluations per point)``."""
        x = self.points(x)
        method = self.resolve_method(method)
        if method == "exact":
            with np.errstate(all="ignore"):
                return np.asarray(self._gradient(x), dtype=np.float64), None, 1
        d = numeric.gradient(self._value, x, method=method)
        return d.value, d.error, d.nfev

    def value_function(self) -> Callable[[np.ndarray], np.ndarray]:
        """The raw vectorised ``f`` ``(N, D) -> (N,)`` without input checks: for inner loops."""
        return self._value

    def gradient_function(self) -> Callable[[np.ndarray], np.ndarray]:
        """The raw vectorised gradient ``(N, D) -> (N, D)`` (exact where available, else the
        objective's numerical method), without input checks: for inner loops."""
        if self._gradient is not None:
            return self._gradient
        return lambda x: numeric.gradient(self._value, x, method=self.method).value

    def partial(self, x, variable: int | str, method: str | None = None) -> np.ndarray:
        """``∂f/∂variable`` at ``x: (..., D)``; ``variable`` is an index or a name."""
        index = self.index(variable)
        x = self.points(x)
        method = self.resolve_method(method)
        if method == "exact":
            if self.formula is not None:
                from .diff.symbolic import compile_array

                fn = compile_array([self.gradient_exprs[index]], self.formula.symbols, ())
                return np.asarray(fn(x), dtype=np.float64)
            return self.gradient(x, "exact")[..., index]
        return numeric.partial(self._value, x, index, method=method).value

    def hessian(self, x, method: str | None = None) -> np.ndarray:
        """Hessian ``(..., D, D)``. Exact where known; otherwise numerical (from the exact
        gradient when there is one)."""
        return self.hessian_with_error(x, method)[0]

    def hessian_with_error(self, x, method: str | None = None
                           ) -> tuple[np.ndarray, np.ndarray | None]:
        """``(Hessian, error estimate or None)``: the estimate where the method gives one
        (``richardson``), ``None`` for an exact Hessian."""
        x = self.points(x)
        method = self.resolve_method(method)
        with np.errstate(all="ignore"):
            if method == "exact" and self._hessian is not None:
                return np.asarray(self._hessian(x), dtype=np.float64), None
            if method == "exact":
                d = numeric.hessian(self._value, x, gradient=self._gradient)
            else:
                d = numeric.hessian(self._value, x, method=method)
            return d.value, d.error

    def prepare(self) -> "Objective":
        """Do now the symbolic work that is otherwise done on first use: the gradient, the
        Hessian and their compiled functions (so a time limit can cover it)."""
        if self._symbolic is not None:
            self._symbolic.gradient_fn
            self._symbolic.hessian_fn
            self._symbolic.kink_fn
        return self

    def on_kink(self, x) -> np.ndarray:
        """Whether each point of ``x: (..., D)`` lies where a non-smooth piece of the formula
        (``abs``, ``max``, ``min``, ``relu``) has its kink, so that ``f`` may not be
        differentiable there; ``(...)`` booleans (all False for a smooth or callable ``f``)."""
        x = self.points(x)
        values = self.kink_values(x)
        if values is None:
            return np.zeros(x.shape[:-1], dtype=bool)
        return np.any(values == 0, axis=-1)

    def kink_values(self, x) -> np.ndarray | None:
        """The expressions whose zeros are the kinks of ``f`` (:meth:`on_kink`) at
        ``x: (..., D)``, ``(..., K)``; ``None`` for a smooth or callable ``f``."""
        fn = None if self._symbolic is None else self._symbolic.kink_fn
        if fn is None:
            return None
        with np.errstate(all="ignore"):
            return fn(np.asarray(x, dtype=np.float64))

    def points(self, x, name: str = "x") -> np.ndarray:
        """``x`` checked and converted to float64 ``(..., D)`` (raises PointError)."""
        return as_points(x, self.dim, name, self.variables)

    def index(self, variable: int | str) -> int:
        """Index of a variable given by name or index."""
        if isinstance(variable, str):
            if variable not in self.variables:
                raise ConfigError(f"unknown variable {variable!r}; the variables are "
                                  f"{', '.join(self.variables)}")
            return self.variables.index(variable)
        if not isinstance(variable, (int, np.integer)) or not 0 <= variable < self.dim:
            raise ConfigError(f"variable index must be in 0..{self.dim - 1}; got {variable!r}")
        return int(variable)

    def resolve_method(self, method: str | None) -> str:
        """The derivative method ``method`` names here: ``None`` → ``exact`` where there is
        an exact gradient, else the objective's numerical method; refuses what cannot work."""
        if method is None:
            return "exact" if self._gradient is not None else self.method
        if method not in DERIVATIVE_METHODS:
            raise ConfigError(f"`method` must be one of {', '.join(DERIVATIVE_METHODS)}; "
                              f"got {method!r}")
        if method == "exact" and self._gradient is None:
            raise ConfigError("no exact gradient for this function (it is a Python callable "
                              "without `gradient`); choose central, forward, richardson or "
                              "complex")
        if method == "complex" and self.formula is not None and _non_analytic(self.formula.expr):
            raise ConfigError("the complex step needs an analytic function; this formula "
                              "uses abs(), so use richardson or central")
        return method

    def __repr__(self) -> str:
        kind = "formula" if self.formula is not None else "callable"
        return f"Objective({self.name!r}, dim={self.dim}, {kind})"


def _non_analytic(expr) -> bool:
    import sympy as sp

    return expr.has(sp.Abs, sp.sign, sp.re, sp.im, sp.conjugate)


def _vectorize(fn: Callable, out_shape: tuple[int, ...]) -> Callable:
    """Lift a one-point function to ``(..., D) -> (..., *out_shape)`` by looping."""

    def lifted(x):
        x = np.asarray(x)
        batch = x.shape[:-1]
        flat = x.reshape(-1, x.shape[-1])
        dtype = np.complex128 if np.iscomplexobj(x) else np.float64
        out = np.empty((flat.shape[0],) + out_shape, dtype=dtype)
        for i, point in enumerate(flat):
            result = np.asarray(fn(point))
            if result.shape != out_shape:
                raise ConfigError(f"the function returned shape {result.shape} for one point; "
                                  f"expected {out_shape or 'a scalar'}")
            if np.iscomplexobj(result) and dtype == np.float64:
                result = result.real
            out[i] = result
        return out.reshape(batch + out_shape)

    return lifted
