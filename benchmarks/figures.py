"""How long the basin map of 10⁶ starts takes, and its peak memory.

Himmelblau, a 1000×1000 grid of starts, gradient descent (lr 0.01, ≤ 2000 steps, tol 1e-6)
and Adam (lr 0.05, ≤ 500 steps): the run (compiled backend when numba is installed, else
NumPy), the labelling and the rendering to PNG, timed separately, with the peak memory
traced by tracemalloc (NumPy's arrays included) for the whole figure.

Run:  python3 dev.py bench
"""

from __future__ import annotations

import platform
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
