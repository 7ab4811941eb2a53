r"""Building blocks of the optimizers: pure ``(init, update)`` pairs over ``(N, D)`` arrays.

A :class:`Transform` turns a gradient into an update, optax-style::

    state = t.init(params)                                # params: (N, D)
    updates, state = t.update(grads, state, params, ctx)  # never mutates its inputs
    params = params + updates

Every ``scale_by_*`` block returns a *descent-shaped* vector (it points like the gradient);
:func:`scale_by_learning_rate` multiplies by ``−lr`` and is the only place the sign flips.
Hyper-parameters may be scalars or ``(N, 1)`` arrays, so one pass runs many configurations
(a learning-rate sweep is one vectorised run). The arithmetic follows ``torch.optim``'s
single-tensor code operation by operation, so PyTorch trajectories are reproduced to rounding.

``ctx`` (:class:`Context`) gives what a few blocks need besides the gradient: the function
value (line search) and the Hessian (Newton).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

__all__ = [
    "Transform", "Context", "chain", "add_decayed_weights", "add_noise", "trace",
    "scale_by_adagrad", "scale_by_rms", "scale_by_adam", "scale_by_nadam",
    "scale_by_adadelta", "scale_by_backtracking", "scale_by_newton", "scale_by_learning_rate",
    "decoupled_weight_decay", "EmptyState", "CountState", "NoiseState", "TraceState",
    "AdagradState", "RmsState", "AdamState", "NadamState", "AdadeltaState",
]


class Transform(NamedTuple):
    """A gradient transformation: ``init(params) -> state``,
    ``update(grads, state, params, ctx) -> (updates, state)``."""

    init: Callable[[np.ndarray], tuple]
    update: Callable[..., tuple[np.ndarray, tuple]]


class EmptyState(NamedTuple):
    """A transform without state."""


class CountState(NamedTuple):
    """``count``: ``(N, 1)`` steps taken."""

    count: np.ndarray


class NoiseState(NamedTuple):
    """``count``: ``(N, 1)`` steps taken (the noise of step t is drawn from (seed, t))."""

    count: np.ndarray


class TraceState(NamedTuple):
    """Momentum: ``buffer`` b ``(N, D)`` and ``count`` ``(N, 1)``."""

    buffer: np.ndarray
    count: np.ndarray


class AdagradState(NamedTuple):
    """``sum_sq`` s = Σg² ``(N, D)`` and ``count`` ``(N, 1)``."""

    sum_sq: np.ndarray
    count: np.ndarray


class RmsState(NamedTuple):
    """``square_avg`` v, ``grad_avg`` ḡ (centred only) and the momentum ``buffer``, ``(N, D)``."""

    square_avg: np.ndarray
    grad_avg: np.ndarray
    buffer: np.ndarray


class AdamState(NamedTuple):
    """``mu`` m, ``nu`` v and ``nu_max`` (AMSGrad's running maximum), ``(N, D)``; ``count``."""

    mu: np.ndarray
    nu: np.ndarray
    nu_max: np.ndarray
    count: np.ndarray


class NadamState(NamedTuple):
    """``mu`` m and ``nu`` v ``(N, D)``; ``mu_product`` Πμₜ and ``count``, ``(N, 1)``."""

    mu: np.ndarray
    nu: np.ndarray
    mu_product: np.ndarray
    count: np.ndarray


class AdadeltaState(NamedTuple):
    """``square_avg`` v of g² and ``acc_delta`` u of δ², ``(N, D)``."""

    square_avg: np.ndarray
    acc_delta: np.ndarray


@dataclass(frozen=True)
class Context:
    """What an update may consult besides the gradient (all vectorised over ``(N, D)``)."""

    value: Callable[[np.ndarray], np.ndarray] | None = None
    hessian: Callable[[np.ndarray], np.ndarray] | None = None


def _count(params: np.ndarray) -> np.ndarray:
    return np.zeros((params.shape[0], 1))


def _scheduled(learning_rate, schedule: Callable | None, count: np.ndarray):
    """``lr·s(t)`` with ``t`` the steps already taken (the rows step together)."""
    if schedule is None:
        return learning_rate
    return learning_rate * schedule(int(count.flat[0]) if count.size else 0)


def chain(*transforms: Transform) -> Transform:
    """Apply transforms in order; the state is the tuple of their states."""

    def init(params):
        return tuple(t.init(params) for t in transforms)

    def update(grads, state, params, ctx=None):
        new_state = []
        for t, s in zip(transforms, state):
            grads, s = t.update(grads, s, params, ctx)
            new_state.append(s)
        return grads, tuple(new_state)

    return Transform(init, update)


def add_decayed_weights(weight_decay) -> Transform:
    """``g + wd·x`` (L2 regularisation as torch's ``weight_decay``)."""

    def update(grads, state, params, ctx=None):
        if np.all(np.asarray(weight_decay) == 0):
            return grads, state
        return grads + weight_decay * params, state

    return Transform(lambda params: EmptyState(), update)


def add_noise(stddev, seed: int) -> Transform:
    """``g + σ·ξ`` with ``ξ ~ N(0, I)`` drawn from ``(seed, step)``: stochastic gradient
    descent's noise, reproducible. The draw for a row depends on its position in the batch."""

    def init(params):
        return NoiseState(_count(params))

    def update(grads, state, params, ctx=None):
        count = state.count
        step = int(count.flat[0]) if count.size else 0
        noise = np.random.default_rng([int(seed), step]).standard_normal(grads.shape)
        return grads + stddev * noise, NoiseState(count + 1)

    return Transform(init, update)


def trace(momentum, nesterov: bool = False, dampening=0.0) -> Transform:
    """Heavy-ball momentum as torch.optim.SGD: ``b ← μ·b + (1 − dampening)·g`` (``b₁ = g``);
    returns ``b``, or ``g + μ·b`` with Nesterov."""

    def init(params):
        return TraceState(np.zeros_like(params), _count(params))

    def update(grads, state, params, ctx=None):
        buf, count = state
        first = count == 0
        buf = np.where(first, grads, buf * momentum + grads * (1 - dampening))
        out = grads + buf * momentum if nesterov else buf
        return out, TraceState(buf, count + 1)

    return Transform(init, update)


def scale_by_adagrad(eps=1e-10, initial_accumulator_value=0.0, lr_decay=0.0) -> Transform:
    """torch.optim.Adagrad: ``s ← s + g²``; returns ``g / (√s + ε) / (1 + (t−1)·lr_decay)``."""

    def init(params):
        return AdagradState(np.full_like(params, initial_accumulator_value), _count(params))

    def update(grads, state, params, ctx=None):
        acc, count = state
        count = count + 1
        acc = acc + grads * grads
        std = np.sqrt(acc) + eps
        decay = 1.0 / (1 + (count - 1) * lr_decay)
        return decay * grads / std, AdagradState(acc, count)

    return Transform(init, update)


def scale_by_rms(alpha=0.99, eps=1e-8, centered: bool = False, momentum=0.0) -> Transform:
    """torch.optim.RMSprop: ``v ← αv + (1−α)g²``; ``a = √v + ε`` (centred: ``√(v − ḡ²) + ε``);
    returns ``g/a``, or the momentum buffer ``b ← μb + g/a``."""

    def init(params):
        return RmsState(np.zeros_like(params), np.zeros_like(params), np.zeros_like(params))

    def update(grads, state, params, ctx=None):
        sq, gavg, buf = state
        sq = sq * alpha + (1 - alpha) * grads * grads
        if centered:
            gavg = _lerp(gavg, grads, 1 - alpha)
            avg = np.sqrt(sq - gavg * gavg) + eps
        else:
            avg = np.sqrt(sq) + eps
        if np.any(np.asarray(momentum) > 0):
            buf = buf * momentum + grads / avg
            return buf, RmsState(sq, gavg, buf)
        return grads / avg, RmsState(sq, gavg, buf)

    return Transform(init, update)


def _lerp(start, end, weight):
    """torch.lerp's arithmetic: ``start + w·(end − start)`` for w < 0.5, else
    ``end − (end − start)·(1 − w)``."""
    if np.ndim(weight) == 0:
        if weight < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1 - weight)
    weight = np.asarray(weight, dtype=np.float64)
    return np.where(weight < 0.5, start + weight * (end - start),
                    end - (end - start) * (1 - weight))


def _power(base, count):
    """``base ** count`` for the per-row step counts; one ``pow`` when the counts agree (they
    do in the engine: every live row has taken the same number of steps)."""
    first = count.flat[0] if count.size else 0.0
    if np.ndim(base) == 0 and count.size and np.all(count == first):
        return base ** float(first)
    return base**count


def scale_by_adam(beta1=0.9, beta2=0.999, eps=1e-8, amsgrad: bool = False) -> Transform:
    """torch.optim.Adam: ``m ← m + (1−β₁)(g − m)``, ``v ← β₂v + (1−β₂)g²``; returns
    ``m / (√v̂ / √(1−β₂ᵗ) + ε) / (1−β₁ᵗ)`` (AMSGrad: ``v̂ = max`` of all ``v``, else ``v``)."""

    def init(params):
        zeros = np.zeros_like(params)
        return AdamState(zeros, zeros, zeros, _count(params))

    def update(grads, state, params, ctx=None):
        m, v, vmax, count = state
        count = count + 1
        m = _lerp(m, grads, 1 - beta1)
        v = v * beta2 + (1 - beta2) * grads * grads
        bc1 = 1 - _power(beta1, count)
        bc2_sqrt = np.sqrt(1 - _power(beta2, count))
        if amsgrad:
            vmax = np.maximum(vmax, v)
            denom = np.sqrt(vmax) / bc2_sqrt + eps
        else:
            denom = np.sqrt(v) / bc2_sqrt + eps
        return (1.0 / bc1) * m / denom, AdamState(m, v, vmax, count)

    return Transform(init, update)


def scale_by_nadam(beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=4e-3) -> Transform:
    """torch.optim.NAdam (Dozat 2016, with torch's momentum schedule):
    ``μₜ = β₁(1 − ½·0.96^(t·ψ))``, ``m`` and ``v`` as Adam, ``d = √(v/(1−β₂ᵗ)) + ε``; returns
    ``(1−μₜ)/(1−Πμ)·g/d + μₜ₊₁/(1−Πμ·μₜ₊₁)·m/d``."""

    def init(params):
        zeros = np.zeros_like(params)
        return NadamState(zeros, zeros, np.ones((params.shape[0], 1)), _count(params))

    def update(grads, state, params, ctx=None):
        m, v, mu_product, count = state
        count = count + 1
        bc2 = 1 - _power(beta2, count)
        mu = beta1 * (1.0 - 0.5 * _power(0.96, count * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * _power(0.96, (count + 1) * momentum_decay))
        mu_product = mu_product * mu
        m = _lerp(m, grads, 1 - beta1)
        v = v * beta2 + (1 - beta2) * grads * grads
        denom = np.sqrt(v / bc2) + eps
        mu_product_next = mu_product * mu_next
        out = ((1.0 - mu) / (1.0 - mu_product)) * grads / denom \
            + (mu_next / (1.0 - mu_product_next)) * m / denom
        return out, NadamState(m, v, mu_product, count)

    return Transform(init, update)


def scale_by_adadelta(rho=0.9, eps=1e-6) -> Transform:
    """torch.optim.Adadelta: ``v ← ρv + (1−ρ)g²``, ``δ = √(u + ε)/√(v + ε)·g``,
    ``u ← ρu + (1−ρ)δ²``; returns ``δ``."""

    def init(params):
        zeros = np.zeros_like(params)
        return AdadeltaState(zeros, zeros)

    def update(grads, state, params, ctx=None):
        sq, acc = state
        sq = sq * rho + (1 - rho) * grads * grads
        std = np.sqrt(sq + eps)
        delta = np.sqrt(acc + eps) / std * grads
        acc = acc * rho + (1 - rho) * delta * delta
        return delta, AdadeltaState(sq, acc)

    return Transform(init, update)


def scale_by_backtracking(learning_rate, c=1e-4, beta=0.5, max_backtracks: int = 50,
                          schedule: Callable | None = None) -> Transform:
    """Armijo line search along ``−g``: the largest ``s = βᵏ`` with
    ``f(x − lr·s·g) ≤ f(x) − c·lr·s·‖g‖²``; returns ``s·g`` (``lr`` is applied later)."""

    def init(params):
        return CountState(_count(params))

    def update(grads, state, params, ctx=None):
        count = state.count
        if ctx is None or ctx.value is None:
            raise ValueError("backtracking needs the function value in the context")
        lr = _scheduled(learning_rate, schedule, count)
        lr = np.broadcast_to(np.asarray(lr, dtype=np.float64), (params.shape[0], 1))
        f0 = ctx.value(params)
        gg = np.sum(grads * grads, axis=-1)
        scale = np.ones(params.shape[0])
        pending = np.ones(params.shape[0], dtype=bool)
        for _ in range(max_backtracks):
            idx = np.flatnonzero(pending)
            if idx.size == 0:
                break
            trial = params[idx] - (lr[idx, 0] * scale[idx])[:, None] * grads[idx]
            ft = ctx.value(trial)
            ok = ft <= f0[idx] - c * lr[idx, 0] * scale[idx] * gg[idx]
            pending[idx[ok]] = False
            scale[idx[~ok]] *= beta
        return scale[:, None] * grads, CountState(count + 1)

    return Transform(init, update)


def scale_by_newton(damping=0.0) -> Transform:
    """Newton direction ``(H + λI)⁻¹ g`` (least squares where singular). Undamped Newton
    jumps to the nearest critical point of any kind — saddles and maxima included."""

    def update(grads, state, params, ctx=None):
        if ctx is None or ctx.hessian is None:
            raise ValueError("newton needs the Hessian in the context")
        h = ctx.hessian(params)
        dim = params.shape[-1]
        lam = np.asarray(damping, dtype=np.float64).reshape(-1, 1, 1)
        h = h + lam * np.eye(dim)
        out = np.empty_like(grads)
        with np.errstate(all="ignore"):
            ok = np.isfinite(h).all(axis=(-1, -2)) & (np.abs(np.linalg.det(h)) > 1e-300)
            if ok.any():
                out[ok] = np.linalg.solve(h[ok], grads[ok][..., None])[..., 0]
            for i in np.flatnonzero(~ok):
                if np.all(np.isfinite(h[i])):
                    out[i] = np.linalg.lstsq(h[i], grads[i], rcond=None)[0]
                else:
                    out[i] = np.nan
        return out, state

    return Transform(lambda params: EmptyState(), update)


def scale_by_learning_rate(learning_rate, schedule: Callable | None = None) -> Transform:
    """``u ← −lr·s(t)·u``: the one place where the sign flips. ``schedule(t)`` is a factor
    (``t`` = steps already taken)."""

    def init(params):
        return CountState(_count(params))

    def update(grads, state, params, ctx=None):
        count = state.count
        return -_scheduled(learning_rate, schedule, count) * grads, CountState(count + 1)

    return Transform(init, update)


def decoupled_weight_decay(learning_rate, weight_decay,
                           schedule: Callable | None = None) -> Transform:
    """AdamW's decay, applied last: ``u ← u − lr·wd·x`` (torch: ``x ← x·(1 − lr·wd)`` before
    the Adam step)."""

    def init(params):
        return CountState(_count(params))

    def update(updates, state, params, ctx=None):
        count = state.count
        decayed = params * (1 - _scheduled(learning_rate, schedule, count) * weight_decay)
        return (decayed - params) + updates, CountState(count + 1)

    return Transform(init, update)


def tree_take(state: Any, index: np.ndarray) -> Any:
    """Rows ``index`` of every array in a nested state tuple."""
    if isinstance(state, tuple):
        parts = [tree_take(s, index) for s in state]
        return state._make(parts) if hasattr(state, "_fields") else tuple(parts)
    return state[index]
