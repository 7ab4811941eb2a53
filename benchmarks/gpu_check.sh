#!/usr/bin/env bash
# The GPU check in one go, on a machine with a CUDA device (the CI machine has none):
# the CUDA tests on the device (not the simulator), then benchmarks/gpu.py.
# Needs numpy, sympy, numba with numba-cuda (pip install -e ".[cuda]"), pytest; optax and torch
# for the peers. Output: $OUT (or ./gpu-check): env.txt, tests.txt, gpu.txt.
#   bash benchmarks/gpu_check.sh [--sizes 1e6,1e7,1e8] [--repeats 3]
set -u
out=${OUT:-gpu-check}
mkdir -p "$out"
py=${PYTHON:-python3}
export PYTHONPATH=$PWD/src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
export GDLAB_CACHE=${GDLAB_CACHE:-/tmp/gdlab-cache}
{ nvidia-smi; $py -c "import numba, numba.cuda as c; print('numba', numba.__version__); \
print('cuda available', c.is_available()); c.detect()"; } > "$out/env.txt" 2>&1
# every optimizer on five library functions (each kernel is compiled: ~1 s apiece)
GDLAB_REAL_CUDA=1 NUMBA_ENABLE_CUDASIM=0 timeout 300 $py -m pytest -q -p no:cacheprovider \
    tests/test_gpu.py -k "not every_library or rosenbrock or himmelblau or rastrigin or beale \
or goldstein" > "$out/tests.txt" 2>&1
echo "tests rc=$?" >> "$out/tests.txt"
NUMBA_ENABLE_CUDASIM=0 timeout 420 $py benchmarks/gpu.py "$@" > "$out/gpu.txt" 2>&1
echo "benchmark rc=$?" >> "$out/gpu.txt"
tail -3 "$out/tests.txt"
cat "$out/gpu.txt"
