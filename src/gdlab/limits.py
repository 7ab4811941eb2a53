"""The core's own limits and run defaults, written once. This module imports nothing, so the
CLI's help can show them without loading NumPy."""

MAX_STEPS = 10_000_000  # the engine's step limit
MAX_RECORD_BYTES = 2 * 2**30  # a larger record is refused before any work
MAX_WORKING_BYTES = 8 * 2**30  # working memory of one run (about 12 arrays of (N, D))
MAX_CLI_WORK = 10**11  # point-steps × dimension of one CLI run (minutes on the compiled engine)
MAX_STEPS_DEFAULT = 1000  # the step limit of a run when none is given
TOL_DEFAULT = 1e-8  # stop a run when ‖∇f‖ ≤ tol
DIVERGENCE_DEFAULT = 1e12  # |f| or ‖x‖ this many times its start's (1 + |·|): diverged
