"""``/api/basins`` and ``/api/lrmap``: the studies of :mod:`gdlab.studies`, as JSON."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Depends

from ...domain import objective_2d
from ...errors import GdlabError
from .. import schemas
from ..compute import Compute, compute, domain, optimizer
from ..limits import BASINS, LR_MAP, map_backend

router = APIRouter(prefix="/api", tags=["studies"], responses=schemas.ERRORS)


@router.post("/basins")
async def basins(req: schemas.BasinsRequest, run: Compute = Depends(compute)) -> schemas.Basins:
    """Which minimum each start of an n × n grid ends in (−1 not converged, −2 diverged)."""
    from ...studies import basin_map

    BASINS.check(req.n * req.n, 1, req.max_steps)

    def job(deadline):
        opt, obj = optimizer(req.optimizer), objective_2d(req.formula, req.variables)
        m = basin_map(obj, n=req.n, optimizer=opt, max_steps=req.max_steps,
                      domain=domain(req.domain), deadline=deadline,
                      backend=map_backend(obj, opt))
        return {"variables": list(m.objective.variables), "domain": m.domain,
                "labels": m.labels, "minima": m.minima, "global_minima": m.global_minima,
                "optimizer": m.optimizer.to_dict(),
                "counts": m.counts}

    return await run.answer(schemas.Basins, job)


@router.post("/lrmap")
async def lr_map(req: schemas.LrMapRequest, run: Compute = Depends(compute)) -> schemas.LrMap:
    """The diagnosis for every (learning rate, start) pair, starts on a line across the
    domain, for ``optimizer`` with ``hyper``; with its stability bound at each start."""
    from ...studies import lr_map as study

    # an unknown optimizer or a hyper-parameter out of range is refused before any work
    base = optimizer(schemas.OptimizerSpec(name=req.optimizer, hyper=req.hyper))
    LR_MAP.check(req.starts, req.lrs, req.max_steps)
    if (req.lr_min is None) != (req.lr_max is None):
        raise GdlabError("give both `lr_min` and `lr_max`, or neither")
    if req.lr_min is not None and not req.lr_min < req.lr_max:
        raise GdlabError("`lr_min` must be below `lr_max`")

    def job(deadline):
        lrs = req.lrs if req.lr_min is None else np.geomspace(req.lr_min, req.lr_max, req.lrs)
        obj = objective_2d(req.formula, req.variables)
        m = study(obj, lrs=lrs, axis=req.axis, at=req.at, starts=req.starts, optimizer=base,
                  max_steps=req.max_steps, domain=domain(req.domain), deadline=deadline,
                  backend=map_backend(obj, base))
        return {"variables": list(m.objective.variables), "axis": m.axis, "fixed": m.fixed,
                "lrs": m.lrs, "positions": m.positions, "labels": m.labels,
                "bounds": m.bounds, "start_bounds": m.start_bounds}

    return await run.answer(schemas.LrMap, job)
