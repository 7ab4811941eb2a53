"""The public API is pinned: adding or removing a name is a deliberate change."""

import gdlab

PUBLIC = [
    "ConfigError", "Derivative", "Formula", "FormulaError", "GdlabError", "Objective",
    "PointError", "PointReport", "TangentPlane", "__version__", "analyze", "check_gradient",
    "classify_critical_point", "directional_derivative", "functions", "gradient", "hessian",
    "parse", "partial", "resolve", "steepest_directions", "tangent_plane",
    "run", "RunResult", "make", "Optimizer", "parse_optimizer", "parse_schedule", "diagnose",
    "Diagnosis", "stability_bound", "optim", "studies", "plot", "sweep", "set_language", "i18n",
]


def test_all_is_pinned():
    assert sorted(gdlab.__all__) == sorted(PUBLIC)


def test_every_public_name_resolves():
    for name in gdlab.__all__:
        assert getattr(gdlab, name) is not None
    assert gdlab.functions.get("sphere").name == "sphere"


def test_unknown_attribute_raises_attribute_error():
    import pytest

    with pytest.raises(AttributeError):
        gdlab.no_such_name  # noqa: B018


def test_readme_names_come_from_the_top_level():
    import numpy as np

    r = gdlab.run("himmelblau", [[0.0, 0.0]], [gdlab.make("gd", lr=0.01)], max_steps=2000)
    assert r.diagnoses()[0][0].label == gdlab.diagnose(r)[0][0].label == "global_minimum"
    assert np.allclose(r.final[0, 0], [3.0, 2.0], atol=1e-6)
    assert gdlab.optim.OPTIMIZERS["adam"].defaults["beta2"] == 0.999
    assert gdlab.studies.basin_map is not None and gdlab.plot.basins is not None


# --- the layers: imports only point downward ---------------------------------------------

FRONT_ENDS = ("cli", "web", "plot", "demo", "render")
HEAVY = ("click", "fastapi", "uvicorn", "starlette", "matplotlib", "plotly", "rich")


def _imports(path):
    """Every module a file imports (top level and inside functions), resolved to absolute."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(_SRC.parent).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(_SRC.parent).parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            found.append(mod)
            found += [f"{mod}.{a.name}" for a in node.names]  # from . import plot
    return found


from pathlib import Path  # noqa: E402

_SRC = Path(gdlab.__file__).parent


def _layer(path):
    rel = path.relative_to(_SRC)
    return rel.parts[0].removesuffix(".py")


def test_the_core_never_imports_a_front_end_or_a_heavy_library():
    bad = []
    for path in _SRC.rglob("*.py"):
        if _layer(path) in FRONT_ENDS:
            continue
        for mod in _imports(path):
            top = mod.split(".")[0]
            inner = mod.split(".")[1] if mod.startswith("gdlab.") else None
            if top in HEAVY or inner in FRONT_ENDS:
                bad.append(f"{path.relative_to(_SRC)} imports {mod}")
    assert not bad, bad


def test_figures_never_run_the_engine():
    bad = [f"{p.relative_to(_SRC)} imports {m}" for p in (_SRC / "plot").rglob("*.py")
           for m in _imports(p) if m.startswith(("gdlab.engine", "gdlab.studies",
                                                  "gdlab.compiled"))]
    assert not bad, bad


def test_the_rule_test_sees_imports():  # the walker finds what it must, so the tests can fail
    found = _imports(_SRC / "studies.py")
    assert "gdlab.engine" in found and "gdlab.diagnose" in found
    assert "matplotlib.colors" in _imports(_SRC / "plot" / "basins.py")


def test_sweep_is_the_function_and_its_module_stays_importable():
    import gdlab.sweep  # noqa: F401 - the submodule, imported after the package
    from gdlab.sweep import plan

    assert callable(gdlab.sweep) and gdlab.sweep.__name__ == "sweep"
    assert plan.__module__ == "gdlab.sweep"
