"""The reference implementation's models in PyTorch (README.md names it), re-declared from its
models/ folder (classifier.py, simple_net.py, resnet.py, resnet_block.py, wide_resnet.py,
wide_resnet_block.py, utils.py): the same modules under the same attribute names, so state_dict
keys are the reference implementation's (conv1.weight, bn1.running_mean,
block0.0.downsample.0.weight, ...), and the same forward.
Left out: printing, and the reference implementation's whitening (a frozen layer, off by
default). Differences kept on purpose: the logits always have `classes` outputs (the reference
implementation uses 1 output for 2 classes), and SimpleNet accepts leaky_relu/softsign (the
reference implementation raises on both).
Used by torch_param_counts.py and torch_reference_outputs.py; run with /usr/bin/python3.
"""
import torch
from torch import nn


def norm2d(kind, planes):
    """The reference implementation's get_normalization2d for 'bn', 'gn' and 'none' (the reference implementation's '')."""
    for alternative in (32, 24, 16):
        groups = min(alternative, planes // 2)
        if planes % groups == 0:
            break
    if kind == "bn":
        return nn.BatchNorm2d(planes)
    if kind == "gn":
        return nn.GroupNorm(groups, planes)
    return nn.Identity()


ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softsign": nn.Softsign,
               "leaky_relu": nn.LeakyReLU}


class Classifier(nn.Module):
    """The reference implementation's Classifier: layers appended by name, run in order."""

    def __init__(self, clamp=False, bias=True):
        super().__init__()
        self.layer_names = []
        self.include_bias = bias
        if clamp:
            self.append_layer("clamp", Clamp())

    def append_layer(self, name, layer):
        setattr(self, name, layer)
        self.layer_names.append(name)

    def forward(self, x):
        for name in self.layer_names:
            x = getattr(self, name)(x)
        return x


class Clamp(nn.Module):
    def forward(self, x):
        return torch.clamp(x, 0, 1)


class SimpleNet(Classifier):
    def __init__(self, classes, resolution, activation="relu", dropout=False, normalization="bn", channels=64,
                 **kwargs):
        super().__init__(**kwargs)
        c, (cin, h, w) = channels, resolution
        big = h >= 32 and w >= 32
        plan = [(c, 3, False), (2 * c, 3, False), (2 * c, 3, False), (2 * c, 3, True),
                (2 * c, 3, False), (2 * c, 3, False), (4 * c, 3, True),
                (4 * c if big else 8 * c, 3, False)]
        if big:
            plan += [(4 * c, 3, True), (8 * c, 3, True)]
        plan += [(32 * c, 1, False), (4 * c, 1, True), (4 * c, 3, False)]
        pools = 0
        # numbered as the reference implementation's `block += 1`: below 32x32 the blocks are 1..11
        for block, (cout, k, pool) in enumerate(plan, start=1):
            self.append_layer("conv%d" % block, nn.Conv2d(cin, cout, k, padding=k // 2, bias=self.include_bias))
            if normalization != "none":
                self.append_layer("%s%d" % (normalization, block), norm2d(normalization, cout))
            self.append_layer("relu%d" % block, ACTIVATIONS[activation]())
            if pool:
                self.append_layer("pool%d" % block, nn.MaxPool2d(2, 2))
                pools += 1
                if dropout:
                    self.append_layer("drop%d" % block, nn.Dropout2d(0.1))
            cin = cout
        # the final pool, dropout and flatten carry the last block's number, as in the reference implementation
        self.append_layer("pool%d" % block, nn.MaxPool2d((h // 2 ** pools, w // 2 ** pools)))
        if dropout:
            self.append_layer("drop%d" % block, nn.Dropout2d(0.1))
        self.append_layer("view%d" % block, nn.Flatten())
        self.append_layer("logits", nn.Linear(cin, classes, bias=self.include_bias))


class ResNetBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride, downsample, normalization):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.norm1 = norm2d(normalization, planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.norm2 = norm2d(normalization, planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.norm2(self.conv2(torch.relu(self.norm1(self.conv1(x)))))
        identity = self.downsample(x) if self.downsample is not None else x
        return torch.relu(out + identity)


class ResNetBottleneckBlock(nn.Module):
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

    def forward(self, x):
        out = torch.relu(self.norm1(self.conv1(x)))
        out = torch.relu(self.norm2(self.conv2(out)))
        out = self.norm3(self.conv3(out))
        identity = self.downsample(x) if self.downsample is not None else x
        return torch.relu(out + identity)


class ResNet(Classifier):
    def __init__(self, classes, resolution, blocks=(3, 3, 3), block="basic", normalization="bn", channels=64, **kwargs):
        super().__init__(**kwargs)
        unit = ResNetBottleneckBlock if block == "bottleneck" else ResNetBlock
        self.append_layer("conv1", nn.Conv2d(resolution[0], channels, 3, 1, 1, bias=self.include_bias))
        if normalization != "none":
            self.append_layer("%s1" % normalization, norm2d(normalization, channels))
        self.append_layer("relu1", nn.ReLU())
        expanded = channels
        for i, count in enumerate(blocks):
            planes, stride = 2 ** i * channels, 2 if i > 0 else 1
            downsample = None
            if stride != 1 or expanded != planes * unit.expansion:
                downsample = nn.Sequential(nn.Conv2d(expanded, planes * unit.expansion, 1, stride, bias=self.include_bias),
                                           norm2d(normalization, planes * unit.expansion))
            units = [unit(expanded, planes, stride, downsample, normalization)]
            expanded = planes * unit.expansion
            units += [unit(expanded, planes, 1, None, normalization) for _ in range(1, count)]
            self.append_layer("block%d" % i, nn.Sequential(*units))
        self.append_layer("avgpool", nn.AdaptiveAvgPool2d(1))
        self.append_layer("view", nn.Flatten())
        self.append_layer("logits", nn.Linear(expanded, classes, bias=self.include_bias))


class WideResNetBlock(nn.Module):
    def __init__(self, inplanes, planes, stride, dropout, normalization, bias):
        super().__init__()
        self.norm1 = norm2d(normalization, inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, padding=1, bias=bias)
        self.drop1 = nn.Dropout(0.1) if dropout else nn.Identity()
        self.norm2 = norm2d(normalization, planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=bias)
        self.shortcut = nn.Sequential()
        if stride != 1 or inplanes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=True))

    def forward(self, x):
        out = self.drop1(self.conv1(torch.relu(self.norm1(x))))
        out = self.conv2(torch.relu(self.norm2(out)))
        return out + self.shortcut(x)


class WideResNet(Classifier):
    def __init__(self, classes, resolution, depth=28, width=10, normalization="bn", channels=16, dropout=False,
                 **kwargs):
        super().__init__(**kwargs)
        assert (depth - 4) % 6 == 0
        n = (depth - 4) // 6
        planes = [channels, channels * width, 2 * channels * width, 4 * channels * width]
        self.append_layer("conv0", nn.Conv2d(resolution[0], planes[0], 3, 1, 1, bias=self.include_bias))
        inplanes = planes[0]
        for stage, stride in ((1, 1), (2, 2), (3, 2)):
            units = []
            for s in [stride] + [1] * (n - 1):
                units.append(WideResNetBlock(inplanes, planes[stage], s, dropout, normalization, self.include_bias))
                inplanes = planes[stage]
            self.append_layer("block%d" % stage, nn.Sequential(*units))
        if normalization != "none":
            self.append_layer("%s3" % normalization, norm2d(normalization, planes[3]))
        self.append_layer("relu3", nn.ReLU())
        self.append_layer("avgpool", nn.AdaptiveAvgPool2d(1))
        self.append_layer("view", nn.Flatten())
        self.append_layer("logits", nn.Linear(planes[3], classes, bias=self.include_bias))


MODELS = {"SimpleNet": SimpleNet, "ResNet": ResNet, "WideResNet": WideResNet}


def build(name, args):
    """One of the reference implementation's models from archbundle-style arguments (classes,
    resolution, ... camelCase as in the schemas)."""
    kwargs = {k: v for k, v in args.items() if k not in ("classes", "resolution", "zeroResiduals")}
    return MODELS[name](args["classes"], args["resolution"], **kwargs)
