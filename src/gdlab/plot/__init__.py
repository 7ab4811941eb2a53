"""Figures that explain gradient descent (matplotlib; PNG, SVG, PDF).

Each function returns a :class:`~gdlab.plot.common.Plot` — the figure and the numbers it
draws — whose ``save(path)`` writes the file. matplotlib itself is imported only when a figure
is drawn.
"""

from __future__ import annotations

from .basins import basins
from .common import Plot
from .directional import directional
from .field import field
from .level_sets import level_sets
from .runs import compare, learning_rates, loss, traps
from .surface import surface

#: ``gdlab plot KIND`` names → functions
KINDS = {
    "surface": surface, "field": field, "directional": directional, "level-sets": level_sets,
    "learning-rates": learning_rates, "traps": traps, "compare": compare, "loss": loss,
    "basins": basins,
}

__all__ = ["KINDS", "Plot", "basins", "compare", "directional", "field", "learning_rates",
           "level_sets", "loss", "surface", "traps"]
