"""``gdlab plot KIND``: the kinds in one table (:data:`PLOT_KINDS`), each with what it draws
and the options it uses; an option a kind does not use is an error naming the kind."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click

from ..errors import ConfigError, PointError
from ..files import OUTPUTS, suffix_names
from ..i18n import text
from .group import cli
from .options import (HYPER, OptimizerOption, engine_options, given_once, hyper, hyper_options,
                      parse_optimizers)
from .types import DOMAIN, LEARNING_RATES, OPTIMIZER, OUTPUT, POINT

MAX_PLOT_STEPS = 100_000  # a figure's runs are for looking at
MAX_MAP_GRID = 4000  # starts per axis of a basin map (16 million runs, in chunks)


#: The largest coordinate a figure draws (beyond it a map's scale has no room for the function).
MAX_PLOT_COORDINATE = 1e6


class _PlotArgs:
    """The parsed options of ``gdlab plot``, with what each kind asks of them."""

    def __init__(self, kind, function, params):
        self.kind, self.function = kind, function
        self.__dict__.update(params)
        self.hyper = hyper(params)
        for option, points in (("--start", params.get("starts")), ("--at", params.get("at"))):
            for p in points or ():
                if any(abs(v) > MAX_PLOT_COORDINATE for v in p):
                    raise PointError(f"{option}: a figure draws points within "
                                     f"±{MAX_PLOT_COORDINATE:g}; got ({', '.join(map(str, p))})")

    def points(self, option="--start"):
        values = [list(p) for p in (self.starts if option == "--start" else self.at)]
        if not values:
            raise PointError(f"plot {self.kind} needs {option}")
        return values

    def optimizer_list(self):  # --optimizers, else --optimizer, each with the shared options
        names = [o.strip() for o in (self.optimizers or self.optimizer).split(",") if o.strip()]
        if not self.optimizers:
            given_once(self.optimizer, self.lr, self.hyper)
        return parse_optimizers(names, self.lr, self.hyper, strict=not self.optimizers)

    def one_optimizer(self, lr=None):
        given_once(self.optimizer, self.lr, self.hyper)
        return parse_optimizers([self.optimizer], lr, self.hyper, strict=True)[0]

    def runs(self, default_steps):
        from ..domain import objective_2d
        from ..spec import RunSpec

        # the figures draw maps of two variables (loss curves take any dimension)
        f = self.function if self.kind == "loss" else objective_2d(self.function,
                                                                    self.variables)
        return RunSpec.build(f, self.points(), self.optimizer_list(),
                             max_steps=self.max_steps or default_steps, record="all",
                             variables=self.variables).run()


def _plot_surface(a, plot, studies):
    paths, labels = [], []
    if a.starts:
        r = a.runs(100)
        paths = [r.run_path(0, b) for b in range(r.shape[1])]
        labels = [r.optimizers[0].label] * len(paths)
    return plot.surface(a.function, paths=paths, domain=a.domain, variables=a.variables,
                        labels=labels)


def _plot_lr_map(a, plot, studies):
    if ":" in a.optimizer:
        raise ConfigError("plot lr-map sweeps the learning rate: give --optimizer NAME without "
                          "one, and the rates with --lrs")
    return plot.lr_map(studies.lr_map(
        a.function, lrs=a.lrs, optimizer=a.one_optimizer(), max_steps=a.max_steps or 300,
        domain=a.domain, variables=a.variables, backend=a.backend, dtype=a.dtype,
        scheduler=a.scheduler))


def _with_suffix(output: str, suffixes: tuple[str, ...]) -> str:
    """``output`` if it ends in one of ``suffixes``, else its file name's suffix replaced by
    the first (never a dot in a folder's name: ``dir.with.dot/out`` → ``dir.with.dot/out.html``)."""
    from pathlib import Path

    path = Path(output)
    return output if path.suffix.lower() in suffixes else str(path.with_suffix(suffixes[0]))


def _plot_interactive(a, plot, studies):
    from ..plot.interactive import html_target

    output = str(html_target(_with_suffix(a.output, OUTPUTS["interactive"])))  # before the runs
    result = a.runs(200) if a.starts else None
    fig = plot.interactive(a.function, result, domain=a.domain, variables=a.variables)
    return plot.write_html(fig, output)


def _plot_animate(a, plot, studies):
    from ..plot.animate import animation_target

    output = str(animation_target(_with_suffix(a.output, OUTPUTS["animation"])))
    return plot.animate(a.runs(100), output, domain=a.domain)


_OPT = ("optimizer", "lr") + HYPER
_RUNS = ("starts", "optimizers", "max_steps") + _OPT
_ENGINE = ("backend", "dtype")  # the kinds that draw maps of many runs


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
    "surface": PlotKind(_plot_surface, ("starts", "max_steps", "domain") + _OPT),
    "partials": PlotKind(lambda a, plot, studies: plot.partials(
        a.function, a.points("--at")[0], domain=a.domain, variables=a.variables), ("at", "domain")),
    "field": PlotKind(lambda a, plot, studies: plot.field(
        a.function, domain=a.domain, arrows=a.arrows, normalize=a.normalize,
        variables=a.variables), ("domain", "arrows", "normalize")),
    "directional": PlotKind(lambda a, plot, studies: plot.directional(
        a.function, a.points("--at")[0], u=a.direction, variables=a.variables),
        ("at", "direction")),
    "level-sets": PlotKind(lambda a, plot, studies: plot.level_sets(
        a.function, a.points("--at"), domain=a.domain, variables=a.variables), ("at", "domain")),
    "tangent-plane": PlotKind(lambda a, plot, studies: plot.tangent_plane(
        a.function, a.points("--at")[0], domain=a.domain, variables=a.variables),
        ("at", "domain")),
    "steepest-path": PlotKind(lambda a, plot, studies: plot.steepest_path(
        studies.gradient_flow(a.function, a.points()[0], lr=a.lr, max_steps=a.max_steps or 60,
                              variables=a.variables), domain=a.domain),
        ("starts", "lr", "max_steps", "domain")),
    "learning-rates": PlotKind(lambda a, plot, studies: plot.learning_rates(
        studies.learning_rates(a.function, a.points()[0], lrs=a.lrs,
                               max_steps=a.max_steps or 60, variables=a.variables)),
        ("starts", "lrs", "max_steps")),
    "traps": PlotKind(lambda a, plot, studies: plot.traps(studies.traps()), (), False),
    "compare": PlotKind(lambda a, plot, studies: plot.compare(studies.comparison(
        a.function, a.points()[0], a.optimizer_list(), max_steps=a.max_steps or 100,
        variables=a.variables)), _RUNS),
    "basins": PlotKind(lambda a, plot, studies: plot.basins(studies.basin_map(
        a.function, n=a.grid,
        optimizer=a.one_optimizer(a.lr if a.lr is not None else studies.BASIN_LR),
        max_steps=a.max_steps or 2000, domain=a.domain, variables=a.variables,
        backend=a.backend, dtype=a.dtype, scheduler=a.scheduler)),
        ("grid", "max_steps", "domain", "scheduler") + _OPT + _ENGINE),
    "lr-map": PlotKind(_plot_lr_map, ("lrs", "max_steps", "domain", "scheduler") + tuple(
        o for o in _OPT if o != "lr") + _ENGINE),
    "loss": PlotKind(lambda a, plot, studies: plot.loss(a.runs(1000)), _RUNS),
    "animate": PlotKind(_plot_animate, _RUNS + ("domain",)),
    "interactive": PlotKind(_plot_interactive, _RUNS + ("domain",)),
}
#: options every kind takes
_PLOT_COMMON = ("kind", "function", "output", "variables", "lang")  # lang: every command has it


@cli.command("plot")
@click.argument("kind", type=click.Choice(list(PLOT_KINDS)), metavar="KIND")
@click.argument("function", required=False, metavar="[FORMULA_OR_NAME]")
@click.option("--output", "-o", type=OUTPUT, metavar="FILE",
              help=f"{suffix_names('figure', True)}; {suffix_names('animation', True)} for "
                   f"animate, {suffix_names('interactive', True)} for interactive (default: "
                   f"gdlab-KIND{OUTPUTS['figure'][0]}).")
@click.option("--start", "starts", type=POINT, multiple=True, metavar="X,Y",
              help="Start(s) of runs.")
@click.option("--at", "at", type=POINT, multiple=True, metavar="X,Y",
              help="Point(s) for directional and level-sets.")
@click.option("--direction", type=POINT, metavar="U0,U1",
              help="For directional: a direction u to mark with D_u f (normalised).")
@click.option("--optimizer", cls=OptimizerOption, type=OPTIMIZER, default="gd",
              show_default=True, metavar="NAME[:LR]")
@click.option("--optimizers", type=OPTIMIZER, metavar="NAME[:LR],...",
              help="For compare and loss.")
@click.option("--lr", type=float, help="Learning rate.")
@click.option("--lrs", type=LEARNING_RATES, metavar="LIST",
              help="For learning-rates and lr-map (default: from the bound).")
@hyper_options
@engine_options
@click.option("--max-steps", "--steps", "max_steps", type=click.IntRange(1, MAX_PLOT_STEPS),
              default=None, help="Step limit (default depends on the figure).")
@click.option("--grid", type=click.IntRange(2, MAX_MAP_GRID), default=200, show_default=True,
              help="Starts per axis for basins (beyond 1000, run in chunks).")
@click.option("--scheduler", metavar="none|local[:N]|tcp://HOST:PORT",
              help="For basins and lr-map: run the map in chunks there (as gdlab sweep "
                   "does).")
@click.option("--arrows", type=click.IntRange(2, 100), default=21, show_default=True)
@click.option("--normalize", is_flag=True, help="Unit arrows for field.")
@click.option("--domain", type=DOMAIN, metavar="X0:X1,Y0:Y1", help="Plot domain.")
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
        raise ConfigError(f"plot {kind} does not use {'/'.join(unused[0].opts)}; it takes "
                          f"{_takes(kind, ctx.command.params)}")
    if spec.needs_function and not function:
        raise ConfigError(f"plot {kind} needs a FORMULA_OR_NAME")
    params["output"] = params["output"] or f"gdlab-{kind}{OUTPUTS['figure'][0]}"
    from .. import plot, studies

    if kind not in ("animate", "interactive"):  # those choose their own suffix
        plot.Plot.check_target(params["output"])  # before any work

    drawn = spec.draw(_PlotArgs(kind, function, params), plot, studies)
    path = drawn if isinstance(drawn, Path) else drawn.save(params["output"])
    click.echo(text("cli.wrote", path=path))


def _takes(kind: str, params) -> str:
    """The options of ``gdlab plot KIND`` besides --output and --vars, from the table."""
    takes = ["/".join(p.opts) for p in params if p.name in PLOT_KINDS[kind].options]
    return ", ".join(takes) if takes else "no options but --output"


# the help lists what each kind takes, read from the table (the same text as the error)
plot_command.epilog = "\b\nOptions each kind takes (any other is an error):\n" + "\n".join(
    f"  {kind:15} {_takes(kind, plot_command.params)}" for kind in PLOT_KINDS)

