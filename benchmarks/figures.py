"""How long the figures take, as a user meets them.

1. Every `gdlab plot` command of the demo (the commands printed under its figures), each run
   as a user runs it — a fresh process, imports included — REPEATS times: the median wall
   time against its target (`plot animate` ≤ 5 s, every other kind ≤ 2 s), then
   `gdlab demo` itself (≤ 12 s on this 2-core machine).
2. The basin map of 10⁶ starts: Himmelblau, a 1000×1000 grid of starts, gradient descent
   (lr 0.01, ≤ 2000 steps, tol 1e-6) and Adam (lr 0.05, ≤ 500 steps): the run (compiled
   backend when numba is installed, else NumPy), the labelling and the rendering to PNG,
   timed separately, with the peak memory traced by tracemalloc (NumPy's arrays included).

Run:  python3 dev.py bench
"""

from __future__ import annotations

import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np


def _has_numba() -> bool:
    from gdlab import compiled

    return compiled.available()


def main() -> int:
    import matplotlib

    matplotlib.use("Agg")
    import gdlab
    from gdlab import plot, studies
    from gdlab.optim import make

    print(f"# figures benchmark — gdlab {gdlab.__version__}, numpy {np.__version__}, "
          f"matplotlib {matplotlib.__version__}, python {platform.python_version()}")
    over = commands()
    for warm in (make("gd", lr=0.01), make("adam", lr=0.05)):  # compile/load kernels untimed
        studies.basin_map("himmelblau", n=20, optimizer=warm, max_steps=5,
                          backend="numba" if _has_numba() else "numpy")
    print(f"{'basin map':44} {'run+label s':>11} {'render s':>9} {'peak MiB':>9}  end states")
    for label, opt, steps in (("himmelblau 1000×1000, gd lr 0.01", make("gd", lr=0.01), 2000),
                              ("himmelblau 1000×1000, adam lr 0.05", make("adam", lr=0.05),
                               500)):
        tracemalloc.start()
        t0 = time.perf_counter()
        study = studies.basin_map("himmelblau", n=1000, optimizer=opt, max_steps=steps)
        t1 = time.perf_counter()
        p = plot.basins(study)
        with tempfile.TemporaryDirectory() as tmp:
            p.save(Path(tmp) / "basins.png")
        t2 = time.perf_counter()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        labels = p.data["labels"]
        states = f"{int(np.sum(labels >= 0)):,} in a basin, {int(np.sum(labels == -1)):,} " \
                 f"not converged, {int(np.sum(labels == -2)):,} diverged"
        print(f"{label:44} {t1 - t0:11.2f} {t2 - t1:9.2f} {peak / 2**20:9.0f}  {states}")
    return 1 if over else 0


REPEATS = 3
TARGETS = {"animate": 5.0, "demo": 12.0}  # seconds; every other kind: OTHER
OTHER = 2.0


def _timed(argv, cwd) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def commands() -> list[str]:
    """Time each demo command and the demo; print them; return those over their target."""
    from gdlab.demo import INTERACTIVE, SECTIONS

    gdlab = str(Path(sys.executable).with_name("gdlab"))
    over = []
    print(f"{'command (median of ' + str(REPEATS) + ', a fresh process each)':86} "
          f"{'s':>6} {'target':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [c for section in SECTIONS for c in section.commands] + [INTERACTIVE]
        for command in runs:
            argv = [gdlab] + shlex.split(command)[1:]
            seconds = statistics.median(_timed(argv, tmp) for _ in range(REPEATS))
            kind = argv[2]
            target = TARGETS.get(kind, OTHER)
            over += [command] if seconds > target else []
            shown = command if len(command) <= 84 else command[:81] + "..."
            print(f"{shown:86} {seconds:6.2f} {target:6.0f}{'' if seconds <= target else ' OVER'}")
        seconds = statistics.median(_timed([gdlab, "demo", "--out", "demo"], tmp)
                                    for _ in range(REPEATS))
        over += ["demo"] if seconds > TARGETS["demo"] else []
        print(f"{'gdlab demo':86} {seconds:6.2f} {TARGETS['demo']:6.0f}"
              f"{'' if seconds <= TARGETS['demo'] else ' OVER'}")
    return over


if __name__ == "__main__":
    sys.exit(main())
