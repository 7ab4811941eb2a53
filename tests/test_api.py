"""The public API is pinned: adding or removing a name is a deliberate change."""

import gdlab

PUBLIC = [
    "ConfigError", "Derivative", "Formula", "FormulaError", "GdlabError", "Objective",
    "PointError", "PointReport", "TangentPlane", "__version__", "analyze", "check_gradient",
    "classify_critical_point", "directional_derivative", "functions", "gradient", "hessian",
    "parse", "partial", "resolve", "steepest_directions", "tangent_plane",
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
