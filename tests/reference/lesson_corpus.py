"""Every lesson of a fixed corpus of runs, to compare two versions of the diagnosis.

    python tests/reference/lesson_corpus.py new.json            # this checkout
    PYTHONPATH=/path/to/old/src python tests/reference/lesson_corpus.py old.json
    python tests/reference/lesson_corpus.py --compare old.json new.json
    python tests/reference/lesson_corpus.py --try new.json      # does the advice backfire?

The corpus: every library function (its first coordinate's bounds) and some typed formulas
chosen for the diagnosis's edge cases (domain edges, infima, narrow and flat bowls, saddles,
kinks) × gd, momentum, adam × lr 1e-3, 1e-2, 1e-1 × six seeded starts, 500 steps. Each run's
label, explanation, advice and suggestion are written; ``--compare`` prints each changed
(function, optimizer) group once with its old and new suggestion, to be read by a person —
a changed lesson is not a failure, a wrong one is. ``--try`` runs each suggestion that sets
only lr, momentum, optimizer or max_steps from the run's start and lists the groups where it
diverged (the run had not) or ended higher.
"""

import collections
import json
import sys
import warnings

import numpy as np

TYPED = [("x**2/20 + y**2", -5, 5), ("log(x) + y**2", 0.1, 4),
         ("sqrt(x) + (x-1)**2 + y**2", 0.01, 3),
         ("exp(-x) + (x-y)**2", -2, 3), ("x**4 + y**2", -2, 2), ("x**2 + 0.001*y**2", -3, 3),
         ("x**3 - 3*x + y**2", -2, 2), ("-log(1+x**2) + y**2", -3, 3), ("sin(x)*cos(y)", -3, 3),
         ("x*log(x) + y**2", 0.05, 3), ("abs(x) + y**2", -2, 2), ("1e-5*(x**2+y**2)", -3, 3),
         ("(x**2-1)**2 + y**2", -2, 2), ("x**2 - y**2", -2, 2), ("atan(x) + y**2", -3, 3)]


def _bounds() -> dict:
    """Each function of the corpus → the interval its starts are drawn from (a library
    function's first coordinate's bounds)."""
    import gdlab.functions as F

    out = {t.name: t.bounds[0] if isinstance(t.bounds[0], tuple) else t.bounds
           for t in F.all_functions()}
    out.update({n: (lo, hi) for n, lo, hi in TYPED})
    return out


def _starts(name: str) -> np.ndarray:
    return np.random.default_rng(7).uniform(*_bounds()[name], (6, 2))


def lessons() -> dict:
    from gdlab.diagnose import diagnose
    from gdlab.engine import run

    out = {}
    for name in _bounds():
        starts = _starts(name)
        for opt in ("gd", "momentum", "adam"):
            for lr in (1e-3, 1e-2, 1e-1):
                r = run(name, starts, opt, lr=lr, max_steps=500)
                for b, d in enumerate(diagnose(r)[0]):
                    out[f"{name}|{opt}|{lr}|{b}"] = [d.label, d.explanation, d.advice,
                                                     d.suggestion]
    return out


def tried(data: dict) -> None:
    from gdlab.engine import run
    from gdlab.optim import make

    bad = collections.defaultdict(list)
    for key, (_, _, _, sug) in data.items():
        if not isinstance(sug, dict) or set(sug) - {"lr", "momentum", "optimizer", "max_steps"}:
            continue
        name, opt, lr, b = key.split("|")
        start = _starts(name)[int(b): int(b) + 1]
        o, hyper = sug.get("optimizer", opt), {"lr": sug.get("lr", float(lr))}
        if o == "momentum":
            hyper["momentum"] = sug.get("momentum", 0.9)
        before = run(name, start, opt, lr=float(lr), max_steps=500)
        after = run(name, start, make(o, **hyper), max_steps=sug.get("max_steps", 500))
        if before.status[0, 0] == "diverged":
            continue
        if after.status[0, 0] == "diverged":
            bad[(name, opt, lr, "diverges")].append((b, sug))
        elif after.value[0, 0] > before.value[0, 0] + 1e-12:
            bad[(name, opt, lr, "ends higher")].append((b, sug))
    for k, v in bad.items():
        print(*k, f"{len(v)} runs, e.g. run {v[0][0]}: {v[0][1]}")
    print(f"{sum(map(len, bad.values()))} suggestions backfire")


def compare(old: dict, new: dict) -> None:
    groups = collections.defaultdict(list)
    for k in new:
        if new[k] != old.get(k):
            groups[tuple(k.split("|")[:2])].append(k)
    for ks in groups.values():
        k = ks[0]
        print(f"## {k} ({len(ks)} runs): {old[k][0]} → {new[k][0]}")
        print("   old:", old[k][1][-200:], "|", old[k][2], old[k][3])
        print("   new:", new[k][1][-200:], "|", new[k][2], new[k][3])
    print(f"{sum(map(len, groups.values()))} of {len(new)} lessons changed")


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    if sys.argv[1] == "--compare":
        compare(*(json.load(open(p)) for p in sys.argv[2:4]))
    elif sys.argv[1] == "--try":
        tried(json.load(open(sys.argv[2])))
    else:
        json.dump(lessons(), open(sys.argv[1], "w"), default=str)  # (a suggestion is a dict)
