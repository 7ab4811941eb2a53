"""GPU speed: gdlab's CUDA kernel beside optax under jax.jit and torch.optim (fused), one card.

2-D Rosenbrock, B = 10⁶, 10⁷, 10⁸ random starts in [−2, 2]², exactly 200 steps each (tol 0),
GD (lr 1e-4) and Adam (lr 1e-2), in float64 and float32. Reported: nanoseconds per point-step
(median of the repeats, after a warm-up) and the ratio to optax in the same run (the goal is
≤ 0.5). Every contestant starts from starts already on the card and leaves its end points
there, timed with a device synchronisation on both sides: gdlab's kernel through
``gdlab.gpu.run_device`` — which also evaluates f every step for the divergence test, the stop
rules and the diagnosis bookkeeping, where the peers only update — optax's update in a
``jax.lax.fori_loop`` under ``jax.jit``, torch.optim's fused SGD/Adam with autograd. The end
points of gdlab and optax are compared (largest difference over the first 10⁵ runs), and
``gdlab.engine.run(backend="cuda")`` is timed end to end (host arrays in and out, transfers
included) at B = 10⁷.

Run on a GPU machine:  python3 benchmarks/gpu.py [--sizes 1e6,1e7,1e8] [--repeats 3]
Without a GPU it runs the same code small (NUMBA_ENABLE_CUDASIM=1, peers on the CPU) as a
smoke test: those numbers mean nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # share the card

import numpy as np  # noqa: E402

from engine import LR, STEPS, optax_solver  # noqa: E402 - benchmarks/engine.py: the same runs

DTYPES = ("float64", "float32")
CHECK = 100_000  # runs whose end points are compared between gdlab and optax


def timed(fn, sync, repeats: int) -> tuple[float, object]:
    """Median seconds of ``fn()`` over ``repeats`` after one warm-up, and its last result."""
    out = fn()
    sync()
    times = []
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        out = fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def gdlab_contestant():
    from gdlab import gpu, resolve
    from gdlab.optim import make

    cuda = gpu.cuda_module()
    obj = resolve("rosenbrock")

    def prepare(starts, name, dtype):
        x = cuda.to_device(starts.astype(dtype))
        lr = cuda.to_device(np.full(len(starts), LR[name], dtype=dtype))
        opt = make(name, lr=LR[name])
        out = gpu.run_device(obj, opt, x, lr, STEPS, 0.0, 1e12, dtype)  # allocates once
        cuda.synchronize()

        def go():
            gpu.run_device(obj, opt, x, lr, STEPS, 0.0, 1e12, dtype, out=out)
            return out["final"]

        return go, lambda final: final[:CHECK].copy_to_host()

    return prepare, cuda.synchronize


def optax_contestant():
    import jax

    jax.config.update("jax_enable_x64", True)
    import importlib

    import jax.numpy as jnp

    importlib.import_module("optax")  # where it is missing: ImportError here, peer left out

    def prepare(starts, name, dtype):
        p = jax.device_put(jnp.asarray(starts.astype(dtype)))
        solve = optax_solver(name).lower(p).compile()
        return (lambda: solve(p)), lambda final: np.asarray(final[:CHECK])

    def sync():
        (jax.device_put(0.0) + 0).block_until_ready()

    return prepare, sync, jax.devices()[0].platform


def torch_contestant():
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"

    def prepare(starts, name, dtype):
        p0 = torch.tensor(starts.astype(dtype), device=device)
        fused = device == "cuda"

        def go():
            p = p0.clone().requires_grad_(True)
            opt = (torch.optim.SGD([p], lr=LR[name], fused=fused) if name == "gd"
                   else torch.optim.Adam([p], lr=LR[name], fused=fused))
            for _ in range(STEPS):
                opt.zero_grad(set_to_none=True)
                x, y = p[:, 0], p[:, 1]
                (100 * (y - x * x) ** 2 + (1 - x) ** 2).sum().backward()
                opt.step()
            return p.detach()

        return go, lambda final: final[:CHECK].cpu().numpy()

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    def free():
        if device == "cuda":
            torch.cuda.empty_cache()

    return prepare, sync, device, free


def _row(label, seconds, points, ref):
    ns = seconds / (points * STEPS) * 1e9
    ratio = f"{ns / ref:6.2f}×" if ref else "     –"
    return ns, f"  {label:34} {ns:10.4f} ns {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7,1e8")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]

    import numba

    from gdlab import gpu

    real = gpu.available()
    print(f"# GPU benchmark — python {platform.python_version()}, numpy {np.__version__}, "
          f"numba {numba.__version__}, {'CUDA device' if real else 'SIMULATOR (no GPU)'}")
    if real:
        name = gpu.cuda_module().get_current_device().name
        print(f"# device: {name.decode() if isinstance(name, bytes) else name}")
    contestants = {"gdlab kernel (gdlab.gpu)": gdlab_contestant()}
    try:
        prepare, sync, where = optax_contestant()
        contestants[f"optax + jax.jit ({where})"] = (prepare, sync)
    except ImportError as e:
        print(f"# optax missing: {e}")
    try:
        prepare, sync, where, free = torch_contestant()
        contestants[f"torch.optim fused ({where})"] = (prepare, sync)
    except ImportError as e:
        free = None
        print(f"# torch missing: {e}")
    print(f"# 2-D Rosenbrock, {STEPS} steps, ns per point-step (median of {args.repeats}); "
          "ratio to optax in the same run")
    rng = np.random.default_rng(0)
    for points in sizes:
        starts = rng.uniform(-2, 2, (points, 2))
        for dtype in DTYPES:
            for name in LR:
                print(f"B = {points:.0e}  {dtype}  {name} (lr {LR[name]:g})", flush=True)
                times, ends = {}, {}
                for label, (prepare, sync) in contestants.items():
                    try:
                        go, head = prepare(starts, name, dtype)
                        seconds, final = timed(go, sync, args.repeats)
                        times[label], ends[label] = seconds, head(final)
                        del go, final
                    except Exception as e:  # noqa: BLE001 - out of memory: say so, go on
                        print(f"  {label:34} failed: {type(e).__name__}: {str(e)[:120]}")
                    if free is not None:
                        free()
                optax = next((t for k, t in times.items() if k.startswith("optax")), None)
                ref = optax / (points * STEPS) * 1e9 if optax else None
                for label, seconds in times.items():
                    print(_row(label, seconds, points, ref)[1])
                labels = [k for k in ends if k.startswith(("gdlab", "optax"))]
                if len(labels) == 2:
                    a, b = (ends[k].astype(np.float64) for k in labels)
                    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
                    print(f"  end points gdlab − optax: max |Δ| {np.max(np.abs(a - b)[ok]):.2e}"
                          f" over {ok.sum():,} finite runs")
                sys.stdout.flush()
    if real and 10_000_000 in sizes:
        from gdlab.engine import run

        starts = rng.uniform(-2, 2, (10_000_000, 2))
        for name in LR:
            run("rosenbrock", starts[:1000], name, lr=LR[name], max_steps=STEPS, tol=0,
                record="last", backend="cuda")
            t0 = time.perf_counter()
            run("rosenbrock", starts, name, lr=LR[name], max_steps=STEPS, tol=0,
                record="last", backend="cuda")
            seconds = time.perf_counter() - t0
            print(f"gdlab.engine.run(backend='cuda') B = 1e7 {name}: {seconds:.2f} s end to end "
                  f"({seconds / (1e7 * STEPS) * 1e9:.4f} ns per point-step, transfers included)")


if __name__ == "__main__":
    main()
