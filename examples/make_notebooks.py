#!/usr/bin/env python3
"""Write examples/gradient-descent.{en,ko}.ipynb: the study note retold with gdlab's Python API.

The two notebooks tell the demo page's story: the code cells are written once, here, and the
text between them is the message catalogue's — the demo's statements (``demo.<key>``, their
numbers computed by gdlab) and a few of the notebook's own (``notebook.<key>``) — in each
notebook's language (and ``gdlab.set_language``, so explanations, advice and figures speak it
too). They are stored without outputs; ``tests/test_notebooks.py`` runs them (nbclient) and
checks that they match this script. Run it after editing a cell or the catalogue:
    .venv/bin/python examples/make_notebooks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

# (the statement's key in the message catalogue, code): a ``demo.<key>`` statement is the
# demo page's own (its title and text, its numbers computed by gdlab), a ``notebook.<key>``
# one this notebook's; code None for text alone, a key None for code alone
STORY = [
    ("notebook.intro", None),
    ("notebook.setup",
     'import gdlab\n\ngdlab.set_language("{lang}")\nf = "x0**2 + x1**2"\na = [3, 4]'),
    ("demo.graph",
     'path = gdlab.run(f, [[-3, 4]], "gd:0.1", max_steps=30, record="all").run_path(0, 0)\n'
     "gdlab.plot.surface(f, paths=[path], domain=[(-5, 5), (-5, 5)])"),
    ("demo.partials", "report = gdlab.analyze(f, a, direction=[1, 1])\nreport.partials"),
    (None, "gdlab.plot.partials(f, a)"),
    ("demo.gradient",
     'for name in ("value", "partials", "gradient", "gradient_norm", "directional_derivative",\n'
     '             "steepest_descent", "tangent_plane", "hessian", "critical_point"):\n'
     '    print(f"{name}: {getattr(report, name)}")'),
    ("demo.directional",
     "gx, gy = report.gradient\n"
     "along, against, across = [gx, gy], [-gx, -gy], [-gy, gx]\n"
     "[float(gdlab.directional_derivative(f, a, u)) for u in (along, against, across)]"),
    (None, "gdlab.plot.directional(f, a, u=[1, 1])"),
    ("demo.tangent", "print(report.tangent_plane)\ngdlab.plot.tangent_plane(f, a)"),
    ("demo.level_sets",
     "gdlab.plot.level_sets(f, [[3, 4], [-2, 1], [1, -2]], domain=[(-5, 5), (-5, 5)],\n"
     '                      more=[("himmelblau", [[1, 1], [-2, -1], [3.5, -3]])])'),
    ("demo.steepest",
     "bowl = gdlab.studies.gradient_flow(f, [-3, 4], lr=0.1)\n"
     'bent = gdlab.studies.gradient_flow("himmelblau", [-0.5, 0.5])\n'
     "gdlab.plot.steepest_path(bowl, domain=[(-5, 5), (-5, 5)], more=[bent])"),
    ("demo.field", "gdlab.plot.field(f, domain=[(-4, 4), (-4, 4)], arrows=17)"),
    ("demo.update",
     'runs = gdlab.run(f, [[-3, 4]], ["gd:0.1", "gd:10", "gd:1e-10"], max_steps=100, tol=0)\n'
     "for opt, (d,) in zip(runs.optimizers, runs.diagnoses()):\n"
     '    print(f"lr {opt.hyper[\'lr\']:g} → {d.name}\\n  {d.explanation}\\n  → {d.advice}\\n")'),
    ("demo.learning_rates", "gdlab.plot.learning_rates(gdlab.studies.learning_rates(f, [-3, 4]))"),
    ("demo.traps", "gdlab.plot.traps(gdlab.studies.traps())"),
    ("demo.compare", 'gdlab.plot.compare(gdlab.studies.comparison("ill_conditioned", [-7, 2]))'),
    ("demo.basins", 'gdlab.plot.basins(gdlab.studies.basin_map("himmelblau", n=300))'),
    (None, 'gdlab.plot.basins(gdlab.studies.basin_map("six_hump_camel", n=300))'),
    ("notebook.explore",
     'result = gdlab.run("himmelblau", [[0, 0], [-1, 4], [-4, -4]],\n'
     '                   ["gd:0.01", "momentum:0.002", "adam:0.1"], max_steps=200, '
     'record="all")\n'
     'gdlab.plot.interactive("himmelblau", result)'),
]

LANGUAGES = ("en", "ko")


def notebook(lang: str) -> nbformat.NotebookNode:
    """The notebook in ``lang``, without outputs."""
    from gdlab import i18n
    from gdlab.demo import note_facts

    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"},
                   "language_info": {"name": "python"}}
    with i18n.use(lang):
        facts = note_facts()
        number = 0
        for key, code in STORY:
            if key is not None:
                title = i18n.text(f"{key}.title", **facts)
                heading = "#" if key == "notebook.intro" else "##"
                if key.startswith("demo.") or key == "notebook.explore":
                    number += 1
                    title = f"{number}. {title}"
                words = i18n.text(f"{key}.statement", **facts)
                nb.cells.append(nbformat.v4.new_markdown_cell(f"{heading} {title}\n\n{words}"))
            if code is not None:
                nb.cells.append(nbformat.v4.new_code_cell(code.replace("{lang}", lang)))
    for i, cell in enumerate(nb.cells):  # stable ids: the files change only with the story
        cell.id = f"{lang}-{i:02d}"
    return nb


def path(lang: str) -> Path:
    return HERE / f"gradient-descent.{lang}.ipynb"


def main() -> int:
    for lang in LANGUAGES:
        nbformat.write(notebook(lang), path(lang))
        print(f"wrote {path(lang)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
