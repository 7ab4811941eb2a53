"""Every limit of the web API, defined once; ``GET /api/meta`` serves them to the page.

Everything a request carries is untrusted: each size is bounded here — the request body, the
starts, optimizers and steps of a run, grid sizes, the total work of one request in
point-steps — and every computation has a time budget; at most :data:`CONCURRENT` run at once.
"""

from __future__ import annotations

from ..formula import MAX_LENGTH
from ..spec import Limits

MAX_BODY = 64 * 1024  # bytes of one request body
MAX_HEADERS = 16 * 1024  # bytes of one request's headers, names and values
HEADER_TIMEOUT = 10.0  # seconds for a request's headers to arrive (else 408, closed)
BODY_TIMEOUT = 10.0  # seconds for a request's body to arrive once its headers have
KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open
MAX_CONNECTIONS = 256  # connections held at once (more: 503 and closed)
SHUTDOWN_GRACE = 5  # seconds to finish open requests on SIGTERM (computations are killed)
MAX_WORK = 3_000_000  # point-steps of one run request (the maps: 10×)
MAX_STARTS = 200
MAX_OPTIMIZERS = 8
MAX_STEPS = 20_000
MAX_GRID = 200
MAX_BASIN_GRID = 300
MAX_LR_MAP = 60  # learning rates × starts of the learning-rate map, each at most this
CONCURRENT = 6  # computations at once (with isolation: worker processes; memory bound)
QUEUE_SECONDS = 10.0  # the longest wait for a slot before 503
TIME_BUDGET = 10.0  # seconds of computing per request


def map_backend(obj, opt) -> str:
    """The engine of a map: ``auto`` (the compiled kernel for a large map, run in calls of
    about 0.25 s with the time budget checked between them) where the kernel is compiled
    already — loading it takes milliseconds in a worker — else NumPy: compiling a new
    formula's kernel takes seconds, longer than NumPy takes for a map within the limits."""
    from .. import compiled

    return "auto" if compiled.ready(obj, opt) else "numpy"
KILL_GRACE = 2.0  # seconds past the budget before an isolated computation is killed
WORKER_MEMORY = 1024**3  # bytes of new data an isolated computation may allocate
#: fair admission: an isolated computation runs below the server (nice WORKER_NICE: the server
#: answers first) and, once it has run DEMOTE_AFTER seconds, at the lowest priority
#: (DEMOTED_NICE): short requests overtake long ones, whatever their kind
WORKER_NICE = 5
DEMOTE_AFTER = 0.5
DEMOTED_NICE = 19

#: the options of a suggestion the playground can apply (its controls: the learning rate,
#: the optimizer and its hyper-parameters, the step limit, a start, the schedule and the
#: tolerance): no random starts
PAGE_OPTIONS = ("lr", "optimizer", "momentum", "eps", "weight_decay", "max_steps", "start",
                "schedule", "tol")

#: a run request (``/api/descend``) and the maps (``/api/basins``, ``/api/lrmap``)
RUN = Limits(max_starts=MAX_STARTS, max_optimizers=MAX_OPTIMIZERS, max_steps=MAX_STEPS,
             max_work=MAX_WORK)
MAP_WORK = 10 * MAX_WORK  # point-steps of a basin or learning-rate map
BASINS = Limits(max_steps=MAX_STEPS, max_work=MAP_WORK,
                hint="a smaller grid or fewer steps")
LR_MAP = Limits(max_steps=MAX_STEPS, max_work=MAP_WORK,
                hint="fewer learning rates, starts or steps")


def as_dict(time_budget: float = TIME_BUDGET) -> dict:
    """The limits as ``/api/meta`` serves them."""
    return {"max_starts": MAX_STARTS, "max_optimizers": MAX_OPTIMIZERS,
            "max_steps": MAX_STEPS, "max_work": MAX_WORK, "map_work": MAP_WORK,
            "max_grid": MAX_GRID,
            "max_basin_grid": MAX_BASIN_GRID, "max_lr_map": MAX_LR_MAP,
            "max_body": MAX_BODY, "max_headers": MAX_HEADERS, "formula_length": MAX_LENGTH,
            "time_budget": time_budget, "header_timeout": HEADER_TIMEOUT,
            "body_timeout": BODY_TIMEOUT, "keep_alive": KEEP_ALIVE,
            "max_connections": MAX_CONNECTIONS, "concurrent": CONCURRENT,
            "queue_seconds": QUEUE_SECONDS, "kill_grace": KILL_GRACE,
            "worker_memory": WORKER_MEMORY, "demote_after": DEMOTE_AFTER}
