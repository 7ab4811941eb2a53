"""Optimizers as pure ``(init, update)`` pairs, their named recipes, and schedules."""

from .aliases import OPTIMIZERS, Optimizer, make, names, parse_optimizer
from .schedules import Schedule, parse_schedule
from .transforms import Context, Transform, chain

__all__ = ["OPTIMIZERS", "Optimizer", "make", "names", "parse_optimizer", "Schedule",
           "parse_schedule", "Context", "Transform", "chain"]
