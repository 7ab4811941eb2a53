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
slow             ``optimizer`` momentum after a saddle slowed it, or  a lower f at the end
                 on a narrow bowl (tuned, the same ``lr``); else
                 ``lr`` up to the bound (≤ 10×; half the bound
                 from ≥ 1000× below it); else ``max_steps`` × 10;
                 ``None`` where f has no minimum that way (also
                 toward an edge of its domain)
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

The diagnosis tries a suggestion from the run's own start before it is offered, and withdraws
one that diverges or ends higher (:func:`gdlab.diagnose._try_suggestions`) — a learning rate
alone then gives way to a smaller change of it that works, where one does
(:func:`gdlab.diagnose._smaller_changes`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from .diagnose import probe_reach
from .i18n import text
from .limits import TOL_DEFAULT

__all__ = ["advise", "OPTIONS", "MAX_LR_GROWTH", "FAR_BELOW", "ADAPTIVE", "narrow_momentum",
           "point_text", "typed", "bowl_text"]

#: Every option a suggestion may use (the CLI's); a front end passes the ones it has.
OPTIONS = ("lr", "optimizer", "momentum", "max_steps", "start", "schedule", "random_starts",
           "tol", "eps", "weight_decay")
#: The largest factor by which a suggestion raises a learning rate.
MAX_LR_GROWTH = 10.0
FAR_BELOW = 1000.0  # a rate this far below the stability bound is raised to half the bound
#: A step that keeps more than this share of the error crawls.
CRAWL = 0.999
#: Curvatures that span this ratio or more make a narrow bowl, where momentum helps.
NARROW = 100.0
#: Optimizers that rescale their steps per coordinate (no stability bound of their own).
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw", "amsgrad", "nadam", "adadelta")
RANDOM_STARTS = 100
#: a learning rate this close (relatively) to the stability bound is at it: lr·λmax = 2 is
#: an undamped zig-zag
BOUND_RTOL = 1e-9


def typed(v: float) -> float:
    """A number as one would type it: three significant digits."""
    return float(f"{v:.3g}")


def point_text(x) -> str:
    return "(" + ", ".join(f"{0.0 if abs(v) < 1e-12 else v:.4g}" for v in x) + ")"


def _start_text(x) -> str:
    return ",".join(f"{v:.4g}" for v in x)


def _lr_text(f) -> str:
    return text("advice.lr.named", lr=f.lr) if f.lr is not None else text("advice.lr.unnamed")


def _where(f) -> str:
    """Where the bound was taken, for the text."""
    if f.bound_at is None:
        return ""
    if np.array_equal(f.bound_at, f.start) and not np.array_equal(f.bound_at, f.final):
        place = "start"
    elif f.nearest_minimum is not None and np.allclose(f.bound_at,
                                                       f.nearest_minimum["location"]):
        place = "minimum"
    elif not np.allclose(f.bound_at, f.final):  # diagnose._circled_minima
        place = "circled"
    else:
        place = "end"
        lam = np.asarray(f.curvatures, dtype=float)
        if f.lambda_max is not None and np.isfinite(lam).any() and \
                f.lambda_max > np.nanmax(lam) * (1 + 1e-9) + 1e-300:
            # the curvature along the run's swing from there (diagnose._swings_where_it_ended)
            return text("advice.where_swing", point=point_text(f.bound_at))
    return text("advice.where", place=text(f"advice.place.{place}"), point=point_text(f.bound_at))


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
    return text("unit.steps", n=n)


def _felt(f) -> np.ndarray:
    """The curvatures at ``bound_at`` as the run's steps feel them: momentum's dampening τ
    scales each gradient by 1 − τ, so lr on λ acts as lr on (1 − τ)·λ — rates and tunings
    stay in the run's own units of lr."""
    lam = np.asarray(f.curvatures, dtype=float)
    return lam * (1 - float(f.hyper.get("dampening") or 0.0))


def _tuned_momentum(f):
    """For a slow momentum or Nesterov run: the learning rate (at most ten times larger) and
    momentum that shrink the error fastest on the curvature at ``bound_at``, as
    ``(lr, momentum, rate now, rate then)`` — where that takes fewer than 2/3 of the steps."""
    lam = _felt(f)
    mu = f.hyper.get("momentum")
    if f.optimizer not in ("momentum", "nesterov") or f.lr is None or mu is None or \
            lam.size == 0 or not np.all(np.isfinite(lam)) or lam.min() <= 0:
        return None
    return _tune(f.optimizer, float(f.lr), float(mu), tuple(float(v) for v in lam))


def _retuned(f, tuned) -> tuple[str, dict[str, float]]:
    """The advice and suggestion of a retuning (:func:`_tuned_momentum`): the number it
    changes is the one said to limit the speed (the rate, momentum, or both)."""
    lr, mu, now, then = tuned
    own = typed(f.hyper.get("momentum", 0))
    kind = "tuned_rate" if mu == own else "tuned" if lr == typed(f.lr) else "tuned_both"
    return text(f"advice.slow.{kind}", momentum=own, where=_where(f), now=_factor(now), lr=lr,
                mu=mu, then=_factor(then)), \
        {"lr": lr} if mu == own else {"lr": lr, "momentum": mu}


def _rate_holds_momentum(f, tuned) -> bool:
    """A momentum or Nesterov run three decades or more below its bound where half the
    bound, with its own momentum, shrinks the error faster than the best retuning within
    tenfold (``tuned``, :func:`_tuned_momentum`): the rate holds it back (1e-6·x²; x² + 100y²
    at lr 1e-6, where lr 1e-5 with momentum 0.99 still crawls; not x², where lr ×10 with
    momentum 0.74 beats lr = bound/2 with 0.9). Where the curvature at the end is far below
    the start's (x⁴ + y²) the half bound is tried and, ending higher, replaced by a smaller
    change (:func:`gdlab.diagnose._smaller_changes`)."""
    bound, mu = f.own_bound, f.hyper.get("momentum")
    if f.optimizer not in ("momentum", "nesterov") or f.lr is None or bound is None or \
            mu is None or f.lr >= bound / FAR_BELOW:
        return False
    lam = _felt(f)
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        return False
    half = _rate(f.optimizer, bound / 2, float(mu), lam)
    then = _rate(f.optimizer, f.lr, float(mu), lam) if tuned is None else tuned[3]
    return 0 < half < 1 and half < then


@lru_cache(maxsize=256)  # the runs of a call share a few minima: tune once per minimum
def _tune(optimizer: str, lr0: float, mu: float, lam: tuple[float, ...],
          grow: float = MAX_LR_GROWTH):
    now = _rate(optimizer, lr0, mu, lam)
    lrs, mus = np.meshgrid(np.geomspace(lr0, grow * lr0, 25),
                           np.linspace(0.0, 0.99, 100), indexing="ij")
    rates = _rates(optimizer, lrs, mus, np.asarray(lam))
    i = np.unravel_index(int(np.argmin(rates)), rates.shape)
    then, lr, mu_best = (float(rates[i]), float(lrs[i]), float(mus[i])) \
        if rates[i] < now else (now, lr0, mu)
    if not (0 < then < 1) or not (0 < now < 1) or np.log(then) > 1.5 * np.log(now):
        return None
    lr, mu_best = typed(lr), typed(mu_best)
    return lr, mu_best, now, _rate(optimizer, lr, mu_best, lam)


def _no_progress(f, options):
    """A slow run whose steps left x where it started."""
    bound = f.own_bound
    step = (f.lr or 0) * f.gradient_norm
    if step > 4 * float(np.spacing(np.max(np.abs(f.start)))):
        # not rounding: the optimizer's own update was 0 although ∇f is not
        if f.optimizer == "newton":
            return (text("advice.slow.newton", steps=_steps(f.steps), norm=f.gradient_norm),
                    text("advice.slow.first_order"), _keep({"optimizer": "gd"}, options))
        return (text("advice.slow.zero_update", steps=_steps(f.steps), norm=f.gradient_norm,
                     optimizer=f.optimizer), text("advice.slow.try_gd"),
                _keep({"optimizer": "gd"}, options))
    explanation = text("advice.slow.rounding", steps=_steps(f.steps), step=step,
                       point=point_text(f.start))
    if f.lr is not None and bound is not None:
        lr = typed(bound / 2)
        return explanation, text("advice.slow.below_bound", rate=_lr_text(f),
                                 ratio=_ratio(bound, f.lr), bound=bound, where=_where(f),
                                 lr=lr, capped=text("advice.half")), _keep({"lr": lr}, options)
    if f.lr is not None:
        lr = typed(f.lr * MAX_LR_GROWTH)
        return explanation, text("advice.raise_named", rate=_lr_text(f), lr=lr, extra=""), \
            _keep({"lr": lr}, options)
    return explanation, text("advice.raise_lr"), None


def narrow_momentum(f):
    """For a slow gradient-descent run whose rate is within tenfold of its bound, on curvatures
    that span ≥ :data:`NARROW` (x² + 0.001·y²) — the steepest direction holds the rate down
    and the flattest crawls — the momentum that shrinks the error fastest there at the run's
    own rate (:func:`_tune`; a larger rate, tuned to the curvature at the end, blew up from
    Rosenbrock's start), as ``(lr, momentum, rate now, rate then)``; else ``None``. The
    diagnosis keeps it only where running it did better (``RunFacts.narrow_momentum``)."""
    lam = np.asarray(f.curvatures, dtype=float)
    if f.optimizer != "gd" or f.lr is None or f.own_bound is None or f.noise or \
            f.schedule is not None or f.lr < f.own_bound / 10 or lam.size < 2 or \
            not np.all(np.isfinite(lam)) or lam.min() <= 0 or lam.max() < NARROW * lam.min():
        return None
    tuned = _tune("momentum", float(f.lr), 0.0, tuple(float(v) for v in lam), grow=1.0)
    if tuned is None:
        return None
    return (*tuned[:2], _rate("gd", float(f.lr), 0.0, lam), tuned[3])


def _narrow_bowl(f):
    """``(explanation, advice, suggestion)`` for a narrow bowl where the momentum tuned to it
    did better (``f.narrow_momentum``), else ``None``."""
    if f.narrow_momentum is None:
        return None
    lr, mu, now, then = f.narrow_momentum
    lam = np.asarray(f.curvatures, dtype=float)
    return (text("advice.slow.narrow", where=_where(f), low=lam.min(), high=lam.max(),
                 ratio=lam.max() / lam.min(), now=_factor(now)),
            text("advice.slow.use_tuned_momentum", lr=lr, mu=mu, then=_factor(then)),
            {"optimizer": "momentum", "lr": lr, "momentum": mu})


def _factor(rate: float) -> str:
    """How much a step shrinks the error, readable where it crawls: ``0.943``, ``1 − 8e-07``."""
    return f"{rate:.3g}" if rate <= CRAWL else f"1 − {1 - rate:.2g}"


def _max_steps(f):
    from .limits import MAX_STEPS

    return f.max_steps * 10 if f.max_steps * 10 <= MAX_STEPS else None


def _keep(suggestion: dict[str, Any] | None, options: frozenset) -> dict[str, Any] | None:
    if suggestion is None or not set(suggestion) <= options:
        return None
    return suggestion


# --- one function per label: (explanation, advice, suggestion) ---------------------------------


def _unbounded(f, options):
    direction = "" if f.descent is None else \
        text("advice.unbounded.direction", point=point_text(f.descent))
    how = text("advice.unbounded.stopped") if f.status == "diverged" else \
        text("advice.unbounded.falling", steps=_steps(f.steps))
    far = "" if f.falls_to is None or not np.isfinite(f.falls_to) else \
        text("advice.unbounded.far", direction=direction, to=f.falls_to,
             distance=f.falls_distance)
    return (text("advice.unbounded.explanation", start=f.start_value, value=f.value, how=how,
                 far=far),
            text("advice.unbounded.advice", direction=direction, bowl=_bowl(f)), None)


def _bowl(f) -> str:
    return bowl_text(f.variables, f.degree)


def bowl_text(variables, degree: int | None = None) -> str:
    """What to add so that f has a minimum, as the advice says it: ``add 0.01*(x^2 + y^2)^2``
    — of an even degree above the polynomial f's ``degree`` (at least 4: 0.01·(x² + y²)
    leaves x² − y² unbounded, and 0.01·x² leaves x³ − 3x so; x⁵ needs the 6th power), which
    then outgrows any fall of f; for f that is no polynomial (``degree`` None), "or a higher
    power where f falls faster"."""
    power = max(4, 2 * ((degree or 0) // 2) + 2)
    if len(variables) == 1:
        term = f"{variables[0]}^{power}"
    else:
        term = "(" + " + ".join(f"{v}^2" for v in variables) + f")^{power // 2}"
    return text("advice.bowl.polynomial" if degree is not None else "advice.bowl.any", term=term)


def _apart(a: float, b: float) -> tuple[str, str]:
    """Two values with enough digits (6 to 17) that they read differently where they differ:
    25 and 24.999998, not 25 and 25."""
    for digits in range(6, 18):
        texts = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if texts[0] != texts[1] or a == b:
            return texts
    return texts


def _ratio(big: float, small: float) -> str:
    """``big / small`` as a number for "N×", also where the quotient is past the double range
    (1e-320): ``10^322``."""
    with np.errstate(all="ignore"):
        quotient = big / small
    if np.isfinite(quotient):
        return f"{quotient:.3g}"
    return f"10^{np.log10(big) - np.log10(small):.0f}"


def _diverged(f, options):
    if f.steps == 0:  # the start itself: no learning rate is to blame
        norm = f"‖∇f‖ = {f.gradient_norm:.3g}" if np.isfinite(f.gradient_norm) else \
            text("advice.diverged.huge_gradient")
        if np.isnan(f.start_value):  # not a number: outside the domain (log(−1), 0/0, ∞ − ∞)
            return (text("advice.diverged.undefined", norm=norm),
                    text("advice.diverged.undefined_advice"), None)
        return (text("advice.diverged.start", value=f.start_value, norm=norm),
                text("advice.diverged.start_advice"), None)
    explanation = text("advice.diverged.explanation", steps=_steps(f.steps)) + (
        text("advice.diverged.reached", value=abs(f.value)) if np.isfinite(f.value)
        else text("advice.diverged.non_finite"))
    if f.edge_to is not None:  # no minimum that way: a smaller rate only gets there later
        where, kind = {"point": point_text(f.edge_at), "to": f.edge_to}, \
            "edge_floor" if f.edge_floor else "edge"
        return explanation + text(f"advice.diverged.{kind}", **where), \
            text(f"advice.diverged.{kind}_advice", **where), None
    if f.lr is None:
        return explanation, text("advice.lower_lr"), None
    bound = f.own_bound
    if bound is not None and f.lr > bound:
        lr = typed(bound / 2)
        advice = text("advice.diverged.above_bound", rate=_lr_text(f), ratio=_ratio(f.lr, bound),
                      bound=bound, where=_where(f), lr=lr)
    else:
        lr = typed(f.lr / 10)
        advice = text("advice.diverged.too_large", rate=_lr_text(f), lr=lr)
    return explanation, advice, _keep({"lr": lr}, options)


def _oscillating(f, options):
    bound = f.own_bound
    # at or above the stability bound each step grows the swing: that explains a rise
    over = f.lr is not None and f.lambda_max is not None and bound is not None and \
        f.lr >= bound * (1 - BOUND_RTOL)
    if f.value > f.start_value:
        explanation = text("advice.oscillating.higher", start=f.start_value, value=f.value) + (
            "" if over or f.finite_everywhere else text("advice.oscillating.pole"))
    elif f.oscillation >= f.thresholds["oscillation"]:
        explanation = text("advice.oscillating.reversed", steps=_steps(f.steps),
                           share=f.oscillation)
    else:
        explanation = text("advice.oscillating.stopped", steps=_steps(f.steps), value=f.value)
    ended = None if f.at_kink else _ended_by_noise_or_schedule(f, explanation, options)
    if ended is not None:
        return ended
    if f.at_kink:
        kind = "kink_scheduled" if f.schedule is not None else \
            "kink_adagrad" if f.optimizer == "adagrad" else "kink"  # AdaGrad's step shrinks
        explanation += text(f"advice.oscillating.{kind}", point=point_text(f.final))
        decay, suggestion = _shrinking(f, options)
        if f.schedule is None and suggestion is not None:
            return explanation, text("advice.oscillating.shrink", decay=decay), suggestion
    elif f.lr is not None and f.lambda_max is not None and bound is not None and \
            (f.value <= f.start_value or over):
        # at the bound itself (to rounding) the zig-zag keeps its size: |1 − lr·λmax| = 1
        undamped = f.lr >= bound * (1 - BOUND_RTOL)
        side = "above" if f.lr > bound * (1 + BOUND_RTOL) else "at" if undamped else \
            "near" if f.lr >= bound / 2 else "below"
        explanation += text("advice.oscillating.bound", product=f.lr * f.lambda_max,
                            where=_where(f), bound=bound, side=text(f"advice.oscillating.{side}"))
        if undamped:
            lr = typed(bound / 2)
            return explanation + text("advice.period"), \
                text("advice.oscillating.half_bound", lr=lr), _keep({"lr": lr}, options)
        explanation += text("advice.oscillating.damped")
        tuned = _tuned_momentum(f) if side == "below" else None
        if tuned is not None and tuned[1] < typed(f.hyper["momentum"]) and \
                {"lr", "momentum"} <= options:  # far below the bound: momentum swings it
            explanation += text("advice.oscillating.momentum", momentum=f.hyper["momentum"],
                                now=_factor(tuned[2]))
            return (explanation, *_retuned(f, tuned))
        best = _best_gd_lr(f)
        if best is not None and f.optimizer == "gd" and abs(f.lr - best) > 0.2 * best:
            lr = typed(best)
            return explanation, text("advice.oscillating.fastest", lr=lr), \
                _keep({"lr": lr}, options)
        steps = _max_steps(f)
        right = text("advice.oscillating.right")
        if steps is not None and "max_steps" in options:
            return explanation, right + text("advice.more_steps", steps=steps), \
                {"max_steps": steps}
        return explanation, right + text("advice.needs_steps"), None
    else:
        explanation += text("advice.period")
    if f.lr is None:
        return explanation, text("advice.lower_lr"), None
    lr = typed(f.lr / 10)
    return explanation, text("advice.lower_named", rate=_lr_text(f), lr=lr), \
        _keep({"lr": lr}, options)


def _shrinking(f, options) -> tuple[float, dict[str, str] | None]:
    """The decay of a step that falls tenfold over the run (``inverse_time``: 1/(1 + d·t) with
    d = 9/max_steps), and the suggestion of it."""
    decay = typed(9 / f.max_steps)
    return decay, _keep({"schedule": f"inverse_time:{decay:g}"}, options)


def _fell(f, explanation: str) -> str:
    """A run's explanation as "did not converge … f fell from … to …" where it fell, for a
    run whose end the noise or the schedule sets (not "still descending"); else as it was."""
    if f.status == "max_steps" and f.value <= f.start_value:
        before, after = _apart(f.start_value, f.value)
        return text("advice.fell", n=f.steps, before=before, after=after)
    return explanation.rstrip(".") + "."


#: gradient noise this many times ‖∇f‖ or more (σ·√D, per step) sets where the run ends
NOISE_DOMINATES = 1.0


def _noise_floor(f, explanation: str, options):
    """A run with gradient noise σ that ended at its noise floor
    (:func:`gdlab.diagnose._at_noise_floor`), where the noise outweighs ∇f (σ·√D ≥ ‖∇f‖):
    it hovers there, at a height that grows with the step — for gd in a bowl,
    E f ≈ D·lr·σ²/(4(1 − lr·λ/2)) — so more steps or a larger rate do not take it lower; a
    shrinking step does (stochastic approximation's lesson). ``None`` where it does not
    apply. With a schedule that keeps shrinking the step (ten times the steps at most half
    the factor: inverse_time:0.009, whose floor at lr 0.5 is 5× its floor at 0.1), more
    steps lower the floor with it; one that has stopped is replaced by one that shrinks."""
    from .optim.schedules import parse_schedule

    noise = f.noise * math.sqrt(len(f.final))
    if not f.noise_floor or noise < NOISE_DOMINATES * f.gradient_norm:
        return None
    explanation = _fell(f, explanation)
    steps = _max_steps(f)
    if f.schedule is not None and steps is not None and "max_steps" in options:
        schedule = parse_schedule(f.schedule)
        if schedule(steps - 1) <= 0.5 * schedule(max(f.steps - 1, 0)):
            return explanation + text("advice.noise.floor_scheduled", sigma=f.noise,
                                      noise=noise, norm=f.gradient_norm), \
                text("advice.noise.scheduled", schedule=f.schedule, steps=steps), \
                {"max_steps": steps}
    decay, suggestion = _shrinking(f, options)
    return explanation + text("advice.noise.floor", sigma=f.noise, noise=noise,
                              norm=f.gradient_norm), \
        text("advice.noise.shrink", decay=decay), suggestion



def _frozen_by_schedule(f, explanation: str, options):
    """A run whose schedule shrank the step to almost nothing for its second half
    (:meth:`gdlab.optim.schedules.Schedule.froze`): more steps change almost nothing; a
    slower decay does (the schedule that falls tenfold over the run). ``None`` where the
    schedule did not."""
    from .optim.schedules import parse_schedule

    if f.schedule is None:
        return None
    schedule = parse_schedule(f.schedule)
    if not schedule.froze(f.steps):
        return None
    decay, suggestion = _shrinking(f, options)
    return _fell(f, explanation) + text(
        "advice.frozen.explanation", schedule=f.schedule, factor=schedule(f.steps - 1),
        steps=f.steps), text("advice.frozen.advice", decay=decay), suggestion


def _ended_by_noise_or_schedule(f, explanation: str, options):
    """The lesson of a run whose end its gradient noise or its schedule set (a slow or
    oscillating run), ``None`` for any other."""
    return _noise_floor(f, explanation, options) or \
        _frozen_by_schedule(f, explanation, options)


def _slow(f, options):
    if f.max_steps == 0:
        return (text("advice.slow.no_step"), text("advice.slow.allow_steps"),
                _keep({"max_steps": 1000}, options))
    bound = f.own_bound
    before, after = _apart(f.start_value, f.value)
    if f.status == "converged":
        return _stopped_by_tol(f, before, after, options)
    if f.made_no_progress:
        return _no_progress(f, options)
    explanation = text("advice.slow.descending", n=f.steps, before=before, after=after,
                       drop=f.start_value - f.value, norm=f.gradient_norm)
    ended = _ended_by_noise_or_schedule(f, explanation, options)
    if ended is not None:
        return ended
    if f.levels_to is not None:  # no minimum that way: more steps or a larger rate only creep
        return _levels(f, explanation)
    if f.edge_to is not None:  # on its way to an edge of f's domain with no minimum that way
        where, kind = {"point": point_text(f.edge_at), "to": f.edge_to}, \
            "edge_floor" if f.edge_floor else "edge"
        return explanation + text(f"advice.slow.{kind}", **where), \
            text(f"advice.diverged.{kind}_advice", **where), None
    saddle = next((e for e in f.events if e["kind"] == "near_saddle"), None)
    if saddle is not None:
        if f.optimizer in ("gd",) and f.lr is not None:
            suggestion = _keep({"optimizer": "momentum", "lr": typed(f.lr),
                                "momentum": 0.9}, options)
            if suggestion:
                return explanation, text("advice.slow.use_momentum"), suggestion
    if f.at_kink:  # the curvature beside a kink says nothing about the step there
        steps = _max_steps(f)
        explanation += text("advice.slow.kink", point=point_text(f.final))
        if steps is not None and "max_steps" in options:
            return explanation, text("advice.more_steps", steps=steps), {"max_steps": steps}
        return explanation, text("advice.needs_steps"), None
    tuned = _tuned_momentum(f)
    far_below = _rate_holds_momentum(f, tuned)
    if far_below:
        tuned = None
    if tuned is not None and {"lr", "momentum"} <= options:
        return (explanation, *_retuned(f, tuned))
    narrow = _narrow_bowl(f)
    if narrow is not None and {"optimizer", "lr", "momentum"} <= options:
        return explanation + narrow[0], narrow[1], narrow[2]
    if f.lr is not None and bound is not None and f.lr < bound / 10 and \
            (f.optimizer not in ("momentum", "nesterov") or far_below):
        # ≤ 10× at a time, unless the rate is three decades or more below the bound: then
        # ten times more is still nothing to see (the note's lr = 1e−10), so half the bound
        lr = typed(bound / 2 if f.lr < bound / FAR_BELOW
                    else min(bound / 2, MAX_LR_GROWTH * f.lr))
        capped = text("advice.slow.capped", bound=bound) if lr < bound / 2 * 0.999 else \
            text("advice.slow.tenfold")
        return explanation, text("advice.slow.below_bound", rate=_lr_text(f),
                                 ratio=_ratio(bound, f.lr), bound=bound, where=_where(f), lr=lr,
                                 capped=capped if lr < typed(bound / 2) else ""), \
            _keep({"lr": lr}, options)
    if f.lr is not None and f.optimizer in ADAPTIVE and f.lr < 0.1:
        lr = typed(f.lr * MAX_LR_GROWTH)
        return explanation, text("advice.raise_named", rate=_lr_text(f), lr=lr, extra=""), \
            _keep({"lr": lr}, options)
    crawl = _crawl(f)
    if crawl is not None and {"optimizer", "lr"} <= options:
        return explanation + crawl[0], crawl[1], crawl[2]
    steps = _max_steps(f)
    if steps is not None and "max_steps" in options:
        return explanation, text("advice.more_steps", steps=steps), {"max_steps": steps}
    return explanation, text("advice.slow.limit"), None


def _stopped_by_tol(f, before: str, after: str, options):
    """A run that tol stopped short of a minimum (it is ``slow``): flat here and falling on
    far off (tanh x + y² at (12, 0)); sloping along a direction it barely curves in (e^x at
    −40); else short of a critical point by the quadratic model (a tighter tol)."""
    if f.levels_to is not None:  # flat here, falling on far off
        return _levels(f, text("advice.slow.tol_levels", n=f.steps, norm=f.gradient_norm,
                               tol=f.tol, before=before, after=after))
    if f.eigenvalues is not None and any(
            abs(v) <= f.thresholds["flat"] for v in f.eigenvalues):  # sloping, barely curving
        return text("advice.slow.tol_flat", n=f.steps, norm=f.gradient_norm, tol=f.tol,
                    before=before, after=after), \
            text("advice.slow.tol_flat_advice", bowl=_bowl(f)), None
    # stopped by a loose tol short of a critical point
    tol = TOL_DEFAULT if f.tol > TOL_DEFAULT else typed(f.tol / 100)
    bowl = f.positive and not f.negative and f.eigenvalues is not None and all(
        v > 0 for v in f.eigenvalues)  # short of the bowl's minimum, else of any
    return text(f"advice.slow.tol{'' if f.steps else '_start'}{'' if bowl else '_any'}",
                n=f.steps, before=before, after=after,
                norm=f.gradient_norm, tol=f.tol), text("advice.slow.tighten", tol=tol), \
        _keep({"tol": tol}, options)


def _levels(f, explanation: str):
    """The lesson of a run with no minimum its way (``f.levels_to``): f levels off toward a
    floor far along ``f.levels_along`` (or falls on with none in sight). The floor is quoted
    as f far out, 0 where that is within a billionth of the fall to it (e^x's 7e-59 at the
    probe's end, 1/x's 2.5e-16: both approach 0)."""
    to = f.levels_to
    if abs(to) <= 1e-9 * abs(f.value - to):
        to = 0.0
    where = {"direction": point_text(f.levels_along), "to": to,
             "distance": probe_reach(f.final)}
    kind = "levels" if f.levels_floor else "no_floor"
    return explanation + text(f"advice.slow.{kind}", **where), \
        text(f"advice.slow.{kind}_advice", bowl=_bowl(f), **where), None


def _adam_lr(f) -> float:
    """The rate Adam is offered at: its steps are about lr each way, so a hundredth of the
    point's size (at least 0.01)."""
    return typed(0.01 * max(1.0, float(np.linalg.norm(f.final))))


def _crawl(f):
    """``(explanation, advice, suggestion)`` for a run on a bowl whose flattest direction
    shrinks its error so little a step that ten times the steps would leave more than half of
    it (x² + y² + 1e-6·z² at lr 0.5: 1 − 1e-6 a step, 98% left after 10⁴ steps, where "allow
    more steps" had been the lesson): Adam, which scales each coordinate's step; else None."""
    lam = _felt(f)
    if f.optimizer not in ("gd", "momentum", "nesterov") or f.lr is None or f.noise or \
            f.schedule is not None or lam.size == 0 or not np.all(np.isfinite(lam)) or \
            lam.min() <= 0:
        return None
    mu = float(f.hyper.get("momentum") or 0.0)
    if not _rate(f.optimizer, float(f.lr), mu, lam) < 1:  # unstable: another lesson
        return None
    rate = _rate(f.optimizer, float(f.lr), mu, lam.min(keepdims=True))
    left = rate ** (9 * max(f.max_steps, 1))
    if not left > 0.5:
        return None
    lr = _adam_lr(f)
    return (text("advice.slow.crawl", low=float(np.min(f.curvatures)), factor=_factor(rate),
                 left=left),
            text("advice.slow.crawl_advice", lr=lr), {"optimizer": "adam", "lr": lr})


def _plateau(f, options):
    if f.numerically_flat:
        return (text("advice.plateau.flat", point=point_text(f.final), value=f.value),
                text("advice.plateau.flat_advice"), None)
    lower = text("advice.plateau.unbounded") if f.unbounded else \
        text("advice.plateau.unknown" if f.gradient_norm > 0 else "advice.plateau.none") \
        if f.best is None else \
        text("advice.plateau.lower", best=f.best)
    explanation = text("advice.plateau.explanation", point=point_text(f.final),
                       norm=f.gradient_norm, flat=f.thresholds["plateau"], lower=lower)
    stop = {}
    if f.status == "converged":  # the stopping rule fired on the flat ground
        explanation += text("advice.plateau.stopped", n=f.steps)
        stop = {"tol": 0}
    from .optim import OPTIMIZERS

    # Adadelta's ε is no guard beside √v (it scales the step too, √(u + ε)/√(v + ε)·g: no ε
    # lets it stride a plateau), so it is told Adam, as a non-adaptive method is
    own = f.optimizer in ADAPTIVE and f.optimizer != "adadelta"
    adam_eps = OPTIMIZERS["adam"].defaults["eps"]
    eps = f.hyper.get("eps", adam_eps) if own else adam_eps
    if f.gradient_norm < 100 * eps:  # ε would swamp the gradient an adaptive step divides by
        stop["eps"] = typed(max(f.gradient_norm / 100, 1e-300))
    extra = "".join(f", {k}={v:g}" for k, v in stop.items())
    if not own:
        lr = _adam_lr(f)
        suggestion = {"optimizer": "adam", "lr": lr, **stop}
        return explanation, text("advice.plateau.adam", lr=lr, extra=extra), \
            _keep(suggestion, options)
    if "eps" in stop:
        return explanation, text("advice.plateau.eps", eps=stop["eps"],
                                 tol=", tol=0" if "tol" in stop else ""), _keep(stop, options)
    if f.lr is None:
        return explanation, text("advice.raise_lr"), None
    lr = typed(f.lr * MAX_LR_GROWTH)
    return explanation, text("advice.raise_named", rate=_lr_text(f), lr=lr, extra=extra), \
        _keep({"lr": lr, **stop}, options)


def _stationary(f, options, what: str, shape: str):
    explanation = text("advice.stationary.explanation", what=text(f"advice.stationary.{what}"),
                       point=point_text(f.final), norm=f.gradient_norm, shape=shape)
    if f.escape_unbounded:
        return (explanation + text("advice.stationary.falls"),
                text("advice.stationary.falls_advice"), None)
    if f.optimizer == "newton":  # gd at the run's own rate may blow up (Newton's is 1)
        if f.bound is not None and np.isfinite(f.bound) and f.bound > 0:
            lr = typed(f.bound / 2)
            return explanation, text("advice.stationary.newton_rate", lr=lr, where=_where(f)), \
                _keep({"optimizer": "gd", "lr": lr}, options)
        return explanation, text("advice.stationary.newton"), \
            _keep({"optimizer": "gd"}, options)
    if f.escape is None:
        return explanation, text("advice.stationary.elsewhere"), None
    delta = 0.01 * max(1.0, float(np.linalg.norm(f.start)))
    start = _start_text(np.asarray(f.start) + delta * np.asarray(f.escape))
    return explanation, text("advice.stationary.push", direction=point_text(f.escape),
                             start=start), _keep({"start": start}, options)


def _saddle(f, options):
    if f.positive and f.negative:
        shape = text("advice.saddle.mixed", low=float(np.min(f.lam_end)),
                     high=float(np.max(f.lam_end)))
    elif f.near_kink:  # no Hessian across the kink: f itself, a step beside, says it
        explanation = text("advice.stationary.explanation", what=text(
            "advice.stationary.saddle"), point=point_text(f.final), norm=f.gradient_norm,
            shape=text("advice.saddle.kink"))
        return explanation, text("advice.saddle.kink_advice"), None
    else:
        shape = text("advice.saddle.degenerate")
    return _stationary(f, options, "saddle", shape)


def _maximum(f, options):
    return _stationary(f, options, "maximum", text("advice.maximum.shape"))


def _global(f, options):
    source = text("advice.global.found") if f.best_is_found else \
        text("advice.global.known", name=f.library or "f") + (
            text("advice.global.formula") if f.library != f.function else "")
    return (text("advice.global.explanation", value=f.value, point=point_text(f.final),
                 source=source, steps=_steps(f.steps)), text("advice.global.advice"), None)


def _local(f, options):
    if f.best is None:  # f has no minimum (another run fell without bound, or the library)
        why = "" if f.library is not None else text(
            "advice.local.unbounded_beside" if f.unbounded_beside else "advice.local.unbounded_run")
        return (text("advice.local.unbounded", value=f.value, point=point_text(f.final), why=why),
                text("advice.local.unbounded_advice", bowl=_bowl(f)), None)
    explanation = text("advice.local.explanation", value=f.value, point=point_text(f.final),
                       best=f.best)
    if f.better_start is not None:
        start = _start_text(f.better_start)
        return explanation, text("advice.local.better", start=start), \
            _keep({"start": start}, options)
    if f.runs >= RANDOM_STARTS:
        return explanation, text("advice.local.none_lower", runs=f.runs), None
    return explanation, text("advice.local.many", runs=RANDOM_STARTS), \
        _keep({"random_starts": RANDOM_STARTS}, options)


def _minimum(f, options):
    note = text("advice.minimum.flat", flat=f.thresholds["flat"]) if f.flat else ""
    explanation = text("advice.minimum.explanation", value=f.value, point=point_text(f.final),
                       steps=_steps(f.steps), note=note)
    suggestion = _keep({"random_starts": RANDOM_STARTS}, options) if f.runs < RANDOM_STARTS \
        else None  # tried before it is offered (diagnose._tried_many_starts)
    if suggestion is None:
        return explanation, text("advice.minimum.advice"), None
    return explanation, text("advice.local.many", runs=RANDOM_STARTS), suggestion


_ADVISE = {"unbounded": _unbounded, "diverged": _diverged, "oscillating": _oscillating,
           "slow": _slow, "plateau": _plateau, "saddle": _saddle, "maximum": _maximum,
           "global_minimum": _global, "local_minimum": _local, "minimum": _minimum}


def _events_text(f) -> str:
    return "".join(text("advice.event.near_saddle", point=point_text(e["at"]), steps=e["steps"],
                        step=e["step"]) for e in f.events if e["kind"] == "near_saddle")


def advise(label: str, f, options: frozenset) -> tuple[str, str, dict[str, Any] | None]:
    """``(explanation, advice, suggestion)`` for a run with these facts and this label;
    ``options``: the option names the suggestion may use."""
    explanation, advice, suggestion = _ADVISE[label](f, options)
    explanation += _events_text(f)
    if suggestion is not None and suggestion.get("optimizer") == f.optimizer:
        suggestion = None  # never the optimizer the run already used
    return explanation, advice, suggestion
