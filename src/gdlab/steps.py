"""What each step of a run did: the gradient there, the update taken and the optimizer's state.

The engine keeps a run's path; :func:`replay` walks the optimizer along that path once more and
records what it saw and held at each step — the same transform, the same arithmetic, so each
recorded update is exactly the step the engine took (``path[k] + updates[k] == path[k + 1]``).
This is what a step player shows: why momentum overshoots (its velocity), why Adam moves each
coordinate by about ``lr`` (its first moment over the root of its second).

>>> import numpy as np
>>> from gdlab.calculus import resolve
>>> from gdlab.optim import make
>>> obj = resolve("x**2 + y**2")
>>> path = np.array([[1.0, 2.0], [0.8, 1.6], [0.64, 1.28]])
>>> out = replay(obj, make("gd", lr=0.1), path)
>>> out["gradients"][0].tolist(), out["updates"][0].tolist()   # −0.1·∇f(1, 2)
([2.0, 4.0], [-0.2, -0.4])
"""

from __future__ import annotations

import numpy as np

from .i18n import text
from .optim import Context, Optimizer

__all__ = ["STATE_FIELDS", "state_label", "replay"]

#: the optimizer state a learner is shown, by the field names of gdlab.optim.transforms' states
STATE_FIELDS = ("buffer", "mu", "nu", "nu_max", "sum_sq", "square_avg", "grad_avg", "acc_delta")


def state_label(name: str) -> str:
    """What the state field ``name`` holds, in the language in use (the catalogue's
    ``page.state.<name>``).

    >>> state_label("buffer")
    'velocity b'
    """
    return text(f"page.state.{name}")



def _vectors(state, dim: int):
    """The per-coordinate arrays of a (chained) state: ``(name, (1, D) array)`` pairs."""
    for part in state if isinstance(state, tuple) and not hasattr(state, "_fields") else (state,):
        if hasattr(part, "_fields"):
            for name, value in part._asdict().items():
                if name in STATE_FIELDS and np.shape(value) == (1, dim):
                    yield name, value
        elif isinstance(part, tuple):
            yield from _vectors(part, dim)


def replay(obj, opt: Optimizer, path) -> dict:
    """Walk ``opt`` along ``path`` (``(K+1, D)``, one run of the engine from ``path[0]``).

    Returns ``gradients`` ``(K+1, D)`` (∇f at each point), ``updates`` ``(K, D)`` (the step
    from point k to point k+1), ``state``: ``{name: (K, D)}``, the optimizer's per-coordinate
    state after each update (only what it uses: a field zero all along is left out), and
    ``lrs`` ``(K,)``: the learning rate of each step (its schedule applied)."""
    path = np.asarray(path, dtype=np.float64)
    steps, dim = len(path) - 1, path.shape[1]
    value, gradient = obj.value_function(), obj.gradient_function()
    ctx = Context(value=lambda p: np.asarray(value(p), dtype=np.float64),
                  hessian=lambda p: obj.hessian(p))
    transform = opt.transform()
    with np.errstate(all="ignore"):
        grads = np.asarray(gradient(path), dtype=np.float64).reshape(len(path), dim)
        state = transform.init(path[:1])
        updates = np.zeros((steps, dim))
        held: dict[str, np.ndarray] = {}
        for k in range(steps):
            u, state = transform.update(grads[k:k + 1], state, path[k:k + 1], ctx)
            updates[k] = u[0]
            for name, v in _vectors(state, dim):
                held.setdefault(name, np.zeros((steps, dim)))[k] = v[0]
    used = {name: v for name, v in held.items() if np.any(v != 0)}
    lr = float(np.asarray(opt.lr))
    lrs = np.array([lr * (opt.schedule(k) if opt.schedule is not None else 1.0)
                    for k in range(steps)])
    return {"gradients": grads, "updates": updates, "state": used, "lrs": lrs}
