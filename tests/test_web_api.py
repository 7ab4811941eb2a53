"""The JSON API through FastAPI's test client: results equal the library's, hostile input is
refused with a 4xx and a message, and the server keeps answering."""

import json

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
    assert {"/api/grad", "/api/descend", "/api/grid", "/api/basins", "/api/functions"} <= set(paths)


def test_grad_equals_the_library(client):
    r = client.post("/api/grad", json={"formula": "x0**2 + x1**2", "point": [3, 4],
                                       "direction": [1, 1]})
    assert r.status_code == 200
    expected = analyze("x0**2 + x1**2", [3, 4], direction=[1, 1]).to_dict()
    assert r.json() == json.loads(json.dumps(expected))


def test_descend_equals_the_engine(client):
    body = {"formula": "himmelblau", "starts": [[0, 0], [-1, 4]],
            "optimizers": [{"name": "gd", "lr": 0.01}, {"name": "adam", "lr": 0.1,
                                                        "hyper": {"beta1": 0.8}}],
            "steps": 300}
    r = client.post("/api/descend", json=body)
    assert r.status_code == 200, r.text
    doc = r.json()
    from gdlab.optim import make

    ref = run("himmelblau", [[0, 0], [-1, 4]],
              [make("gd", lr=0.01), make("adam", lr=0.1, beta1=0.8)], steps=300)
    for k, block in enumerate(doc["results"]):
        for b, run_ in enumerate(block["runs"]):
            np.testing.assert_array_equal(run_["final"], ref.final[k, b])
            assert run_["diagnosis"] == ref.diagnoses()[k][b].label
            assert run_["path"][0] == [[0, 0], [-1, 4]][b]
    assert doc["results"][1]["optimizer"]["beta1"] == 0.8


def test_grid_values_and_gradients(client):
    r = client.post("/api/grid", json={"formula": "x**2 - y**2", "n": 5,
                                       "domain": [[-1, 1], [-2, 2]]})
    d = r.json()
    x, y = np.array(d["x"]), np.array(d["y"])
    np.testing.assert_allclose(d["z"], x[None, :] ** 2 - y[:, None] ** 2)
    np.testing.assert_allclose(d["gx"], np.broadcast_to(2 * x[None, :], (5, 5)))
    np.testing.assert_allclose(d["gy"], np.broadcast_to(-2 * y[:, None], (5, 5)))


def test_basins(client):
    r = client.post("/api/basins", json={"formula": "himmelblau", "n": 20, "steps": 2000})
    d = r.json()
    assert np.array(d["labels"]).shape == (20, 20)
    assert len(d["minima"]) == 4


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
                      "optimizers": [{"name": "gd"}] * 8, "steps": 20000}, 400, "limit"),
    ("/api/descend", {"formula": "sphere", "starts": [[1, 1]], "optimizers": [{"name": "gd"}],
                      "steps": 10**9}, 422, ""),
    ("/api/descend", {"formula": "booth", "starts": [[1, 1, 1]],
                      "optimizers": [{"name": "gd"}]}, 400, "2-D"),
    ("/api/grid", {"formula": "x + y + z"}, 400, "2 variables"),
    ("/api/grid", {"formula": "sphere", "n": 100000}, 422, ""),
    ("/api/grid", {"formula": "sphere", "domain": [[1, 0], [0, 1]]}, 400, "domain"),
    ("/api/basins", {"formula": "sphere", "n": 300, "steps": 20000}, 400, "limit"),
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


def test_nan_in_json_is_refused(client):
    r = client.post("/api/grad", content=b'{"formula": "x", "point": [NaN]}',
                    headers={"content-type": "application/json"})
    assert r.status_code in (400, 422)


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
