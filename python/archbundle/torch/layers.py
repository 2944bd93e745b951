"""The small layers archbundle's TF.js models have and PyTorch lacks, and the choices (group
count, activation slope, normalisation constants) that must equal the TF.js layers'."""
from typing import Optional

import torch
from torch import nn

from ..group_count import group_count


def norm2d(kind: str, channels: int) -> nn.Module:
    """bn, gn or none. Epsilon 1e-5 and momentum 0.1 are PyTorch's defaults and archbundle's too
    (TF.js spells the momentum 0.9); group norm's epsilon is 1e-5 in both."""
    if kind == "bn":
        return nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)
    if kind == "gn":
        return nn.GroupNorm(group_count(channels), channels, eps=1e-5)
    return nn.Identity()


def activation(kind: str) -> nn.Module:
    # TF.js' leakyReLU is built with alpha 0.01 (src/tfjs/layers/activation.ts), PyTorch's default slope.
    table = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softsign": nn.Softsign}
    if kind == "leaky_relu":
        return nn.LeakyReLU(0.01)
    return table[kind]()


class Clamp(nn.Module):
    """Inputs clamped to [0, 1] (the `clamp` argument), before anything else."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.clamp(x, 0, 1)


class Whiten(nn.Module):
    """(x - mean) / std per channel, fixed (the `whitening` argument). The statistics are buffers
    that are not saved: they belong to the arguments, as in archbundle, not to the weights."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


def input_layers(args: dict) -> Optional[nn.Sequential]:
    """Clamp, then whitening, as archbundle's classifier builder prepends them."""
    layers = []
    if args.get("clamp"):
        layers.append(Clamp())
    if args.get("whitening"):
        layers.append(Whiten(args["whitening"]["mean"], args["whitening"]["std"]))
    return nn.Sequential(*layers) if layers else None
