"""Accuracy and cost of gdlab's derivative methods beside scipy and numdifftools.

Rosenbrock in 2-D and 10-D at 1,000 random points in [−2, 2]^D. For each method: the largest
relative error ‖g − g*‖/‖g*‖ over the points (g* = the closed-form gradient, written out
below by hand), function evaluations per gradient, and the median time per gradient — both
one point at a time (the peers' only mode) and, for gdlab, all 1,000 points in one vectorised
call. Ratios are against scipy.optimize.approx_fprime measured in the same run.

Run:  python3 dev.py bench   (or: .venv/bin/python benchmarks/derivatives.py)
Needs the bench extras: pip install -e .[bench]
"""

from __future__ import annotations

import platform
import statistics
import sys
import time

import numpy as np

N_POINTS = 1000
REPEATS = 5


def rosenbrock(x):
    x = np.asarray(x)
    return np.sum(100.0 * (x[..., 1:] - x[..., :-1] ** 2) ** 2 + (1 - x[..., :-1]) ** 2,
                  axis=-1)


def rosenbrock_gradient(x):
    """Closed form, independent of gdlab."""
    g = np.zeros_like(x)
    a, b = x[..., :-1], x[..., 1:]
    g[..., :-1] += -400.0 * a * (b - a**2) - 2.0 * (1 - a)
    g[..., 1:] += 200.0 * (b - a**2)
    return g


def max_rel_error(approx, exact):
    return float(np.max(np.linalg.norm(approx - exact, axis=-1)
                        / np.linalg.norm(exact, axis=-1)))


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def counted(f):
    """Wrap f to count point evaluations (a (K, D) batch counts K)."""
    count = [0]

    def wrapped(x):
        x = np.asarray(x)
        count[0] += int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        return f(x)

    return wrapped, count


def run(dim: int) -> list[tuple]:
    from scipy.optimize import approx_fprime
    import numdifftools as nd

    from gdlab.diff import numeric

    pts = np.random.default_rng(0).uniform(-2, 2, (N_POINTS, dim))
    exact = rosenbrock_gradient(pts)
    rows = []

    def gdlab_method(method, step=None, label=None):
        f, count = counted(rosenbrock)
        batch = numeric.gradient(f, pts, method=method, step=step).value
        count[0] = 0
        numeric.gradient(f, pts[0], method=method, step=step)
        nfev = count[0]
        per_point = median_time(lambda: [numeric.gradient(rosenbrock, p, method=method,
                                                          step=step) for p in pts[:200]],
                                REPEATS) / 200
        batched = median_time(lambda: numeric.gradient(rosenbrock, pts, method=method,
                                                       step=step), REPEATS) / N_POINTS
        rows.append((label or f"gdlab {method}", max_rel_error(batch, exact), nfev,
                     per_point, batched))

    gdlab_method("forward")
    gdlab_method("forward", 1e-4, "gdlab forward, h=1e-4")
    gdlab_method("central")
    gdlab_method("central", 1e-4, "gdlab central, h=1e-4 (DLfS)")
    gdlab_method("richardson")
    gdlab_method("complex")

    f, count = counted(rosenbrock)
    approx_fprime(pts[0], f)
    nfev = count[0]
    scipy_grad = np.array([approx_fprime(p, rosenbrock) for p in pts])
    t = median_time(lambda: [approx_fprime(p, rosenbrock) for p in pts[:200]], REPEATS) / 200
    rows.append(("scipy approx_fprime (default)", max_rel_error(scipy_grad, exact), nfev, t,
                 None))

    f, count = counted(rosenbrock)
    nd.Gradient(f)(pts[0])
    nfev = count[0]
    grad_nd = nd.Gradient(rosenbrock)
    nd_grad = np.array([grad_nd(p) for p in pts])
    t = median_time(lambda: [grad_nd(p) for p in pts[:100]], 3) / 100
    rows.append(("numdifftools Gradient (default)", max_rel_error(nd_grad, exact), nfev, t,
                 None))
    return rows


def main() -> int:
    import numdifftools
    import scipy

    import gdlab

    print(f"# derivatives benchmark — gdlab {gdlab.__version__}, numpy {np.__version__}, "
          f"scipy {scipy.__version__}, numdifftools {numdifftools.__version__}, "
          f"python {platform.python_version()}")
    print(f"# Rosenbrock, {N_POINTS} points uniform in [-2, 2]^D; time = median of "
          f"{REPEATS} runs; ratios vs scipy approx_fprime in the same run\n")
    for dim in (2, 10):
        rows = run(dim)
        base = next(r for r in rows if r[0].startswith("scipy"))[3]
        print(f"## D = {dim}")
        print(f"{'method':34} {'max rel error':>13} {'evals':>6} {'µs/grad (1 pt)':>15} "
              f"{'× scipy':>8} {'µs/grad (batch)':>16} {'× scipy':>8}")
        for name, err, nfev, per_point, batched in rows:
            b = f"{batched * 1e6:16.2f} {batched / base:8.3f}" if batched else f"{'—':>16} {'':>8}"
            print(f"{name:34} {err:13.1e} {nfev:6d} {per_point * 1e6:15.1f} "
                  f"{per_point / base:8.2f} {b}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
