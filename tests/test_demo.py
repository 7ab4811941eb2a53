"""`gdlab demo`: the walk-through prints the note's numbers and writes an offline page."""

import re

import pytest

pytest.importorskip("matplotlib")


def test_demo_writes_every_figure_and_an_offline_page(tmp_path, capsys):
    from gdlab.cli import main
    from gdlab.demo import FIGURES

    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "∂f/∂x0 = 2*x0 = 6" in out and "∂f/∂x1 = 2*x1 = 8" in out
    assert "z = 25 + 6*(x0 - 3) + 8*(x1 - 4)" in out
    assert "lr 0.1: ends at (-6.11e-10, 8.15e-10)" in out
    assert "lr 10:" in out and "→ diverged" in out and "→ slow" in out
    assert "traps: local_minimum vs global_minimum; plateau vs global_minimum; saddle vs " \
           "unbounded" in out
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 10_000, name
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img alt="[^"]+" src="data:image/(png|gif);base64,', page)
    assert len(images) == len(FIGURES)
    assert not re.search(r"(src|href)=\"https?://", page)  # nothing to fetch: works offline
    assert 'href="interactive.html"' in page
    assert (tmp_path / "interactive.html").stat().st_size > 1_000_000
