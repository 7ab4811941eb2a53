"""gdlab sweep: the same rows whatever the scheduler and chunking, a killed worker, resume."""

import json
import os
import signal

import numpy as np
import pandas as pd
import pytest

from gdlab.engine import run
from gdlab.errors import ConfigError
from gdlab.optim import make
from gdlab.sweep import execute, local_cluster, plan, summary, sweep

pytest.importorskip("distributed")

KW = dict(optimizers=["gd", "adam"], lrs=[1e-3, 1e-2], random_starts=30, seed=3, max_steps=300)


def test_rows_are_the_engines_runs_one_per_configuration_and_start():
    df = sweep("himmelblau", **KW)
    assert len(df) == 2 * 2 * 30 and list(df.run) == list(range(120))
    assert {"optimizer", "lr", "beta1", "start_x", "start_y", "final_x", "final_y", "value",
            "steps", "status", "diagnosis"} <= set(df.columns)
    starts = df[df.config == 0][["start_x", "start_y"]].to_numpy()
    for k, (name, lr) in enumerate([("gd", 1e-3), ("gd", 1e-2), ("adam", 1e-3), ("adam", 1e-2)]):
        rows = df[df.config == k]
        assert set(rows.optimizer) == {name} and set(rows.lr) == {lr}
        r = run("himmelblau", starts, make(name, lr=lr), max_steps=300, record="none",
                backend="numpy")
        np.testing.assert_array_equal(rows[["final_x", "final_y"]].to_numpy(), r.final[0])
        np.testing.assert_array_equal(rows.steps, r.steps[0])
        assert list(rows.diagnosis) == [d.label for d in r.diagnoses()[0]]
    assert np.isnan(df[df.optimizer == "gd"].beta1).all()  # gd has no β₁


@pytest.mark.parametrize("f, seen", [
    ("x**4 - 2*x**2 + 0.3*x + y**2", {"global_minimum", "local_minimum"}),  # the left lower
    ("x**3/3 - x + y**2", {"local_minimum", "unbounded"})])  # a minimum at (1, 0), no lowest
def test_a_function_without_a_listed_minimum_is_labelled_against_the_whole_sweep(f, seen):
    """Without a library minimum, "global" means the lowest value found, and nothing is
    global once a run fell without bound: among all the sweep's runs, not one chunk's — the
    labels are those of one run of everything, whatever the chunking (a chunk of local minima
    alone would call them global)."""
    kw = dict(optimizers=["gd"], lrs=[1e-2, 5e-2], random_starts=60, seed=1, max_steps=300)
    whole = sweep(f, **kw)
    for chunk in (7, 60):
        pd.testing.assert_frame_equal(sweep(f, chunk_runs=chunk, **kw), whole)
    p = plan(f, **kw)
    r = run(f, p.starts, [make("gd", lr=1e-2), make("gd", lr=5e-2)], max_steps=300)
    assert list(whole.diagnosis) == [d.label for row in r.diagnoses() for d in row]
    assert seen <= set(whole.diagnosis)


def test_weight_decay_is_labelled_against_the_function_it_descends():
    """gd with weight decay 0.5 descends F = f + 0.25‖x‖²: on (x − 3)² + (y − 3)² it ends at
    F's one minimum (2.4, 2.4) (closed form 6/(2 + wd)) — not a "local minimum" of f against
    the wd = 0 runs' f = 0, as the sweep said; every run reaching that one point, nothing is
    compared, so it is "minimum" (not proven global). The labels are diagnose's, run by run,
    whatever the chunking; on a double well too."""
    for f in ("(x-3)**2 + (y-3)**2", "(x**2 - 1)**2 + 0.3*x + y**2"):
        kw = dict(optimizers=["gd"], lrs=[0.05], hyper={"weight_decay": [0.0, 0.5]},
                  random_starts=24, seed=2, max_steps=400)
        whole = sweep(f, **kw)
        pd.testing.assert_frame_equal(sweep(f, chunk_runs=7, **kw), whole)
        p = plan(f, **kw)
        r = run(f, p.starts, [make("gd", lr=0.05), make("gd", lr=0.05, weight_decay=0.5)],
                max_steps=400)
        assert list(whole.diagnosis) == [d.label for row in r.diagnoses() for d in row]
        if f.startswith("(x-3)"):
            decayed = whole[whole.weight_decay == 0.5]
            assert set(decayed.diagnosis) == {"minimum"}
            np.testing.assert_allclose(decayed[["final_x", "final_y"]], 2.4, atol=1e-6)


def test_hyper_parameter_lists_apply_to_the_optimizers_that_have_them():
    df = sweep("rosenbrock", optimizers=["momentum", "gd"], lrs=[1e-4], grid=4,
               hyper={"momentum": [0.5, 0.9]}, max_steps=50)
    assert len(df) == (2 + 1) * 16  # momentum × 2 values, gd once
    assert sorted(df[df.optimizer == "momentum"].momentum.unique()) == [0.5, 0.9]
    table = summary(df, ["momentum"])
    assert list(table.optimizer) == ["momentum", "momentum", "gd"] and set(table.runs) == {16}
    shares = table[[c for c in table.columns if c.startswith("share_")]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)
    with pytest.raises(ConfigError, match="none of gd, adam has the hyper-parameter"):
        sweep("himmelblau", optimizers=["gd", "adam"], lrs=[0.1], hyper={"momentum": [0.5]},
              random_starts=2)


def test_every_chunking_gives_the_same_rows():
    a = sweep("himmelblau", **KW)
    for chunk in (1, 7, 45, 1000):
        pd.testing.assert_frame_equal(a, sweep("himmelblau", chunk_runs=chunk, **KW))


def test_a_local_cluster_gives_the_rows_of_this_process():
    a = sweep("himmelblau", **KW)
    b = sweep("himmelblau", scheduler="local:2", chunk_runs=13, **KW)
    pd.testing.assert_frame_equal(a, b)


def test_a_killed_worker_loses_no_row():
    """A LocalCluster of two workers reached as tcp://; after the first chunk one worker
    process is killed (SIGKILL) while chunks are running; the sweep completes with every row,
    the same as in this process."""
    from distributed import Client

    p = plan("rosenbrock", optimizers=["gd", "adam"], lrs=[1e-4, 1e-3, 1e-2],
             random_starts=400, seed=5, max_steps=2000, backend="numpy", chunk_runs=100)
    expected = execute(p)
    with local_cluster(2) as cluster, Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        killed = []

        def progress(done, total):
            if 0 < done < total and not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(done)

        got = execute(p, scheduler=cluster.scheduler_address, progress=progress)
        assert killed and killed[0] < p.runs  # killed mid-sweep
        assert pids[0] not in client.run(os.getpid).values()  # that process is gone
    pd.testing.assert_frame_equal(expected, got)


def test_resume_after_an_interruption_writes_the_same_file(tmp_path):
    p = plan("himmelblau", chunk_runs=10, **KW)
    whole = tmp_path / "whole.parquet"
    execute(p, output=whole)
    assert not (tmp_path / "whole.parquet.parts").exists()

    part = tmp_path / "part.parquet"

    def interrupt(done, total):
        if done >= 30:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(p, output=part, progress=interrupt)
    parts = tmp_path / "part.parquet.parts"
    assert len(list(parts.glob("part-*.parquet"))) == 3 and not part.exists()
    with pytest.raises(ConfigError, match="--resume"):
        execute(p, output=part)  # parts there: not silently overwritten
    seen = []
    execute(p, output=part, resume=True, progress=lambda done, total: seen.append(done))
    assert seen[0] == 30  # the three finished chunks were not run again
    assert part.read_bytes() == whole.read_bytes() and not parts.exists()
    other = plan("himmelblau", chunk_runs=10, **{**KW, "seed": 4})
    with pytest.raises(KeyboardInterrupt):
        execute(other, output=part, progress=interrupt)
    with pytest.raises(ConfigError, match="another sweep"):
        execute(p, output=part, resume=True)


def test_sweep_command(tmp_path, capsys):
    from gdlab.cli import main

    out = tmp_path / "sweep.parquet"
    code = main(["sweep", "himmelblau", "--optimizers", "gd,adam", "--lrs", "1e-3:1e-1:5",
                 "--random-starts", "20", "--seed", "3", "--steps", "300", "--output",
                 str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(captured.out)
    assert doc["runs"] == 200 and len(doc["summary"]) == 10
    df = pd.read_parquet(out)
    from gdlab.cli.types import parse_lrs

    pd.testing.assert_frame_equal(df, sweep("himmelblau", optimizers=["gd", "adam"],
                                            lrs=parse_lrs("1e-3:1e-1:5"), random_starts=20,
                                            seed=3, max_steps=300))
    for argv, message in [
            (["--scheduler", "slurm"], "--scheduler must be none, local, local:N or tcp://"),
            (["--scheduler", "local:0"], "local:N takes 1 to 256 worker processes"),
            (["--output", str(tmp_path / "x.csv")], "must end in .parquet"),
            (["--output", str(tmp_path / "no" / "x.parquet")], "does not exist"),
            (["--random-starts", "20001", "--chunk", "2"],
             "20,001 runs in chunks of 2 make 10,001 chunks; a sweep or map has at most 10,000"),
            (["--resume"], "--resume continues the sweep written to --output"),
            (["--optimizers", "adm"], "unknown optimizer"),
            (["--momentum", "0.5,x"], "--momentum: value 2 is not a number")]:
        code = main(["sweep", "himmelblau", "--lrs", "0.01", "--random-starts", "2", *argv])
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1, (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.parquet"]  # no folder made


@pytest.mark.parametrize("f", ["himmelblau", "(x**2 - 1)**2 + (y - 0.5)**2 + 0.3*x"])
def test_a_basin_map_in_chunks_is_the_map_in_one_go(f):
    """The chunked path (any scheduler, memory bounded by the chunk) labels every start as
    the in-memory map does — the library's minima, or the distinct converged ends, most
    visited first."""
    from gdlab import studies

    whole = studies.basin_map(f, n=48, max_steps=800)
    assert (whole.labels >= 0).mean() > 0.5  # most runs converge: the labels mean something
    for scheduler, chunk in (("none", 97), ("local:2", 500)):
        parts = studies.basin_map(f, n=48, max_steps=800, scheduler=scheduler, chunk_runs=chunk)
        np.testing.assert_allclose(parts.minima, whole.minima, atol=1e-6)
        np.testing.assert_array_equal(parts.labels, whole.labels)
        assert parts.final is None and parts.result is None  # only the labels are kept


def test_a_map_plan_makes_its_starts_per_chunk():
    from gdlab import resolve
    from gdlab.sweep import map_plan

    p = map_plan(resolve("himmelblau"), make("gd", lr=0.01), [(-5, 5), (-4, 4)], 7,
                 max_steps=10, tol=0, chunk_runs=10)
    assert p.starts.size == 0 and p.runs == 49 and len(p.chunks) == 5
    X, Y = np.meshgrid(np.linspace(-5, 5, 7), np.linspace(-4, 4, 7))
    np.testing.assert_array_equal(p.start_rows(0, 49), np.stack([X.ravel(), Y.ravel()], -1))
    np.testing.assert_array_equal(p.start_rows(10, 20), p.start_rows(0, 49)[10:20])


def test_an_lr_map_run_as_a_sweep_is_the_same_map():
    from gdlab import studies

    whole = studies.lr_map("himmelblau", max_steps=300, starts=16, lrs=10)
    parts = studies.lr_map("himmelblau", max_steps=300, starts=16, lrs=10, scheduler="none")
    np.testing.assert_array_equal(parts.labels, whole.labels)
    np.testing.assert_array_equal(parts.bounds, whole.bounds)
    assert len(set(whole.labels.ravel())) >= 3 and parts.result is None


def test_the_default_chunking_keeps_under_the_chunk_limit():
    """About CHUNK_WORK point-steps a chunk, unless that would make more than MAX_CHUNKS
    chunks (a 4000² map of long runs): then the runs split evenly into at most MAX_CHUNKS."""
    from gdlab.sweep import CHUNK_WORK, MAX_CHUNKS, chunk_size

    assert chunk_size(10**6, 500) == CHUNK_WORK // 500
    for runs, steps in [(16_000_000, 100_000), (MAX_CHUNKS * 7 + 1, 10**9), (1, 10**9)]:
        size = chunk_size(runs, steps)
        assert -(-runs // size) <= MAX_CHUNKS and size * MAX_CHUNKS < runs + MAX_CHUNKS
    assert chunk_size(100, 500, 7) == 7
    with pytest.raises(ConfigError, match="at most 10,000"):
        chunk_size(10_001, 500, 1)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ConfigError, match="whole number"):
            chunk_size(100, 500, bad)


def test_the_summarys_median_steps_count_the_runs_that_reached_a_minimum():
    """gd at 0.1 on Himmelblau diverges from every start in a few steps: its median steps
    had read 3, faster than any rate that converges. The median is over the runs that reached
    a minimum, and there are none."""
    df = sweep("himmelblau", optimizers=["gd"], lrs=[0.01, 0.1], random_starts=12, seed=1,
               max_steps=300)
    table = summary(df).set_index("lr")
    assert np.isnan(table.loc[0.1, "median_steps"]) and (df[df.lr == 0.1].status == "diverged"
                                                          ).all()
    reached = df[(df.lr == 0.01) & df.diagnosis.str.endswith("minimum")]
    assert table.loc[0.01, "median_steps"] == reached.steps.median()
