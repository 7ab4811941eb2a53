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
from .i18n import language, text
from .presets import BOOK_SIX, NOTE, NOTE_RATES, NOTE_START, NOTE_STEPS, NOTE_TOL


__all__ = ["run_demo", "FIGURES", "SECTIONS", "note_facts"]

_N = f'"{NOTE}"'
_SIX = ",".join(BOOK_SIX)  # "Deep Learning from Scratch" ch. 6


@dataclass(frozen=True)
class Section:
    """One statement of the study note: its title and the statement in a student's words with
    the number that shows it (``demo.<key>`` in the message catalogue, its numbers computed by
    gdlab), the ``gdlab plot`` command(s) whose figure(s) show it — the demo draws each figure
    by running exactly that command, so the command under a figure reproduces it — and, for
    a statement told in numbers, the text ``block`` shown and the command ``shown`` that prints
    the same numbers."""

    key: str
    commands: tuple[str, ...] = ()
    block: str | None = None
    shown: str | None = None

    def files(self) -> list[str]:
        return [c.split(" -o ")[1] for c in self.commands]

    def title(self, facts: dict) -> str:
        return text(f"demo.{self.key}.title", **facts)

    def statement(self, facts: dict) -> str:
        return text(f"demo.{self.key}.statement", **facts)


#: the study note's statements, in its order
SECTIONS = (
    Section("graph", (f"gdlab plot surface {_N} --start -3,4 --lr 0.1 --steps 30 "
                      "--domain -5:5,-5:5 -o surface.png",)),
    Section("partials", (f"gdlab plot partials {_N} --at 3,4 -o partials.png",)),
    Section("gradient", block="calculus", shown=f"gdlab grad {_N} --at 3,4 --direction 1,1"),
    Section("directional", (f"gdlab plot directional {_N} --at 3,4 --direction 1,1 "
                            "-o directional.png",)),
    Section("tangent", (f"gdlab plot tangent-plane {_N} --at 3,4 -o tangent-plane.png",)),
    Section("level_sets", (f"gdlab plot level-sets {_N} --at 3,4 --at -2,1 --at 1,-2 "
                           "--domain -5:5,-5:5 -o level-sets.png",
                           "gdlab plot level-sets himmelblau --at 1,1 --at -2,-1 --at 3.5,-3 "
                           "-o level-sets-himmelblau.png")),
    Section("steepest", (f"gdlab plot steepest-path {_N} --start -3,4 --lr 0.1 "
                         "--domain -5:5,-5:5 -o steepest-path.png",
                         "gdlab plot steepest-path himmelblau --start -0.5,0.5 "
                         "-o steepest-path-himmelblau.png")),
    Section("field", (f"gdlab plot field {_N} --domain -4:4,-4:4 --arrows 17 -o field.png",)),
    Section("update", block="descent",
            shown=f"gdlab compare {_N} --start -3,4 --optimizers {','.join(NOTE_RATES)} "
                  f"--steps {NOTE_STEPS} --tol {NOTE_TOL:g}"),
    Section("learning_rates", (f"gdlab plot learning-rates {_N} --start -3,4 "
                               "-o learning-rates.png",)),
    Section("traps", ("gdlab plot traps -o traps.png",)),
    Section("compare", (f"gdlab plot compare ill_conditioned --start -7,2 --optimizers {_SIX} "
                        "-o compare.png",)),
    Section("basins", ("gdlab plot basins himmelblau --grid 300 -o basins.png",
                       "gdlab plot basins six_hump_camel --grid 300 -o basins-camel.png")),
    Section("lr_map", ("gdlab plot lr-map himmelblau --steps 300 -o lr-map.png",)),
    Section("loss", (f"gdlab plot loss ill_conditioned --start -7,2 --optimizers {_SIX} "
                     "--steps 100 -o loss.png",)),
    Section("animation", (f"gdlab plot animate ill_conditioned --start -7,2 --optimizers "
                          f"{_SIX} --steps 100 -o animation.gif",)),
)
#: the interactive page beside the figures
INTERACTIVE = ("gdlab plot interactive himmelblau --start 0,0 --start -1,4 --start -4,-4 "
               "--optimizers gd:0.01,momentum:0.002,adam:0.1 --steps 200 -o interactive.html")
#: the files the demo writes besides index.html, in order
FIGURES = tuple(name for section in SECTIONS for name in section.files())


def in_language(command: str, lang: str) -> str:
    """A section's command as it reproduces the page in ``lang``: ``--lang`` added except in
    English, before the output file (``gdlab plot partials … --lang ko -o partials.png``)."""
    if lang == "en":
        return command
    head, sep, tail = command.partition(" -o ")
    return f"{head} --lang {lang}{sep}{tail}"


def note_facts() -> dict:
    """The numbers the statements quote, computed: the note's f, start and point a = (3, 4),
    f(a), the partial derivatives, ∇f(a), its length, D_u f(a) and the tangent plane."""
    from .calculus import analyze
    from .plot.common import pretty, vec

    a = (3.0, 4.0)
    r = analyze(NOTE, list(a), direction=[1.0, 1.0])
    return {"f": pretty(NOTE), "start": vec(NOTE_START), "a": vec(a), "fa": r.value,
            "d0": r.gradient[0], "d1": r.gradient[1], "grad": vec(r.gradient),
            "norm": r.gradient_norm, "du": r.directional_derivative,
            "plane": pretty(r.tangent_plane), "analysis": r}


def _calculus_text(facts: dict) -> str:
    r = facts["analysis"]
    lines = [
        text("demo.text.at", f=NOTE, a=facts["a"]),
        f"  f(a) = {r.value:g}",
        *(f"  ∂f/∂{n} = {r.symbolic['partials'][n]} = {v:g}" for n, v in r.partials.items()),
        f"  ∇f(a) = ({r.gradient[0]:g}, {r.gradient[1]:g}),  ‖∇f(a)‖ = {r.gradient_norm:g}",
        "  " + text("demo.text.directional", du=r.directional_derivative),
        f"  {text('calculus.descent')} −∇f/‖∇f‖ = ({r.steepest_descent[0]:g}, "
        f"{r.steepest_descent[1]:g})",  # the words of gdlab grad's table
        f"  {text('calculus.plane')}: {r.tangent_plane}",
        f"  {text('calculus.hessian')}: {r.hessian}",
    ]
    return "\n".join(lines)


def _descent_text(facts: dict) -> str:
    from .engine import run

    r = run(NOTE, [NOTE_START], list(NOTE_RATES), max_steps=NOTE_STEPS, tol=NOTE_TOL)
    lines = [text("demo.text.descent", start=facts["start"], steps=NOTE_STEPS)]
    for k, opt in enumerate(r.optimizers):
        d = r.diagnoses()[k][0]
        end = ", ".join(f"{v:.3g}" for v in r.final[k, 0])
        lines.append("  " + text("demo.text.run", lr=opt.hyper["lr"], end=f"({end})",
                                 steps=r.steps[k, 0], label=d.name))
        lines.append(f"      {d.explanation}")
        lines.append(f"      {text('cli.advice')} {d.advice}")
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
    lang = language()
    commands = [in_language(c, lang) for section in SECTIONS for c in section.commands]
    commands.append(in_language(INTERACTIVE, lang))
    # longest first, so that the workers finish together
    jobs = [(c, str(folder)) for c in sorted(commands, key=lambda c: -_cost(c))]
    started = _start(jobs, workers)  # first: the figures are drawn while the text is computed
    finished = False
    try:
        facts = note_facts()
        blocks = {"calculus": _calculus_text(facts), "descent": _descent_text(facts)}
        calculus, descent = blocks["calculus"], blocks["descent"]
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
        finished = True
    finally:
        for process, _ in started or ():
            # a worker that sent its last figure is exiting: let it finish (killed mid-exit,
            # the semaphore numba's threads made is left to the resource tracker's warning);
            # after an error, stop it at once
            process.join(timeout=WORKER_EXIT_SECONDS if finished else 0)
            if process.is_alive():
                process.kill()
                process.join()
    (folder / "index.html").write_text(_html(folder, facts, blocks, lang), encoding="utf-8")
    echo(text("demo.wrote", n=len(FIGURES), page=folder / "index.html",
              seconds=time.perf_counter() - t0))
    return folder / "index.html"


#: how long a figure worker may take to exit once its work is done before it is killed
WORKER_EXIT_SECONDS = 10.0


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
    import contextvars
    import io
    import shlex

    from .cli.plot import plot_command
    from .errors import GdlabError

    command, folder = job
    argv = shlex.split(command)[2:]
    i = argv.index("-o")
    argv[i + 1] = str(Path(folder) / argv[i + 1])
    def invoke():  # in a copy of the context: the command's --lang ends with it
        with contextlib.redirect_stdout(io.StringIO()):
            with plot_command.make_context("plot", argv) as ctx:
                plot_command.invoke(ctx)

    try:
        contextvars.copy_context().run(invoke)
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


def _figure_html(folder: Path, name: str, command: str, alt: str) -> str:
    from PIL import Image

    kind = name.rsplit(".", 1)[1]
    with Image.open(folder / name) as im:
        width = im.size[0] / SAVED_DPI[kind] * PAGE_PX_PER_INCH
    data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
    # the image links to its file beside the page: full size on a small screen
    return (f'<figure><a href="{html.escape(name)}"><img alt="{html.escape(alt)}" '
            f'style="width: {width:.0f}px" src="data:image/{kind};base64,{data}"></a>'
            f"<figcaption><code>{html.escape(command)}</code></figcaption></figure>")


def _minus(lines: str) -> str:
    """The terminal's text for the page, in the figures' notation: the minus sign, not a
    hyphen, for a sign (``(−0.6, −0.8)``), an exponent's sign (``8.15e−10``) and a difference
    (``x0 − 3``); a product of a number as ``6·(x0 − 3)``. Options (``--lr``) stay."""
    lines = re.sub(r"(?<![\w.])-(?=\.?\d)|(?<=\de)-(?=\d)|(?<= )-(?= )", "−", lines)
    return re.sub(r"(?<=\d)\*(?=[(\w])", "·", lines)


def _section_html(folder: Path, section: Section, facts: dict, blocks: dict, lang: str) -> str:
    """One statement: its title, its text, then its figures — or its numbers and the command
    that prints them."""
    commands = [in_language(c, lang) for c in section.commands]
    body = "".join(_figure_html(folder, name, command, section.title(facts))
                   for name, command in zip(section.files(), commands))
    body = f'<div class="figures">{body}</div>' if body else ""
    if section.key == "update":
        body = f'<p class="rule">{html.escape(text("demo.update.rule"))}</p>' + body
    if section.block is not None:
        body += (f"<pre>{html.escape(_minus(blocks[section.block]))}</pre>"
                 f"<p>{html.escape(text('demo.command'))} "
                 f"<code>{html.escape(in_language(section.shown, lang))}</code></p>")
    anchor = section.files()[0].rsplit(".", 1)[0] if section.commands else section.key
    return (f'<section id="{html.escape(anchor)}"><h2>{html.escape(section.title(facts))}'
            f"</h2><p>{html.escape(section.statement(facts))}</p>{body}</section>")


#: where a page's CSS names the Hangul font (:func:`_with_font`)
_FONT = "/* hangul font */"


def _with_font(page: str) -> str:
    """The page with NanumGothic, cut to the page's own letters, drawing its Hangul where it
    has any (a system may have no font with Hangul; Latin letters keep the system's fonts)."""
    from .fonts import HANGUL_FAMILY, hangul_face, has_hangul

    if not has_hangul(page):
        return page.replace(_FONT + "\n", "")

    fallback = f'"{HANGUL_FAMILY}"'
    return page.replace(_FONT, hangul_face(page) + f"""
body {{ font-family: {fallback}, system-ui, sans-serif; word-break: keep-all; }}
pre, code {{ font-family: {fallback}, ui-monospace, monospace; }}""")


def _html(folder: Path, facts: dict, blocks: dict, lang: str) -> str:
    parts = "".join(_section_html(folder, section, facts, blocks, lang) for section in SECTIONS)
    return _with_font(f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(text("demo.title"))}</title>
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; color: #222; margin: 2em 1em; }}
{_FONT}
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
<h1>{html.escape(text("demo.heading"))}</h1>
<p>{text("demo.intro", **facts)}</p>
<p>{text("demo.interactive")}
<code>{html.escape(in_language(INTERACTIVE, lang))}</code></p>
{parts}
</main></body></html>
""")
