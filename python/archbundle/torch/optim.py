"""torch.optim optimizers ↔ a bundle's optimizer (class, arguments, learning rate, step, slots
'<weight>/<slot>'), by src/core/optimizers/torch.json. archbundle's update rules follow
torch.optim 1.13 (test/optimizers.test.ts), so either side continues where the other stopped."""
import functools
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

from ..bundle import Optimizer
from ..errors import BundleError, Issue
from ..published import load_published
from ..schemas import class_schemas, pointer, schema_issues, with_defaults
from .names import TorchNames, archbundle_shape, to_archbundle, to_torch_layout

TORCH_CLASSES = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW, "RMSprop": torch.optim.RMSprop}
# PyTorch's optimizers that keep a per-parameter step (SGD keeps none).
STEPPED = {"Adam", "AdamW", "RMSprop"}


def _rules() -> Dict[str, dict]:
    return {k: v for k, v in load_published("src/core/optimizers/torch.json").items() if not k.startswith("$")}


def _schema(class_name: str) -> dict:
    schemas = class_schemas("optimizer")
    if class_name not in schemas:
        raise BundleError("E_UNKNOWN_CLASS", f'unknown optimizer "{class_name}"')
    return schemas[class_name]


def _fail(issues: List[Issue], what: str = "the optimizer state does not fit") -> BundleError:
    return BundleError("E_STATE_MISMATCH", f"{what}: " + "; ".join(f"{i.pointer} {i.message}" for i in issues), issues)


def _parameters(model: torch.nn.Module) -> List[Tuple[str, str, dict, dict, torch.nn.Parameter]]:
    """(state_dict key, archbundle name, rule, module entry, parameter) in model.parameters() order."""
    names = TorchNames(model.class_name)
    out = []
    for key, parameter in model.named_parameters():
        found = names.archbundle_name(key)
        if found is None:
            raise BundleError("E_WEIGHTS_MISMATCH", f'{model.class_name}\'s torch.json has no archbundle name for "{key}"')
        out.append((key, found[0], found[1], found[2], parameter))
    return out


@functools.lru_cache(maxsize=None)
def _kept_step(cls):
    """The step counter `cls` keeps in this PyTorch version (an int for RMSprop in 1.13, a float
    tensor elsewhere and later), found by letting the class take one step on a one-element
    parameter: a counter of another type would not advance, as the update adds to it in place."""
    probe = torch.zeros(1, requires_grad=True)
    optimizer = cls([probe])
    probe.grad = torch.zeros(1)
    optimizer.step()
    return optimizer.state[probe]["step"]


def _step_like(cls, step: int):
    """`step` as `cls` keeps it: a new counter per parameter, as PyTorch's are."""
    kept = _kept_step(cls)
    return kept.new_full(kept.shape, float(step)) if torch.is_tensor(kept) else int(step)


def to_torch_optimizer(bundle, model: torch.nn.Module) -> torch.optim.Optimizer:
    """The bundle's optimizer as torch.optim's, over `model`'s parameters (a model from `to_torch`
    of the same bundle), with its slots, step and the learning rate in force. State that does not
    fit the model is E_STATE_MISMATCH, every problem in one error."""
    saved: Optional[Optimizer] = bundle.optimizer
    if saved is None:
        raise BundleError("E_ENTRY_MISSING", "the bundle holds no optimizer")
    if saved.class_name not in TORCH_CLASSES:
        raise BundleError("E_UNKNOWN_CLASS", f'no torch.optim counterpart for optimizer "{saved.class_name}"')
    rule = _rules()[saved.class_name]
    kwargs: Dict[str, object] = {}
    for source, target in rule["args"].items():
        key, _, item = source.partition("/")
        if target not in saved.args:
            continue
        if item:
            kwargs.setdefault(key, [None, None])[int(item)] = saved.args[target]
        else:
            kwargs[key] = saved.args[target]
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    kwargs["lr"] = saved.learning_rate
    parameters = _parameters(model)
    optimizer = TORCH_CLASSES[saved.class_name]([p for *_, p in parameters], **kwargs)
    # The configured rate, where PyTorch's schedulers keep it (and a new one keeps what is there):
    # `lr` is the rate in force, which a schedule may have taken anywhere, to 0 included.
    optimizer.param_groups[0]["initial_lr"] = saved.args["learningRate"]

    issues: List[Issue] = []
    known = set()
    for key, name, tensor_rule, entry, parameter in parameters:
        slots = {}
        shape = archbundle_shape(tuple(parameter.shape), tensor_rule)
        for slot in rule["slots"]:
            slot_name = f"{name}/{slot}"
            known.add(slot_name)
            if slot_name not in saved.state:
                continue
            array = np.asarray(saved.state[slot_name])
            if tuple(array.shape) != shape or array.dtype != np.float32:
                issues.append(Issue(pointer([slot_name]), f"expected float32 [{', '.join(map(str, shape))}] (the shape of {name}), received {array.dtype} [{', '.join(map(str, array.shape))}]", "shape"))
                continue
            slots[slot] = torch.from_numpy(to_torch_layout(array, tensor_rule, entry, model.flattened_inputs.get(name.rpartition("/")[0])).copy())
        if slots:
            if saved.class_name in STEPPED:
                slots["step"] = _step_like(TORCH_CLASSES[saved.class_name], saved.step)
            optimizer.state[parameter] = slots
    for slot_name in saved.state:
        if slot_name not in known:
            issues.append(Issue(pointer([slot_name]), f"is not a slot of {saved.class_name} for a weight of {model.class_name} (its slots: {', '.join(rule['slots'])})", "unexpected"))
    if issues:
        raise _fail(issues)
    return optimizer


def _class_of(optimizer: torch.optim.Optimizer) -> str:
    # AdamW before Adam: in some PyTorch versions one subclasses the other.
    for name in ("AdamW", "Adam", "SGD", "RMSprop"):
        if type(optimizer) is TORCH_CLASSES[name]:
            return name
    raise BundleError("E_UNKNOWN_CLASS", f"archbundle has no optimizer for {type(optimizer).__name__} (it has {', '.join(TORCH_CLASSES)})")


def from_torch_optimizer(optimizer: torch.optim.Optimizer, model: torch.nn.Module, step: Optional[int] = None) -> Optimizer:
    """torch.optim's optimizer over `model` as a bundle's optimizer. SGD keeps no step count:
    give `step` (else 0). A setting archbundle does not implement is E_STATE_MISMATCH."""
    class_name = _class_of(optimizer)
    rule = _rules()[class_name]
    if len(optimizer.param_groups) != 1:
        raise _fail([Issue("/param_groups", f"expected one parameter group (archbundle optimizes every weight alike), received {len(optimizer.param_groups)}", "maxItems")])
    group = optimizer.param_groups[0]
    issues: List[Issue] = []
    args: Dict[str, object] = {}
    mapped = set()
    for source, target in rule["args"].items():
        key, _, item = source.partition("/")
        mapped.add(key)
        if key in group:
            value = group[key]
            args[target] = value[int(item)] if item else value
    for key, value in group.items():
        if key in mapped or key == "params" or key in rule["informational"]:
            continue
        if key not in rule["ignored"]:
            issues.append(Issue(f"/param_groups/0/{key}", f"is a setting archbundle does not implement (received {value!r})", "torch-optimizer"))
        elif value not in rule["ignored"][key]:
            issues.append(Issue(f"/param_groups/0/{key}", f"expected {' or '.join(map(repr, rule['ignored'][key]))} (archbundle implements only that), received {value!r}", "torch-optimizer"))
    # The configured rate is initial_lr (set by a scheduler, or by to_torch_optimizer) and lr the one in force.
    learning_rate = float(group["lr"])
    args["learningRate"] = float(group.get("initial_lr", group["lr"]))
    parameters = _parameters(model)
    by_id = {id(p): (key, name, r, e) for key, name, r, e, p in parameters}
    if [id(p) for p in group["params"]] != [id(p) for *_, p in parameters]:
        issues.append(Issue("/param_groups/0/params", f"expected exactly the model's {len(parameters)} parameters in model.parameters() order", "params"))
    state: Dict[str, np.ndarray] = {}
    steps = set()
    for parameter in group["params"]:
        slots = optimizer.state.get(parameter, {})
        if id(parameter) not in by_id:
            continue
        key, name, tensor_rule, entry = by_id[id(parameter)]
        for slot, value in slots.items():
            if slot == "step":
                steps.add(int(value.item() if torch.is_tensor(value) else value))
            elif slot not in rule["slots"]:
                issues.append(Issue(f"/state/{key}/{slot}", f"{class_name} keeps no state \"{slot}\" (it keeps {', '.join(rule['slots'])})", "slot"))
            elif value is not None:
                array = value.detach().cpu().numpy().astype(np.float32)
                state[f"{name}/{slot}"] = to_archbundle(array, tensor_rule, entry, model.flattened_inputs.get(name.rpartition("/")[0]))
    if len(steps) > 1:
        issues.append(Issue("/state", f"archbundle keeps one step count for all weights; PyTorch's differ: {sorted(steps)}", "step"))
    if issues:
        raise _fail(issues, "the PyTorch optimizer does not fit archbundle")
    complete = _complete_optimizer_args(class_name, args)
    final_step = steps.pop() if steps else (step or 0)
    return Optimizer(class_name=class_name, args=complete, learning_rate=learning_rate, step=final_step, state=state)


def _complete_optimizer_args(class_name: str, args: Dict[str, object]) -> Dict[str, object]:
    schema = _schema(class_name)
    complete = with_defaults(schema, args)
    issues = schema_issues(schema, complete)
    if issues:
        raise BundleError("E_STATE_MISMATCH", f"{class_name}'s arguments from PyTorch are not archbundle's: " + "; ".join(f"{i.pointer} {i.message}" for i in issues), issues)
    return complete
