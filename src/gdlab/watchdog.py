"""A wall-clock limit on symbolic work (parsing, differentiating, compiling) in the main thread.

SymPy cannot be interrupted from inside, but a ``SIGALRM`` can: :func:`symbolic_limit` arms a
timer around a block and turns its expiry into a :class:`~gdlab.errors.FormulaError`. It works
in the main thread of a process (the CLI, a worker); elsewhere it does nothing, so library code
can always use it.

>>> with symbolic_limit(5):
...     pass
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from .errors import FormulaError

__all__ = ["symbolic_limit", "SYMBOLIC_SECONDS"]

#: The longest the CLI spends on the symbolic work for one formula.
SYMBOLIC_SECONDS = 10.0


class _Expired(BaseException):  # not an Exception: no `except Exception` in SymPy swallows it
    pass


def _expire(*_):
    raise _Expired()


@contextmanager
def symbolic_limit(seconds: float = SYMBOLIC_SECONDS):
    """Refuse the formula if the block takes longer than ``seconds`` of wall time."""
    usable = hasattr(signal, "setitimer") and \
        threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise FormulaError(f"working out this formula's derivatives took over {seconds:g} s; "
                           "simplify it") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
