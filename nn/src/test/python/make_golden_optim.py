#!/usr/bin/python3
"""Golden values from PyTorch for finetune4j's optimisers and learning-rate schedules.

Writes nn/src/test/resources/golden/optim.json (read by org.finetune4j.nn.optim.OptimizerGoldenTest
and org.finetune4j.nn.schedule.LrScheduleGoldenTest through org.finetune4j.autograd.Golden).

Optimiser cases: two parameter groups with their own lr and weight decay, two named parameters
each, five steps with stored gradients. One parameter gets no gradient at step 3, so per-parameter
step counts (Adam's bias correction) and "skip when grad is None" are exercised. Tensors per case:
"<name>" (initial value), "<name>.grad.<s>" (gradient of step s = 1..5; absent means None) and
"<name>.after.<s>" (value after step s). Initial values and gradients are drawn in float32; the
optimiser then runs in float64 on exactly those values and the results are rounded to float32 once,
so the Java tolerances measure only finetune4j's own float32 rounding.

Schedule cases: the lr of each of two groups (base 0.1 and 0.02) at epochs 0..19, read from
optimizer.param_groups before each scheduler.step(), kept as float64 in "params".

Run with Debian's torch 1.13 (the pyenv python3 has no torch), from the repository root:
    /usr/bin/python3 nn/src/test/python/make_golden_optim.py
The output is deterministic: same torch, same bytes.
"""
import json
import os
import warnings

import torch

GENERATOR = "nn/src/test/python/make_golden_optim.py"
SEED = 20240612
STEPS = 5
EPOCHS = 20
NO_GRAD_AT = (3, "head.bias")                 # (step, parameter) that gets grad None
GRAD_SCALE = [1.0, 0.5, 2.0, 0.3, 1.0]        # varying magnitudes, so amsgrad's max matters
SHAPES = [[("backbone.weight", (3, 4)), ("backbone.bias", (4,))],
          [("head.weight", (2, 5)), ("head.bias", (5,))]]
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "golden", "optim.json"))

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def tensor_json(t):
    """{"shape", "data"} with each value the shortest decimal that round-trips to its float32."""
    a = t.detach().to(torch.float32).contiguous().numpy()
    return {"shape": list(a.shape), "data": [float(str(v)) for v in a.reshape(-1)]}


def rand32(*shape):
    return torch.rand(shape, dtype=torch.float32) * 2 - 1


# ---------------------------------------------------------------- optimisers

# (case name, optimiser kind, options, [(lr, weight_decay) per group])
OPTIM_CASES = [
    ("sgd_plain", "sgd", {}, [(0.1, 0.0), (0.03, 0.0)]),
    ("sgd_weight_decay", "sgd", {}, [(0.1, 1e-2), (0.03, 5e-2)]),
    ("sgd_momentum", "sgd", {"momentum": 0.9}, [(0.1, 0.0), (0.03, 1e-3)]),
    ("sgd_momentum_dampening", "sgd", {"momentum": 0.9, "dampening": 0.3},
     [(0.1, 1e-2), (0.03, 0.0)]),
    ("sgd_nesterov", "sgd", {"momentum": 0.9, "nesterov": True}, [(0.1, 5e-4), (0.01, 0.0)]),
    ("rmsprop_plain", "rmsprop", {}, [(1e-2, 0.0), (3e-3, 1e-2)]),
    ("rmsprop_centered", "rmsprop", {"alpha": 0.9, "centered": True}, [(1e-2, 0.0), (3e-3, 0.0)]),
    ("rmsprop_momentum", "rmsprop", {"momentum": 0.9}, [(1e-2, 1e-2), (3e-3, 0.0)]),
    ("rmsprop_centered_momentum_eps", "rmsprop",
     {"alpha": 0.95, "eps": 1e-3, "centered": True, "momentum": 0.5}, [(1e-2, 0.0), (3e-3, 0.1)]),
    ("adam_plain", "adam", {}, [(1e-2, 0.0), (3e-3, 0.0)]),
    ("adam_weight_decay", "adam", {}, [(1e-2, 1e-2), (3e-3, 0.1)]),
    ("adam_amsgrad_betas_eps", "adam", {"betas": (0.8, 0.99), "eps": 1e-6, "amsgrad": True},
     [(1e-2, 1e-2), (3e-3, 0.0)]),
    ("adamw_plain", "adamw", {}, [(1e-2, 1e-2), (3e-3, 0.1)]),
    ("adamw_amsgrad", "adamw", {"amsgrad": True}, [(1e-2, 0.05), (3e-3, 0.0)]),
]

KINDS = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam,
         "adamw": torch.optim.AdamW}


def optim_case(name, kind, options, groups):
    initial = {}
    tensors = {}
    for shapes in SHAPES:
        for pname, shape in shapes:
            initial[pname] = rand32(*shape)
            tensors[pname] = initial[pname]
    grads = {}
    for s in range(1, STEPS + 1):
        for shapes in SHAPES:
            for pname, shape in shapes:
                g = rand32(*shape) * GRAD_SCALE[s - 1]
                if (s, pname) != NO_GRAD_AT:
                    grads[(s, pname)] = g
                    tensors["%s.grad.%d" % (pname, s)] = g

    params = {k: v.double().clone().requires_grad_(True) for k, v in initial.items()}
    torch_groups = []
    for (lr, wd), shapes in zip(groups, SHAPES):
        torch_groups.append({"params": [params[p] for p, _ in shapes], "lr": lr,
                             "weight_decay": wd})
    opt = KINDS[kind](torch_groups, **options)
    for s in range(1, STEPS + 1):
        opt.zero_grad(set_to_none=True)
        for pname, p in params.items():
            g = grads.get((s, pname))
            p.grad = None if g is None else g.double()
        opt.step()
        for pname, p in params.items():
            tensors["%s.after.%d" % (pname, s)] = p.detach().clone()   # p changes in place

    case_params = {
        "kind": kind,
        "steps": STEPS,
        "names": [[p for p, _ in shapes] for shapes in SHAPES],
        "lr": [lr for lr, _ in groups],
        "weight_decay": [wd for _, wd in groups],
        "momentum": options.get("momentum", 0.0),
        "dampening": options.get("dampening", 0.0),
        "nesterov": options.get("nesterov", False),
        "alpha": options.get("alpha", 0.99),
        "centered": options.get("centered", False),
        "beta1": options.get("betas", (0.9, 0.999))[0],
        "beta2": options.get("betas", (0.9, 0.999))[1],
        "eps": options.get("eps", 1e-8),
        "amsgrad": options.get("amsgrad", False),
    }
    return {"name": name, "params": case_params,
            "tensors": {k: tensor_json(v) for k, v in tensors.items()}}


# ---------------------------------------------------------------- schedules

S = torch.optim.lr_scheduler

# (case name, factory(optimizer) -> scheduler, the schedule as finetune4j parameters)
SCHEDULE_CASES = [
    ("step_lr", lambda o: S.StepLR(o, step_size=3, gamma=0.5),
     {"schedule": "step", "step_size": 3, "gamma": 0.5}),
    ("multistep_lr_repeated_milestone", lambda o: S.MultiStepLR(o, [3, 8, 8, 14], gamma=0.3),
     {"schedule": "multistep", "milestones": [3, 8, 8, 14], "gamma": 0.3}),
    ("cosine_lr_past_t_max", lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=1e-3),
     {"schedule": "cosine", "t_max": 8, "eta_min": 1e-3}),
    ("cosine_lr_eta_min_0", lambda o: S.CosineAnnealingLR(o, T_max=20),
     {"schedule": "cosine", "t_max": 20, "eta_min": 0.0}),
    ("linear_warmup_alone", lambda o: S.LinearLR(o, start_factor=0.1, total_iters=5),
     {"schedule": "warmup", "warmup": 5, "start_factor": 0.1, "then": "constant"}),
    ("linear_warmup_then_cosine",
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=4),
                                  S.CosineAnnealingLR(o, T_max=16)], milestones=[4]),
     {"schedule": "warmup", "warmup": 4, "start_factor": 0.25, "then": "cosine", "t_max": 16,
      "eta_min": 0.0}),
    ("linear_warmup_then_step",
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=3),
                                  S.StepLR(o, step_size=4, gamma=0.1)], milestones=[3]),
     {"schedule": "warmup", "warmup": 3, "start_factor": 0.5, "then": "step", "step_size": 4,
      "gamma": 0.1}),
]

BASE_LRS = [0.1, 0.02]


def schedule_case(name, factory, description):
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([{"params": [w], "lr": BASE_LRS[0]},
                           {"params": [torch.zeros(1, requires_grad=True)], "lr": BASE_LRS[1]}])
    sched = factory(opt)
    lrs = [[], []]
    for _ in range(EPOCHS):
        for g in range(2):
            lrs[g].append(opt.param_groups[g]["lr"])
        opt.step()                                  # no grads: a no-op that silences the warning
        sched.step()
    params = dict(description)
    params.update({"base_lr": BASE_LRS, "lr_group0": lrs[0], "lr_group1": lrs[1]})
    return {"name": name, "params": params, "tensors": {}}


def main():
    torch.manual_seed(SEED)
    cases = [optim_case(*c) for c in OPTIM_CASES]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # SequentialLR's step(0) deprecation notice
        cases += [schedule_case(*c) for c in SCHEDULE_CASES]
    doc = {"generator": GENERATOR, "family": "optim", "torch": torch.__version__, "seed": SEED,
           "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("optim %3d cases %8d bytes  %s" % (len(cases), os.path.getsize(OUT), OUT))


if __name__ == "__main__":
    main()
