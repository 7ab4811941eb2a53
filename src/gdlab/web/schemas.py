"""The web API's request and response models (pydantic): every size bounded by
:mod:`gdlab.web.limits` or the formula module, every answer described in the OpenAPI schema.

Non-finite numbers are ``null`` in every answer (``Num``). The step limit of a request is
``max_steps`` (``steps`` is accepted for it too); ``steps`` in an answer is what a run took.
"""

from __future__ import annotations

import dataclasses
from types import UnionType
import math
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import (AliasChoices, BaseModel, ConfigDict, Field, Strict, create_model,
                      model_validator)

from .. import calculus, i18n
from ..diff import DERIVATIVE_METHODS

from ..formula import MAX_LENGTH, MAX_VARIABLES
from .limits import MAX_BASIN_GRID, MAX_GRID, MAX_LR_MAP, MAX_OPTIMIZERS, MAX_STARTS, MAX_STEPS

Number = Annotated[float, Strict()]  # a JSON number: not "1", not true
Num = float | None  # in answers: null where not finite
Point = list[Number]
FormulaText = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH,
                                   description="formula or library name (its grammar: the "
                                               "README's Formulas; a refused one is 400)")]
Variables = Annotated[list[str] | None, Field(max_length=MAX_VARIABLES)]
Variables2 = Annotated[list[str] | None, Field(max_length=2)]
Box = Annotated[list[list[Number]] | None, Field(min_length=2, max_length=2)]
#: a language of the message catalogue (gdlab.i18n.LANGUAGES)
Language = Literal[tuple(i18n.LANGUAGES)]


def _max_steps(default: int, low: int):
    return Field(default=default, ge=low, le=MAX_STEPS, description="the step limit",
                 validation_alias=AliasChoices("max_steps", "steps"))


def _refuse_untypable(value, where: str = "body") -> None:
    """Refuse what JSON can carry but no field should: NaN and ±Infinity (Python's JSON reader
    accepts them) and text with lone surrogates (``"\\ud800"``, not Unicode)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: numbers must be finite (no NaN or Infinity)")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{where}: text must be valid Unicode (a lone surrogate)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_untypable(key, where)
            _refuse_untypable(item, f"{where}.{key}" if isinstance(key, str) else where)
    elif isinstance(value, list):
        for item in value:
            _refuse_untypable(item, where)


class _Request(BaseModel):
    """Every request: no NaN, Infinity or lone surrogate anywhere in it, no field the endpoint
    does not know (a misspelt option is not silently ignored), numbers as JSON numbers
    (422)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _typable(cls, data):
        _refuse_untypable(data)
        return data


class _StepLimit(_Request):
    """A request with a step limit: ``max_steps``, or ``steps`` for it, never both."""

    @model_validator(mode="before")
    @classmethod
    def _one_name(cls, data):
        if isinstance(data, dict) and "max_steps" in data and "steps" in data:
            raise ValueError("give the step limit as `max_steps` or `steps`, not both")
        return data


# --- requests -----------------------------------------------------------------------------

class ParseRequest(_Request):
    formula: FormulaText
    variables: Variables = None


class GradRequest(_Request):
    formula: FormulaText
    point: Point = Field(min_length=1, max_length=MAX_VARIABLES)
    variables: Variables = None
    direction: Point | None = Field(default=None, min_length=1, max_length=MAX_VARIABLES)
    method: Literal[DERIVATIVE_METHODS] | None = None


class OptimizerSpec(_Request):
    name: str = Field(min_length=1, max_length=40, description="a name of /api/optimizers")
    lr: Number | None = None
    hyper: dict[str, Number | bool] = Field(default_factory=dict, max_length=12)


class _RunOptions(_StepLimit):
    """How runs go: the options of ``gdlab descend`` besides starts and optimizers."""

    formula: FormulaText
    max_steps: int = _max_steps(200, 0)
    tol: Number = Field(default=1e-8, ge=0)
    variables: Variables = None
    schedule: str | None = Field(default=None, max_length=200)
    noise: Number = Field(default=0.0, ge=0)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    lang: Language = Field(default=i18n.DEFAULT_LANGUAGE,
                           description="the language of the explanations, advice and labels "
                                       "(GET /api/messages lists them)")


class DescendRequest(_RunOptions):
    starts: list[Point] = Field(min_length=1, max_length=MAX_STARTS)
    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=MAX_OPTIMIZERS)
    format: Literal["json", "csv"] = Field(
        default="json", description="csv: the long CSV of `gdlab descend --output run.csv`")


class StepsRequest(_RunOptions):
    start: Point = Field(min_length=1)
    optimizer: OptimizerSpec


class BoundsRequest(_Request):
    formula: FormulaText
    starts: list[Point] = Field(min_length=1, max_length=MAX_STARTS)
    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=MAX_OPTIMIZERS)
    variables: Variables = None


class GridRequest(_Request):
    formula: FormulaText
    domain: Box = None
    n: int = Field(default=80, ge=2, le=MAX_GRID)
    variables: Variables2 = None
    gradients: Annotated[bool, Strict()] = Field(
        default=True, description="false: gx and gy are empty (a third of the answer)")


class BasinsRequest(_StepLimit):
    formula: FormulaText
    domain: Box = None
    n: int = Field(default=100, ge=2, le=MAX_BASIN_GRID)
    optimizer: OptimizerSpec = Field(default_factory=lambda: OptimizerSpec(name="gd", lr=0.01))
    max_steps: int = _max_steps(500, 1)
    variables: Variables2 = None


class LrMapRequest(_StepLimit):
    formula: FormulaText
    domain: Box = None
    optimizer: str = Field(default="gd", min_length=1, max_length=40)
    hyper: dict[str, Number | bool] = Field(
        default_factory=dict, max_length=12,
        description="the optimizer's other hyper-parameters (its learning rate is swept)")
    lr_min: Number | None = Field(default=None, gt=0, description="default: bound/300")
    lr_max: Number | None = Field(default=None, gt=0, description="default: 10·bound")
    lrs: int = Field(default=30, ge=2, le=MAX_LR_MAP, description="how many, log-spaced")
    starts: int = Field(default=40, ge=2, le=MAX_LR_MAP)
    axis: Literal[0, 1] = 0
    at: Number | None = None
    max_steps: int = _max_steps(300, 1)
    variables: Variables2 = None


# --- answers ------------------------------------------------------------------------------

class Health(BaseModel):
    status: str
    version: str


class CriticalPoint(BaseModel):
    location: list[Num]
    value: Num
    kind: str
    smooth: bool


class FunctionInfo(BaseModel):
    name: str
    title: str
    formula: str
    expression: str
    gradient: list[str]
    dim: int | None
    nd: bool
    default_dim: int
    variables: list[str]
    domain: list[list[Num]]
    critical_points: list[CriticalPoint]
    description: str
    aliases: list[str]


class ParseResult(BaseModel):
    ok: bool
    library: str | None
    variables: list[str] | None
    expression: str | None
    error: str | None
    column: int | None


def _nullable(tp):
    """``tp`` with every ``float`` inside it also allowing ``None`` (non-finite numbers)."""
    if tp is float:
        return float | None
    origin, args = get_origin(tp), get_args(tp)
    if origin in (list, dict):
        return origin[tuple(_nullable(a) for a in args)]
    if origin in (Union, UnionType):
        return Union[tuple(_nullable(a) for a in args)]
    return tp


def _model_of(cls) -> type[BaseModel]:
    """A response model with the fields of the core's dataclass ``cls`` (one definition)."""
    hints = get_type_hints(cls)
    fields = {f.name: (_nullable(hints[f.name]), ...) for f in dataclasses.fields(cls)}
    return create_model(cls.__name__, __doc__=cls.__doc__, **fields)


#: The object of ``gdlab grad --json``: the fields of :class:`gdlab.calculus.PointReport`.
PointReport = _model_of(calculus.PointReport)


class Hyper(BaseModel):
    name: str
    default: bool | float
    range: list[Num] | None


class OptimizerInfo(BaseModel):
    name: str
    rule: str
    torch: str | None
    hyper: list[Hyper]


class BasinColors(BaseModel):
    diverged: str
    not_converged: str
    minima: list[str]


class Meta(BaseModel):
    version: str
    limits: dict[str, int | float]
    palette: list[str]
    labels: list[str]
    label_colors: dict[str, str]
    basin_colors: BasinColors
    stability_bounds: dict[str, str]
    suggestion_options: list[str] = Field(description="the options a run's suggestion may use "
                                                      "here: the page's controls")
    optimizers: list[OptimizerInfo]
    presets: list[dict[str, Any]] = Field(description="the study's classic set-ups")
    defaults: dict[str, Any] = Field(description="a run request's defaults (POST /api/descend)")


#: the catalogue's areas the page reads: its own words, the diagnoses' names, and the words
#: it shares with the CLI and the figures (table columns, calculus, terms, presets' titles)
PAGE_AREAS = ("page.", "label.", "column.", "calculus.", "term.", "preset.")


class Messages(BaseModel):
    """The page's words in one language (``GET /api/messages``)."""

    lang: str
    languages: dict[str, str] = Field(description="every language, by its own name")
    messages: dict[str, str | dict[str, str]] = Field(
        description=f"the templates the page reads ({', '.join(a + '*' for a in PAGE_AREAS)}): "
                    "plain {fields}; a plural key is {one, other}, chosen by the field n")


class Bounds(BaseModel):
    lambda_max: Num
    bounds: list[Num]
    at: Literal["minimum", "starts"] = Field(
        description="where λmax was taken: the known minima nearest the starts (a library "
                    "function), else the starts themselves (a local bound)")
    points: list[list[Num]] = Field(description="the points λmax was taken over")


class Run(BaseModel):
    start: list[Num]
    final: list[Num]
    value: Num
    gradient_norm: Num
    steps: int
    status: str
    diagnosis: str
    explanation: str
    advice: str
    suggestion: dict[str, Any] | None = Field(
        description="options of gdlab descend that fix or improve the run; null where none "
                    "can")
    events: list[dict[str, Any]] = Field(description="what happened along the path")
    stability_bound: Num
    optimizer_bound: Num
    bound_at: list[Num] | None = Field(description="where both bounds were taken")
    nearest_minimum: dict[str, Any] | None
    path: list[list[Num]] | None = None
    recorded_steps: list[int] | None = None
    values: list[Num] | None = None


class OptimizerRuns(BaseModel):
    optimizer: dict[str, Any]
    rule: str
    runs: list[Run]
    summary: dict[str, dict[str, Any]] = Field(
        description="per label present: count, explanation, advice, suggestion, example")


class RunDocument(BaseModel):
    """The run document of ``gdlab compare --json`` (with every path)."""

    function: str
    expression: str | None
    variables: list[str]
    gdlab: str
    created: str = Field(description="when the runs were made: ISO 8601, UTC")
    max_steps: int
    tol: float
    divergence: float
    starts: list[list[Num]]
    seconds: float
    results: list[OptimizerRuns]


class StateTrace(BaseModel):
    label: str
    values: list[list[Num]] = Field(description="after each update, (steps, D)")


class Steps(BaseModel):
    """One run step by step: ``path[k] + updates[k] = path[k+1]``."""

    variables: list[str]
    optimizer: dict[str, Any]
    diagnosis: str
    path: list[list[Num]]
    values: list[Num]
    gradients: list[list[Num]] = Field(description="∇f at each point of the path")
    updates: list[list[Num]] = Field(description="the step taken from each point")
    lrs: list[Num] = Field(description="the learning rate of each step (schedule applied)")
    state: dict[str, StateTrace] = Field(description="the optimizer's per-coordinate state")


class Grid(BaseModel):
    variables: list[str]
    domain: list[list[float]]
    x: list[Num]
    y: list[Num]
    z: list[list[Num]]
    gx: list[list[Num]]
    gy: list[list[Num]]
    minima: list[CriticalPoint]
    log_floor: float | None = Field(description="colour by log10(f − min), values below "
                                                "min + log_floor shown as it; null: linear")


class BasinCounts(BaseModel):
    diverged: int
    not_converged: int
    per_minimum: list[int]


class Basins(BaseModel):
    variables: list[str]
    domain: list[list[float]]
    labels: list[list[int]]
    minima: list[list[float]]
    global_minima: list[bool] = Field(description="which minima are known global minima")
    optimizer: dict[str, Any]
    counts: BasinCounts


class LrMap(BaseModel):
    variables: list[str]
    axis: int
    fixed: float
    lrs: list[float]
    positions: list[float]
    labels: list[list[str]]
    bounds: list[Num] = Field(description="the optimizer's stability bound (2/λmax for gd, "
                                          "2(1+μ)/λmax with momentum, …) at the minimum the "
                                          "runs from each start reach (null where none did, "
                                          "and for an optimizer without one)")
    start_bounds: list[Num] = Field(description="the optimizer's local bound at each start")


class Error(BaseModel):
    """Every refusal: one line to show."""

    detail: str


class ValidationFailure(Error):
    """422: the first problem as one line, and every problem (without its input)."""

    errors: list[dict[str, Any]]


#: What every endpoint may answer besides 200: documented once, on every router.
ERRORS = {
    400: {"model": Error, "description": "bad input: a formula, point or option refused, or "
                                         "a limit (starts × steps, grid size) exceeded"},
    408: {"model": Error, "description": "the request's headers or body did not arrive in "
                                         "time (/api/meta: header_timeout, body_timeout)"},
    413: {"model": Error, "description": "request body over the limit (/api/meta: max_body)"},
    422: {"model": ValidationFailure, "description": "the request does not match the schema "
                                                     "(NaN, Infinity, lone surrogates included)"},
    431: {"model": Error, "description": "request headers over the limit (max_headers)"},
    503: {"model": Error, "description": "busy (no computation slot within the queue time, "
                                         "or over max_connections) or over the time budget"},
}

