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
from typing import Sequence

import click

from . import __version__
from .errors import GdlabError, PointError

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
