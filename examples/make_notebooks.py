#!/usr/bin/env python3
"""Write examples/gradient-descent.{en,ko}.ipynb: the study note retold with gdlab's Python API.

The two notebooks tell one story: the code cells are written once, here, and each notebook
has them in the same order with its language's text between them (and
``gdlab.set_language``, so explanations, advice and figures speak it too). They are stored
without outputs; ``tests/test_notebooks.py`` runs them (nbclient) and checks that they match
this script. Run it after editing a cell:  python3 examples/make_notebooks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

# (text in English, text in Korean, code) — code is None for a text-only cell
STORY = [
    ("# Gradient descent, step by step — with gdlab\n\n"
     "A study note on gradient descent, retold with gdlab's Python API: partial derivatives, "
     "the gradient, the directional derivative, the tangent plane, level curves, the path of "
     "steepest descent, the update rule, the learning rate, where gradient descent gets stuck "
     "and the optimizers that followed. Every number is computed and every figure drawn here; "
     "run it from the top (*Run All*). 한국어판: `gradient-descent.ko.ipynb`.",
     "# 경사하강법, 한 단계씩 — gdlab으로\n\n"
     "경사하강법 학습 노트를 gdlab의 Python API로 다시 따라갑니다: 편미분, gradient, 방향 미분, "
     "접평면, 등위선, 가장 가파른 내리막 경로, 갱신 규칙, 학습률, 경사하강법이 멈춰 서는 곳, "
     "그 뒤에 나온 옵티마이저들. 모든 숫자는 여기서 계산하고 모든 그림은 여기서 그립니다. "
     "처음부터 차례로 실행하세요(*Run All*). English: `gradient-descent.en.ipynb`.",
     None),
    ("The note's example is f(x0, x1) = x0² + x1². `set_language` chooses the language of "
     "gdlab's explanations, advice and figures.",
     "노트의 예제는 f(x0, x1) = x0² + x1²입니다. `set_language`는 gdlab이 쓰는 설명, 조언, "
     "그림의 언어를 정합니다.",
     'import gdlab\n\ngdlab.set_language("{lang}")\nf = "x0**2 + x1**2"\na = [3, 4]'),
    ("## 1. The graph: a bowl, lowest at (0, 0)\n\nThe path on it is gradient descent from "
     "(−3, 4) with learning rate 0.1.",
     "## 1. 그래프: 가장 낮은 점이 (0, 0)인 그릇\n\n곡면 위의 경로는 (−3, 4)에서 학습률 0.1로 "
     "시작한 경사하강법입니다.",
     'path = gdlab.run(f, [[-3, 4]], "gd:0.1", max_steps=30, record="all").run_path(0, 0)\n'
     "gdlab.plot.surface(f, paths=[path], domain=[(-5, 5), (-5, 5)])"),
    ("## 2. Partial derivatives are slopes\n\nFix one variable and f becomes a curve; its "
     "slope at the point is the partial derivative. At a = (3, 4): ∂f/∂x0 = 2x0 = 6 and "
     "∂f/∂x1 = 2x1 = 8.",
     "## 2. 편미분은 기울기입니다\n\n변수 하나를 고정하면 f는 곡선이 되고, 그 점에서 곡선의 "
     "기울기가 편미분입니다. a = (3, 4)에서 ∂f/∂x0 = 2x0 = 6, ∂f/∂x1 = 2x1 = 8.",
     "report = gdlab.analyze(f, a, direction=[1, 1])\nreport.partials"),
    (None, None, "gdlab.plot.partials(f, a)"),
    ("## 3. The gradient\n\nThe partial derivatives in the order of the variables: "
     "∇f = (2x0, 2x1), at a it is (6, 8), of length 10.",
     "## 3. Gradient\n\n편미분을 변수 순서대로 묶은 벡터 ∇f = (2x0, 2x1): a에서 (6, 8), "
     "길이 10.",
     "report.gradient, report.gradient_norm"),
    ("## 4. The directional derivative\n\nThe slope along a unit vector u is D_u f = ∇f·u: "
     "largest along ∇f (‖∇f‖ = 10), smallest against it (−10), zero across it. For the note's "
     "u = (1, 1)/√2 it is (6 + 8)/√2 ≈ 9.9.",
     "## 4. 방향 미분\n\n단위 벡터 u 방향의 기울기는 D_u f = ∇f·u입니다: ∇f 방향으로 가장 크고"
     "(‖∇f‖ = 10), 반대 방향으로 가장 작으며(−10), 수직인 방향으로는 0입니다. 노트의 "
     "u = (1, 1)/√2에서는 (6 + 8)/√2 ≈ 9.9.",
     "gx, gy = report.gradient\n"
     "along, against, across = [gx, gy], [-gx, -gy], [-gy, gx]\n"
     "[float(gdlab.directional_derivative(f, a, u)) for u in (along, against, across)]"),
    (None, None, "gdlab.plot.directional(f, a, u=[1, 1])"),
    ("## 5. The tangent plane\n\nz = f(a) + ∇f(a)·(x − a) touches the surface at a; the "
     "gradient is its tilt.",
     "## 5. 접평면\n\nz = f(a) + ∇f(a)·(x − a)는 a에서 곡면에 접합니다. gradient가 평면의 "
     "기울어짐입니다.",
     "print(report.tangent_plane)\ngdlab.plot.tangent_plane(f, a)"),
    ("## 6. The gradient is perpendicular to the level curves\n\nAlong a level curve f does "
     "not change, so ∇f meets it at a right angle (the figure checks the angle at each point).",
     "## 6. Gradient는 등위선에 수직입니다\n\n등위선을 따라가면 f가 변하지 않으므로 ∇f는 "
     "등위선과 직각으로 만납니다(그림이 각 점에서 각도를 확인합니다).",
     "gdlab.plot.level_sets(f, [[3, 4], [-2, 1], [1, -2]], domain=[(-5, 5), (-5, 5)])"),
    ("## 7. The path of steepest descent\n\nAlways stepping along −∇f, the continuous path "
     "crosses every level curve at a right angle; gradient descent follows it in steps. "
     "On Himmelblau's function it bends.",
     "## 7. 가장 가파른 내리막 경로\n\n언제나 −∇f 방향으로 나아가는 연속 경로는 모든 등위선을 "
     "직각으로 가로지르고, 경사하강법은 이 경로를 단계별로 따라갑니다. Himmelblau 함수에서는 "
     "경로가 휘어집니다.",
     'gdlab.plot.steepest_path(gdlab.studies.gradient_flow("himmelblau", [-0.5, 0.5]))'),
    ("## 8. −∇f points downhill\n\nThe arrows point towards the lowest place and are longer "
     "the farther from it.",
     "## 8. −∇f는 내리막을 가리킵니다\n\n화살표는 가장 낮은 곳을 향하고, 그곳에서 멀수록 "
     "깁니다.",
     "gdlab.plot.field(f, domain=[(-4, 4), (-4, 4)], arrows=17)"),
    ("## 9. The update rule: x ← x − η∇f(x)\n\nThe gradient decides the direction, the "
     "learning rate η how far. The note's three learning rates from (−3, 4), each run "
     "diagnosed: why it ended where it did, and what to do.",
     "## 9. 갱신 규칙: x ← x − η∇f(x)\n\n어느 방향으로 갈지는 gradient가, 얼마나 갈지는 학습률 "
     "η가 정합니다. (−3, 4)에서 노트의 세 학습률로 실행하고, 각 실행이 왜 그곳에서 끝났는지와 "
     "무엇을 하면 되는지 진단합니다.",
     'runs = gdlab.run(f, [[-3, 4]], ["gd:0.1", "gd:10", "gd:1e-10"], max_steps=100, tol=0)\n'
     "for opt, (d,) in zip(runs.optimizers, runs.diagnoses()):\n"
     '    print(f"lr {opt.hyper[\'lr\']:g} → {d.label}\\n  {d.explanation}\\n  {d.advice}\\n")'),
    ("## 10. The learning rate decides\n\nToo small, about right, just under the stability "
     "bound 2/λmax = 1 (it zig-zags), above it (it diverges).",
     "## 10. 학습률이 결과를 정합니다\n\n너무 작을 때, 알맞을 때, 안정성 한계 2/λmax = 1 바로 "
     "아래일 때(지그재그), 한계를 넘을 때(발산).",
     "gdlab.plot.learning_rates(gdlab.studies.learning_rates(f, [-3, 4]))"),
    ("## 11. Where gradient descent gets stuck\n\nA local minimum, a plateau and a saddle "
     "point: the gradient is (nearly) zero, yet it is not the lowest place.",
     "## 11. 경사하강법이 멈춰 서는 곳\n\n지역 최솟값, 평탄 구간(plateau), 안장점(saddle "
     "point): 기울기는 (거의) 0이지만 가장 낮은 곳은 아닙니다.",
     "gdlab.plot.traps(gdlab.studies.traps())"),
    ("## 12. The optimizers that followed\n\nSGD, momentum, AdaGrad and Adam on x²/20 + y² "
     "from (−7, 2), as in \"Deep Learning from Scratch\" ch. 6.",
     "## 12. 그 뒤에 나온 옵티마이저들\n\n「밑바닥부터 시작하는 딥러닝」 6장처럼 x²/20 + y² 위에서 "
     "(−7, 2)부터 SGD, 모멘텀, AdaGrad, Adam을 비교합니다.",
     'gdlab.plot.compare(gdlab.studies.comparison("ill_conditioned", [-7, 2]))'),
    ("## 13. Basins of attraction\n\nEvery start of a grid coloured by the minimum gradient "
     "descent reaches from it: Himmelblau's four minima.",
     "## 13. 끌림 영역(basin)\n\n격자의 각 시작점을 경사하강법이 도달하는 최솟값의 색으로 "
     "칠했습니다: Himmelblau 함수의 최솟값 네 개.",
     'gdlab.plot.basins(gdlab.studies.basin_map("himmelblau", n=120))'),
    ("## 14. Explore: zoom and rotate\n\nThree optimizers on Himmelblau's function, as a map "
     "and a surface you can zoom and turn (plotly, offline).",
     "## 14. 직접 살펴보기: 확대하고 돌려 보기\n\nHimmelblau 함수 위의 세 옵티마이저를 확대하고 "
     "돌려 볼 수 있는 지도와 곡면으로(plotly, 오프라인).",
     'result = gdlab.run("himmelblau", [[0, 0], [-1, 4], [-4, -4]],\n'
     '                   ["gd:0.01", "momentum:0.002", "adam:0.1"], max_steps=200, '
     'record="all")\n'
     'gdlab.plot.interactive("himmelblau", result)'),
]

LANGUAGES = ("en", "ko")


def notebook(lang: str) -> nbformat.NotebookNode:
    """The notebook in ``lang``, without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"},
                   "language_info": {"name": "python"}}
    for en, ko, code in STORY:
        words = en if lang == "en" else ko
        if words is not None:
            nb.cells.append(nbformat.v4.new_markdown_cell(words))
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
