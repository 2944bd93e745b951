"""Bundles ↔ PyTorch models: create_model, to_torch and save."""
import copy
from typing import Any, Dict, Optional

import torch

from ..bundle import Bundle
from ..format import FORMAT_VERSION
from ..errors import BundleError
from ..arguments import complete_args
from ..schemas import architecture_schemas
from .models import MODELS
from .optim import from_torch_optimizer
from .schedulers import from_torch_scheduler
from .weights import load_weights, model_weights


def create_model(name: str, args: Dict[str, Any]) -> torch.nn.Module:
    """Architecture `name` with `args` (defaults filled from its published schema; invalid ones are
    E_INVALID_ARGS with JSON pointers), freshly initialised by PyTorch. The model takes NCHW
    float input and computes what archbundle's TF.js model (which takes NHWC) computes."""
    complete = complete_args(name, args)
    if name not in MODELS:
        raise BundleError("E_UNKNOWN_CLASS", f"archbundle.torch has no PyTorch model for {name}")
    return MODELS[name](complete)


def to_torch(bundle: Bundle, *, strict: bool = True) -> torch.nn.Module:
    """The bundle's model in eval mode, with its weights. With `strict` (the default) weights that
    do not fit are E_WEIGHTS_MISMATCH; otherwise those that fit are loaded and the difference is
    the model's `weights_diff`."""
    model = create_model(bundle.class_name, bundle.args)
    model.weights_diff = load_weights(model, bundle.weights, strict=strict)
    return model.eval()


def to_bundle(model: torch.nn.Module, optimizer: Optional[torch.optim.Optimizer] = None, scheduler=None,
              epoch: Optional[int] = None, *, input: Optional[Dict[str, Any]] = None, step: Optional[int] = None,
              global_step: Optional[int] = None) -> Bundle:
    """A Bundle of a model from create_model or to_torch, its optimizer (and scheduler over it)."""
    if not hasattr(model, "class_name") or not hasattr(model, "args"):
        raise BundleError("E_UNKNOWN_CLASS", "archbundle.torch.save takes models made by archbundle.torch.create_model or to_torch")
    args = complete_args(model.class_name, model.args)
    schema = _schema_of(model.class_name)
    arch = {"formatVersion": FORMAT_VERSION, "class": model.class_name, "schemaId": schema["$id"],
            "schemaVersion": schema["x-version"], "args": args}
    if scheduler is not None and optimizer is None:
        raise BundleError("E_INVALID_ARGS", "a scheduler can only be saved with its optimizer")
    if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
        # Its rates would be another optimizer's, and archbundle would set them on this one.
        raise BundleError("E_STATE_MISMATCH", "the scheduler schedules another optimizer than the one saved")
    # The scheduler first: one archbundle does not map (OneCycleLR, say) adds its own settings to
    # the optimizer's parameter group, which would otherwise be blamed on the optimizer.
    saved_scheduler = from_torch_scheduler(scheduler) if scheduler is not None else None
    saved_optimizer = from_torch_optimizer(optimizer, model, step) if optimizer is not None else None
    steps = global_step if global_step is not None else (saved_optimizer.step if saved_optimizer else 0)
    training = {"epoch": int(epoch or 0), "globalStep": int(steps), "metrics": [], "random": {"seed": 0, "counter": 0}}
    return Bundle(arch=arch, weights=model_weights(model), training=training, optimizer=saved_optimizer,
                  scheduler=saved_scheduler, input=copy.deepcopy(input))


def _schema_of(class_name: str) -> dict:
    return architecture_schemas()[class_name]


def save(path, model: torch.nn.Module, optimizer: Optional[torch.optim.Optimizer] = None, scheduler=None,
         epoch: Optional[int] = None, *, input: Optional[Dict[str, Any]] = None, step: Optional[int] = None,
         global_step: Optional[int] = None) -> Bundle:
    """Writes a bundle of `model` (and optimizer, scheduler, epoch) with archbundle.write.
    `input` is the input contract (input.json) or None; `step` the optimizer's update count for
    SGD, which PyTorch does not keep. Returns the Bundle written."""
    from ..writer import write
    bundle = to_bundle(model, optimizer, scheduler, epoch, input=input, step=step, global_step=global_step)
    write(path, bundle)
    return bundle
