"""archbundle's five built-in architectures as PyTorch modules, computing what their TF.js models
compute (architectures/*/build.ts), with inputs in PyTorch's NCHW layout.

Module paths are the ones the architectures' torch.json map (and, for SimpleNet, ResNet and
WideResNet, the reference implementation's: the same state_dict keys), so a weight `conv1/kernel`
is the module `conv1`'s `weight`. Each model keeps its architecture's class name and complete
arguments (`class_name`, `args`), which `archbundle.torch.save` writes to arch.json, and the
[C, H, W] shape of the map each dense layer takes flattened (`flattened_inputs`), which the weight
conversion needs because PyTorch flattens channel first and TF.js channel last."""
from typing import Dict, List, Tuple

import torch
from torch import nn

from .layers import activation, input_layers, norm2d


class ArchbundleModel(nn.Module):
    """Layers appended by name and run in order, as the reference implementation's Classifier."""

    def __init__(self, class_name: str, args: dict):
        super().__init__()
        self.class_name = class_name
        self.args = args
        self.layer_names: List[str] = []
        self.flattened_inputs: Dict[str, Tuple[int, int, int]] = {}
        # Not in layer_names' modules' state: clamp and whitening hold no weights.
        self.input_transform = input_layers(args)

    def append_layer(self, name: str, layer: nn.Module) -> None:
        setattr(self, name, layer)
        self.layer_names.append(name)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [batch, channels, height, width] (NCHW; archbundle's TF.js models take NHWC)."""
        if self.input_transform is not None:
            x = self.input_transform(x)
        for name in self.layer_names:
            x = getattr(self, name)(x)
        return x


class MLP(ArchbundleModel):
    def __init__(self, args: dict):
        super().__init__("MLP", args)
        c, h, w = args["resolution"]
        self.append_layer("flatten", nn.Flatten())
        features = c * h * w
        names = [f"fc{i + 1}" for i in range(len(args["hidden"]))] + ["logits"]
        self.flattened_inputs[names[0]] = (c, h, w)
        for n, units in enumerate(args["hidden"], start=1):
            self.append_layer(f"fc{n}", nn.Linear(features, units, bias=args["bias"]))
            self.append_layer(f"act{n}", activation(args["activation"]))
            if args["dropout"]:
                self.append_layer(f"drop{n}", nn.Dropout(args["dropout"]))
            features = units
        self.append_layer("logits", nn.Linear(features, args["classes"], bias=args["bias"]))


class LeNet(ArchbundleModel):
    def __init__(self, args: dict):
        super().__init__("LeNet", args)
        c, h, w = args["resolution"]
        f1, f2 = args["filters"]
        bias, act = args["bias"], args["activation"]
        pool = nn.MaxPool2d if args["pooling"] == "max" else nn.AvgPool2d
        # conv1 is 'same' (5x5, stride 1: 2 on every side), conv2 'valid'.
        self.append_layer("conv1", nn.Conv2d(c, f1, 5, padding=2, bias=bias))
        self.append_layer("act1", activation(act))
        self.append_layer("pool1", pool(2, 2))
        self.append_layer("conv2", nn.Conv2d(f1, f2, 5, bias=bias))
        self.append_layer("act2", activation(act))
        self.append_layer("pool2", pool(2, 2))
        self.append_layer("flatten", nn.Flatten())
        h2, w2 = (h // 2 - 4) // 2, (w // 2 - 4) // 2
        features = f2 * h2 * w2
        names = [f"fc{i + 1}" for i in range(len(args["units"]))] + ["logits"]
        self.flattened_inputs[names[0]] = (f2, h2, w2)
        for i, units in enumerate(args["units"]):
            self.append_layer(f"fc{i + 1}", nn.Linear(features, units, bias=bias))
            self.append_layer(f"act{i + 3}", activation(act))
            features = units
        self.append_layer("logits", nn.Linear(features, args["classes"], bias=bias))


def simplenet_plan(c: int, height: int, width: int) -> List[Tuple[int, int, bool]]:
    """(filters, kernel, pool) per block, as architectures/simplenet/plan.ts."""
    big = height >= 32 and width >= 32
    rows = [(c, 3, False), (2 * c, 3, False), (2 * c, 3, False), (2 * c, 3, True),
            (2 * c, 3, False), (2 * c, 3, False), (4 * c, 3, True), (4 * c if big else 8 * c, 3, False)]
    if big:
        rows += [(4 * c, 3, True), (8 * c, 3, True)]
    return rows + [(32 * c, 1, False), (4 * c, 1, True), (4 * c, 3, False)]


class SimpleNet(ArchbundleModel):
    def __init__(self, args: dict):
        super().__init__("SimpleNet", args)
        cin, h, w = args["resolution"]
        bias, norm = args["bias"], args["normalization"]
        pools, block = 0, 0
        for block, (cout, k, pool) in enumerate(simplenet_plan(args["channels"], h, w), start=1):
            self.append_layer(f"conv{block}", nn.Conv2d(cin, cout, k, padding=k // 2, bias=bias))
            if norm != "none":
                self.append_layer(f"{norm}{block}", norm2d(norm, cout))
            self.append_layer(f"relu{block}", activation(args["activation"]))
            if pool:
                self.append_layer(f"pool{block}", nn.MaxPool2d(2, 2))
                pools += 1
                if args["dropout"]:
                    self.append_layer(f"drop{block}", nn.Dropout2d(0.1))
            cin = cout
        # The last pool covers what is left of the map, so the flattened map is 1x1.
        size = (h // 2 ** pools, w // 2 ** pools)
        self.append_layer(f"pool{block}", nn.MaxPool2d(size, size))
        if args["dropout"]:
            self.append_layer(f"drop{block}", nn.Dropout2d(0.1))
        self.append_layer(f"view{block}", nn.Flatten())
        self.append_layer("logits", nn.Linear(cin, args["classes"], bias=bias))


class ResNetUnit(nn.Module):
    """A basic (two 3x3) or bottleneck (1x1, 3x3, 1x1, expansion 4) residual unit, with a 1x1
    projection and normalisation as shortcut when the shape changes; relu after the sum."""

    def __init__(self, kind: str, inplanes: int, planes: int, stride: int, normalization: str, bias: bool):
        super().__init__()
        self.kind = kind
        out = planes * (4 if kind == "bottleneck" else 1)
        if kind == "basic":
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.norm1 = norm2d(normalization, planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.norm2 = norm2d(normalization, planes)
        else:
            self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
            self.norm1 = norm2d(normalization, planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
            self.norm2 = norm2d(normalization, planes)
            self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
            self.norm3 = norm2d(normalization, out)
        self.downsample = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, out, 1, stride, bias=bias), norm2d(normalization, out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.norm1(self.conv1(x)))
        if self.kind == "basic":
            y = self.norm2(self.conv2(y))
        else:
            y = self.norm3(self.conv3(torch.relu(self.norm2(self.conv2(y)))))
        identity = x if self.downsample is None else self.downsample(x)
        return torch.relu(y + identity)


class ResNet(ArchbundleModel):
    def __init__(self, args: dict):
        super().__init__("ResNet", args)
        bias, norm, channels = args["bias"], args["normalization"], args["channels"]
        self.append_layer("conv1", nn.Conv2d(args["resolution"][0], channels, 3, 1, 1, bias=bias))
        if norm != "none":
            self.append_layer(f"{norm}1", norm2d(norm, channels))
        self.append_layer("relu1", nn.ReLU())
        expansion = 4 if args["block"] == "bottleneck" else 1
        inplanes = channels
        for i, count in enumerate(args["blocks"]):
            planes = 2 ** i * channels
            units = []
            for j in range(count):
                stride = 2 if i > 0 and j == 0 else 1
                units.append(ResNetUnit(args["block"], inplanes, planes, stride, norm, bias))
                inplanes = planes * expansion
            self.append_layer(f"block{i}", nn.Sequential(*units))
        self.append_layer("avgpool", nn.AdaptiveAvgPool2d(1))
        self.append_layer("view", nn.Flatten())
        self.append_layer("logits", nn.Linear(inplanes, args["classes"], bias=bias))


class WideResNetUnit(nn.Module):
    """Pre-activation unit: norm1, relu, conv1, dropout, norm2, relu, conv2 (the stride); plus the
    identity or a 1x1 convolution (always with bias), fed the input or, with shortcut
    'activated', relu(norm1(x)). No activation after the sum."""

    def __init__(self, inplanes: int, planes: int, stride: int, args: dict):
        super().__init__()
        norm, bias = args["normalization"], args["bias"]
        self.activated = args["shortcut"] == "activated"
        self.norm1 = norm2d(norm, inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, padding=1, bias=bias)
        self.drop1 = nn.Dropout(0.1) if args["dropout"] else nn.Identity()
        self.norm2 = norm2d(norm, planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=bias)
        self.shortcut = nn.Sequential()
        if stride != 1 or inplanes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = torch.relu(self.norm1(x))
        y = self.conv2(torch.relu(self.norm2(self.drop1(self.conv1(a)))))
        return y + self.shortcut(a if self.activated else x)


class WideResNet(ArchbundleModel):
    def __init__(self, args: dict):
        super().__init__("WideResNet", args)
        n = (args["depth"] - 4) // 6
        c, k, norm = args["channels"], args["width"], args["normalization"]
        planes = [c, c * k, 2 * c * k, 4 * c * k]
        self.append_layer("conv0", nn.Conv2d(args["resolution"][0], planes[0], 3, 1, 1, bias=args["bias"]))
        inplanes = planes[0]
        for stage, stride in ((1, 1), (2, 2), (3, 2)):
            units = []
            for s in [stride] + [1] * (n - 1):
                units.append(WideResNetUnit(inplanes, planes[stage], s, args))
                inplanes = planes[stage]
            self.append_layer(f"block{stage}", nn.Sequential(*units))
        if norm != "none":
            self.append_layer(f"{norm}3", norm2d(norm, planes[3]))
        self.append_layer("relu3", nn.ReLU())
        self.append_layer("avgpool", nn.AdaptiveAvgPool2d(1))
        self.append_layer("view", nn.Flatten())
        self.append_layer("logits", nn.Linear(planes[3], args["classes"], bias=args["bias"]))


MODELS = {"MLP": MLP, "LeNet": LeNet, "SimpleNet": SimpleNet, "ResNet": ResNet, "WideResNet": WideResNet}
