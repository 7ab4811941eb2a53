"""The project's exception types.

Every error a user can cause with bad input is a :class:`GdlabError`; front ends catch it at
the boundary and print one line, ``error: <message>``.
"""

from __future__ import annotations

__all__ = ["GdlabError", "FormulaError", "ConfigError", "PointError", "TimeBudgetError"]


class GdlabError(ValueError):
    """Base class of every error gdlab raises for bad input."""


class FormulaError(GdlabError):
    """A typed formula was refused.

    Attributes:
        column: 1-based column in the original text where the problem is, or ``None``.
    """

    def __init__(self, message: str, column: int | None = None):
        self.reason = message
        self.column = column
        super().__init__(message if column is None else f"{message} at column {column}")


class ConfigError(GdlabError):
    """An argument (method, option, keyword) has an invalid value."""


class PointError(GdlabError):
    """A point or direction is malformed: not numbers, not finite, wrong dimension."""


class TimeBudgetError(GdlabError):
    """A computation ran past the time budget it was given (``deadline``)."""
