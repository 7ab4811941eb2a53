"""The ``gdlab`` command line: a thin layer over the library.

``main(argv) -> int`` parses, calls the library, renders a table (rich) or JSON, and turns every
error caused by input into one line on stderr, ``error: <message>``, with a non-zero exit.
Heavy modules (NumPy, SymPy, rich) are imported inside the commands, so ``gdlab --help`` is
quick.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import click

from . import __version__
from .errors import ConfigError, GdlabError, PointError

#: Options whose value may begin with a minus sign (a coordinate, not an option).
POINT_OPTIONS = ("--at", "--direction", "--start")
MAX_POINT_TEXT = 10_000
EXIT_USAGE = 2
EXIT_INTERNAL = 70


def parse_point(text: str, name: str = "point") -> list[float]:
    """``"3,-4.5"`` -> ``[3.0, -4.5]``; refuses non-numbers, nan, inf and empty parts.

    >>> parse_point("-3, 4")
    [-3.0, 4.0]
    """
    from .formula import MAX_VARIABLES

    if len(text) > MAX_POINT_TEXT:
        raise PointError(f"--{name} is longer than {MAX_POINT_TEXT} characters")
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > MAX_VARIABLES:
        raise PointError(f"--{name} has {len(parts)} coordinates; the limit is {MAX_VARIABLES}")
    values = []
    for i, part in enumerate(parts, 1):
        try:
            value = float(part)
        except ValueError:
            raise PointError(f"--{name}: coordinate {i} is not a number: {part!r}") from None
        if not math.isfinite(value):
            raise PointError(f"--{name}: coordinate {i} must be finite; got {part!r}")
        values.append(value)
    return values


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """Rewrite ``--at -3,4`` as ``--at=-3,4`` so the value is not taken for an option."""
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            out.extend(args[i:])
            break
        if token in POINT_OPTIONS and i + 1 < len(args) and args[i + 1].startswith("-") \
                and args[i + 1] != "--":
            out.append(f"{token}={args[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gdlab")
def cli() -> None:
    """gdlab — a gradient-descent laboratory.

    Derivatives, gradients, tangent planes and Hessians of any formula or classic test
    function, exact or numerical.
    """


@cli.command()
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--at", "at", required=True, metavar="X0,X1,...",
              help="The point, e.g. 3,4 or -3,4.")
@click.option("--vars", "variables", metavar="NAMES",
              help="Variable order for a formula, e.g. y,x (default: natural sort).")
@click.option("--direction", metavar="U0,U1,...",
              help="Direction for the directional derivative (normalised).")
@click.option("--method", type=click.Choice(["exact", "central", "forward", "richardson",
                                             "complex"]),
              help="Derivative method (default: exact for formulas and library functions).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def grad(function: str, at: str, variables: str | None, direction: str | None,
         method: str | None, as_json: bool) -> None:
    """Partial derivatives, gradient, directional derivative, tangent plane and Hessian of
    FORMULA_OR_NAME at a point.

    \b
    Examples:
      gdlab grad "x0**2 + x1**2" --at 3,4
      gdlab grad himmelblau --at -3,4 --direction 1,1 --json
      gdlab grad "sin(x)*exp(y)" --at 1,2 --method richardson
    """
    from .calculus import analyze

    point = parse_point(at, "at")
    u = parse_point(direction, "direction") if direction is not None else None
    report = analyze(function, point, direction=u, method=method, variables=variables)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        from .render import print_report

        print_report(report)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--dim", type=click.IntRange(1, 64), default=None,
              help="Dimension for the n-D functions' minima (default 2).")
def functions(as_json: bool, dim: int | None) -> None:
    """List the library of test functions with their known minima."""
    from . import functions as library

    entries = [f.as_dict(None if f.dim else dim) for f in library.all_functions()]
    if as_json:
        click.echo(json.dumps(entries, indent=2, allow_nan=False))
    else:
        from .render import print_functions

        print_functions(entries)


# --- descent commands ------------------------------------------------------------------

MAX_STARTS = 10_000
MAX_RANDOM_STARTS = 1_000_000
PROGRESS_WORK = 200_000  # point-steps from which a terminal gets a progress bar


def _run_options(command):
    """Options shared by descend, compare and lr-sweep (applied bottom-up)."""
    options = [
        click.option("--start", "starts", multiple=True, metavar="X0,X1,...",
                     help="A starting point (repeat for several); -3,4 works as typed."),
        click.option("--random-starts", type=click.IntRange(1, MAX_RANDOM_STARTS),
                     help="Add N starts drawn uniformly from the domain (library functions) "
                          "or from --box."),
        click.option("--box", metavar="LOW:HIGH", default=None,
                     help="Box for --random-starts on a formula (default -5:5)."),
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
                     help="Seed of --random-starts and of --noise."),
        click.option("--vars", "variables", metavar="NAMES", help="Variable order."),
        click.option("--steps", type=click.IntRange(0, 10_000_000), default=1000,
                     show_default=True, help="Step limit."),
        click.option("--tol", type=float, default=1e-8, show_default=True,
                     help="Stop when ‖∇f‖ ≤ tol (0: run all steps)."),
        click.option("--momentum", type=float, help="Momentum (momentum, nesterov, rmsprop)."),
        click.option("--beta1", type=float, help="β₁ (adam family)."),
        click.option("--beta2", type=float, help="β₂ (adam family)."),
        click.option("--eps", type=float, help="ε of the adaptive methods."),
        click.option("--weight-decay", type=float, help="Weight decay."),
        click.option("--schedule", metavar="SPEC",
                     help="Learning-rate schedule: step:N:GAMMA, exponential:GAMMA, "
                          "inverse_time:D, cosine:T[:MIN], warmup:W[:START][+OTHER]."),
        click.option("--noise", type=float, default=0.0, show_default=True,
                     help="Std of Gaussian noise added to every gradient (stochastic GD)."),
        click.option("--path", "with_path", is_flag=True, help="Include each run's path."),
        click.option("--output", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Write the full record (config, seed, version, paths) to .json/.csv."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _hyper(momentum, beta1, beta2, eps, weight_decay) -> dict:
    return {"momentum": momentum, "beta1": beta1, "beta2": beta2, "eps": eps,
            "weight_decay": weight_decay}


def _starts(function: str, starts, random_starts, box, seed, variables):
    """The (B, D) starts: the --start points, then the random ones."""
    import numpy as np

    from .calculus import resolve

    if len(starts) > MAX_STARTS:
        raise PointError(f"at most {MAX_STARTS} --start points; use --random-starts")
    points = [parse_point(s, "start") for s in starts]
    if points and len({len(p) for p in points}) > 1:
        raise PointError("every --start needs the same number of coordinates")
    dim = len(points[0]) if points else None
    obj = resolve(function, dim, variables)
    if points and len(points[0]) != obj.dim:
        obj.points(points, "start")  # raises with the variable names
    if random_starts:
        if box is not None:
            low, high = _box(box)
            bounds = [(low, high)] * obj.dim
        elif obj.library is not None:
            bounds = obj.library.domain(obj.dim)
        else:
            bounds = [(-5.0, 5.0)] * obj.dim
        lo, hi = np.array(bounds).T
        drawn = np.random.default_rng(seed).uniform(lo, hi, (random_starts, obj.dim))
        points = points + drawn.tolist()
    if not points:
        raise PointError("give at least one --start (or --random-starts N)")
    return obj, np.array(points, dtype=float)


def _box(text: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split(":"))
    except ValueError:
        raise PointError(f"--box must be LOW:HIGH; got {text!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise PointError(f"--box needs finite LOW < HIGH; got {text!r}")
    return low, high


def _execute(runs, configs, starts, steps, tol, with_path, output, as_json):
    """``runs(**options)`` (``configs`` configurations from every start) with a progress bar
    where it helps, then export if asked."""
    record = "auto" if (with_path or output) else "last"
    work = len(starts) * configs * max(steps, 1)
    show = not as_json and sys.stdout.isatty() and work >= PROGRESS_WORK
    if show:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("descending", total=work)
            result = runs(max_steps=steps, tol=tol, record=record,
                          progress=lambda done, total: bar.update(task, completed=done))
    else:
        result = runs(max_steps=steps, tol=tol, record=record)
    if output:
        from .records import export

        export(result, output)
    return result


def _echo_json(doc) -> None:
    click.echo(json.dumps(doc, indent=2, allow_nan=False))


@cli.command()
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--optimizer", default="gd", show_default=True, metavar="NAME[:LR]",
              help="gd, momentum, nesterov, adagrad, rmsprop, adam, adamw, amsgrad, nadam, "
                   "adadelta, backtracking, newton.")
@click.option("--lr", type=float, help="Learning rate (default: torch.optim's).")
@_run_options
def descend(function, optimizer, lr, starts, random_starts, box, seed, variables, steps, tol,
            momentum, beta1, beta2, eps, weight_decay, schedule, noise, with_path, output,
            as_json):
    """Run one optimizer from one or many starts and say why each run ended where it did.

    \b
    Examples:
      gdlab descend "x0**2 + x1**2" --start -3,4 --lr 0.1
      gdlab descend himmelblau --start 0,0 --start -1,4 --optimizer adam --lr 0.1
      gdlab descend rosenbrock --random-starts 1000 --optimizer momentum --lr 1e-3
    """
    from .optim import parse_schedule

    obj, points = _starts(function, starts, random_starts, box, seed, variables)
    opt = _one_optimizer(optimizer, lr, _hyper(momentum, beta1, beta2, eps, weight_decay),
                         schedule=parse_schedule(schedule), noise=noise, seed=seed)
    from .engine import run

    result = _execute(lambda **kw: run(obj, points, [opt], **kw), 1, points, steps, tol,
                      with_path, output, as_json)
    from .records import run_document

    doc = run_document(result, include_path=with_path)
    doc["optimizer"] = doc["results"][0]["optimizer"]
    doc["runs"] = doc.pop("results")[0]["runs"]
    if as_json:
        _echo_json(doc)
    else:
        from .render import print_runs

        print_runs(doc)


@cli.command()
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--optimizers", required=True, metavar="NAME[:LR],...",
              help="Comma-separated, each with an optional learning rate: gd:0.1,adam:0.3.")
@click.option("--lr", type=float, help="Learning rate for those given without one.")
@_run_options
def compare(function, optimizers, lr, starts, random_starts, box, seed, variables, steps, tol,
            momentum, beta1, beta2, eps, weight_decay, schedule, noise, with_path, output,
            as_json):
    """Compare optimizers from the same starts with the same budget and stopping rule.

    \b
    Fair by construction: every optimizer gets the same starts, the same step limit and the
    same gradient-norm stop; nothing is clipped.
    Example:
      gdlab compare ill_conditioned --start -7,2 --optimizers gd:0.9,momentum:0.1,adam:0.3
    """
    from .optim import parse_optimizer, parse_schedule

    obj, points = _starts(function, starts, random_starts, box, seed, variables)
    texts = [t.strip() for t in optimizers.split(",") if t.strip()]
    if not texts:
        raise ConfigError("--optimizers is empty")
    if len(texts) > 50:
        raise ConfigError("at most 50 optimizers")
    sched = parse_schedule(schedule)
    opts = [parse_optimizer(t, lr=lr, **_hyper(momentum, beta1, beta2, eps, weight_decay),
                            schedule=sched, noise=noise, seed=seed) for t in texts]
    from .engine import run

    result = _execute(lambda **kw: run(obj, points, opts, **kw), len(opts), points, steps, tol,
                      with_path, output, as_json)
    from .records import run_document

    doc = run_document(result, include_path=with_path)
    if as_json:
        _echo_json(doc)
    else:
        from .render import print_compare

        print_compare(doc)


@cli.command("lr-sweep")
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--lrs", required=True, metavar="LIST|START:STOP:NUM",
              help="Learning rates: 0.001,0.01,0.1 or a log range 1e-4:10:20.")
@click.option("--optimizer", default="gd", show_default=True, metavar="NAME")
@_run_options
def lr_sweep(function, lrs, optimizer, starts, random_starts, box, seed, variables, steps, tol,
             momentum, beta1, beta2, eps, weight_decay, schedule, noise, with_path, output,
             as_json):
    """Run one optimizer at many learning rates (one vectorised pass) and diagnose each.

    \b
    Example:
      gdlab lr-sweep "x0**2 + x1**2" --start -3,4 --lrs 1e-4:10:11
    """
    from .optim import parse_optimizer, parse_schedule
    from .records import parse_lrs, run_document
    from .studies import lr_sweep as sweep, sweep_bound

    obj, points = _starts(function, starts, random_starts, box, seed, variables)
    rates = parse_lrs(lrs)
    base = parse_optimizer(optimizer, **_hyper(momentum, beta1, beta2, eps, weight_decay),
                           schedule=parse_schedule(schedule), noise=noise, seed=seed)
    result = _execute(lambda **kw: sweep(obj, points, base, rates, **kw), len(rates), points,
                      steps, tol, with_path, output, as_json)
    doc = run_document(result, include_path=with_path)
    results = []
    for rate, block in zip(rates, doc.pop("results")):
        for run_ in block["runs"]:
            results.append({"lr": rate, **run_})
    doc.update({"optimizer": {**base.to_dict(), "lr": None}, "stability_bound":
                sweep_bound(result), "results": results})
    if as_json:
        _echo_json(doc)
    else:
        from .render import print_sweep

        print_sweep(doc)


def _domain(text: str | None):
    if text is None:
        return None
    try:
        parts = [tuple(float(v) for v in axis.split(":")) for axis in text.split(",")]
    except ValueError:
        raise PointError(f"--domain must be X0:X1,Y0:Y1; got {text!r}") from None
    if len(parts) != 2 or any(len(p) != 2 or not p[0] < p[1] or not all(map(math.isfinite, p))
                              for p in parts):
        raise PointError(f"--domain must be X0:X1,Y0:Y1 with X0 < X1 and Y0 < Y1; got {text!r}")
    return parts


def _one_optimizer(text: str, lr, hyper: dict, **extra):
    """One optimizer from ``NAME[:LR]`` and the shared options; an option the optimizer does
    not have is an error, not silently dropped."""
    from .optim import parse_optimizer

    opt = parse_optimizer(text, lr=lr, **hyper, **extra)
    unused = [k for k, v in hyper.items() if v is not None and k not in opt.hyper]
    if unused:
        raise ConfigError(f"{opt.name} has no hyper-parameter {unused[0]!r}; it has "
                          f"{', '.join(opt.hyper)}")
    return opt


class _PlotArgs:
    """The parsed options of ``gdlab plot``, with what each kind asks of them."""

    def __init__(self, kind, function, params):
        self.kind, self.function = kind, function
        self.__dict__.update(params)
        self.hyper = _hyper(self.momentum, self.beta1, self.beta2, self.eps, self.weight_decay)

    def need(self, values, option):
        if not values:
            raise PointError(f"plot {self.kind} needs {option}")
        return values

    def points(self, option="--start"):
        texts = self.starts if option == "--start" else self.at
        return self.need([parse_point(t, option[2:]) for t in texts], option)

    @property
    def dom(self):
        return _domain(self.domain)

    def optimizer_list(self):  # --optimizers, else --optimizer, each with the shared options
        from .optim import parse_optimizer

        names = [o.strip() for o in (self.optimizers or self.optimizer).split(",") if o.strip()]
        return [parse_optimizer(o, lr=self.lr, **self.hyper) for o in names]

    def runs(self, default_steps, record="all"):
        from .engine import run

        return run(self.function, self.points(), self.optimizer_list(),
                   max_steps=self.steps or default_steps, record=record,
                   variables=self.variables)


def _plot_surface(a, plot, studies):
    paths = []
    if a.starts:
        r = a.runs(100)
        paths = [r.run_path(0, b) for b in range(r.shape[1])]
    return plot.surface(a.function, paths=paths, domain=a.dom, variables=a.variables)


def _plot_lr_map(a, plot, studies):
    if ":" in a.optimizer:
        raise ConfigError("plot lr-map sweeps the learning rate: give --optimizer NAME without "
                          "one, and the rates with --lrs")
    return plot.lr_map(studies.lr_map(
        a.function, lrs=_lrs(a.lrs), optimizer=_one_optimizer(a.optimizer, None, a.hyper),
        max_steps=a.steps or 300, domain=a.dom, variables=a.variables))


def _plot_interactive(a, plot, studies):
    result = a.runs(200) if a.starts else None
    output = a.output if a.output.endswith(".html") else a.output.rsplit(".", 1)[0] + ".html"
    fig = plot.interactive(a.function, result, domain=a.dom, variables=a.variables)
    return plot.write_html(fig, output)


def _plot_animate(a, plot, studies):
    output = a.output if a.output.endswith((".gif", ".mp4")) else \
        a.output.rsplit(".", 1)[0] + ".gif"
    return plot.animate(a.runs(100), output, domain=a.dom)


_OPT = ("optimizer", "lr", "momentum", "beta1", "beta2", "eps", "weight_decay")
_RUNS = ("starts", "optimizers", "steps") + _OPT


@dataclass(frozen=True)
class PlotKind:
    """One ``gdlab plot`` kind: ``draw(args, plot, studies)`` (the modules passed in, so they
    load only when a figure is drawn), the options it uses, whether it needs a function. Any
    other option given is an error naming the kind."""

    draw: Callable
    options: tuple[str, ...]
    needs_function: bool = True


#: ``gdlab plot KIND`` → how to draw it
PLOT_KINDS: dict[str, PlotKind] = {
    "surface": PlotKind(_plot_surface, ("starts", "steps", "domain") + _OPT),
    "partials": PlotKind(lambda a, plot, studies: plot.partials(
        a.function, a.points("--at")[0], domain=a.dom, variables=a.variables), ("at", "domain")),
    "field": PlotKind(lambda a, plot, studies: plot.field(
        a.function, domain=a.dom, arrows=a.arrows, normalize=a.normalize,
        variables=a.variables), ("domain", "arrows", "normalize")),
    "directional": PlotKind(lambda a, plot, studies: plot.directional(
        a.function, a.points("--at")[0], variables=a.variables), ("at",)),
    "level-sets": PlotKind(lambda a, plot, studies: plot.level_sets(
        a.function, a.points("--at"), domain=a.dom, variables=a.variables), ("at", "domain")),
    "tangent-plane": PlotKind(lambda a, plot, studies: plot.tangent_plane(
        a.function, a.points("--at")[0], domain=a.dom, variables=a.variables),
        ("at", "domain")),
    "steepest-path": PlotKind(lambda a, plot, studies: plot.steepest_path(
        studies.gradient_flow(a.function, a.points()[0], lr=a.lr, max_steps=a.steps or 60,
                              variables=a.variables), domain=a.dom),
        ("starts", "lr", "steps", "domain")),
    "learning-rates": PlotKind(lambda a, plot, studies: plot.learning_rates(
        studies.learning_rates(a.function, a.points()[0], lrs=_lrs(a.lrs),
                               max_steps=a.steps or 60, variables=a.variables)),
        ("starts", "lrs", "steps")),
    "traps": PlotKind(lambda a, plot, studies: plot.traps(studies.traps()), (), False),
    "compare": PlotKind(lambda a, plot, studies: plot.compare(studies.comparison(
        a.function, a.points()[0], a.optimizer_list(), max_steps=a.steps or 100,
        variables=a.variables)), _RUNS),
    "basins": PlotKind(lambda a, plot, studies: plot.basins(studies.basin_map(
        a.function, n=a.grid, optimizer=_one_optimizer(
            a.optimizer, a.lr if a.lr is not None else studies.BASIN_LR, a.hyper),
        max_steps=a.steps or 2000, domain=a.dom, variables=a.variables)),
        ("grid", "steps", "domain") + _OPT),
    "lr-map": PlotKind(_plot_lr_map, ("lrs", "steps", "domain") + tuple(
        o for o in _OPT if o != "lr")),
    "loss": PlotKind(lambda a, plot, studies: plot.loss(a.runs(1000)), _RUNS),
    "animate": PlotKind(_plot_animate, _RUNS + ("domain",)),
    "interactive": PlotKind(_plot_interactive, _RUNS + ("domain",)),
}
#: options every kind takes
_PLOT_COMMON = ("kind", "function", "output", "variables")


def _lrs(text):
    from .records import parse_lrs

    return parse_lrs(text) if text else None


@cli.command("plot")
@click.argument("kind", type=click.Choice(list(PLOT_KINDS)), metavar="KIND")
@click.argument("function", required=False, metavar="[FORMULA_OR_NAME]")
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE",
              help="PNG, SVG or PDF (default: gdlab-KIND.png).")
@click.option("--start", "starts", multiple=True, metavar="X,Y", help="Start(s) of runs.")
@click.option("--at", "at", multiple=True, metavar="X,Y",
              help="Point(s) for directional and level-sets.")
@click.option("--optimizer", default="gd", show_default=True, metavar="NAME[:LR]")
@click.option("--optimizers", metavar="NAME[:LR],...", help="For compare and loss.")
@click.option("--lr", type=float, help="Learning rate.")
@click.option("--lrs", metavar="LIST", help="For learning-rates (default: from the bound).")
@click.option("--momentum", type=float)
@click.option("--beta1", type=float)
@click.option("--beta2", type=float)
@click.option("--eps", type=float)
@click.option("--weight-decay", type=float)
@click.option("--steps", type=click.IntRange(1, 100_000), default=None,
              help="Step limit (default depends on the figure).")
@click.option("--grid", type=click.IntRange(2, 2000), default=200, show_default=True,
              help="Starts per axis for basins.")
@click.option("--arrows", type=click.IntRange(2, 100), default=21, show_default=True)
@click.option("--normalize", is_flag=True, help="Unit arrows for field.")
@click.option("--domain", metavar="X0:X1,Y0:Y1", help="Plot domain.")
@click.option("--vars", "variables", metavar="NAMES")
@click.pass_context
def plot_command(ctx, kind, function, **params):
    """Draw a figure: surface, partials, field, directional, level-sets, tangent-plane,
    steepest-path, learning-rates, traps, compare, basins, lr-map, loss, animate (GIF/MP4), or
    interactive (plotly HTML that works offline). An option the kind does not use is an error.

    \b
    Examples:
      gdlab plot field "x0**2 + x1**2" -o field.png
      gdlab plot level-sets himmelblau --at 1,1 --at -2,-1
      gdlab plot learning-rates ill_conditioned --start -7,2
      gdlab plot compare ill_conditioned --start -7,2 --optimizers gd:0.95,momentum:0.1,adam:0.3
      gdlab plot basins himmelblau --grid 400 --optimizer adam --lr 0.05
    """
    spec = PLOT_KINDS[kind]
    given = [p for p in ctx.command.params if p.name not in _PLOT_COMMON
             and ctx.get_parameter_source(p.name) is not click.core.ParameterSource.DEFAULT]
    unused = [p for p in given if p.name not in spec.options]
    if unused:
        takes = [p.opts[0] for p in ctx.command.params if p.name in spec.options]
        raise ConfigError(f"plot {kind} does not use {unused[0].opts[0]}; it takes "
                          f"{', '.join(takes) if takes else 'no options but --output'}")
    if spec.needs_function and not function:
        raise ConfigError(f"plot {kind} needs a FORMULA_OR_NAME")
    params["output"] = params["output"] or f"gdlab-{kind}.png"
    from . import plot, studies

    drawn = spec.draw(_PlotArgs(kind, function, params), plot, studies)
    path = drawn if isinstance(drawn, Path) else drawn.save(params["output"])
    click.echo(f"wrote {path}")


@cli.command()
@click.option("--out", default="gdlab-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the figures and index.html.")
def demo(out):
    """The study note end to end: the calculus of x0² + x1² at a point, gradient descent with
    three learning rates, the traps — and every figure, with an offline index.html."""
    from .demo import run_demo

    run_demo(out, echo=lambda text: click.echo(text))


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default).")
@click.option("--open", "open_browser", is_flag=True,
              help="Open the playground in the default web browser once it is up.")
def serve(port, host, open_browser):
    """Serve the browser playground (/) and its JSON API (/api/..., documented at /docs)."""
    import socket
    import threading
    import webbrowser

    import uvicorn

    from .web.app import create_app

    try:  # a busy port or a bad address is one error line, not uvicorn's log and exit
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
            port = probe.getsockname()[1]
    except OSError as exc:
        raise GdlabError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    server = uvicorn.Server(uvicorn.Config(create_app(), host=host, port=port,
                                           log_level="warning"))
    if open_browser:
        def open_when_up():
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=open_when_up, daemon=True).start()
    click.echo(f"gdlab playground on {url} (API docs at {url}docs); Ctrl-C stops")
    server.run()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status. Bad input: one ``error:`` line, status 2."""
    argv = _join_negative_values(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=argv, prog_name="gdlab", standalone_mode=False)
    except GdlabError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except click.exceptions.NoSuchOption as exc:
        hint = ""
        if exc.option_name and exc.option_name[1:2] not in ("-", "") and \
                not exc.option_name[1:2].isdigit():
            hint = (" (a formula that begins with '-' goes after '--': "
                    "gdlab grad --at 1 -- '-x**2')")
        return _fail(exc.format_message().rstrip(".") + hint, EXIT_USAGE)
    except click.ClickException as exc:
        return _fail(exc.format_message(), exc.exit_code or EXIT_USAGE)
    except click.exceptions.Abort:
        return _fail("aborted", 1)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except (RecursionError, MemoryError):
        return _fail("input too large or too complex", EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - the boundary: never a traceback
        if os.environ.get("GDLAB_DEBUG"):
            raise
        return _fail(f"internal error ({type(exc).__name__}: {exc}); please report it "
                     "(GDLAB_DEBUG=1 shows the traceback)", EXIT_INTERNAL)
    return result if isinstance(result, int) else 0


def _fail(message: str, code: int) -> int:
    first = " ".join(str(message).split())
    click.echo(f"error: {first}", err=True)
    return code


def run() -> None:  # console-script entry point
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
