"""gdlab — a gradient-descent laboratory.

Exact and numerical derivatives of typed formulas, a library of classic test functions, and
the calculus of the study note at any point. Names are imported lazily so that ``import
gdlab`` and ``gdlab --help`` stay fast.

Example:
    >>> import gdlab
    >>> gdlab.gradient("x0**2 + x1**2", [3, 4])
    array([6., 8.])
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "parse": "formula", "Formula": "formula",
    "Objective": "objective",
    "gradient": "calculus", "partial": "calculus", "hessian": "calculus",
    "directional_derivative": "calculus", "steepest_directions": "calculus",
    "tangent_plane": "calculus", "TangentPlane": "calculus",
    "classify_critical_point": "calculus", "analyze": "calculus", "PointReport": "calculus",
    "resolve": "calculus",
    "check_gradient": "diff.numeric", "Derivative": "diff.numeric",
    "GdlabError": "errors", "FormulaError": "errors", "ConfigError": "errors",
    "PointError": "errors",
    "run": "engine", "RunResult": "engine",
    "make": "optim", "Optimizer": "optim", "parse_optimizer": "optim", "parse_schedule": "optim",
    "Diagnosis": "diagnose", "stability_bound": "diagnose",
    "set_language": "i18n",
}
#: submodules reachable as attributes (``gdlab.optim``, ``gdlab.studies``, ``gdlab.plot``, …)
_MODULES = ("functions", "formula", "objective", "calculus", "diff", "errors", "optim",
            "studies", "plot", "engine", "records", "critical", "palette", "domain", "i18n")
_PUBLIC_MODULES = ("functions", "optim", "studies", "plot", "i18n")

__all__ = sorted([*_EXPORTS, *_PUBLIC_MODULES, "diagnose", "sweep", "__version__"])


class _Package(types.ModuleType):
    """``gdlab.diagnose`` (and ``gdlab.sweep``) is the function, though it shares its
    submodule's name: importing
    the submodule sets the package attribute of that name, so the function is a property of
    the package (loaded on first use: ``import gdlab`` imports nothing heavy)."""

    @property
    def diagnose(self):
        return importlib.import_module(".diagnose", __name__).diagnose

    @diagnose.setter
    def diagnose(self, _module):  # the import system's setattr: the module stays reachable
        pass                      # as sys.modules["gdlab.diagnose"]

    @property
    def sweep(self):  # the same for gdlab.sweep (the function; the module: gdlab.sweep)
        return importlib.import_module(".sweep", __name__).sweep

    @sweep.setter
    def sweep(self, _module):
        pass


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'gdlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
