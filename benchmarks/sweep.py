"""Sweep throughput: the same sweep in this process and on a Dask LocalCluster, in one run.

Himmelblau, gd and adam × 5 learning rates (1e-3 … 1e-1) × 2,000 random starts, 300 steps:
20,000 runs. Reported: runs per second (median of the repeats) for ``--scheduler none`` and
``local:2`` (two worker processes; the cluster's start-up and shutdown timed apart, once),
their ratio, and that both gave the same rows. On this 2-core machine two workers can at most
double the throughput of one process; what they buy is the diagnosis of each run, which is
Python and runs on one core per process.

Run:  .venv/bin/python benchmarks/sweep.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--starts", type=int, default=20_000)
    args = parser.parse_args()

    import dask
    import distributed
    import pandas as pd
    from distributed import Client, LocalCluster

    from gdlab.sweep import execute, plan

    p = plan("himmelblau", optimizers=["gd", "adam"], lrs=list(np.geomspace(1e-3, 1e-1, 5)),
             random_starts=args.starts, seed=3, max_steps=300, chunk_runs=10_000)
    print(f"# sweep benchmark — python {platform.python_version()}, dask {dask.__version__}, "
          f"distributed {distributed.__version__}, pandas {pd.__version__}, "
          f"{os.cpu_count()} cores")
    print(f"# himmelblau, {len(p.configs)} configurations × {len(p.starts):,} starts = "
          f"{p.runs:,} runs of ≤ {p.max_steps} steps, {len(p.chunks)} chunks, engine "
          f"{p.backend}; runs per second, median of {args.repeats}")
    execute(p)  # warm: kernels loaded, objective built
    times = {"none": [], "local:2": []}
    frames = {}
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        frames["none"] = execute(p)
        times["none"].append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    started = time.perf_counter() - t0
    try:
        execute(p, scheduler=cluster.scheduler_address)  # warm the workers
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            frames["local:2"] = execute(p, scheduler=cluster.scheduler_address)
            times["local:2"].append(time.perf_counter() - t0)
    finally:
        t0 = time.perf_counter()
        client.close()
        cluster.close()
        stopped = time.perf_counter() - t0
    rate = {k: p.runs / statistics.median(v) for k, v in times.items()}
    for k, v in rate.items():
        print(f"{k:10} {v:10,.0f} runs/s   ({statistics.median(times[k]):.2f} s a sweep)")
    print(f"local:2 / none: {rate['local:2'] / rate['none']:.2f}× the throughput")
    print(f"LocalCluster of 2 workers: started in {started:.1f} s, stopped in {stopped:.1f} s "
          "(what --scheduler local:2 adds to one sweep)")
    pd.testing.assert_frame_equal(frames["none"], frames["local:2"])
    print("rows: identical in both (pandas.testing.assert_frame_equal)")


if __name__ == "__main__":
    main()
