"""The JSON API behind the browser playground (FastAPI).

Everything a request carries is untrusted: formulas go through the same whitelist parser as
the CLI, every number is checked, and every size is bounded — request body
(:data:`MAX_BODY`), starts, optimizers, steps, grid size and the total work of one request
(:data:`MAX_WORK` point-steps), and every run has a time budget (:data:`TIME_BUDGET` seconds;
past it the run stops and the request is answered 503), so one heavy request cannot starve the
others. At most :data:`CONCURRENT` computations run at once; a request that cannot get a slot
within :data:`QUEUE_SECONDS` is answered 503. Bad input is a 400 (or 413, 422) with a one-line
``detail``; the server never evaluates text as code and never dies on bad input.

Run it with ``gdlab serve``; the API is documented at ``/docs`` (OpenAPI).
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Annotated, Literal

import numpy as np
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..errors import GdlabError, TimeBudgetError
from ..formula import MAX_LENGTH, MAX_VARIABLES
from ..jsonsafe import jsonable

__all__ = ["create_app", "MAX_BODY", "MAX_WORK", "TIME_BUDGET"]

MAX_BODY = 64 * 1024
MAX_WORK = 3_000_000  # point-steps per request
MAX_STARTS = 200
MAX_OPTIMIZERS = 8
MAX_STEPS = 20_000
MAX_GRID = 200
MAX_BASIN_GRID = 300
MAX_LR_MAP = 60  # learning rates × starts of the learning-rate map, each at most this
CONCURRENT = 2
QUEUE_SECONDS = 10.0
TIME_BUDGET = 10.0  # seconds of computing per request

Number = float
Point = list[Number]
FormulaText = Annotated[str, Field(max_length=MAX_LENGTH, description="formula or library name")]
Variables = Annotated[list[str] | None, Field(max_length=MAX_VARIABLES)]


class ParseRequest(BaseModel):
    formula: FormulaText
    variables: Variables = None


class GradRequest(BaseModel):
    formula: FormulaText
    point: Point = Field(min_length=1, max_length=MAX_VARIABLES)
    variables: Variables = None
    direction: Point | None = Field(default=None, min_length=1, max_length=MAX_VARIABLES)
    method: Literal["exact", "central", "forward", "richardson", "complex"] | None = None


class OptimizerSpec(BaseModel):
    name: str = Field(max_length=40)
    lr: Number | None = None
    hyper: dict[str, Number | bool] = Field(default_factory=dict, max_length=12)


class DescendRequest(BaseModel):
    formula: FormulaText
    starts: list[Point] = Field(min_length=1, max_length=MAX_STARTS)
    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=MAX_OPTIMIZERS)
    steps: int = Field(default=200, ge=0, le=MAX_STEPS)
    tol: Number = Field(default=1e-8, ge=0)
    variables: Variables = None
    schedule: str | None = Field(default=None, max_length=200)
    noise: Number = Field(default=0.0, ge=0)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    format: Literal["json", "csv"] = Field(
        default="json", description="csv: the long CSV of `gdlab descend --output run.csv`")


class BoundsRequest(BaseModel):
    formula: FormulaText
    starts: list[Point] = Field(min_length=1, max_length=MAX_STARTS)
    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=MAX_OPTIMIZERS)
    variables: Variables = None


class GridRequest(BaseModel):
    formula: FormulaText
    domain: list[list[Number]] | None = Field(default=None, min_length=2, max_length=2)
    n: int = Field(default=80, ge=2, le=MAX_GRID)
    variables: list[str] | None = Field(default=None, max_length=2)


class BasinsRequest(BaseModel):
    formula: FormulaText
    domain: list[list[Number]] | None = Field(default=None, min_length=2, max_length=2)
    n: int = Field(default=100, ge=2, le=MAX_BASIN_GRID)
    optimizer: OptimizerSpec = Field(default_factory=lambda: OptimizerSpec(name="gd", lr=0.01))
    steps: int = Field(default=500, ge=1, le=MAX_STEPS)
    variables: list[str] | None = Field(default=None, max_length=2)


class LrMapRequest(BaseModel):
    formula: FormulaText
    domain: list[list[Number]] | None = Field(default=None, min_length=2, max_length=2)
    optimizer: str = Field(default="gd", max_length=40)
    lr_min: Number | None = Field(default=None, gt=0, description="default: bound/300")
    lr_max: Number | None = Field(default=None, gt=0, description="default: 10·bound")
    lrs: int = Field(default=30, ge=2, le=MAX_LR_MAP, description="how many, log-spaced")
    starts: int = Field(default=40, ge=2, le=MAX_LR_MAP)
    axis: Literal[0, 1] = 0
    at: Number | None = None
    steps: int = Field(default=300, ge=1, le=MAX_STEPS)
    variables: list[str] | None = Field(default=None, max_length=2)


def _optimizer(spec: OptimizerSpec, **extra):
    from ..optim import make

    hyper = dict(spec.hyper)
    if spec.lr is not None:
        hyper["lr"] = spec.lr
    return make(spec.name, **hyper, **extra)


def _check_work(work: int, limit: int, hint: str) -> None:
    """Refuse a request of more than ``limit`` point-steps, before any computing."""
    if work > limit:
        raise GdlabError(f"{work:,} point-steps requested; the limit is {limit:,} ({hint})")


def _domain(domain):
    if domain is None:
        return None
    out = []
    for axis in domain:
        if len(axis) != 2 or not all(math.isfinite(v) for v in axis) or not axis[0] < axis[1]:
            raise GdlabError("`domain` must be [[x0, x1], [y0, y1]] with x0 < x1 and y0 < y1")
        if axis[1] - axis[0] > 1e6:
            raise GdlabError("`domain` is wider than 1e6")
        out.append((float(axis[0]), float(axis[1])))
    return out


class BodyLimit:
    """ASGI middleware: refuse a body over ``limit`` bytes with 413, whether the client
    announces its length or streams it in chunks."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await self._refuse(send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, f"request body larger than {self.limit} bytes")
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, send):
        body = ('{"detail": "request body larger than %d bytes"}' % self.limit).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _offline_docs(app: FastAPI) -> None:
    """The OpenAPI page at /docs with Swagger UI served from the installed package (FastAPI's
    default loads it from a CDN, which an offline machine cannot reach)."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="swagger")
    # the packaged Swagger UI (4.x) reads OpenAPI 3.0 documents, not FastAPI's default 3.1
    app.openapi_version = "3.0.3"

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="gdlab API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")


def _page(app: FastAPI) -> None:
    """The playground page, its script and style, and plotly.js from the installed plotly
    package (no CDN)."""
    from pathlib import Path

    import plotly
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    static = Path(__file__).with_name("static")
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

    @app.get("/", include_in_schema=False)
    async def index():
        return FileResponse(static / "index.html", media_type="text/html")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    async def plotly_bundle():
        return FileResponse(plotly_js, media_type="application/javascript")

    app.mount("/static", StaticFiles(directory=static), name="static")


def create_app() -> FastAPI:
    """The FastAPI application."""
    app = FastAPI(title="gdlab", version=__version__, docs_url=None, redoc_url=None,
                  description="Gradient-descent laboratory: derivatives, runs, diagnoses.")
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    _offline_docs(app)
    slots = asyncio.Semaphore(CONCURRENT)

    @app.exception_handler(GdlabError)
    async def bad_input(_request: Request, exc: GdlabError):
        status = 503 if isinstance(exc, TimeBudgetError) else 400
        return JSONResponse({"detail": " ".join(str(exc).split())}, status_code=status)

    @app.exception_handler(Exception)
    async def internal(_request: Request, exc: Exception):  # never a traceback to the client
        return JSONResponse({"detail": f"internal error ({type(exc).__name__})"},
                            status_code=500)

    async def compute(fn, *args):
        try:
            await asyncio.wait_for(slots.acquire(), QUEUE_SECONDS)
        except asyncio.TimeoutError:
            raise HTTPException(503, "the server is busy; try again") from None
        try:
            return await run_in_threadpool(fn, *args, time.monotonic() + TIME_BUDGET)
        except TimeBudgetError:
            raise TimeBudgetError(f"the computation took longer than the {TIME_BUDGET:g} s "
                                  "budget of one request; ask for less work") from None
        except (RecursionError, MemoryError):
            raise GdlabError("input too large or too complex") from None
        finally:
            slots.release()

    _page(app)

    @app.get("/api/health")
    async def health() -> dict:
        return {"status": "ok", "version": __version__}

    @app.get("/api/functions")
    async def functions_list() -> list[dict]:
        from .. import functions

        return jsonable([f.as_dict() for f in functions.all_functions()])

    @app.post("/api/parse")
    async def parse_formula(req: ParseRequest) -> dict:
        """Check a formula as it is typed: 200 either way, with the error and its column."""
        from .. import functions
        from ..errors import FormulaError
        from ..formula import parse

        text = req.formula.strip()
        if functions.is_known(text):
            f = functions.get(text)
            return {"ok": True, "library": f.name, "variables": list(f.variables()),
                    "expression": str(f.expression().expr), "error": None, "column": None}
        try:
            formula = await run_in_threadpool(parse, req.formula, req.variables)
        except FormulaError as exc:
            return {"ok": False, "error": " ".join(str(exc).split()), "column": exc.column,
                    "library": None, "variables": None, "expression": None}
        return {"ok": True, "library": None, "variables": list(formula.variables),
                "expression": str(formula.expr), "error": None, "column": None}

    @app.post("/api/grad")
    async def grad(req: GradRequest) -> dict:
        from ..calculus import analyze

        def work(_deadline):
            return analyze(req.formula, req.point, direction=req.direction, method=req.method,
                           variables=req.variables).to_dict()

        return jsonable(await compute(work))

    @app.post("/api/descend")
    async def descend(req: DescendRequest) -> dict:
        from ..engine import run
        from ..optim import parse_schedule
        from ..records import csv_text, run_document

        work = len(req.starts) * len(req.optimizers) * max(req.steps, 1)
        _check_work(work, MAX_WORK, "fewer starts, optimizers or steps")

        def job(deadline):
            schedule = parse_schedule(req.schedule)
            opts = [_optimizer(o, schedule=schedule, noise=req.noise, seed=req.seed)
                    for o in req.optimizers]
            record = "all" if work <= 400_000 else max(1, req.steps // 200)
            result = run(req.formula, req.starts, opts, max_steps=req.steps, tol=req.tol,
                         record=record, variables=req.variables, backend="numpy",
                         deadline=deadline)
            if req.format == "csv":
                return PlainTextResponse(csv_text(result), media_type="text/csv")
            return jsonable(run_document(result, include_path=True))

        return await compute(job)

    @app.post("/api/grid")
    async def grid_values(req: GridRequest) -> dict:
        from ..domain import domain_for, grid, objective_2d

        def job(_deadline):
            obj = objective_2d(req.formula, req.variables)
            dom = _domain(req.domain) or domain_for(obj)
            X, Y, Z = grid(obj, dom, req.n)
            G = obj.gradient(np.stack([X, Y], axis=-1))
            minima = obj.library.minima(2) if obj.library is not None else []
            return {"variables": list(obj.variables), "domain": dom, "x": X[0], "y": Y[:, 0],
                    "z": Z.filled(np.nan), "gx": G[..., 0], "gy": G[..., 1],
                    "minima": [m.as_dict() for m in minima]}

        return jsonable(await compute(job))

    @app.post("/api/basins")
    async def basins(req: BasinsRequest) -> dict:
        """Which minimum each start of an n × n grid ends in (−1 not converged, −2 diverged)."""
        from ..studies import basin_map

        _check_work(req.n * req.n * req.steps, 10 * MAX_WORK, "a smaller grid or fewer steps")

        def job(deadline):
            m = basin_map(req.formula, n=req.n, optimizer=_optimizer(req.optimizer),
                          max_steps=req.steps, domain=_domain(req.domain),
                          variables=req.variables, backend="numpy", deadline=deadline)
            return {"variables": list(m.objective.variables), "domain": m.domain,
                    "labels": m.labels, "minima": m.minima,
                    "optimizer": m.optimizer.to_dict(), "counts": m.counts}

        return jsonable(await compute(job))

    @app.post("/api/lrmap")
    async def lr_map(req: LrMapRequest) -> dict:
        """The diagnosis for every (learning rate, start) pair, starts on a line across the
        domain; with the stability bound 2/λmax at each start."""
        from ..optim import make
        from ..studies import lr_map as study

        make(req.optimizer)  # an unknown name is refused before any work
        _check_work(req.lrs * req.starts * req.steps, 10 * MAX_WORK,
                    "fewer learning rates, starts or steps")
        if (req.lr_min is None) != (req.lr_max is None):
            raise GdlabError("give both `lr_min` and `lr_max`, or neither")
        if req.lr_min is not None and not req.lr_min < req.lr_max:
            raise GdlabError("`lr_min` must be below `lr_max`")

        def job(deadline):
            lrs = req.lrs
            if req.lr_min is not None:
                lrs = np.geomspace(req.lr_min, req.lr_max, req.lrs)
            m = study(req.formula, lrs=lrs, axis=req.axis, at=req.at, starts=req.starts,
                      optimizer=req.optimizer, max_steps=req.steps, domain=_domain(req.domain),
                      variables=req.variables, backend="numpy", deadline=deadline)
            return {"variables": list(m.objective.variables), "axis": m.axis,
                    "fixed": m.fixed, "lrs": m.lrs, "positions": m.positions,
                    "labels": m.labels, "bounds": m.bounds}

        return jsonable(await compute(job))

    @app.get("/api/meta")
    async def meta() -> dict:
        """Every constant the page needs, from the one place each is defined: the limits,
        the colours, the diagnosis labels, the optimizer catalog and the stability-bound
        formulas."""
        from .. import palette
        from ..diagnose import BOUNDS, LABELS
        from ..optim.aliases import catalog

        return jsonable({
            "version": __version__,
            "limits": {"max_starts": MAX_STARTS, "max_optimizers": MAX_OPTIMIZERS,
                       "max_steps": MAX_STEPS, "max_work": MAX_WORK, "max_grid": MAX_GRID,
                       "max_basin_grid": MAX_BASIN_GRID, "max_lr_map": MAX_LR_MAP,
                       "max_body": MAX_BODY, "formula_length": MAX_LENGTH,
                       "time_budget": TIME_BUDGET},
            "palette": palette.PALETTE, "labels": list(LABELS),
            "label_colors": palette.LABEL_COLORS,
            "basin_colors": {"diverged": palette.DIVERGED_COLOR,
                             "not_converged": palette.UNCONVERGED_COLOR,
                             "minima": palette.MINIMUM_COLORS},
            "stability_bounds": {name: text for name, (text, _) in BOUNDS.items()},
            "optimizers": catalog()})

    @app.post("/api/bounds")
    async def bounds(req: BoundsRequest) -> dict:
        """Each optimizer's stability bound from the Hessians at the starts (λmax over the
        starts); ``null`` for optimizers without one (the adaptive methods) and for invalid
        ones."""
        from ..calculus import resolve
        from ..diagnose import largest_curvature, optimizer_bound

        def job(_deadline):
            obj = resolve(req.formula, len(req.starts[0]), req.variables)
            lams = largest_curvature(obj, obj.points(req.starts, "starts"))
            lam = float(np.nanmax(lams)) if np.isfinite(lams).any() else None
            def bound(spec):  # an invalid optimizer has none (a run says what is wrong)
                try:
                    o = _optimizer(spec)
                except GdlabError:
                    return None
                return optimizer_bound(lam, o.name, float(o.hyper.get("momentum", 0.0)))

            return {"lambda_max": lam, "bounds": [bound(o) for o in req.optimizers]}

        return jsonable(await compute(job))

    @app.get("/api/optimizers")
    async def optimizers() -> list[dict]:
        """Every optimizer: hyper-parameters with torch's defaults and their ranges, and the
        update rule as an equation."""
        from ..optim.aliases import catalog

        return jsonable(catalog())

    return app
