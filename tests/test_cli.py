"""The command line: JSON contract, table view, and one-line errors for bad input."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from gdlab import functions
from gdlab.cli import main

GRAD_KEYS = {"variables", "point", "value", "gradient", "partials", "gradient_norm",
             "directional_derivative", "steepest_descent", "tangent_plane", "hessian",
             "critical_point", "method", "error_estimate"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def grad_json(capsys, *argv):
    code, out, err = run(capsys, "grad", *argv, "--json")
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def test_grad_json_on_the_study_notes_example(capsys):
    d = grad_json(capsys, "x0**2 + x1**2", "--at", "3,4")
    assert GRAD_KEYS <= set(d)
    assert d["variables"] == ["x0", "x1"]
    assert d["point"] == [3.0, 4.0]
    assert d["value"] == 25.0
    assert d["gradient"] == [6.0, 8.0]
    assert d["partials"] == {"x0": 6.0, "x1": 8.0}
    assert d["gradient_norm"] == 10.0
    assert d["directional_derivative"] is None
    assert d["steepest_descent"] == pytest.approx([-0.6, -0.8])
    assert d["tangent_plane"] == "z = 25 + 6*(x0 - 3) + 8*(x1 - 4)"
    assert d["hessian"] == [[2.0, 0.0], [0.0, 2.0]]
    assert d["critical_point"] is None
    assert d["method"] == "exact"
    assert d["error_estimate"] is None


def test_negative_points_work_as_typed(capsys):
    d = grad_json(capsys, "x0**2 + x1**2", "--at", "-3,4", "--direction", "-1,0")
    assert d["point"] == [-3.0, 4.0]
    assert d["directional_derivative"] == pytest.approx(6.0)


def test_library_name_takes_its_dimension_from_the_point(capsys):
    d = grad_json(capsys, "rosenbrock", "--at", "1,1,1,1")
    assert d["variables"] == ["x0", "x1", "x2", "x3"]
    assert d["gradient"] == [0.0] * 4
    assert d["critical_point"] == "minimum"
    d = grad_json(capsys, "saddle", "--at", "0,0")
    assert d["critical_point"] == "saddle"
    assert d["steepest_descent"] is None


def test_vars_reorders_and_methods_report_errors(capsys):
    d = grad_json(capsys, "x*y**2", "--at", "2,3", "--vars", "y,x")
    assert d["variables"] == ["y", "x"]
    assert d["gradient"] == [2 * 3 * 2.0, 2.0**2]  # (∂/∂y, ∂/∂x) = (2xy, y²) at y=2, x=3
    d = grad_json(capsys, "himmelblau", "--at", "1,1", "--method", "richardson")
    assert d["method"] == "richardson"
    exact = grad_json(capsys, "himmelblau", "--at", "1,1")["gradient"]
    assert np.all(np.abs(np.subtract(d["gradient"], exact)) <= d["error_estimate"])


def test_table_view_shows_partials_and_plane(capsys):
    code, out, err = run(capsys, "grad", "x0**2 + x1**2", "--at", "3,4", "--direction", "1,1")
    assert code == 0 and err == ""
    for text in ("∂f/∂x0", "2*x0", "9.899494937", "z = 25 + 6*(x0 - 3)", "(-0.6, -0.8)"):
        assert text in out


def test_functions_lists_the_library(capsys):
    code, out, _ = run(capsys, "functions", "--json")
    entries = json.loads(out)
    assert [e["name"] for e in entries] == functions.names()
    him = next(e for e in entries if e["name"] == "himmelblau")
    assert sum(p["kind"] == "global_minimum" for p in him["critical_points"]) == 4
    code, out, _ = run(capsys, "functions")
    assert code == 0 and "goldstein_price" in out and "3 local minima" in out


HOSTILE = [
    ["grad", "__import__('os').system('echo pwned')", "--at", "1"],
    ["grad", "x.__class__", "--at", "1"],
    ["grad", "x[0]", "--at", "1"],
    ["grad", "lambda: 1", "--at", "1"],
    ["grad", "[x for x in y]", "--at", "1"],
    ["grad", "x = 1", "--at", "1"],
    ["grad", "nosuch(x)", "--at", "1"],
    ["grad", "sin(x, x)", "--at", "1"],
    ["grad", "x +* 2", "--at", "1"],
    ["grad", "x\x00", "--at", "1"],
    ["grad", "x+" * 500_000 + "x", "--at", "1"],
    ["grad", "(" * 5000 + "x" + ")" * 5000, "--at", "1"],
    ["grad", "x**(10**10**10)", "--at", "1"],
    ["grad", "9**9**9**9", "--at", "1"],
    ["grad", "x", "--at", "nan"],
    ["grad", "x + y", "--at", "1"],
    ["grad", "x", "--at", "abc"],
    ["grad", "x", "--at", "1,,2"],
    ["grad", "x", "--at", "1e999"],
    ["grad", "beale", "--at", "1,2,3"],
    ["grad", "x", "--at", "1", "--direction", "0"],
    ["grad", "x", "--at", "1", "--method", "magic"],
    ["grad", "log(x)", "--at", "-1"],
    ["grad", "x"],
    ["grad", "-x**2", "--at", "1"],
    ["nosuchcommand"],
    ["grad", "x", "--at", ",".join(["1"] * 100)],
]


@pytest.mark.parametrize("argv", HOSTILE, ids=[repr(a)[:50] for a in HOSTILE])
def test_bad_input_gives_one_error_line_and_nonzero_exit(capsys, argv):
    start = time.perf_counter()
    code, out, err = run(capsys, *argv)
    assert time.perf_counter() - start < 1.0
    assert code != 0
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "pwned" not in err


def test_the_installed_command_never_prints_a_traceback(tmp_path):
    """Through the real console script, with the hostile formula that would run a command."""
    marker = tmp_path / "pwned"
    formula = f"__import__('os').system('touch {marker}')"
    for argv in (["grad", formula, "--at", "1"], ["grad", "x**", "--at", "1"]):
        proc = subprocess.run([sys.executable, "-m", "gdlab.cli", *argv], capture_output=True,
                              text=True, timeout=30, env={**os.environ, "NO_COLOR": "1"})
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert not marker.exists()
    proc = subprocess.run([sys.executable, "-m", "gdlab.cli", "grad", "x0**2 + x1**2", "--at",
                           "-3,4", "--json"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and json.loads(proc.stdout)["gradient"] == [-6.0, 8.0]


def test_help_is_fast_and_does_not_import_heavy_modules():
    code = ("import sys, gdlab.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('sympy', 'numpy', 'rich') if m in sys.modules]\n"
            "print('HEAVY=' + ','.join(heavy))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0
    assert "Usage: gdlab" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY="
