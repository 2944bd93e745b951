"""Tensor tables (`weights.json`, `optimizer.json`) and their bytes (docs/bundle-format.md §3):
known dtypes, shape products, lengths, and the packing rule (in order, each offset the previous
end rounded up to 64, zero padding, the .bin entry ending at the last tensor's end).

The checks and their issue keywords are those of src/core/bundle/tensor-table.ts, which runs
them before the entry's schema; numbers are JSON numbers as JavaScript sees them (2.0 is the
integer 2; integers past 2^53 are not exact)."""
from typing import Any, Dict, List, Optional

import numpy as np

from .errors import BundleError, Issue, format_issues
from .format import DTYPES, MAX_SAFE_INTEGER

ALIGNMENT = 64


def _table_error(entry: str, issues: List[Issue]) -> BundleError:
    return BundleError("E_TENSOR_TABLE", f"tensor table {entry} is invalid: {format_issues(issues)}", issues)


def is_safe_integer(value: Any) -> bool:
    """JavaScript's Number.isSafeInteger for a value parsed from JSON."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, float) and not value.is_integer():
        return False
    return abs(value) <= MAX_SAFE_INTEGER


def _align(offset: int) -> int:
    return (offset + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def _shape_product(shape: Any, at: str, max_rank: int, issues: List[Issue]) -> Optional[int]:
    if not isinstance(shape, list) or len(shape) > max_rank:
        issues.append(Issue(f"{at}/shape", f"must be an array of at most {max_rank} dimensions, received {shape!r}", "shape"))
        return None
    product = 1
    for d, dim in enumerate(shape):
        if not is_safe_integer(dim) or dim < 0:
            issues.append(Issue(f"{at}/shape/{d}", f"must be a non-negative integer, received {dim!r}", "type"))
            return None
        product *= int(dim)
        if product > MAX_SAFE_INTEGER:
            issues.append(Issue(f"{at}/shape", f"element count of {shape} overflows", "overflow"))
            return None
    return product


def check_table(table: Any, entry: str, max_tensors: int = 100_000, max_rank: int = 8, max_bin_bytes: int = 64 * 1024 ** 3) -> int:
    """Checks every record, collecting all problems; returns the size the .bin entry must have.
    A table needing more bytes than `max_bin_bytes` is E_ENTRY_TOO_LARGE."""
    tensors = table.get("tensors") if isinstance(table, dict) else None
    if not isinstance(tensors, list):
        raise _table_error(entry, [Issue("/tensors", f"must be an array, received {tensors!r}", "type")])
    if len(tensors) > max_tensors:
        raise _table_error(entry, [Issue("/tensors", f"holds {len(tensors)} tensors, more than the cap of {max_tensors}", "cap")])
    issues: List[Issue] = []
    names = set()
    end = 0
    for i, raw in enumerate(tensors):
        at = f"/tensors/{i}"
        record = raw if isinstance(raw, dict) else {}
        name, dtype = record.get("name"), record.get("dtype")
        if not isinstance(name, str) or not name:
            issues.append(Issue(f"{at}/name", f"must be a non-empty string, received {name!r}", "type"))
        elif name in names:
            issues.append(Issue(f"{at}/name", f'duplicate tensor name "{name}"', "unique"))
        else:
            names.add(name)
        if not isinstance(dtype, str) or dtype not in DTYPES:
            issues.append(Issue(f"{at}/dtype", f"must be one of {', '.join(DTYPES)}, received {dtype!r}", "dtype"))
        elements = _shape_product(record.get("shape"), at, max_rank, issues)
        for key in ("byteOffset", "byteLength"):
            if not is_safe_integer(record.get(key)) or record.get(key) < 0:
                issues.append(Issue(f"{at}/{key}", f"must be a non-negative integer, received {record.get(key)!r}", "type"))
        if issues:
            continue
        offset, length = int(record["byteOffset"]), int(record["byteLength"])
        expected_length = elements * DTYPES[dtype][1]
        if expected_length > MAX_SAFE_INTEGER:
            issues.append(Issue(f"{at}/shape", f"shape {record['shape']} has too many bytes to address", "overflow"))
        elif length != expected_length:
            issues.append(Issue(f"{at}/byteLength", f"must be {expected_length} for {dtype} {record['shape']}, received {length}", "length"))
        expected_offset = _align(end)
        if offset % ALIGNMENT:
            issues.append(Issue(f"{at}/byteOffset", f"must be a multiple of {ALIGNMENT}, received {offset}", "alignment"))
        elif offset < expected_offset:
            issues.append(Issue(f"{at}/byteOffset", f"overlaps the previous tensor, which ends at {end}; received {offset}", "overlap"))
        elif offset > expected_offset:
            issues.append(Issue(f"{at}/byteOffset", f"leaves a gap: expected {expected_offset}, received {offset}", "gap"))
        end = offset + length
    if issues:
        raise _table_error(entry, issues)
    if end > max_bin_bytes:
        raise BundleError("E_ENTRY_TOO_LARGE", f"tensor table {entry} needs {end} bytes of tensor data, more than the cap of {max_bin_bytes}")
    return end


def check_bin_size(entry: str, actual: int, expected: int) -> None:
    """The .bin entry must be exactly as long as its table says."""
    if actual != expected:
        why = "tensors reach past its end (out of range)" if actual < expected else "it has bytes no tensor covers"
        raise BundleError("E_TENSOR_TABLE", f"{entry} has {actual} bytes but its table needs exactly {expected}: {why}")


def check_padding(table: dict, data: memoryview, entry: str) -> None:
    """The bytes between tensors are zero."""
    end = 0
    for record in table["tensors"]:
        offset = int(record["byteOffset"])
        if any(data[end:offset]):
            at = end + next(i for i, b in enumerate(data[end:offset]) if b)
            raise BundleError("E_TENSOR_TABLE", f"{entry} has a non-zero padding byte at offset {at}")
        end = offset + int(record["byteLength"])


def tensor_views(table: dict, data: memoryview, entry: str) -> Dict[str, np.ndarray]:
    """Read-only arrays viewing `data` in place (a table check_table passed, over bytes whose
    size and padding check_bin_size and check_padding passed)."""
    out: Dict[str, np.ndarray] = {}
    for record in table["tensors"]:
        offset, length = int(record["byteOffset"]), int(record["byteLength"])
        shape = [int(d) for d in record["shape"]]
        dtype, size = DTYPES[record["dtype"]]
        array = np.frombuffer(data, dtype=dtype, count=length // size, offset=offset).reshape(shape)
        if record["dtype"] == "bool":
            if np.any(array > 1):
                raise BundleError("E_TENSOR_TABLE", f'{entry}: bool tensor "{record["name"]}" holds a byte other than 0 or 1')
            array = array.view(np.bool_)
        array.flags.writeable = False
        out[record["name"]] = array
    return out
