"""Tensor tables (`weights.json`, `optimizer.json`) and their bytes (docs/bundle-format.md §3):
known dtypes, shape products, lengths, and the packing rule (in order, each offset the previous
end rounded up to 64, zero padding, the .bin entry ending at the last tensor's end)."""
from typing import Dict, List

import numpy as np

from .errors import BundleError, Issue, format_issues

ALIGNMENT = 64
DTYPES = {"float32": ("<f4", 4), "int32": ("<i4", 4), "bool": ("u1", 1)}


def _table_error(entry: str, issues: List[Issue]) -> BundleError:
    return BundleError("E_TENSOR_TABLE", f"{entry} tensor table is invalid: {format_issues(issues)}", issues)


def check_table(table: dict, entry: str, max_tensors: int = 100_000, max_rank: int = 8) -> int:
    """Checks every record, collecting all problems; returns the size the .bin entry must have."""
    tensors = table.get("tensors")
    if not isinstance(tensors, list):
        raise _table_error(entry, [Issue("/tensors", "must be an array", "type")])
    if len(tensors) > max_tensors:
        raise _table_error(entry, [Issue("/tensors", f"holds {len(tensors)} tensors, more than the cap of {max_tensors}", "cap")])
    issues: List[Issue] = []
    names = set()
    end = 0
    for i, record in enumerate(tensors):
        at = f"/tensors/{i}"
        name, dtype, shape = record.get("name"), record.get("dtype"), record.get("shape")
        if name in names:
            issues.append(Issue(f"{at}/name", f'duplicate tensor name "{name}"', "unique"))
        names.add(name)
        if dtype not in DTYPES:
            issues.append(Issue(f"{at}/dtype", f"must be one of {', '.join(DTYPES)}, received {dtype!r}", "dtype"))
            continue
        if not isinstance(shape, list) or len(shape) > max_rank or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            issues.append(Issue(f"{at}/shape", f"must be at most {max_rank} non-negative integers, received {shape!r}", "shape"))
            continue
        length = int(np.prod(shape, dtype=object)) * DTYPES[dtype][1]
        offset = (end + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
        if record.get("byteLength") != length:
            issues.append(Issue(f"{at}/byteLength", f"expected {length} (shape {shape} of {dtype}), received {record.get('byteLength')!r}", "byteLength"))
        if record.get("byteOffset") != offset:
            issues.append(Issue(f"{at}/byteOffset", f"expected {offset} (packed in order, 64-byte aligned), received {record.get('byteOffset')!r}", "packing"))
        end = offset + length
    if issues:
        raise _table_error(entry, issues)
    return end


def tensor_views(table: dict, data: memoryview, entry: str) -> Dict[str, np.ndarray]:
    """Read-only arrays viewing `data` in place; padding must be zero."""
    out: Dict[str, np.ndarray] = {}
    end = 0
    for record in table["tensors"]:
        offset, length = record["byteOffset"], record["byteLength"]
        if any(data[end:offset]):
            raise BundleError("E_TENSOR_TABLE", f'{entry}: non-zero padding before tensor "{record["name"]}"')
        dtype = DTYPES[record["dtype"]][0]
        array = np.frombuffer(data, dtype=dtype, count=length // DTYPES[record["dtype"]][1], offset=offset).reshape(record["shape"])
        if record["dtype"] == "bool":
            if np.any(array > 1):
                raise BundleError("E_TENSOR_TABLE", f'{entry}: bool tensor "{record["name"]}" holds a byte other than 0 or 1')
            array = array.view(np.bool_)
        array.flags.writeable = False
        out[record["name"]] = array
        end = offset + length
    return out
