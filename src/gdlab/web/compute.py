"""What every endpoint shares: the slots and time budget of a computation, the work limit,
and turning request parts (optimizer specs, domains) into core objects."""

from __future__ import annotations

import asyncio
import math
import time

from functools import lru_cache

from fastapi import HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from ..errors import GdlabError, TimeBudgetError
from ..jsonsafe import jsonable


class Compute:
    """At most ``concurrent`` computations at once, each with ``budget`` seconds; a request
    that waits more than ``queue`` seconds for a slot is answered 503.

    With ``isolate`` (what ``gdlab serve`` uses), each computation — parsing, differentiating,
    compiling and running — happens in a child process forked for it, with a CPU-time limit
    and an address-space limit (:data:`~gdlab.web.limits.WORKER_MEMORY`), and is killed at the
    budget plus :data:`~gdlab.web.limits.KILL_GRACE` seconds whatever it is doing (SymPy cannot
    be interrupted from inside): the server's own threads never run user input's symbolic work.
    Admission is fair by priority, not by kind: a child runs below the server and drops to the
    lowest priority once it has run :data:`~gdlab.web.limits.DEMOTE_AFTER` seconds, so the
    operating system's scheduler lets short computations overtake long ones (a feedback queue
    that needs no guess of a request's cost).
    """

    def __init__(self, concurrent: int, queue: float, budget: float, isolate: bool = False):
        self.slots = asyncio.Semaphore(concurrent)
        self.queue, self.budget, self.isolate = queue, budget, isolate
        self.children: set = set()  # the live forked computations

    def kill_all(self) -> None:
        """Kill every live computation (at shutdown: none may outlive the server and hold
        its port)."""
        for child in list(self.children):
            if child.is_alive():
                child.kill()

    async def __call__(self, fn, *args):
        """``fn(*args, deadline)`` in a worker thread (or a forked child, with ``isolate``)."""
        try:
            await asyncio.wait_for(self.slots.acquire(), self.queue)
        except asyncio.TimeoutError:
            raise HTTPException(503, "the server is busy; try again") from None
        try:
            deadline = time.monotonic() + self.budget
            if self.isolate:
                return await run_in_threadpool(_in_child, fn, args, deadline, self.budget,
                                               self.children)
            return await run_in_threadpool(fn, *args, deadline)
        except TimeBudgetError:
            raise TimeBudgetError(f"the computation took longer than the {self.budget:g} s "
                                  "budget of one request; ask for less work") from None
        except (RecursionError, MemoryError):
            raise GdlabError("input too large or too complex") from None
        finally:
            self.slots.release()


    async def answer(self, model, fn, *args) -> Response:
        """``fn(*args, deadline)`` as :meth:`__call__` runs it, answered as JSON checked against
        ``model`` (the route's response type) and encoded where it was computed: with
        ``isolate``, in the child — the server's event loop only passes the bytes on, and stays
        free for every other request. A job may return a ready :class:`Response` (CSV)."""
        def encoded(*call):
            result = fn(*call)
            if isinstance(result, Response):
                return result
            adapter = _adapter(model)
            return adapter.dump_json(adapter.validate_python(jsonable(result)))

        body = await self(encoded, *args)
        return body if isinstance(body, Response) else \
            Response(body, media_type="application/json")


@lru_cache(maxsize=None)
def _adapter(model):
    from pydantic import TypeAdapter

    return TypeAdapter(model)


def _in_child(fn, args, deadline: float, budget: float, children: set):
    """Run ``fn(*args, deadline)`` in a forked child and return its result (or raise its
    error); kill it at the budget plus the grace."""
    import multiprocessing as mp

    from .limits import DEMOTE_AFTER, DEMOTED_NICE, KILL_GRACE

    context = mp.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, fn, args, deadline, budget),
                            daemon=True)
    child.start()
    children.add(child)
    sender.close()
    try:
        if not receiver.poll(min(DEMOTE_AFTER, max(0.0, deadline - time.monotonic()))):
            _renice(child.pid, DEMOTED_NICE)  # a long computation: everything else first
            if not receiver.poll(max(0.0, deadline - time.monotonic()) + KILL_GRACE):
                raise TimeBudgetError("over the time budget")
        try:
            ok, value = receiver.recv()
        except EOFError:  # the child died: killed by a limit
            raise GdlabError("the computation ran out of memory or CPU time; ask for less "
                             "work") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(1)
        children.discard(child)
        receiver.close()
    if ok:
        return value
    raise value


def _renice(pid: int, nice: int) -> None:
    """Lower a child's priority to ``nice`` (a process may always lower its children's)."""
    import os

    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    except (OSError, AttributeError):  # gone already, or no priorities on this system
        pass


def cpu_seconds(budget: float) -> int:
    """The CPU-time limit of an isolated computation: its budget plus the grace, rounded up,
    plus 1 s (the kill at budget + grace comes first; this catches a computation that escaped
    the watch)."""
    from .limits import KILL_GRACE

    return int(budget + KILL_GRACE) + 1


def _child(sender, fn, args, deadline: float, budget: float) -> None:  # pragma: no cover
    """In the forked child: limits, the job, its result or error down the pipe, and out."""
    import os
    import resource

    from .limits import WORKER_MEMORY, WORKER_NICE

    _renice(os.getpid(), WORKER_NICE)
    try:
        cpu = cpu_seconds(budget)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (used + WORKER_MEMORY, used + WORKER_MEMORY))
    except (ValueError, OSError):
        pass
    try:
        result = (True, fn(*args, deadline))
    except GdlabError as exc:
        result = (False, exc)
    except HTTPException as exc:
        result = (False, exc)
    except (RecursionError, MemoryError):
        result = (False, GdlabError("input too large or too complex"))
    except BaseException as exc:  # noqa: BLE001 - the parent answers 500 without a traceback
        result = (False, RuntimeError(f"{type(exc).__name__}"))
    try:
        sender.send(result)
    except BaseException:  # noqa: BLE001 - an unpicklable result: say so
        sender.send((False, RuntimeError("unpicklable result")))
    finally:
        os._exit(0)


def compute(request: Request) -> Compute:
    """The application's :class:`Compute` (a FastAPI dependency)."""
    return request.app.state.compute


def optimizer(spec, **extra):
    """An :class:`~gdlab.optim.Optimizer` from an ``OptimizerSpec``."""
    from ..optim import make

    hyper = dict(spec.hyper)
    if spec.lr is not None:
        if "lr" in hyper:
            raise GdlabError(f"optimizer {spec.name!r}: the learning rate is given twice "
                             "(`lr` and `hyper.lr`); give one")
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
