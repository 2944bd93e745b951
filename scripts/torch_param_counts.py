#!/usr/bin/python3
"""Parameter counts of the reference implementation's models, in PyTorch, for test/parameter-counts.test.ts.

The models come from torch_reference_models.py (the reference implementation's code re-declared
layer by layer). Settings are those of the reference implementation's examples/save_load.py:
N_class 10, resolution [3, 32, 32], batch norm, bias on, ResNets with 64 channels, WRN-28-10 with 16.

  /usr/bin/python3 scripts/torch_param_counts.py
prints one JSON object: per model, "parameters" (sum of numel over model.parameters(), i.e.
trainable) and "buffers" (BatchNorm running means and variances; num_batches_tracked left out,
archbundle has no such counter).
"""
import json

import torch

from torch_reference_models import ResNet, SimpleNet, WideResNet


def counts(model):
    buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked"))
    return {"parameters": sum(p.numel() for p in model.parameters()), "buffers": buffers}


def main():
    cifar = [3, 32, 32]
    models = {
        "SimpleNet": SimpleNet(10, cifar, channels=64),
        "SimpleNet-1x28x28": SimpleNet(10, [1, 28, 28], channels=64),
        "ResNet-18": ResNet(10, cifar, [2, 2, 2, 2]),
        "ResNet-20": ResNet(10, cifar, [3, 3, 3]),
        "ResNet-34": ResNet(10, cifar, [3, 4, 6, 3]),
        "ResNet-50": ResNet(10, cifar, [3, 4, 6, 3], block="bottleneck"),
        "WRN-28-10": WideResNet(10, cifar, depth=28, width=10, channels=16),
        "WRN-16-4-gn": WideResNet(10, cifar, depth=16, width=4, channels=16, normalization="gn"),
    }
    print(json.dumps({"torch": torch.__version__, **{k: counts(m) for k, m in models.items()}}))


if __name__ == "__main__":
    main()
