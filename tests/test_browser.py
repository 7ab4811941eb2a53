"""The playground in a real browser: Playwright driving Debian's Chromium against a live
`gdlab serve` on a free loopback port (see shared/BROWSER.md). Skipped where no Chromium is
installed; `dev.py test` installs it with apt-get when it can."""

from __future__ import annotations

import json
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


def rows_text(pg):
    rows = pg.locator("#runs tbody tr")
    return [rows.nth(i).inner_text() for i in range(rows.count())]


def query(pg):
    return parse_qs(urlparse(pg.url).query)


def test_type_click_run_and_reload(server, page):
    page.goto(f"{server}/?lr=0.01&steps=2000")  # a link of the first version still works
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
    labels = [rows.nth(i).locator("td").nth(5).inner_text() for i in range(2)]
    assert labels == ["local_minimum", "global_minimum"]
    assert page.get_attribute("#map", "data-paths") == "2"
    q = query(page)
    assert q["f"] == ["x**4 - 3*x**2 + x + y**2"] and q["run"] == ["1"]
    assert len(q["starts"][0].split(";")) == 2 and q["opts"] == ["gd:lr=0.01"]
    # the paths end where the table says the runs ended
    ends = page.evaluate("""() => document.getElementById('map').data
        .filter(t => (t.name || '').startsWith('gd #'))
        .map(t => [t.x[t.x.length - 1], t.y[t.y.length - 1]])""")
    finals = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(2)]
    for (x, y), text in zip(ends, finals):
        fx, fy = (float(v) for v in text.strip("()").split(","))
        assert abs(x - fx) < 1e-3 * max(1, abs(fx)) and abs(y - fy) < 1e-3 + 1e-3 * abs(fy)
    shot(page, "run")
    first = rows_text(page)
    page.goto(page.url)  # the link reproduces the view
    page.wait_for_selector("#map[data-state=done]")
    assert rows_text(page) == first
    assert page.errors == []


def test_bad_formula_shows_its_error_next_to_the_box(server, page):
    page.goto(server)
    page.wait_for_selector("#map[data-state=ready]")
    page.fill("#formula", "x**")  # as typed: the error shows before the map changes
    page.wait_for_function("document.querySelector('#formula-error').textContent !== ''")
    assert page.inner_text("#formula-error") == "error: unexpected end of formula at column 4"
    assert page.text_content("#formula-caret") == "   ^"  # under column 4
    assert page.get_attribute("#map", "data-state") == "ready"
    page.fill("#formula", "x**2 + y")
    page.wait_for_function("document.querySelector('#formula-error').textContent === ''")
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
    page.select_option(".opt-name", "adam")
    assert "m ← β₁m" in page.inner_text(".opt .rule")
    assert page.locator(".opt input[data-hyper=beta2]").input_value() == "0.999"
    assert query(page)["opts"] == ["adam:lr=0.001"]
    assert page.errors == []


def test_several_optimizers_a_grid_of_starts_and_exports(server, page, tmp_path):
    page.goto(f"{server}/?f=x**2/20%2By**2&opts=gd:lr=0.5&steps=400")
    page.wait_for_selector("#map[data-state=ready]")
    page.fill("#grid-n", "2")
    page.click("#grid")  # 2 × 2 starts at the centres of the domain's quarters
    # before any run the bound comes from the Hessian at the known minimum nearest the starts
    # (typed, x²/20 + y² is the library's ill_conditioned): λmax = 2 there
    page.wait_for_function("document.querySelector('.opt .bound-text').textContent !== ''")
    assert page.inner_text(".opt .bound-text") == \
        "stability bound ≈ 1 at the minimum nearest the start"
    page.click("#add-opt")  # the second optimizer: momentum
    second = page.locator(".opt").nth(1)
    assert second.locator(".opt-name").input_value() == "momentum"
    second.locator("input[data-hyper=momentum]").fill("0.5")
    second.locator("input[data-hyper=momentum]").dispatch_event("change")
    page.click("#run")
    page.wait_for_selector("#map[data-state=done]")
    q = query(page)
    assert q["opts"] == ["gd:lr=0.5;momentum:lr=0.001,momentum=0.5"]
    starts = [tuple(map(float, p.split(","))) for p in q["starts"][0].split(";")]
    assert starts == [(-1.5, -1.5), (1.5, -1.5), (-1.5, 1.5), (1.5, 1.5)]  # domain [-3, 3]²
    rows = page.locator("#runs tbody tr")
    assert rows.count() == 8
    # x²/20 + y²: λmax = 2, so GD's bound is 2/λmax = 1 and momentum's 2(1 + μ)/λmax = 1.5
    assert "stability bound ≈ 1 at the minimum reached (0, 0)" in \
        page.locator(".opt").nth(0).inner_text()
    assert "stability bound ≈ 1.5" in page.locator(".opt").nth(1).inner_text()
    assert page.locator(".opt .bound-mark:not([hidden])").count() == 2
    assert page.evaluate("document.getElementById('loss').data.length") == 8
    shot(page, "several-optimizers")
    with page.expect_download() as got:
        page.click("#export-json")
    doc = json.loads(Path(got.value.path()).read_text())
    assert [r["optimizer"]["name"] for r in doc["results"]] == ["gd", "momentum"]
    assert doc["results"][1]["optimizer"]["momentum"] == 0.5
    assert [r["start"] for r in doc["results"][0]["runs"]] == [list(s) for s in starts]
    with page.expect_download() as got:
        page.click("#export-csv")
    lines = Path(got.value.path()).read_text().splitlines()  # the CLI's --output CSV
    assert json.loads(lines[0][2:])["optimizers"] == [r["optimizer"] for r in doc["results"]]
    assert lines[1] == "optimizer,lr,start,step,x,y,value,gradient_norm,diagnosis"
    assert len(lines) == 2 + sum(len(r["path"]) for res in doc["results"] for r in res["runs"])
    x, y, f = (float(v) for v in lines[5].split(",")[4:7])
    assert f == pytest.approx(x * x / 20 + y * y, rel=1e-12)
    with page.expect_download() as got:
        page.click("#export-png")
    assert Path(got.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    first = rows_text(page)
    page.goto(page.url)
    page.wait_for_selector("#map[data-state=done]")
    assert rows_text(page) == first
    assert page.errors == []


def test_a_suggestion_is_applied_with_one_click(server, page):
    """x² + xy + 3y²: Hessian [[2, 1], [1, 6]], λmax = 4 + √5, so gradient descent's bound is
    2/λmax ≈ 0.32; at lr 0.9 it diverges and the suggestion is half the bound at the start."""
    page.goto(f"{server}/?f=x**2%2Bx*y%2B3*y**2&opts=gd:lr=0.9&starts=1,1&steps=300")
    page.wait_for_selector("#map[data-state=ready]")
    page.wait_for_function("document.querySelector('.opt .bound-text').textContent !== ''")
    bound = 2 / (4 + 5**0.5)
    assert page.inner_text(".opt .bound-text") == \
        f"stability bound ≈ {bound:.4g} at the starts (a local bound) (lr above it)"
    page.click("#run")
    page.wait_for_selector("#map[data-state=done]")
    row = page.locator("#runs tbody tr").first
    assert "diverged" in row.inner_text()
    button = row.locator("button")
    assert button.inner_text() == f"try: lr={float(f'{bound / 2:.3g}')}"
    button.click()
    page.wait_for_selector("#map[data-state=done]")
    page.wait_for_function("!document.querySelector('#runs tbody tr').innerText"
                           ".includes('diverged')")
    assert query(page)["opts"] == [f"gd:lr={float(f'{bound / 2:.3g}')}"]
    assert page.errors == []


def test_field_inspect_surface_basins_and_lr_map(server, page):
    page.goto(f"{server}/?f=x**2/20%2By**2&opts=gd:lr=0.5&starts=2,2")
    page.wait_for_selector("#map[data-state=ready]")
    page.check("#field")
    page.wait_for_selector("#map[data-state=ready]")
    names = page.evaluate("document.getElementById('map').data.map(t => t.name)")
    assert "−∇f" in names
    # arrows point along −∇f = (−x/10, −2y): check every arrow's direction
    bad = page.evaluate("""() => {
        const t = document.getElementById('map').data.find(t => t.name === '−∇f');
        let worst = 0;
        for (let k = 0; k + 1 < t.x.length; k += 7) {
          const x = t.x[k], y = t.y[k], dx = t.x[k + 1] - x, dy = t.y[k + 1] - y;
          const gx = -x / 10, gy = -2 * y, n = Math.hypot(gx, gy), m = Math.hypot(dx, dy);
          if (n > 1e-9) worst = Math.max(worst, 1 - (dx * gx + dy * gy) / (n * m));
        }
        return worst; }""")
    assert bad < 1e-9
    page.check("input[name=mode][value=inspect]")
    click_map(page, 0.75, 0.25)
    page.wait_for_selector("#inspect:not([hidden])")
    x, y = (float(v) for v in query(page)["at"][0].split(","))
    table = dict(line.split("\t", 1) for line in page.inner_text("#inspect-table").splitlines())
    gx, gy = (float(v) for v in table["∇f"].strip("()").split(","))
    assert gx == pytest.approx(x / 10, rel=1e-3) and gy == pytest.approx(2 * y, rel=1e-3)
    assert table["2/λmax"] == "1"
    assert page.evaluate("document.getElementById('dial').data.length") == 3
    shot(page, "inspect")
    page.click("#views button[data-view=surface]")
    page.wait_for_selector("#map[data-state=ready]")
    types = page.evaluate("document.getElementById('map').data.map(t => t.type + ':' + t.name)")
    assert "surface:f" in types and "surface:tangent plane" in types
    shot(page, "surface")
    page.click("#views button[data-view=basins]")
    page.wait_for_selector("#map[data-state=ready]")
    assert "basins of gd" in page.evaluate("document.getElementById('map').layout.title.text")
    shot(page, "basins")
    page.click("#views button[data-view=lrmap]")
    page.wait_for_selector("#map[data-state=ready]")
    bounds = page.evaluate(
        "document.getElementById('map').data.find(t => t.name.startsWith('stability')).y")
    assert all(abs(b - 1) < 1e-9 for b in bounds)
    steps = int(page.evaluate("document.getElementById('steps').value"))
    title = page.evaluate("document.getElementById('map').layout.title.text")
    assert f"({min(steps, 1000)} steps)" in title  # the step limit the map was asked for
    click_map(page, 0.5, 0.5)  # the middle of the log axis sets the learning rate
    page.wait_for_function(
        "!new URLSearchParams(location.search).get('opts').startsWith('gd:lr=0.5')")
    shot(page, "lr-map")
    assert query(page)["view"] == ["lrmap"]
    assert page.errors == []


def test_a_hostile_link_is_refused_quietly(server, page):
    page.goto(f"{server}/?f=x**2%2By**2&opts=__proto__:lr=1;constructor;gd:lr=-5,momentum=2;"
              "adam:lr=0.1,beta1=1.5&starts=1e400,2;a,b;1,2;" + "3,4;" * 300 +
              "&steps=-3&view=<img src=x>&angle=abc&dom=5,1,0,1&run=1")
    page.wait_for_selector("#map[data-state=error]")  # adam's beta1 = 1.5 is refused
    assert "beta1" in page.inner_text("#status")
    q = query(page)
    assert q["opts"] == ["gd:lr=0.001;adam:lr=0.1,beta1=1.5"]  # lr ≤ 0 ignored
    assert q["starts"][0].split(";")[0] == "1,2" and len(q["starts"][0].split(";")) == 200
    assert q["steps"] == ["300"] and "view" not in q and "dom" not in q
    assert page.locator("img[src=x]").count() == 0
    # the only console line is Chromium's own note of the API's 400, no script error
    assert page.errors == ["Failed to load resource: the server responded with a status of "
                           "400 (Bad Request)"]


def test_the_map_has_equal_scales_so_right_angles_look_right(server, page):
    """Pixels per unit across and up equal within 3% (x0² + x1², and a domain twice as wide
    as high), so −∇f meets the level curves at 90° on the screen too; the requested domain
    stays in view."""
    for url, domain in (("/?f=x0**2%20%2B%20x1**2", None),
                        ("/?f=x0**2%20%2B%20x1**2&dom=-10,10,-5,5", (-10, 10, -5, 5))):
        page.goto(server + url)
        page.wait_for_selector("#map[data-state=ready]")
        across, up, xr, yr = page.eval_on_selector("#map", """el => { const l = el._fullLayout;
            return [l.xaxis._length / (l.xaxis.range[1] - l.xaxis.range[0]),
                    l.yaxis._length / (l.yaxis.range[1] - l.yaxis.range[0]),
                    l.xaxis.range, l.yaxis.range]; }""")
        assert across == pytest.approx(up, rel=0.03), url
        if domain:
            assert xr[0] <= domain[0] and xr[1] >= domain[1]
            assert yr[0] <= domain[2] + 1e-9 and yr[1] >= domain[3] - 1e-9
