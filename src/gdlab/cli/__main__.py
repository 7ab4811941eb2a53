"""``python -m gdlab.cli``."""

from .group import run

run()
