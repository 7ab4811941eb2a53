"""Record optimizer trajectories from torch.optim, the reference gdlab's optimizers reproduce.

Not a test and not a dependency: run it by hand when the table below changes.

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/reference/record_torch_trajectories.py

It writes tests/reference/torch_trajectories.json: for every case the function, the start,
the optimizer's torch class and keyword arguments, the gdlab name and hyper-parameters, the
schedule, and the path (steps + 1 points) that torch produced in float64, one start at a time
(single-tensor code path, foreach=False).

And tests/reference/torch_schedules.json: for every gdlab schedule (SCHEDULES below) the
torch.optim.lr_scheduler built as its documented equivalent, the learning rate torch used at
each of SCHEDULE_STEPS steps (well past every T and warm-up), and the path of SGD with
momentum on the ill-conditioned bowl under that schedule.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import torch

torch.set_default_dtype(torch.float64)  # float64 optimizer state and step counters

FUNCTIONS = {
    "rosenbrock": lambda p: 100 * (p[1] - p[0] ** 2) ** 2 + (1 - p[0]) ** 2,
    "beale": lambda p: ((1.5 - p[0] + p[0] * p[1]) ** 2 + (2.25 - p[0] + p[0] * p[1] ** 2) ** 2
                        + (2.625 - p[0] + p[0] * p[1] ** 3) ** 2),
    "himmelblau": lambda p: (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2,
    "ill_conditioned": lambda p: p[0] ** 2 / 20 + p[1] ** 2,
}
STARTS = {
    "rosenbrock": [[-1.5, 2.0], [0.5, -0.5]],
    "beale": [[1.0, 1.0], [-1.0, 1.5]],
    "himmelblau": [[0.0, 0.0], [-1.0, 4.0]],
    "ill_conditioned": [[-7.0, 2.0], [5.0, -3.0]],
}
# learning rate of the plain gradient methods per function (below each stability bound)
SGD_LR = {"rosenbrock": 2e-4, "beale": 1e-3, "himmelblau": 5e-3, "ill_conditioned": 0.6}
# adaptive methods move about lr per coordinate per step: small enough on the narrow valleys
# that the paths are not chaotic (a chaotic path turns a 1-ulp difference into 1e-5)
ADAPTIVE_LR = {"rosenbrock": 0.01, "beale": 0.005, "himmelblau": 0.05, "ill_conditioned": 0.05}
ADADELTA_LR = {"rosenbrock": 0.5, "beale": 0.5, "himmelblau": 1.0, "ill_conditioned": 1.0}
STEPS = 150

# gdlab name -> (torch class, torch kwargs without lr, gdlab hyper-parameters without lr,
#                learning-rate kind, schedule or None)
OPTIMIZERS = {
    "gd": ("SGD", {}, {}, "sgd", None),
    "momentum": ("SGD", {"momentum": 0.9}, {"momentum": 0.9}, "sgd", None),
    "momentum_dampened": ("SGD", {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
                          {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}, "sgd",
                          None),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}, {"momentum": 0.9}, "sgd", None),
    "adagrad": ("Adagrad", {}, {}, "adaptive", None),
    "adagrad_decay": ("Adagrad", {"lr_decay": 0.01, "initial_accumulator_value": 0.1},
                      {"lr_decay": 0.01, "initial_accumulator_value": 0.1}, "adaptive", None),
    "rmsprop": ("RMSprop", {}, {}, "adaptive", None),
    "rmsprop_centered": ("RMSprop", {"centered": True, "momentum": 0.5},
                         {"centered": True, "momentum": 0.5}, "adaptive", None),
    "adam": ("Adam", {}, {}, "adaptive", None),
    "adam_step_schedule": ("Adam", {"weight_decay": 0.1}, {"weight_decay": 0.1}, "adaptive",
                           ("step", 40, 0.5)),
    "adamw": ("AdamW", {}, {}, "adaptive", None),
    "amsgrad": ("Adam", {"amsgrad": True}, {}, "adaptive", None),
    "nadam": ("NAdam", {}, {}, "adaptive", None),
    "adadelta": ("Adadelta", {}, {}, "adadelta", None),
}


def record(fn, start, cls, kwargs, lr, schedule):
    p = torch.tensor(start, requires_grad=True)
    opt = getattr(torch.optim, cls)([p], lr=lr, foreach=False, **kwargs)
    sched = None
    if schedule is not None:
        _, step_size, gamma = schedule
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    path = [p.detach().tolist()]
    for _ in range(STEPS):
        opt.zero_grad()
        fn(p).backward()
        opt.step()
        if sched is not None:
            sched.step()
        path.append(p.detach().tolist())
    return path


SCHEDULE_STEPS = 300
SCHEDULE_LR = 0.1
L = torch.optim.lr_scheduler
# gdlab schedule text -> a function building torch's equivalent for an optimizer
SCHEDULES = {
    "step:40:0.5": lambda o: L.StepLR(o, step_size=40, gamma=0.5),
    "exponential:0.98": lambda o: L.ExponentialLR(o, gamma=0.98),
    "inverse_time:0.05": lambda o: L.LambdaLR(o, lambda t: 1 / (1 + 0.05 * t)),
    "cosine:50": lambda o: L.CosineAnnealingLR(o, T_max=50),
    "cosine:70:0.1": lambda o: L.CosineAnnealingLR(o, T_max=70, eta_min=0.1 * SCHEDULE_LR),
    "warmup:20:0.1": lambda o: L.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=20),
    "warmup:10:0.2+cosine:60:0.05": lambda o: L.SequentialLR(o, [
        L.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=10),
        L.CosineAnnealingLR(o, T_max=60, eta_min=0.05 * SCHEDULE_LR)], milestones=[10]),
    "warmup:15:0.5+step:30:0.5": lambda o: L.SequentialLR(o, [
        L.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=15),
        L.StepLR(o, step_size=30, gamma=0.5)], milestones=[15]),
    "warmup:5:0.1+exponential:0.99": lambda o: L.SequentialLR(o, [
        L.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
        L.ExponentialLR(o, gamma=0.99)], milestones=[5]),
}


def record_schedule(build):
    p = torch.tensor([-7.0, 2.0], requires_grad=True)
    opt = torch.optim.SGD([p], lr=SCHEDULE_LR, momentum=0.5, foreach=False)
    sched = build(opt)
    lrs, path = [], [p.detach().tolist()]
    for _ in range(SCHEDULE_STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        FUNCTIONS["ill_conditioned"](p).backward()
        opt.step()
        sched.step()
        path.append(p.detach().tolist())
    return lrs, path


def record_schedules() -> None:
    cases = []
    for text, build in SCHEDULES.items():
        lrs, path = record_schedule(build)
        cases.append({"schedule": text, "torch": repr(build(torch.optim.SGD(
            [torch.zeros(1, requires_grad=True)], lr=SCHEDULE_LR))).split(" object")[0],
            "lr": SCHEDULE_LR, "momentum": 0.5, "function": "ill_conditioned",
            "start": [-7.0, 2.0], "lrs": lrs, "path": path})
    out = Path(__file__).with_name("torch_schedules.json")
    out.write_text(json.dumps({"torch": torch.__version__, "steps": SCHEDULE_STEPS,
                               "cases": cases}))
    print(f"wrote {len(cases)} schedules to {out}")


def main() -> None:
    cases = []
    for fname, fn in FUNCTIONS.items():
        for label, (cls, kwargs, hyper, kind, schedule) in OPTIMIZERS.items():
            lr = {"sgd": SGD_LR, "adaptive": ADAPTIVE_LR, "adadelta": ADADELTA_LR}[kind][fname]
            name = label.split("_")[0] if label not in ("amsgrad",) else "amsgrad"
            for start in STARTS[fname]:
                cases.append({
                    "function": fname, "start": start, "torch": cls,
                    "torch_kwargs": {"lr": lr, **kwargs}, "optimizer": name,
                    "hyper": {"lr": lr, **hyper},
                    "schedule": None if schedule is None else
                    f"{schedule[0]}:{schedule[1]}:{schedule[2]}",
                    "path": record(fn, start, cls, kwargs, lr, schedule),
                })
    out = Path(__file__).with_name("torch_trajectories.json")
    out.write_text(json.dumps({"torch": torch.__version__, "python": platform.python_version(),
                               "steps": STEPS, "cases": cases}))
    print(f"wrote {len(cases)} trajectories to {out}")


if __name__ == "__main__":
    main()
    record_schedules()
