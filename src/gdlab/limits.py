"""The core's own limits and run defaults, written once. This module imports nothing, so the
CLI's help can show them without loading NumPy."""

MAX_STEPS = 10_000_000  # the engine's step limit
MAX_RECORD_BYTES = 2 * 2**30  # a larger record is refused before any work
MAX_WORKING_BYTES = 8 * 2**30  # working memory of one run (about 12 arrays of (N, D))
MAX_CLI_WORK = 10**11  # point-steps × dimension of one CLI run (minutes on the compiled engine)
#: memory one run's diagnosis and report take in the CLI, plus this much per dimension
#: (measured: ~6 KB for the table, ~10.5 KB with --json or --output, which hold every run's
#: entry at once; 60 KB with --json in 64-D)
RUN_REPORT_BYTES = 6_000
RUN_RECORD_BYTES = 11_000
RUN_BYTES_PER_DIMENSION = 800
MEMORY_SHARE = 0.8  # of the memory available when a command starts, the most it may plan for
MAX_STEPS_DEFAULT = 1000  # the step limit of a run when none is given
TOL_DEFAULT = 1e-8  # stop a run when ‖∇f‖ ≤ tol
DIVERGENCE_DEFAULT = 1e12  # |f| or ‖x‖ this many times its start's (1 + |·|): diverged
#: the engines: "auto" picks cuda where a GPU is (and the run is large), compiled where numba
#: loads, else numpy; "numba" is still read as "compiled"
BACKENDS = ("auto", "numpy", "compiled", "cuda")
BACKEND_ALIASES = {"numba": "compiled"}
DTYPES = ("float64", "float32")  # float32 runs on the cuda backend only
COMPILED_WORK = 2_000_000  # point-steps from which "auto" compiles the loop
CUDA_WORK = 20_000_000  # point-steps from which "auto" runs on a GPU, where there is one
MAX_SWEEP_GRID = 2_000  # a sweep's --grid N: N per axis
#: point-steps per chunk of a sweep or map: a few seconds of one core on the compiled engine,
#: bounded memory
CHUNK_WORK = 20_000_000
#: chunks of one sweep: each is a task, and with an output a file (a chunk of one run costs
#: ~10 ms of bookkeeping; the default chunking stays under it by making chunks larger)
MAX_CHUNKS = 10_000

#: the box of random starts on a typed formula when none is given (each coordinate)
RANDOM_BOX = (-5.0, 5.0)
