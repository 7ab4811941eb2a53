"""The command line's argument types, defined once apart from the commands (httpie's
``argtypes`` shape): each turns text into a checked value or raises a
:class:`~gdlab.errors.GdlabError` that ``main`` prints as one ``error:`` line."""

from __future__ import annotations

import math
from typing import Sequence

import click

from ..errors import ConfigError, PointError

__all__ = ["POINT", "BOX", "DOMAIN", "LEARNING_RATES", "OPTIMIZER", "SCHEDULE", "VALUES",
           "parse_point", "parse_values", "parse_lrs", "join_negative_values", "POINT_OPTIONS",
           "MAX_POINT_TEXT", "MAX_LRS"]

#: Options whose value may begin with a minus sign (a coordinate or a bound, not an option).
POINT_OPTIONS = ("--at", "--direction", "--start", "--box", "--domain")
MAX_POINT_TEXT = 10_000
MAX_LRS = 1000


def parse_point(text: str, name: str = "point") -> list[float]:
    """``"3,-4.5"`` -> ``[3.0, -4.5]``; refuses non-numbers, nan, inf and empty parts.

    >>> parse_point("-3, 4")
    [-3.0, 4.0]
    """
    from ..formula import MAX_VARIABLES

    if len(text) > MAX_POINT_TEXT:
        raise PointError(f"--{name} is longer than {MAX_POINT_TEXT} characters")
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > MAX_VARIABLES:
        raise PointError(f"--{name} has {len(parts)} coordinates; the limit is {MAX_VARIABLES}")
    return _finite_numbers(parts, name, "coordinate", PointError)


def _finite_numbers(parts, name: str, noun: str, error) -> list[float]:
    """The numbers of ``parts``; a part that is none, or not finite, is ``error`` naming the
    option and the part (``--start: coordinate 2 is not a number``)."""
    values = []
    for i, part in enumerate(parts, 1):
        try:
            value = float(part)
        except ValueError:
            raise error(f"--{name}: {noun} {i} is not a number: {part!r}") from None
        if not math.isfinite(value):
            raise error(f"--{name}: {noun} {i} must be finite; got {part!r}")
        values.append(value)
    return values


def parse_values(text: str, name: str = "values") -> list[float]:
    """A list of finite numbers, ``0.5,0.9`` (a hyper-parameter swept).

    >>> parse_values("0.5, 0.9", "momentum")
    [0.5, 0.9]
    """
    if len(text) > MAX_POINT_TEXT:
        raise ConfigError(f"--{name} is longer than {MAX_POINT_TEXT} characters")
    return _finite_numbers([p.strip() for p in text.split(",")], name, "value", ConfigError)


def parse_lrs(text: str) -> list[float]:
    """``0.001,0.01,0.1`` or a log range ``START:STOP:NUM`` (``1e-4:10:20``).

    >>> parse_lrs("1e-3:1e-1:3")
    [0.001, 0.01, 0.1]
    """
    text = text.strip()
    if len(text) > 20_000:
        raise ConfigError("--lrs is too long")
    try:
        if ":" in text:
            values = _log_range(text)
        else:
            values = [float(p) for p in text.split(",")]
    except ConfigError:  # a ValueError too: keep its own message
        raise
    except ValueError:
        raise ConfigError(f"--lrs must be numbers or START:STOP:NUM; got {text!r}") from None
    if len(values) > MAX_LRS:
        raise ConfigError(f"at most {MAX_LRS} learning rates; got {len(values)}")
    for v in values:
        if not (math.isfinite(v) and v > 0):
            raise ConfigError(f"learning rates must be positive and finite; got {v:g}")
    return values


def _log_range(text: str) -> list[float]:
    parts = text.split(":")
    if len(parts) != 3:
        raise ConfigError("a learning-rate range is START:STOP:NUM, e.g. 1e-4:10:20")
    start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
    if not (start > 0 and stop > 0 and math.isfinite(start) and math.isfinite(stop)):
        raise ConfigError("a log range needs positive, finite START and STOP")
    if not 1 <= num <= MAX_LRS:
        raise ConfigError(f"NUM must be in 1..{MAX_LRS}; got {num}")
    import numpy as np

    return [float(f"{v:.12g}") for v in np.geomspace(start, stop, num)]


def _box(text: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split(":"))
    except ValueError:
        raise PointError(f"--box must be LOW:HIGH; got {text!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise PointError(f"--box needs finite LOW < HIGH; got {text!r}")
    if not math.isfinite(high - low) or max(abs(low), abs(high)) > MAX_BOX:
        raise PointError(f"--box must lie within ±{MAX_BOX:g}; got {text!r}")
    return low, high


#: The largest coordinate of a --box (its width must be a finite double).
MAX_BOX = 1e150


def _domain(text: str) -> list[tuple[float, float]]:
    try:
        parts = [tuple(float(v) for v in axis.split(":")) for axis in text.split(",")]
    except ValueError:
        raise PointError(f"--domain must be X0:X1,Y0:Y1; got {text!r}") from None
    if len(parts) != 2 or any(len(p) != 2 or not p[0] < p[1] or not all(map(math.isfinite, p))
                              for p in parts):
        raise PointError(f"--domain must be X0:X1,Y0:Y1 with X0 < X1 and Y0 < Y1; got {text!r}")
    return parts


def _optimizers(text: str) -> str:
    """``NAME[:LR][:key=value…]``, comma-separated: every name checked against the registry
    (the values are checked with the other options when the optimizer is made)."""
    from ..optim.aliases import check_name

    if len(text) > 5000:
        raise ConfigError("optimizer text is longer than 5000 characters")
    for part in text.split(","):
        if part.strip():
            check_name(part.split(":")[0])
    return text


def _schedule(text: str):
    from ..optim import parse_schedule

    if not text.strip():
        raise ConfigError("--schedule is empty; leave it out for a constant learning rate")
    return parse_schedule(text)


def _output(text: str) -> str:
    """A file to write: any path, taken literally, but not an empty one."""
    if not text.strip():
        raise ConfigError("the output file name is empty")
    return text


class _Type(click.ParamType):
    """A click type from a parser ``parse(text)`` (or ``parse(text, option)``)."""

    def __init__(self, name: str, parse, with_option: bool = False):
        self.name, self.parse, self.with_option = name, parse, with_option

    def convert(self, value, param, ctx):
        if not isinstance(value, str):  # already converted (a default)
            return value
        if self.with_option:
            return self.parse(value, param.opts[0][2:] if param is not None else "point")
        return self.parse(value)


POINT = _Type("point", parse_point, with_option=True)
BOX = _Type("box", _box)
DOMAIN = _Type("domain", _domain)
LEARNING_RATES = _Type("learning rates", parse_lrs)
VALUES = _Type("values", parse_values, with_option=True)
OPTIMIZER = _Type("optimizer", _optimizers)
SCHEDULE = _Type("schedule", _schedule)
OUTPUT = _Type("file", _output)


def join_negative_values(argv: Sequence[str]) -> list[str]:
    """Rewrite ``--at -3,4`` (``--box -1e3:1e3``, …) as ``--at=-3,4`` so the value is not
    taken for an option, and move a formula that begins with ``-`` (``gdlab grad "-x**2 -
    y**2" --at 1,1``) behind ``--``, where an argument is never read as an option."""
    out: list[str] = []
    formulas: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":  # "-- FORMULA --start ...": the options after it still count
            rest = args[i + 1:]
            if len(rest) > 1 and not formulas:
                return join_negative_values(out + rest[1:]) + ["--", rest[0]]
            return out + ["--"] + formulas + rest
        if token in POINT_OPTIONS and i + 1 < len(args) and args[i + 1].startswith("-") \
                and args[i + 1] != "--":
            out.append(f"{token}={args[i + 1]}")
            i += 2
            continue
        if _is_negative_formula(token):
            formulas.append(token)
        else:
            out.append(token)
        i += 1
    return out + (["--"] + formulas if formulas else [])


def _is_negative_formula(token: str) -> bool:
    """``-x**2 - y**2`` is a formula, ``-o``, ``--lr`` and ``-1`` are not."""
    if not token.startswith("-") or token.startswith("--") or "=" in token:
        return False
    return any(ch in token for ch in " *+/^()²³−·") or \
        (token[1:2].isdigit() and any(ch.isalpha() for ch in token))  # -2x
