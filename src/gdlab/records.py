"""Runs as documents: the JSON of ``gdlab descend``/``compare``/``lr-sweep``, and the full
record written by ``--output`` (JSON or CSV, written atomically) so a figure can be redrawn
later."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
from pathlib import Path
from typing import Any


from .diagnose import summary
from .files import output_target, write_atomic
from .jsonsafe import jsonable

__all__ = ["run_document", "runs_of", "export", "csv_text"]


def runs_of(result, k: int, include_path: bool = False, diagnoses=None
            ) -> list[dict[str, Any]]:
    """The runs of configuration ``k``, one dict per start, in order (``diagnoses``: the
    result's, ``(K, B)``, if already made)."""
    out = []
    for b, d in enumerate((diagnoses or result.diagnoses())[k]):
        item = {
            "start": result.starts[b], "final": result.final[k, b],
            "value": result.value[k, b], "gradient_norm": result.gradient_norm[k, b],
            "steps": int(result.steps[k, b]), "status": str(result.status[k, b]),
            "diagnosis": d.label, "explanation": d.explanation, "advice": d.advice,
            "suggestion": d.suggestion, "events": d.events,
            "stability_bound": d.stability_bound, "optimizer_bound": d.optimizer_bound,
            "bound_at": d.bound_at, "nearest_minimum": d.nearest_minimum,
        }
        if include_path:
            item["path"] = result.run_path(k, b)
            item["recorded_steps"] = result.recorded_steps[: len(item["path"])]
            item["values"] = result.values[: len(item["path"]), k, b]  # the loss curve
        out.append(item)
    return out


def _function_info(result) -> dict[str, Any]:
    obj = result.objective
    return {"function": obj.name, "expression": str(obj.expr) if obj.expr is not None else None,
            "variables": list(obj.variables)}


def run_document(result, include_path: bool = False, options=None, convert: bool = True
                 ) -> dict[str, Any]:
    """Everything about a run: function, stopping rule, and per configuration its
    optimizer, runs and the summary of their diagnoses. ``options``: the options the front
    end showing it has, for the suggestions (default: all of ``gdlab descend``'s).
    ``convert=False`` leaves the NumPy arrays in (for a caller that converts the document
    once itself, as the web API does: a second walk over 10⁵ path points costs 0.2 s)."""
    from . import __version__

    diagnoses = result.diagnoses() if options is None else result.diagnoses(options=options)
    doc = {
        **_function_info(result), "gdlab": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "max_steps": result.max_steps, "tol": result.tol, "divergence": result.divergence,
        "starts": result.starts, "seconds": result.seconds,
        "results": [{"optimizer": opt.to_dict(), "rule": opt.rule,
                     "runs": runs_of(result, k, include_path, diagnoses),
                     "summary": summary(diagnoses[k])}
                    for k, opt in enumerate(result.optimizers)],
    }
    return jsonable(doc) if convert else doc


def export_target(path: str | os.PathLike) -> Path:
    """The file a record may be written to, or a one-line refusal — asked before the runs
    too."""
    return output_target(path, "record", "--output")


def export(result, path: str | os.PathLike) -> Path:
    """Write the full record (config, seed, version, paths) to ``.json`` or ``.csv``,
    atomically (:func:`gdlab.files.write_atomic`), with the usual permissions.

    The CSV is long: one line per recorded step of every run, with the optimizer's name and
    learning rate, the start index, the step, the coordinates, f and ‖∇f‖; the configuration
    sits in ``#`` comment lines at the top.
    """
    target = export_target(path)
    suffix = target.suffix.lower()
    doc = run_document(result, include_path=result.path is not None)
    if suffix == ".json":
        text = json.dumps(doc, allow_nan=False)
    else:
        text = csv_text(result, doc)
    return write_atomic(target, text)


def csv_text(result, doc: dict[str, Any] | None = None) -> str:
    """The long CSV of :func:`export` (also what the playground's "runs as CSV" gives):
    a ``#`` line with the configuration, then one row per recorded step of every run."""
    if doc is None:
        doc = run_document(result)
    buf = io.StringIO()
    config = {k: v for k, v in doc.items() if k not in ("results", "starts")}
    config["optimizers"] = [r["optimizer"] for r in doc["results"]]
    buf.write("# " + json.dumps(config, allow_nan=False) + "\n")
    names = list(result.objective.variables)
    writer = csv.writer(buf)
    writer.writerow(["optimizer", "lr", "start", "step", *names, "value", "gradient_norm",
                     "diagnosis"])
    if result.path is None:
        return buf.getvalue()
    diagnoses = result.diagnoses()
    for k, opt in enumerate(result.optimizers):
        lr = opt.hyper.get("lr")
        for b in range(result.starts.shape[0]):
            label = diagnoses[k][b].label
            n = len(result.run_path(k, b))
            for i in range(n):
                writer.writerow([opt.name, lr, b, int(result.recorded_steps[i]),
                                 *(repr(float(v)) for v in result.path[i, k, b]),
                                 repr(float(result.values[i, k, b])),
                                 repr(float(result.gradient_norms[i, k, b])), label])
    return buf.getvalue()
