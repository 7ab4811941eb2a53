"""The command line: JSON contract, table view, and one-line errors for bad input."""

import datetime
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


@pytest.mark.parametrize("argv, value, gradient", [
    # a formula that begins with '-', anywhere among the options (the natural maximum)
    (["-x**2 - y**2", "--at", "1,1"], -2.0, [-2.0, -2.0]),
    (["--at", "1,1", "-x^2 - y^2"], -2.0, [-2.0, -2.0]),
    (["--at=-1,2", "-x*y"], 2.0, [-2.0, 1.0]),
    (["-2x", "--at", "3"], -6.0, [-2.0]),
    # what people type: implied products, superscripts, the note's signs
    (["2x + 3y", "--at", "5,7"], 31.0, [2.0, 3.0]),
    (["x² + y²", "--at", "3,4"], 25.0, [6.0, 8.0]),
    (["(x+1)(y-1)", "--at", "1,2"], 2.0, [1.0, 2.0]),
    # non-smooth functions away from their kinks: exact (sign(x), Heaviside)
    (["abs(x) + abs(y)", "--at", "1,-2"], 3.0, [1.0, -1.0]),
    (["max(x, y) + relu(x)", "--at", "2,1"], 4.0, [2.0, 0.0]),
    # a formula for ∇f that reads 0/0 where the one-sided derivatives agree: ∇f = 0
    (["x*sqrt(x^2 + y^2)", "--at", "0,0"], 0.0, [0.0, 0.0]),
])
def test_typed_formulas_read_as_meant(capsys, argv, value, gradient):
    d = grad_json(capsys, *argv)
    assert d["value"] == pytest.approx(value)
    assert d["gradient"] == pytest.approx(gradient, abs=1e-9)


@pytest.mark.parametrize("argv, message", [
    (["abs(x) + abs(y)", "--at", "0,2"], "error: f is not differentiable at (0, 2)"),
    (["sqrt(x^2+y^2)", "--at", "0,0"], "error: f is not differentiable at (0, 0)"),
    (["himmelbau", "--at", "1"], "error: unknown function 'himmelbau' — did you mean "
                                 "himmelblau?"),
    (["x√y", "--at", "1,1"], "error: unexpected character '√' (write sqrt(x)) at column 2"),
])
def test_grad_refusals_say_why(capsys, argv, message):
    code, out, err = run(capsys, "grad", *argv)
    assert (code, out, err.strip()) == (2, "", message)


def test_a_huge_direction_is_normalised_without_overflow(capsys):
    d = grad_json(capsys, "x*y", "--at", "1,1", "--direction", "1e308,1e308")
    assert d["direction"] == pytest.approx([2**-0.5] * 2)
    assert d["directional_derivative"] == pytest.approx(2**0.5)  # ∇f = (1, 1)


def test_a_formula_after_double_dash_keeps_the_options_that_follow(capsys):
    code, out, err = run(capsys, "descend", "--", "0-1/x", "--start", "0.5", "--lr", "0.05",
                         "--json")
    assert code == 0, err
    assert json.loads(out)["runs"][0]["start"] == [0.5]


def test_unwritable_output_is_one_error_line_naming_the_path(capsys, tmp_path):
    target = tmp_path / "r.json"
    target.write_text("keep")
    target.chmod(0o444)
    code, out, err = run(capsys, "descend", "sphere", "--start", "1,1", "--output", str(target))
    assert (code, err) == (2, f"error: cannot write {str(target)!r}: the file is read-only\n")
    assert target.read_text() == "keep"


def test_an_output_folder_with_a_dot_is_taken_literally(capsys, tmp_path):
    folder = tmp_path / "dir.with.dot"
    folder.mkdir()
    code, out, err = run(capsys, "plot", "interactive", "sphere", "-o", str(folder / "out"))
    assert code == 0, err
    assert out == f"wrote {folder / 'out.html'}\n"
    assert (folder / "out.html").stat().st_mode & 0o777 == 0o666 & ~_umask()


@pytest.mark.parametrize("argv, option", [
    (["descend", "x**2", "--start", "1", "--optimizer", "gd:0.001", "--lr", "0.01"], "lr"),
    (["descend", "x**2", "--start", "1", "--optimizer", "momentum:momentum=0.5",
      "--momentum", "0.9"], "momentum"),
    (["plot", "basins", "himmelblau", "--optimizer", "adam:0.1", "--lr", "0.2", "--grid", "8",
      "-o", "/tmp/gdlab-never.png"], "lr"),
    (["lr-sweep", "himmelblau", "--start", "0,0", "--lrs", "0.001,0.01", "--optimizer",
      "momentum:momentum=0.5", "--momentum", "0.9"], "momentum"),
])
def test_a_number_given_twice_is_refused_not_ignored(capsys, argv, option):
    """``--optimizer gd:0.001 --lr 0.01`` ran at 0.001, so adding a suggested ``--lr`` to
    such a command did nothing: now one error line that names both. Where only the text or
    only the option gives it, it is taken (basins' own default rate is no conflict)."""
    code, out, err = run(capsys, *argv)
    assert code != 0 and out == ""
    text, number = (argv[argv.index(flag) + 1] for flag in ("--optimizer", f"--{option}"))
    assert err == (f"error: {option} is given twice, in --optimizer {text} and as --{option} "
                   f"{number}: give it once (--optimizer {text.split(':')[0]} --{option} "
                   f"{number})\n")
    code, out, err = run(capsys, "descend", "x**2", "--start", "1", "--optimizer", "gd:0.001",
                         "--steps", "1", "--json")
    assert code == 0 and json.loads(out)["optimizer"]["lr"] == 0.001
    code, out, err = run(capsys, "descend", "x**2", "--start", "1", "--lr", "0.01", "--steps",
                         "1", "--json")
    assert code == 0 and json.loads(out)["optimizer"]["lr"] == 0.01


@pytest.mark.parametrize("kind", ["basins", "lr-map"])
def test_maps_of_f_s_minima_refuse_weight_decay(capsys, kind):
    """Their runs would end at minima of f + (wd/2)‖x‖², which a map coloured by f's minima
    calls "not converged" (all 144 starts of a 12 × 12 basin map at wd 20)."""
    code, out, err = run(capsys, "plot", kind, "himmelblau", "--weight-decay", "20",
                         "-o", "/tmp/gdlab-never.png")
    assert code != 0 and out == "" and err.count("\n") == 1
    what = {"basins": "a basin map", "lr-map": "a learning-rate map"}[kind]
    assert err.startswith(f"error: {what} colours each start by the minimum of f")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_tables_print_user_text_as_typed(capsys):
    code, out, err = run(capsys, "descend", "x^2 + y^2", "--start", "1,1", "--lr", "0.1",
                         "--schedule", "cosine:100")
    assert code == 0, err
    assert "schedule=cosine:100:0" in out  # rich would read ":100:" as an emoji code
    assert "f = x^2 + y^2: x**2 + y**2" in out


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


@pytest.mark.parametrize("dim", [1, 2, 3, 7])
def test_functions_dim_lists_exactly_the_functions_defined_in_that_dimension(capsys, dim):
    code, out, err = run(capsys, "functions", "--dim", str(dim), "--json")
    assert code == 0, err
    listed = [e["name"] for e in json.loads(out)]
    defined = []
    for f in functions.all_functions():  # defined in dim = its objective builds there
        try:
            obj = f.objective(dim)
        except Exception:  # noqa: BLE001 - refused: not defined in dim
            continue
        assert obj.dim == dim
        defined.append(f.name)
    assert listed == defined and listed
    for e in json.loads(out):
        assert all(len(p["location"]) == dim for p in e["critical_points"])


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
    ["grad", "himmelbau", "--at", "1"],
    ["descend", "sphere", "--start", "1,1", "--schedule", "step:inf"],
    ["descend", "sphere", "--start", "1,1", "--schedule", "warmup:nan"],
    ["descend", "sphere", "--start", "1,1", "--schedule", "cosine:nan"],
    ["descend", "sphere", "--start", "1,1", "--schedule", "step:2.5"],
    ["descend", "sphere", "--random-starts", "5", "--box=-1e308:1e308"],
    ["descend", "sphere", "--start", "1,1", "--output", "/proc/nope/r.json"],
    ["descend", "sphere", "--random-starts", "1000000", "--steps", "10000000", "--tol", "0"],
    ["grad", "x*tan(pi/2)", "--at", "1"],
    ["plot", "steepest-path", "x^2+y^2", "--start", "1e300,1", "-o", "/tmp/gdlab-never.png"],
    ["demo", "--out", "/dev/null/x"],
    ["plot", "learning-rates", "x+y", "--start", "0,0", "-o", "/tmp/gdlab-never.png"],
    ["grad", "abs(x) + abs(y)", "--at", "0,2"],
    ["grad", "sqrt(x^2 + y^2)", "--at", "0,0"],
    ["grad", "max(x, y)", "--at", "1,1"],
    ["grad", "x²√y", "--at", "1,1"],
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


# --- descend, compare, lr-sweep -------------------------------------------------------------


def cli_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_descend_reproduces_deep_learning_from_scratch(capsys):
    d = cli_json(capsys, "descend", "x0**2 + x1**2", "--start", "-3,4", "--lr", "0.1",
                 "--steps", "100", "--tol", "0", "--path")
    assert d["variables"] == ["x0", "x1"]
    assert d["optimizer"]["name"] == "gd" and d["optimizer"]["lr"] == 0.1
    assert set(d["optimizer"]) >= {"lr", "weight_decay", "schedule", "noise", "seed"}
    (r,) = d["runs"]
    assert r["start"] == [-3.0, 4.0] and r["steps"] == 100
    np.testing.assert_allclose(r["final"], 0.8**100 * np.array([-3.0, 4.0]), rtol=1e-12)
    assert len(r["path"]) == 101 and r["path"][0] == [-3.0, 4.0]
    for key in ("value", "diagnosis", "explanation"):
        assert key in r


def test_descend_runs_every_start_in_order_with_a_diagnosis_each(capsys):
    d = cli_json(capsys, "descend", "x**4 - 3*x**2 + x + y**2", "--start", "2,1", "--start",
                 "-2,1", "--lr", "0.01", "--steps", "5000")
    assert [r["start"] for r in d["runs"]] == [[2.0, 1.0], [-2.0, 1.0]]
    assert [r["diagnosis"] for r in d["runs"]] == ["local_minimum", "global_minimum"]
    assert "path" not in d["runs"][0]


def test_descend_with_adam_and_hyper_parameters(capsys):
    d = cli_json(capsys, "descend", "himmelblau", "--start", "0,0", "--optimizer", "adam",
                 "--lr", "0.1", "--beta1", "0.8", "--schedule", "cosine:500")
    assert d["optimizer"]["beta1"] == 0.8 and d["optimizer"]["schedule"] == "cosine:500:0"
    assert d["runs"][0]["diagnosis"] == "global_minimum"


def test_compare_table_and_json(capsys):
    d = cli_json(capsys, "compare", "ill_conditioned", "--start", "-7,2", "--optimizers",
                 "gd:0.9,momentum:0.1,adam:0.3", "--steps", "3000")
    assert [b["optimizer"]["name"] for b in d["results"]] == ["gd", "momentum", "adam"]
    assert [b["optimizer"]["lr"] for b in d["results"]] == [0.9, 0.1, 0.3]
    for b in d["results"]:
        (r,) = b["runs"]
        assert r["nearest_minimum"]["location"] == [0.0, 0.0]
    code, out, _ = run(capsys, "compare", "ill_conditioned", "--start", "-7,2",
                       "--optimizers", "gd:0.9,adam:0.3", "--steps", "50")
    assert code == 0 and "steps to tol" in out and "gd(lr=0.9)" in out


def test_lr_sweep_keys_and_bound(capsys):
    d = cli_json(capsys, "lr-sweep", "x0**2 + x1**2", "--start", "-3,4", "--lrs",
                 "1e-4:10:6", "--steps", "100")
    assert d["stability_bound"] == pytest.approx(1.0)
    assert [r["lr"] for r in d["results"]] == pytest.approx([1e-4, 1e-3, 1e-2, 0.1, 1, 10])
    assert [r["diagnosis"] for r in d["results"]] == [
        "slow", "slow", "slow", "global_minimum", "oscillating", "diverged"]
    for r in d["results"]:
        assert {"lr", "final", "value", "steps", "diagnosis"} <= set(r)
    d = cli_json(capsys, "lr-sweep", "saddle", "--start", "1,1", "--lrs", "0.1,0.2")
    assert d["stability_bound"] == pytest.approx(1.0)
    # each optimizer's own bound (closed forms on λmax = 2), none for an adaptive one
    for name, bound in (("momentum", 2 * 1.9 / 2), ("nesterov", 2 * 1.9 / (2.8 * 2)),
                        ("adam", None)):
        d = cli_json(capsys, "lr-sweep", "sphere", "--start=-3,4", "--lrs", "0.1,1",
                     "--optimizer", name, "--steps", "50")
        assert d["optimizer_bound"] == (None if bound is None else pytest.approx(bound))
        assert d["stability_bound"] == pytest.approx(1.0)  # gd's, as everywhere


def test_output_files_are_complete_and_atomic(capsys, tmp_path):
    out = tmp_path / "run.json"
    code, _, err = run(capsys, "descend", "himmelblau", "--start", "0,0", "--start", "1,1",
                       "--lr", "0.01", "--output", str(out))
    assert code == 0 and err == f"wrote {out}\n"
    doc = json.loads(out.read_text())
    assert doc["gdlab"] and doc["results"][0]["optimizer"]["seed"] == 0
    created = datetime.datetime.fromisoformat(doc["created"])
    assert abs(datetime.datetime.now(datetime.timezone.utc) - created).total_seconds() < 60
    path = np.array(doc["results"][0]["runs"][0]["path"])
    assert path[0].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(path[-1], doc["results"][0]["runs"][0]["final"])
    csv_path = tmp_path / "run.csv"
    assert run(capsys, "descend", "himmelblau", "--start", "0,0", "--lr", "0.01", "--output",
               str(csv_path))[0] == 0
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("# {") and lines[1].startswith("optimizer,lr,start,step,x,y")
    assert len(lines) == 2 + len(path)  # one line per recorded step
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left
    for written in (out, csv_path):  # what open() would give: 0644 under umask 022
        assert written.stat().st_mode & 0o777 == 0o666 & ~_umask()
    code, _, err = run(capsys, "descend", "sphere", "--start", "1,1", "--output",
                       str(tmp_path / "nope" / "r.json"))
    assert code == 2 and "does not exist" in err


@pytest.mark.parametrize("argv", [
    ["descend", "sphere", "--start", "1,1", "--output", "{missing}/r.json"],
    ["compare", "sphere", "--start", "1,1", "--optimizers", "gd,adam", "--output",
     "{missing}/r.csv"],
    ["lr-sweep", "sphere", "--start", "1,1", "--lrs", "0.1,0.2", "--output", "{missing}/r.json"],
    ["plot", "animate", "sphere", "--start", "1,1", "-o", "{missing}/a.gif"],
    ["plot", "interactive", "sphere", "--start", "1,1", "-o", "{missing}/a.html"],
    ["plot", "compare", "sphere", "--start", "1,1", "-o", "{missing}/a.png"]])
def test_an_output_that_cannot_be_written_is_refused_before_the_runs(argv, tmp_path, capsys,
                                                                     monkeypatch):
    """One line, exit 2, no run computed, no folder made."""
    from gdlab.spec import RunSpec

    ran = []
    real = RunSpec.run
    monkeypatch.setattr(RunSpec, "run", lambda self, *a, **k: ran.append(1) or real(self, *a, **k))
    missing = tmp_path / "missing"
    code, _, err = run(capsys, *[a.format(missing=missing) for a in argv])
    assert (code, ran) == (2, []) and "does not exist" in err and err.count("\n") == 1, err
    assert not missing.exists()


def test_random_starts_lie_in_the_domain(capsys):
    d = cli_json(capsys, "descend", "six_hump_camel", "--random-starts", "50", "--lr", "0.01",
                 "--steps", "10")
    starts = np.array([r["start"] for r in d["runs"]])
    assert starts.shape == (50, 2)
    assert np.all(np.abs(starts[:, 0]) <= 3) and np.all(np.abs(starts[:, 1]) <= 2)


DESCENT_HOSTILE = [
    ["descend", "sphere", "--start", "1,1", "--output", ""],
    ["descend", "sphere", "--start", "1,1", "--schedule", " "],
    ["descend", "sphere", "--start", "1,1", "--start", "1"],
    ["plot", "contour", "sphere", "-o", ""],
    ["descend", "sphere", "--start", "1,1", "--lr", "-0.1"],
    ["descend", "sphere", "--start", "1,1", "--lr", "0"],
    ["descend", "sphere", "--start", "1,1", "--steps", "-5"],
    ["descend", "sphere", "--start", "1,1", "--optimizer", "adma"],
    ["descend", "sphere", "--start", "1,1", "--optimizer", "adam", "--beta1", "1.0"],
    ["descend", "sphere", "--start", "1,1", "--optimizer", "momentum", "--momentum", "-1"],
    ["descend", "sphere", "--start", "1,1", "--optimizer", "gd", "--beta1", "0.9"],
    ["descend", "beale", "--start", "1,1,1"],
    ["descend", "sphere", "--start", "nan,1"],
    ["descend", "sphere", "--start", "1,1", "--start", "1,1,1"],
    ["descend", "sphere"],
    ["descend", "sphere", "--start", "1,1", "--schedule", "step:0"],
    ["descend", "sphere", "--start", "1,1", "--output", "run.txt"],
    ["descend", "sphere", "--random-starts", "2000000"],
    ["compare", "sphere", "--start", "1,1", "--optimizers", "gd,adma"],
    ["compare", "sphere", "--start", "1,1", "--optimizers", ","],
    ["lr-sweep", "sphere", "--start", "1,1", "--lrs", "1e-4:10"],
    ["lr-sweep", "sphere", "--start", "1,1", "--lrs", "0.1,-1"],
    ["lr-sweep", "sphere", "--start", "1,1", "--lrs", "1:10:100000"],
    ["lr-sweep", "sphere", "--start", "1,1", "--lrs", "0:1:5"],
    ["descend", "__import__('os')", "--start", "1"],
]


@pytest.mark.parametrize("argv", DESCENT_HOSTILE, ids=[" ".join(a)[:60] for a in DESCENT_HOSTILE])
def test_bad_descent_input_gives_one_error_line(capsys, argv):
    start = time.perf_counter()
    code, out, err = run(capsys, *argv)
    assert time.perf_counter() - start < 2.0
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err


def test_serve_on_a_busy_port_is_one_error_line(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port))
    assert code == 2
    assert err.startswith("error: cannot listen on 127.0.0.1:") and err.count("\n") == 1


def _serve(port):
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "gdlab.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("gdlab serve did not start: " + proc.stderr.read().decode()[-300:])


def test_serve_transport_host_header_sizes_sigterm_and_restart():
    import signal
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    proc = _serve(port)
    try:
        # DNS rebinding: a loopback server answers only to its own names
        evil = httpx.get(base + "/api/health", headers={"Host": "evil.example"})
        assert evil.status_code == 400 and "evil.example" in evil.json()["detail"]
        assert httpx.get(base + "/api/health", headers={"Host": f"localhost:{port}"}) \
            .status_code == 200
        big = httpx.get(base + "/api/health", headers={"X-Big": "a" * 100_000})
        assert big.status_code == 431 and "headers larger than" in big.json()["detail"]
        # the same headers arriving in pieces pass h11's own limit before they are whole
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
            try:
                for _ in range(12):
                    raw.sendall(b"a" * 2048)
                    time.sleep(0.02)
            except BrokenPipeError:
                pass  # refused and closed before the last piece: the answer is still there
            status, _, rest = raw.recv(65536).partition(b"\r\n")
        assert status.split()[1] == b"431" and b"headers larger than" in rest
        with httpx.Client() as client:  # a connection's requests reuse it
            assert client.get(base + "/api/health").status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) is not None
    again = _serve(port)  # the port is free at once (SO_REUSEADDR, as uvicorn binds)
    again.send_signal(signal.SIGTERM)
    again.wait(timeout=10)


def test_serve_open_starts_the_browser_on_the_playground(tmp_path):
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    opened = tmp_path / "opened"
    env = dict(os.environ, BROWSER=f"/bin/sh -c 'echo %s > {opened}'")
    proc = subprocess.Popen([sys.executable, "-m", "gdlab.cli", "serve", "--port", str(port),
                             "--open"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            if opened.exists() and opened.read_text().strip():
                break
            time.sleep(0.1)
        url = opened.read_text().strip()
        assert url == f"http://127.0.0.1:{port}/"
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert "gdlab playground" in page
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out


def test_help_lists_what_the_core_defines(capsys):
    """The optimizer names and derivative methods in the help come from the registries."""
    from gdlab.diff import DERIVATIVE_METHODS
    from gdlab.optim import OPTIMIZERS

    for _ in range(2):  # shown twice in one process: listed once
        code, out, _err = run(capsys, "descend", "--help")
        assert code == 0
        text = " ".join(out.split())
        assert text.count("One of: " + ", ".join(OPTIMIZERS) + ".") == 1
    code, out, _err = run(capsys, "grad", "--help")
    assert "[" + "|".join(DERIVATIVE_METHODS) + "]" in " ".join(out.split())


@pytest.mark.parametrize("text, message", [
    ("0:1:5", "a log range needs positive, finite START and STOP"),
    ("1e-4:10", "a learning-rate range is START:STOP:NUM, e.g. 1e-4:10:20"),
    ("1:10:100000", "NUM must be in 1..1000; got 100000"),
    ("0.1,x", "--lrs must be numbers or START:STOP:NUM; got '0.1,x'"),
])
def test_learning_rate_lists_say_what_is_wrong(capsys, text, message):
    code, _out, err = run(capsys, "lr-sweep", "sphere", "--start", "1,1", "--lrs", text)
    assert code == 2 and err == f"error: {message}\n"


def test_a_run_whose_report_would_not_fit_in_memory_is_refused_before_it_starts(
        capsys, monkeypatch):
    """The CLI plans for the memory of every run's diagnosis and report (measured per run and
    per dimension) and refuses, at once, what the machine does not have available."""
    from gdlab.cli import options

    monkeypatch.setattr(options, "available_memory", lambda: 100 * 2**20)  # 100 MiB free
    start = time.perf_counter()
    code, out, err = run(capsys, "descend", "sphere", "--random-starts", "100000",
                         "--steps", "1", "--json")
    assert time.perf_counter() - start < 2
    assert code == 2 and out == "" and "GiB for their diagnoses and report" in err
    code, out, err = run(capsys, "descend", "sphere", "--random-starts", "100", "--steps", "1")
    assert code == 0  # a small run fits


def test_negative_bounds_are_values_not_options(capsys):
    # --box -1e3:1e3 as typed (it begins with "-", like --start -3,4)
    d = cli_json(capsys, "descend", "x**2", "--random-starts", "50", "--box", "-1e3:-500",
                 "--steps", "1")
    starts = np.array([r["start"] for r in d["runs"]])
    assert starts.min() >= -1000 and starts.max() <= -500


def test_backend_and_dtype_options(capsys):
    from gdlab import gpu

    a = cli_json(capsys, "descend", "himmelblau", "--random-starts", "20", "--steps", "40",
                 "--lr", "0.01", "--backend", "compiled")
    b = cli_json(capsys, "descend", "himmelblau", "--random-starts", "20", "--steps", "40",
                 "--lr", "0.01", "--backend", "numpy")
    np.testing.assert_allclose([r["final"] for r in a["runs"]], [r["final"] for r in b["runs"]],
                               rtol=1e-12)
    code, out, err = run(capsys, "descend", "himmelblau", "--start", "1,1", "--backend",
                         "numpy", "--dtype", "float32")
    assert code == 2 and err.strip() == ("error: float32 runs on the cuda backend only "
                                         "(backend 'numpy' computes in float64)")
    if gpu.simulated():  # the CUDA kernel under numba's simulator: the same runs
        c = cli_json(capsys, "descend", "himmelblau", "--random-starts", "20", "--steps", "40",
                     "--lr", "0.01", "--backend", "cuda")
        np.testing.assert_allclose([r["final"] for r in c["runs"]],
                                   [r["final"] for r in b["runs"]], rtol=1e-12)


def test_an_lr_sweeps_ratio_to_the_bound_never_reads_as_the_bound_itself(capsys):
    """sphere's bound is 2/2 = 1: lr 1.002 printed to three digits read "1", beside "above
    the stability bound"; the ratio gets the digits that tell it apart (1.002)."""
    code, out, _ = run(capsys, "lr-sweep", "sphere", "--start=-3,4", "--lrs", "0.5,1.002")
    row = next(line for line in out.splitlines() if line.lstrip("│ ").startswith("1.002"))
    assert code == 0 and row.split("│")[2].strip() == "1.002"
