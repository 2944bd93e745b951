"""PyTorch reference numbers for test/optimizers.test.ts and test/schedulers.test.ts.

Run: /usr/bin/python3 scripts/torch_optimizer_reference.py   (torch 1.13)
Prints one JSON object: for each optimizer case, the float32 weights after each of three steps
with fixed gradients; for each scheduler case, the learning rate of each epoch.
"""
import json
import math

import torch

WEIGHTS = [0.5, -1.25, 2.0, 0.03125, -0.75, 1.5]
GRADIENTS = [
    [0.1, -0.2, 0.3, -0.4, 0.05, 1.5],
    [-0.3, 0.25, 0.0, 0.6, -0.05, 1.0],
    [0.2, 0.2, -0.7, 0.1, 0.5, -2.0],
]

# (name, archbundle class, archbundle args, torch constructor)
OPTIMIZERS = [
    ("SGD", "SGD", {"learningRate": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1)),
    ("SGD momentum", "SGD", {"learningRate": 0.1, "momentum": 0.9, "dampening": 0.1, "weightDecay": 0.01},
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD nesterov", "SGD", {"learningRate": 0.05, "momentum": 0.8, "nesterov": True, "weightDecay": 0.001},
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.001)),
    ("Adam", "Adam", {"learningRate": 0.01}, lambda p: torch.optim.Adam(p, lr=0.01)),
    ("Adam amsgrad", "Adam", {"learningRate": 0.02, "beta1": 0.8, "beta2": 0.9, "epsilon": 1e-6, "weightDecay": 0.1, "amsgrad": True},
     lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ("AdamW", "AdamW", {"learningRate": 0.01, "weightDecay": 0.1}, lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    ("AdamW amsgrad", "AdamW", {"learningRate": 0.03, "amsgrad": True}, lambda p: torch.optim.AdamW(p, lr=0.03, amsgrad=True)),
    ("RMSprop", "RMSprop", {"learningRate": 0.01}, lambda p: torch.optim.RMSprop(p, lr=0.01)),
    ("RMSprop centered momentum", "RMSprop", {"learningRate": 0.01, "alpha": 0.9, "epsilon": 1e-6, "weightDecay": 0.01, "momentum": 0.5, "centered": True},
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5, centered=True)),
]

S = torch.optim.lr_scheduler
EPOCHS = 14
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.91, 0.89, 0.9, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]

# (name, archbundle class, archbundle args, torch constructor, uses metrics)
SCHEDULERS = [
    ("StepLR", "StepLR", {"stepSize": 3, "gamma": 0.5}, lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
    ("MultiStepLR", "MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}, lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", "ExponentialLR", {"gamma": 0.9}, lambda o: S.ExponentialLR(o, gamma=0.9)),
    ("CosineAnnealingLR", "CosineAnnealingLR", {"tMax": 8, "etaMin": 0.001}, lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=0.001)),
    ("LinearWarmup", "LinearWarmup", {"warmupEpochs": 4, "startFactor": 0.25},
     lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4)),
    ("LinearWarmup cosine", "LinearWarmup",
     {"warmupEpochs": 3, "startFactor": 0.1, "scheduler": {"class": "CosineAnnealingLR", "args": {"tMax": 6}}},
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=3), S.CosineAnnealingLR(o, T_max=6)], milestones=[3])),
    ("LinearWarmup step", "LinearWarmup",
     {"warmupEpochs": 2, "startFactor": 0.5, "scheduler": {"class": "StepLR", "args": {"stepSize": 2, "gamma": 0.5}}},
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=2), S.StepLR(o, step_size=2, gamma=0.5)], milestones=[2])),
    ("ReduceLROnPlateau", "ReduceLROnPlateau", {"metric": "val_loss", "factor": 0.5, "patience": 1, "threshold": 0.01, "cooldown": 1},
     lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=1, threshold=0.01, cooldown=1)),
    ("ReduceLROnPlateau max abs", "ReduceLROnPlateau",
     {"metric": "val_accuracy", "mode": "max", "factor": 0.2, "patience": 0, "threshold": 0.05, "thresholdMode": "abs", "minLr": 0.003},
     lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.2, patience=0, threshold=0.05, threshold_mode="abs", min_lr=0.003)),
]


def optimizer_case(make):
    weight = torch.nn.Parameter(torch.tensor(WEIGHTS, dtype=torch.float32))
    optimizer = make([weight])
    after = []
    for gradient in GRADIENTS:
        weight.grad = torch.tensor(gradient, dtype=torch.float32)
        optimizer.step()
        after.append(weight.detach().tolist())
    return after


def scheduler_case(make, metric_name):
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=0.1)
    scheduler = make(optimizer)
    rates = []
    for epoch in range(EPOCHS):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if metric_name:
            value = PLATEAU_METRICS[epoch] if metric_name == "val_loss" else 1 - PLATEAU_METRICS[epoch]
            scheduler.step(value)
        else:
            scheduler.step()
    return rates


def main():
    out = {"torch": torch.__version__, "optimizers": [], "schedulers": []}
    for name, cls, args, make in OPTIMIZERS:
        out["optimizers"].append({"name": name, "class": cls, "args": args, "after": optimizer_case(make)})
    for name, cls, args, make in SCHEDULERS:
        metric = args.get("metric") if cls == "ReduceLROnPlateau" else None
        out["schedulers"].append({"name": name, "class": cls, "args": args, "lr": scheduler_case(make, metric)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
