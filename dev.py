#!/usr/bin/env python3
"""Set up gdlab in ./.venv and run its main job or its tests — needs only python3 and pip.

    python3 dev.py demo          # set up, then run the main job
    python3 dev.py test [ARGS]   # set up with test extras, then run pytest (ARGS go to pytest)
    python3 dev.py bench         # set up with benchmark extras, then run benchmarks/*.py

The virtual environment is created once; packages are installed again only when
pyproject.toml changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
# The main job: the study note end to end (calculus at a point, three learning rates, the
# traps) and every figure with an offline page, gdlab-demo/index.html.
DEMO = [["demo", "--out", "gdlab-demo"]]


def setup(extras: str) -> None:
    if not PYTHON.exists():
        print(f"dev.py: creating {VENV.name}/", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    project = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= project.stat().st_mtime:
        return
    print(f"dev.py: installing gdlab{f'[{extras}]' if extras else ''} into {VENV.name}/",
          flush=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "-e", target], cwd=ROOT, check=True)
    stamp.touch()


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it with apt-get where it is missing
    and we may (root). Without it those tests are skipped, and pytest says so."""
    import shutil

    if shutil.which("chromium") or os.environ.get("CHROMIUM_PATH"):
        return
    if shutil.which("apt-get") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("dev.py: no chromium and no way to install it: browser tests will be skipped",
              file=sys.stderr)
        return
    print("dev.py: installing chromium with apt-get (for the browser tests)", flush=True)
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        if subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode != 0:
            print("dev.py: apt-get failed: browser tests will be skipped", file=sys.stderr)
            return


#: the most pytest workers dev.py test starts (one per core up to this)
MAX_WORKERS = 4


def workers(args: list[str]) -> list[str]:
    """pytest-xdist's options for a worker per core (the suite took 1.8× less time on two
    cores), unless ``args`` choose their own (``-n``) or turn it off (``-p no:xdist``). Each
    worker starts with a contiguous share of the tests (a file's shared fixtures, such as the
    browser's server and the English demo, are made once) and takes over half of another's
    queue when it runs out."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args) \
            or "no:xdist" in args:
        return []
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    n = min(cores, MAX_WORKERS)
    return ["-n", str(n), "--dist", "worksteal"] if n > 1 else []


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("demo", [])
    if command == "demo":
        setup("")
        code = 0
        for args in DEMO:
            print(f"\n$ gdlab {' '.join(repr(a) if ' ' in a else a for a in args)}", flush=True)
            code |= subprocess.run([str(BIN / "gdlab"), *args, *rest], cwd=ROOT).returncode
        return code
    if command == "test":
        setup("test")
        ensure_chromium()
        code = subprocess.run([str(PYTHON), "-m", "pytest", *workers(rest), *rest],
                              cwd=ROOT).returncode
        if code == 5:
            print("dev.py: pytest collected no tests — that is a failure", file=sys.stderr)
        return code
    if command == "bench":
        setup("bench")
        ensure_chromium()  # benchmarks/browser.py drives it
        code = 0
        for script in sorted((ROOT / "benchmarks").glob("*.py")):
            code |= subprocess.run([str(PYTHON), str(script), *rest], cwd=ROOT).returncode
        return code
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as exc:
        print(f"dev.py: error: {' '.join(map(str, exc.cmd))} failed ({exc.returncode})",
              file=sys.stderr)
        sys.exit(exc.returncode or 1)
