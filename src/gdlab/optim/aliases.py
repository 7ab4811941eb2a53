r"""Named optimizers: one function each, chained from :mod:`gdlab.optim.transforms`.

Each optimizer is a function whose **signature holds its only defaults** (optax's
``alias.py`` shape): ``adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)``
returns the :class:`~gdlab.optim.transforms.Transform`. Its docstring carries the update rule
(the ``Update:`` line) and the torch.optim equivalent (the ``torch.optim:`` line). The
registry :data:`OPTIMIZERS`, :func:`catalog` (served at ``/api/optimizers``), the CLI's help
and :func:`make` are derived from these functions; nothing repeats a default.

Names, hyper-parameter names and defaults follow ``torch.optim`` (Adam's ``betas`` are
``beta1`` and ``beta2`` here), so a PyTorch user's trajectory is reproduced to rounding.

Textbook forms that differ: "Deep Learning from Scratch" writes momentum as ``v ← αv − lr·g;
x ← x + v``. With a constant learning rate that is the same trajectory as torch's (``v =
−lr·b``); they part ways when the learning rate changes during a run (torch rescales the
whole buffer by the new rate, the book does not). Sutskever et al. (2013) write Nesterov as a
look-ahead gradient ``g(x + μv)``; torch's ``g + μb`` is the same method rewritten in terms of
the look-ahead point. The book's AdaGrad puts ε = 1e-7 outside the root, torch uses 1e-10.
"""

from __future__ import annotations

import difflib
import inspect
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from ..errors import ConfigError
from . import transforms as T
from .schedules import Schedule

__all__ = ["Optimizer", "OptimizerDef", "make", "parse_optimizer", "OPTIMIZERS", "names",
           "catalog", "check_name", "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
           "adamw", "amsgrad", "nadam", "adadelta", "backtracking", "newton"]


@dataclass(frozen=True)
class OptimizerDef:
    """One optimizer as the registry sees it, read off its function.

    Attributes:
        name: the function's name.
        build: the function: ``build(**hyper, schedule=None) -> Transform``.
        defaults: every hyper-parameter with its default, in signature order.
        rule: the update as an equation (the docstring's ``Update:`` line).
        torch: the torch.optim equivalent (``torch.optim:`` line), ``None`` if it has none.
    """

    name: str
    build: Callable[..., T.Transform]
    defaults: dict[str, Any]
    rule: str
    torch: str | None


#: name → :class:`OptimizerDef`, in the order the optimizers are defined below.
OPTIMIZERS: dict[str, OptimizerDef] = {}


def _docline(doc: str, key: str) -> str:
    for line in doc.splitlines():
        if line.strip().startswith(key):
            return line.strip()[len(key):].strip()
    raise ValueError(f"the docstring has no {key!r} line")


#: optimizers whose weight decay shrinks x outside the gradient (every other optimizer with a
#: ``weight_decay`` adds ``wd·x`` to the gradient, :attr:`Optimizer.coupled_decay`)
DECOUPLED = ("adamw",)


def _register(fn: Callable[..., T.Transform]) -> Callable[..., T.Transform]:
    """Add an optimizer function to :data:`OPTIMIZERS`, reading its signature and docstring."""
    doc = inspect.getdoc(fn) or ""
    params = inspect.signature(fn).parameters
    defaults = {k: p.default for k, p in params.items()
                if p.kind is p.POSITIONAL_OR_KEYWORD}
    torch = _docline(doc, "torch.optim:")
    OPTIMIZERS[fn.__name__] = OptimizerDef(fn.__name__, fn, defaults, _docline(doc, "Update:"),
                                           None if torch == "—" else torch)
    return fn


def _sgd_tail(weight_decay, lr, schedule, *middle):
    return T.chain(T.add_decayed_weights(weight_decay), *middle,
                   T.scale_by_learning_rate(lr, schedule))


@_register
def gd(lr=1e-3, weight_decay=0.0, *, schedule=None) -> T.Transform:
    """Plain gradient descent.

    Update: x ← x − lr·g
    torch.optim: SGD(lr)
    """
    return _sgd_tail(weight_decay, lr, schedule)


@_register
def momentum(lr=1e-3, momentum=0.9, dampening=0.0, weight_decay=0.0, *,
             schedule=None) -> T.Transform:
    """Heavy-ball momentum as torch's SGD (the first buffer is the gradient itself).

    Update: b ← μ·b + (1 − dampening)·g;  x ← x − lr·b
    torch.optim: SGD(lr, momentum, dampening)
    """
    return _sgd_tail(weight_decay, lr, schedule, T.trace(momentum, False, dampening))


@_register
def nesterov(lr=1e-3, momentum=0.9, weight_decay=0.0, *, schedule=None) -> T.Transform:
    """Nesterov momentum in torch's form (the look-ahead rewritten at the current point).

    Update: b ← μ·b + g;  x ← x − lr·(g + μ·b)
    torch.optim: SGD(lr, momentum, nesterov=True)
    """
    return _sgd_tail(weight_decay, lr, schedule, T.trace(momentum, True))


@_register
def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10, *, schedule=None) -> T.Transform:
    """AdaGrad (Duchi et al. 2011): per-coordinate steps shrink with the summed squares.

    Update: s ← s + g²;  x ← x − lr·g/(√s + ε)
    torch.optim: Adagrad
    """
    return _sgd_tail(weight_decay, lr, schedule,
                     T.scale_by_adagrad(eps, initial_accumulator_value, lr_decay))


@_register
def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
            *, schedule=None) -> T.Transform:
    """RMSProp (Tieleman & Hinton 2012): a running mean of squares instead of AdaGrad's sum.

    Update: v ← α·v + (1−α)·g²;  x ← x − lr·g/(√v + ε)
    torch.optim: RMSprop
    """
    return _sgd_tail(weight_decay, lr, schedule,
                     T.scale_by_rms(alpha, eps, centered, momentum))


@_register
def adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, *,
         schedule=None) -> T.Transform:
    """Adam (Kingma & Ba 2015), bias-corrected.

    Update: m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  x ← x − lr·m̂/(√v̂ + ε)
    torch.optim: Adam
    """
    return _sgd_tail(weight_decay, lr, schedule, T.scale_by_adam(beta1, beta2, eps))


@_register
def adamw(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, *,
          schedule=None) -> T.Transform:
    """AdamW (Loshchilov & Hutter 2019): Adam with the weight decay taken out of the gradient.

    Update: x ← x·(1 − lr·wd);  then the Adam step
    torch.optim: AdamW
    """
    return T.chain(T.scale_by_adam(beta1, beta2, eps), T.scale_by_learning_rate(lr, schedule),
                   T.decoupled_weight_decay(lr, weight_decay, schedule))


@_register
def amsgrad(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, *,
            schedule=None) -> T.Transform:
    """AMSGrad (Reddi et al. 2018): Adam whose denominator never shrinks.

    Update: Adam with v̂ ← max(v̂, v)
    torch.optim: Adam(amsgrad=True)
    """
    return _sgd_tail(weight_decay, lr, schedule,
                     T.scale_by_adam(beta1, beta2, eps, amsgrad=True))


@_register
def nadam(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
          *, schedule=None) -> T.Transform:
    """NAdam (Dozat 2016) with torch's momentum schedule μₜ = β₁(1 − ½·0.96^(t·ψ)).

    Update: Adam with a Nesterov look-ahead on m
    torch.optim: NAdam
    """
    return _sgd_tail(weight_decay, lr, schedule,
                     T.scale_by_nadam(beta1, beta2, eps, momentum_decay))


@_register
def adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, schedule=None) -> T.Transform:
    """Adadelta (Zeiler 2012): the step's units from a running mean of past steps.

    Update: v ← ρv + (1−ρ)g²;  δ ← √(u+ε)/√(v+ε)·g;  u ← ρu + (1−ρ)δ²;  x ← x − lr·δ
    torch.optim: Adadelta
    """
    return _sgd_tail(weight_decay, lr, schedule, T.scale_by_adadelta(rho, eps))


@_register
def backtracking(lr=1.0, c=1e-4, shrink=0.5, max_backtracks=50, *,
                 schedule=None) -> T.Transform:
    """Gradient descent with Armijo's backtracking line search (a line search, no torch class).

    Update: x ← x − lr·βᵏ·g with the first k that satisfies Armijo's condition
    torch.optim: —
    """
    return T.chain(T.scale_by_backtracking(lr, c, shrink, int(np.max(max_backtracks)),
                                           schedule),
                   T.scale_by_learning_rate(lr, schedule))


@_register
def newton(lr=1.0, damping=0.0, *, schedule=None) -> T.Transform:
    """Damped Newton's method, for contrast: it jumps to the nearest critical point of any kind.

    Update: x ← x − lr·(H + λI)⁻¹·g
    torch.optim: —
    """
    return T.chain(T.scale_by_newton(damping), T.scale_by_learning_rate(lr, schedule))


# (low, high, low inclusive, high inclusive) for every hyper-parameter
_RANGES = {
    "lr": (0.0, math.inf, False, False),
    "momentum": (0.0, math.inf, True, False),
    "dampening": (0.0, 1.0, True, True),
    "weight_decay": (0.0, math.inf, True, False),
    "lr_decay": (0.0, math.inf, True, False),
    "initial_accumulator_value": (0.0, math.inf, True, False),
    "eps": (0.0, math.inf, False, False),
    "alpha": (0.0, 1.0, True, False),
    "beta1": (0.0, 1.0, True, False),
    "beta2": (0.0, 1.0, True, False),
    "rho": (0.0, 1.0, True, False),
    "momentum_decay": (0.0, math.inf, True, False),
    "c": (0.0, 1.0, False, False),
    "shrink": (0.0, 1.0, False, False),
    "max_backtracks": (1.0, 1000.0, True, True),
    "damping": (0.0, math.inf, True, False),
}


def names() -> list[str]:
    """The optimizers' names."""
    return list(OPTIMIZERS)


def catalog() -> list[dict[str, Any]]:
    """Every optimizer as data: ``name``, ``rule`` (the update as an equation), ``torch``
    (the torch.optim class it matches), and ``hyper``: each hyper-parameter's ``name``,
    ``default`` and ``range`` ``[low, high]`` (``None`` for an open end at infinity; no range
    for a flag)."""
    def end(v):
        return None if math.isinf(v) else v

    return [{"name": name, "rule": r.rule, "torch": r.torch,
             "hyper": [{"name": k, "default": v,
                        "range": [end(_RANGES[k][0]), end(_RANGES[k][1])] if k in _RANGES
                        else None}
                       for k, v in r.defaults.items()]}
            for name, r in OPTIMIZERS.items()]


def check_name(name: str) -> str:
    """The optimizer's registered name; an unknown one is refused with the nearest names."""
    key = str(name).strip().lower()
    if key not in OPTIMIZERS:
        close = difflib.get_close_matches(key, list(OPTIMIZERS), n=2)
        hint = f"; did you mean {' or '.join(close)}?" if close else \
            f"; known: {', '.join(OPTIMIZERS)}"
        raise ConfigError(f"unknown optimizer {name!r}{hint}")
    return key


def _check_value(opt: str, key: str, value: Any) -> Any:
    default = OPTIMIZERS[opt].defaults[key]
    if isinstance(default, bool):
        if isinstance(value, str):
            value = value.strip().lower()
            if value not in ("true", "false", "1", "0", "yes", "no"):
                raise ConfigError(f"{opt}: `{key}` must be true or false; got {value!r}")
            return value in ("true", "1", "yes")
        return bool(value)
    if isinstance(value, (bool, np.bool_)):  # momentum=True is not the number 1
        raise ConfigError(f"{opt}: `{key}` must be a number; got {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(f"{opt}: `{key}` must be a number; got {value!r}") from None
    except OverflowError:  # an integer past double precision's range
        raise ConfigError(f"{opt}: `{key}` must be a number within double precision's range "
                          "(±1.8e308); got an integer past it") from None
    if arr.ndim != 0:  # one configuration, one value: several values are several optimizers
        raise ConfigError(f"{opt}: `{key}` must be one number; for several values give "
                          f"several optimizers (one per value); got an array of shape "
                          f"{arr.shape}")
    low, high, low_in, high_in = _RANGES[key]
    x = float(arr)  # one number: Python's arithmetic (NumPy's on a 0-d array costs µs each)
    ok = math.isfinite(x) or (high == math.inf and not math.isnan(x) and x > 0)
    ok = ok and ((x >= low) if low_in else (x > low)) and ((x <= high) if high_in else (x < high))
    if not ok:
        interval = f"{'[' if low_in else '('}{low:g}, {high:g}{']' if high_in else ')'}"
        raise ConfigError(f"{opt}: `{key}` must be in {interval}; got {x:g}")
    return int(x) if key == "max_backtracks" else x


@dataclass(frozen=True)
class Optimizer:
    """A named optimizer with every hyper-parameter filled in.

    Attributes:
        name: one of :data:`OPTIMIZERS`.
        hyper: every hyper-parameter (torch's names and defaults unless given).
        schedule: learning-rate schedule factor, or ``None`` (constant).
        noise: standard deviation of Gaussian noise added to every gradient (0 = none).
        seed: seed of that noise.
    """

    name: str
    hyper: dict[str, Any] = field(default_factory=dict)
    schedule: Schedule | None = None
    noise: float = 0.0
    seed: int = 0

    @property
    def lr(self):
        return self.hyper["lr"]

    @property
    def rule(self) -> str:
        """The update rule as an equation."""
        return OPTIMIZERS[self.name].rule

    @property
    def label(self) -> str:
        """Short label, e.g. ``adam(lr=0.1)``."""
        lr = self.hyper["lr"]
        text = f"{lr:g}" if np.ndim(lr) == 0 else "…"
        return f"{self.name}(lr={text})"

    @property
    def coupled_decay(self):
        """The weight decay this optimizer adds to the gradient (``g + wd·x``, as torch's
        ``weight_decay``; a number, or a stacked optimizer's column), 0 where it has none or
        takes it out of the gradient (:data:`DECOUPLED`). Each step then follows the gradient
        of ``f + (wd/2)·‖x‖²``: the same run as on that function without weight decay."""
        if self.name in DECOUPLED:
            return 0.0
        return self.hyper.get("weight_decay", 0.0)

    def transform(self) -> T.Transform:
        """The ``(init, update)`` pair; hyper-parameters may be ``(N, 1)`` arrays."""
        t = OPTIMIZERS[self.name].build(**self.hyper, schedule=self.schedule)
        if self.noise:
            return T.chain(T.add_noise(self.noise, self.seed), t)
        return t

    def with_lr(self, lr) -> "Optimizer":
        return replace(self, hyper={**self.hyper, "lr": _check_value(self.name, "lr", lr)})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: name, every hyper-parameter, schedule, noise, seed."""
        hyper = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                 for k, v in self.hyper.items()}
        return {"name": self.name, **hyper,
                "schedule": None if self.schedule is None else self.schedule.spec,
                "noise": self.noise, "seed": self.seed}


def make(name: str, *, schedule: Schedule | None = None, noise: float = 0.0, seed: int = 0,
         **hyper) -> Optimizer:
    """An :class:`Optimizer` by name; unknown names and out-of-range values are refused.

    >>> make("adam", lr=0.1).hyper
    {'lr': 0.1, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-08, 'weight_decay': 0.0}
    >>> make("adm")
    Traceback (most recent call last):
    ...
    gdlab.errors.ConfigError: unknown optimizer 'adm'; did you mean adam or nadam?
    """
    key = check_name(name)
    defaults = OPTIMIZERS[key].defaults
    unknown = [k for k, v in hyper.items() if k not in defaults and v is not None]
    if unknown:
        raise ConfigError(f"{key} has no hyper-parameter {unknown[0]!r}; it has "
                          f"{', '.join(defaults)}")
    full = dict(defaults)
    for k, v in hyper.items():
        if v is not None:
            full[k] = _check_value(key, k, v)
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0):
        raise ConfigError(f"`noise` must be a non-negative number; got {noise!r}")
    return Optimizer(key, full, schedule, float(noise), int(seed))


def optimizer_text(text: str) -> tuple[str, dict[str, Any]]:
    """The optimizer's name and the hyper-parameters ``text`` sets (``adam:0.3:beta1=0.8`` →
    ``("adam", {"lr": 0.3, "beta1": 0.8})``), checked."""
    if len(text) > 500:
        raise ConfigError("optimizer text is longer than 500 characters")
    name, *parts = [p.strip() for p in text.split(":")]
    key = check_name(name)
    given: dict[str, Any] = {}
    for part in parts:
        if not part:
            continue
        if "=" in part:
            k, v = (s.strip() for s in part.split("=", 1))
        else:
            k, v = "lr", part
        if k not in OPTIMIZERS[key].defaults:
            raise ConfigError(f"{key} has no hyper-parameter {k!r}; it has "
                              f"{', '.join(OPTIMIZERS[key].defaults)}")
        given[k] = v if isinstance(OPTIMIZERS[key].defaults[k], bool) else _number(k, v)
    return key, given


def parse_optimizer(text: str, **overrides) -> Optimizer:
    """Read ``adam``, ``adam:0.3`` (learning rate) or ``adam:lr=0.3:beta1=0.8``; ``overrides``
    fill what the text leaves out.

    >>> parse_optimizer("momentum:0.05").hyper["lr"]
    0.05
    """
    key, given = optimizer_text(text)
    merged = {k: v for k, v in overrides.items()
              if v is not None and k in OPTIMIZERS[key].defaults}
    merged.update(given)
    extra = {k: overrides[k] for k in ("schedule", "noise", "seed") if k in overrides}
    return make(key, **merged, **{k: v for k, v in extra.items() if v is not None})


def _number(key: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"`{key}` must be a number; got {text!r}") from None
