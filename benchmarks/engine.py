"""Batched descent speed: gdlab beside a naive NumPy loop, torch.optim and optax, in one run.

2-D Rosenbrock, B = 10³, 10⁵, 10⁶ random starts in [−2, 2]², exactly 200 steps each, GD
(lr 1e-4) and Adam (lr 1e-2). Reported: nanoseconds per point-step (median of round-robin
samples; each implementation runs in a process of its own — in one process optax read up to 3×
slower than alone, likely from the other libraries' thread pools still spinning) and the
ratio to optax under jax.jit in the same run. gdlab runs its engine as a user would
(``gdlab.engine.run`` with ``tol=0``, ``record="last"``), which also evaluates f every step for
the divergence check and the diagnosis; the peers only update. Its compiled backend's one-off
compilation is timed separately (kernels are cached on disk afterwards).

Then the basin-map workload of the figures issue: a 1000×1000 grid of starts on Himmelblau,
500 Adam steps, with gdlab's peak traced memory.

Run:  python3 dev.py bench   (peers are optional: pip install torch==2.13.0 jax optax)
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
import time
import tracemalloc

import numpy as np

STEPS = 200
SIZES = (1_000, 100_000, 1_000_000)
LR = {"gd": 1e-4, "adam": 1e-2}


def rosen_grad(x, y):
    return -400.0 * x * (y - x * x) - 2.0 * (1 - x), 200.0 * (y - x * x)


def naive_numpy(starts, name):
    p = starts.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    lr, b1, b2, eps = LR[name], 0.9, 0.999, 1e-8
    for t in range(1, STEPS + 1):
        gx, gy = rosen_grad(p[:, 0], p[:, 1])
        g = np.stack([gx, gy], axis=1)
        if name == "gd":
            p = p - lr * g
        else:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return p


def gdlab_runner(backend):
    from gdlab.engine import run
    from gdlab.optim import make

    def go(starts, name):
        return run("rosenbrock", starts, make(name, lr=LR[name]), max_steps=STEPS, tol=0,
                   record="last", backend=backend)

    return go


def torch_runner():
    import torch

    torch.set_num_threads(os.cpu_count() or 1)

    def go(starts, name):
        p = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
        opt = (torch.optim.SGD([p], lr=LR[name]) if name == "gd"
               else torch.optim.Adam([p], lr=LR[name], fused=True))
        for _ in range(STEPS):
            opt.zero_grad(set_to_none=True)
            x, y = p[:, 0], p[:, 1]
            (100 * (y - x * x) ** 2 + (1 - x) ** 2).sum().backward()
            opt.step()
        return p.detach().numpy()

    return go


def optax_solver(name):
    """optax's ``name`` (sgd or adam at :data:`LR`) for :data:`STEPS` steps of 2-D Rosenbrock
    in one ``jax.lax.fori_loop`` under ``jax.jit``: ``solve(starts) -> ends`` (also what
    benchmarks/gpu.py times on the card)."""
    import jax
    import jax.numpy as jnp
    import optax

    tx = optax.sgd(LR[name]) if name == "gd" else optax.adam(LR[name])

    def loss(p):
        x, y = p[:, 0], p[:, 1]
        return jnp.sum(100 * (y - x * x) ** 2 + (1 - x) ** 2)

    def body(_, carry):
        p, s = carry
        u, s = tx.update(jax.grad(loss)(p), s, p)
        return optax.apply_updates(p, u), s

    @jax.jit
    def solve(p):
        return jax.lax.fori_loop(0, STEPS, body, (p, tx.init(p)))[0]

    return solve


def optax_runner():
    import jax

    jax.config.update("jax_enable_x64", True)
    import importlib

    import jax.numpy as jnp

    importlib.import_module("optax")  # where it is missing: ImportError here, peer left out

    compiled = {}

    def build(name, shape):
        return optax_solver(name)

    def go(starts, name):
        key = (name, starts.shape)
        if key not in compiled:
            compiled[key] = build(name, starts.shape)
            compiled[key](jnp.asarray(starts)).block_until_ready()  # compile outside timing
        return np.asarray(compiled[key](jnp.asarray(starts)).block_until_ready())

    return go


RUNNERS = {  # label: (the module it needs, how to make the runner)
    "naive NumPy": (None, lambda: naive_numpy),
    "gdlab (NumPy engine)": (None, lambda: gdlab_runner("numpy")),
    "gdlab (compiled, numba)": ("numba", lambda: gdlab_runner("compiled")),
    "torch.optim (autograd)": ("torch", torch_runner),
    "optax + jax.jit": ("optax", optax_runner),
}


def peers():
    """The implementations whose modules are installed, and the names of those missing (not
    imported here: numba picks its target before gdlab's kernels load, each in its process)."""
    import importlib.util

    found = [label for label, (module, _) in RUNNERS.items()
             if module is None or importlib.util.find_spec(module)]
    missing = [module for label, (module, _) in RUNNERS.items() if label not in found]
    return found, missing


def starts_for(B: int) -> np.ndarray:
    return np.random.default_rng(B).uniform(-2, 2, (B, 2))


def _serve(label: str, conn) -> None:
    """One implementation in a process of its own: another library's thread pool (OpenMP's
    and XLA's threads may spin for a while after a call) cannot slow it, nor it them. Asked
    ``(name, B, calls)``, it answers the seconds of one call, the median of ``calls`` calls."""
    go = RUNNERS[label][1]()
    warm = set()
    while (ask := conn.recv()) is not None:
        name, B, calls = ask
        starts = starts_for(B)
        if (name, B) not in warm:  # jit compilation, kernel loading, first-touch of memory
            go(starts, name)
            warm.add((name, B))
        time.sleep(0.05)  # let any thread still spinning from the last request go idle
        times = []
        for _ in range(calls):
            t0 = time.perf_counter()
            go(starts, name)
            times.append(time.perf_counter() - t0)
        conn.send(statistics.median(times))


def basin_map(runner_backend: str) -> tuple[float, float, dict]:
    from gdlab.engine import run
    from gdlab.optim import make

    g = np.linspace(-5, 5, 1000)
    starts = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    run("himmelblau", starts[:8], make("adam", lr=0.05), max_steps=5, record="last",
        backend=runner_backend)  # compile (or load) the kernel outside the timing
    tracemalloc.start()
    t0 = time.perf_counter()
    r = run("himmelblau", starts, make("adam", lr=0.05), max_steps=500, tol=1e-8, record="last",
            backend=runner_backend)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    counts = dict(zip(*np.unique(r.status, return_counts=True)))
    return seconds, peak, counts


def cpu_model() -> str:
    """The processor's name (Linux), or the platform's word for it: runs of this benchmark
    on different machines differ by 3× and in their ratios too (cache sizes)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> int:
    import gdlab

    labels, missing = peers()
    print(f"# engine benchmark — gdlab {gdlab.__version__}, numpy {np.__version__}, python "
          f"{platform.python_version()}, {os.cpu_count()} cores ({cpu_model()})")
    print(f"# 2-D Rosenbrock, {STEPS} steps, starts uniform in [-2, 2]^2; ns per point-step "
          "(median of round-robin samples, each the median of calls of about 50 ms together; "
          "every implementation in a process of its own); lower is better")
    if missing:
        print(f"# not installed, so not measured: {', '.join(missing)}")
    if "gdlab (compiled, numba)" in labels:
        t0 = time.perf_counter()
        for name in LR:
            gdlab_runner("compiled")(np.zeros((8, 2)), name)
        print(f"# gdlab's compiled kernels ready in {time.perf_counter() - t0:.1f} s (first "
              "time ever: compiled, a few seconds; afterwards loaded from the disk cache)")
        wide = os.environ.get("NUMBA_CPU_FEATURES", "").endswith("-prefer-256-bit")
        print(f"# vectors in gdlab's kernels: {'512-bit (AVX-512)' if wide else '256-bit'}; "
              "the same bits either way (gdlab.compiled.wide_vectors)")
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers = {}
    for label in labels:
        here, there = context.Pipe()
        process = context.Process(target=_serve, args=(label, there), daemon=True)
        process.start()
        workers[label] = (here, process)
    results: dict[tuple, float] = {}
    for B in SIZES:
        for name in LR:
            times: dict[str, list[float]] = {label: [] for label in labels}
            # round-robin samples: a noisy neighbour slows every implementation alike
            for rep in range(5 if B <= 100_000 else 3):
                for label in labels:
                    slow = label == "naive NumPy" or label.startswith("gdlab (NumPy")
                    if slow and rep >= (3 if B < 1_000_000 else 1):
                        continue
                    conn = workers[label][0]
                    # calls of about 50 ms together (at ~20 ns a point-step, or ~2)
                    calls = math.ceil(0.05 / (B * STEPS * (20 if slow else 2) * 1e-9))
                    conn.send((name, B, calls))
                    times[label].append(conn.recv() / (B * STEPS) * 1e9)
            for label in labels:
                results[(label, name, B)] = statistics.median(times[label])
    for conn, process in workers.values():
        conn.send(None)
        process.join()
    ref = "optax + jax.jit" if "optax + jax.jit" in labels else "naive NumPy"
    for name in LR:
        print(f"\n## {name.upper()} (lr {LR[name]:g}) — ns per point-step, (× {ref})")
        print(f"{'implementation':28}" + "".join(f"{f'B = {B:,}':>22}" for B in SIZES))
        for label in labels:
            cells = []
            for B in SIZES:
                v = results[(label, name, B)]
                cells.append(f"{v:9.2f} ({v / results[(ref, name, B)]:5.2f}×)")
            print(f"{label:28}" + "".join(f"{c:>22}" for c in cells))
        # the NumPy engine does what the naive loop does plus f, the stop rules and the
        # oscillation bookkeeping every step: its price in NumPy operations
        ratio = [results[("gdlab (NumPy engine)", name, B)] / results[("naive NumPy", name, B)]
                 for B in SIZES]
        print(f"{'NumPy engine ÷ naive NumPy':28}" + "".join(f"{r:21.2f}×" for r in ratio))
    backend = "numba" if "gdlab (compiled, numba)" in labels else "numpy"
    seconds, peak, counts = basin_map(backend)
    print(f"\n## basin map: Himmelblau, 1000×1000 grid of starts, Adam lr 0.05, ≤ 500 steps, "
          f"tol 1e-8 ({backend} backend)")
    print(f"time {seconds:.2f} s, peak traced memory {peak / 2**20:.0f} MiB, end states "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
