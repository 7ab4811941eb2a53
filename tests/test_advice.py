"""The closed loop: every suggestion, applied to the same ``gdlab descend`` command, keeps its
promise (:mod:`gdlab.advice`), over a labelled corpus of runs — every label, library and typed
functions, several optimizers."""

import json

import pytest

from gdlab.advice import OPTIONS
from gdlab.cli import main
from gdlab.diagnose import LABELS

# (argv of gdlab descend without --json, the label of its first run)
CORPUS = [
    # unbounded: no option can help
    (["x^2 - y^2", "--start", "1,0.01", "--lr", "0.1"], "unbounded"),
    (["x - 2y", "--start", "1,1", "--lr", "0.1"], "unbounded"),
    (["x^3", "--start=-0.5", "--lr", "0.1"], "unbounded"),
    (["monkey_saddle", "--start", "1,0.5", "--lr", "0.05"], "unbounded"),
    (["saddle", "--start", "0.5,0.2", "--optimizer", "adam", "--lr", "0.1"], "unbounded"),
    (["-x^2 - y^2", "--start", "1,1", "--optimizer", "momentum", "--lr", "0.05"], "unbounded"),
    # diverged: a smaller step converges
    (["x0^2 + x1^2", "--start=-3,4", "--lr", "10"], "diverged"),
    (["ill_conditioned", "--start=-7,2", "--lr", "1.05"], "diverged"),
    (["ill_conditioned", "--start=-7,2", "--optimizer", "nesterov", "--lr", "2"], "diverged"),
    (["x^4 + y^2", "--start", "3,1", "--lr", "0.1"], "diverged"),
    (["booth", "--start", "0,0", "--optimizer", "momentum", "--lr", "0.5"], "diverged"),
    (["rosenbrock", "--start=-1.5,2", "--lr", "0.01"], "diverged"),
    # oscillating: a lower f at the end
    (["x^2/20 + y^2", "--start=-7,2", "--lr", "0.95", "--max-steps", "30"], "oscillating"),
    (["himmelblau", "--start=-3,-3", "--lr", "0.02", "--max-steps", "300"], "oscillating"),
    # exactly at the bound 2/λmax: the zig-zag keeps its size (not "damped")
    (["x0**2 + x1**2", "--start=-3,4", "--lr", "1", "--max-steps", "1000"], "oscillating"),
    (["abs(x) + abs(y)", "--start", "1,2.05", "--lr", "0.3"], "oscillating"),
    (["abs(x - 1) + 2*abs(y)", "--start", "0,1", "--lr", "0.3"], "oscillating"),
    (["abs(x) + abs(y)", "--start", "1,2", "--optimizer", "adam", "--lr", "0.1"],
     "oscillating"),
    (["abs(x - 1) + abs(y)", "--start", "0,1", "--optimizer", "rmsprop", "--lr", "0.1"],
     "oscillating"),
    (["sqrt(x^2 + y^2)", "--start", "1,1", "--lr", "0.1"], "oscillating"),  # the cone's tip
    # slow: a lower f at the end
    (["x0^2 + x1^2", "--start=-3,4", "--lr", "1e-4"], "slow"),
    (["x0^2 + x1^2", "--start=-3,4", "--lr", "1e-10", "--max-steps", "100"], "slow"),  # note
    (["rosenbrock", "--start=-1.5,2", "--lr", "1e-4"], "slow"),
    (["saddle", "--start", "1,0"], "slow"),
    (["x^2 + y^4/4 - y^2/2", "--start", "1,1e-4", "--lr", "0.01", "--max-steps", "400"],
     "slow"),
    (["x^2 + y^2", "--start", "3,4", "--optimizer", "adam", "--lr", "0.001"], "slow"),
    (["ill_conditioned", "--start=-7,2", "--optimizer", "momentum", "--lr", "1e-4"], "slow"),
    # momentum limits the rate (√0.9 per step), not the learning rate: lower the momentum
    (["ill_conditioned", "--start=-7,2", "--optimizer", "momentum", "--lr", "0.1",
      "--max-steps", "100", "--tol", "1e-6"], "slow"),
    (["ill_conditioned", "--start=-7,2", "--optimizer", "nesterov", "--lr", "0.05",
      "--max-steps", "100", "--tol", "1e-6"], "slow"),
    # plateau: a lower f at the end
    (["plateau", "--start", "3.5,3", "--lr", "0.1"], "plateau"),
    (["plateau", "--start", "4,4", "--optimizer", "momentum", "--lr", "0.1"], "plateau"),
    (["plateau", "--start", "3,3", "--optimizer", "nesterov", "--lr", "0.05"], "plateau"),
    (["plateau", "--start", "4,4", "--optimizer", "adam", "--lr", "0.05"], "plateau"),
    # saddle and maximum: leave it for a lower f
    (["x^2 + y^4/4 - y^2/2", "--start", "1,0", "--lr", "0.1"], "saddle"),
    (["himmelblau", "--start", "0,2.8", "--optimizer", "newton"], "saddle"),
    (["x^2 - y^2", "--start", "1,0", "--lr", "0.1"], "saddle"),
    (["double_well", "--start", "0,1", "--optimizer", "newton"], "saddle"),
    (["(x^2 + y^2 - 1)^2", "--start", "0,0", "--lr", "0.05"], "maximum"),
    (["himmelblau", "--start=-0.2708445906673476,-0.9230385564799815", "--lr", "0.01",
      "--max-steps", "10", "--tol", "1e-6"], "maximum"),
    (["-x^2 - y^2", "--start", "0,0", "--lr", "0.1"], "maximum"),
    # minima: nothing to fix, or another basin
    (["himmelblau", "--start", "0,0", "--lr", "0.01"], "global_minimum"),
    (["booth", "--start", "0,0", "--lr", "0.05"], "global_minimum"),
    (["sphere", "--start", "1,2,3", "--optimizer", "adam", "--lr", "0.1"], "global_minimum"),
    (["double_well", "--start", "2,1", "--start=-2,1", "--lr", "0.01", "--max-steps", "3000"],
     "local_minimum"),
    (["double_well", "--start", "2,1", "--lr", "0.01", "--max-steps", "3000"],
     "local_minimum"),
    (["rastrigin", "--start", "2.2,2.2", "--optimizer", "adam", "--lr", "0.5"],
     "local_minimum"),
    (["six_hump_camel", "--start", "1.7,-0.8", "--lr", "0.01", "--max-steps", "5000"],
     "local_minimum"),
    (["(x - 1)^2 + 3(y + 2)^2", "--start", "0,0", "--lr", "0.1"], "minimum"),
    # typed, it is the library's double_well, whose minima are known
    (["x^4 - 3x^2 + x + y^2", "--start", "2,1", "--lr", "0.01", "--max-steps", "5000"],
     "local_minimum"),
    (["x^4 - 3x^2 + 2x + y^2", "--start", "2,1", "--lr", "0.01", "--max-steps", "5000"],
     "minimum"),
]
#: labels where no option is promised to help
NOTHING_TO_DO = ("unbounded", "global_minimum")


def descend(capsys, argv):
    code = main(["descend", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def applied(argv: list[str], suggestion: dict) -> list[str]:
    """``argv`` with the suggestion's options put in (a start replaces the starts)."""
    out, i = [], 0
    replaced = {"--" + k.replace("_", "-") for k in suggestion} | (
        {"--start"} if "start" in suggestion or "random_starts" in suggestion else set())
    while i < len(argv):
        name = argv[i].split("=")[0]
        if name in replaced or (name == "--steps" and "max_steps" in suggestion):
            i += 1 if "=" in argv[i] else 2
            continue
        out.append(argv[i])
        i += 1
    for key, value in suggestion.items():
        out.append(f"--{key.replace('_', '-')}={value}")
    return out


def test_the_corpus_covers_every_label_with_forty_runs():
    assert len(CORPUS) >= 40
    assert {label for _, label in CORPUS} == set(LABELS)


@pytest.mark.parametrize("argv, label", CORPUS, ids=[" ".join(a)[:60] for a, _ in CORPUS])
def test_every_suggestion_keeps_its_promise(capsys, argv, label):
    before = descend(capsys, argv)
    run = before["runs"][0]
    assert run["diagnosis"] == label, run["explanation"]
    suggestion = run["suggestion"]
    if label in NOTHING_TO_DO:
        assert suggestion is None
        return
    if label in ("saddle", "maximum") and suggestion is None:  # leaving it falls without bound
        assert "f is unbounded below" in run["advice"]
        return
    if label == "minimum" and suggestion is None:  # many starts, tried, found nothing lower
        assert "none reached lower" in run["advice"] or "none of 100" in run["advice"]
        return
    assert suggestion and set(suggestion) <= set(OPTIONS)
    assert suggestion.get("optimizer") != before["optimizer"]["name"]
    for key, value in suggestion.items():  # the advice says what to type
        shown = f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
        assert shown in run["advice"], (shown, run["advice"])
    after = descend(capsys, applied(argv, suggestion))
    new = after["runs"][0]
    if label == "diverged":
        assert new["status"] != "diverged", new["explanation"]
    elif label in ("local_minimum", "minimum"):
        assert min(r["value"] for r in after["runs"]) < run["value"] - 1e-9
    else:
        assert new["value"] < run["value"] - 1e-12 * max(1.0, abs(run["value"])), (
            new["diagnosis"], new["explanation"])
