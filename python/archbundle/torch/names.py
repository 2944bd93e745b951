"""One tensor between PyTorch's names and layouts and archbundle's, both ways, by the
architecture's torch.json and architectures/torch-layers.json (the data the TS import and export
use: src/core/torch/weight-names.ts)."""
import re
from typing import Dict, Optional, Tuple

import numpy as np

from ..published import load_published, published_files


def mapping_of(class_name: str) -> dict:
    """The torch.json whose `class` is `class_name`."""
    for path in published_files("architectures/*/torch.json"):
        mapping = load_published(f"architectures/{path.parent.name}/torch.json")
        if mapping["class"] == class_name:
            return mapping
    raise KeyError(f"{class_name} has no PyTorch mapping (architectures/<name>/torch.json)")


class TorchNames:
    def __init__(self, class_name: str):
        self.mapping = mapping_of(class_name)
        self.kinds = load_published("architectures/torch-layers.json")
        self.modules = [(re.compile(m["pattern"]), m) for m in self.mapping["modules"]]

    def match(self, module: str) -> Optional[dict]:
        """The first torch.json module entry whose pattern matches the whole module path."""
        for pattern, entry in self.modules:
            if pattern.fullmatch(module):
                return entry
        return None

    def archbundle_name(self, key: str) -> Optional[Tuple[str, dict, dict]]:
        """A PyTorch key's archbundle name, or None when archbundle keeps no such tensor (a
        dropped one such as num_batches_tracked, or one the mapping does not know)."""
        module, _, tensor = key.rpartition(".")
        entry = self.match(module)
        rule = entry and self.kinds[entry["kind"]].get(tensor)
        if not rule or "name" not in rule:
            return None
        return f"{module}/{rule['name']}", rule, entry

    def dropped(self, key: str) -> Optional[dict]:
        module, _, tensor = key.rpartition(".")
        entry = self.match(module)
        rule = entry and self.kinds[entry["kind"]].get(tensor)
        return rule if rule and "dropped" in rule else None


def to_archbundle(array: np.ndarray, rule: dict, entry: dict, chw: Optional[Tuple[int, int, int]]) -> np.ndarray:
    """PyTorch layout → archbundle's: the kind's permutation, then, for a dense layer taking a
    flattened map, its input rows from PyTorch's (c, h, w) order to TF.js' (h, w, c)."""
    out = np.transpose(array, rule["permute"]) if "permute" in rule else array
    if entry.get("flattenedInput") and chw and out.ndim == 2 and int(np.prod(chw)) == out.shape[0]:
        c, h, w = chw
        out = out.reshape(c, h, w, out.shape[1]).transpose(1, 2, 0, 3).reshape(out.shape)
    return np.ascontiguousarray(out, dtype=np.float32)


def to_torch_layout(array: np.ndarray, rule: dict, entry: dict, chw: Optional[Tuple[int, int, int]]) -> np.ndarray:
    """archbundle's layout → PyTorch's: the inverse of `to_archbundle`."""
    out = np.asarray(array)
    if entry.get("flattenedInput") and chw and out.ndim == 2 and int(np.prod(chw)) == out.shape[0]:
        c, h, w = chw
        out = out.reshape(h, w, c, out.shape[1]).transpose(2, 0, 1, 3).reshape(out.shape)
    if "permute" in rule:
        out = np.transpose(out, np.argsort(rule["permute"]))
    return np.ascontiguousarray(out)


def archbundle_shape(shape, rule: dict) -> Tuple[int, ...]:
    return tuple(shape[p] for p in rule["permute"]) if "permute" in rule else tuple(shape)


Weights = Dict[str, np.ndarray]
