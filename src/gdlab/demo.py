"""``gdlab demo``: the study note end to end, on its own example, then the failures.

Prints the calculus at a point and three gradient-descent runs with their diagnoses, then
draws every figure into a folder with one self-contained ``index.html`` (images embedded, no
network) that presents them in order.
"""

from __future__ import annotations

import base64
import html
import re
import time
from pathlib import Path

from dataclasses import dataclass
from typing import Callable

from .errors import ConfigError
from .presets import BOOK_SIX, NOTE, NOTE_RATES, NOTE_START, NOTE_STEPS, NOTE_TOL


__all__ = ["run_demo", "FIGURES"]

_N = f'"{NOTE}"'
_SIX = ",".join(BOOK_SIX)  # "Deep Learning from Scratch" ch. 6


@dataclass(frozen=True)
class Section:
    """One statement of the study note: its title, the statement in a student's words with the
    number that shows it, and the ``gdlab plot`` command(s) whose figure(s) show it — the demo
    draws each figure by running exactly that command, so the command under a figure
    reproduces it."""

    title: str
    statement: str
    commands: tuple[str, ...]

    def files(self) -> list[str]:
        return [c.split(" -o ")[1] for c in self.commands]


#: the study note's statements, in its order
SECTIONS = (
    Section("The graph of f(x0, x1) = x0² + x1²",
            "The study note's example is a bowl with its lowest point at (0, 0). The path is "
            "gradient descent from (−3, 4) with learning rate 0.1, lying on the surface.",
            (f"gdlab plot surface {_N} --start -3,4 --lr 0.1 --steps 30 --domain -5:5,-5:5 "
             "-o surface.png",)),
    Section("Partial derivatives are slopes",
            "Fix one variable and f becomes a curve; its slope at the point is the partial "
            "derivative: ∂f/∂x0 = 2x0 = 6 and ∂f/∂x1 = 2x1 = 8 at (3, 4).",
            (f"gdlab plot partials {_N} --at 3,4 -o partials.png",)),
    Section("The directional derivative",
            "The slope along a unit vector u is D_u f = ∇f·u: for the note's u = (1, 1)/√2 at "
            "(3, 4) it is (6 + 8)/√2 = 9.9. It is largest along ∇f (‖∇f‖ = 10), smallest "
            "against it (−10) and zero across it.",
            (f"gdlab plot directional {_N} --at 3,4 --direction 1,1 -o directional.png",)),
    Section("The tangent plane",
            "z = f(a) + ∇f(a)·(x − a) = 25 + 6(x0 − 3) + 8(x1 − 4) touches the surface at "
            "a = (3, 4); the gradient is the plane's tilt.",
            (f"gdlab plot tangent-plane {_N} --at 3,4 -o tangent-plane.png",)),
    Section("The gradient is perpendicular to the level curves",
            "Along a level curve f does not change, so ∇f has no component along it: at every "
            "point the gradient meets the level curve at a right angle — on the note's circles "
            "and on Himmelblau's function alike.",
            (f"gdlab plot level-sets {_N} --at 3,4 --at -2,1 --at 1,-2 --domain -5:5,-5:5 "
             "-o level-sets.png",
             "gdlab plot level-sets himmelblau --at 1,1 --at -2,-1 --at 3.5,-3 "
             "-o level-sets-himmelblau.png")),
    Section("The path of steepest descent",
            "Always stepping along −∇f, the continuous path (the gradient flow dx/dt = −∇f) "
            "crosses every level curve at a right angle; gradient descent follows it in "
            "steps. On the bowl it is the straight line to the centre.",
            (f"gdlab plot steepest-path {_N} --start -3,4 --lr 0.1 --domain -5:5,-5:5 "
             "-o steepest-path.png",
             "gdlab plot steepest-path himmelblau --start -0.5,0.5 "
             "-o steepest-path-himmelblau.png")),
    Section("−∇f points downhill",
            "The arrows −∇f on a grid point towards the lowest place, and are longer the "
            "farther from it (‖∇f‖ = 2‖x‖): the picture behind the update rule "
            "x ← x − η∇f(x), where η is the learning rate.",
            (f"gdlab plot field {_N} --domain -4:4,-4:4 --arrows 17 -o field.png",)),
    Section("The learning rate decides",
            "The same start with learning rates too small, about right, just under the "
            "stability bound 2/λmax = 1 (it zig-zags) and above it (it diverges: the path "
            "leaves the map).",
            (f"gdlab plot learning-rates {_N} --start -3,4 -o learning-rates.png",)),
    Section("Where gradient descent gets stuck",
            "A local minimum beside the global one, a plateau where the gradient vanishes, "
            "and a saddle point — each run labelled with gdlab's diagnosis.",
            ("gdlab plot traps -o traps.png",)),
    Section("Optimizers compared",
            "SGD, momentum, AdaGrad and Adam on x²/20 + y² from (−7, 2), as in \"Deep "
            "Learning from Scratch\" ch. 6, with f − f* per step.",
            (f"gdlab plot compare ill_conditioned --start -7,2 --optimizers {_SIX} "
             "-o compare.png",)),
    Section("Basins of attraction",
            "Every start of a 300 × 300 grid coloured by the minimum gradient descent reaches "
            "from it: Himmelblau's four minima; the six-hump camel's six, two of them global.",
            ("gdlab plot basins himmelblau --grid 300 -o basins.png",
             "gdlab plot basins six_hump_camel --grid 300 -o basins-camel.png")),
    Section("Learning rate × start",
            "The diagnosis for every learning rate and start on a line across Himmelblau's "
            "function, with the stability bound 2/λmax at the minimum the runs reach.",
            ("gdlab plot lr-map himmelblau --steps 300 -o lr-map.png",)),
    Section("Loss curves",
            "f per step for the four optimizers of the comparison.",
            (f"gdlab plot loss ill_conditioned --start -7,2 --optimizers {_SIX} --steps 100 "
             "-o loss.png",)),
    Section("The comparison as an animation", "The same four runs, step by step.",
            (f"gdlab plot animate ill_conditioned --start -7,2 --optimizers {_SIX} "
             "--steps 100 -o animation.gif",)),
)
#: the interactive page beside the figures
INTERACTIVE = ("gdlab plot interactive himmelblau --start 0,0 --start -1,4 --start -4,-4 "
               "--optimizers gd:0.01,momentum:0.002,adam:0.1 --steps 200 -o interactive.html")
#: the files the demo writes besides index.html, in order
FIGURES = tuple(name for section in SECTIONS for name in section.files())


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

    r = run(NOTE, [NOTE_START], list(NOTE_RATES), max_steps=NOTE_STEPS, tol=NOTE_TOL)
    lines = [f"Gradient descent from (−3, 4), {NOTE_STEPS} steps "
             "(\"Deep Learning from Scratch\" ch. 4):"]
    for k, opt in enumerate(r.optimizers):
        d = r.diagnoses()[k][0]
        end = ", ".join(f"{v:.3g}" for v in r.final[k, 0])
        lines.append(f"  lr {opt.hyper['lr']:g}: ends at ({end}) after {r.steps[k, 0]} steps "
                     f"→ {d.label}")
        lines.append(f"      {d.explanation}")
        lines.append(f"      advice: {d.advice}")
    return "\n".join(lines)


def run_demo(out: str | Path = "gdlab-demo", echo: Callable[[str], None] = print,
             workers: int | None = None) -> Path:
    """Print the walk-through; draw every figure into ``out`` by running its command, in
    ``workers`` processes (default: one per core); write ``index.html``."""
    import matplotlib

    matplotlib.use("Agg")
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write into {str(folder)!r}: {exc.strerror or exc}") from None
    commands = [c for section in SECTIONS for c in section.commands] + [INTERACTIVE]
    # longest first, so that the workers finish together
    jobs = [(c, str(folder)) for c in sorted(commands, key=lambda c: -_cost(c))]
    started = _start(jobs, workers)  # first: the figures are drawn while the text is computed
    try:
        calculus, descent = _calculus_text(), _descent_text()
        echo(calculus)
        echo("")
        echo(descent)
        echo("")
        t0 = time.perf_counter()
        if started is None:
            for done, job in enumerate(jobs, 1):
                _report(echo, done, len(jobs), *_draw(job))
        else:
            _collect(started, len(jobs), echo)
    finally:
        for process, _ in started or ():
            if process.is_alive():
                process.kill()
            process.join()
    (folder / "index.html").write_text(_html(folder, calculus, descent), encoding="utf-8")
    echo(f"wrote {len(FIGURES)} figures, interactive.html and {folder / 'index.html'} in "
         f"{time.perf_counter() - t0:.0f} s")
    return folder / "index.html"


def _start(jobs, workers: int | None):
    """Worker processes drawing the figures (one per core; ``None`` for one): each gets a
    share of the jobs, balanced by their cost, and sends each result down its own pipe. They
    are forked from a fresh server process that has loaded gdlab (``forkserver``) — never
    from this one, whose threads (numba's, BLAS's) a fork would copy mid-flight — and share no
    semaphore (a ``Pool``'s leave the resource tracker warning at exit)."""
    import multiprocessing as mp
    import os

    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        return None
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["gdlab.demo", "gdlab.plot", "gdlab.studies",
                                    "gdlab.cli.plot"])
    shares, load = [[] for _ in range(workers)], [0.0] * workers
    for job in jobs:
        least = load.index(min(load))
        shares[least].append(job)
        load[least] += _cost(job[0])
    started = []
    for share in shares:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(share, sender), daemon=True)
        process.start()
        sender.close()
        started.append((process, receiver))
    return started


def _work(share, sender) -> None:  # pragma: no cover - runs in a worker process
    for job in share:
        sender.send(_draw(job))
    sender.close()


def _collect(started, total: int, echo) -> None:
    """Report each figure as a worker finishes it; a worker that stopped early is an error."""
    from multiprocessing.connection import wait

    pending = [receiver for _, receiver in started]
    done = 0
    while pending:
        for receiver in wait(pending):
            try:
                command, error = receiver.recv()
            except EOFError:
                pending.remove(receiver)
                continue
            done += 1
            _report(echo, done, total, command, error)
    if done < total:
        raise ConfigError(f"a figure worker stopped early: {total - done} figures not drawn")


def _cost(command: str) -> float:
    return _COST.get(command.split()[2], 1.0)


#: rough seconds each kind takes (the order of the work, not a limit)
_COST = {"basins": 4.0, "lr-map": 3.0, "traps": 2.0, "interactive": 2.0, "animate": 2.0,
         "learning-rates": 1.5, "compare": 1.5, "steepest-path": 1.5}


def _draw(job) -> tuple[str, str | None]:
    """Run one ``gdlab plot`` command (in a worker) with its output in the demo's folder;
    ``(command, error or None)``."""
    import contextlib
    import io
    import shlex

    from .cli.plot import plot_command
    from .errors import GdlabError

    command, folder = job
    argv = shlex.split(command)[2:]
    i = argv.index("-o")
    argv[i + 1] = str(Path(folder) / argv[i + 1])
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            with plot_command.make_context("plot", argv) as ctx:
                plot_command.invoke(ctx)
    except GdlabError as exc:
        return command, str(exc)
    return command, None


def _report(echo, done: int, total: int, command: str, error) -> None:
    if error is not None:
        raise ConfigError(f"{command}: {error}")
    echo(f"[{done:2d}/{total}] {command}")


#: CSS pixels per inch of a figure on the page: a figure's 10-point text then reads at 16 px,
#: the page's own size (a figure saved at ``dpi`` is shown at this share of its pixels)
PAGE_PX_PER_INCH = 16 / 10 * 72
SAVED_DPI = {"png": 150, "gif": 90}  # what Plot.save and plot.animate write


def _figure_html(folder: Path, name: str, command: str) -> str:
    from PIL import Image

    kind = name.rsplit(".", 1)[1]
    with Image.open(folder / name) as im:
        width = im.size[0] / SAVED_DPI[kind] * PAGE_PX_PER_INCH
    data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
    # the image links to its file beside the page: full size on a small screen
    return (f'<figure><a href="{html.escape(name)}"><img alt="{html.escape(name)}" '
            f'style="width: {width:.0f}px" src="data:image/{kind};base64,{data}"></a>'
            f"<figcaption><code>{html.escape(command)}</code></figcaption></figure>")


def _minus(text: str) -> str:
    """The terminal's text for the page, in the figures' notation: the minus sign, not a
    hyphen, for a sign (``(−0.6, −0.8)``), an exponent's sign (``8.15e−10``) and a difference
    (``x0 − 3``); a product of a number as ``6·(x0 − 3)``. Options (``--lr``) stay."""
    text = re.sub(r"(?<![\w.])-(?=\.?\d)|(?<=\de)-(?=\d)|(?<= )-(?= )", "−", text)
    return re.sub(r"(?<=\d)\*(?=[(\w])", "·", text)


def _html(folder: Path, calculus: str, descent: str) -> str:
    parts = []
    for section in SECTIONS:
        figures = "".join(_figure_html(folder, name, command)
                          for name, command in zip(section.files(), section.commands))
        anchor = html.escape(section.files()[0].rsplit(".", 1)[0])
        parts.append(f'<section id="{anchor}"><h2>{html.escape(section.title)}</h2>'
                     f"<p>{html.escape(section.statement)}</p>"
                     f'<div class="figures">{figures}</div></section>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gdlab demo — gradient descent</title>
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; color: #222; margin: 2em 1em; }}
main {{ max-width: 1150px; margin: 0 auto; }}
h1 {{ margin-bottom: 0.2em; }} h2 {{ margin-top: 2em; border-bottom: 1px solid #ddd; }}
.rule {{ font-size: 1.6em; text-align: center; margin: 0.6em 0; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 1em; justify-content: center;
            width: calc(100vw - 3em); position: relative; left: 50%;
            transform: translateX(-50%); }}
figure {{ margin: 0; max-width: 100%; }}
figure img {{ max-width: 100%; height: auto; display: block; border: 1px solid #eee; }}
figcaption {{ font-size: 0.85em; color: #444; margin-top: 0.3em; max-width: 100%;
              overflow-wrap: anywhere; }}
pre {{ background: #f6f6f6; padding: 1em; white-space: pre-wrap; }}
</style></head><body><main>
<h1>Gradient descent, explained by gdlab</h1>
<p>The study note's example f(x0, x1) = x0² + x1², statement by statement, then what goes
wrong and why. Every picture was drawn by <code>gdlab demo</code> with the command printed
under it, which draws it again; this page needs no network.</p>
<p>Gradient descent repeats one step, from a start x, with a learning rate η:</p>
<p class="rule">x ← x − η ∇f(x)</p>
<p>To zoom and rotate: <a href="interactive.html">an interactive map and surface</a> of three
optimizers on Himmelblau's function (plotly, also offline):
<code>{html.escape(INTERACTIVE)}</code></p>
<h2>The calculus at a point</h2><pre>{html.escape(_minus(calculus))}</pre>
<h2>Three learning rates</h2><pre>{html.escape(_minus(descent))}</pre>
{''.join(parts)}
</main></body></html>
"""
