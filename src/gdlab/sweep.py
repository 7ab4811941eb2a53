"""Sweeps: every optimizer × learning rate × hyper-parameter value × start on one function,
run in chunks — in this process, or as Dask tasks on a local or a remote cluster — into one
table (a pandas DataFrame, and a Parquet file when asked).

A sweep is a :class:`Plan`: the function (as text, so any process can rebuild it), the
configurations, the starts, the stopping rule and the engine, fixed before any work (the engine
is chosen once for the whole sweep, so every chunking gives the same bits). Its runs are
numbered configuration-major (run = configuration × B + start) and cut into chunks of
consecutive runs; :func:`run_chunk` computes one chunk's rows anywhere. With an output file,
each finished chunk is written at once as its own part in ``OUTPUT.parts/`` (atomically), so
an interrupted sweep continues with ``resume=True`` where it stopped; at the end the parts
become the one output file (atomically) and the folder goes.

Example:
    >>> df = sweep("himmelblau", optimizers=["gd", "adam"], lrs=[1e-3, 1e-2],
    ...            random_starts=20, seed=3, max_steps=300)
    >>> len(df), sorted(df.optimizer.unique())
    (80, ['adam', 'gd'])
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .domain import random_starts, start_box
from .errors import ConfigError
from .limits import (CHUNK_WORK, MAX_CHUNKS, MAX_CLI_WORK, MAX_STEPS_DEFAULT, MAX_SWEEP_GRID,
                     TOL_DEFAULT)

__all__ = ["sweep", "Plan", "plan", "run_chunk", "summary", "draw_starts", "grid_starts",
           "function_text", "map_plan",
           "SCHEDULERS", "CHUNK_WORK", "MAX_RUNS", "MAX_CHUNKS", "MAX_GRID"]

#: the version of the columns a chunk's part holds (parts of another version are another
#: sweep's: --resume refuses them rather than mixing formats)
PARTS_FORMAT = 2

MAX_RUNS = 5_000_000  # rows of one sweep's table (about a GiB in memory)
MAX_GRID = MAX_SWEEP_GRID  # --grid N: N^D starts
#: ``none`` (this process), ``local`` / ``local:N`` (a Dask LocalCluster of N worker
#: processes, started and stopped by the sweep), ``tcp://HOST:PORT`` (a running cluster)
SCHEDULERS = ("none", "local[:N]", "tcp://HOST:PORT")


@dataclass(frozen=True)
class Plan:
    """One sweep, fixed before any work.

    Attributes:
        function: formula text or library name; ``dim``, ``variables``: how to read it (the
            order asked for, or empty); ``names``: the variables in order (column names).
        configs: ``(name, {hyper-parameter: value})`` per configuration, learning rate
            included; ``axes``: the hyper-parameters swept (besides the optimizer).
        starts: ``(B, D)``; ``max_steps``, ``tol``: the stopping rule; ``backend``: the one
            engine of every chunk; ``chunk_runs``: runs per chunk.
    """

    function: str
    dim: int
    variables: tuple[str, ...]
    names: tuple[str, ...]
    configs: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    axes: tuple[str, ...]
    starts: np.ndarray = field(repr=False)
    max_steps: int = MAX_STEPS_DEFAULT
    tol: float = TOL_DEFAULT
    backend: str = "numpy"
    chunk_runs: int = 10_000
    grid: tuple | None = None  # ((x0, x1), (y0, y1), n): starts made per chunk, not stored
    ends_only: bool = False  # rows without the diagnosis (maps label the ends themselves)

    @property
    def n_starts(self) -> int:
        return self.grid[2] ** 2 if self.grid is not None else len(self.starts)

    def start_rows(self, lo: int, hi: int) -> np.ndarray:
        """Starts ``lo … hi−1``: of the stored ones, or of the grid (x fastest, as
        ``numpy.meshgrid`` orders them), made only for the rows asked."""
        if self.grid is None:
            return self.starts[lo:hi]
        (x0, x1), (y0, y1), n = self.grid
        r = np.arange(lo, hi)
        return np.stack([np.linspace(x0, x1, n)[r % n], np.linspace(y0, y1, n)[r // n]], -1)

    @property
    def runs(self) -> int:
        return len(self.configs) * self.n_starts

    @property
    def chunks(self) -> list[tuple[int, int]]:
        """``(first run, one past the last)`` of each chunk."""
        return [(lo, min(self.runs, lo + self.chunk_runs))
                for lo in range(0, self.runs, self.chunk_runs)]

    @property
    def key(self) -> str:
        """A digest of everything that decides the rows (a resumed sweep must match it),
        the parts' format among it."""
        text = json.dumps([PARTS_FORMAT, self.function, self.dim, self.variables, self.names,
                           self.configs,
                           self.axes,
                           self.max_steps, repr(self.tol), self.backend, self.chunk_runs,
                           repr(self.grid), self.ends_only,
                           hashlib.sha256(np.ascontiguousarray(self.starts).tobytes())
                           .hexdigest()], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def draw_starts(obj, n: int, box=None, seed: int = 0) -> np.ndarray:
    """``n`` starts drawn uniformly (seeded) — as ``gdlab descend`` draws them
    (:func:`gdlab.domain.random_starts`)."""
    return random_starts(obj, n, seed, box)


def grid_starts(obj, n: int, box=None) -> np.ndarray:
    """An ``n``-per-axis grid over the same bounds (``n**D`` starts, first axis slowest)."""
    if not 2 <= n <= MAX_GRID:
        raise ConfigError(f"a grid takes 2 to {MAX_GRID} points per axis; got {n}")
    if float(n) ** obj.dim > MAX_RUNS:
        raise ConfigError(f"a {n}-point grid in {obj.dim} dimensions has {n ** obj.dim:,} "
                          f"starts; the limit is {MAX_RUNS:,}")
    axes = [np.linspace(lo, hi, n) for lo, hi in start_box(obj, box)]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, obj.dim)


def _configs(optimizers: Sequence[str], lrs: Sequence[float], hyper: dict[str, Sequence[float]]
             ) -> tuple[list, tuple[str, ...]]:
    """Every (optimizer, learning rate, hyper-parameter values) in that order; an optimizer
    takes only the swept hyper-parameters it has (gd ignores ``momentum``)."""
    from .optim import OPTIMIZERS, make

    axes = tuple(k for k, values in hyper.items() if values)
    for k in axes:
        if not any(k in OPTIMIZERS[name].defaults for name in optimizers if name in OPTIMIZERS):
            raise ConfigError(f"none of {', '.join(optimizers)} has the hyper-parameter {k!r}")
    configs = []
    for name in optimizers:
        if name not in OPTIMIZERS:
            make(name)  # the registry's own refusal, with its suggestion
        own = [k for k in axes if k in OPTIMIZERS[name].defaults]
        for lr in lrs:
            for values in itertools.product(*(hyper[k] for k in own)):
                opt = make(name, lr=float(lr), **dict(zip(own, values)))  # checked here
                configs.append((name, tuple((k, float(v)) for k, v in opt.hyper.items())))
    if not configs:
        raise ConfigError("no configuration to run: give optimizers and learning rates")
    return configs, axes


def plan(f, *, optimizers: Sequence[str] = ("gd",), lrs: Sequence[float] = (0.01,),
         hyper: dict[str, Sequence[float]] | None = None, starts=None,
         random_starts: int | None = None, grid: int | None = None, box=None, seed: int = 0,
         max_steps: int = MAX_STEPS_DEFAULT, tol: float = TOL_DEFAULT,
         backend: str = "auto", variables=None, chunk_runs: int | None = None) -> Plan:
    """Check a sweep and fix it as a :class:`Plan` (see :func:`sweep` for the arguments)."""
    from .calculus import resolve
    from .spec import RunSpec

    text = f if isinstance(f, str) else function_text(f)
    dim = None if starts is None else np.asarray(starts).reshape(-1, np.shape(starts)[-1]
                                                                  ).shape[1]
    obj = resolve(text, dim, variables)
    points = [] if starts is None else [np.asarray(starts, dtype=float).reshape(-1, obj.dim)]
    if random_starts:
        points.append(draw_starts(obj, int(random_starts), box, seed))
    if grid:
        points.append(grid_starts(obj, int(grid), box))
    if not points:
        raise ConfigError("a sweep needs starts: starts=, random_starts= or grid=")
    start_arr = obj.points(np.concatenate(points), "start")
    configs, axes = _configs(optimizers, lrs, dict(hyper or {}))
    runs = len(configs) * len(start_arr)
    if runs > MAX_RUNS:
        raise ConfigError(f"{runs:,} runs; a sweep's table holds at most {MAX_RUNS:,}")
    work = runs * max(int(max_steps), 1) * obj.dim
    if work > MAX_CLI_WORK:
        raise ConfigError(f"{work:,} point-steps × dimensions; the limit is {MAX_CLI_WORK:,} "
                          "(fewer starts, rates or steps)")
    # the stopping rule and the backend checked as a run checks them, on the first config
    spec = RunSpec.build(obj, start_arr[:1], _optimizer(configs[0]), max_steps=max_steps,
                         tol=tol, record="none", backend=backend)
    engine = _backend(spec.backend, obj, configs, runs * max(int(max_steps), 1))
    per_chunk = chunk_size(runs, max_steps, chunk_runs)
    asked = tuple(variables.split(",") if isinstance(variables, str) else variables or ())
    return Plan(text, obj.dim, asked, tuple(obj.variables), tuple(configs), axes, start_arr,
                int(max_steps), float(tol), engine, int(per_chunk))


def chunk_size(runs: int, max_steps: int, chunk_runs: int | None = None) -> int:
    """Runs per chunk: ``chunk_runs`` as asked (refused where it would cut the runs into more
    than :data:`MAX_CHUNKS`), by default about :data:`CHUNK_WORK` point-steps (more where
    that would)."""
    if chunk_runs is None:
        return max(1, CHUNK_WORK // max(int(max_steps), 1), -(-runs // MAX_CHUNKS))
    if isinstance(chunk_runs, bool) or not isinstance(chunk_runs, numbers.Integral) \
            or chunk_runs < 1:
        raise ConfigError(f"runs per chunk must be a whole number ≥ 1; got {chunk_runs!r}")
    chunk_runs = int(chunk_runs)
    if -(-runs // chunk_runs) > MAX_CHUNKS:
        raise ConfigError(f"{runs:,} runs in chunks of {chunk_runs:,} make "
                          f"{-(-runs // chunk_runs):,} chunks; a sweep or map has at most "
                          f"{MAX_CHUNKS:,} (more runs per chunk)")
    return chunk_runs


def _optimizer(config):
    from .optim import make

    name, params = config
    return make(name, **dict(params))


def _backend(asked: str, obj, configs, work: int) -> str:
    """One engine for every chunk (chunks of another size must not pick another): what
    ``asked`` means for the whole sweep, numpy for an optimizer the kernels do not run."""
    from . import compiled
    from .engine import choose_engine

    if asked == "auto":
        fits = all(compiled.supports(obj, _optimizer(c), "none") for c in configs)
        return choose_engine("auto", obj, _optimizer(configs[0]), "none", work) if fits else "numpy"
    for c in configs:
        choose_engine(asked, obj, _optimizer(c), "none", work)  # refuses what it cannot run
    return asked


@lru_cache(maxsize=8)
def _objective(function: str, dim: int, variables: tuple[str, ...]):
    from .calculus import resolve

    return resolve(function, dim, list(variables) or None).prepare()


def run_chunk(p: Plan, lo: int, hi: int):
    """The rows of runs ``lo … hi−1`` of plan ``p`` (a pandas DataFrame); any process."""
    import pandas as pd

    from .engine import run

    obj = _objective(p.function, p.dim, p.variables)
    B = p.n_starts
    frames, row = [], lo
    while row < hi:
        k, b0 = divmod(row, B)
        b1 = min(B, b0 + hi - row)
        r = run(obj, p.start_rows(b0, b1), _optimizer(p.configs[k]), max_steps=p.max_steps,
                tol=p.tol, record="none", backend=p.backend)
        frames.append(_rows(p, k, b0, r))
        row += b1 - b0
    return pd.concat(frames, ignore_index=True)


def _rows(p: Plan, k: int, b0: int, r) -> dict:
    import pandas as pd

    from .diagnose import LABEL_PARTS, decay_of, label_parts, without_decay

    name, params = p.configs[k]
    n = r.shape[1]
    first = k * p.n_starts + b0
    if p.ends_only:
        return pd.DataFrame({"run": np.arange(first, first + n), **{
            f"final_{v}": r.final[0, :, j] for j, v in enumerate(p.names)},
            "value": r.value[0], "steps": r.steps[0], "status_code": r.status_code[0]})
    cols: dict = {"run": np.arange(first, first + n),
                  "config": np.full(n, k), "optimizer": [name] * n}
    params = dict(params)
    for key in _hyper_columns(p):
        cols[key] = np.full(n, params.get(key, math.nan))
    for j, v in enumerate(p.names):
        cols[f"start_{v}"] = r.starts[:, j]
    for j, v in enumerate(p.names):
        cols[f"final_{v}"] = r.final[0, :, j]
    # the diagnoses' labels for all runs at once, finished when every chunk is in
    # (_finish_labels: a chunk alone does not know the lowest value of the sweep); with weight
    # decay added to the gradient, of the run on f + (wd/2)‖x‖² it is (as diagnose says)
    decay = decay_of(r.optimizers[0])
    labelled = without_decay(r, 0, decay) if decay else r
    parts, bounds, _ = label_parts(labelled)
    cols.update(value=r.value[0], gradient_norm=r.gradient_norm[0], steps=r.steps[0],
                status=list(r.status[0]), bound=bounds[0])
    # what a chunk keeps of each run's label until the sweep's lowest value is known
    cols.update({f"_{key}": parts[key][0] for key in LABEL_PARTS})
    cols.update(_decay=np.full(n, decay), _label_value=labelled.value[0])
    return pd.DataFrame(cols)


def _finish_labels(p: Plan, frame):
    """The ``diagnosis`` column (before ``bound``), every run labelled against the lowest
    value of the whole sweep, so that the labels do not depend on the chunking."""
    from .diagnose import LABEL_PARTS, finish_labels, lowest_known

    if "_minimiser" not in frame:
        return frame
    parts = {key: frame[f"_{key}"].to_numpy() for key in LABEL_PARTS}
    parts["value"] = frame["_label_value"].to_numpy()
    obj, decays = _objective(p.function, p.dim, p.variables), frame["_decay"].to_numpy()
    labels = np.empty(len(frame), dtype=object)
    for decay in np.unique(decays):  # each weight decay descends a function of its own
        rows = decays == decay
        group = {key: v[rows] for key, v in parts.items()}
        finals = frame.loc[rows, [f"final_{v}" for v in p.names]].to_numpy(dtype=float)
        best, unbounded, _ = lowest_known(obj.with_weight_decay(decay) if decay else obj,
                                          group["value"], group["minimiser"], group["falls"],
                                          finals)
        labels[rows] = finish_labels(group, best, unbounded)
    frame = frame.drop(columns=[f"_{key}" for key in (*LABEL_PARTS, "decay", "label_value")])
    frame.insert(frame.columns.get_loc("bound"), "diagnosis", labels)
    return frame


def _hyper_columns(p: Plan) -> list[str]:
    """``lr`` and every hyper-parameter of any configuration, in first-seen order."""
    seen = {}
    for _, params in p.configs:
        for key, _ in params:
            seen.setdefault(key, None)
    return list(seen)


def sweep(f, *, optimizers: Sequence[str] = ("gd",), lrs: Sequence[float] = (0.01,),
          hyper: dict[str, Sequence[float]] | None = None, starts=None,
          random_starts: int | None = None, grid: int | None = None, box=None,
          seed: int = 0, max_steps: int = MAX_STEPS_DEFAULT, tol: float = TOL_DEFAULT,
          scheduler: str = "none", output: str | Path | None = None, resume: bool = False,
          backend: str = "auto", variables=None, chunk_runs: int | None = None,
          progress: Callable[[int, int], None] | None = None):
    """Run every optimizer × learning rate × hyper-parameter value × start; one row per run.

    Args:
        f: a formula or a library function's name.
        optimizers, lrs: names and learning rates; ``hyper``: other hyper-parameters as
            lists (``{"momentum": [0.5, 0.9]}``), each applied to the optimizers that have it.
        starts, random_starts (seeded by ``seed``, from ``box`` or the function's domain),
            grid (``n`` per axis over the same box): the starts, all of them together.
        max_steps, tol, backend: as :func:`gdlab.engine.run` (one engine for the sweep).
        scheduler: ``"none"``, ``"local"``, ``"local:N"`` or ``"tcp://HOST:PORT"``.
        output: a ``.parquet`` file, written atomically; ``resume``: continue the parts an
            interrupted sweep of the same plan left in ``OUTPUT.parts/``.
        chunk_runs: runs per task (default: :data:`CHUNK_WORK` point-steps).
        progress: ``progress(runs done, runs)`` as chunks finish.

    Returns:
        A pandas DataFrame ordered by ``run``: ``run``, ``config``, ``optimizer``, ``lr`` and
        every hyper-parameter, ``start_<variable>``, ``final_<variable>``, ``value``,
        ``gradient_norm``, ``steps``, ``status``, ``diagnosis``, ``bound`` (the optimizer's
        stability bound where the run ended, as its diagnosis gives it; NaN where none).
        The same seeds give the same rows whatever the scheduler and the chunking.
    """
    p = plan(f, optimizers=optimizers, lrs=lrs, hyper=hyper, starts=starts,
             random_starts=random_starts, grid=grid, box=box, seed=seed,
             max_steps=max_steps, tol=tol, backend=backend, variables=variables,
             chunk_runs=chunk_runs)
    return execute(p, scheduler=scheduler, output=output, resume=resume, progress=progress)


def execute(p: Plan, *, scheduler: str = "none", output=None, resume: bool = False,
            progress: Callable[[int, int], None] | None = None,
            on_chunk: Callable[[int, object], None] | None = None):
    """Run plan ``p`` (see :func:`sweep`). ``on_chunk(i, frame)``: each chunk's rows are
    handed over as they come and not kept (a big map keeps only what it makes of them);
    then nothing is returned."""
    import pandas as pd

    if on_chunk is not None:
        done = [0]

        def handed(i, frame):
            on_chunk(i, frame)
            done[0] += len(frame)
            if progress is not None:
                progress(done[0], p.runs)

        _schedule(p, [(i, lo, hi) for i, (lo, hi) in enumerate(p.chunks)], scheduler, handed)
        return None
    parts = _Parts(Path(output), p) if output is not None else None
    done = parts.open(resume) if parts is not None else {}
    todo = [(i, lo, hi) for i, (lo, hi) in enumerate(p.chunks) if i not in done]
    got: dict[int, object] = dict(done)
    count = sum(hi - lo for i, (lo, hi) in enumerate(p.chunks) if i in done)

    def finished(i, frame):
        nonlocal count
        if parts is not None:
            parts.write(i, frame)
        got[i] = frame
        count += len(frame)
        if progress is not None:
            progress(count, p.runs)

    if progress is not None:
        progress(count, p.runs)
    _schedule(p, todo, scheduler, finished)
    frame = _finish_labels(p, pd.concat(
        [got[i] if not isinstance(got[i], Path) else pd.read_parquet(got[i])
         for i in range(len(p.chunks))], ignore_index=True))
    if parts is not None:
        parts.finish(frame)
    return frame


def parse_scheduler(text: str) -> tuple[str, object]:
    """``("none", None)``, ``("local", N or None)`` or ``("tcp", address)``; else a one-line
    refusal naming the forms."""
    text = (text or "").strip()
    if text == "none":
        return "none", None
    if text == "local" or text.startswith("local:"):
        n = text.partition(":")[2]
        if n and not (n.isdigit() and 1 <= int(n) <= 256):
            raise ConfigError(f"local:N takes 1 to 256 worker processes; got {n!r}")
        return "local", int(n) if n else None
    if text.startswith("tcp://") and len(text) > 6:
        return "tcp", text
    raise ConfigError(f"--scheduler must be none, local, local:N or tcp://HOST:PORT; got "
                      f"{text!r}")


def local_cluster(workers: int):
    """A Dask LocalCluster of ``workers`` single-threaded processes, quiet: its HTTP server on
    a free port (the default, 8787, warns on stderr where another cluster holds it)."""
    import logging

    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        dashboard_address=":0", silence_logs=logging.ERROR)


def _schedule(p: Plan, todo, scheduler: str, finished) -> None:
    kind, arg = parse_scheduler(scheduler)
    if kind == "none" or not todo:
        for i, lo, hi in todo:
            finished(i, run_chunk(p, lo, hi))
        return
    from distributed import Client, as_completed

    cluster = local_cluster(arg) if kind == "local" else None
    try:
        with Client(cluster if cluster is not None else arg, timeout="20s") as client:
            shared = client.scatter(p, broadcast=True)
            futures = {client.submit(run_chunk, shared, lo, hi, key=f"gdlab-{p.key}-{i}",
                                     retries=3): i for i, lo, hi in todo}
            for future in as_completed(futures):
                finished(futures.pop(future), future.result())
                future.release()  # the cluster forgets a chunk once it is handed over
    except OSError as exc:  # no cluster at that address
        raise ConfigError(f"cannot reach the Dask scheduler {arg}: {exc}") from None
    finally:
        if cluster is not None:
            cluster.close()


class _Parts:
    """``OUTPUT.parts/``: a manifest naming the plan, one Parquet file per finished chunk."""

    def __init__(self, output: Path, p: Plan):
        from .files import output_target

        self.output = output_target(output, "sweep", "a sweep writes Parquet: the output")
        self.plan = p
        self.folder = output.with_name(output.name + ".parts")

    def open(self, resume: bool) -> dict[int, Path]:
        manifest = self.folder / "manifest.json"
        if self.folder.exists() and not resume:
            raise ConfigError(f"{self.folder} holds an unfinished sweep: add --resume to "
                              "continue it, or remove the folder")
        if resume and manifest.exists():
            if json.loads(manifest.read_text()).get("plan") != self.plan.key:
                raise ConfigError(f"{self.folder} holds another sweep (other function, "
                                  "configurations, starts or steps): remove it to start anew")
            return {int(f.stem.split("-")[1]): f for f in self.folder.glob("part-*.parquet")}
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest.write_text(json.dumps({"plan": self.plan.key, "chunks": len(self.plan.chunks)}))
        return {}

    def write(self, i: int, frame) -> None:
        from .files import replace_atomic

        replace_atomic(self.folder / f"part-{i:06d}.parquet",
                       lambda tmp: frame.to_parquet(tmp, index=False))

    def finish(self, frame) -> None:
        from .files import replace_atomic

        replace_atomic(self.output, lambda tmp: frame.to_parquet(tmp, index=False))
        shutil.rmtree(self.folder, ignore_errors=True)


def summary(frame, axes: Sequence[str] = ()):
    """Per optimizer × learning rate (× each swept hyper-parameter): the runs, the share of
    each diagnosis label and the median steps of the runs that reached a minimum (NaN where
    none did: a diverged run's few steps say nothing of speed) (a DataFrame)."""
    import pandas as pd

    from .diagnose import LABELS

    keys = ["optimizer", "lr", *axes]

    def reached(group):  # a minimum of any kind (local, global, or nothing to compare)
        return group["diagnosis"].str.endswith("minimum")

    present = [label for label in LABELS if label in set(frame["diagnosis"])]
    rows = []
    for key, group in frame.groupby(keys, dropna=False, sort=False):  # in the sweep's order
        shares = group["diagnosis"].value_counts(normalize=True)
        rows.append({**dict(zip(keys, key)), "runs": len(group),
                     "median_steps": float(group["steps"][reached(group)].median()),
                     **{f"share_{label}": float(shares.get(label, 0.0)) for label in present}})
    return pd.DataFrame(rows)


def function_text(obj) -> str:
    """What a worker process rebuilds ``obj`` from: a library function's name, else the
    formula."""
    if obj.named_library is not None:
        return obj.named_library.name
    if getattr(obj, "formula", None) is None:
        raise ConfigError("a sweep or a map in chunks runs a formula or a library function "
                          "(its worker processes rebuild it from the text)")
    return obj.formula.text


def map_plan(obj, optimizer, domain, n: int, *, max_steps: int, tol: float,
             backend: str = "auto", chunk_runs: int | None = None) -> Plan:
    """The plan of a map: one optimizer from every point of an ``n × n`` grid over
    ``domain``, its ends only; the starts are made per chunk, so memory is bounded by the
    chunk, not by ``n²``."""
    from .compiled import hyper_scalar

    text = function_text(obj)
    config = (optimizer.name, tuple((k, hyper_scalar(optimizer, k)) for k in optimizer.hyper))
    engine = _backend(backend, obj, [config], n * n * max(int(max_steps), 1))
    per_chunk = chunk_size(n * n, max_steps, chunk_runs)
    grid = (tuple(map(float, domain[0])), tuple(map(float, domain[1])), int(n))
    return Plan(text, obj.dim, tuple(obj.variables) if obj.named_library is None else (),
                tuple(obj.variables), (config,), (), np.zeros((0, obj.dim)), int(max_steps),
                float(tol), engine, int(per_chunk), grid, True)
