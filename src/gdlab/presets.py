"""The study's classic set-ups, each named once: the demo's walk-through and the playground's
one-click presets (served by ``/api/meta``) are built from these.

>>> [p["name"] for p in presets()]
['note', 'book', 'local_vs_global_minimum', 'plateau', 'saddle_point']
>>> presets()[0]["optimizers"][2]
{'name': 'gd', 'lr': 1e-10}
"""

from __future__ import annotations

from .i18n import text
from .optim import parse_optimizer
from .studies import TRAP_CASES, TRAP_TOL

__all__ = ["NOTE", "NOTE_START", "NOTE_RATES", "NOTE_STEPS", "NOTE_TOL", "BOOK", "BOOK_START",
           "BOOK_SIX", "BOOK_STEPS", "presets"]

NOTE = "x0**2 + x1**2"  # the study note's f(x0, x1)
NOTE_START = (-3.0, 4.0)
NOTE_RATES = ("gd:0.1", "gd:10", "gd:1e-10")  # right, too large, too small
NOTE_STEPS = 100
NOTE_TOL = 0.0  # every one of the 100 steps, as the note takes them
BOOK = "ill_conditioned"  # "Deep Learning from Scratch" ch. 6: x²/20 + y²
BOOK_START = (-7.0, 2.0)
BOOK_SIX = ("gd:0.95", "momentum:0.1", "adagrad:1.5", "adam:0.3")
BOOK_STEPS = 30


def _spec(text: str) -> dict:
    """``gd:0.1`` as the page's optimizer spec, read by the CLI's own parser."""
    o = parse_optimizer(text)
    return {"name": o.name, "lr": float(o.lr)}


def presets() -> list[dict]:
    """Each preset: ``name``, ``title`` (the catalogue's ``preset.<name>``, in the language in
    use), ``formula``, ``starts``, ``optimizers``
    (``[{name, lr}]``), ``steps`` and ``tol`` (``None``: the default stop rule)."""
    out = [
        {"name": "note", "title": text("preset.note"),
         "formula": NOTE, "starts": [list(NOTE_START)],
         "optimizers": [_spec(o) for o in NOTE_RATES], "steps": NOTE_STEPS, "tol": NOTE_TOL},
        {"name": "book", "title": text("preset.book"),
         "formula": BOOK, "starts": [list(BOOK_START)],
         "optimizers": [_spec(o) for o in BOOK_SIX], "steps": BOOK_STEPS, "tol": None},
    ]
    for function, starts, lr, steps, name in TRAP_CASES:
        out.append({"name": name, "title": text(f"preset.{name}"),
                    "formula": function, "starts": [list(s) for s in starts],
                    "optimizers": [{"name": "gd", "lr": lr}], "steps": steps, "tol": TRAP_TOL})
    return out
