"""archbundle for Python: read, check and write archbundle bundles against the published JSON
Schemas, and (with PyTorch installed) turn them into `torch.nn.Module`s and back, see
`archbundle.torch`."""
from .bundle import Bundle, Optimizer, Scheduler
from .errors import ArchbundleError, BundleError, Issue
from .reader import read
from .writer import write

__all__ = ["ArchbundleError", "Bundle", "BundleError", "Issue", "Optimizer", "Scheduler", "read", "write"]
__version__ = "0.1.0"
