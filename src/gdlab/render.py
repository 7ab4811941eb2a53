"""Readable terminal output (rich) for the CLI's table views."""

from __future__ import annotations

import math

from typing import Any, Sequence

from .diagnose import label_name
from .i18n import text

__all__ = ["print_report", "print_functions", "fmt", "fmt_vector"]


def fmt(v: float | None, digits: int = 10) -> str:
    """A number for a table: ``None`` and non-finite values spelled out."""
    if v is None:
        return "—"
    return f"{v + 0.0:.{digits}g}"  # + 0.0: no "-0"


def fmt_vector(v: Sequence[float] | None, digits: int = 8) -> str:
    if v is None:
        return "—"
    return "(" + ", ".join(fmt(c, digits) for c in v) + ")"


def _console():
    from rich.console import Console

    import sys

    # ":100:" in "cosine:100:0" is not an emoji; piped, a table is as wide as it needs (to 120)
    return Console(highlight=False, emoji=False,
                   width=None if sys.stdout.isatty() else PIPED_WIDTH)


def _esc(text: Any) -> str:
    """User text (formulas, names, options) for rich: its ``[`` never starts markup."""
    from rich.markup import escape

    return escape(str(text))


def print_report(report) -> None:
    """The table view of ``gdlab grad``."""
    from rich.table import Table

    r = report
    names = r.variables
    point = ", ".join(f"{n}={fmt(v, 8)}" for n, v in zip(names, r.point))
    table = Table(title=text("cli.grad_title", f=_esc(r.symbolic["expression"] if r.symbolic
                                                      else r.function), point=point),
                  show_header=True, header_style="bold", title_justify="left")
    table.add_column(text("column.quantity"))
    table.add_column(text("column.formula"), overflow="fold")
    table.add_column(text("column.value"), justify="right", overflow="fold")
    table.add_row("f(a)", "", fmt(r.value, 12))
    for i, n in enumerate(names):
        formula = r.symbolic["partials"][n] if r.symbolic else ""
        error = f" ± {r.error_estimate[i]:.1e}" if r.error_estimate else ""
        table.add_row(f"∂f/∂{n}", _esc(formula), fmt(r.gradient[i], 12) + error)
    table.add_row("∇f(a)", "", fmt_vector(r.gradient, 10))
    table.add_row("‖∇f(a)‖", "", fmt(r.gradient_norm, 10))
    if r.direction is not None:
        table.add_row("D_u f(a)", f"u = {fmt_vector(r.direction, 6)}",
                      fmt(r.directional_derivative, 10))
    table.add_row(text("calculus.ascent"), "∇f/‖∇f‖", fmt_vector(r.steepest_ascent, 6))
    table.add_row(text("calculus.descent"), "−∇f/‖∇f‖", fmt_vector(r.steepest_descent, 6))
    if r.zero_change is not None:
        label = text("calculus.tangent" if len(names) == 2 else "calculus.zero_change")
        table.add_row(label, "⊥ ∇f", "; ".join(fmt_vector(z, 6) for z in r.zero_change))
    table.add_row(text("calculus.plane"), "", _esc(r.tangent_plane))
    if not all(math.isfinite(v) for row in r.hessian for v in row):
        # f'' jumps across a kink there (calculus.analyze): no Hessian to show
        table.add_row(text("calculus.hessian"), text("calculus.no_hessian"), "—")
    else:
        for i, row in enumerate(r.hessian):
            formula = _esc(", ".join(r.symbolic["hessian"][i])) \
                if r.symbolic and r.symbolic["hessian"] else ""
            error = "" if not r.hessian_error else \
                " ± " + ", ".join(f"{e:.1e}" for e in r.hessian_error[i])
            table.add_row(text("calculus.hessian") if i == 0 else "", formula,
                          fmt_vector(row, 8) + error)
        table.add_row(text("calculus.eigenvalues"), "", fmt_vector(r.hessian_eigenvalues, 8))
    table.add_row(text("calculus.critical"), "",
                  text(f"calculus.kind.{r.critical_point}") if r.critical_point
                  else text("calculus.not_critical"))
    method = r.method + (text("calculus.evaluations", n=r.evaluations) if r.evaluations else "")
    table.add_row(text("calculus.method"), "", method)
    _console().print(table)


def print_functions(entries: list[dict[str, Any]]) -> None:
    """The table view of ``gdlab functions``."""
    from rich.table import Table

    table = Table(title=text("cli.functions.title"), header_style="bold", title_justify="left")
    for column in ("name", "dim", "formula", "label.global_minimum", "also_known"):
        table.add_column(text(column) if "." in column else _column(column), overflow="fold")
    for e in entries:
        points = e["critical_points"]
        best = [p for p in points if p["kind"] == "global_minimum"]
        glob = text("cli.functions.unbounded") if not best else text(
            "cli.functions.at", value=fmt(best[0]["value"], 8),
            points="; ".join(fmt_vector(p["location"], 5) for p in best[:4])
            + (f" (+{len(best) - 4})" if len(best) > 4 else ""))
        counts = {}
        for p in points:
            if p["kind"] != "global_minimum":
                counts[p["kind"]] = counts.get(p["kind"], 0) + 1
        other = ", ".join(text(f"cli.functions.count.{k}", n=n) for k, n in counts.items())
        dim = "n" if e["nd"] else str(e["dim"])
        table.add_row(e["name"], dim, _esc(e["formula"]), glob, other or "—")
    _console().print(table)


MAX_TABLE_ROWS = 30
PIPED_WIDTH = 120


def _label(label: str) -> str:
    """A diagnosis in its colour (:data:`gdlab.palette.LABEL_COLORS`, as in the figures)."""
    from .palette import LABEL_COLORS

    return f"[bold {LABEL_COLORS[label]}]{label_name(label)}[/]"


def _header(doc) -> str:
    expr = doc.get("expression") or doc["function"]
    name = doc["function"]
    title = expr if name == expr else f"{name}: {expr}"
    return text("cli.header", title=_esc(title), steps=doc["max_steps"], tol=doc["tol"])


def _summary(console, summary, prefix: str = "") -> None:
    """One explanation per label present, with its count (the document's ``summary``)."""
    for label, entry in summary.items():
        count = entry["count"]
        times = text("cli.runs_example", n=count, example=entry["example"] + 1) \
            if count > 1 else ""
        console.print(f"• {_esc(prefix)}{_label(label)}{times}: {_esc(entry['explanation'])}\n"
                      f"  [dim]{text('cli.advice')}[/] {_esc(entry['advice'])}")


def optimizer_label(o: dict[str, Any]) -> str:
    """``name(lr=…, …)`` with every setting that differs from the optimizer's defaults, so two
    configurations of one optimizer read apart: ``momentum(lr=0.1, momentum=0.5)``."""
    from .optim import OPTIMIZERS

    defaults = OPTIMIZERS[o["name"]].defaults if o["name"] in OPTIMIZERS else {}
    parts = [f"lr={o['lr']:g}"] if isinstance(o.get("lr"), (int, float)) else []
    for key, value in o.items():
        if key in ("name", "lr", "seed") or value in (None, "", 0, 0.0) and key in (
                "schedule", "noise"):
            continue
        if key in defaults and value == defaults[key]:
            continue
        parts.append(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}")
    return f"{o['name']}({', '.join(parts)})"


def _column(name: str) -> str:
    return text(f"column.{name}")


def _diagnosis_cell(r) -> str:
    events = "".join(f"\n[dim]{text('cli.event.' + e['kind'], step=e['step'])}[/]"
                     for e in r.get("events") or [])
    return _label(r["diagnosis"]) + events


def print_runs(doc) -> None:
    """The table view of ``gdlab descend``."""
    from rich.table import Table

    console = _console()
    table = Table(title=f"{_header(doc)}\n{_esc(optimizer_label(doc['optimizer']))}",
                  header_style="bold", title_justify="left")
    for column in ("start", "final", "f", "‖∇f‖", "steps", "diagnosis"):
        table.add_column(_column(column), no_wrap=column == "diagnosis",
                         justify="right" if column in ("f", "‖∇f‖", "steps") else "left")
    runs = doc["runs"]
    for r in runs[:MAX_TABLE_ROWS]:
        table.add_row(fmt_vector(r["start"], 5), fmt_vector(r["final"], 6), fmt(r["value"], 6),
                      fmt(r["gradient_norm"], 2), str(r["steps"]), _diagnosis_cell(r))
    console.print(table)
    if len(runs) > MAX_TABLE_ROWS:
        console.print(text("cli.more_runs", n=len(runs) - MAX_TABLE_ROWS))
    _summary(console, doc["summary"])


def print_compare(doc) -> None:
    """The table view of ``gdlab compare``."""
    from rich.table import Table

    console = _console()
    table = Table(title=_header(doc) + "\n" + text("cli.same_budget"),
                  header_style="bold", title_justify="left")
    widths = {"steps_to_tol": 5, "final_f": 11, "to_minimum": 8}  # numbers never fold
    for column in ("optimizer", "start", "steps_to_tol", "final_f", "to_minimum",
                   "diagnosis"):
        table.add_column(_column(column), justify="right" if column in widths else "left",
                         overflow="fold", min_width=widths.get(column))
    rows = 0
    for block in doc["results"]:
        o = block["optimizer"]
        for r in block["runs"]:
            if rows >= MAX_TABLE_ROWS:
                break
            rows += 1
            steps = str(r["steps"]) if r["status"] == "converged" else "—"
            near = r["nearest_minimum"]
            table.add_row(_esc(optimizer_label(o)), fmt_vector(r["start"], 5), steps,
                          fmt(r["value"], 6), "—" if near is None else fmt(near["distance"], 3),
                          _diagnosis_cell(r))
    console.print(table)
    for block in doc["results"]:
        _summary(console, block["summary"], prefix=optimizer_label(block["optimizer"]) + " ")


def print_sweep(doc) -> None:
    """The table view of ``gdlab lr-sweep``."""
    from rich.table import Table

    from .diagnose import BOUNDS

    console = _console()
    bound, name = doc["optimizer_bound"], doc["optimizer"]["name"]
    if name in BOUNDS:  # the bound's own formula: 2/λmax, 2(1+μ)/λmax, …
        rule = text("cli.lr_sweep", name=name, formula=BOUNDS[name][0],
                    bound="—" if bound is None else fmt(bound, 4))
    else:
        rule = text("cli.lr_sweep_no_bound", name=name)
    title = _header(doc) + "\n" + rule
    table = Table(title=title, header_style="bold", title_justify="left")
    for column in ("lr", "lr_bound", "start", "final_f", "steps", "diagnosis"):
        table.add_column(_column(column), justify="right" if column != "diagnosis" else "left")
    for r in doc["results"][: 3 * MAX_TABLE_ROWS]:
        # to 3 digits, more where that would read as the bound itself (0.17 / 0.1696: 1.002)
        ratio = "—" if bound is None else next(
            (fmt(r["lr"] / bound, n) for n in (3, 4, 5, 6)
             if fmt(r["lr"] / bound, n) != "1" or r["lr"] == bound), fmt(r["lr"] / bound, 7))
        table.add_row(fmt(r["lr"], 4), ratio, fmt_vector(r["start"], 4), fmt(r["value"], 6),
                      str(r["steps"]), _diagnosis_cell(r))
    console.print(table)
    _summary(console, doc["summary"])


def print_sweep_summary(plan, table) -> None:
    """The table view of ``gdlab sweep``: per optimizer × learning rate (× swept
    hyper-parameter), the runs, the share of each diagnosis and the median steps."""
    from rich.table import Table

    console = _console()
    labels = [c for c in table.columns if c.startswith("share_")]
    title = text("cli.sweep_title", function=plan.function, runs=f"{plan.runs:,}",
                 configs=len(plan.configs), starts=f"{len(plan.starts):,}",
                 steps=f"{plan.max_steps:,}", backend=plan.backend)
    out = Table(title=title, header_style="bold", title_justify="left")
    for column in ["optimizer", "lr", *plan.axes, "runs", "median_steps"]:
        out.add_column(_column(column) if column not in plan.axes else column,
                       justify="left" if column == "optimizer" else "right")
    for label in labels:
        out.add_column(label_name(label[len("share_"):]), justify="right")
    for row in table.itertuples(index=False):
        values = row._asdict()
        cells = [values["optimizer"], fmt(values["lr"], 4)]
        cells += ["—" if values[a] != values[a] else fmt(values[a], 4) for a in plan.axes]
        steps = values["median_steps"]
        cells += [f"{values['runs']:,}", fmt(steps, 6) if math.isfinite(steps) else "—"]
        cells += [_share(values[label]) for label in labels]
        out.add_row(*cells)
    console.print(out)


def _share(x: float) -> str:
    """A share for a table: ``·`` for none, ``<1%`` for a few, else whole percents."""
    return "·" if not x else "<1%" if x < 0.01 else f"{x:.0%}"
