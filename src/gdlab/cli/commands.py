"""The commands: ``grad``, ``functions``, ``descend``, ``compare``, ``lr-sweep``, ``demo``
and ``serve`` (``plot`` has its own module). Each parses (with :mod:`.types` and
:mod:`.options`), builds what the core needs, calls it, and renders."""

from __future__ import annotations

import json
import time

import click

from ..diff import DERIVATIVE_METHODS
from ..errors import ConfigError, GdlabError
from ..formula import MAX_VARIABLES
from .group import cli
from .options import (OptimizerOption, execute, given_once, hyper, parse_optimizers,
                      run_options, spec_of, starts_of)
from .types import LEARNING_RATES, OPTIMIZER, POINT


def _echo_json(doc) -> None:
    click.echo(json.dumps(doc, indent=2, allow_nan=False))


@cli.command()
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--at", "at", type=POINT, required=True, metavar="X0,X1,...",
              help="The point, e.g. 3,4 or -3,4.")
@click.option("--vars", "variables", metavar="NAMES",
              help="Variable order for a formula, e.g. y,x (default: natural sort).")
@click.option("--direction", type=POINT, metavar="U0,U1,...",
              help="Direction for the directional derivative (normalised).")
@click.option("--method", type=click.Choice(DERIVATIVE_METHODS),
              help="Derivative method (default: exact for formulas and library functions).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def grad(function: str, at: list[float], variables: str | None, direction: list[float] | None,
         method: str | None, as_json: bool) -> None:
    """Partial derivatives, gradient, directional derivative, tangent plane and Hessian of
    FORMULA_OR_NAME at a point.

    \b
    Examples:
      gdlab grad "x0**2 + x1**2" --at 3,4
      gdlab grad himmelblau --at -3,4 --direction 1,1 --json
      gdlab grad "sin(x)*exp(y)" --at 1,2 --method richardson
    """
    from ..calculus import analyze
    from ..watchdog import symbolic_limit

    with symbolic_limit():
        report = analyze(function, at, direction=direction, method=method, variables=variables)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        from ..render import print_report

        print_report(report)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--dim", type=click.IntRange(1, MAX_VARIABLES), default=None,
              help="List only the functions defined in this many dimensions (the n-D ones "
                   "with their critical points in it). Default: all, n-D ones in 2-D.")
def functions(as_json: bool, dim: int | None) -> None:
    """List the library of test functions with their known critical points."""
    from .. import functions as library

    entries = [f.as_dict(None if f.dim else dim) for f in library.all_functions()
               if dim is None or f.defined_in(dim)]
    if as_json:
        click.echo(json.dumps(entries, indent=2, allow_nan=False))
    else:
        from ..render import print_functions

        print_functions(entries)


# --- runs ---------------------------------------------------------------------------------


@cli.command()
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--optimizer", cls=OptimizerOption, type=OPTIMIZER, default="gd",
              show_default=True, metavar="NAME[:LR]")
@click.option("--lr", type=float, help="Learning rate (default: torch.optim's).")
@run_options
def descend(function, optimizer, lr, **o):
    """Run one optimizer from one or many starts and say why each run ended where it did.

    \b
    Examples:
      gdlab descend "x0**2 + x1**2" --start -3,4 --lr 0.1
      gdlab descend himmelblau --start 0,0 --start -1,4 --optimizer adam --lr 0.1
      gdlab descend rosenbrock --random-starts 1000 --optimizer momentum --lr 1e-3
    """
    from ..records import run_document

    given_once(optimizer, lr, hyper(o))
    obj, points = starts_of(function, o)
    opts = parse_optimizers([optimizer], lr, hyper(o), strict=True, schedule=o["schedule"],
                            noise=o["noise"], seed=o["seed"])
    result = execute(spec_of(obj, points, opts, o), o)
    doc = run_document(result, include_path=o["with_path"])
    block = doc.pop("results")[0]
    doc.update(optimizer=block["optimizer"], runs=block["runs"], summary=block["summary"])
    if o["as_json"]:
        _echo_json(doc)
    else:
        from ..render import print_runs

        print_runs(doc)


@cli.command()
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--optimizers", type=OPTIMIZER, required=True, metavar="NAME[:LR],...",
              help="Comma-separated, each with an optional learning rate: gd:0.1,adam:0.3.")
@click.option("--lr", type=float, help="Learning rate for those given without one.")
@run_options
def compare(function, optimizers, lr, **o):
    """Compare optimizers from the same starts with the same budget and stopping rule.

    \b
    Fair by construction: every optimizer gets the same starts, the same step limit and the
    same gradient-norm stop; nothing is clipped.
    Example:
      gdlab compare ill_conditioned --start -7,2 --optimizers gd:0.9,momentum:0.1,adam:0.3
    """
    from ..records import run_document

    obj, points = starts_of(function, o)
    texts = [t.strip() for t in optimizers.split(",") if t.strip()]
    if not texts:
        raise ConfigError("--optimizers is empty")
    if len(texts) > 50:
        raise ConfigError("at most 50 optimizers")
    opts = parse_optimizers(texts, lr, hyper(o), strict=False, schedule=o["schedule"],
                            noise=o["noise"], seed=o["seed"])
    result = execute(spec_of(obj, points, opts, o), o)
    doc = run_document(result, include_path=o["with_path"])
    if o["as_json"]:
        _echo_json(doc)
    else:
        from ..render import print_compare

        print_compare(doc)


@cli.command("lr-sweep")
@click.argument("function", metavar="FORMULA_OR_NAME")
@click.option("--lrs", type=LEARNING_RATES, required=True, metavar="LIST|START:STOP:NUM",
              help="Learning rates: 0.001,0.01,0.1 or a log range 1e-4:10:20.")
@click.option("--optimizer", cls=OptimizerOption, type=OPTIMIZER, default="gd",
              show_default=True, metavar="NAME")
@run_options
def lr_sweep(function, lrs, optimizer, **o):
    """Run one optimizer at many learning rates (one vectorised pass) and diagnose each.

    \b
    Example:
      gdlab lr-sweep "x0**2 + x1**2" --start -3,4 --lrs 1e-4:10:11
    """
    from ..diagnose import summary
    from ..optim.aliases import optimizer_text
    from ..records import run_document
    from ..studies import sweep_bound, sweep_configs

    if "lr" in optimizer_text(optimizer)[1]:
        raise ConfigError("lr-sweep sets the learning rates with --lrs: give --optimizer NAME "
                          "without one")
    given_once(optimizer, None, hyper(o))
    obj, points = starts_of(function, o)
    (base,) = parse_optimizers([optimizer], None, hyper(o), strict=False,
                               schedule=o["schedule"], noise=o["noise"], seed=o["seed"])
    result = execute(spec_of(obj, points, sweep_configs(base, lrs), o), o)
    doc = run_document(result, include_path=o["with_path"])
    results = []
    for rate, block in zip(lrs, doc.pop("results")):
        for run_ in block["runs"]:
            results.append({"lr": rate, **run_})
    doc.update({"optimizer": {**base.to_dict(), "lr": None}, "stability_bound":
                sweep_bound(result), "optimizer_bound": sweep_bound(result, own=True),
                "results": results,
                "summary": summary([d for row in result.diagnoses() for d in row])})
    if o["as_json"]:
        _echo_json(doc)
    else:
        from ..render import print_sweep

        print_sweep(doc)


# --- the demo and the server -------------------------------------------------------------


@cli.command()
@click.option("--out", default="gdlab-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the figures and index.html.")
def demo(out):
    """The study note end to end: the calculus of x0² + x1² at a point, gradient descent with
    three learning rates, the traps — and every figure, with an offline index.html."""
    from ..demo import run_demo

    run_demo(out, echo=lambda text: click.echo(text))


#: Host names a loopback server answers to (any other Host header is refused: DNS rebinding).
#: (IPv6 ``::1`` is served without the check: Starlette's cannot read ``[::1]:port``.)
LOOPBACK = ("127.0.0.1", "localhost")
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

    from ..web.app import create_app
    from ..web.transport import TRANSPORT

    try:  # a busy port or a bad address is one error line, not uvicorn's log and exit
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # as uvicorn binds: a port a stopped server left in TIME_WAIT is free, a port
            # another server listens on is not
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            port = probe.getsockname()[1]
    except OSError as exc:
        raise GdlabError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    loopback = host in LOOPBACK
    server = uvicorn.Server(uvicorn.Config(
        create_app(allowed_hosts=LOOPBACK if loopback else None, isolate=True), host=host,
        port=port,
        log_level="warning", **TRANSPORT))
    if open_browser:
        def open_when_up():
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=open_when_up, daemon=True).start()
    click.echo(f"gdlab playground on {url} (API docs at {url}docs); Ctrl-C stops")
    server.run()
