"""``gdlab demo``: the study note end to end, on its own example, then the failures.

Prints the calculus at a point and three gradient-descent runs with their diagnoses, then
draws every figure into a folder with one self-contained ``index.html`` (images embedded, no
network) that presents them in order.
"""

from __future__ import annotations

import base64
import html
import time
from pathlib import Path

from .errors import ConfigError
from typing import Callable


__all__ = ["run_demo", "FIGURES"]

NOTE = "x0**2 + x1**2"


def _figures():
    """(file, title, caption, maker) in the order of the study note."""
    from . import plot, studies
    from .engine import run

    def gd_path():
        r = run(NOTE, [[-3.0, 4.0]], "gd:0.1", max_steps=30, record="all")
        return plot.surface(NOTE, paths=[r.run_path(0, 0)], domain=[(-5, 5), (-5, 5)])

    def compare_runs():
        return run("ill_conditioned", [[-7.0, 2.0]],
                   ["gd:0.95", "momentum:0.1", "adagrad:1.5", "adam:0.3"], max_steps=100,
                   record="all")

    return [
        ("surface.png", "The graph of f(x0, x1) = x0² + x1²",
         "The study note's example is a bowl. The orange path is gradient descent from "
         "(−3, 4) with learning rate 0.1, lying on the surface.", gd_path),
        ("partials.png", "Partial derivatives are slopes",
         "Fix one variable and f becomes a curve; its slope at the point is the partial "
         "derivative: ∂f/∂x0 = 2x0 = 6 and ∂f/∂x1 = 2x1 = 8 at (3, 4).",
         lambda: plot.partials(NOTE, [3.0, 4.0])),
        ("field.png", "−∇f points to the minimum",
         "The arrows −∇f on a grid point towards the lowest place, and they are longer the "
         "farther from it — the figure of the note.",
         lambda: plot.field(NOTE, domain=[(-4, 4), (-4, 4)], arrows=17)),
        ("directional.png", "The directional derivative",
         "D_u f = ∇f·u is largest along ∇f (‖∇f‖ = 10), smallest against it (−10) and zero "
         "perpendicular to it: the note's three statements.",
         lambda: plot.directional(NOTE, [3.0, 4.0])),
        ("level-sets.png", "The gradient is perpendicular to the level curves",
         "On Himmelblau's function: at each point the gradient (arrow) meets the level curve's "
         "tangent (dashed) at a right angle, checked numerically in the title.",
         lambda: plot.level_sets("himmelblau", [[1.0, 1.0], [-2.0, -1.0], [3.5, -3.0]])),
        ("tangent-plane.png", "The tangent plane",
         "z = f(a) + ∇f(a)·(x − a) touches the surface at a = (3, 4); the gradient is the "
         "plane's tilt.", lambda: plot.tangent_plane(NOTE, [3.0, 4.0])),
        ("steepest-path.png", "The path of steepest descent",
         "The gradient flow dx/dt = −∇f crosses every level curve at a right angle; gradient "
         "descent follows it in steps (x²/20 + y² from (−7, 2)).",
         lambda: plot.steepest_path(studies.gradient_flow("ill_conditioned", [-7.0, 2.0]))),
        ("learning-rates.png", "The learning rate decides",
         "The same start with learning rates too small, about right, just under the stability "
         "bound 2/λmax (it zig-zags) and above it (it diverges).",
         lambda: plot.learning_rates(studies.learning_rates(NOTE, [-3.0, 4.0]))),
        ("traps.png", "Where gradient descent gets stuck",
         "A local minimum beside the global one, a plateau where the gradient vanishes, and a "
         "saddle point — each run labelled with gdlab's diagnosis.",
         lambda: plot.traps(studies.traps())),
        ("compare.png", "Optimizers compared",
         "SGD, momentum, AdaGrad and Adam on x²/20 + y² from (−7, 2), as in \"Deep Learning "
         "from Scratch\" ch. 6, with f − f* per step.",
         lambda: plot.compare(studies.comparison("ill_conditioned", [-7.0, 2.0]))),
        ("basins.png", "Basins of attraction",
         "Every start of a 300×300 grid coloured by the minimum gradient descent reaches from "
         "it: Himmelblau's four minima.",
         lambda: plot.basins(studies.basin_map("himmelblau", n=300))),
        ("basins-camel.png", "Six basins",
         "The six-hump camel: six minima, two of them global.",
         lambda: plot.basins(studies.basin_map("six_hump_camel", n=300))),
        ("lr-map.png", "Learning rate × start",
         "The diagnosis for every learning rate and start on a line across Himmelblau's "
         "function, with the stability bound 2/λmax of each start.",
         lambda: plot.lr_map(studies.lr_map("himmelblau", max_steps=300))),
        ("loss.png", "Loss curves",
         "f per step for the four optimizers of the comparison.",
         lambda: plot.loss(compare_runs())),
        ("animation.gif", "The comparison as an animation", "The same four runs, step by step.",
         lambda: compare_runs()),
    ]


#: the files the demo writes besides index.html, in order
FIGURES = ("surface.png", "partials.png", "field.png", "directional.png", "level-sets.png",
           "tangent-plane.png", "steepest-path.png", "learning-rates.png", "traps.png",
           "compare.png", "basins.png", "basins-camel.png", "lr-map.png", "loss.png",
           "animation.gif")


def _calculus_text() -> str:
    from .calculus import analyze

    r = analyze(NOTE, [3.0, 4.0], direction=[1.0, 1.0])
    lines = [
        f"f(x0, x1) = {NOTE}  at a = (3, 4)",
        f"  f(a) = {r.value:g}",
        *(f"  ∂f/∂{n} = {r.symbolic['partials'][n]} = {v:g}" for n, v in r.partials.items()),
        f"  ∇f(a) = ({r.gradient[0]:g}, {r.gradient[1]:g}),  ‖∇f(a)‖ = {r.gradient_norm:g}",
        f"  D_u f(a) along u = (1, 1)/√2: {r.directional_derivative:.6g}",
        f"  steepest descent −∇f/‖∇f‖ = ({r.steepest_descent[0]:g}, "
        f"{r.steepest_descent[1]:g})",
        f"  tangent plane: {r.tangent_plane}",
        f"  Hessian: {r.hessian}",
    ]
    return "\n".join(lines)


def _descent_text() -> str:
    from .engine import run

    r = run(NOTE, [[-3.0, 4.0]], ["gd:0.1", "gd:10", "gd:1e-10"], max_steps=100, tol=0)
    lines = ["Gradient descent from (−3, 4), 100 steps (\"Deep Learning from Scratch\" ch. 4):"]
    for k, opt in enumerate(r.optimizers):
        d = r.diagnoses()[k][0]
        end = ", ".join(f"{v:.3g}" for v in r.final[k, 0])
        lines.append(f"  lr {opt.hyper['lr']:g}: ends at ({end}) after {r.steps[k, 0]} steps "
                     f"→ {d.label}")
        lines.append(f"      {d.explanation}")
        lines.append(f"      advice: {d.advice}")
    return "\n".join(lines)


def run_demo(out: str | Path = "gdlab-demo", echo: Callable[[str], None] = print) -> Path:
    """Print the walk-through, write every figure and ``index.html`` into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    from . import plot

    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write into {str(folder)!r}: {exc.strerror or exc}") from None
    calculus, descent = _calculus_text(), _descent_text()
    echo(calculus)
    echo("")
    echo(descent)
    echo("")
    sections = []
    figures = _figures()
    t0 = time.perf_counter()
    for i, (name, title, caption, make) in enumerate(figures, 1):
        echo(f"[{i:2d}/{len(figures)}] {name:20} {title}")
        target = folder / name
        made = make()
        if name.endswith(".gif"):
            plot.animate(made, target)
        else:
            made.save(target)
            if name == "traps.png":
                labels = made.data["labels"]
                echo("        traps: " + "; ".join(" vs ".join(row) for row in labels))
        sections.append((name, title, caption))
    echo("[  +  ] interactive.html     the same comparison to zoom and rotate (plotly, offline)")
    from .engine import run

    compared = run("himmelblau", [[0.0, 0.0], [-1.0, 4.0], [-4.0, -4.0]],
                   ["gd:0.01", "momentum:0.002", "adam:0.1"], max_steps=200, record="all")
    plot.write_html(plot.interactive(None, compared), folder / "interactive.html")
    (folder / "index.html").write_text(_html(folder, sections, calculus, descent),
                                       encoding="utf-8")
    echo(f"wrote {len(figures)} figures and {folder / 'index.html'} in "
         f"{time.perf_counter() - t0:.0f} s")
    return folder / "index.html"


def _html(folder: Path, sections, calculus: str, descent: str) -> str:
    parts = []
    for name, title, caption in sections:
        data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
        mime = "image/gif" if name.endswith(".gif") else "image/png"
        parts.append(f'<section id="{html.escape(name.rsplit(".", 1)[0])}">'
                     f"<h2>{html.escape(title)}</h2><p>{html.escape(caption)}</p>"
                     f'<img alt="{html.escape(title)}" src="data:{mime};base64,{data}">'
                     "</section>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gdlab demo — gradient descent</title>
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto;
        padding: 0 1em; color: #222; line-height: 1.5; }}
h1 {{ margin-bottom: 0.2em; }} h2 {{ margin-top: 2em; border-bottom: 1px solid #ddd; }}
img {{ max-width: 100%; border: 1px solid #eee; }}
pre {{ background: #f6f6f6; padding: 1em; white-space: pre-wrap; }}
</style></head><body>
<h1>Gradient descent, explained by gdlab</h1>
<p>The study note's example f(x0, x1) = x0² + x1², then what goes wrong and why. Every
picture was drawn by <code>gdlab demo</code>; this page needs no network.</p>
<p>To zoom and rotate: <a href="interactive.html">an interactive map and surface</a> of three
optimizers on Himmelblau's function (plotly, also offline).</p>
<h2>The calculus at a point</h2><pre>{html.escape(calculus)}</pre>
<h2>Three learning rates</h2><pre>{html.escape(descent)}</pre>
{''.join(parts)}
</body></html>
"""
