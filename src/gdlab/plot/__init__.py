"""Figures that explain gradient descent (matplotlib; PNG, SVG, PDF).

Each function returns a :class:`~gdlab.plot.common.Plot` — the figure and the numbers it
draws — whose ``save(path)`` writes the file. matplotlib itself is imported only when a figure
is drawn.
"""

from __future__ import annotations

from .animate import animate
from .basins import basins
from .calculus_views import partials, steepest_path, tangent_plane
from .common import Plot
from .directional import directional
from .field import field
from .interactive import interactive, write_html
from .level_sets import level_sets
from .lr_map import lr_map
from .runs import compare, learning_rates, loss, traps
from .surface import surface

#: ``gdlab plot KIND`` names → functions
KINDS = {
    "surface": surface, "partials": partials, "field": field, "directional": directional,
    "level-sets": level_sets, "tangent-plane": tangent_plane, "steepest-path": steepest_path,
    "learning-rates": learning_rates, "traps": traps, "compare": compare, "basins": basins,
    "lr-map": lr_map, "loss": loss, "animate": animate, "interactive": interactive,
}

__all__ = ["KINDS", "Plot", "animate", "basins", "compare", "directional", "field",
           "interactive", "learning_rates", "level_sets", "loss", "lr_map", "partials",
           "steepest_path", "surface", "tangent_plane", "traps", "write_html"]
