"""The ``gdlab`` group and ``main(argv) -> int``: parse, run the command, and turn every error
caused by input into one line on stderr, ``error: <message>``, with a non-zero exit."""

from __future__ import annotations

import contextvars
import os
import sys
import warnings
from typing import Sequence

import click

from .. import __version__, i18n
from ..errors import GdlabError
from .types import join_negative_values

EXIT_USAGE = 2
EXIT_INTERNAL = 70


def _choose_language(ctx, param, value) -> None:
    if value is not None:
        i18n.set_language(value)


def language_option() -> click.Option:
    """``--lang``: the language of explanations, advice, figures and pages (every command has
    it; ``$GDLAB_LANG`` where it is not given)."""
    return click.Option(["--lang"], type=click.Choice(tuple(i18n.LANGUAGES)), default=None,
                        expose_value=False, is_eager=True, callback=_choose_language,
                        help=f"Language of explanations, advice and figures (default: "
                             f"${i18n.ENVIRONMENT}, else {i18n.DEFAULT_LANGUAGE}).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gdlab")
def cli() -> None:
    """gdlab — a gradient-descent laboratory.

    Derivatives, gradients, tangent planes and Hessians of any formula or classic test
    function, exact or numerical.
    """
    i18n.language()  # a bad $GDLAB_LANG: one error line before any work


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status. Bad input: one ``error:`` line, status 2. No Python
    warning reaches the terminal (``GDLAB_DEBUG=1`` shows them)."""
    with warnings.catch_warnings():
        if not os.environ.get("GDLAB_DEBUG"):
            warnings.simplefilter("ignore")
        return _main(join_negative_values(sys.argv[1:] if argv is None else argv))


def _main(argv: list[str]) -> int:
    try:
        # its own copy of the context: a --lang chosen here ends with this invocation
        result = contextvars.copy_context().run(
            cli.main, args=argv, prog_name="gdlab", standalone_mode=False)
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
