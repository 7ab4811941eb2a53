"""Colours, defined once: the figures (matplotlib, plotly) and the playground (through
``GET /api/meta``) all take them from here."""

from __future__ import annotations

__all__ = ["PALETTE", "LABEL_COLORS", "DIVERGED_COLOR", "UNCONVERGED_COLOR", "MINIMUM_COLORS"]

#: Okabe & Ito's colour-blind-safe palette: one colour per optimizer or run, in order.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442"]
#: One colour per diagnosis (diverging/slow warm, minima greens and blues).
LABEL_COLORS = {
    "unbounded": "#AA3377", "diverged": "#D55E00", "oscillating": "#E69F00", "slow": "#F0E442",
    "saddle": "#CC79A7", "maximum": "#882255", "plateau": "#56B4E9", "global_minimum": "#009E73",
    "local_minimum": "#0072B2", "minimum": "#117733",
}
#: Basin maps: starts that diverged, that did not converge, and the minima in order.
DIVERGED_COLOR = "#D55E00"
UNCONVERGED_COLOR = "#BBBBBB"
MINIMUM_COLORS = ["#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
                  "#882255", "#44AA99", "#999933", "#AA4499", "#332288"]
