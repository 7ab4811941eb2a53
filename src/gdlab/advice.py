"""What to do about a run: a structured ``suggestion`` and the explanation and advice written
from it.

A suggestion is a dict of ``gdlab descend`` options — names without dashes, ``_`` for ``-``
(``lr``, ``optimizer``, ``momentum``, ``max_steps``, ``start``, ``schedule``, ``random_starts``,
``tol``, ``eps``)
and values as typed (``start`` as ``"x,y"``) — which, applied to the same command, fixes or
improves the run; ``None`` where no option can (an ``unbounded`` function, a minimum already
found). It never names the optimizer the run already used, a schedule where the run had one,
or an option the front end showing it lacks (``options``), and it never grows a learning rate
more than :data:`MAX_LR_GROWTH` times — except one :data:`FAR_BELOW` times below the
stability bound or more, which goes to half the bound. What each suggestion promises (the
closed-loop test in ``tests/test_advice.py`` applies every one and checks it):

===============  ===================================================  ========================
label            suggestion                                           promise
===============  ===================================================  ========================
unbounded        ``None``: no learning rate makes f bounded            —
diverged         ``lr``: half the optimizer's stability bound at the  the run does not diverge
                 start, or a tenth of the learning rate
oscillating      ``schedule`` (inverse-time decay) at a kink of f;    a lower f at the end
                 else ``lr``: half the bound at the end point, or a
                 tenth
slow             ``optimizer`` momentum after a saddle slowed it;     a lower f at the end
                 else ``lr`` up to the bound (≤ 10×; half the bound
                 from ≥ 1000× below it); else
                 ``max_steps`` × 10
plateau          ``optimizer`` adam (or ``lr`` × 10 for an adaptive   a lower f at the end
                 one), ``eps`` below gradients smaller than it, and
                 ``tol`` 0 where the stop rule fired
saddle, maximum  ``start`` pushed along the lowest-curvature           a lower f at the end
                 direction (``optimizer`` gd instead of newton);
                 ``None`` where leaving falls without bound
local_minimum    ``start`` of this call's run that reached lower, or  a lower f (best run)
                 ``random_starts``
global_minimum,  ``None``: nothing to fix                              —
minimum
===============  ===================================================  ========================
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["advise", "OPTIONS", "MAX_LR_GROWTH", "FAR_BELOW", "ADAPTIVE"]

#: Every option a suggestion may use (the CLI's); a front end passes the ones it has.
OPTIONS = ("lr", "optimizer", "momentum", "max_steps", "start", "schedule", "random_starts",
           "tol", "eps")
#: The largest factor by which a suggestion raises a learning rate.
MAX_LR_GROWTH = 10.0
FAR_BELOW = 1000.0  # a rate this far below the stability bound is raised to half the bound
#: Optimizers that rescale their steps per coordinate (no stability bound of their own).
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw", "amsgrad", "nadam", "adadelta")
RANDOM_STARTS = 100


def _typed(v: float) -> float:
    """A number as one would type it: three significant digits."""
    return float(f"{v:.3g}")


def _point(x) -> str:
    return "(" + ", ".join(f"{0.0 if abs(v) < 1e-12 else v:.4g}" for v in x) + ")"


def _start_text(x) -> str:
    return ",".join(f"{v:.4g}" for v in x)


def _lr_text(f) -> str:
    return f"learning rate {f.lr:g}" if f.lr is not None else "the learning rate"


def _where(f) -> str:
    """Where the bound was taken, for the text."""
    if f.bound_at is None:
        return ""
    if np.array_equal(f.bound_at, f.start) and not np.array_equal(f.bound_at, f.final):
        place = "the start"
    elif f.nearest_minimum is not None and np.allclose(f.bound_at,
                                                       f.nearest_minimum["location"]):
        place = "the minimum"
    else:
        place = "the end point"
    return f" at {place} {_point(f.bound_at)}"


def _best_gd_lr(f) -> float | None:
    """2/(λmin + λmax) at the minimum: gradient descent's fastest constant step on a bowl."""
    lam = np.asarray(f.curvatures, dtype=float)
    if lam.size == 0 or not np.all(np.isfinite(lam)) or lam.min() <= 0:
        return None
    return 2.0 / (lam.min() + lam.max())


def _rate(optimizer: str, lr: float, mu: float, curvatures) -> float:
    """How much one step shrinks the error on the quadratic with these curvatures (the
    spectral radius of the linear iteration): |1 − lr·λ| for gradient descent, the larger root
    of z² − (1 + μ − lr·λ)z + μ for heavy-ball momentum and of
    z² − (1 + μ)(1 − lr·λ)z + μ(1 − lr·λ) for Nesterov, worst over λ."""
    return float(_rates(optimizer, np.asarray(lr, float), np.asarray(mu, float),
                        np.asarray(curvatures, float)))


def _rates(optimizer: str, lr: np.ndarray, mu: np.ndarray, curvatures: np.ndarray
           ) -> np.ndarray:
    """:func:`_rate` over broadcast arrays of ``lr`` and ``mu`` (the roots in closed form)."""
    a = lr[..., None] * curvatures  # (..., L)
    mu = mu[..., None]
    if optimizer == "momentum":
        b, c = 1 + mu - a, mu + 0 * a
    elif optimizer == "nesterov":
        b, c = (1 + mu) * (1 - a), mu * (1 - a)
    else:
        return np.max(np.abs(1 - a), axis=-1)
    disc = b * b - 4 * c
    real = np.sqrt(np.abs(disc))
    radius = np.where(disc < 0, np.sqrt(np.abs(c)),
                      np.maximum(np.abs(b + real), np.abs(b - real)) / 2)
    return np.max(radius, axis=-1)


def _steps(n: int) -> str:
    """``1 step``, ``2 steps``."""
    return f"{n} step{'' if n == 1 else 's'}"


def _tuned_momentum(f):
    """For a slow momentum or Nesterov run: the learning rate (at most ten times larger) and
    momentum that shrink the error fastest on the curvature at ``bound_at``, as
    ``(lr, momentum, rate now, rate then)`` — where that takes fewer than 2/3 of the steps."""
    lam = np.asarray(f.curvatures, dtype=float)
    mu = f.hyper.get("momentum")
    if f.optimizer not in ("momentum", "nesterov") or f.lr is None or mu is None or \
            lam.size == 0 or not np.all(np.isfinite(lam)) or lam.min() <= 0:
        return None
    return _tune(f.optimizer, float(f.lr), float(mu), tuple(float(v) for v in lam))


@lru_cache(maxsize=256)  # the runs of a call share a few minima: tune once per minimum
def _tune(optimizer: str, lr0: float, mu: float, lam: tuple[float, ...]):
    now = _rate(optimizer, lr0, mu, lam)
    lrs, mus = np.meshgrid(np.geomspace(lr0, MAX_LR_GROWTH * lr0, 25),
                           np.linspace(0.0, 0.99, 100), indexing="ij")
    rates = _rates(optimizer, lrs, mus, np.asarray(lam))
    i = np.unravel_index(int(np.argmin(rates)), rates.shape)
    then, lr, mu_best = (float(rates[i]), float(lrs[i]), float(mus[i])) \
        if rates[i] < now else (now, lr0, mu)
    if not (0 < then < 1) or not (0 < now < 1) or np.log(then) > 1.5 * np.log(now):
        return None
    lr, mu_best = _typed(lr), _typed(mu_best)
    return lr, mu_best, now, _rate(optimizer, lr, mu_best, lam)


def _max_steps(f):
    from .limits import MAX_STEPS

    return f.max_steps * 10 if f.max_steps * 10 <= MAX_STEPS else None


def _keep(suggestion: dict[str, Any] | None, options: frozenset) -> dict[str, Any] | None:
    if suggestion is None or not set(suggestion) <= options:
        return None
    return suggestion


# --- one function per label: (explanation, advice, suggestion) ---------------------------------


def _unbounded(f, options):
    direction = "" if f.descent is None else f" along {_point(f.descent)}"
    how = "the engine stopped it when it blew up" if f.status == "diverged" else \
        f"it was still falling after {_steps(f.steps)}"
    far = "" if f.falls_to is None or not np.isfinite(f.falls_to) else \
        (f"; past the path's end f keeps falling{direction} (to {f.falls_to:.3g} at distance "
         f"{f.falls_distance:.3g})")
    bowl = " + ".join(f"{v}^2" for v in f.variables)
    bowl = bowl if len(f.variables) == 1 else f"({bowl})"
    return (f"f has no minimum where the run went: f fell from {f.start_value:.6g} to "
            f"{f.value:.6g} ({how}){far}.",
            "no learning rate or optimizer fixes this: f is unbounded below"
            f"{direction}. Give it a minimum (e.g. add 0.01*{bowl}) or pick another "
            "function.", None)


def _apart(a: float, b: float) -> tuple[str, str]:
    """Two values with enough digits (6 to 17) that they read differently where they differ:
    25 and 24.999998, not 25 and 25."""
    for digits in range(6, 18):
        texts = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if texts[0] != texts[1] or a == b:
            return texts
    return texts


def _ratio(big: float, small: float) -> str:
    """``big / small`` as "N×", also where the quotient is past the double range (1e-320)."""
    with np.errstate(all="ignore"):
        quotient = big / small
    if np.isfinite(quotient):
        return f"{quotient:.3g}×"
    return f"10^{np.log10(big) - np.log10(small):.0f}×"


def _diverged(f, options):
    if f.steps == 0:  # the start itself: no learning rate is to blame
        norm = f"‖∇f‖ = {f.gradient_norm:.3g}" if np.isfinite(f.gradient_norm) else \
            "‖∇f‖ past 1.3e154, whose square the engine cannot hold"
        return (f"the start is past double precision's range: f = {f.start_value:.3g}, "
                f"{norm} (f past 1.8e308 cannot be stored either), so no step was taken.",
                "start nearer, or rescale the function so that its values and gradients stay "
                "far inside ±1e154.", None)
    explanation = f"f blew up after {_steps(f.steps)}" + (
        f" (|f| reached {abs(f.value):.3g})." if np.isfinite(f.value)
        else " (f became non-finite).")
    if f.lr is None:
        return explanation, "lower the learning rate.", None
    bound = f.own_bound
    if bound is not None and f.lr > bound:
        lr = _typed(bound / 2)
        advice = (f"{_lr_text(f)} is {_ratio(f.lr, bound)} above the stability bound "
                  f"{bound:.3g}{_where(f)}: try lr={lr:g} (half the bound).")
    else:
        lr = _typed(f.lr / 10)
        advice = f"{_lr_text(f)} is too large here: try lr={lr:g} (ten times smaller)."
    return explanation, advice, _keep({"lr": lr}, options)


def _oscillating(f, options):
    if f.value > f.start_value:
        explanation = (f"f ended higher than it started, from {f.start_value:.6g} to "
                       f"{f.value:.6g}: a step overshot (perhaps across a pole of f, where it is "
                       "not finite)")
    elif f.oscillation >= f.thresholds["oscillation"]:
        explanation = (f"did not converge in {_steps(f.steps)}: the step reversed direction in "
                       f"{f.oscillation:.0%} of the recent steps")
    else:
        explanation = (f"did not converge in {_steps(f.steps)} and stopped descending "
                       f"(f = {f.value:.4g})")
    bound = f.own_bound
    if f.at_kink:
        explanation += (f". It rattles across a kink of f near {_point(f.final)}, where f is "
                        "not differentiable: a fixed step never settles there.")
        decay = _typed(9 / f.max_steps)
        if f.schedule is None and "schedule" in options:
            suggestion = {"schedule": f"inverse_time:{decay:g}"}
            return explanation, (f"let the step shrink: schedule=inverse_time:{decay:g} "
                                 "(the learning rate falls tenfold over the run)."), suggestion
    elif f.lr is not None and f.lambda_max is not None and bound is not None and \
            f.value <= f.start_value:
        explanation += (f"; lr·λmax = {f.lr * f.lambda_max:.3g}{_where(f)}, so the learning "
                        f"rate is {'above' if f.lr > bound else 'near'} the stability bound "
                        f"{bound:.3g}")
        if f.lr > bound:
            lr = _typed(bound / 2)
            return explanation + ".", (f"lower the learning rate to lr={lr:g} (half the bound "
                                       "damps the zig-zag)."), _keep({"lr": lr}, options)
        explanation += ": the zig-zag is damped, and it shrinks every step."
        best = _best_gd_lr(f)
        if best is not None and f.optimizer == "gd" and abs(f.lr - best) > 0.2 * best:
            lr = _typed(best)
            return explanation, (f"use lr={lr:g} = 2/(λmin + λmax), the fastest constant "
                                 "step on this bowl."), _keep({"lr": lr}, options)
        steps = _max_steps(f)
        if steps is not None and "max_steps" in options:
            return explanation, (f"the learning rate is right; allow more steps: "
                                 f"max_steps={steps}."), {"max_steps": steps}
        return explanation, "the learning rate is right; it needs more steps.", None
    else:
        explanation += "."
    if f.lr is None:
        return explanation, "lower the learning rate.", None
    lr = _typed(f.lr / 10)
    return explanation, f"lower {_lr_text(f)}: try lr={lr:g}.", _keep({"lr": lr}, options)


def _slow(f, options):
    if f.steps == 0:
        return ("no step was taken: the step limit is 0.", "allow steps: max_steps=1000.",
                _keep({"max_steps": 1000}, options))
    bound = f.own_bound
    step = (f.lr or 0) * f.gradient_norm
    if f.made_no_progress and step > 4 * float(np.spacing(np.max(np.abs(f.start)))):
        # not rounding: the optimizer's own update was 0 although ∇f is not
        if f.optimizer == "newton":
            return (f"the {_steps(f.steps)} did not move x: Newton's step (∇²f)⁻¹∇f is 0 here "
                    f"although ‖∇f‖ = {f.gradient_norm:.3g}, because the Hessian is singular "
                    "(f is linear along ∇f, e.g. abs away from its kink): a second-order "
                    "method sees no curvature to follow.",
                    "use a first-order method: try optimizer=gd.",
                    _keep({"optimizer": "gd"}, options))
        return (f"the {_steps(f.steps)} did not move x although ‖∇f‖ = {f.gradient_norm:.3g}: "
                f"{f.optimizer}'s update was 0.", "try optimizer=gd.",
                _keep({"optimizer": "gd"}, options))
    if f.made_no_progress:
        explanation = (f"the {_steps(f.steps)} did not move x at all: lr·‖∇f‖ = "
                       f"{(f.lr or 0) * f.gradient_norm:.3g} is below the spacing of doubles "
                       f"at {_point(f.start)}.")
        if f.lr is not None and bound is not None:
            lr = _typed(bound / 2)
            return explanation, (f"{_lr_text(f)} is {_ratio(bound, f.lr)} below the stability "
                                 f"bound {bound:.3g}{_where(f)}: try lr={lr:g} (half the "
                                 "bound)."), _keep({"lr": lr}, options)
        if f.lr is not None:
            lr = _typed(f.lr * MAX_LR_GROWTH)
            return explanation, f"raise {_lr_text(f)}: try lr={lr:g}.", \
                _keep({"lr": lr}, options)
        return explanation, "raise the learning rate.", None
    before, after = _apart(f.start_value, f.value)
    explanation = (f"still descending when the {f.steps}-step limit was reached: f fell from "
                   f"{before} to {after} (by {f.start_value - f.value:.3g}), "
                   f"‖∇f‖ = {f.gradient_norm:.2g}.")
    saddle = next((e for e in f.events if e["kind"] == "near_saddle"), None)
    if saddle is not None:
        if f.optimizer in ("gd",) and f.lr is not None:
            suggestion = _keep({"optimizer": "momentum", "lr": _typed(f.lr),
                                "momentum": 0.9}, options)
            if suggestion:
                return explanation, ("use momentum (optimizer=momentum, momentum=0.9): it "
                                     "carries the path past saddles and along shallow slopes."
                                     ), suggestion
    if f.at_kink:  # the curvature beside a kink says nothing about the step there
        steps = _max_steps(f)
        explanation += f" It ends near a kink of f at {_point(f.final)}."
        if steps is not None and "max_steps" in options:
            return explanation, f"allow more steps: max_steps={steps}.", {"max_steps": steps}
        return explanation, "it needs more steps.", None
    tuned = _tuned_momentum(f)
    if tuned is not None and {"lr", "momentum"} <= options:
        lr, mu, now, then = tuned
        return explanation, (f"momentum {f.hyper.get('momentum', 0):g} limits the speed here, "
                             f"not the learning rate: on the curvature{_where(f)} each step "
                             f"shrinks the error by {now:.3g}; with lr={lr:g}, momentum={mu:g} "
                             f"by {then:.3g}."), {"lr": lr, "momentum": mu}
    if f.lr is not None and bound is not None and f.lr < bound / 10 and \
            f.optimizer not in ("momentum", "nesterov"):
        # ≤ 10× at a time, unless the rate is three decades or more below the bound: then
        # ten times more is still nothing to see (the note's lr = 1e−10), so half the bound
        lr = _typed(bound / 2 if f.lr < bound / FAR_BELOW
                    else min(bound / 2, MAX_LR_GROWTH * f.lr))
        capped = " (ten times larger" + (f"; the bound allows up to {bound:.3g})"
                                         if lr < bound / 2 * 0.999 else ")")
        return explanation, (f"{_lr_text(f)} is {_ratio(bound, f.lr)} below the stability "
                             f"bound {bound:.3g}{_where(f)}: try lr={lr:g}"
                             f"{capped if lr < _typed(bound / 2) else ''}."), \
            _keep({"lr": lr}, options)
    if f.lr is not None and f.optimizer in ADAPTIVE and f.lr < 0.1:
        lr = _typed(f.lr * MAX_LR_GROWTH)
        return explanation, f"raise {_lr_text(f)}: try lr={lr:g}.", _keep({"lr": lr}, options)
    steps = _max_steps(f)
    if steps is not None and "max_steps" in options:
        return explanation, f"allow more steps: max_steps={steps}.", {"max_steps": steps}
    return explanation, "no single option is sure to help: the step limit is reached.", None


def _plateau(f, options):
    if f.numerically_flat:
        return (f"stopped at {_point(f.final)}, where ∇f is exactly 0 and f = {f.value:.6g} is "
                "constant to double precision a step away in every direction, with no "
                "curvature: f is flat here (constant, or a tail where the gradient "
                "underflowed), which cannot be told from a minimum.",
                "start where f changes: no step size moves a run whose gradient is exactly 0.",
                None)
    lower = "f is unbounded below" if f.best is None else \
        f"a lower value {f.best:.4g} is known"
    explanation = (f"stalled on a plateau at {_point(f.final)}: ‖∇f‖ = {f.gradient_norm:.2g} "
                   f"and the curvature is below {f.thresholds['plateau']:g} in every "
                   f"direction, while {lower}.")
    stop = {}
    if f.status == "converged":  # the stopping rule fired on the flat ground
        explanation += (f" The run stopped because ‖∇f‖ fell below tol after {f.steps} "
                        "steps: on a plateau that says nothing.")
        stop = {"tol": 0}
    from .optim import OPTIMIZERS

    adam_eps = OPTIMIZERS["adam"].defaults["eps"]
    eps = f.hyper.get("eps", adam_eps) if f.optimizer in ADAPTIVE else adam_eps
    if f.gradient_norm < 100 * eps:  # ε would swamp the gradient an adaptive step divides by
        stop["eps"] = _typed(max(f.gradient_norm / 100, 1e-300))
    extra = "".join(f", {k}={v:g}" for k, v in stop.items())
    if f.optimizer not in ADAPTIVE:
        lr = _typed(0.01 * max(1.0, float(np.linalg.norm(f.final))))
        suggestion = {"optimizer": "adam", "lr": lr, **stop}
        return explanation, (f"use Adam (optimizer=adam, lr={lr:g}{extra}): it rescales the "
                             "tiny gradients, so it keeps moving across flat ground."), \
            _keep(suggestion, options)
    if "eps" in stop:
        return explanation, (f"let the adaptive step see the tiny gradient: eps="
                             f"{stop['eps']:g}{', tol=0' if 'tol' in stop else ''}."), \
            _keep(stop, options)
    if f.lr is None:
        return explanation, "raise the learning rate.", None
    lr = _typed(f.lr * MAX_LR_GROWTH)
    return explanation, f"raise {_lr_text(f)}: try lr={lr:g}{extra}.", \
        _keep({"lr": lr, **stop}, options)


def _stationary(f, options, what: str, shape: str):
    explanation = f"stopped at {what} {_point(f.final)}: ∇f ≈ 0 ({f.gradient_norm:.2g}) {shape}."
    if f.escape_unbounded:
        return (explanation + " Leaving it, f falls without bound: f has no minimum there.",
                "no option gives this run a minimum: f is unbounded below beside this point.",
                None)
    if f.optimizer == "newton":
        return explanation, ("Newton's method heads for any critical point: use gradient "
                             "descent (optimizer=gd)."), _keep({"optimizer": "gd"}, options)
    if f.escape is None:
        return explanation, "start elsewhere.", None
    delta = 0.01 * max(1.0, float(np.linalg.norm(f.start)))
    start = _start_text(np.asarray(f.start) + delta * np.asarray(f.escape))
    return explanation, (f"the start lies on the one path into this point: push it along "
                         f"{_point(f.escape)}, the direction of falling curvature "
                         f"(start={start})."), _keep({"start": start}, options)


def _saddle(f, options):
    if f.positive and f.negative:
        shape = (f"but the curvature is positive in some directions and negative in others "
                 f"(λ from {float(np.min(f.lam_end)):.3g} to {float(np.max(f.lam_end)):.3g})")
    else:
        shape = ("but the Hessian is ≈ 0 there: a degenerate saddle, downhill in some "
                 "directions at higher order")
    return _stationary(f, options, "a saddle point", shape)


def _maximum(f, options):
    return _stationary(f, options, "a local maximum", "and the curvature is negative")


def _global(f, options):
    source = "the lowest found among this call's runs, not proven global" \
        if f.best_is_found else f"the known global minimum of {f.library or 'f'}" + (
            ", the library function this formula is" if f.library != f.function else "")
    return (f"reached a global minimum: f = {f.value:.6g} at {_point(f.final)} ({source}) in "
            f"{_steps(f.steps)}.",
            "nothing to fix; compare optimizers or learning rates to get here in fewer steps.",
            None)


def _local(f, options):
    explanation = (f"reached a local minimum f = {f.value:.6g} at {_point(f.final)}, but a "
                   f"lower value {f.best:.6g} is known.")
    if f.better_start is not None:
        start = _start_text(f.better_start)
        return explanation, (f"the start decides the basin: from start={start} the same "
                             "optimizer reached lower in this call."), \
            _keep({"start": start}, options)
    if f.runs >= RANDOM_STARTS:
        return explanation, (f"none of this call's {f.runs} starts reached lower with this "
                             "optimizer: the lower minima have small basins here; compare "
                             "optimizers (momentum can cross low barriers)."), None
    return explanation, (f"the start decides the basin: try many "
                         f"(random_starts={RANDOM_STARTS}) to find one that reaches lower."), \
        _keep({"random_starts": RANDOM_STARTS}, options)


def _minimum(f, options):
    note = " The function is flat here (curvature below " \
        f"{f.thresholds['flat']:g}): it may be a plateau rather than a minimum." if f.flat else ""
    return (f"reached a minimum f = {f.value:.6g} at {_point(f.final)} in {_steps(f.steps)}; "
            "gdlab knows no minimum of this typed formula to compare it with (a library "
            f"function lists its minima, so there the same run is global or local).{note}",
            "run several starts to learn whether it is the lowest.", None)


_ADVISE = {"unbounded": _unbounded, "diverged": _diverged, "oscillating": _oscillating,
           "slow": _slow, "plateau": _plateau, "saddle": _saddle, "maximum": _maximum,
           "global_minimum": _global, "local_minimum": _local, "minimum": _minimum}


def _events_text(f) -> str:
    return "".join(f" On the way it slowed down beside a saddle at {_point(e['at'])} for about "
                   f"{e['steps']} steps (around step {e['step']}) and then left it."
                   for e in f.events if e["kind"] == "near_saddle")


def advise(label: str, f, options: frozenset) -> tuple[str, str, dict[str, Any] | None]:
    """``(explanation, advice, suggestion)`` for a run with these facts and this label;
    ``options``: the option names the suggestion may use."""
    explanation, advice, suggestion = _ADVISE[label](f, options)
    explanation += _events_text(f)
    if suggestion is not None and suggestion.get("optimizer") == f.optimizer:
        suggestion = None  # never the optimizer the run already used
    return explanation, advice, suggestion
