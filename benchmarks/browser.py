"""How fast the playground is in a browser, as its user meets it (Playwright + Chromium).

Against a fresh `gdlab serve` on a free loopback port, median of REPEATS:

1. First render: the first contentful paint (the page's text, before plotly.js arrives) and
   the map drawn (cold: a new browser context each time, nothing cached).
2. Run → paths drawn, for 1, 16, 100 and 400 paths (starts × optimizers on Himmelblau, 300
   steps): the wall time from the click to the drawn map, the main thread's busy time
   (Chromium's TaskDuration) and its longest single block (Long Tasks API; "<50" when none
   reached 50 ms), beside the server's own time for the runs. Target for 400 paths: main
   thread under 1 s, no block over 100 ms.
3. Drag → redrawn: 16 starts drawn; a start dragged across the map in 10 moves; the wall time
   from releasing it to its new path on the map, and the longest block while dragging.
4. The step player: 400 paths played from step 0 to the end: frames shown per second and the
   longest block.

Before this work (issue 12), 100 starts × 4 optimizers took 121 s to draw with main-thread
blocks of 8 s (every trace redrawn every animation frame).

Run:  python3 dev.py bench   (or .venv/bin/python benchmarks/browser.py)
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

REPEATS = 5
CASES = [(1, 1), (16, 1), (25, 4), (100, 4)]  # (starts, optimizers): 1, 16, 100, 400 paths
OPTIMIZERS = "gd:lr=0.01;momentum:lr=0.01;adam:lr=0.1;rmsprop:lr=0.01"
LONG_TASKS = """window.__long = [];
new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(
  [e.startTime, e.duration]))).observe({ type: "longtask", buffered: true });"""


def _serve():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "gdlab.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import urllib.request

    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gdlab serve did not start")


def _starts(n: int) -> str:
    k = int(round(n ** 0.5))
    return ";".join(f"{-4.5 + 9 * (j + 0.5) / k:.3f},{-4.5 + 9 * (i + 0.5) / k:.3f}"
                    for i in range(k) for j in range(k))


def _url(base: str, starts: int, opts: int, run: bool = False) -> str:
    from urllib.parse import quote

    return (f"{base}/?f=himmelblau&steps=300&starts={quote(_starts(starts))}"
            f"&opts={quote(';'.join(OPTIMIZERS.split(';')[:opts]))}" + ("&run=1" if run else ""))


class Probe:
    """Main-thread time (CDP Performance.getMetrics TaskDuration) and long tasks of a page."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable")

    def busy(self) -> float:
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    def mark(self):
        return self.busy(), self.page.evaluate("performance.now()")

    def since(self, mark):
        busy0, t0 = mark
        longest = self.page.evaluate(
            "t0 => Math.max(0, ...window.__long.filter(([s]) => s >= t0).map(([, d]) => d))",
            t0)
        return self.busy() - busy0, longest


def _drawn(page):  # the map drawn and painted
    page.wait_for_selector("#map[data-state=done]", timeout=120_000)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def first_render(browser, base) -> tuple[float, float]:
    paints, maps = [], []
    for _ in range(REPEATS):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(base + "/?f=himmelblau")
        page.wait_for_selector("#map[data-state=ready]", timeout=60_000)
        paints.append(page.evaluate(
            "performance.getEntriesByName('first-contentful-paint')[0].startTime"))
        maps.append(page.evaluate("performance.now()"))
        context.close()
    return statistics.median(paints), statistics.median(maps)


def run_case(page, probe, base, starts, opts) -> tuple[float, float, float, float]:
    walls, busy, longest, server = [], [], [], []
    for _ in range(REPEATS):
        page.goto(_url(base, starts, opts))
        page.wait_for_selector("#map[data-state=ready]", timeout=60_000)
        mark, t = probe.mark(), time.perf_counter()
        page.click("#run")
        _drawn(page)
        walls.append(time.perf_counter() - t)
        b, worst = probe.since(mark)
        busy.append(b)
        longest.append(worst)
        server.append(float(page.inner_text("#status").split(" in ")[1].split(" ")[0]))
    return (statistics.median(walls), statistics.median(busy), statistics.median(longest),
            statistics.median(server))


def _pixels(page, x, y):
    return page.eval_on_selector("#map", """(el, p) => { const l = el._fullLayout,
        r = el.getBoundingClientRect();
        return [r.left + l.xaxis._offset + l.xaxis.l2p(p[0]),
                r.top + l.yaxis._offset + l.yaxis.l2p(p[1])]; }""", [x, y])


def drag(page, probe, base) -> tuple[float, float]:
    page.goto(_url(base, 16, 1, run=True))
    _drawn(page)
    waits, blocks = [], []
    for r in range(REPEATS):
        first = [float(v) for v in page.input_value("#starts-text").split(";")[0].split(",")]
        a, b = _pixels(page, *first), _pixels(page, -2.0 + 0.3 * r, 3.0 - 0.2 * r)
        mark = probe.mark()
        page.mouse.move(*a)
        page.mouse.down()
        for t in range(1, 11):
            page.mouse.move(a[0] + (b[0] - a[0]) * t / 10, a[1] + (b[1] - a[1]) * t / 10)
            page.wait_for_timeout(16)
        t = time.perf_counter()
        page.mouse.up()
        page.wait_for_function("""() => { const s = document.getElementById('starts-text').value
            .split(';')[0].split(',').map(Number), t = document.getElementById('map').drawn
            .find((t) => t.name === 'gd'); return t && t.x[0] === s[0] && t.y[0] === s[1]
            && document.getElementById('map').dataset.state === 'done'; }""", timeout=60_000)
        page.evaluate("() => new Promise((r) => requestAnimationFrame(r))")
        waits.append(time.perf_counter() - t)
        blocks.append(probe.since(mark)[1])
    return statistics.median(waits), statistics.median(blocks)


def play(page, probe, base) -> tuple[float, float, int]:
    page.goto(_url(base, 100, 4, run=True))
    _drawn(page)
    rates, blocks = [], []
    last = int(page.get_attribute("#scrub", "max"))
    for _ in range(REPEATS):
        page.click("#first")
        page.wait_for_function("document.getElementById('step-text').textContent"
                               ".startsWith('step 0 ')")
        page.wait_for_timeout(500)  # the click's scrolling and painting done
        mark, t = probe.mark(), time.perf_counter()
        page.evaluate("""last => { window.__frames = 0; let seen = null; (function count() {
            const now = document.getElementById('step-text').textContent;  // a frame shown
            if (now !== seen) { window.__frames++; seen = now; }
            if (!now.startsWith(`step ${last} of`)) requestAnimationFrame(count); })(); }""",
                      last)
        page.click("#play")
        page.wait_for_function(f"document.getElementById('step-text').textContent"
                               f".startsWith('step {last} of')", timeout=120_000)
        seconds = time.perf_counter() - t
        rates.append(page.evaluate("window.__frames") / seconds)
        blocks.append(probe.since(mark)[1])
    return statistics.median(rates), statistics.median(blocks), last


def main() -> int:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if chromium is None:
        print("no chromium: install it (apt-get install -y chromium) to run this benchmark")
        return 0
    proc, base = _serve()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--no-first-run"])
            paint, ready = first_render(browser, base)
            print(f"first render (cold, median of {REPEATS}): first contentful paint "
                  f"{paint:.0f} ms, map drawn {ready:.0f} ms")
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_init_script(LONG_TASKS)
            page = context.new_page()
            probe = Probe(page)
            print(f"\n{'Run → drawn':28} {'wall s':>7} {'main thread s':>14} "
                  f"{'longest block ms':>17} {'server s':>9}")
            over = []
            for starts, opts in CASES:
                wall, busy, worst, server = run_case(page, probe, base, starts, opts)
                paths = starts * opts
                print(f"{f'{paths} paths ({starts} starts × {opts})':28} {wall:7.2f} "
                      f"{busy:14.2f} {worst if worst >= 50 else '<50':>17} {server:9.3f}")
                if paths == 400 and (busy >= 1 or worst > 100):
                    over.append("400 paths")
            wait, block = drag(page, probe, base)
            print(f"\ndrag a start (16 paths live): redrawn {wait * 1000:.0f} ms after release, "
                  f"longest block while dragging {block if block >= 50 else '<50'} ms")
            fps, block, last = play(page, probe, base)
            print(f"step player, 400 paths over {last} steps: {fps:.0f} frames/s, longest "
                  f"block {block if block >= 50 else '<50'} ms")
            print("\ntargets (400 paths): main thread < 1 s, no block over 100 ms: "
                  + ("met" if not over else "NOT met"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
