r"""Named optimizers: short recipes chained from :mod:`gdlab.optim.transforms`.

Names, hyper-parameter names and defaults follow ``torch.optim`` (Adam's ``betas`` are
``beta1`` and ``beta2`` here), so a PyTorch user's trajectory is reproduced to rounding. The
update rules (``g`` the gradient at step ``t``, all operations per coordinate):

=============  ===========================================================  ===================
name           update                                                        torch.optim
=============  ===========================================================  ===================
gd             x ← x − lr·g                                                  SGD
momentum       b ← μb + g (b₁ = g);  x ← x − lr·b                            SGD(momentum=0.9)
nesterov       b ← μb + g;  x ← x − lr·(g + μb)                              SGD(nesterov=True)
adagrad        s ← s + g²;  x ← x − lr·g/(√s + ε)                            Adagrad
rmsprop        v ← αv + (1−α)g²;  x ← x − lr·g/(√v + ε)                      RMSprop
adam           m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;                       Adam
               x ← x − lr/(1−β₁ᵗ) · m/(√v/√(1−β₂ᵗ) + ε)
adamw          x ← x(1 − lr·wd), then the Adam step                          AdamW
amsgrad        Adam with v̂ ← max(v̂, v) in the denominator                   Adam(amsgrad=True)
nadam          Adam with Nesterov momentum and μₜ = β₁(1 − ½·0.96^(0.004t))  NAdam
adadelta       v ← ρv + (1−ρ)g²;  δ = √(u+ε)/√(v+ε)·g;  u ← ρu + (1−ρ)δ²;      Adadelta
               x ← x − lr·δ
backtracking   x ← x − lr·βᵏ·g, k the first with Armijo's                    — (line search)
               f(x − lr·βᵏg) ≤ f(x) − c·lr·βᵏ‖g‖²
newton         x ← x − lr·(H + λI)⁻¹g                                        — (for contrast)
=============  ===========================================================  ===================

Textbook forms that differ: "Deep Learning from Scratch" writes momentum as ``v ← αv − lr·g;
x ← x + v``. With a constant learning rate that is the same trajectory as torch's (``v =
−lr·b``); they part ways when the learning rate changes during a run (torch rescales the
whole buffer by the new rate, the book does not). Sutskever et al. (2013) write Nesterov as a
look-ahead gradient ``g(x + μv)``; torch's ``g + μb`` is the same method rewritten in terms of
the look-ahead point. The book's AdaGrad puts ε = 1e-7 outside the root, torch uses 1e-10.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from ..errors import ConfigError
from . import transforms as T
from .schedules import Schedule

__all__ = ["Optimizer", "make", "parse_optimizer", "OPTIMIZERS", "names", "catalog"]


@dataclass(frozen=True)
class Recipe:
    defaults: dict[str, Any]
    build: Callable[[dict, Schedule | None], T.Transform]
    rule: str
    torch: str | None


def _wd(h):
    return T.add_decayed_weights(h["weight_decay"])


def _lr(h, schedule):
    return T.scale_by_learning_rate(h["lr"], schedule)


OPTIMIZERS: dict[str, Recipe] = {
    "gd": Recipe(
        {"lr": 1e-3, "weight_decay": 0.0},
        lambda h, s: T.chain(_wd(h), _lr(h, s)),
        "x ← x − lr·g", "SGD(lr)"),
    "momentum": Recipe(
        {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0},
        lambda h, s: T.chain(_wd(h), T.trace(h["momentum"], False, h["dampening"]), _lr(h, s)),
        "b ← μ·b + g;  x ← x − lr·b", "SGD(lr, momentum)"),
    "nesterov": Recipe(
        {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.0},
        lambda h, s: T.chain(_wd(h), T.trace(h["momentum"], True), _lr(h, s)),
        "b ← μ·b + g;  x ← x − lr·(g + μ·b)", "SGD(lr, momentum, nesterov=True)"),
    "adagrad": Recipe(
        {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0,
         "eps": 1e-10},
        lambda h, s: T.chain(_wd(h), T.scale_by_adagrad(h["eps"], h["initial_accumulator_value"],
                                                        h["lr_decay"]), _lr(h, s)),
        "s ← s + g²;  x ← x − lr·g/(√s + ε)", "Adagrad"),
    "rmsprop": Recipe(
        {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
         "centered": False},
        lambda h, s: T.chain(_wd(h), T.scale_by_rms(h["alpha"], h["eps"], h["centered"],
                                                    h["momentum"]), _lr(h, s)),
        "v ← α·v + (1−α)·g²;  x ← x − lr·g/(√v + ε)", "RMSprop"),
    "adam": Recipe(
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
        lambda h, s: T.chain(_wd(h), T.scale_by_adam(h["beta1"], h["beta2"], h["eps"]),
                             _lr(h, s)),
        "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  x ← x − lr·m̂/(√v̂ + ε)", "Adam"),
    "adamw": Recipe(
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
        lambda h, s: T.chain(T.scale_by_adam(h["beta1"], h["beta2"], h["eps"]), _lr(h, s),
                             T.decoupled_weight_decay(h["lr"], h["weight_decay"], s)),
        "x ← x·(1 − lr·wd);  then the Adam step", "AdamW"),
    "amsgrad": Recipe(
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
        lambda h, s: T.chain(_wd(h), T.scale_by_adam(h["beta1"], h["beta2"], h["eps"],
                                                     amsgrad=True), _lr(h, s)),
        "Adam with v̂ ← max(v̂, v)", "Adam(amsgrad=True)"),
    "nadam": Recipe(
        {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
         "momentum_decay": 4e-3},
        lambda h, s: T.chain(_wd(h), T.scale_by_nadam(h["beta1"], h["beta2"], h["eps"],
                                                      h["momentum_decay"]), _lr(h, s)),
        "Adam with a Nesterov look-ahead on m", "NAdam"),
    "adadelta": Recipe(
        {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
        lambda h, s: T.chain(_wd(h), T.scale_by_adadelta(h["rho"], h["eps"]), _lr(h, s)),
        "v ← ρv + (1−ρ)g²;  δ ← √(u+ε)/√(v+ε)·g;  u ← ρu + (1−ρ)δ²;  x ← x − lr·δ",
        "Adadelta"),
    "backtracking": Recipe(
        {"lr": 1.0, "c": 1e-4, "shrink": 0.5, "max_backtracks": 50},
        lambda h, s: T.chain(T.scale_by_backtracking(h["lr"], h["c"], h["shrink"],
                                                     int(np.max(h["max_backtracks"])), s),
                             _lr(h, s)),
        "x ← x − lr·βᵏ·g with the first k that satisfies Armijo's condition", None),
    "newton": Recipe(
        {"lr": 1.0, "damping": 0.0},
        lambda h, s: T.chain(T.scale_by_newton(h["damping"]), _lr(h, s)),
        "x ← x − lr·(H + λI)⁻¹·g", None),
}

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


def _check_name(name: str) -> str:
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
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(f"{opt}: `{key}` must be a number; got {value!r}") from None
    low, high, low_in, high_in = _RANGES[key]
    ok = np.isfinite(arr) | (high == math.inf) & ~np.isnan(arr) & (arr > 0)
    ok &= (arr >= low) if low_in else (arr > low)
    ok &= (arr <= high) if high_in else (arr < high)
    if not np.all(ok):
        bad = arr.flat[int(np.argmin(ok.ravel()))]
        interval = f"{'[' if low_in else '('}{low:g}, {high:g}{']' if high_in else ')'}"
        raise ConfigError(f"{opt}: `{key}` must be in {interval}; got {bad:g}")
    if arr.ndim == 0:
        return int(arr) if key == "max_backtracks" else float(arr)
    return arr


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

    def transform(self) -> T.Transform:
        """The ``(init, update)`` pair; hyper-parameters may be ``(N, 1)`` arrays."""
        t = OPTIMIZERS[self.name].build(self.hyper, self.schedule)
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
    key = _check_name(name)
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


def parse_optimizer(text: str, **overrides) -> Optimizer:
    """Read ``adam``, ``adam:0.3`` (learning rate) or ``adam:lr=0.3:beta1=0.8``; ``overrides``
    fill what the text leaves out.

    >>> parse_optimizer("momentum:0.05").hyper["lr"]
    0.05
    """
    if len(text) > 500:
        raise ConfigError("optimizer text is longer than 500 characters")
    name, *parts = [p.strip() for p in text.split(":")]
    key = _check_name(name)
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
