"""archbundle's architectures as PyTorch modules, and bundles ↔ PyTorch.

Models built here take **NCHW** input (PyTorch's convention), where archbundle's TF.js models take
NHWC; they compute the same logits. Weights convert by the published mappings
(architectures/*/torch.json, architectures/torch-layers.json), optimizers by
src/core/optimizers/torch.json."""
from ..arguments import complete_args
from .convert import create_model, save, to_bundle, to_torch
from .models import MODELS
from .optim import from_torch_optimizer, to_torch_optimizer
from .schedulers import from_torch_scheduler, to_torch_scheduler

__all__ = ["MODELS", "complete_args", "create_model", "from_torch_optimizer", "from_torch_scheduler", "save",
           "to_bundle", "to_torch", "to_torch_optimizer", "to_torch_scheduler"]
