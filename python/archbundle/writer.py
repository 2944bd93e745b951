"""`archbundle.write`: a Bundle as the bytes archbundle's TypeScript writer gives for the same
content (docs/bundle-format.md §1–§4), streamed (each tensor hashed while written) and, to a
path, atomically: a temporary file in the target's folder, fsync, rename, fsync the folder."""
import hashlib
import os
import secrets
from typing import Any, BinaryIO, Dict, List, Optional, Union

import numpy as np

from .bundle import Bundle
from .canonical_json import canonical_json
from .errors import BundleError
from .published import load_published
from .tar_writer import END_MARKER, header, padding
from .tensor_table import ALIGNMENT, DTYPES

FORMAT_VERSION = 2
_NUMPY_DTYPES = {"float32": np.dtype("<f4"), "int32": np.dtype("<i4"), "bool": np.dtype("u1")}


def _dtype_name(name: str, array: np.ndarray) -> str:
    kind = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32", np.dtype(np.bool_): "bool"}.get(array.dtype.newbyteorder("="))
    if kind is None:
        raise BundleError("E_INVALID_ARGS", f'tensor "{name}" is {array.dtype}; a bundle holds float32, int32 or bool (convert it first)')
    return kind


def _records(tensors: Dict[str, np.ndarray]) -> List[Dict[str, Any]]:
    records, end = [], 0
    for name, array in tensors.items():
        dtype = _dtype_name(name, np.asarray(array))
        offset = (end + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
        length = int(np.prod(array.shape, dtype=np.int64)) * DTYPES[dtype][1]
        records.append({"name": name, "dtype": dtype, "shape": [int(d) for d in array.shape], "byteOffset": offset, "byteLength": length})
        end = offset + length
    return records


class _Entries:
    def __init__(self, out: BinaryIO):
        self.out = out
        self.digests: List[Dict[str, Any]] = []

    def add(self, name: str, pieces, size: int) -> None:
        self.out.write(header(name, size))
        digest = hashlib.sha256()
        written = 0
        for piece in pieces:
            digest.update(piece)
            self.out.write(piece)
            written += len(piece)
        assert written == size, f"{name}: wrote {written} bytes, announced {size}"
        self.out.write(padding(size))
        self.digests.append({"name": name, "size": size, "sha256": digest.hexdigest()})

    def json(self, name: str, value: Any) -> None:
        data = canonical_json(value).encode("utf-8", "surrogatepass")
        self.add(name, [data], len(data))

    def tensors(self, group: str, head: Dict[str, Any], tensors: Dict[str, np.ndarray]) -> None:
        records = _records(tensors)
        self.json(f"{group}.json", {**head, "tensors": records})
        size = records[-1]["byteOffset"] + records[-1]["byteLength"] if records else 0

        def pieces():
            end = 0
            for record, array in zip(records, tensors.values()):
                if record["byteOffset"] > end:
                    yield bytes(record["byteOffset"] - end)
                yield np.ascontiguousarray(array, dtype=_NUMPY_DTYPES[record["dtype"]]).tobytes()
                end = record["byteOffset"] + record["byteLength"]
        self.add(f"{group}.bin", pieces(), size)


def _write_stream(out: BinaryIO, bundle: Bundle, archbundle_version: str, tfjs_version: str) -> Dict[str, Any]:
    entries = _Entries(out)
    arch = {k: v for k, v in bundle.arch.items() if k != "formatVersion"}
    entries.json("arch.json", {"formatVersion": FORMAT_VERSION, **arch})
    if bundle.input is not None:
        entries.json("input.json", bundle.input)
    entries.tensors("weights", {}, bundle.weights)
    if bundle.optimizer is not None:
        o = bundle.optimizer
        entries.tensors("optimizer", {"class": o.class_name, "args": o.args, "learningRate": o.learning_rate, "step": o.step}, o.state)
    if bundle.scheduler is not None:
        if bundle.optimizer is None:
            raise BundleError("E_INVALID_ARGS", "a scheduler can only be saved with its optimizer")
        s = bundle.scheduler
        entries.json("scheduler.json", {"class": s.class_name, "args": s.args, "state": s.state})
    entries.json("training.json", bundle.training)
    manifest = {"format": "archbundle", "formatVersion": FORMAT_VERSION, "archbundleVersion": archbundle_version,
                "tfjsVersion": tfjs_version, "entries": list(entries.digests)}
    entries.json("manifest.json", manifest)
    out.write(END_MARKER)
    return manifest


def write(target: Union[str, os.PathLike, BinaryIO], bundle: Bundle, *, archbundle_version: Optional[str] = None,
          tfjs_version: str = "none") -> Dict[str, Any]:
    """Writes `bundle`; returns its manifest. `archbundle_version` defaults to the published
    package's version; `tfjs_version` names the TF.js that made the tensors, "none" when they
    come from elsewhere (PyTorch, numpy)."""
    version = archbundle_version or load_published("package.json")["version"]
    if not isinstance(target, (str, os.PathLike)):
        return _write_stream(target, bundle, version, tfjs_version)
    folder, name = os.path.split(os.path.abspath(target))
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as out:
            manifest = _write_stream(out, bundle, version, tfjs_version)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return manifest
