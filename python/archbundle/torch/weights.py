"""A PyTorch model's state_dict as a bundle's weights (archbundle's names and layouts) and back,
with what does not fit reported as the TS reader reports it (src/tfjs/bundle/weights-diff.ts)."""
from typing import Dict, List, Tuple

import numpy as np
import torch

from ..errors import BundleError, Issue
from .names import TorchNames, archbundle_shape, to_archbundle, to_torch_layout


def _escape(name: str) -> str:
    return "/" + name.replace("~", "~0").replace("/", "~1")


def model_weights(model: torch.nn.Module) -> Dict[str, np.ndarray]:
    """Every weight archbundle keeps, in the model's order (PyTorch registers modules in the order
    archbundle's builders create layers), as little-endian float32 arrays in archbundle's layout."""
    names = TorchNames(model.class_name)
    out: Dict[str, np.ndarray] = {}
    for key, tensor in model.state_dict().items():
        found = names.archbundle_name(key)
        if found is None:
            if names.dropped(key) is None:
                raise BundleError("E_WEIGHTS_MISMATCH", f'{model.class_name}\'s torch.json has no archbundle name for "{key}"')
            continue
        name, rule, entry = found
        array = tensor.detach().cpu().numpy()
        out[name] = to_archbundle(array, rule, entry, model.flattened_inputs.get(name.rpartition("/")[0]))
    return out


def load_weights(model: torch.nn.Module, weights: Dict[str, np.ndarray], strict: bool = True) -> dict:
    """Copies a bundle's weights into `model`. Returns the diff (missing, unexpected, mismatched);
    with `strict`, any difference is E_WEIGHTS_MISMATCH listing all of them, and nothing is copied."""
    names = TorchNames(model.class_name)
    state = model.state_dict()
    expected: Dict[str, Tuple[str, dict, dict]] = {}
    for key in state:
        found = names.archbundle_name(key)
        if found is not None:
            expected[found[0]] = (key, found[1], found[2])
    diff = {"missing": [n for n in expected if n not in weights],
            "unexpected": [n for n in weights if n not in expected], "mismatched": []}
    fitting: List[Tuple[str, torch.Tensor]] = []
    for name, array in weights.items():
        if name not in expected:
            continue
        key, rule, entry = expected[name]
        shape = archbundle_shape(tuple(state[key].shape), rule)
        want, got = f"float32 [{', '.join(map(str, shape))}]", f"{_dtype(array)} [{', '.join(map(str, array.shape))}]"
        if want != got:
            diff["mismatched"].append({"name": name, "expected": want, "received": got})
            continue
        chw = model.flattened_inputs.get(name.rpartition("/")[0])
        fitting.append((key, torch.from_numpy(np.array(to_torch_layout(np.asarray(array, dtype=np.float32), rule, entry, chw)))))
    if strict and any(diff.values()):
        raise mismatch_error(model.class_name, diff)
    with torch.no_grad():
        for key, tensor in fitting:
            state[key].copy_(tensor)
        for key, value in state.items():
            # archbundle keeps no batch-norm update counter; PyTorch's export of it is 0 as well.
            if names.dropped(key) is not None and value.dtype == torch.int64:
                value.zero_()
    return diff


def _dtype(array: np.ndarray) -> str:
    return {"f": "float32", "i": "int32", "b": "bool"}.get(array.dtype.kind, str(array.dtype)) if array.dtype.itemsize in (1, 4) else str(array.dtype)


def mismatch_error(class_name: str, diff: dict) -> BundleError:
    issues = ([Issue(_escape(n), "is a weight of the model but not in the bundle", "missing") for n in diff["missing"]]
              + [Issue(_escape(n), "is in the bundle but not a weight of the model", "unexpected") for n in diff["unexpected"]]
              + [Issue(_escape(m["name"]), f"expected {m['expected']}, received {m['received']}", "shape") for m in diff["mismatched"]])
    parts = [p for p in (
        "missing " + ", ".join(diff["missing"]) if diff["missing"] else "",
        "unexpected " + ", ".join(diff["unexpected"]) if diff["unexpected"] else "",
        "wrong shape " + ", ".join(f"{m['name']} (expected {m['expected']}, received {m['received']})" for m in diff["mismatched"]) if diff["mismatched"] else "",
    ) if p]
    return BundleError("E_WEIGHTS_MISMATCH", f"bundle weights do not fit {class_name}: {'; '.join(parts)}", issues)
