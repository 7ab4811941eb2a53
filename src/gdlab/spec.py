"""One run specification: everything a batched run needs, validated once, for every front end.

The CLI builds a :class:`RunSpec` from its options, the web from its request models, Python
from :func:`gdlab.engine.run`'s arguments; the core runs it (:meth:`RunSpec.run`). A bad
argument is refused here, before any work, with a message that names it; a front end adds its
own :class:`Limits` (how many starts, optimizers, steps and point-steps it accepts).

Example:
    >>> spec = RunSpec.build("x0**2 + x1**2", [[-3.0, 4.0]], ["gd:0.1"], max_steps=100, tol=0)
    >>> spec.work, int(spec.run().steps[0, 0])
    (100, 100)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .errors import ConfigError, PointError
from .limits import (BACKEND_ALIASES, BACKENDS, DIVERGENCE_DEFAULT, DTYPES, MAX_RECORD_BYTES,
                     MAX_STEPS, MAX_STEPS_DEFAULT, MAX_WORKING_BYTES, TOL_DEFAULT)
from .objective import Objective
from .optim import OPTIMIZERS, Optimizer, make, parse_optimizer
from .optim.aliases import optimizer_text

__all__ = ["RunSpec", "Limits", "MAX_STEPS", "MAX_RECORD_BYTES", "MAX_WORKING_BYTES", "RECORDS",
           "BACKENDS", "DTYPES", "MAX_STEPS_DEFAULT", "TOL_DEFAULT", "DIVERGENCE_DEFAULT"]

RECORDS = ("auto", "all", "last", "none")  # or a positive int k: every k-th step


@dataclass(frozen=True)
class Limits:
    """What a front end accepts (``None``: no limit of its own)."""

    max_starts: int | None = None
    max_optimizers: int | None = None
    max_steps: int = MAX_STEPS
    max_work: int | None = None  # point-steps: starts × optimizers × steps (× dimension)
    hint: str = "fewer starts, optimizers or steps"

    def check(self, starts: int, optimizers: int, max_steps: int, dim: int = 1) -> None:
        """Refuse a run of this size (cheap: a server calls it before parsing anything, with
        ``dim`` 1; the CLI after, with the formula's dimension)."""
        if self.max_starts is not None and starts > self.max_starts:
            raise PointError(f"{starts:,} starts; the limit is {self.max_starts:,}")
        if self.max_optimizers is not None and optimizers > self.max_optimizers:
            raise ConfigError(f"{optimizers} optimizers; the limit is {self.max_optimizers}")
        if max_steps > self.max_steps:
            raise ConfigError(f"`max_steps` {max_steps:,} is over the limit {self.max_steps:,}")
        work = starts * optimizers * max(max_steps, 1) * dim
        if self.max_work is not None and work > self.max_work:
            raise ConfigError(f"{work:,} point-steps{' × dimensions' if dim > 1 else ''} "
                              f"requested; the limit is "
                              f"{self.max_work:,} ({self.hint})")


@dataclass(frozen=True)
class RunSpec:
    """A validated run: every (optimizer, start) pair, the stopping rule, what to record.

    Attributes:
        objective: the function; ``starts``: ``(B, D)`` float64; ``optimizers``: ``K``
            configurations (each with its schedule, noise and seed).
        max_steps, tol, divergence: the stopping rule (see :func:`gdlab.engine.run`).
        record, max_record_bytes: what is kept; ``backend``: auto, numpy, compiled or cuda;
            ``dtype``: float64, or float32 (cuda only).
    """

    objective: Objective
    starts: np.ndarray
    optimizers: tuple[Optimizer, ...]
    max_steps: int = MAX_STEPS_DEFAULT
    tol: float = TOL_DEFAULT
    record: str | int = "auto"
    divergence: float = DIVERGENCE_DEFAULT
    max_record_bytes: int = MAX_RECORD_BYTES
    backend: str = "auto"
    dtype: str = "float64"

    @classmethod
    def build(cls, f, starts, optimizers: Sequence[str | Optimizer] | str | Optimizer = "gd",
              *, max_steps: int = MAX_STEPS_DEFAULT, tol: float = TOL_DEFAULT,
              record: str | int = "auto", divergence: float = DIVERGENCE_DEFAULT,
              max_record_bytes: int = MAX_RECORD_BYTES,
              variables: Sequence[str] | str | None = None, backend: str = "auto",
              dtype: str = "float64", limits: Limits | None = None, **hyper) -> "RunSpec":
        """Check every argument (as :func:`gdlab.engine.run` takes them) and the front end's
        ``limits``; raises :class:`~gdlab.errors.ConfigError` or
        :class:`~gdlab.errors.PointError` before any work."""
        obj, start_arr = _checked_starts(f, starts, variables)
        _checked_rule(max_steps, tol, divergence, record)
        backend = _checked_backend(backend, dtype)
        spec = cls(obj, start_arr, tuple(_as_optimizers(optimizers, hyper)), int(max_steps),
                   float(tol), record, float(divergence), int(max_record_bytes), backend, dtype)
        rows, dim = len(spec.optimizers) * start_arr.shape[0], start_arr.shape[1]
        working = rows * dim * 8 * 12
        if working > MAX_WORKING_BYTES:
            raise ConfigError(f"{rows:,} runs in {dim} dimensions need about "
                              f"{working / 2**30:.1f} GiB of working memory (limit "
                              f"{MAX_WORKING_BYTES / 2**30:.0f} GiB); use fewer starts")
        if limits is not None:
            limits.check(start_arr.shape[0], len(spec.optimizers), spec.max_steps)
        return spec

    @property
    def work(self) -> int:
        """Point-steps asked for: starts × optimizers × max(steps, 1)."""
        return self.starts.shape[0] * len(self.optimizers) * max(self.max_steps, 1)

    def run(self, *, progress: Callable[[int, int], None] | None = None,
            deadline: float | None = None):
        """Run it: a :class:`~gdlab.engine.RunResult`."""
        from .engine import execute

        return execute(self, progress=progress, deadline=deadline)


def _as_optimizers(optimizers, hyper: dict) -> list[Optimizer]:
    """Names (with ``hyper``) or :class:`Optimizer` objects; nothing silently dropped."""
    if isinstance(optimizers, (str, Optimizer)):
        optimizers = [optimizers]
    known = {k for d in OPTIMIZERS.values() for k in d.defaults}
    unknown = sorted(set(hyper) - known)
    if unknown:  # never silently dropped
        raise ConfigError(f"run() got an unknown keyword {unknown[0]!r} (not a hyper-parameter "
                          "of any optimizer; the step limit is `max_steps`)")
    if hyper and any(isinstance(o, Optimizer) for o in optimizers):
        raise ConfigError("hyper-parameter keywords apply to optimizers given by name only")
    out = []
    for o in optimizers:
        if isinstance(o, Optimizer):
            out.append(o)
        elif isinstance(o, str):
            out.append(parse_optimizer(o, **hyper))
        else:
            raise ConfigError(f"an optimizer must be a name or an Optimizer; got {o!r}")
    if not out:
        raise ConfigError("no optimizer given")
    for key, value in hyper.items():
        if value is not None:
            _used(key, value, [o for o in optimizers if isinstance(o, str)], out)
    return out


def _same(a, b) -> bool:
    """One value given twice, to rounding (``lr=np.float32(0.1)`` beside ``gd:0.1``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-6)


def _used(key: str, value, texts: list[str], opts: list[Optimizer]) -> None:
    """Refuse a keyword that no optimizer of the call takes: none has it (``"gd",
    momentum=0.5``), or each text that has it gives it another value (``"gd:0.001", lr=0.1``:
    the text's wins) — as the CLI refuses it, nothing silently dropped. Where one optimizer
    takes it (``["gd", "adam:0.1"], lr=0.01``: gd's rate), it fills what the texts leave out."""
    has = [(t, o) for t, o in zip(texts, opts) if key in o.hyper]
    if not has:
        raise ConfigError(f"{key}={value!r} is a hyper-parameter of none of the optimizers "
                          f"{', '.join(texts)}")
    other = make(has[0][1].name, **{key: value}).hyper[key]  # the keyword's value, checked
    if all(key in optimizer_text(t)[1] and not _same(o.hyper[key], other) for t, o in has):
        t, o = has[0]
        raise ConfigError(f"{key} is given twice, {o.hyper[key]!r} in {t!r} and {other!r} as "
                          "a keyword: give it once")


def _checked_starts(f, starts, variables) -> tuple[Objective, np.ndarray]:
    """The objective and the starts as float64 ``(B, D)``; raises PointError/ConfigError."""
    try:
        start_arr = np.asarray(starts, dtype=np.float64)
    except (TypeError, ValueError):
        if isinstance(starts, (list, tuple)) and all(isinstance(s, (list, tuple)) for s in starts) \
                and len({len(s) for s in starts}) > 1:
            raise PointError("every start needs the same number of coordinates "
                             f"(got {sorted({len(s) for s in starts})})") from None
        raise PointError("`starts` must contain numbers only") from None
    if start_arr.ndim == 1:
        start_arr = start_arr[None, :]
    if start_arr.ndim != 2 or start_arr.shape[0] == 0:
        raise PointError("`starts` must have shape (B, D) with B ≥ 1")
    from .calculus import resolve

    obj = resolve(f, start_arr.shape[1], variables)
    return obj, obj.points(start_arr, "start")


def _checked_backend(backend, dtype) -> str:
    """The backend's own name (``numba`` is ``compiled``); refuse an unknown one, or float32
    anywhere but on the GPU."""
    backend = BACKEND_ALIASES.get(backend, backend) if isinstance(backend, str) else backend
    if backend not in BACKENDS:
        raise ConfigError(f"`backend` must be one of {', '.join(BACKENDS)}; got {backend!r}")
    if dtype not in DTYPES:
        raise ConfigError(f"`dtype` must be one of {', '.join(DTYPES)}; got {dtype!r}")
    if dtype == "float32" and backend not in ("cuda", "auto"):
        raise ConfigError(f"float32 runs on the cuda backend only (backend {backend!r} "
                          "computes in float64)")
    return "cuda" if dtype == "float32" else backend


def _checked_rule(max_steps, tol, divergence, record) -> None:
    """Refuse a bad stopping rule or record."""
    if not isinstance(max_steps, (int, np.integer)) or isinstance(max_steps, bool) or \
            not 0 <= max_steps <= MAX_STEPS:
        raise ConfigError(f"`max_steps` must be an integer in 0..{MAX_STEPS:,}; got "
                          f"{max_steps!r}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise ConfigError(f"`tol` must be a number ≥ 0; got {tol!r}")
    if not (isinstance(divergence, (int, float)) and divergence > 1):
        raise ConfigError(f"`divergence` must be a number > 1; got {divergence!r}")
    if record not in RECORDS and not (isinstance(record, (int, np.integer))
                                      and not isinstance(record, bool) and record >= 1):
        raise ConfigError(f"`record` must be 'auto', 'all', 'last', 'none' or a positive "
                          f"integer k (every k-th step); got {record!r}")
