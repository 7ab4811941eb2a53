"""The README's Python examples run as written."""

import doctest
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples():
    result = doctest.testfile(str(README), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted >= 8
    assert result.failed == 0


def test_readme_quick_start_has_exactly_the_two_commands():
    text = README.read_text()
    block = text.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["python3 dev.py demo", "python3 dev.py test"]
    ci = (README.parent / ".ci" / "run").read_text()
    assert "python3 dev.py test" in ci


def test_readme_states_every_server_limit_with_its_value():
    """The README's table of server limits has every limit `/api/meta` serves, at its value."""
    from gdlab.web.limits import as_dict

    text = README.read_text()
    for name, value in as_dict().items():
        assert f"| `{name}` | {value} |" in text, name


def test_readme_states_the_cpu_limit_the_server_sets():
    from gdlab.web.compute import cpu_seconds
    from gdlab.web.limits import TIME_BUDGET

    assert f"rounded up, plus 1 s: {cpu_seconds(TIME_BUDGET)} s)" in README.read_text()


def test_readme_states_the_numpy_engines_block_length():
    from gdlab.blocks import BLOCK_STEPS

    assert f"once per block of {BLOCK_STEPS} steps" in README.read_text()
