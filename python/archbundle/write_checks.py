"""What `archbundle.write` checks before it writes a byte: what archbundle's TypeScript writer,
and the live objects it saves from, refuse, with the same codes.

- E_JSON_SCHEMA: a JSON entry that fails its published schema (schemas/bundle-*.schema.json), or
  holds a value JSON cannot carry (NaN, infinity, a numpy integer, a non-string key).
- E_UNKNOWN_CLASS: an architecture, optimizer or scheduler no published schema names.
- E_SCHEMA_VERSION: arch.json naming another schema id or version than the published one (a
  writer writes the current version; reading is where old versions migrate).
- E_INVALID_ARGS: arguments that are incomplete (a bundle stores every declared property) or
  invalid for their published schema, or a scheduler without an optimizer.
- E_INPUT_MISMATCH: an input contract that does not fit the architecture's classes and resolution.
- E_TENSOR_TABLE: a tensor of a dtype a bundle cannot hold, or of too many dimensions.
- E_STATE_MISMATCH: optimizer slots that fit no weight, or a scheduler state without its counters.

Every problem of a kind is reported at once, with JSON pointers into the entry concerned."""
import math
from typing import Any, Dict, List, Mapping

import numpy as np

from .arguments import STORED_HINT, architecture_schema, check_complete, check_input_contract, complete_args, complete_class_args
from .bundle import Bundle
from .format import FORMAT_VERSION, SCHEDULER_STATE, stored_dtype
from .errors import BundleError, Issue, ValidationError, format_issues
from .published import load_published, published_files
from .schemas import pointer, schema_issues

MAX_RANK = 8  # the readers' default cap (src/core/bundle/format.ts DEFAULT_LIMITS)


def check_bundle(bundle: Bundle) -> None:
    """Raises BundleError (or ValidationError) for the first kind of problem found."""
    arch = {"formatVersion": FORMAT_VERSION, **{k: v for k, v in bundle.arch.items() if k != "formatVersion"}}
    _check_entry("arch.json", arch)
    _check_arch(arch)
    if bundle.input is not None:
        _check_entry("input.json", bundle.input)
        check_input_contract(bundle.input, arch["args"])
    _check_tensors("weights.json", bundle.weights)
    if bundle.optimizer is not None:
        o = bundle.optimizer
        _check_entry("optimizer.json", {"class": o.class_name, "args": o.args, "learningRate": o.learning_rate, "step": o.step, "tensors": []})
        complete_class_args("optimizer", o.class_name, o.args, stored=True)
        _check_tensors("optimizer.json", o.state)
        _check_slots(o.class_name, o.state, bundle.weights)
    if bundle.scheduler is not None:
        if bundle.optimizer is None:
            raise BundleError("E_INVALID_ARGS", "a scheduler can only be saved with its optimizer")
        s = bundle.scheduler
        _check_entry("scheduler.json", {"class": s.class_name, "args": s.args, "state": s.state})
        complete_class_args("scheduler", s.class_name, s.args, stored=True)
        issues = schema_issues(SCHEDULER_STATE, s.state)
        if issues:
            raise BundleError("E_STATE_MISMATCH", f"{s.class_name} scheduler state does not fit: {format_issues(issues)}", issues)
    _check_entry("training.json", bundle.training)


def _check_entry(name: str, value: Any) -> None:
    issues = _json_issues(value, "") or schema_issues(load_published(f"schemas/bundle-{name.split('.')[0]}.schema.json"), value)
    if issues:
        raise ValidationError("E_JSON_SCHEMA", f"bundle entry {name}", issues)


def _json_issues(value: Any, at: str) -> List[Issue]:
    """What canonical JSON cannot write (JSON.stringify would turn NaN into null silently)."""
    if value is None or isinstance(value, (bool, str, int)):
        return []
    if isinstance(value, float):
        return [] if math.isfinite(value) else [Issue(at, f"must be a finite number, received {value}", "finite")]
    if isinstance(value, (list, tuple)):
        return [i for n, item in enumerate(value) for i in _json_issues(item, f"{at}/{n}")]
    if isinstance(value, Mapping):
        issues = [Issue(at, f"has the key {k!r}, which is not a string", "type") for k in value if not isinstance(k, str)]
        return issues + [i for k, item in value.items() if isinstance(k, str) for i in _json_issues(item, at + pointer([k]))]
    return [Issue(at, f"must be a JSON value, received {type(value).__name__} (convert numpy scalars with int() or float())", "type")]


def _check_arch(arch: Dict[str, Any]) -> None:
    name = arch["class"]
    schema = architecture_schema(name)
    if arch["schemaId"] != schema["$id"] or arch["schemaVersion"] != schema["x-version"]:
        raise BundleError("E_SCHEMA_VERSION", f'arch.json names schema "{arch["schemaId"]}" version {arch["schemaVersion"]}; '
                          f'{name} is "{schema["$id"]}" version {schema["x-version"]}, the only one a bundle is written with')
    check_complete(f"{name} arguments", schema, arch["args"], STORED_HINT)
    complete_args(name, arch["args"])


def _check_tensors(entry: str, tensors: Mapping[str, Any]) -> None:
    issues: List[Issue] = []
    for i, (name, array) in enumerate(tensors.items()):
        if not isinstance(name, str) or not 0 < len(name) <= 512:
            issues.append(Issue(f"/tensors/{i}/name", f"must be a string of 1 to 512 characters, received {name!r}", "name"))
        if not isinstance(array, np.ndarray):
            issues.append(Issue(f"/tensors/{i}", f'"{name}" must be a numpy array, received {type(array).__name__}', "type"))
            continue
        if not stored_dtype(array):
            issues.append(Issue(f"/tensors/{i}/dtype", f'"{name}" is {array.dtype}; a bundle holds float32, int32 or bool (convert it first)', "dtype"))
        if array.ndim > MAX_RANK:
            issues.append(Issue(f"/tensors/{i}/shape", f'"{name}" has {array.ndim} dimensions, more than the readers\' cap of {MAX_RANK}', "shape"))
    if issues:
        raise BundleError("E_TENSOR_TABLE", f"tensor table {entry} cannot be written: {format_issues(issues)}", issues)


def _known_slots(class_name: str):
    """The slots torch.json lists for the class (every slot some configuration keeps), or None
    for an optimizer it does not map; the loader checks the configuration's exact set."""
    if not published_files("src/core/optimizers/torch.json"):
        return None  # a published set without the PyTorch mappings (setup.py allows one)
    rule = load_published("src/core/optimizers/torch.json").get(class_name)
    return None if rule is None else rule["slots"]


def _slot_problem(class_name: str, known, weight: str, slot: str, array: np.ndarray, weights: Mapping[str, np.ndarray]):
    """(message, keyword) of what is wrong with one slot tensor, or None."""
    if not weight or (known is not None and slot not in known):
        return f"is not a slot of {class_name} (expected \"<weight>/<slot>\" with slot one of {', '.join(known or [])})", "slot"
    if weight not in weights:
        return "belongs to no weight of the bundle", "weight"
    if stored_dtype(array) != "float32":
        return f"must be float32, received {array.dtype}", "dtype"
    if tuple(array.shape) != tuple(np.shape(weights[weight])):
        return f"must have the weight's shape {list(np.shape(weights[weight]))}, received {list(array.shape)}", "shape"
    return None


def _check_slots(class_name: str, state: Mapping[str, np.ndarray], weights: Mapping[str, np.ndarray]) -> None:
    """As SlotOptimizer.setState (src/tfjs/train/optimizers/slot-optimizer.ts): each tensor is
    `<weight>/<slot>`, float32, of its weight's shape; every updated weight has the same slots."""
    known = _known_slots(class_name)
    issues: List[Issue] = []
    slots_of: Dict[str, List[str]] = {}
    for i, (name, array) in enumerate(state.items()):
        weight, _, slot = name.rpartition("/")
        problem = _slot_problem(class_name, known, weight, slot, array, weights)
        if problem:
            issues.append(Issue(f"/tensors/{i}", f'"{name}" {problem[0]}', problem[1]))
        else:
            slots_of.setdefault(weight, []).append(slot)
    sets = {tuple(sorted(s)) for s in slots_of.values()}
    if len(sets) > 1:
        every = sorted({s for group in sets for s in group})
        for weight, slots in slots_of.items():
            if sorted(slots) != every:
                issues.append(Issue("/tensors", f'"{weight}" lacks slot(s) {", ".join(s for s in every if s not in slots)}', "required"))
    if issues:
        raise BundleError("E_STATE_MISMATCH", f"{class_name} state does not fit: {format_issues(issues)}", issues)


