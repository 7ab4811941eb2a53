"""The ``gdlab`` command line: a thin layer over the library.

``main(argv) -> int`` parses, calls the library, renders a table (rich) or JSON, and turns
every error caused by input into one line on stderr, ``error: <message>``, with a non-zero
exit. The argument types live in :mod:`.types`, the options shared by commands in
:mod:`.options`, the commands in :mod:`.commands`, :mod:`.plot` and :mod:`.sweep`. Heavy
modules (NumPy, SymPy, rich) are imported inside the commands, so ``gdlab --help`` is quick.
"""

from __future__ import annotations

from . import commands, plot, sweep  # noqa: F401 - registers the commands on the group
from .group import EXIT_INTERNAL, EXIT_USAGE, cli, language_option, main, run
from .types import parse_point

for _command in [cli, *cli.commands.values()]:
    _command.params.append(language_option())

__all__ = ["cli", "main", "run", "parse_point", "EXIT_USAGE", "EXIT_INTERNAL"]
