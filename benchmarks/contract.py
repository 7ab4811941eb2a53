"""The API against its own OpenAPI document: a bounded, seeded schemathesis run on a live
`gdlab serve` (loopback, a free port), every check but one.

Excluded: ``positive_data_acceptance`` (ST202), which expects every schema-valid request to
succeed. A formula's grammar, a library name, and cross-field rules (``lr_min < lr_max``, a
point with as many coordinates as the formula has variables) are not JSON Schema, so such a
request is answered 400 with its one-line reason — documented on every endpoint.

Run:  .venv/bin/pip install schemathesis && .venv/bin/python benchmarks/contract.py
Its output is saved beside it as contract.txt.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = 60
SEED = 1


def main() -> int:
    cli = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "gdlab.cli", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(4)
        done = subprocess.run([cli, "run", f"http://127.0.0.1:{port}/openapi.json",
                               "--max-examples", str(EXAMPLES), "--seed", str(SEED),
                               "--checks", "all", "--exclude-checks",
                               "positive_data_acceptance", "--workers", "1"],
                              capture_output=True, text=True, timeout=900)
        summary = done.stdout[done.stdout.rfind("\n", 0, done.stdout.find("SUMMARY")) + 1:]
        print(f"schemathesis, {EXAMPLES} examples per operation, seed {SEED}, every check "
              "but positive_data_acceptance:")
        print(summary.strip())
        return done.returncode
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
