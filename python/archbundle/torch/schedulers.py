"""torch.optim.lr_scheduler's schedulers as a bundle's scheduler, where the state maps faithfully:
archbundle's epoch schedulers keep {lastEpoch, baseLr, learningRate} (src/tfjs/train/schedulers/
epoch-scheduler.ts) and compute the next rate from the previous one as PyTorch's chainable form
does (CosineAnnealingLR from its closed form, which PyTorch's recursion equals up to rounding).
Others (LinearWarmup, ReduceLROnPlateau: more state, kept differently) are refused rather than
approximated."""
from collections import Counter
from typing import Any, Dict, Optional

import torch

from ..bundle import Scheduler
from ..errors import BundleError, format_issues
from ..format import SCHEDULER_STATE
from ..schemas import schema_issues

# The state of every mapped scheduler (they keep nothing more), as EpochScheduler.setState takes it.
EPOCH_STATE = {**SCHEDULER_STATE, "additionalProperties": False}

# archbundle argument → PyTorch scheduler attribute (its constructor's keyword too), per class.
ARGS: Dict[str, Dict[str, str]] = {
    "StepLR": {"stepSize": "step_size", "gamma": "gamma"},
    "MultiStepLR": {"milestones": "milestones", "gamma": "gamma"},
    "ExponentialLR": {"gamma": "gamma"},
    "CosineAnnealingLR": {"tMax": "T_max", "etaMin": "eta_min"},
}


def _from_attribute(value: Any) -> Any:
    # MultiStepLR keeps its milestones as a Counter; archbundle lists them, repeats included, in order.
    if isinstance(value, Counter):
        return sorted(value.elements())
    return value


def from_torch_scheduler(scheduler) -> Scheduler:
    name = type(scheduler).__name__
    if name not in ARGS or type(scheduler) is not getattr(torch.optim.lr_scheduler, name):
        raise BundleError("E_UNKNOWN_CLASS", f"archbundle.torch.save maps no PyTorch scheduler but {', '.join(ARGS)} (received {name}); configure the scheduler when resuming with archbundle")
    if len(scheduler.base_lrs) != 1:
        raise BundleError("E_STATE_MISMATCH", "expected one parameter group")
    args = {ours: _from_attribute(getattr(scheduler, theirs)) for ours, theirs in ARGS[name].items()}
    state = {"lastEpoch": int(scheduler.last_epoch), "baseLr": float(scheduler.base_lrs[0]),
             "learningRate": float(scheduler.get_last_lr()[0])}
    return Scheduler(class_name=name, args=args, state=state)


def to_torch_scheduler(saved: Optional[Scheduler], optimizer: torch.optim.Optimizer):
    """The bundle's scheduler over `optimizer` (from to_torch_optimizer), or None when it has none."""
    if saved is None:
        return None
    if saved.class_name not in ARGS:
        raise BundleError("E_UNKNOWN_CLASS", f"no PyTorch scheduler for {saved.class_name}")
    issues = schema_issues(EPOCH_STATE, saved.state)
    if issues:
        raise BundleError("E_STATE_MISMATCH", f"{saved.class_name} scheduler state does not fit: {format_issues(issues)}", issues)
    for group in optimizer.param_groups:
        group["initial_lr"] = saved.state["baseLr"]
    kwargs = {theirs: saved.args[ours] for ours, theirs in ARGS[saved.class_name].items()}
    scheduler = getattr(torch.optim.lr_scheduler, saved.class_name)(optimizer, last_epoch=saved.state["lastEpoch"] - 1, **kwargs)
    # Constructing steps once; put the saved numbers back so nothing is recomputed.
    scheduler.last_epoch = saved.state["lastEpoch"]
    scheduler._last_lr = [saved.state["learningRate"]]
    for group in optimizer.param_groups:
        group["lr"] = saved.state["learningRate"]
    return scheduler
