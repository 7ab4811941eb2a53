"""``gdlab sweep``: optimizers × learning rates × hyper-parameter values × starts, in chunks,
in this process or on a Dask cluster, into one Parquet table (:mod:`gdlab.sweep`)."""

from __future__ import annotations

import json
import sys

import click

from ..limits import (CHUNK_WORK, MAX_CHUNKS, MAX_STEPS, MAX_STEPS_DEFAULT, MAX_SWEEP_GRID,
                      TOL_DEFAULT)
from ..i18n import text
from .group import cli
from .options import HYPER, MAX_RANDOM_STARTS, TOL_HELP, engine_options
from .types import BOX, LEARNING_RATES, OUTPUT, POINT, VALUES


def _hyper_lists(command):
    """``--momentum 0.5,0.9`` and the like: each hyper-parameter with an option, as a list."""
    for key in reversed(HYPER):
        command = click.option(f"--{key.replace('_', '-')}", key, type=VALUES,
                               metavar="LIST", help=f"{key} values, e.g. 0.5,0.9 (each "
                               "optimizer that has it takes every value).")(command)
    return command


@cli.command("sweep")
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--optimizers", default="gd", show_default=True, metavar="NAME,...",
              help="Optimizers to sweep, e.g. gd,adam.")
@click.option("--lrs", type=LEARNING_RATES, required=True, metavar="LIST|LOW:HIGH:N",
              help="Learning rates: 0.001,0.01 or N log-spaced from LOW to HIGH.")
@_hyper_lists
@click.option("--start", "starts", type=POINT, multiple=True, metavar="X0,X1,...",
              help="A start (repeat for several).")
@click.option("--random-starts", type=click.IntRange(1, MAX_RANDOM_STARTS),
              help="N starts drawn uniformly from --box or the function's domain.")
@click.option("--grid", type=click.IntRange(2, MAX_SWEEP_GRID),
              help="N starts per axis on a grid.")
@click.option("--box", type=BOX, metavar="LOW:HIGH", help="Box of the starts (default: the "
              "library's domain, or -5:5).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True)
@click.option("--vars", "variables", metavar="NAMES", help="Variable order.")
@click.option("--max-steps", "--steps", "max_steps", type=click.IntRange(0, MAX_STEPS),
              default=MAX_STEPS_DEFAULT, show_default=True, help="Step limit.")
@click.option("--tol", type=float, default=TOL_DEFAULT, show_default=True,
              help=TOL_HELP)
@engine_options
@click.option("--scheduler", default="none", show_default=True,
              metavar="none|local[:N]|tcp://HOST:PORT",
              help="Where the chunks run: this process, a Dask LocalCluster of N worker "
                   "processes (started and stopped here), or a running Dask cluster.")
@click.option("--chunk", "chunk_runs", type=click.IntRange(1, 10**7),
              help=f"Runs per task (default: about {CHUNK_WORK:,} point-steps; at most "
                   f"{MAX_CHUNKS:,} tasks).")
@click.option("--output", type=OUTPUT, metavar="FILE.parquet",
              help="One row per run, written atomically (parts in FILE.parquet.parts/ while "
                   "it runs).")
@click.option("--resume", is_flag=True, help="Continue the parts an interrupted sweep left.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def sweep_command(function, optimizers, lrs, starts, random_starts, grid, box, seed, variables,
                  max_steps, tol, backend, dtype, scheduler, chunk_runs, output, resume,
                  as_json, **hyper_lists):
    """Run every optimizer × learning rate × hyper-parameter value × start on a function, in
    chunks (Dask tasks on a cluster), and summarise each optimizer × learning rate.

    \b
    Examples:
      gdlab sweep himmelblau --optimizers gd,adam --lrs 1e-3:1e-1:5 --random-starts 200 \\
          --seed 3 --steps 300 --scheduler local:2 --output sweep.parquet
      gdlab sweep rosenbrock --optimizers momentum --lrs 1e-4,1e-3 --momentum 0.5,0.9 --grid 30
    """
    from ..sweep import parse_scheduler, plan, summary
    from ..watchdog import symbolic_limit

    parse_scheduler(scheduler)  # refused before any work
    if resume and not output:
        raise click.UsageError("--resume continues the sweep written to --output FILE.parquet")
    with symbolic_limit():
        p = plan(function, optimizers=[o.strip() for o in optimizers.split(",") if o.strip()],
                 lrs=lrs, hyper={k: v for k, v in hyper_lists.items() if v}, starts=(
                     [list(s) for s in starts] or None), random_starts=random_starts,
                 grid=grid, box=box, seed=seed, max_steps=max_steps, tol=tol,
                 backend=backend if dtype == "float64" else "cuda", variables=variables,
                 chunk_runs=chunk_runs)
    frame = _run(p, scheduler, output, resume, as_json)
    table = summary(frame, p.axes)
    if output:
        click.echo(text("cli.wrote", path=output), err=True)
    if as_json:
        doc = {"function": p.function, "variables": list(p.names), "runs": p.runs,
               "chunks": len(p.chunks), "backend": p.backend, "scheduler": scheduler,
               "output": output, "summary": json.loads(table.to_json(orient="records"))}
        click.echo(json.dumps(doc, indent=2, allow_nan=False))
    else:
        from ..render import print_sweep_summary

        print_sweep_summary(p, table)


def _run(p, scheduler, output, resume, as_json):
    """The sweep, with a progress bar on a terminal."""
    from ..sweep import execute

    if as_json or not sys.stderr.isatty():
        return execute(p, scheduler=scheduler, output=output, resume=resume)
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(f"{p.runs:,} runs", total=p.runs)
        return execute(p, scheduler=scheduler, output=output, resume=resume,
                       progress=lambda done, total: bar.update(task, completed=done))
