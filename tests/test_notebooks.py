"""The tutorial notebooks (examples/gradient-descent.{en,ko}.ipynb) run from top to bottom,
are stored without outputs, match the script that writes them, and speak their language."""

import importlib.util
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_spec = importlib.util.spec_from_file_location("make_notebooks", EXAMPLES / "make_notebooks.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.mark.parametrize("lang", make.LANGUAGES)
def test_the_notebook_is_stored_as_written_without_outputs(lang):
    stored = nbformat.read(make.path(lang), as_version=4)
    assert stored.cells == make.notebook(lang).cells  # python3 examples/make_notebooks.py
    for cell in stored.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("lang", make.LANGUAGES)
def test_the_notebook_runs_and_speaks_its_language(lang, tmp_path):
    nb = nbformat.read(make.path(lang), as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    drawn = {"image/png": 0, "application/vnd.plotly.v1+json": 0}
    for cell in nb.cells:  # a cell that draws a figure shows it inline
        if cell.cell_type == "code" and "gdlab.plot." in cell.source:
            kind = "application/vnd.plotly.v1+json" if "interactive" in cell.source \
                else "image/png"
            assert any(kind in o.get("data", {}) for o in cell.outputs), cell.source
            drawn[kind] += 1
    assert drawn == {"image/png": 12, "application/vnd.plotly.v1+json": 1}
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    labels = {"en": ("→ global minimum", "reached a global minimum", "stability bound"),
              "ko": ("→ 전역 최솟값", "전역 최솟값에 도달했습니다", "안정성 한계")}[lang]
    assert all(words in printed for words in labels), printed
    assert bool(HANGUL.search(printed)) == (lang == "ko") and "global_minimum" not in printed
    text = "".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "(6, 8)" in text and "9.9" in text  # the demo's statements, their numbers computed
    assert "gradient: [6.0, 8.0]" in printed and "gradient_norm: 10.0" in printed  # the note's
