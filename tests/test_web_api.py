"""The JSON API through FastAPI's test client: results equal the library's, hostile input is
refused with a 4xx and a message, and the server keeps answering."""

import json
import os
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from gdlab.calculus import analyze  # noqa: E402
from gdlab.engine import run  # noqa: E402
from gdlab.web.app import MAX_BODY, create_app  # noqa: E402


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def test_health_and_openapi(client):
    assert client.get("/api/health").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/grad", "/api/descend", "/api/grid", "/api/basins", "/api/functions",
            "/api/lrmap", "/api/optimizers"} <= set(paths)


def test_grad_equals_the_library(client):
    r = client.post("/api/grad", json={"formula": "x0**2 + x1**2", "point": [3, 4],
                                       "direction": [1, 1]})
    assert r.status_code == 200
    expected = analyze("x0**2 + x1**2", [3, 4], direction=[1, 1]).to_dict()
    assert r.json() == json.loads(json.dumps(expected))


def test_grad_of_abs_is_exact_off_the_kink_and_refused_on_it(client):
    r = client.post("/api/grad", json={"formula": "abs(x) + 2*abs(y)", "point": [-1, 2]})
    assert r.status_code == 200
    assert r.json()["gradient"] == [-1.0, 2.0]  # (sign x, 2 sign y)
    assert r.json()["hessian"] == [[0.0, 0.0], [0.0, 0.0]]
    r = client.post("/api/grad", json={"formula": "abs(x) + 2*abs(y)", "point": [0, 2]})
    assert (r.status_code, r.json()) == (400, {"detail": "f is not differentiable at (0, 2)"})


def test_descend_equals_the_engine(client):
    body = {"formula": "himmelblau", "starts": [[0, 0], [-1, 4]],
            "optimizers": [{"name": "gd", "lr": 0.01}, {"name": "adam", "lr": 0.1,
                                                        "hyper": {"beta1": 0.8}}],
            "max_steps": 300}
    r = client.post("/api/descend", json=body)
    assert r.status_code == 200, r.text
    doc = r.json()
    from gdlab.optim import make

    ref = run("himmelblau", [[0, 0], [-1, 4]],
              [make("gd", lr=0.01), make("adam", lr=0.1, beta1=0.8)], max_steps=300)
    for k, block in enumerate(doc["results"]):
        for b, run_ in enumerate(block["runs"]):
            np.testing.assert_array_equal(run_["final"], ref.final[k, b])
            assert run_["diagnosis"] == ref.diagnoses()[k][b].label
            assert run_["path"][0] == [[0, 0], [-1, 4]][b]
    assert doc["results"][1]["optimizer"]["beta1"] == 0.8


def test_steps_are_the_engines_run_with_its_gradients_and_optimizer_state(client):
    """The step player's data: the path is /api/descend's, each update is exactly the step
    to the next point, ∇f is the closed form (x/10, 2y), and the state follows the
    textbook recursions (momentum b ← μb + g; Adam m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²)."""
    start, body = [-7.0, 2.0], {"formula": "x**2/20 + y**2", "max_steps": 40}
    for spec, fields in [({"name": "momentum", "lr": 0.1}, {"buffer"}),
                         ({"name": "adam", "lr": 0.3}, {"mu", "nu"}), ({"name": "gd", "lr": 0.95},
                                                                       set())]:
        got = client.post("/api/steps", json={**body, "start": start, "optimizer": spec})
        assert got.status_code == 200, got.text
        s = got.json()
        ran = client.post("/api/descend", json={**body, "starts": [start], "optimizers": [spec]})
        one = ran.json()["results"][0]["runs"][0]
        assert s["path"] == one["path"] and s["diagnosis"] == one["diagnosis"]
        path, upd = np.array(s["path"]), np.array(s["updates"])
        np.testing.assert_array_equal(path[:-1] + upd, path[1:])
        g = np.array(s["gradients"])
        np.testing.assert_allclose(g, np.c_[path[:, 0] / 10, 2 * path[:, 1]], rtol=1e-14)
        np.testing.assert_allclose(s["values"], path[:, 0] ** 2 / 20 + path[:, 1] ** 2,
                                   rtol=1e-14)
        assert set(s["state"]) == fields
        if "buffer" in fields:
            b, want = np.zeros(2), []
            for k in range(len(upd)):
                b = 0.9 * b + g[k]
                want.append(b)
            np.testing.assert_allclose(s["state"]["buffer"]["values"], want, rtol=1e-12)
            np.testing.assert_allclose(upd, -0.1 * np.array(want), rtol=1e-12)
        if "mu" in fields:
            m, v = np.zeros(2), np.zeros(2)
            for k in range(len(upd)):
                m, v = 0.9 * m + 0.1 * g[k], 0.999 * v + 0.001 * g[k] ** 2
                np.testing.assert_allclose(s["state"]["mu"]["values"][k], m, rtol=1e-12)
                np.testing.assert_allclose(s["state"]["nu"]["values"][k], v, rtol=1e-12)
                mh, vh = m / (1 - 0.9 ** (k + 1)), v / (1 - 0.999 ** (k + 1))
                np.testing.assert_allclose(upd[k], -0.3 * mh / (np.sqrt(vh) + 1e-8), rtol=1e-9)


def test_steps_give_each_steps_scheduled_learning_rate(client):
    """With `step:5:0.1` plain GD's update is −lr_k·∇f with lr_k = 0.1 · 0.1^⌊k/5⌋."""
    s = client.post("/api/steps", json={"formula": "x**2 + y**2", "start": [3, 4],
                                        "optimizer": {"name": "gd", "lr": 0.1},
                                        "schedule": "step:5:0.1", "max_steps": 12}).json()
    want = [0.1 * 0.1 ** (k // 5) for k in range(12)]
    np.testing.assert_allclose(s["lrs"], want, rtol=1e-15)
    np.testing.assert_allclose(s["updates"], -np.array(want)[:, None] * np.array(
        s["gradients"][:-1]), rtol=1e-14)


def test_grid_values_and_gradients(client):
    r = client.post("/api/grid", json={"formula": "x**2 - y**2", "n": 5,
                                       "domain": [[-1, 1], [-2, 2]]})
    d = r.json()
    x, y = np.array(d["x"]), np.array(d["y"])
    np.testing.assert_allclose(d["z"], x[None, :] ** 2 - y[:, None] ** 2)
    np.testing.assert_allclose(d["gx"], np.broadcast_to(2 * x[None, :], (5, 5)))
    np.testing.assert_allclose(d["gy"], np.broadcast_to(-2 * y[:, None], (5, 5)))
    bare = client.post("/api/grid", json={"formula": "x**2 - y**2", "n": 5, "gradients": False,
                                          "domain": [[-1, 1], [-2, 2]]}).json()
    assert bare["z"] == d["z"] and bare["gx"] == [] and bare["gy"] == []
    assert bare["log_floor"] is None  # a saddle's values: linear colours
    rosen = client.post("/api/grid", json={"formula": "rosenbrock", "n": 60}).json()
    z = np.array(rosen["z"]) - np.min(rosen["z"])
    assert rosen["log_floor"] == pytest.approx(np.percentile(z[z > 0], 1))  # its valley: log


def test_basins(client):
    r = client.post("/api/basins", json={"formula": "himmelblau", "n": 20, "max_steps": 2000})
    d = r.json()
    assert np.array(d["labels"]).shape == (20, 20)
    assert len(d["minima"]) == 4
    assert sum(d["counts"]["per_minimum"]) + d["counts"]["diverged"] + \
        d["counts"]["not_converged"] == 400
    assert d["global_minima"] == [True] * 4  # Himmelblau's four minima all have f = 0
    # the six-hump camel: f = −1.0316 at (±0.0898, ∓0.7127) only (Dixon & Szegő 1978)
    camel = client.post("/api/basins", json={"formula": "six_hump_camel", "n": 12,
                                             "max_steps": 500}).json()
    marked = [m for m, g in zip(camel["minima"], camel["global_minima"]) if g]
    assert sorted(round(abs(v), 4) for m in marked for v in m) == [0.0898, 0.0898, 0.7127, 0.7127]


def test_basins_split_at_the_local_maximum():
    """x⁴ − 3x² + x + y²: gradient flow with a small step ends in the minimum on the start's
    side of the local maximum x* of x⁴ − 3x² + x (the middle root of 4x³ − 6x + 1)."""
    client = TestClient(create_app())
    r = client.post("/api/basins", json={"formula": "x**4 - 3*x**2 + x + y**2", "n": 24,
                                         "domain": [[-2, 2], [-1, 1]], "max_steps": 3000,
                                         "optimizer": {"name": "gd", "lr": 0.01}})
    d = r.json()
    labels = np.array(d["labels"])
    minima = np.array(d["minima"])
    x_star = sorted(np.roots([4, 0, -6, 1]).real)[1]
    xs = np.linspace(-2, 2, 24)
    side = np.where(xs > x_star, np.argmax(minima[:, 0]), np.argmin(minima[:, 0]))
    np.testing.assert_array_equal(labels, np.broadcast_to(side, (24, 24)))
    assert sorted(minima[:, 0]) == pytest.approx(
        sorted(r for r in np.roots([4, 0, -6, 1]).real if abs(r - x_star) > 1e-6), abs=1e-4)


def test_lr_map_against_the_stability_bound(client):
    """x²/20 + y²: λmax = 2 everywhere, so GD converges for lr < 1 and diverges above it."""
    r = client.post("/api/lrmap", json={"formula": "x**2/20 + y**2", "lr_min": 0.05,
                                        "lr_max": 3, "lrs": 12, "starts": 6,
                                        "domain": [[-3, 3], [-1, 1]], "at": 0.7,
                                        "max_steps": 2000})
    d = r.json()
    labels = np.array(d["labels"])
    lrs = np.array(d["lrs"])
    assert labels.shape == (12, 6)
    np.testing.assert_allclose(d["bounds"], 1.0)
    np.testing.assert_allclose(lrs, np.geomspace(0.05, 3, 12))
    assert set(labels[lrs > 1.05].ravel()) == {"diverged"}
    # 2000 steps shrink x by (1 − lr/10)^2000: by 1e-20 from lr 0.3, but only by 4e-5 at lr
    # 0.05, which leaves the starts x = ±3 with ‖∇f‖ ≈ 1e-5: still descending, "slow"
    assert set(labels[(lrs > 0.3) & (lrs < 0.9)].ravel()) <= {"minimum", "global_minimum"}
    assert labels[0, 0] == labels[0, -1] == "slow"


def test_lr_map_of_momentum_draws_its_own_bound(client):
    """Heavy-ball momentum μ = 0.5 on x²/20 + y² (λmax = 2) is stable up to 2(1 + μ)/λmax =
    1.5, not GD's 1: the map's line is there, and the runs converge up to it and diverge
    above it; Adam has no such bound (no line)."""
    body = {"formula": "x**2/20 + y**2", "lr_min": 0.3, "lr_max": 3, "lrs": 16, "starts": 4,
            "domain": [[-3, 3], [-1, 1]], "at": 0.7, "max_steps": 3000}
    d = client.post("/api/lrmap", json={**body, "optimizer": "momentum",
                                        "hyper": {"momentum": 0.5}}).json()
    np.testing.assert_allclose(d["bounds"], 1.5)
    np.testing.assert_allclose(d["start_bounds"], 1.5)
    labels, lrs = np.array(d["labels"]), np.array(d["lrs"])
    assert set(labels[lrs > 1.55].ravel()) == {"diverged"}
    assert set(labels[(lrs > 0.3) & (lrs < 1.4)].ravel()) <= {"minimum", "global_minimum"}
    adam = client.post("/api/lrmap", json={**body, "optimizer": "adam"}).json()
    assert adam["bounds"] == [None] * 4 and adam["start_bounds"] == [None] * 4
    bad = client.post("/api/lrmap", json={**body, "optimizer": "momentum",
                                          "hyper": {"momentum": -1}})
    assert bad.status_code == 400 and "momentum" in bad.json()["detail"]


def test_optimizers_catalog_matches_make(client):
    from gdlab.optim import make

    cat = client.get("/api/optimizers").json()
    assert [c["name"] for c in cat][:3] == ["gd", "momentum", "nesterov"]
    for c in cat:
        opt = make(c["name"])
        assert {h["name"]: h["default"] for h in c["hyper"]} == \
            {k: (v if isinstance(v, bool) else float(v)) for k, v in opt.hyper.items()}
        assert c["rule"] == opt.rule


def test_time_budget_stops_a_long_request(monkeypatch):
    import gdlab.web.app as web

    monkeypatch.setattr(web, "TIME_BUDGET", 0.0)
    client = TestClient(web.create_app())
    r = client.post("/api/descend", json={"formula": "rosenbrock", "starts": [[0, 0]] * 10,
                                          "optimizers": [{"name": "gd", "lr": 1e-4}],
                                          "max_steps": 5000, "tol": 0})
    assert r.status_code == 503
    assert "budget" in r.json()["detail"]
    assert client.get("/api/health").status_code == 200


HOSTILE = [
    ("/api/grad", {"formula": "__import__('os').system('echo pwned')", "point": [1]}, 400,
     "unexpected character"),
    ("/api/grad", {"formula": "x**(10**10**10)", "point": [1]}, 400, "exponent"),
    ("/api/grad", {"formula": "(" * 5000 + "x" + ")" * 5000, "point": [1]}, 422, ""),
    ("/api/grad", {"formula": "x.__class__", "point": [1]}, 400, "attribute access"),
    ("/api/grad", {"formula": "x + y", "point": [1]}, 400, "coordinate"),
    ("/api/grad", {"formula": "x", "point": ["a"]}, 422, ""),
    ("/api/grad", {"formula": "log(x)", "point": [-1]}, 400, "not defined"),
    ("/api/descend", {"formula": "sphere", "starts": [[1, 1]], "optimizers": [{"name": "adma"}]},
     400, "did you mean adam"),
    ("/api/descend", {"formula": "sphere", "starts": [[1, 1]],
                      "optimizers": [{"name": "gd", "lr": -1}]}, 400, "`lr`"),
    ("/api/descend", {"formula": "sphere", "starts": [[1, 1]] * 200,
                      "optimizers": [{"name": "gd"}] * 8, "max_steps": 20000}, 400, "limit"),
    ("/api/descend", {"formula": "sphere", "starts": [[1, 1]], "optimizers": [{"name": "gd"}],
                      "max_steps": 10**9}, 422, ""),
    ("/api/descend", {"formula": "booth", "starts": [[1, 1, 1]],
                      "optimizers": [{"name": "gd"}]}, 400, "2-D"),
    ("/api/grid", {"formula": "x + y + z"}, 400, "2 variables"),
    ("/api/steps", {"formula": "x**2 + y**2", "start": [1, 2, 3], "optimizer": {"name": "gd"}},
     400, "3 coordinates"),
    ("/api/steps", {"formula": "sphere", "start": [1, 1], "optimizer": {"name": "gd"},
                    "max_steps": 10**9}, 422, ""),
    ("/api/grid", {"formula": "sphere", "n": 100000}, 422, ""),
    ("/api/grid", {"formula": "sphere", "gradients": "no"}, 422, "boolean"),
    ("/api/grid", {"formula": "sphere", "domain": [[1, 0], [0, 1]]}, 400, "domain"),
    ("/api/basins", {"formula": "sphere", "n": 300, "max_steps": 20000}, 400, "limit"),
    ("/api/lrmap", {"formula": "sphere", "lrs": 60, "starts": 60, "max_steps": 20000}, 400,
     "limit"),
    ("/api/lrmap", {"formula": "sphere", "optimizer": "sgdd"}, 400, "unknown optimizer"),
    ("/api/lrmap", {"formula": "sphere", "lr_min": 1, "lr_max": 0.1}, 400, "lr_min"),
    ("/api/lrmap", {"formula": "sphere", "lr_min": 0.1}, 400, "both"),
    ("/api/lrmap", {"formula": "sphere", "lr_min": -1, "lr_max": 0.1}, 422, ""),
    ("/api/lrmap", {"formula": "sphere", "axis": 2}, 422, ""),
    # maps coloured by f's minima: runs with weight decay end at minima of f + (wd/2)‖x‖²
    ("/api/lrmap", {"formula": "himmelblau", "hyper": {"weight_decay": 20}}, 400,
     "weight decay"),
    ("/api/basins", {"formula": "himmelblau", "n": 8,
                     "optimizer": {"name": "gd", "hyper": {"weight_decay": 20}}}, 400,
     "weight decay"),
]


@pytest.mark.parametrize("path, body, status, message", HOSTILE,
                         ids=[f"{p}-{str(b)[:40]}" for p, b, *_ in HOSTILE])
def test_hostile_requests_are_refused(client, path, body, status, message):
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    if message:
        assert message in detail
    assert "Traceback" not in r.text and "pwned" not in r.text
    assert client.get("/api/health").status_code == 200  # still alive


@pytest.mark.parametrize("path, body, message", [
    ("/api/grad", b'{"formula": "x", "point": [NaN]}', "point: numbers must be finite"),
    ("/api/grad", b'{"formula": "x", "point": [1], "method": NaN}', "method: numbers must be"),
    ("/api/descend", b'{"formula": "x**2", "starts": [[1]], "optimizers": [{"name": "gd"}], '
                     b'"max_steps": Infinity}', "max_steps: numbers must be finite"),
    ("/api/lrmap", b'{"formula": "sphere", "lr_min": NaN}', "lr_min: numbers must be finite"),
    ("/api/grad", b'{"formula": "x\\ud800", "point": [1]}', "formula: text must be valid"),
    ("/api/parse", b'{"formula": "\\udfff"}', "a lone surrogate"),
    # a misspelt option is not silently ignored; numbers are JSON numbers
    ("/api/descend", b'{"formula": "x**2", "starts": [[1]], "optimizers": [{"name": "gd"}], '
                     b'"max_step": 5}', "max_step: Extra inputs are not permitted"),
    ("/api/grad", b'{"formula": "x", "point": ["1"]}', "point.0: Input should be a valid"),
    ("/api/grad", b'{"formula": "x", "point": [true]}', "point.0: Input should be a valid"),
])
def test_nan_infinity_and_lone_surrogates_are_422_with_one_line(client, path, body, message):
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and message in detail
    assert r.json()["errors"][0]["loc"][0] == "body"


def test_a_boolean_is_not_a_number_for_a_hyper_parameter(client):
    r = client.post("/api/descend", json={"formula": "x**2", "starts": [[1]], "optimizers": [
        {"name": "momentum", "hyper": {"momentum": True}}]})
    assert (r.status_code, r.json()["detail"]) == (
        400, "momentum: `momentum` must be a number; got True")


def test_oversized_bodies_are_refused(client):
    big = {"formula": "x", "point": [1.0] * 20000}
    r = client.post("/api/grad", json=big)
    assert r.status_code == 413
    assert str(MAX_BODY) in r.json()["detail"]

    def chunks():
        yield b'{"formula": "x", "point": ['
        for _ in range(20000):
            yield b"1.0,"
        yield b"1.0]}"

    r = client.post("/api/grad", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_api_docs_page_works_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/openapi.json").json()["openapi"].startswith("3.0")  # what it renders
    js = client.get("/static/swagger/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000


def test_parse_reports_errors_with_columns(client):
    ok = client.post("/api/parse", json={"formula": "x^2 + 3*y"}).json()
    assert ok["ok"] and ok["variables"] == ["x", "y"] and ok["expression"] == "x**2 + 3*y"
    bad = client.post("/api/parse", json={"formula": "x**"}).json()
    assert not bad["ok"] and bad["column"] == 4
    assert bad["error"] == "unexpected end of formula at column 4"
    lib = client.post("/api/parse", json={"formula": "himmelblau"}).json()
    assert lib["ok"] and lib["library"] == "himmelblau"


def test_descend_returns_the_loss_curve(client):
    r = client.post("/api/descend", json={"formula": "x**2 + 3*y**2", "starts": [[1, 1]],
                                          "optimizers": [{"name": "gd", "lr": 0.1}],
                                          "max_steps": 30, "tol": 0})
    run_ = r.json()["results"][0]["runs"][0]
    path, values = np.array(run_["path"]), np.array(run_["values"])
    assert len(values) == len(path) == 31 and run_["recorded_steps"] == list(range(31))
    np.testing.assert_allclose(values, path[:, 0] ** 2 + 3 * path[:, 1] ** 2, rtol=1e-14)
    # GD on a diagonal quadratic: each coordinate shrinks by (1 − 2·lr·a) per step
    t = np.arange(31)
    np.testing.assert_allclose(values, 0.8 ** (2 * t) + 3 * 0.4 ** (2 * t), rtol=1e-12)


def test_descend_as_csv_is_the_clis_csv(client):
    from gdlab.optim import make
    from gdlab.records import csv_text

    body = {"formula": "himmelblau", "starts": [[0, 0], [-1, 4]],
            "optimizers": [{"name": "gd", "lr": 0.01}, {"name": "adam", "lr": 0.1}],
            "max_steps": 50, "format": "csv"}
    r = client.post("/api/descend", json=body)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    expected = csv_text(run("himmelblau", [[0, 0], [-1, 4]], [make("gd", lr=0.01),
                            make("adam", lr=0.1)], max_steps=50, record="all", backend="numpy"))
    # the "#" configuration line carries the run's wall time; every row after it is equal
    assert r.text.splitlines()[1:] == expected.splitlines()[1:]
    doc = client.post("/api/descend", json={**body, "format": "json"}).json()
    rows = sum(len(run_["path"]) for res in doc["results"] for run_ in res["runs"])
    assert len(r.text.splitlines()) == 2 + rows  # one per recorded step of every run


def test_meta_serves_the_core_constants_and_bounds_follow_their_formulas(client):
    from gdlab import palette
    from gdlab.diagnose import LABELS
    from gdlab.formula import MAX_LENGTH
    from gdlab.optim.aliases import catalog

    meta = client.get("/api/meta").json()
    assert meta["palette"] == palette.PALETTE and meta["label_colors"] == palette.LABEL_COLORS
    assert meta["labels"] == list(LABELS) and meta["optimizers"] == catalog()
    assert meta["limits"]["formula_length"] == MAX_LENGTH
    assert isinstance(meta["limits"]["max_starts"], int)  # counts stay integers
    assert set(meta["stability_bounds"]) == {"gd", "momentum", "nesterov"}
    # f = x²/20 + y²: λmax = 2, so 2/λ = 1, momentum 2(1+μ)/λ, Nesterov 2(1+μ)/((1+2μ)λ)
    got = client.post("/api/bounds", json={
        "formula": "x**2/20 + y**2", "starts": [[-7, 2], [1, 1]],
        "optimizers": [{"name": "gd"}, {"name": "momentum", "hyper": {"momentum": 0.5}},
                       {"name": "nesterov"}, {"name": "adam"},
                       {"name": "adam", "hyper": {"beta1": 1.5}}]}).json()
    assert got["lambda_max"] == pytest.approx(2.0)
    assert got["bounds"][:3] == pytest.approx([1.0, 1.5, 1.9 / 2.8])
    assert got["bounds"][3:] == [None, None]
    too_long = client.post("/api/parse", json={"formula": "x" * (MAX_LENGTH + 1)})
    assert too_long.status_code == 422


def test_the_step_limit_is_max_steps_and_steps_is_accepted_for_it(client):
    body = {"formula": "x**2", "starts": [[3.0]], "optimizers": [{"name": "gd", "lr": 0.1}],
            "tol": 0}
    a = client.post("/api/descend", json={**body, "max_steps": 7}).json()
    b = client.post("/api/descend", json={**body, "steps": 7}).json()
    assert a["max_steps"] == b["max_steps"] == 7
    run = a["results"][0]["runs"][0]
    assert run["steps"] == 7 and run["final"] == b["results"][0]["runs"][0]["final"]
    assert run["final"][0] == pytest.approx(3.0 * 0.8**7)  # x ← x − 0.1·2x
    both = client.post("/api/descend", json={**body, "max_steps": 7, "steps": 9})
    assert both.status_code == 422 and "not both" in both.text  # never one silently dropped


def test_every_endpoint_has_a_response_model_that_drops_nothing(client):
    """The schema names a model for each answer, and the models keep every key the core's
    documents have (a response model silently drops keys it does not know)."""
    from gdlab.calculus import analyze
    from gdlab.engine import run
    from gdlab.records import run_document

    paths = client.get("/openapi.json").json()["paths"]
    for path, ops in paths.items():
        for op in ops.values():
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in schema or "$ref" in schema.get("items", {}), path
    got = client.post("/api/grad", json={"formula": "himmelblau", "point": [1, 2],
                                         "direction": [1, 0]}).json()
    assert set(got) == set(analyze("himmelblau", [1, 2], direction=[1, 0]).to_dict())
    doc = client.post("/api/descend", json={"formula": "himmelblau", "starts": [[0, 0]],
                                            "optimizers": [{"name": "adam", "lr": 0.1}],
                                            "max_steps": 20}).json()
    ref = run_document(run("himmelblau", [[0, 0]], "adam:0.1", max_steps=20, record="all"),
                       include_path=True)
    assert set(doc) == set(ref)
    assert set(doc["results"][0]) == set(ref["results"][0])
    assert set(doc["results"][0]["runs"][0]) == set(ref["results"][0]["runs"][0])
    assert doc["results"][0]["runs"][0]["path"] == ref["results"][0]["runs"][0]["path"]


def test_the_openapi_document_is_valid_30_and_documents_every_refusal(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    assert spec["openapi"] == "3.0.3"
    validate(spec)  # raises on a 3.1 keyword in a 3.0 document
    for path, operations in spec["paths"].items():
        for op in operations.values():
            assert {"400", "408", "413", "422", "431", "503"} <= set(op["responses"]), path
    lr_min = spec["components"]["schemas"]["LrMapRequest"]["properties"]["lr_min"]
    assert lr_min["nullable"] and lr_min["minimum"] == 0 and lr_min["exclusiveMinimum"] is True


# --- isolation: computations in forked children with hard limits ---------------------------


def _isolated(budget=0.5):
    from gdlab.web.compute import Compute

    compute = Compute(1, 1.0, budget, isolate=True)

    def call(job, *args):  # in a thread of its own: another test may own this thread's loop
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, compute(job, *args)).result()

    return call


def _job_square(x, deadline):
    return {"square": x * x}


def _job_refuse(deadline):
    from gdlab.errors import FormulaError

    raise FormulaError("refused in the child", 3)


def _job_hang(deadline):
    time.sleep(60)


def _job_hog(deadline):
    return len(bytearray(8 * 1024**3))  # 8 GiB: over the worker's memory limit


def test_an_isolated_computation_returns_its_result_or_its_refusal():
    from gdlab.errors import FormulaError

    compute = _isolated()
    assert compute(_job_square, 7) == {"square": 49}
    with pytest.raises(FormulaError, match="refused in the child at column 3"):
        compute(_job_refuse)


def test_an_isolated_computation_is_killed_at_its_budget_and_its_memory_limit():
    from gdlab.errors import GdlabError, TimeBudgetError
    from gdlab.web.limits import KILL_GRACE

    start = time.perf_counter()
    with pytest.raises(TimeBudgetError):
        _isolated(0.5)(_job_hang)
    assert time.perf_counter() - start < 0.5 + KILL_GRACE + 1.5
    with pytest.raises(GdlabError, match="too large|memory"):
        _isolated(5)(_job_hog)


def _job_nice(wait, deadline):
    import os

    time.sleep(wait)
    return os.getpriority(os.PRIO_PROCESS, 0)


def test_fair_admission_short_computations_run_above_long_ones():
    """A computation runs below the server at once and drops to the lowest priority once it
    has run DEMOTE_AFTER seconds: short requests overtake long ones, whatever they are."""
    from gdlab.web.limits import DEMOTE_AFTER, DEMOTED_NICE, WORKER_NICE

    server_nice = os.getpriority(os.PRIO_PROCESS, 0)
    assert _isolated(5)(_job_nice, 0.0) == max(server_nice, WORKER_NICE)
    assert _isolated(5)(_job_nice, DEMOTE_AFTER + 0.5) == DEMOTED_NICE


def test_a_body_that_does_not_arrive_in_time_is_408():
    import asyncio

    from gdlab.web.app import BodyLimit

    async def app(scope, receive, send):  # reads the body, as a route does
        from fastapi import HTTPException

        try:
            await receive()
        except HTTPException as exc:
            sent.append(exc.status_code)

    async def silent():
        await asyncio.sleep(30)

    from concurrent.futures import ThreadPoolExecutor

    sent: list = []
    start = time.perf_counter()
    limited = BodyLimit(app, 1024, timeout=0.2)
    with ThreadPoolExecutor(1) as pool:  # another test may own this thread's event loop
        pool.submit(asyncio.run, limited({"type": "http", "headers": []}, silent, None)).result()
    assert sent == [408] and time.perf_counter() - start < 2


def test_a_connection_that_sends_no_request_in_time_is_408_and_closed():
    """The header deadline of `gdlab serve`'s transport, on a live uvicorn server (with a short
    deadline): silent and trickling connections are answered 408 and closed; a request that
    arrived in time is served however long it computes."""
    import asyncio
    import socket
    import threading

    import uvicorn

    from gdlab.web.transport import TRANSPORT, GuardedH11

    class Quick(GuardedH11):
        header_timeout = 0.5
        max_connections = 3

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await asyncio.sleep(1.0)  # longer than the header deadline
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error",
                                           **{**TRANSPORT, "http": Quick}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        for sent in (b"", b"GET / HTTP/1.1\r\nHost: x\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
                c.sendall(sent)
                start = time.perf_counter()
                answer = c.recv(200)
                assert answer.startswith(b"HTTP/1.1 408") and b"did not arrive" in answer
                assert 0.3 < time.perf_counter() - start < 2
                assert c.recv(200) == b""  # closed
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert c.recv(200).startswith(b"HTTP/1.1 200")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:  # not HTTP
            c.sendall(b"GARBAGE\r\n\r\n")
            answer = c.recv(300)
            assert answer.startswith(b"HTTP/1.1 400") and b'{"detail": "invalid HTTP' in answer
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:  # one too many
            answer = c.recv(300)
            assert answer.startswith(b"HTTP/1.1 503") and b'"detail"' in answer
        for h in held:
            h.close()
    finally:
        server.should_exit = True
        thread.join(5)


def test_ambiguous_or_ragged_run_requests_are_refused_with_the_reason(client):
    both = client.post("/api/descend", json={
        "formula": "sphere", "starts": [[1, 1]], "max_steps": 5,
        "optimizers": [{"name": "gd", "lr": 0.1, "hyper": {"lr": 0.5}}]})
    assert both.status_code == 400 and "given twice" in both.json()["detail"]
    ragged = client.post("/api/descend", json={"formula": "sphere", "starts": [[1, 1], [1]],
                                               "optimizers": [{"name": "gd"}]})
    assert ragged.status_code == 400 and "same number of coordinates" in ragged.json()["detail"]


def test_plotly_is_served_gzipped_to_a_browser_that_accepts_it(client):
    import gzip

    plain = client.get("/static/plotly.min.js", headers={"accept-encoding": "identity"})
    packed = client.get("/static/plotly.min.js", headers={"accept-encoding": "gzip, br"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < 0.4 * len(plain.content)
    assert packed.content == plain.content  # the client undid the gzip: the same script
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


def test_a_map_on_the_compiled_engine_keeps_the_time_budget(monkeypatch):
    """Where the kernel is compiled already, a large basin map runs on it — in calls of about
    0.25 s with the budget checked between them — and a spent budget is a 503 as on NumPy."""
    import gdlab.web.app as web
    from gdlab import compiled, resolve
    from gdlab.optim import make
    from gdlab.web.limits import map_backend

    pytest.importorskip("numba")
    compiled.run_block(resolve("himmelblau"), make("gd", lr=0.01), np.zeros((1, 2)), 1, 0, 1e12)
    assert map_backend(resolve("himmelblau"), make("gd", lr=0.01)) == "auto"
    assert map_backend(resolve("himmelblau"), make("rmsprop", lr=0.01)) == "numpy"
    body = {"formula": "himmelblau", "n": 150, "optimizer": {"name": "gd", "lr": 1e-4},
            "max_steps": 1300}
    ok = TestClient(web.create_app()).post("/api/basins", json=body)
    assert ok.status_code == 200 and ok.json()["counts"]["not_converged"] > 0
    monkeypatch.setattr(web, "TIME_BUDGET", 0.0)
    r = TestClient(web.create_app()).post("/api/basins", json=body)
    assert r.status_code == 503 and "budget" in r.json()["detail"]


# --- the page's languages ---------------------------------------------------------------------

HANGUL = "[\uac00-\ud7a3]"


def test_messages_in_every_language_have_the_same_keys(client):
    from gdlab import i18n

    got = {lang: client.get(f"/api/messages?lang={lang}") for lang in i18n.LANGUAGES}
    assert all(r.status_code == 200 for r in got.values())
    en, ko = got["en"].json(), got["ko"].json()
    assert en["languages"] == ko["languages"] == {"en": "English", "ko": "한국어"}
    assert (en["lang"], ko["lang"]) == ("en", "ko")
    assert set(en["messages"]) == set(ko["messages"])
    from gdlab.web.routes.meta import PAGE_AREAS

    assert all(k.startswith(PAGE_AREAS) for k in en["messages"])
    assert en["messages"]["page.run"] == "Run" and ko["messages"]["page.run"] == "실행"
    assert ko["messages"]["label.global_minimum"] == "전역 최솟값"
    assert client.get("/api/messages").json() == en  # English unless asked


def test_the_library_in_korean(client):
    """The function menu's titles and descriptions in the page's language; all else alike."""
    import re

    en, ko = (client.get(f"/api/functions?lang={lang}").json() for lang in ("en", "ko"))
    assert [f["name"] for f in en] == [f["name"] for f in ko] and len(en) >= 16
    for a, b in zip(en, ko):
        assert {k: v for k, v in a.items() if k not in ("title", "description")} == \
            {k: v for k, v in b.items() if k not in ("title", "description")}
        assert re.search(HANGUL, b["description"]) and not re.search(HANGUL, a["description"])
    assert client.get("/api/functions").json() == en
    assert client.get("/api/functions?lang=fr").status_code == 422


def test_a_run_in_korean_says_the_same_in_korean(client):
    """The explanation and advice come back in the request's language; the diagnosis, the
    suggestion and the numbers are the same."""
    import re

    body = {"formula": "himmelblau", "starts": [[0, 0], [-1, 4]], "max_steps": 300,
            "optimizers": [{"name": "gd", "lr": 0.01}, {"name": "gd", "lr": 0.05}]}
    en = client.post("/api/descend", json=body).json()
    ko = client.post("/api/descend", json={**body, "lang": "ko"}).json()
    assert client.post("/api/descend", json={**body, "lang": "en"}).json()["results"] == \
        en["results"]  # "en" is the default
    labels = set()
    for a, b in zip(en["results"], ko["results"]):
        for x, y in zip(a["runs"], b["runs"]):
            assert (x["diagnosis"], x["suggestion"], x["path"]) == \
                (y["diagnosis"], y["suggestion"], y["path"])
            assert re.search(HANGUL, y["explanation"]) and re.search(HANGUL, y["advice"])
            assert not re.search(HANGUL, x["explanation"] + x["advice"])
            labels.add(x["diagnosis"])
        assert set(a["summary"]) == set(b["summary"])
        for entry in b["summary"].values():
            assert re.search(HANGUL, entry["explanation"])
    assert labels == {"global_minimum", "diverged"}  # lr 0.05 is past the bound: advice too
    steps = {"formula": "himmelblau", "start": [0, 0], "max_steps": 5,
             "optimizer": {"name": "adam", "lr": 0.1}}
    state = {lang: client.post("/api/steps", json={**steps, "lang": lang}).json()["state"]
             for lang in ("en", "ko")}
    assert state["en"]["mu"]["label"] == "first moment m (mean of g)"
    assert state["ko"]["mu"]["label"] == "1차 모멘트 m (g의 평균)"
    assert state["en"]["mu"]["values"] == state["ko"]["mu"]["values"]


def test_a_run_in_korean_in_an_isolated_worker():
    """The language reaches the forked child that writes the texts."""
    app = create_app()
    from gdlab.web.compute import Compute
    from gdlab.web.limits import CONCURRENT, QUEUE_SECONDS, TIME_BUDGET

    app.state.compute = Compute(CONCURRENT, QUEUE_SECONDS, TIME_BUDGET, isolate=True)
    body = {"formula": "x**2 + y**2", "starts": [[1, 1]], "lang": "ko",
            "optimizers": [{"name": "gd", "lr": 0.1}]}
    run_ = TestClient(app).post("/api/descend", json=body).json()["results"][0]["runs"][0]
    assert run_["diagnosis"] == "global_minimum" and "전역 최솟값" in run_["explanation"]


@pytest.mark.parametrize("path, body", [
    ("/api/messages?lang=fr", None),
    ("/api/descend", {"formula": "x**2", "starts": [[1.0]], "lang": "fr",
                      "optimizers": [{"name": "gd", "lr": 0.1}]}),
    ("/api/steps", {"formula": "x**2", "start": [1.0], "lang": "korean",
                    "optimizer": {"name": "gd", "lr": 0.1}}),
])
def test_an_unknown_language_is_refused_in_one_line(client, path, body):
    r = client.post(path, json=body) if body else client.get(path)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "\n" not in detail and detail.endswith("Input should be 'en' or 'ko'")
    assert detail.startswith("query.lang:" if body is None else "lang:")


def test_the_hangul_font_holds_every_korean_letter_and_is_made_once(client):
    """/fonts/hangul.css: NanumGothic (regular and bold) as data: URLs, cut to the letters of
    the Korean catalogue — each one of its syllables is in the font."""
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from gdlab import i18n
    from gdlab.web import app as web_app

    r = client.get("/fonts/hangul.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    css = r.text
    fonts = re.findall(r'font-family: "NanumGothic"; font-weight: (\w+);[^}]*'
                       r'src: url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\)', css)
    assert [w for w, _ in fonts] == ["normal", "bold"]
    text = "".join(str(v) for v in i18n.catalogue("ko").values())
    syllables = {ord(c) for c in text if re.match(HANGUL, c)}
    assert len(syllables) > 300
    for _, data in fonts:
        cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
        assert syllables <= set(cmap), sorted(chr(c) for c in syllables - set(cmap))[:10]
        assert ord("A") not in cmap  # the system's fonts draw the rest
    again = client.get("/fonts/hangul.css", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert web_app.hangul_css.cache_info().misses == 1
    assert client.get("/").text.count('href="/fonts/hangul.css"') == 1
