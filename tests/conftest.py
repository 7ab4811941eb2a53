"""pytest configuration shared by the suite."""

import os

# The CUDA kernels run under numba's CUDA simulator on machines without a GPU (it must be
# chosen before numba is imported). On a GPU machine, GDLAB_REAL_CUDA=1 runs them on the device.
if os.environ.get("GDLAB_REAL_CUDA") != "1":
    os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")


# The recording script needs torch, which is not a test dependency; it is run by hand.
collect_ignore_glob = ["reference/*.py"]
