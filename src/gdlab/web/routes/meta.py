"""``/api/health``, ``/api/meta``, ``/api/messages`` and ``/api/optimizers``: what the page reads
before anything else — every server constant and every word from the one place it is
defined."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ... import __version__, i18n, palette
from ...diagnose import BOUNDS, LABELS
from ...jsonsafe import jsonable
from ...optim.aliases import catalog
from ...presets import presets
from .. import schemas
from ..compute import Compute, compute

router = APIRouter(prefix="/api", tags=["meta"], responses=schemas.ERRORS)


@router.get("/health")
async def health() -> schemas.Health:
    return schemas.Health(status="ok", version=__version__)


@router.get("/meta")
async def meta(slots: Compute = Depends(compute)) -> schemas.Meta:
    """The limits, the colours, the diagnosis labels, the optimizer catalog and the
    stability-bound formulas."""
    from .. import limits

    return jsonable({
        "version": __version__, "limits": limits.as_dict(slots.budget),
        "palette": palette.PALETTE, "labels": list(LABELS),
        "label_colors": palette.LABEL_COLORS,
        "basin_colors": {"diverged": palette.DIVERGED_COLOR,
                         "not_converged": palette.UNCONVERGED_COLOR,
                         "minima": palette.MINIMUM_COLORS},
        "stability_bounds": {name: text for name, (text, _) in BOUNDS.items()},
        "suggestion_options": list(limits.PAGE_OPTIONS), "optimizers": catalog(),
        "presets": presets(),
        "defaults": {k: schemas.DescendRequest.model_fields[k].default
                     for k in ("max_steps", "tol", "noise", "seed")}})


PAGE_AREAS = schemas.PAGE_AREAS


@router.get("/messages")
async def messages(lang: schemas.Language = i18n.DEFAULT_LANGUAGE) -> schemas.Messages:
    """The page's words in ``lang``: every template of the catalogue's :data:`PAGE_AREAS`
    (``gdlab/locale/<lang>/``), and the languages there are, each by its own name."""
    return schemas.Messages(lang=lang, languages=i18n.LANGUAGES, messages={
        key: value for key, value in i18n.catalogue(lang).items() if key.startswith(PAGE_AREAS)})


@router.get("/optimizers")
async def optimizers() -> list[schemas.OptimizerInfo]:
    """Every optimizer: hyper-parameters with torch's defaults and their ranges, and the
    update rule as an equation."""
    return jsonable(catalog())
