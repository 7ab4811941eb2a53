"""What every endpoint shares: the slots and time budget of a computation, the work limit,
and turning request parts (optimizer specs, domains) into core objects."""

from __future__ import annotations

import asyncio
import math
import time

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from ..errors import GdlabError, TimeBudgetError


class Compute:
    """At most ``concurrent`` computations at once, each with ``budget`` seconds; a request
    that waits more than ``queue`` seconds for a slot is answered 503."""

    def __init__(self, concurrent: int, queue: float, budget: float):
        self.slots = asyncio.Semaphore(concurrent)
        self.queue, self.budget = queue, budget

    async def __call__(self, fn, *args):
        """``fn(*args, deadline)`` in a worker thread."""
        try:
            await asyncio.wait_for(self.slots.acquire(), self.queue)
        except asyncio.TimeoutError:
            raise HTTPException(503, "the server is busy; try again") from None
        try:
            return await run_in_threadpool(fn, *args, time.monotonic() + self.budget)
        except TimeBudgetError:
            raise TimeBudgetError(f"the computation took longer than the {self.budget:g} s "
                                  "budget of one request; ask for less work") from None
        except (RecursionError, MemoryError):
            raise GdlabError("input too large or too complex") from None
        finally:
            self.slots.release()


def compute(request: Request) -> Compute:
    """The application's :class:`Compute` (a FastAPI dependency)."""
    return request.app.state.compute


def optimizer(spec, **extra):
    """An :class:`~gdlab.optim.Optimizer` from an ``OptimizerSpec``."""
    from ..optim import make

    hyper = dict(spec.hyper)
    if spec.lr is not None:
        hyper["lr"] = spec.lr
    return make(spec.name, **hyper, **extra)


def domain(box):
    """``[[x0, x1], [y0, y1]]`` checked (finite, increasing, at most 1e6 wide), or ``None``."""
    if box is None:
        return None
    out = []
    for axis in box:
        if len(axis) != 2 or not all(math.isfinite(v) for v in axis) or not axis[0] < axis[1]:
            raise GdlabError("`domain` must be [[x0, x1], [y0, y1]] with x0 < x1 and y0 < y1")
        if axis[1] - axis[0] > 1e6:
            raise GdlabError("`domain` is wider than 1e6")
        out.append((float(axis[0]), float(axis[1])))
    return out
