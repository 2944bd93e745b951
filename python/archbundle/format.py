"""The format's constants that several modules need (docs/bundle-format.md), written once."""
import numpy as np

# The version this package writes, and the newest it reads.
FORMAT_VERSION = 2
# Tensor dtypes a bundle holds: numpy's little-endian dtype and the bytes per element.
DTYPES = {"float32": ("<f4", 4), "int32": ("<i4", 4), "bool": ("u1", 1)}
# JavaScript's Number.MAX_SAFE_INTEGER: the TypeScript reader's bound on sizes and counts.
MAX_SAFE_INTEGER = 2 ** 53 - 1
# The counters every archbundle scheduler keeps (src/tfjs/train/schedulers/epoch-scheduler.ts);
# a class may add its own (ReduceLROnPlateau, LinearWarmup).
SCHEDULER_STATE = {"type": "object", "required": ["lastEpoch", "baseLr", "learningRate"], "properties": {
    "lastEpoch": {"type": "integer", "minimum": 0}, "baseLr": {"type": "number", "minimum": 0},
    "learningRate": {"type": "number", "minimum": 0}}}

_STORED = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32", np.dtype(np.bool_): "bool"}


def stored_dtype(array: np.ndarray) -> str:
    """float32, int32 or bool for an array a bundle can hold (either byte order), else ''."""
    return _STORED.get(array.dtype.newbyteorder("="), "")
