"""Load test of the JSON API against a live `gdlab serve` on a free loopback port.

Bounded in count and time: a fixed number of requests (valid runs, gradients and grids mixed
with hostile requests) from a few concurrent clients, 127.0.0.1 only, stopping by itself.
Reports requests per second, latency percentiles, errors for valid requests (should be 0)
and whether every hostile request was refused with a 4xx.

Run:  .venv/bin/python benchmarks/load.py
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import time

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


async def main_async(base: str) -> list:
    results: list = []
    deadline = time.perf_counter() + TIME_LIMIT
    await asyncio.gather(*(client(base, results, deadline) for _ in range(CLIENTS)))
    return results


def main() -> int:
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
    finally:
        server.terminate()
        server.wait(timeout=10)
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
    return 0 if errors == 0 and refused == len(hostile) and alive else 1


if __name__ == "__main__":
    sys.exit(main())
