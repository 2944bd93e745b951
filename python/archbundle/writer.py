"""`archbundle.write`: a Bundle as the bytes archbundle's TypeScript writer gives for the same
content (docs/bundle-format.md §1–§4), streamed (each tensor hashed while written) and, to a
path, atomically: a temporary file in the target's folder, fsync, rename, fsync the folder.
Everything is checked (write_checks.py) and every JSON entry serialised before the first byte,
so a refused bundle leaves nothing behind, not even a temporary file."""
import hashlib
import os
import secrets
from typing import Any, BinaryIO, Dict, List, Optional, Tuple, Union

import numpy as np

from .bundle import Bundle
from .canonical_json import canonical_json
from .errors import ArchbundleError
from .published import load_published
from .tar_writer import END_MARKER, header, padding
from .tensor_table import ALIGNMENT
from .format import DTYPES, FORMAT_VERSION
from .write_checks import check_bundle, stored_dtype



def _records(tensors: Dict[str, np.ndarray]) -> List[Dict[str, Any]]:
    records, end = [], 0
    for name, array in tensors.items():
        dtype = stored_dtype(array)
        offset = (end + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
        length = int(np.prod(array.shape, dtype=np.int64)) * DTYPES[dtype][1]
        records.append({"name": name, "dtype": dtype, "shape": [int(d) for d in array.shape], "byteOffset": offset, "byteLength": length})
        end = offset + length
    return records


def _json_bytes(value: Any) -> bytes:
    return canonical_json(value).encode("utf-8", "surrogatepass")


class _Plan:
    """Every entry ready to go, in the format's order: the JSON entries already serialised, the
    tensors (arrays) with their table; only the manifest, made of the digests, comes later."""

    def __init__(self, bundle: Bundle):
        self.entries: List[Tuple[str, bytes, Optional[Tuple[List[Dict[str, Any]], List[np.ndarray]]]]] = []
        arch = {k: v for k, v in bundle.arch.items() if k != "formatVersion"}
        self.json("arch.json", {"formatVersion": FORMAT_VERSION, **arch})
        if bundle.input is not None:
            self.json("input.json", bundle.input)
        self.tensors("weights", {}, bundle.weights)
        if bundle.optimizer is not None:
            o = bundle.optimizer
            self.tensors("optimizer", {"class": o.class_name, "args": o.args, "learningRate": o.learning_rate, "step": o.step}, o.state)
        if bundle.scheduler is not None:
            s = bundle.scheduler
            self.json("scheduler.json", {"class": s.class_name, "args": s.args, "state": s.state})
        self.json("training.json", bundle.training)

    def json(self, name: str, value: Any) -> None:
        self.entries.append((name, _json_bytes(value), None))

    def tensors(self, group: str, head: Dict[str, Any], tensors: Dict[str, np.ndarray]) -> None:
        records = _records(tensors)
        self.json(f"{group}.json", {**head, "tensors": records})
        self.entries.append((f"{group}.bin", b"", (records, list(tensors.values()))))


def _tensor_pieces(records: List[Dict[str, Any]], arrays: List[np.ndarray]):
    end = 0
    for record, array in zip(records, arrays):
        if record["byteOffset"] > end:
            yield bytes(record["byteOffset"] - end)
        yield np.ascontiguousarray(array, dtype=DTYPES[record["dtype"]][0]).tobytes()
        end = record["byteOffset"] + record["byteLength"]


def _add(out: BinaryIO, name: str, pieces, size: int) -> Dict[str, Any]:
    out.write(header(name, size))
    digest = hashlib.sha256()
    written = 0
    for piece in pieces:
        digest.update(piece)
        out.write(piece)
        written += len(piece)
    assert written == size, f"{name}: wrote {written} bytes, announced {size}"
    out.write(padding(size))
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _write_stream(out: BinaryIO, plan: _Plan, archbundle_version: str, tfjs_version: str) -> Dict[str, Any]:
    digests = []
    for name, data, tensors in plan.entries:
        if tensors is None:
            digests.append(_add(out, name, [data], len(data)))
        else:
            records, arrays = tensors
            size = records[-1]["byteOffset"] + records[-1]["byteLength"] if records else 0
            digests.append(_add(out, name, _tensor_pieces(records, arrays), size))
    manifest = {"format": "archbundle", "formatVersion": FORMAT_VERSION, "archbundleVersion": archbundle_version,
                "tfjsVersion": tfjs_version, "entries": digests}
    data = _json_bytes(manifest)
    _add(out, "manifest.json", [data], len(data))
    out.write(END_MARKER)
    return manifest


def write(target: Union[str, os.PathLike, BinaryIO], bundle: Bundle, *, archbundle_version: Optional[str] = None,
          tfjs_version: str = "none") -> Dict[str, Any]:
    """Writes `bundle`; returns its manifest. `archbundle_version` defaults to the published
    package's version; `tfjs_version` names the TF.js that made the tensors, "none" when they
    come from elsewhere (PyTorch, numpy). A bundle that fails a check (write_checks.py) raises
    its BundleError before anything is written; a file that cannot be written is E_IO."""
    check_bundle(bundle)
    plan = _Plan(bundle)
    version = archbundle_version or load_published("package.json")["version"]
    if not isinstance(target, (str, os.PathLike)):
        return _write_stream(target, plan, version, tfjs_version)
    folder, name = os.path.split(os.path.abspath(target))
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as out:
            manifest = _write_stream(out, plan, version, tfjs_version)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as error:
        raise ArchbundleError("E_IO", f"cannot write {target}: {error.strerror or error}") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return manifest
