"""``/api/descend`` and ``/api/bounds``: runs and the stability bounds around them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from ... import i18n
from ...errors import GdlabError
from .. import schemas
from ..compute import Compute, compute, optimizer
from ..limits import PAGE_OPTIONS, RUN

router = APIRouter(prefix="/api", tags=["runs"], responses=schemas.ERRORS)
RECORD_ALL_WORK = 400_000  # point-steps up to which every step of the paths is kept


@router.post("/descend", responses={200: {"content": {"text/csv": {}}}})
async def descend(req: schemas.DescendRequest, run: Compute = Depends(compute)
                  ) -> schemas.RunDocument:
    """Every optimizer from every start: paths, loss values and diagnoses (``format: "csv"``:
    the CLI's long CSV)."""
    from ...optim import parse_schedule
    from ...records import csv_text, run_document
    from ...spec import RunSpec

    RUN.check(len(req.starts), len(req.optimizers), req.max_steps)  # before any parsing

    def job(deadline):
        with i18n.use(req.lang):  # in the process that writes the explanations (a worker)
            return work(deadline)

    def work(deadline):
        schedule = parse_schedule(req.schedule)
        opts = [optimizer(o, schedule=schedule, noise=req.noise, seed=req.seed)
                for o in req.optimizers]
        spec = RunSpec.build(req.formula, req.starts, opts, max_steps=req.max_steps,
                             tol=req.tol, variables=req.variables, backend="numpy", limits=RUN)
        record = "all" if spec.work <= RECORD_ALL_WORK else max(1, req.max_steps // 200)
        result = replace(spec, record=record).run(deadline=deadline)
        if req.format == "csv":
            return PlainTextResponse(csv_text(result), media_type="text/csv")
        return run_document(result, include_path=True, options=PAGE_OPTIONS, convert=False)

    return await run.answer(schemas.RunDocument, job)


@router.post("/steps")
async def steps(req: schemas.StepsRequest, run: Compute = Depends(compute)) -> schemas.Steps:
    """One start, one optimizer, step by step: at each step ∇f, the update taken and the
    optimizer's state (momentum's velocity, Adam's moments) — the engine's own run, replayed."""
    from ...optim import parse_schedule
    from ...spec import RunSpec
    from ...steps import replay, state_label

    RUN.check(1, 1, req.max_steps)

    def job(deadline):
        with i18n.use(req.lang):  # the state's names in the request's language, in the worker
            return work(deadline)

    def work(deadline):
        opt = optimizer(req.optimizer, schedule=parse_schedule(req.schedule), noise=req.noise,
                        seed=req.seed)
        spec = RunSpec.build(req.formula, [req.start], [opt], max_steps=req.max_steps,
                             tol=req.tol, variables=req.variables, backend="numpy", limits=RUN)
        result = replace(spec, record="all").run(deadline=deadline)
        path = result.run_path(0, 0)
        done = replay(result.objective, opt, path)
        return {"variables": list(result.objective.variables), "optimizer": opt.to_dict(),
                "diagnosis": result.diagnoses()[0][0].label, "path": path,
                "values": result.values[: len(path), 0, 0],  # as recorded (every step)
                "gradients": done["gradients"], "updates": done["updates"], "lrs": done["lrs"],
                "state": {k: {"label": state_label(k), "values": v}
                          for k, v in done["state"].items()}}

    return await run.answer(schemas.Steps, job)


@router.post("/bounds")
async def bounds(req: schemas.BoundsRequest, run: Compute = Depends(compute)) -> schemas.Bounds:
    """Each optimizer's stability bound before a run: for a library function at the known
    minima nearest the starts (whose curvature decides convergence), else at the starts (a
    local bound; ``at`` says which); ``null`` for optimizers without one (the adaptive
    methods) and for invalid ones."""
    from ...calculus import resolve
    from ...diagnose import largest_curvature, optimizer_bound

    def job(_deadline):
        obj = resolve(req.formula, len(req.starts[0]), req.variables)
        points, at = obj.points(req.starts, "starts"), "starts"
        minima = obj.library.minima(obj.dim) if obj.library is not None else []
        if minima:
            locations = np.array([p.location for p in minima], dtype=float)
            nearest = np.argmin(np.linalg.norm(points[:, None] - locations[None], axis=-1), 1)
            points, at = locations[np.unique(nearest)], "minimum"
        lams = largest_curvature(obj, points)
        lam = float(np.nanmax(lams)) if np.isfinite(lams).any() else None

        def bound(spec):  # an invalid optimizer has none (a run says what is wrong)
            try:
                o = optimizer(spec)
            except GdlabError:
                return None
            return optimizer_bound(lam, o.name, float(o.hyper.get("momentum", 0.0)),
                                   float(o.hyper.get("dampening", 0.0)))

        return {"lambda_max": lam, "bounds": [bound(o) for o in req.optimizers], "at": at,
                "points": points}

    return await run.answer(schemas.Bounds, job)
