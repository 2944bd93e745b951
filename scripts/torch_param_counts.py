#!/usr/bin/python3
"""Parameter counts of the seed's models, in PyTorch, for test/parameter-counts.test.ts.

The seed's models (davidstutz/pytorch-adversarial-examples-training-articles,
002-loading-models/models/: simple_net.py, resnet.py, resnet_block.py, wide_resnet.py,
wide_resnet_block.py, utils.py get_normalization2d) re-declared here layer by layer (same
modules, shapes and bias flags; clamp/whiten/printing left out since they hold no parameters
beyond the frozen whitening, which is off by default). Settings are those of the seed's
examples/save_load.py: N_class 10, resolution [3, 32, 32], batch norm, bias on.

  /usr/bin/python3 scripts/torch_param_counts.py
prints one JSON object: per model, "parameters" (sum of numel over model.parameters(), i.e.
trainable) and "buffers" (BatchNorm running means and variances; num_batches_tracked left out,
archbundle has no such counter).
"""
import json

import torch
from torch import nn


def norm2d(kind, planes):
    """The seed's get_normalization2d for 'bn', 'gn' and '' (identity)."""
    for alternative in (32, 24, 16):
        groups = min(alternative, planes // 2)
        if planes % groups == 0:
            break
    if kind == "bn":
        return nn.BatchNorm2d(planes)
    if kind == "gn":
        return nn.GroupNorm(groups, planes)
    return nn.Identity()


def simple_net(classes, resolution, channels=64, normalization="bn", bias=True):
    c, (cin, h, w) = channels, resolution
    big = h >= 32 and w >= 32
    plan = [(c, 3, False), (2 * c, 3, False), (2 * c, 3, False), (2 * c, 3, True),
            (2 * c, 3, False), (2 * c, 3, False), (4 * c, 3, True),
            (4 * c if big else 8 * c, 3, False)]
    if big:
        plan += [(4 * c, 3, True), (8 * c, 3, True)]
    plan += [(32 * c, 1, False), (4 * c, 1, True), (4 * c, 3, False)]
    layers, pools = [], 0
    for cout, k, pool in plan:
        layers += [nn.Conv2d(cin, cout, k, padding=k // 2, bias=bias), norm2d(normalization, cout), nn.ReLU()]
        if pool:
            layers.append(nn.MaxPool2d(2))
            pools += 1
        cin = cout
    layers += [nn.MaxPool2d((h // 2 ** pools, w // 2 ** pools)), nn.Flatten(), nn.Linear(cin, classes, bias=bias)]
    return nn.Sequential(*layers)


class BasicUnit(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride, downsample, normalization):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.norm1 = norm2d(normalization, planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.norm2 = norm2d(normalization, planes)
        self.downsample = downsample


class BottleneckUnit(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride, downsample, normalization):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.norm1 = norm2d(normalization, planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.norm2 = norm2d(normalization, planes)
        self.conv3 = nn.Conv2d(planes, 4 * planes, 1, bias=False)
        self.norm3 = norm2d(normalization, 4 * planes)
        self.downsample = downsample


def resnet(classes, resolution, blocks, block="", channels=64, normalization="bn", bias=True):
    unit = BottleneckUnit if block == "bottleneck" else BasicUnit
    layers = [nn.Conv2d(resolution[0], channels, 3, 1, 1, bias=bias), norm2d(normalization, channels), nn.ReLU()]
    expanded = channels
    for i, count in enumerate(blocks):
        planes, stride = 2 ** i * channels, 2 if i > 0 else 1
        downsample = None
        if stride != 1 or expanded != planes * unit.expansion:
            downsample = nn.Sequential(nn.Conv2d(expanded, planes * unit.expansion, 1, stride, bias=bias),
                                       norm2d(normalization, planes * unit.expansion))
        units = [unit(expanded, planes, stride, downsample, normalization)]
        expanded = planes * unit.expansion
        units += [unit(expanded, planes, 1, None, normalization) for _ in range(1, count)]
        layers.append(nn.Sequential(*units))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(expanded, classes, bias=bias)]
    return nn.Sequential(*layers)


class WideUnit(nn.Module):
    def __init__(self, inplanes, planes, stride, normalization, bias):
        super().__init__()
        self.norm1 = norm2d(normalization, inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, padding=1, bias=bias)
        self.norm2 = norm2d(normalization, planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=bias)
        self.shortcut = nn.Sequential()
        if stride != 1 or inplanes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=True))


def wide_resnet(classes, resolution, depth=28, width=10, channels=16, normalization="bn", bias=True):
    assert (depth - 4) % 6 == 0
    n = (depth - 4) // 6
    planes = [channels, channels * width, 2 * channels * width, 4 * channels * width]
    layers = [nn.Conv2d(resolution[0], planes[0], 3, 1, 1, bias=bias)]
    inplanes = planes[0]
    for stage, stride in ((1, 1), (2, 2), (3, 2)):
        units = []
        for s in [stride] + [1] * (n - 1):
            units.append(WideUnit(inplanes, planes[stage], s, normalization, bias))
            inplanes = planes[stage]
        layers.append(nn.Sequential(*units))
    layers += [norm2d(normalization, planes[3]), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(planes[3], classes, bias=bias)]
    return nn.Sequential(*layers)


def counts(model):
    buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked"))
    return {"parameters": sum(p.numel() for p in model.parameters()), "buffers": buffers}


def main():
    cifar = [3, 32, 32]
    models = {
        "SimpleNet": simple_net(10, cifar, channels=64),
        "SimpleNet-1x28x28": simple_net(10, [1, 28, 28], channels=64),
        "ResNet-18": resnet(10, cifar, [2, 2, 2, 2]),
        "ResNet-20": resnet(10, cifar, [3, 3, 3]),
        "ResNet-34": resnet(10, cifar, [3, 4, 6, 3]),
        "ResNet-50": resnet(10, cifar, [3, 4, 6, 3], block="bottleneck"),
        "WRN-28-10": wide_resnet(10, cifar, depth=28, width=10, channels=16),
        "WRN-16-4-gn": wide_resnet(10, cifar, depth=16, width=4, channels=16, normalization="gn"),
    }
    print(json.dumps({"torch": torch.__version__, **{k: counts(m) for k, m in models.items()}}))


if __name__ == "__main__":
    main()
