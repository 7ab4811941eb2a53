"""Load test of the JSON API against a live `gdlab serve` on a free loopback port.

Bounded in count and time: a fixed number of requests (valid runs, gradients and grids mixed
with hostile requests) from a few concurrent clients, 127.0.0.1 only, stopping by itself.
Reports requests per second, latency percentiles, errors for valid requests (should be 0)
and whether every hostile request was refused with a 4xx.

Then the attack mix: ATTACKERS clients send the worst requests known (formulas that once hung
SymPy, the largest runs and maps the limits allow, a 64-variable gradient) in a loop, while a
prober measures `/api/health` and a cheap `/api/grad` (p99 ≤ 100 ms and ≤ 1 s are the aims),
the memory of the server and its workers is sampled, and at the end the server gets SIGTERM
with the attack still running (it must stop within seconds).

Run:  .venv/bin/python benchmarks/load.py
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

VALID = [
    ("/api/grad", {"formula": "x0**2 + x1**2", "point": [3, 4], "direction": [1, 1]}),
    ("/api/grad", {"formula": "himmelblau", "point": [1, 1], "method": "richardson"}),
    ("/api/descend", {"formula": "himmelblau", "starts": [[0, 0], [-1, 4], [-4, -4]],
                      "optimizers": [{"name": "gd", "lr": 0.01}, {"name": "adam", "lr": 0.1}],
                      "max_steps": 300}),
    ("/api/descend", {"formula": "sin(x)*cos(y) + (x^2 + y^2)/20", "starts": [[2, 1]],
                      "optimizers": [{"name": "momentum", "lr": 0.05}], "max_steps": 500}),
    ("/api/grid", {"formula": "rosenbrock", "n": 60}),
    ("/api/basins", {"formula": "himmelblau", "n": 30, "max_steps": 500}),
    ("/api/lrmap", {"formula": "ill_conditioned", "lrs": 12, "starts": 12, "max_steps": 200}),
    ("/api/optimizers", None),  # GET, as the page does on load
    # the live formula check answers 200 {"ok": false, "error": ...} for a refused formula
    ("/api/parse", {"formula": "x**cos(exp(10**10))"}),
    ("/", None),
]
HOSTILE = [
    ("/api/grad", {"formula": "__import__('os').system('id')", "point": [1]}),
    ("/api/grad", {"formula": "9**9**9**9", "point": [1]}),
    ("/api/grad", {"formula": "(" * 3000 + "x" + ")" * 3000, "point": [1]}),
    ("/api/descend", {"formula": "sphere", "starts": [[1, 1]] * 200,
                      "optimizers": [{"name": "gd"}] * 8, "max_steps": 20000}),
    ("/api/grad", {"formula": "x", "point": [1.0] * 20000}),
    ("/api/descend", {"formula": "sphere", "starts": [[1, 1]], "optimizers": [{"name": "adma"}]}),
    ("/api/basins", {"formula": "himmelblau", "n": 300, "max_steps": 20000}),
    ("/api/lrmap", {"formula": "sphere", "lrs": 60, "starts": 60, "max_steps": 20000}),
    # formulas that once held a slot for minutes (SymPy evaluating huge constants exactly)
    ("/api/grad", {"formula": "abs(cos(exp(10**10)))*x", "point": [1]}),
    ("/api/grid", {"formula": "sin(cosh(1e300))*x + y"}),
    ("/api/descend", {"formula": "(((1/10)**400)**400)**(-400)*x", "starts": [[1]],
                      "optimizers": [{"name": "gd"}]}),
]
#: the attack mix: each attacker sends these in a loop
ATTACK = [
    ("/api/grad", {"formula": "abs(cos(exp(10**10)))*x", "point": [1]}),
    ("/api/grad", {"formula": "log(cos(exp(10**10)))", "point": [1]}),
    ("/api/grad", {"formula": "x**cos(exp(10**10))", "point": [1]}),
    ("/api/grad", {"formula": "sin(exp(exp(20)))**2*x", "point": [1]}),
    ("/api/grad", {"formula": "asinh(cos(sinh(66**5)))*x", "point": [1]}),
    ("/api/grad", {"formula": "cot(sinh(cosh(58-8.0)))*x", "point": [1]}),
    ("/api/parse", {"formula": "sin(cosh(1e300))*x"}),
    ("/api/grad", {"formula": "(((1/10)**400)**400)**(-400)*x", "point": [1]}),
    ("/api/grad", {"formula": "abs(" * 60 + "x - y" + ")" * 60, "point": [0.3, 0.2]}),
    ("/api/grad", {"formula": "sin(" + "*".join(f"v{i}" for i in range(64)) + ")",
                   "point": [0.9] * 64}),
    ("/api/descend", {"formula": "rosenbrock", "starts": [[-1.2, 1]] * 150,
                      "optimizers": [{"name": "adam", "lr": 1e-4}],
                      "max_steps": 20000, "tol": 0}),
    ("/api/basins", {"formula": "himmelblau", "n": 300, "max_steps": 333}),
    ("/api/lrmap", {"formula": "rosenbrock", "lrs": 60, "starts": 60, "max_steps": 8000}),
]
PROBES = [("health", "/api/health", None),
          ("grad", "/api/grad", {"formula": "x0**2 + x1**2", "point": [3, 4],
                                 "direction": [1, 1]})]
ATTACKERS = 4
ATTACK_SECONDS = 40.0
PROBE_EVERY = 0.1  # seconds between two probes of the prober
CLIENTS = 8
ROUNDS = 12  # each client sends every request of both lists this many times
TIME_LIMIT = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def client(base: str, results: list, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for _ in range(ROUNDS):
            for kind, batch in (("valid", VALID), ("hostile", HOSTILE)):
                for path, body in batch:
                    if time.perf_counter() > deadline:
                        return
                    t0 = time.perf_counter()
                    try:
                        r = await (http.get(path) if body is None else
                                   http.post(path, json=body))
                        status = r.status_code
                    except httpx.HTTPError:
                        status = -1
                    results.append((kind, status, time.perf_counter() - t0))


async def attacker(base: str, stop: float, counts: dict) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.perf_counter() < stop:
            for path, body in ATTACK:
                if time.perf_counter() > stop:
                    return
                try:
                    status = (await http.post(path, json=body)).status_code
                except httpx.HTTPError:
                    status = -1
                counts[status] = counts.get(status, 0) + 1


async def prober(base: str, stop: float, latencies: dict, errors: list) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.perf_counter() < stop:
            for name, path, body in PROBES:
                t0 = time.perf_counter()
                try:
                    r = await (http.get(path) if body is None else http.post(path, json=body))
                    if r.status_code != 200:
                        errors.append((name, r.status_code))
                except httpx.HTTPError as exc:
                    errors.append((name, type(exc).__name__))
                latencies[name].append(time.perf_counter() - t0)
            await asyncio.sleep(PROBE_EVERY)


def tree_memory(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


async def sample_memory(pid: int, stop: float, peaks: list) -> None:
    while time.perf_counter() < stop:
        peaks.append(tree_memory(pid))
        await asyncio.sleep(0.25)


async def attack_async(base: str, pid: int) -> tuple:
    stop = time.perf_counter() + ATTACK_SECONDS
    counts: dict = {}
    latencies: dict = {name: [] for name, _, _ in PROBES}
    errors: list = []
    memory: list = []
    await asyncio.sleep(0)
    await asyncio.gather(prober(base, stop, latencies, errors), sample_memory(pid, stop, memory),
                         *(attacker(base, stop, counts) for _ in range(ATTACKERS)))
    return counts, latencies, errors, memory


def percentile(values: list, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def attack(base: str, server: subprocess.Popen) -> bool:
    """The attack mix; then SIGTERM while attackers still send. True if every aim held."""
    counts, latencies, errors, memory = asyncio.run(attack_async(base, server.pid))
    print(f"# attack mix — {ATTACKERS} attackers x {len(ATTACK)} worst requests in a loop for "
          f"{ATTACK_SECONDS:.0f} s; a prober every {PROBE_EVERY * 1e3:.0f} ms")
    print("attack answers        " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(),
                                                                               key=str)))
    ok = not errors
    for name, aim in (("health", 0.1), ("grad", 1.0)):
        lat = latencies[name]
        p99 = percentile(lat, 99)
        ok = ok and p99 <= aim
        print(f"probe {name:<8}        {len(lat):5d}   p50 {percentile(lat, 50) * 1e3:7.1f} ms"
              f"   p99 {p99 * 1e3:7.1f} ms   max {max(lat) * 1e3:7.1f} ms"
              f"   (aim: p99 <= {aim * 1e3:.0f} ms)")
    print(f"probe errors          {len(errors):5d}   {errors[:5]}")
    print(f"memory (server + workers)   median {statistics.median(memory) / 2**20:7.0f} MiB"
          f"   peak {max(memory) / 2**20:7.0f} MiB")
    stopper = subprocess.Popen([sys.executable, __file__, "--attack-only", base],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)  # the attack runs again while the server is told to stop
    t0 = time.perf_counter()
    server.terminate()
    try:
        server.wait(timeout=30)
        stopped = time.perf_counter() - t0
    except subprocess.TimeoutExpired:
        stopped = None
    stopper.kill()
    print("SIGTERM under attack  " + (f"stopped in {stopped:.1f} s" if stopped is not None
                                      else "did NOT stop within 30 s"))
    return ok and stopped is not None


async def main_async(base: str) -> list:
    results: list = []
    deadline = time.perf_counter() + TIME_LIMIT
    await asyncio.gather(*(client(base, results, deadline) for _ in range(CLIENTS)))
    return results


def main() -> int:
    if sys.argv[1:2] == ["--attack-only"]:  # the attackers alone (used while SIGTERM is sent)
        asyncio.run(attack_async(sys.argv[2], 0))
        return 0
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gdlab.cli", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        t0 = time.perf_counter()
        results = asyncio.run(main_async(base))
        wall = time.perf_counter() - t0
        alive = httpx.get(base + "/api/health", timeout=5).status_code == 200
        report(results, wall, alive)
        attacked = attack(base, server)
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
    return 0 if passed(results, alive) and attacked else 1


def report(results: list, wall: float, alive: bool) -> None:
    valid = [r for r in results if r[0] == "valid"]
    hostile = [r for r in results if r[0] == "hostile"]
    lat = sorted(r[2] for r in valid)

    def pct(p):
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1e3

    print(f"# load test — {CLIENTS} concurrent clients, {len(results)} requests in {wall:.1f} s "
          f"(loopback, bounded: {ROUNDS} rounds or {TIME_LIMIT:.0f} s)")
    print(f"throughput            {len(results) / wall:8.1f} requests/s")
    print(f"valid requests        {len(valid):8d}   p50 {pct(50):7.1f} ms   p99 {pct(99):7.1f} ms"
          f"   mean {statistics.mean(lat) * 1e3:7.1f} ms")
    errors = sum(1 for r in valid if r[1] != 200)
    busy = sum(1 for r in valid if r[1] == 503)
    print(f"valid errors          {errors:8d}   (of which 503 busy: {busy})")
    refused = sum(1 for r in hostile if 400 <= r[1] < 500)
    print(f"hostile requests      {len(hostile):8d}   refused with 4xx: {refused}"
          f"   other: {len(hostile) - refused}")
    print(f"server alive after    {'yes' if alive else 'NO'}")


def passed(results: list, alive: bool) -> bool:
    valid = [r for r in results if r[0] == "valid"]
    hostile = [r for r in results if r[0] == "hostile"]
    return alive and all(r[1] == 200 for r in valid) and all(400 <= r[1] < 500 for r in hostile)


if __name__ == "__main__":
    sys.exit(main())
