"""A standing fuzz campaign: generated formulas through parse → gradient → one descent step.

Each formula runs in a worker process under a watchdog: an alarm after ``--hang`` seconds
(default 1) counts it as a hang, and a worker that does not answer within 10× that is killed
and replaced. Every outcome is counted:

* ``accepted`` — parsed, differentiated at a point, one step of gradient descent taken;
* ``refused`` — a :class:`gdlab.errors.GdlabError` (one line for the user);
* ``internal`` — any other exception (a bug: the CLI would exit 70);
* ``hang`` — over the watchdog's limit.

The generators (seeded): token soups over the grammar's words and worse (functions, huge
numbers, names, operators, keywords, dunders, attribute tricks, unicode controls and
homoglyphs, NUL), functions of huge constants, deep nesting (to 10⁵ levels), 1 MB inputs, and
mutations of valid formulas. Some formulas would, if ever executed as Python, create a canary
file; the campaign checks that it never appears. Peak memory of the workers is reported.

Run:  .venv/bin/python benchmarks/fuzz.py [--count 100000] [--workers 2] [--seed 0]
Its output is saved beside it as fuzz.txt.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import re
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

CANARY = Path(tempfile.gettempdir()) / "gdlab-fuzz-canary"
WORDS = [
    "x", "y", "z", "x0", "x1", "v63", "pi", "e", "sin", "cos", "tan", "cot", "sec", "csc",
    "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "exp",
    "log", "ln", "log2", "log10", "sqrt", "abs", "erf", "sigmoid", "softplus", "relu", "max",
    "min", "(", ")", ",", "+", "-", "*", "/", "**", "^", " ", "0", "1", "2", "0.5", "1e308",
    "1e-308", "10**400", "9**9", "1e999", "-0.0", "0.0", "²", "³", "⁻", "−", "·", "×", "÷",
    "2x", ")(", "lambda", "import", "__import__", "__class__", ".", "[", "]", "{", "}", "'",
    '"', ":", "=", "==", "<", ">", "!", "@", "%", "//", "&", "|", "~", "if", "else", "for",
    "\x00", "\u202e", "\u200b", "ｘ", "х", "\t", "\n", "#", ";", "`", "$", "\\", "0x10", "1j",
    "1_000", "inf", "nan", "None", "True", "__builtins__", "exec", "eval", "open",
]
EXECUTED = [  # formulas that create the canary if anything executes them as Python
    f"__import__('os').system('touch {CANARY}')",
    f"open('{CANARY}', 'w')",
    f"[c for c in ().__class__.__base__.__subclasses__()][0] or open('{CANARY}','w')",
    f"eval(\"open('{CANARY}','w')\")",
    f"x + exec(\"open('{CANARY}','w')\")",
]
VALID = [
    "x0**2 + x1**2", "sin(x)*exp(y) + x*y**3", "(1 - x)^2 + 100(y - x^2)^2",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "log(1 + x^2) + x*y", "sqrt(x^2 + y^2)",
    "abs(x) + abs(y)", "max(x, y) + relu(x - 1)", "sigmoid(x) + softplus(y)", "x² − y²",
    "atan2(y, x) + cosh(x/3)", "1/(1 + exp(-x*y))", "x^4 - 3x^2 + x + y^2",
]
HUGE = ["exp(10**10)", "cosh(1e300)", "sinh(66**5)", "exp(exp(20))", "10**400", "(1/10)**400",
        "1e308*10", "cos(1e300)", "tan(10**15)", "(-1)**(1/3)", "log(-1)", "acosh(0)",
        "sqrt(-1)", "1/0.0", "log(0)", "atan2(0, 0)"]


def soup(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 30)))


def huge(rng: random.Random) -> str:
    inner = rng.choice(HUGE)
    for _ in range(rng.randint(0, 3)):
        inner = f"{rng.choice(['sin', 'cos', 'abs', 'log', 'exp', 'asinh', 'cot'])}({inner})"
    return rng.choice([f"{inner}*x", f"x**{inner}", f"{inner}", f"x + {inner}"])


def nested(rng: random.Random) -> str:
    depth = rng.choice([10, 60, 100, 1000, 10_000, 100_000])
    kind = rng.randint(0, 2)
    if kind == 0:
        return "(" * depth + "x" + ")" * depth
    if kind == 1:
        return "sin(" * depth + "x" + ")" * depth
    return "-" * depth + "x"


def big(rng: random.Random) -> str:
    unit = rng.choice(["x+", "sin(x)*", "1e308+", "v1*"])
    return unit * (1_000_000 // len(unit)) + "x"


def mutate(rng: random.Random) -> str:
    text = list(rng.choice(VALID))
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(text) + 1)
        op = rng.randint(0, 2)
        if op == 0 and text:
            del text[min(i, len(text) - 1)]
        elif op == 1:
            text.insert(i, rng.choice(WORDS))
        elif text:
            text[min(i, len(text) - 1)] = rng.choice(WORDS)
    return "".join(text)


GENERATORS = [(soup, 55), (mutate, 30), (huge, 10), (nested, 3), (big, 0.2)]


def formulas(count: int, seed: int):
    rng = random.Random(seed)
    yield from EXECUTED
    yield from VALID
    kinds, weights = zip(*GENERATORS)
    for _ in range(count - len(EXECUTED) - len(VALID)):
        yield rng.choices(kinds, weights)[0](rng)


class Hang(Exception):
    pass


def _alarm(*_):
    raise Hang()


def _init(hang: float) -> None:
    import warnings

    from gdlab import calculus

    calculus.resolve("x")  # warm the worker: NumPy, SymPy, the library

    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    global HANG_SECONDS
    HANG_SECONDS = hang


def exercise(text: str) -> None:
    """What each formula goes through: parse (with the library match), the calculus at a point,
    one step of gradient descent. Raises :class:`gdlab.errors.GdlabError` for a refusal (the
    calculus may refuse a point where f is undefined or not differentiable: that is fine)."""
    import numpy as np

    from gdlab.calculus import analyze, resolve
    from gdlab.engine import run
    from gdlab.errors import GdlabError

    obj = resolve(text)
    point = np.linspace(0.3, 0.7, obj.dim)
    try:
        analyze(obj, point)
    except GdlabError:
        pass
    run(obj, [point], "gd:0.01", max_steps=1, tol=0)


def probe(text: str) -> tuple[str, str, float]:
    """``(outcome, detail, seconds)`` for one formula under the watchdog: :func:`exercise`."""
    from gdlab.errors import GdlabError

    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        exercise(text)
        outcome, detail = "accepted", ""
    except Hang:
        outcome, detail = "hang", ""
    except GdlabError as exc:
        outcome, detail = "refused", str(exc).split(" at column")[0][:60]
    except BaseException as exc:  # noqa: BLE001 - what the campaign is looking for
        outcome, detail = "internal", f"{type(exc).__name__}: {exc}"[:200]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return outcome, detail, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang", type=float, default=1.0)
    args = parser.parse_args()
    CANARY.unlink(missing_ok=True)
    counts: Counter = Counter()
    kinds: Counter = Counter()
    internal: list[tuple[str, str]] = []
    hangs: list[str] = []
    slowest = (0.0, "")
    started = time.perf_counter()
    with mp.get_context("fork").Pool(args.workers, _init, (args.hang,),
                                     maxtasksperchild=2000) as pool:
        pending = [(t, pool.apply_async(probe, (t,)))
                   for t in formulas(args.count, args.seed)]
        for text, job in pending:
            try:
                outcome, detail, seconds = job.get(timeout=10 * args.hang + 30)
            except mp.TimeoutError:
                outcome, detail, seconds = "hang", "killed", 10 * args.hang
            counts[outcome] += 1
            if outcome == "refused":  # the message with its particulars blanked
                kinds[re.sub(r"'[^']*'|\"[^\"]*\"|\d[\w.+-]*|\(.*", "…", detail)[:50]] += 1
            elif outcome == "internal":
                internal.append((text[:120], detail))
            elif outcome == "hang":
                hangs.append(text[:120])
            if seconds > slowest[0]:
                slowest = (seconds, text[:80])
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    total = sum(counts.values())
    print(f"gdlab fuzz campaign: {total:,} formulas (seed {args.seed}) in {elapsed:.0f} s, "
          f"{args.workers} workers, watchdog {args.hang:g} s")
    for key in ("accepted", "refused", "internal", "hang"):
        print(f"  {key:9s} {counts[key]:8,d}")
    print(f"  code executed (canary file {CANARY}): {'YES' if CANARY.exists() else 'no'}")
    print(f"  peak worker memory: {peak:.0f} MiB; slowest: {slowest[0]:.2f} s ({slowest[1]!r})")
    print("  most common refusals:")
    for reason, n in kinds.most_common(12):
        print(f"    {n:7,d}  {reason}")
    for text, detail in internal[:30]:
        print(f"  INTERNAL {detail}  <- {text!r}")
    for text in hangs[:30]:
        print(f"  HANG {text!r}")
    sys.exit(1 if internal or hangs or CANARY.exists() else 0)


if __name__ == "__main__":
    main()
