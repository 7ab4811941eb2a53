"""The playground in a real browser: Playwright driving Debian's Chromium against a live
`gdlab serve` on a free loopback port (see shared/BROWSER.md). Skipped where no Chromium is
installed; `dev.py test` installs it with apt-get when it can."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
ARTIFACTS = Path(__file__).resolve().parent.parent / "out" / "screenshots"


@pytest.fixture(scope="session")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "gdlab.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(200):
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("gdlab serve did not start")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1150, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()


def shot(pg, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def click_map(pg, fx, fy):
    """Click at a fraction of the plot area."""
    box = pg.eval_on_selector("#map", """el => { const l = el._fullLayout;
        const r = el.getBoundingClientRect();
        return [r.left + l.xaxis._offset, r.top + l.yaxis._offset, l.xaxis._length, l.yaxis._length]; }""")
    pg.mouse.click(box[0] + fx * box[2], box[1] + fy * box[3])


def test_type_click_run_and_reload(server, page):
    page.goto(f"{server}/?lr=0.01&steps=2000")
    page.wait_for_selector("#map[data-state=ready]")
    page.fill("#formula", "x**4 - 3*x**2 + x + y**2")
    page.dispatch_event("#formula", "change")
    page.wait_for_selector("#map[data-state=ready]")
    click_map(page, 0.9, 0.3)   # right: the local minimum's basin
    click_map(page, 0.1, 0.3)   # left: the global one
    page.click("#run")
    page.wait_for_selector("#map[data-state=done]")
    rows = page.locator("#runs tbody tr")
    assert rows.count() == 2
    labels = [rows.nth(i).locator("td").nth(4).inner_text() for i in range(2)]
    assert labels == ["local_minimum", "global_minimum"]
    assert page.get_attribute("#map", "data-paths") == "2"
    q = parse_qs(urlparse(page.url).query)
    assert q["f"] == ["x**4 - 3*x**2 + x + y**2"] and q["run"] == ["1"]
    assert len(q["starts"][0].split(";")) == 2 and q["lr"] == ["0.01"]
    shot(page, "run")
    first = [rows.nth(i).inner_text() for i in range(2)]
    page.goto(page.url)  # the link reproduces the view
    page.wait_for_selector("#map[data-state=done]")
    assert [page.locator("#runs tbody tr").nth(i).inner_text() for i in range(2)] == first
    assert page.errors == []


def test_bad_formula_shows_its_error_next_to_the_box(server, page):
    page.goto(server)
    page.wait_for_selector("#map[data-state=ready]")
    page.fill("#formula", "x**")
    page.dispatch_event("#formula", "change")
    page.wait_for_selector("#map[data-state=error]")
    assert page.inner_text("#formula-error") == "error: unexpected end of formula at column 4"
    page.fill("#formula", "__import__('os')")
    page.dispatch_event("#formula", "change")
    page.wait_for_function("document.querySelector('#formula-error').textContent.includes('column 12')")
    shot(page, "error")
    assert page.errors == []  # a 400 from the API is shown, not thrown


def test_library_picker_and_optimizer_rule(server, page):
    page.goto(server)
    page.wait_for_selector("#map[data-state=ready]")
    assert page.locator("#picker option").count() > 10
    page.select_option("#picker", "rosenbrock")
    page.wait_for_function("document.querySelector('#formula').value === 'rosenbrock'")
    page.select_option("#optimizer", "adam")
    assert "m ← β₁m" in page.inner_text("#rule")
    assert parse_qs(urlparse(page.url).query)["opt"] == ["adam"]
    assert page.errors == []
