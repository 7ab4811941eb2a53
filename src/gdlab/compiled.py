"""A compiled engine loop: numba kernels generated from the SymPy expression.

For the big batched runs (basin maps, sweeps over 10⁵–10⁶ starts) the NumPy engine spends
its time in temporaries. This module writes, for one objective and one optimizer, the source
of a numba kernel that keeps each block of :data:`BLOCK` points in L1 cache (every per-point quantity a float64 array, so each loop has one element width and vectorises), loops over the steps
outside and over the block's points inside (so the compiler can vectorise across points), and
spreads blocks over threads. The objective's value and gradient are printed from the same SymPy
expressions (one common-subexpression elimination over ``[f, ∂f/∂x₀, …]``), and the update
repeats the NumPy transforms' arithmetic operation by operation, so both paths agree to
rounding (the tests hold them to 1e-12).

Used by :func:`gdlab.engine.run` when numba is installed (``pip install gdlab[fast]``), the
optimizer is one of :data:`SUPPORTED` with a constant learning rate, no noise and no weight
decay, and only the ends of the paths are recorded. Kernels are cached on disk
(``~/.cache/gdlab/kernels``, or ``$GDLAB_CACHE``), so the few seconds of compilation are paid
once per function and optimizer.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["available", "supports", "run_block", "SUPPORTED", "BLOCK"]

SUPPORTED = ("gd", "momentum", "nesterov", "adam", "amsgrad")
BLOCK = 128
_KERNELS: dict[tuple, Any] = {}


def available() -> bool:
    """Whether numba can be imported."""
    return importlib.util.find_spec("numba") is not None


def supports(obj, opt, record) -> bool:
    """Whether the compiled loop can run this objective/optimizer/record combination."""
    if obj.formula is None or opt.name not in SUPPORTED or opt.schedule is not None:
        return False
    if opt.noise or np.any(np.asarray(opt.hyper.get("weight_decay", 0.0)) != 0):
        return False
    if np.any(np.asarray(opt.hyper.get("dampening", 0.0)) != 0):
        return False
    per_row = [k for k, v in opt.hyper.items() if isinstance(v, np.ndarray) and k != "lr"
               and not np.all(v == v.flat[0])]
    return record in ("last", "none") and not per_row


def _cache_dir() -> Path:
    root = os.environ.get("GDLAB_CACHE") or Path.home() / ".cache" / "gdlab"
    path = Path(root) / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _printer_class():
    from sympy.printing.pycode import PythonCodePrinter

    class Printer(PythonCodePrinter):
        """Squares as products: numba then vectorises them (x*x is exact, as np.square)."""

        def _print_Pow(self, expr, rational=False):
            if expr.exp == 2:
                base = self.parenthesize(expr.base, 100)
                return f"({base} * {base})"
            return super()._print_Pow(expr, rational=rational)

    return Printer


def _Printer(settings):  # noqa: N802 - a class factory, so sympy loads lazily
    return _printer_class()(settings)


def _objective_code(obj) -> tuple[list[str], str, list[str]]:
    """Lines that compute ``f`` and ``g{j}`` from ``p{j}[i]`` with shared subexpressions."""
    import sympy as sp

    dim = obj.dim
    coords = [sp.Symbol(f"c{j}", real=True) for j in range(dim)]
    subs = dict(zip(obj.formula.symbols, coords))
    exprs = [obj.formula.expr] + list(obj.gradient_exprs)
    exprs = [e.xreplace(subs) for e in exprs]
    temps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t"))
    printer = _Printer({"standard": "python3", "fully_qualified_modules": True})
    lines = [f"c{j} = p{j}[i]" for j in range(dim)]
    lines += [f"{name} = {printer.doprint(e)}" for name, e in temps]
    value = printer.doprint(reduced[0])
    grads = [printer.doprint(e) for e in reduced[1:]]
    return lines, value, grads


# Each update reads the state and the gradient of coordinate j and writes candidates ``n*`` for
# the new state and ``u{j}`` for the step; the caller commits them only for live rows. The
# arithmetic repeats gdlab.optim.transforms operation by operation.
_UPDATES = {
    # (state per coordinate, per-step prelude (scalars), update of coordinate j)
    "gd": ([], [], ["u{j} = -lr_i * g{j}[i]"]),
    "momentum": (["b"], [], [
        "nb{j} = g{j}[i] if first else b{j}[i] * mu + g{j}[i] * 1.0",
        "u{j} = -lr_i * nb{j}"]),
    "nesterov": (["b"], [], [
        "nb{j} = g{j}[i] if first else b{j}[i] * mu + g{j}[i] * 1.0",
        "u{j} = -lr_i * (g{j}[i] + nb{j} * mu)"]),
    "adam": (["m", "v"], ["bc1 = 1 - b1 ** cnt", "bc2s = math.sqrt(1 - b2 ** cnt)",
                          "ib1 = 1.0 / bc1"], [
        "LERP",
        "nv{j} = v{j}[i] * b2 + (1 - b2) * g{j}[i] * g{j}[i]",
        "u{j} = -lr_i * (ib1 * nm{j} / (math.sqrt(nv{j}) / bc2s + eps))"]),
    "amsgrad": (["m", "v", "w"], ["bc1 = 1 - b1 ** cnt", "bc2s = math.sqrt(1 - b2 ** cnt)",
                                  "ib1 = 1.0 / bc1"], [
        "LERP",
        "nv{j} = v{j}[i] * b2 + (1 - b2) * g{j}[i] * g{j}[i]",
        "nw{j} = max(w{j}[i], nv{j})",
        "u{j} = -lr_i * (ib1 * nm{j} / (math.sqrt(nw{j}) / bc2s + eps))"]),
}


_LERP = {  # torch.lerp's two forms, chosen by the weight 1 − β₁ when the kernel is written
    True: "nm{j} = m{j}[i] + wb1 * (g{j}[i] - m{j}[i])",
    False: "nm{j} = g{j}[i] - (g{j}[i] - m{j}[i]) * (1 - wb1)",
}


def _source(obj, name: str, low_weight: bool = True) -> str:
    dim = obj.dim
    lines, value, grads = _objective_code(obj)
    state, prelude, update = _UPDATES[name]
    update = [_LERP[low_weight] if u == "LERP" else u for u in update]
    ind = "    "

    def block(code: list[str], depth: int) -> str:
        return "".join(f"{ind * depth}{c}\n" for c in code)

    def per_coord(template: list[str]) -> list[str]:
        return [t.format(j=j) for j in range(dim) for t in template]

    def evaluate(prefix: str) -> list[str]:
        """f, g and ‖g‖ at the point c0..c{D-1} into locals {prefix}f, {prefix}g{j}."""
        code = [ln for ln in lines[dim:]]
        code += [f"{prefix}f = {value}"]
        code += [f"{prefix}g{j} = {grads[j]}" for j in range(dim)]
        code += [f"{prefix}gn = math.sqrt(" + " + ".join(
            f"{prefix}g{j} * {prefix}g{j}" for j in range(dim)) + ")"]
        return code

    allocs = [f"p{j} = np.empty(n)" for j in range(dim)]
    allocs += [f"g{j} = np.empty(n)" for j in range(dim)]
    allocs += [f"q{j} = np.zeros(n)" for j in range(dim)]  # previous step
    allocs += [f"{s}{j} = np.zeros(n)" for s in state for j in range(dim)]
    start_eval = [f"c{j} = X[lo + i, {j}]" for j in range(dim)] + evaluate("s")
    start_eval += [f"p{j}[i] = c{j}" for j in range(dim)]
    start_eval += [f"g{j}[i] = sg{j}" for j in range(dim)]
    step_eval = [f"c{j} = p{j}[i]" for j in range(dim)] + evaluate("n")
    sq_c = "(" + " + ".join(f"c{j} * c{j}" for j in range(dim)) + ")"
    norm_c = f"math.sqrt{sq_c}"
    dot = " + ".join(f"u{j} * q{j}[i]" for j in range(dim))
    # dead rows may update their optimizer state (never read again) but never move
    commit = [f"p{j}[i] = p{j}[i] + u{j} if live else p{j}[i]" for j in range(dim)]
    commit += [f"q{j}[i] = u{j}" for j in range(dim)]
    commit += [f"{s}{j}[i] = n{s}{j}" for s in state for j in range(dim)]
    src = f'''# generated by gdlab.compiled for {name} on {obj.name!r}; do not edit
import math
import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True, fastmath=False, nogil=True, error_model="numpy")
def kernel(X, steps, tol, div, lr, mu, b1, b2, eps, half, out_f, out_gn, out_f0, out_gn0,
           out_steps, out_status, out_osc, out_mid):
    N = X.shape[0]
    nblocks = (N + {BLOCK} - 1) // {BLOCK}
    wb1 = 1 - b1
    for blk in prange(nblocks):
        lo = blk * {BLOCK}
        hi = min(N, lo + {BLOCK})
        n = hi - lo
{block(allocs, 2)}        f = np.empty(n)
        gn = np.empty(n)
        f_lim = np.empty(n)
        x_lim = np.empty(n)
        status = np.zeros(n)  # float codes keep every loop one width, so it vectorises
        taken = np.zeros(n)
        osc = np.zeros(n)
        mid = np.full(n, np.nan)
        for i in range(n):
{block(start_eval, 3)}            f[i] = sf
            gn[i] = sgn
            f_lim[i] = div * (1 + abs(sf))
            out_f0[lo + i] = sf
            out_gn0[lo + i] = sgn
            x_lim[i] = (div * (1 + {norm_c})) ** 2  # compared with ‖x‖²: no sqrt per step
            if not (math.isfinite(sf) and math.isfinite(sgn)):
                status[i] = 3.0
        for t in range(steps + 1):
            alive = 0
            last = t == steps
            for i in range(n):  # stop rules, branch-free; a row that stops has taken t steps
                s = status[i]
                s = 1.0 if (s == 0) & (gn[i] <= tol) else s
                s = 2.0 if (s == 0) & last else s
                taken[i] = t if (status[i] == 0) & (s != 0) else taken[i]
                status[i] = s
                alive += 1 if s == 0 else 0
            if alive == 0:
                break
            cnt = t + 1.0
            first = t == 0
{block(prelude, 3)}            for i in range(n):  # the update: branch-free, few arrays, so it vectorises
                live = status[i] == 0
                lr_i = lr[lo + i]
{block(per_coord(update), 4)}                flip = 1.0 if ({dot}) < 0.0 else 0.0
                osc[i] = 0.9 * osc[i] + (1 - 0.9) * flip if live else osc[i]
{block(commit, 4)}            for i in range(n):  # f and ∇f at the new points (unchanged rows give the same)
{block(step_eval, 4)}                f[i] = nf
                gn[i] = ngn
{block([f"g{j}[i] = ng{j}" for j in range(dim)], 4)}                ok = (abs(nf) <= f_lim[i]) & (ngn < math.inf) & ({sq_c} <= x_lim[i])
                blown = (status[i] == 0) & (not ok)
                status[i] = 3.0 if blown else status[i]
                taken[i] = t + 1.0 if blown else taken[i]
            if t + 1 == half:
                for i in range(n):
                    mid[i] = f[i] if status[i] == 0 or (status[i] == 3 and taken[i] == half) \\
                        else mid[i]
        for i in range(n):
{block([f"X[lo + i, {j}] = p{j}[i]" for j in range(dim)], 3)}            out_f[lo + i] = f[i]
            out_gn[lo + i] = gn[i]
            out_steps[lo + i] = int(taken[i])
            out_status[lo + i] = int(status[i])
            out_osc[lo + i] = osc[i]
            out_mid[lo + i] = mid[i]
'''
    return src


def _kernel(obj, name: str, low_weight: bool = True):
    memo = (str(obj.formula.expr), obj.formula.variables, name, low_weight)
    if memo in _KERNELS:  # writing the source (SymPy's cse) costs more than a short run
        return _KERNELS[memo]
    src = _source(obj, name, low_weight)
    key = hashlib.sha256(src.encode()).hexdigest()[:20]
    path = _cache_dir() / f"gdlab_kernel_{key}.py"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(src)
        os.replace(tmp, path)
    module_name = f"gdlab_kernel_{key}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    _KERNELS[memo] = module.kernel
    return module.kernel


def run_block(obj, opt, x: np.ndarray, steps: int, tol: float, divergence: float
              ) -> dict[str, np.ndarray]:
    """Run the compiled loop on rows ``x: (N, D)`` (not modified). Returns end points,
    values, gradient norms, start values, steps, statuses, oscillation and mid values."""
    kernel = _kernel(obj, opt.name,
                     low_weight=1 - float(np.asarray(opt.hyper.get("beta1", 0.9)).flat[0]) < 0.5)
    n = x.shape[0]

    def row(key, default):
        value = opt.hyper.get(key, default)
        return np.ascontiguousarray(np.broadcast_to(
            np.asarray(value, dtype=np.float64).reshape(-1), (n,)))

    def scalar(key, default):
        return float(np.asarray(opt.hyper.get(key, default)).reshape(-1)[0])

    X = np.array(x, dtype=np.float64, order="C", copy=True)
    out = {k: np.empty(n) for k in ("value", "grad_norm", "start_value", "start_grad_norm",
                                    "oscillation", "mid_value")}
    steps_out = np.empty(n, dtype=np.int64)
    status_out = np.empty(n, dtype=np.int8)
    kernel(X, int(steps), float(tol), float(divergence), row("lr", 1e-3),
           scalar("momentum", 0.0), scalar("beta1", 0.9), scalar("beta2", 0.999),
           scalar("eps", 1e-8), int(steps) // 2,
           out["value"], out["grad_norm"], out["start_value"], out["start_grad_norm"], steps_out,
           status_out,
           out["oscillation"], out["mid_value"])
    out["final"] = X
    out["steps"] = steps_out
    out["status"] = status_out  # 0 running, 1 converged, 2 max_steps, 3 diverged
    return out
