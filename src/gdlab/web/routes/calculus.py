"""``/api/parse``, ``/api/grad``, ``/api/functions`` and ``/api/grid``: the function itself."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Depends

from ... import functions, i18n
from ...errors import FormulaError
from ...jsonsafe import jsonable
from .. import schemas
from ..compute import Compute, compute, domain

router = APIRouter(prefix="/api", tags=["calculus"], responses=schemas.ERRORS)


@router.get("/functions")
async def functions_list(lang: schemas.Language = i18n.DEFAULT_LANGUAGE
                         ) -> list[schemas.FunctionInfo]:
    """Every library function; its ``title`` and ``description`` in ``lang``."""
    with i18n.use(lang):
        return jsonable([f.as_dict() for f in functions.all_functions()])


@router.post("/parse")
async def parse_formula(req: schemas.ParseRequest, run: Compute = Depends(compute)
                        ) -> schemas.ParseResult:
    """Check a formula as it is typed: 200 either way, with the error and its column."""
    def job(_deadline):
        from ...formula import parse

        text = req.formula.strip()
        if functions.is_known(text):
            f = functions.get(text)
            return {"ok": True, "library": f.name, "variables": list(f.variables()),
                    "expression": str(f.expression().expr), "error": None, "column": None}
        try:
            formula = parse(req.formula, req.variables)
        except FormulaError as exc:
            return {"ok": False, "error": " ".join(str(exc).split()), "column": exc.column,
                    "library": None, "variables": None, "expression": None}
        return {"ok": True, "library": None, "variables": list(formula.variables),
                "expression": str(formula.expr), "error": None, "column": None}

    return await run.answer(schemas.ParseResult, job)


@router.post("/grad")
async def grad(req: schemas.GradRequest, run: Compute = Depends(compute)
               ) -> schemas.PointReport:
    """The object of ``gdlab grad --json`` at one point."""
    from ...calculus import analyze

    def job(_deadline):
        return analyze(req.formula, req.point, direction=req.direction, method=req.method,
                       variables=req.variables).to_dict()

    return await run.answer(schemas.PointReport, job)


@router.post("/grid")
async def grid_values(req: schemas.GridRequest, run: Compute = Depends(compute)
                      ) -> schemas.Grid:
    """Values and gradients on an n × n grid, with the library's minima."""
    from ...domain import domain_for, grid, log_floor, objective_2d

    def job(_deadline):
        obj = objective_2d(req.formula, req.variables)
        dom = domain(req.domain) or domain_for(obj)
        X, Y, Z = grid(obj, dom, req.n)
        G = obj.gradient(np.stack([X, Y], axis=-1)) if req.gradients else np.zeros((0, 0, 2))
        minima = obj.library.minima(2) if obj.library is not None else []
        return {"variables": list(obj.variables), "domain": dom, "x": X[0], "y": Y[:, 0],
                "z": Z.filled(np.nan), "gx": G[..., 0], "gy": G[..., 1],
                "minima": [m.as_dict() for m in minima], "log_floor": log_floor(Z)}

    return await run.answer(schemas.Grid, job)
