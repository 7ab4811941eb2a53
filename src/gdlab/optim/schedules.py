r"""Learning-rate schedules as multiplicative factors ``s(t)`` of the base learning rate.

``t`` is the number of steps already taken, so step ``t + 1`` uses ``lr·s(t)`` — the same as
calling a ``torch.optim.lr_scheduler`` once after every optimizer step.

==============  ==========================================  ==============================
name            factor s(t)                                 torch equivalent
==============  ==========================================  ==============================
constant        1                                           —
step            γ^⌊t / step_size⌋                           StepLR(step_size, gamma)
exponential     γ^t                                         ExponentialLR(gamma)
inverse_time    1 / (1 + decay·t)                           LambdaLR(lambda t: 1/(1+decay·t))
cosine          m + (1 − m)(1 + cos(π·t/T))/2               CosineAnnealingLR(T, eta_min=m·lr)
warmup          linear from ``start`` to 1 over W steps,    LinearLR(start, 1, W), then the
                then the wrapped schedule at t − W          other schedule (SequentialLR)
==============  ==========================================  ==============================

Each equals its torch equivalent at every step, past T and past the warm-up (recorded torch
runs: ``tests/reference/torch_schedules.json``). So ``cosine:T``, like CosineAnnealingLR, rises
again after T (its period is 2T): to decay once and stop, give T ≥ the number of steps.

Example:
    >>> s = parse_schedule("step:10:0.5")
    >>> [s(0), s(9), s(10), s(25)]
    [1.0, 1.0, 0.5, 0.25]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import ConfigError

__all__ = ["Schedule", "constant", "step", "exponential", "inverse_time", "cosine", "warmup",
           "parse_schedule", "SCHEDULES"]


#: a schedule whose mean factor over the second half of a run is below this froze the run
FROZEN = 1e-3


@dataclass(frozen=True)
class Schedule:
    """A named factor ``s(t)``; ``spec`` is the text that :func:`parse_schedule` reads back."""

    spec: str
    factor: Callable[[int], float]

    def __call__(self, t: int) -> float:
        return float(self.factor(t))

    def froze(self, steps: int) -> bool:
        """Whether the schedule shrank the step to almost nothing for the second half of
        ``steps`` (mean factor below :data:`FROZEN`, sampled at up to 1000 steps):
        exponential:0.95 over 1000 steps ends at 5e-23 of lr, and the run stops moving."""
        if steps < 2:
            return False
        half = [self(int(t)) for t in np.unique(np.linspace(steps // 2, steps - 1, 1000,
                                                            dtype=np.int64))]
        return bool(half) and sum(half) / len(half) < FROZEN


def _positive(name: str, value: float) -> float:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ConfigError(f"`{name}` must be a positive number; got {value!r}")
    return float(value)


def _unit_interval(name: str, value: float) -> float:
    if not (isinstance(value, (int, float)) and 0 < value <= 1):
        raise ConfigError(f"`{name}` must be in (0, 1]; got {value!r}")
    return float(value)


def constant() -> Schedule:
    return Schedule("constant", lambda t: 1.0)


def step(step_size: int, gamma: float = 0.1) -> Schedule:
    """Multiply by ``gamma`` every ``step_size`` steps."""
    n = int(_positive("step_size", step_size))
    g = _unit_interval("gamma", gamma)
    return Schedule(f"step:{n}:{g:g}", lambda t: g ** (t // n))


def exponential(gamma: float) -> Schedule:
    """Multiply by ``gamma`` every step."""
    g = _unit_interval("gamma", gamma)
    return Schedule(f"exponential:{g:g}", lambda t: g**t)


def inverse_time(decay: float) -> Schedule:
    """``1 / (1 + decay·t)``."""
    d = _positive("decay", decay)
    return Schedule(f"inverse_time:{d:g}", lambda t: 1.0 / (1.0 + d * t))


def cosine(total_steps: int, min_factor: float = 0.0) -> Schedule:
    """Half a cosine from 1 down to ``min_factor`` over ``total_steps``, then back up over the
    next ``total_steps`` (period ``2·total_steps``), as torch's CosineAnnealingLR."""
    n = int(_positive("total_steps", total_steps))
    if not 0 <= min_factor < 1:
        raise ConfigError(f"`min_factor` must be in [0, 1); got {min_factor!r}")
    return Schedule(f"cosine:{n}:{min_factor:g}",
                    lambda t: min_factor + (1 - min_factor) * (1 + math.cos(
                        math.pi * t / n)) / 2)


def warmup(warmup_steps: int, then: Schedule | None = None, start: float = 0.1) -> Schedule:
    """Linear warm-up from ``start`` to 1 over ``warmup_steps``, then ``then`` (constant)."""
    n = int(_positive("warmup_steps", warmup_steps))
    s0 = _unit_interval("start", start)
    after = then or constant()

    def factor(t: int) -> float:
        if t < n:
            return s0 + (1 - s0) * t / n
        return after(t - n)

    spec = f"warmup:{n}:{s0:g}" + ("" if then is None else f"+{after.spec}")
    return Schedule(spec, factor)


SCHEDULES = ("constant", "step", "exponential", "inverse_time", "cosine", "warmup")


def parse_schedule(text: str | None) -> Schedule | None:
    """Read ``constant``, ``step:N:GAMMA``, ``exponential:GAMMA``, ``inverse_time:DECAY``,
    ``cosine:T[:MIN]``, ``warmup:W[:START][+OTHER]``; ``None`` or ``""`` gives ``None``."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if len(text) > 200:
        raise ConfigError("schedule text is longer than 200 characters")
    head, _, rest = text.partition("+")
    parts = head.split(":")
    name, args = parts[0].strip().lower(), parts[1:]
    try:
        numbers = [float(a) for a in args]
    except ValueError:
        raise ConfigError(f"schedule {text!r}: arguments must be numbers") from None
    if not all(math.isfinite(v) for v in numbers):
        raise ConfigError(f"schedule {text!r}: arguments must be finite numbers")
    if name in ("step", "cosine", "warmup") and numbers and (
            numbers[0] != int(numbers[0]) or not 1 <= numbers[0] <= 10**9):
        raise ConfigError(f"schedule {text!r}: the number of steps must be a whole number "
                          "from 1 to 1e9")
    makers = {
        "constant": (constant, 0, 0), "step": (step, 1, 2), "exponential": (exponential, 1, 1),
        "inverse_time": (inverse_time, 1, 1), "cosine": (cosine, 1, 2),
    }
    if name == "warmup":
        if not 1 <= len(numbers) <= 2:
            raise ConfigError("warmup takes warmup:STEPS[:START]")
        then = parse_schedule(rest) if rest else None
        return warmup(int(numbers[0]), then, *numbers[1:])
    if rest:
        raise ConfigError("only warmup can be followed by '+' and another schedule")
    if name not in makers:
        raise ConfigError(f"unknown schedule {name!r}; known: {', '.join(SCHEDULES)}")
    maker, least, most = makers[name]
    if not least <= len(numbers) <= most:
        raise ConfigError(f"schedule {name} takes {least} to {most} numbers; got {len(numbers)}")
    if name in ("step", "cosine"):
        numbers[0] = int(numbers[0])
    return maker(*numbers)
