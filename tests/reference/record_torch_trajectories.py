"""Record optimizer trajectories from torch.optim, the reference gdlab's optimizers reproduce.

Not a test and not a dependency: run it by hand when the table below changes.

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/reference/record_torch_trajectories.py

It writes tests/reference/torch_trajectories.json: for every case the function, the start,
the optimizer's torch class and keyword arguments, the gdlab name and hyper-parameters, the
schedule, and the path (steps + 1 points) that torch produced in float64, one start at a time
(single-tensor code path, foreach=False).
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
