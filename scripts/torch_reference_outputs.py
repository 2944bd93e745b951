#!/usr/bin/python3
"""Writes test/fixtures/torch-reference/*.json: small models of the reference implementation
(torch_reference_models.py) with random weights and batch-norm statistics, an input batch and the
logits PyTorch computes in evaluation mode; for models without dropout also the logits in training mode (batch statistics)
and the gradient of the cross-entropy with respect to every parameter.
test/torch-equivalence.test.ts loads the weights into archbundle's models by name and checks
that logits and gradients agree.

  /usr/bin/python3 scripts/torch_reference_outputs.py
"""
import json
import os

import torch

from torch_reference_models import build

CASES = {
    "simplenet-tanh-bn-clamp": ("SimpleNet", {"classes": 5, "resolution": [2, 16, 16], "channels": 2,
                                              "activation": "tanh", "dropout": True, "clamp": True}),
    "simplenet-32-gn-nobias": ("SimpleNet", {"classes": 3, "resolution": [1, 32, 32], "channels": 2,
                                             "normalization": "gn", "bias": False}),
    "resnet-basic-bn": ("ResNet", {"classes": 4, "resolution": [3, 12, 12], "blocks": [1, 2], "channels": 4}),
    "resnet-bottleneck-gn": ("ResNet", {"classes": 4, "resolution": [1, 10, 10], "blocks": [1, 1],
                                        "block": "bottleneck", "channels": 4, "normalization": "gn"}),
    "wideresnet-bn-dropout": ("WideResNet", {"classes": 3, "resolution": [3, 12, 12], "depth": 10, "width": 2,
                                             "channels": 2, "dropout": True}),
    "wideresnet-none-odd": ("WideResNet", {"classes": 3, "resolution": [1, 9, 9], "depth": 10, "width": 1,
                                           "channels": 2, "normalization": "none"}),
}


def values(t):
    # 9 significant digits round-trip a float32 exactly.
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-reference")
    os.makedirs(out_dir, exist_ok=True)
    for label, (name, args) in CASES.items():
        torch.manual_seed(0)
        model = build(name, args)
        with torch.no_grad():
            for key, t in model.state_dict().items():
                if key.endswith("running_var"):
                    t.uniform_(0.5, 2.0)
                elif not key.endswith("num_batches_tracked"):
                    t.normal_(0, 0.5)
        model.eval()
        x = torch.rand(2, *args["resolution"]) * 2 - 0.5
        with torch.no_grad():
            logits = model(x)
        # The state as evaluated, before training mode moves the batch-norm running statistics.
        state = {k: {"shape": list(t.shape), "values": values(t)}
                 for k, t in model.state_dict().items() if not k.endswith("num_batches_tracked")}
        train = None
        if not args.get("dropout"):
            # Training mode (batch statistics) and the cross-entropy gradient of every parameter.
            model.train()
            labels = torch.arange(x.shape[0]) % args["classes"]
            train_logits = model(x)
            loss = torch.nn.functional.cross_entropy(train_logits, labels)
            loss.backward()
            train = {
                "labels": labels.tolist(),
                "loss": float(loss),
                "logits": {"shape": list(train_logits.shape), "values": values(train_logits)},
                "grads": {k: {"shape": list(p.grad.shape), "values": values(p.grad)}
                          for k, p in model.named_parameters()},
            }
        fixture = {
            "class": name,
            "args": args,
            "torch": torch.__version__,
            "state": state,
            "input": {"shape": list(x.shape), "values": values(x)},
            "logits": {"shape": list(logits.shape), "values": values(logits)},
            "train": train,
        }
        with open(os.path.join(out_dir, label + ".json"), "w") as f:
            json.dump(fixture, f)
        print(label, sum(t.numel() for t in model.parameters()), "parameters")


if __name__ == "__main__":
    main()
