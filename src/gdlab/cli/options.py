"""Options shared by several commands, defined once: the optimizer's hyper-parameters (every
command that runs an optimizer), the options of a run (``descend``, ``compare``,
``lr-sweep``), and how they become a :class:`~gdlab.spec.RunSpec`."""

from __future__ import annotations

import sys

import click

from ..errors import ConfigError, PointError
from ..files import suffix_names
from ..limits import BACKENDS, DTYPES, MAX_STEPS, MAX_STEPS_DEFAULT, RANDOM_BOX, TOL_DEFAULT
from ..i18n import text
from .types import BOX, OUTPUT, POINT, SCHEDULE

TOL_HELP = "Stop when ‖∇f‖ ≤ tol (‖∇f + wd·x‖ with weight decay; 0: run all steps)."

MAX_STARTS = 10_000  # --start points given one by one
MAX_RANDOM_STARTS = 1_000_000
PROGRESS_WORK = 200_000  # point-steps from which a terminal gets a progress bar
#: the hyper-parameters with an option of their own (others: ``NAME:key=value``)
HYPER = ("momentum", "beta1", "beta2", "eps", "weight_decay")


class OptimizerOption(click.Option):
    """An option naming an optimizer; its help lists the optimizers, read from the registry
    only when the help is shown (``gdlab --help`` stays free of NumPy)."""

    def get_help_record(self, ctx):
        from ..optim import OPTIMIZERS

        names = f"One of: {', '.join(OPTIMIZERS)}."
        if not (self.help or "").endswith(names):  # once, however often help is shown
            self.help = f"{self.help or ''} {names}".strip()
        return super().get_help_record(ctx)


def apply(options):
    """A decorator applying click options in the order listed."""
    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


hyper_options = apply([
    click.option("--momentum", type=float, help="Momentum (momentum, nesterov, rmsprop)."),
    click.option("--beta1", type=float, help="β₁ (adam family)."),
    click.option("--beta2", type=float, help="β₂ (adam family)."),
    click.option("--eps", type=float, help="ε of the adaptive methods."),
    click.option("--weight-decay", type=float,
                 help="Weight decay: wd·x added to the gradient, so the run descends "
                      "f + (wd/2)‖x‖² (adamw: x shrinks by lr·wd each step instead)."),
])

#: the engine that runs it (descend, compare, lr-sweep and the map-drawing plot kinds)
engine_options = apply([
    click.option("--backend", type=click.Choice(BACKENDS), default="auto", show_default=True,
                 help="Engine: cuda where a GPU is, else compiled (numba), else numpy; or "
                      "name one."),
    click.option("--dtype", type=click.Choice(DTYPES), default="float64", show_default=True,
                 help="Float type; float32 runs on the cuda backend."),
])

run_options = apply([
    click.option("--start", "starts", type=POINT, multiple=True, metavar="X0,X1,...",
                 help="A starting point (repeat for several); -3,4 works as typed."),
    click.option("--random-starts", type=click.IntRange(1, MAX_RANDOM_STARTS),
                 help="Add N starts drawn uniformly from the domain (library functions) "
                      "or from --box."),
    click.option("--box", type=BOX, metavar="LOW:HIGH", default=None,
                 help="Box for --random-starts on a formula (default "
                      f"{RANDOM_BOX[0]:g}:{RANDOM_BOX[1]:g})."),
    click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
                 help="Seed of --random-starts and of --noise."),
    click.option("--vars", "variables", metavar="NAMES", help="Variable order."),
    click.option("--max-steps", "--steps", "max_steps", type=click.IntRange(0, MAX_STEPS),
                 default=MAX_STEPS_DEFAULT, show_default=True, help="Step limit."),
    click.option("--tol", type=float, default=TOL_DEFAULT, show_default=True,
                 help=TOL_HELP),
    hyper_options,
    click.option("--schedule", type=SCHEDULE, metavar="SPEC",
                 help="Learning-rate schedule: step:N:GAMMA, exponential:GAMMA, "
                      "inverse_time:D, cosine:T[:MIN], warmup:W[:START][+OTHER]."),
    click.option("--noise", type=float, default=0.0, show_default=True,
                 help="Std of Gaussian noise added to every gradient (stochastic GD)."),
    click.option("--path", "with_path", is_flag=True, help="Include each run's path."),
    click.option("--output", type=OUTPUT, metavar="FILE",
                 help="Write the full record (config, seed, version, paths) to "
                      f"{suffix_names('record')}."),
    click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    engine_options,
])


def hyper(options: dict) -> dict:
    """The hyper-parameter options that were given."""
    return {k: options[k] for k in HYPER}


def given_once(text: str, lr, hyper_values: dict) -> None:
    """Refuse a number of ``--optimizer NAME:…`` that an option the user typed gives again
    (``gd:0.001 --lr 0.01``: the text's would win, and the option — a suggestion applied to
    the command, say — would do nothing)."""
    from ..optim.aliases import optimizer_text

    options = {"lr": lr, **hyper_values}
    name, given = optimizer_text(text)
    twice = [k for k in given if options.get(k) is not None]
    if twice:
        flag = "--" + twice[0].replace("_", "-")
        raise ConfigError(f"{twice[0]} is given twice, in --optimizer {text} and as {flag} "
                          f"{options[twice[0]]:g}: give it once (--optimizer {name} "
                          f"{flag} {options[twice[0]]:g})")


def parse_optimizers(texts, lr, hyper_values: dict, *, strict: bool, **extra) -> list:
    """Optimizers from ``NAME[:LR]`` texts and the shared options. ``strict``: an option the
    optimizer does not have is an error (one optimizer); else each takes what it has."""
    from ..optim import parse_optimizer

    opts = [parse_optimizer(t, lr=lr, **hyper_values, **extra) for t in texts]
    unused = [k for k, v in hyper_values.items() if v is not None
              and k not in opts[0].hyper] if strict and opts else []
    if unused:
        raise ConfigError(f"{opts[0].name} has no hyper-parameter {unused[0]!r}; it has "
                          f"{', '.join(opts[0].hyper)}")
    return opts


def starts_of(function, o: dict):
    """The objective and the ``(B, D)`` starts: the ``--start`` points, then
    ``--random-starts`` drawn from ``--box``, the library's domain, or −5:5."""
    import numpy as np

    from ..calculus import resolve
    from ..domain import random_starts
    from ..watchdog import symbolic_limit

    points = [list(p) for p in o["starts"]]
    if len(points) > MAX_STARTS:
        raise PointError(f"at most {MAX_STARTS} --start points; use --random-starts")
    if points and len({len(p) for p in points}) > 1:
        raise PointError("every --start needs the same number of coordinates")
    with symbolic_limit():  # parsed, differentiated and compiled within the limit, or refused
        obj = resolve(function, len(points[0]) if points else None, o["variables"])
        obj.prepare()
    if points and len(points[0]) != obj.dim:
        obj.points(points, "start")  # raises with the variable names
    if o["random_starts"]:  # the work check first: a refused run draws nothing
        _check_work(len(points) + o["random_starts"], 1, o, obj.dim)
        points = points + random_starts(obj, o["random_starts"], o["seed"], o["box"]).tolist()
    if not points:
        raise PointError("give at least one --start (or --random-starts N)")
    return obj, np.array(points, dtype=float)


#: Up to this much work (runs × steps) a command records the paths, so that the diagnosis
#: sees events along them (gdlab.events); beyond it only the ends, for the compiled engine.
EVENT_WORK = 2_000_000


def _check_work(starts: int, optimizers: int, o: dict, dim: int) -> None:
    """The work (point-steps × dimension) and the memory of the runs' diagnoses and report,
    refused before any work when over the limit or over what the machine has available."""
    from ..limits import (MAX_CLI_WORK, MEMORY_SHARE, RUN_BYTES_PER_DIMENSION, RUN_RECORD_BYTES,
                          RUN_REPORT_BYTES)
    from ..spec import Limits

    Limits(max_work=MAX_CLI_WORK, hint="fewer starts or steps").check(
        starts, optimizers, o["max_steps"], dim)
    runs = starts * optimizers
    per_run = (RUN_RECORD_BYTES if o.get("as_json") or o.get("output") else RUN_REPORT_BYTES) \
        + RUN_BYTES_PER_DIMENSION * dim
    available = available_memory()
    if available is not None and runs * per_run > MEMORY_SHARE * available:
        raise ConfigError(f"{runs:,} runs need about {runs * per_run / 2**30:.1f} GiB for their "
                          f"diagnoses and report; {available / 2**30:.1f} GiB is available: "
                          "use fewer starts or optimizers")


def available_memory() -> int | None:
    """Bytes of memory available now (Linux: MemAvailable), or ``None`` where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def spec_of(obj, points, optimizers, o: dict):
    """The :class:`~gdlab.spec.RunSpec` of a run command: every step recorded while it fits
    when the paths are shown or written or the work is small (:data:`EVENT_WORK`) and no
    kernel backend is named, else only the ends; refused beyond
    :data:`gdlab.limits.MAX_CLI_WORK` point-steps × dimensions."""
    from ..spec import RunSpec

    _check_work(len(points), len(optimizers), o, obj.dim)
    if o["output"]:
        from ..records import export_target

        export_target(o["output"])  # a file that cannot be written is refused before the runs
    small = len(points) * len(optimizers) * o["max_steps"] <= EVENT_WORK
    ends_only = o["backend"] in ("compiled", "cuda") or o["dtype"] != "float64"  # kernels
    keep = o["with_path"] or o["output"] or small and not ends_only
    record = "auto" if keep else "last"
    return RunSpec.build(obj, points, optimizers, max_steps=o["max_steps"], tol=o["tol"],
                         record=record, backend=o["backend"], dtype=o["dtype"])


def execute(spec, o: dict):
    """Run ``spec`` with a progress bar on a terminal where it helps; export if asked."""
    show = not o["as_json"] and sys.stdout.isatty() and spec.work >= PROGRESS_WORK
    if show:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("descending", total=spec.work)
            result = spec.run(progress=lambda done, total: bar.update(task, completed=done))
    else:
        result = spec.run()
    if o["output"]:
        from ..records import export

        click.echo(text("cli.wrote", path=export(result, o["output"])), err=True)
    return result
